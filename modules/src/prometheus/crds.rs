//! The operator's CustomResourceDefinitions, installed from the upstream release.
//!
//! They are thousands of lines of generated schema: taken as they are from the tag the
//! operator runs, never copied or written by hand. Server-side apply (turned on by the engine
//! for any app installing CRDs) avoids the size limit of the last-applied annotation.

use crate::contract::{App, GroupKind, Source, Wave};

use super::{CRD_PATH, CRD_REPO, OPERATOR_VERSION};

pub(crate) const APP: &str = "prometheus-crds";

pub(crate) fn app(namespace: &str) -> App {
    let mut app = App::owned("prometheus", APP, namespace, Wave::Crds);
    app.source = Source::Upstream {
        repo_url: CRD_REPO.into(),
        revision: OPERATOR_VERSION.into(),
        path: CRD_PATH.into(),
        include: None,
        kinds: vec![GroupKind {
            group: "apiextensions.k8s.io".into(),
            kind: "CustomResourceDefinition".into(),
            namespaced: false,
        }],
    };
    app
}
