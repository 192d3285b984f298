//! Grafana's options with every tier default applied, and the checks that span keys.

use crate::contract::exposure::Exposure;
use crate::contract::image::Image;
use crate::contract::k8s::{Defaults, Resources, cores, gibibytes, mebibytes, millicores};
use crate::contract::{At, ByteSize, EnvInfo, NodePort, OptionError, OptionErrors, Pos, Tier};

use super::options::Grafana;
use super::selection::DashboardSelection;

/// Grafana's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: Image,
    pub volume: ByteSize,
    pub storage_class: Option<String>,
    pub node_port: Option<u16>,
    /// The NodePort as written (or the tier's), for the claim that names its line.
    pub node_port_claim: Option<NodePort>,
    pub root_url: Option<String>,
    /// The Ingress or HTTPRoute in front of the Service, if any.
    pub exposure: Option<Exposure>,
    pub admin_secret: String,
    pub dev_credentials: bool,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
    /// Which dashboards ship; chosen at render, where the compiled dashboards are.
    pub dashboards: DashboardSelection,
}

impl Grafana {
    /// The NodePort in effect: the option, or the tier's default.
    fn node_port(&self, tier: Tier) -> Option<NodePort> {
        self.node_port.clone().or_else(|| tier.pick(Some(NodePort::default_port(30300)), None, None))
    }

    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let tier = env.tier;
        let mut errors = OptionErrors::default();
        let creds = self.credentials.clone().unwrap_or_default();
        let dev = creds.dev_defaults.clone().unwrap_or(At::default_value(tier.allows_dev_credentials()));
        if dev.value && !tier.allows_dev_credentials() {
            errors.push(option_error(
                "credentials.devDefaults",
                dev.pos,
                format!("the fixed admin/admin login is allowed only in the local tier, not in {}", tier.as_str()),
                Some("remove devDefaults and create the Secret named by credentials.adminSecret".into()),
            ));
        }
        if let Some(url) = &self.root_url
            && !(url.value.starts_with("http://") || url.value.starts_with("https://"))
        {
            errors.push(option_error(
                "rootUrl",
                url.pos,
                format!("`{}` is not an http:// or https:// URL", url.value),
                Some(format!("write the full URL, such as `https://{}/`", url.value.trim_end_matches('/'))),
            ));
        }
        let exposure =
            errors.take(Exposure::resolve("grafana", "", self.ingress.as_ref(), self.route.as_ref())).flatten();
        if let (Some(url), Some(exposure)) = (&self.root_url, &exposure) {
            let url_host = url.value.split_once("://").map_or("", |(_, rest)| rest).split(['/', ':']).next();
            if url_host != Some(exposure.host()) {
                errors.push(option_error(
                    "rootUrl",
                    url.pos,
                    format!("`{}` is not on `{}`, the host Grafana is exposed at", url.value, exposure.host()),
                    Some("remove rootUrl: it follows the ingress or route host".into()),
                ));
            }
        }
        let volume = self.volume.clone().unwrap_or(tier.pick(gibibytes(1), gibibytes(5), gibibytes(10)));
        let image = errors.take(Image::resolve("grafana", "image", self.image.as_ref(), super::IMAGE));
        let resources = errors.take(Resources::resolve(
            self.resources.as_ref(),
            "components.grafana.resources",
            tier.pick(
                Defaults(millicores(100), mebibytes(256), cores(1), mebibytes(512)),
                Defaults(millicores(200), mebibytes(512), cores(1), gibibytes(1)),
                Defaults(millicores(500), gibibytes(1), cores(2), gibibytes(2)),
            ),
        ));
        let (Some(resources), Some(image)) = (resources, image) else { return Err(errors.into_vec()) };
        errors.check()?;
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image,
            volume,
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            node_port: self.node_port(tier).as_ref().map(NodePort::port),
            node_port_claim: self.node_port(tier),
            root_url: self.root_url.as_ref().map(|u| u.value.clone()).or(exposure.as_ref().map(Exposure::external_url)),
            exposure,
            admin_secret: creds.admin_secret.map_or_else(|| "grafana-admin".into(), |s| s.to_string()),
            dev_credentials: dev.value,
            dashboards: self.dashboards.clone().unwrap_or_default(),
            resources,
        })
    }
}

fn option_error(key: &str, pos: Option<Pos>, message: String, help: Option<String>) -> OptionError {
    OptionError { key: format!("components.grafana.{key}"), pos, message, help }
}
