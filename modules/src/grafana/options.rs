use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::k8s::Resources;
use crate::contract::{
    App, At, Context, Declarations, DnsLabel, Endpoint, EnvInfo, Link, Module, ModuleError, NodePort, Pos, Quantity,
    Tier, Wave,
};

use super::selection::DashboardSelection;
use super::{HTTP_PORT, dashboards, datasources, links, lint, objects, references};

/// Grafana with provisioned datasources and dashboards (12.4.5). Every field is optional; the
/// defaults follow the environment's tier.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Grafana {
    /// Render Grafana. Default: true.
    pub enabled: Option<bool>,
    /// Namespace. Default: the environment's `namespace`.
    pub namespace: Option<DnsLabel>,
    /// Container image, pinned by tag. Default: `grafana/grafana:12.4.5`.
    pub image: Option<String>,
    /// Volume for Grafana's SQLite database. Default: 1Gi (local), 5Gi (staging), 10Gi
    /// (production).
    pub volume: Option<Quantity>,
    /// StorageClass of the volume. Default: the cluster's default class.
    pub storage_class: Option<DnsLabel>,
    /// Expose the UI on this NodePort. Default: 30300 in local; none (ClusterIP) in staging
    /// and production.
    pub node_port: Option<NodePort>,
    /// The URL users reach Grafana at (`http://` or `https://`), for links in alerts and
    /// shares. Default: Grafana's own (`http://localhost:3000/`).
    pub root_url: Option<At<String>>,
    /// Where the admin user and password come from.
    pub credentials: Option<Credentials>,
    /// Container resources. Default: 100m/256Mi requests and 1/512Mi limits (local),
    /// 200m/512Mi and 1/1Gi (staging), 500m/1Gi and 2/2Gi (production).
    pub resources: Option<Resources>,
    /// Which dashboards ship. Default: every dashboard in `dashboards/`.
    pub dashboards: Option<DashboardSelection>,
}

/// Grafana's admin credentials.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Credentials {
    /// Secret with `admin-user` and `admin-password`. Default: `grafana-admin`.
    pub admin_secret: Option<DnsLabel>,
    /// Render that Secret with the publicly known `admin`/`admin`. Allowed only in the local
    /// tier. Default: true in local, false elsewhere.
    pub dev_defaults: Option<At<bool>>,
}

/// Grafana's options with every default applied.
pub(crate) struct Resolved {
    pub namespace: String,
    pub image: String,
    pub volume: Quantity,
    pub storage_class: Option<String>,
    pub node_port: Option<u16>,
    pub root_url: Option<String>,
    pub admin_secret: String,
    pub dev_credentials: bool,
    pub resources: k8s_openapi::api::core::v1::ResourceRequirements,
}

impl Grafana {
    /// The NodePort in effect: the option, or the tier's default.
    fn node_port(&self, tier: Tier) -> Option<NodePort> {
        self.node_port.clone().or_else(|| tier.pick(Some(NodePort::default_port(30300)), None, None))
    }

    fn resolve(&self, env: &EnvInfo) -> Result<Resolved, ModuleError> {
        let tier = env.tier;
        let creds = self.credentials.clone().unwrap_or_default();
        let dev = creds.dev_defaults.clone().unwrap_or(At::default_value(tier.allows_dev_credentials()));
        if dev.value && !tier.allows_dev_credentials() {
            return Err(option_error(
                "credentials.devDefaults",
                dev.pos,
                format!("the fixed admin/admin login is allowed only in the local tier, not in {}", tier.as_str()),
                Some("remove devDefaults and create the Secret named by credentials.adminSecret".into()),
            ));
        }
        if let Some(url) = &self.root_url
            && !(url.value.starts_with("http://") || url.value.starts_with("https://"))
        {
            return Err(option_error(
                "rootUrl",
                url.pos,
                format!("`{}` is not an http:// or https:// URL", url.value),
                Some(format!("write the full URL, such as `https://{}/`", url.value.trim_end_matches('/'))),
            ));
        }
        let volume = match &self.volume {
            Some(v) => v.clone(),
            None => Quantity::parse(tier.pick("1Gi", "5Gi", "10Gi"))
                .map_err(|e| option_error("volume", None, e.message, None))?,
        };
        Ok(Resolved {
            namespace: self.namespace.as_ref().map_or_else(|| env.namespace.clone(), |n| n.to_string()),
            image: self.image.clone().unwrap_or_else(|| super::IMAGE.into()),
            volume,
            storage_class: self.storage_class.as_ref().map(|s| s.to_string()),
            node_port: self.node_port(tier).as_ref().map(NodePort::port),
            root_url: self.root_url.as_ref().map(|u| u.value.clone()),
            admin_secret: creds.admin_secret.map_or_else(|| "grafana-admin".into(), |s| s.to_string()),
            dev_credentials: dev.value,
            resources: Resources::resolve(
                self.resources.as_ref(),
                tier.pick(["100m", "256Mi", "1", "512Mi"], ["200m", "512Mi", "1", "1Gi"], ["500m", "1Gi", "2", "2Gi"]),
            ),
        })
    }
}

fn option_error(key: &str, pos: Option<Pos>, message: String, help: Option<String>) -> ModuleError {
    ModuleError::Option { key: format!("components.grafana.{key}"), pos, message, help }
}

impl Module for Grafana {
    const KEY: &'static str = "grafana";

    fn declare(&self, env: &EnvInfo, decl: &mut Declarations) -> Result<(), ModuleError> {
        if self.enabled == Some(false) {
            return Ok(());
        }
        let r = self.resolve(env)?;
        decl.provide(
            Self::KEY,
            Link::GrafanaHttp,
            Endpoint {
                service: objects::SERVICE.into(),
                namespace: r.namespace,
                port: HTTP_PORT,
                port_name: "http".into(),
                scheme: "http",
            },
        );
        if let Some(port) = self.node_port(env.tier) {
            decl.claim_node_port(Self::KEY, "components.grafana.nodePort", &port);
        }
        Ok(())
    }

    fn render(&self, ctx: &Context) -> Result<Vec<App>, ModuleError> {
        if self.enabled == Some(false) {
            return Ok(Vec::new());
        }
        let r = self.resolve(&ctx.env)?;
        let provisioning = datasources::provisioning(ctx, Self::KEY)?;
        let shipped = self.dashboards.clone().unwrap_or_default().select(&ctx.env.dashboards)?;
        let mut problems = references::check_datasources(&provisioning, ctx.datasources());
        problems.extend(lint::check(&shipped, ctx.datasources()));
        problems.extend(links::check(&shipped));
        if !problems.is_empty() {
            return Err(ModuleError::Object { module: Self::KEY, message: summary(&problems) });
        }
        let delivered =
            dashboards::deliver(&shipped).map_err(|message| ModuleError::Object { module: Self::KEY, message })?;
        let mut app = App::new(Self::KEY, r.namespace.clone(), Wave::Frontends);
        objects::render(&r, &provisioning, &delivered, &mut app)?;
        Ok(vec![app])
    }
}

/// One problem as it is; several one per line under a count, so none hides behind another.
fn summary(problems: &[String]) -> String {
    match problems {
        [one] => one.clone(),
        many => {
            let lines: Vec<String> = many.iter().map(|p| format!("  - {p}")).collect();
            format!("{} problems in datasources and dashboards:\n{}", many.len(), lines.join("\n"))
        }
    }
}
