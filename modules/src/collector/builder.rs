//! The OpenTelemetry Collector Builder (ocb) manifest of the custom build, derived from the
//! pipeline model: exactly the receivers, processors, exporters and extensions the config
//! uses, each pinned to the release in [`super::VERSION`].

use crate::contract::yaml::EncodeError;
use std::collections::BTreeSet;

use serde::Serialize;

use super::VERSION;
use super::pipeline::{Component, Model};

/// The confmap providers release that ships with collector v0.159.0.
const PROVIDERS_VERSION: &str = "v1.65.0";

/// The name of the binary and of the build's Go module.
pub(crate) const DIST_NAME: &str = "oxidy-otelcol";

#[derive(Serialize)]
struct Manifest {
    dist: Dist,
    receivers: Vec<GoModule>,
    processors: Vec<GoModule>,
    exporters: Vec<GoModule>,
    extensions: Vec<GoModule>,
    /// The config arrives as a file and may refer to environment variables.
    providers: Vec<GoModule>,
    /// Pinned here too: ocb would otherwise take its own release's telemetry module.
    telemetry: Telemetry,
}

#[derive(Serialize)]
struct Dist {
    module: String,
    name: &'static str,
    description: &'static str,
    version: &'static str,
    output_path: &'static str,
}

#[derive(Serialize)]
struct GoModule {
    gomod: String,
}

#[derive(Serialize)]
struct Telemetry {
    gomod: String,
    import: &'static str,
}

fn modules<'a, C: Component + 'a>(items: impl Iterator<Item = &'a C>) -> Vec<GoModule> {
    let unique: BTreeSet<&'static str> = items.map(Component::go_module).collect();
    unique.into_iter().map(|path| GoModule { gomod: format!("{path} v{VERSION}") }).collect()
}

fn provider(name: &str) -> GoModule {
    GoModule { gomod: format!("go.opentelemetry.io/collector/confmap/provider/{name} {PROVIDERS_VERSION}") }
}

/// The manifest's text: a comment saying how to build, then the manifest as JSON (valid
/// YAML, which ocb reads).
pub(crate) fn manifest_text(model: &Model) -> Result<String, EncodeError> {
    let manifest = Manifest {
        dist: Dist {
            module: format!("example.com/oxidy/{DIST_NAME}"),
            name: DIST_NAME,
            description: "Minimal OpenTelemetry Collector for the oxidy observability platform",
            version: VERSION,
            output_path: "./_build",
        },
        receivers: modules(model.receivers()),
        processors: modules(model.processors()),
        exporters: modules(model.exporters()),
        extensions: modules(model.extensions.iter()),
        providers: vec![provider("envprovider"), provider("fileprovider")],
        telemetry: Telemetry {
            gomod: format!("go.opentelemetry.io/collector/service v{VERSION}"),
            import: "go.opentelemetry.io/collector/service/telemetry/otelconftelemetry",
        },
    };
    let yaml = crate::contract::yaml::encode(&manifest)?;
    Ok(format!(
        "# Rendered from the collector's pipeline model; do not edit.\n\
         # Build with ocb v{VERSION}: ocb --config builder-config.yaml\n{yaml}"
    ))
}
