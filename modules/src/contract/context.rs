//! The shared context: how modules reach each other without importing each other.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use super::alerts::RuleSet;
use super::datasource::{Datasource, Role};
use super::error::ModuleError;
use super::tier::Tier;
use super::values::{NodePort, Pos};

/// What every module knows about the environment it renders for.
#[derive(Debug, Clone)]
pub struct EnvInfo {
    /// The environment's name: the env file's stem (`local`, `staging`, `production`).
    pub name: String,
    pub tier: Tier,
    /// The namespace components use unless their options name another.
    pub namespace: String,
    /// The dashboards compiled from `dashboards/*.jsonnet`, once for all environments.
    pub dashboards: Arc<Vec<Dashboard>>,
    /// The git repository and revision Argo CD syncs from (`git:` of the env file): links
    /// into the repository, such as runbook URLs, are built from them.
    pub git: GitSource,
    /// The extra rule files of the project (`rules/*.yaml`), read once by the engine for
    /// every environment; options pick them by path.
    pub rule_files: Arc<Vec<ProjectFile>>,
}

/// A text file of the project, read by the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFile {
    /// The path relative to the project root, with `/` separators.
    pub path: String,
    pub text: String,
}

/// Where the environment's repository lives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GitSource {
    pub repo_url: String,
    pub revision: String,
    /// Where the env file sets `git.repoURL`, for errors about what is derived from it.
    pub repo_url_pos: Option<Pos>,
}

/// A dashboard compiled by the engine from `dashboards/<name>.jsonnet`.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The source file, relative to the project root, for messages.
    pub file: String,
    /// The file's stem.
    pub name: String,
    json: serde_json::Value,
    /// `json` as printed for Grafana, once: every environment shares the compiled dashboards.
    text: OnceLock<String>,
}

/// A compiled dashboard is kept (by the engine, between runs) as its file, name and printed
/// text; the JSON is read back from the text, which was printed from it.
impl serde::Serialize for Dashboard {
    fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        (&self.file, &self.name, self.text()).serialize(to)
    }
}

impl<'de> serde::Deserialize<'de> for Dashboard {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Self, D::Error> {
        let (file, name, text) = <(String, String, String)>::deserialize(from)?;
        let json = serde_json::from_str(&text).map_err(serde::de::Error::custom)?;
        Ok(Dashboard { file, name, json, text: OnceLock::from(text) })
    }
}

impl Dashboard {
    pub fn new(file: impl Into<String>, name: impl Into<String>, json: serde_json::Value) -> Self {
        Dashboard { file: file.into(), name: name.into(), json, text: OnceLock::new() }
    }

    /// The dashboard JSON the file evaluated to.
    pub fn json(&self) -> &serde_json::Value {
        &self.json
    }

    /// The JSON to change; the printed text is printed again after.
    pub fn json_mut(&mut self) -> &mut serde_json::Value {
        self.text = OnceLock::new();
        &mut self.json
    }

    /// The JSON as Grafana reads it: pretty-printed, one key per line, ending in a newline.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            // A `Value` always prints: its map keys are strings.
            let mut text = serde_json::to_string_pretty(&self.json).unwrap_or_default();
            text.push('\n');
            text
        })
    }
}

impl PartialEq for Dashboard {
    fn eq(&self, other: &Self) -> bool {
        (&self.file, &self.name, &self.json) == (&other.file, &other.name, &other.json)
    }
}

/// Declares the link roles from one table: each role's name in messages and what its URLs
/// are. Roles name what is offered, never who offers it, so replacing a provider (another
/// remote-write sink for Prometheus, say) changes no consumer.
macro_rules! links {
    ($($(#[$doc:meta])* $variant:ident => $name:literal;)+) => {
        /// A cross-link between modules, named by role.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Link {
            $($(#[$doc])* $variant,)+
        }

        impl Link {
            /// Every role, in table order.
            pub const ALL: &'static [Link] = &[$(Link::$variant,)+];

            /// The role's name in messages.
            pub fn name(self) -> &'static str {
                match self {
                    $(Link::$variant => $name,)+
                }
            }
        }
    };
}

links! {
    /// The S3 API of the object store other modules keep their data in: its base URL.
    ObjectStoreS3 => "object-store-s3";
    /// The object store's admin API (bearer token); only its own setup may reach it.
    ObjectStoreAdmin => "object-store-admin";
    /// The object store's RPC between its nodes.
    ObjectStoreRpc => "object-store-rpc";
    /// The log store's query API: its base URL.
    LogsQueryHttp => "logs-query-http";
    /// OTLP/HTTP log ingestion: the base URL an OTLP/HTTP exporter appends `/v1/logs` to.
    LogsOtlpHttp => "logs-otlp-http";
    /// The trace store's query API: its base URL.
    TracesQueryHttp => "traces-query-http";
    /// OTLP/gRPC trace ingestion: `host:port`, as gRPC dials it.
    TracesOtlpGrpc => "traces-otlp-grpc";
    /// The metrics store's query API: its base URL.
    MetricsQueryHttp => "metrics-query-http";
    /// Prometheus remote write: the full URL of every replica that must receive each write.
    MetricsRemoteWrite => "metrics-remote-write";
    /// The alert router's API (Alertmanager's): its base URL.
    AlertsHttp => "alerts-http";
    /// OTLP/gRPC ingestion of every signal (the collector): `host:port`.
    TelemetryOtlpGrpc => "telemetry-otlp-grpc";
    /// OTLP/HTTP ingestion of every signal (the collector): its base URL.
    TelemetryOtlpHttp => "telemetry-otlp-http";
    /// The dashboards' web UI: its base URL.
    DashboardsHttp => "dashboards-http";
}

impl Link {
    /// Whether clients outside the platform use the link (telemetry senders, people with a
    /// browser): the network policies let the environment's client namespaces reach it.
    pub fn client_facing(self) -> bool {
        matches!(self, Link::TelemetryOtlpGrpc | Link::TelemetryOtlpHttp | Link::DashboardsHttp)
    }

    /// Whether applications send their telemetry to the link: the env's own apps may reach it.
    pub fn telemetry_intake(self) -> bool {
        matches!(self, Link::TelemetryOtlpGrpc | Link::TelemetryOtlpHttp)
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a provided link carries: the Service behind it (for network policies and monitors)
/// and the URLs consumers use as they are, in the form the role documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub endpoint: Endpoint,
    /// One URL, or one per replica where every replica must receive each write.
    pub urls: Vec<String>,
}

/// A Service port inside the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub service: String,
    pub namespace: String,
    pub port: u16,
    /// The Service port's name, for ServiceMonitors and NetworkPolicies.
    pub port_name: String,
    /// `http`, `https` or `grpc`-style scheme used to build [`Endpoint::url`].
    pub scheme: &'static str,
}

impl Endpoint {
    /// The in-cluster DNS name of the Service.
    pub fn host(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.service, self.namespace)
    }
    /// `host:port`, as gRPC clients and TOML configs want it.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host(), self.port)
    }
    /// `scheme://host:port`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority())
    }

    /// The Service port a `scheme://<service>.<namespace>.svc.cluster.local:<port>[/path]` URL
    /// names, or `None` for any other URL. The port name is not known from a URL: empty.
    pub fn from_url(url: &str) -> Option<Endpoint> {
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split('/').next()?;
        let (host, port) = authority.rsplit_once(':')?;
        let (service, namespace) = host.strip_suffix(".svc.cluster.local")?.split_once('.')?;
        let scheme = match scheme {
            "http" => "http",
            "https" => "https",
            _ => return None,
        };
        Some(Endpoint {
            service: service.into(),
            namespace: namespace.into(),
            port: port.parse().ok()?,
            port_name: String::new(),
            scheme,
        })
    }
}

/// An S3-compatible store that other modules keep their data in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Store {
    pub endpoint: Endpoint,
    pub region: String,
    /// Name of the Secret, in each consumer's namespace, with the access key.
    pub credentials_secret: String,
    /// Key in that Secret holding the access key id.
    pub access_key_id_key: String,
    /// Key in that Secret holding the secret access key.
    pub secret_access_key_key: String,
}

/// A bucket a module needs; the storage module creates every claimed bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketClaim {
    pub name: String,
    pub owner: &'static str,
}

/// A NodePort a module exposes, with the option key that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortClaim {
    pub owner: &'static str,
    /// Key path in the env file, such as `components.grafana.nodePort`.
    pub key: String,
    pub port: NodePort,
}

/// A scrape job a component's monitors produce: the `job` label of its series (the name of
/// the Service its ServiceMonitor selects) and the namespace of its targets. The metrics
/// component alerts when one is not discovered at all.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScrapeJob {
    pub job: String,
    pub namespace: String,
}

/// One use of a link: module `consumer` connects to `endpoint`. The context records every
/// link a module resolves, so the network policies follow the links modules actually use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub consumer: &'static str,
    pub endpoint: Endpoint,
}

/// What the modules declared in the first phase, before the context is sealed.
#[derive(Debug, Default)]
pub struct Declarations {
    links: BTreeMap<Link, (&'static str, Target)>,
    s3: Option<(&'static str, S3Store)>,
    buckets: Vec<BucketClaim>,
    node_ports: Vec<PortClaim>,
    datasources: Vec<(&'static str, Datasource)>,
    rule_sets: Vec<(&'static str, RuleSet)>,
    scrape_jobs: Vec<(&'static str, ScrapeJob)>,
    errors: Vec<ModuleError>,
}

impl Declarations {
    /// `owner` offers `link` at `endpoint`'s URL. A second provider of the same link is an
    /// error naming both.
    pub fn provide(&mut self, owner: &'static str, link: Link, endpoint: Endpoint) {
        let urls = vec![endpoint.url()];
        self.provide_urls(owner, link, endpoint, urls);
    }

    /// `owner` offers `link` behind `endpoint`, reached at `urls` exactly as given.
    pub fn provide_urls(&mut self, owner: &'static str, link: Link, endpoint: Endpoint, urls: Vec<String>) {
        if let Some((first, _)) = self.links.get(&link) {
            self.errors.push(ModuleError::DuplicateLink { link, first, second: owner });
            return;
        }
        self.links.insert(link, (owner, Target { endpoint, urls }));
    }

    /// `owner` offers an S3 store.
    pub fn provide_s3(&mut self, owner: &'static str, store: S3Store) {
        match &self.s3 {
            Some((first, _)) => self.errors.push(ModuleError::DuplicateS3 { first, second: owner }),
            None => self.s3 = Some((owner, store)),
        }
    }

    /// `owner` offers a Grafana datasource. Two datasources with one uid, or two defaults, are
    /// an error.
    pub fn provide_datasource(&mut self, owner: &'static str, datasource: Datasource) {
        if let Some((first, _)) = self.datasources.iter().find(|(_, d)| d.uid == datasource.uid) {
            self.errors.push(ModuleError::DuplicateDatasource { uid: datasource.uid, first, second: owner });
            return;
        }
        if datasource.is_default
            && let Some((first, _)) = self.datasources.iter().find(|(_, d)| d.is_default)
        {
            self.errors.push(ModuleError::DuplicateDefaultDatasource { first, second: owner });
            return;
        }
        self.datasources.push((owner, datasource));
    }

    /// `owner` hands over a group of alerting and recording rules about itself; the metrics
    /// component loads every group. Two groups of one name are an error.
    pub fn provide_rules(&mut self, owner: &'static str, set: RuleSet) {
        if let Some((first, _)) = self.rule_sets.iter().find(|(_, s)| s.name == set.name) {
            self.errors.push(ModuleError::DuplicateRuleGroup { group: set.name.into(), first, second: owner });
            return;
        }
        self.rule_sets.push((owner, set));
    }

    /// `owner`'s monitors produce scrape job `job` in `namespace`. Two components producing
    /// one job would mix their series under one name: an error naming both.
    pub fn provide_scrape_job(&mut self, owner: &'static str, job: impl Into<String>, namespace: impl Into<String>) {
        let job = ScrapeJob { job: job.into(), namespace: namespace.into() };
        if let Some((first, _)) = self.scrape_jobs.iter().find(|(_, j)| *j == job) {
            self.errors.push(ModuleError::DuplicateScrapeJob {
                job: job.job,
                namespace: job.namespace,
                first,
                second: owner,
            });
            return;
        }
        self.scrape_jobs.push((owner, job));
    }

    /// Every rule group handed over so far, in declaration order.
    pub fn rule_sets(&self) -> impl Iterator<Item = &RuleSet> {
        self.rule_sets.iter().map(|(_, s)| s)
    }

    /// `owner` keeps data in bucket `name` of the S3 store.
    pub fn need_bucket(&mut self, owner: &'static str, name: impl Into<String>) {
        self.buckets.push(BucketClaim { name: name.into(), owner });
    }

    /// `owner` exposes a Service on `port`, set at env-file key `key`.
    pub fn claim_node_port(&mut self, owner: &'static str, key: impl Into<String>, port: &NodePort) {
        self.node_ports.push(PortClaim { owner, key: key.into(), port: port.clone() });
    }

    /// Seals the declarations into the context every module renders against.
    pub fn into_context(mut self, env: EnvInfo) -> Result<Context, Vec<ModuleError>> {
        self.check_node_ports();
        self.check_buckets();
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        // The default datasource first, then the others in composition order.
        let (mut datasources, others): (Vec<Datasource>, Vec<Datasource>) =
            self.datasources.into_iter().map(|(_, d)| d).partition(|d| d.is_default);
        datasources.extend(others);
        let rule_sets = self.rule_sets.into_iter().map(|(_, s)| s).collect();
        let mut scrape_jobs: Vec<ScrapeJob> = self.scrape_jobs.into_iter().map(|(_, j)| j).collect();
        scrape_jobs.sort();
        Ok(Context {
            env,
            links: self.links,
            s3: self.s3,
            buckets: self.buckets,
            datasources,
            rule_sets,
            scrape_jobs,
            uses: Mutex::default(),
        })
    }

    fn check_node_ports(&mut self) {
        let mut seen: BTreeMap<u16, &PortClaim> = BTreeMap::new();
        for claim in &self.node_ports {
            match seen.get(&claim.port.port()) {
                Some(first) => self.errors.push(ModuleError::DuplicateNodePort {
                    port: claim.port.port(),
                    first: (first.key.clone(), first.port.pos()),
                    second: (claim.key.clone(), claim.port.pos()),
                }),
                None => {
                    seen.insert(claim.port.port(), claim);
                }
            }
        }
    }

    fn check_buckets(&mut self) {
        let mut seen: BTreeMap<&str, &'static str> = BTreeMap::new();
        for claim in &self.buckets {
            if let Some(first) = seen.insert(&claim.name, claim.owner) {
                self.errors.push(ModuleError::DuplicateBucket {
                    bucket: claim.name.clone(),
                    first,
                    second: claim.owner,
                });
            }
        }
    }
}

/// The sealed context: the environment plus every link the enabled modules offer.
#[derive(Debug)]
pub struct Context {
    pub env: EnvInfo,
    links: BTreeMap<Link, (&'static str, Target)>,
    s3: Option<(&'static str, S3Store)>,
    buckets: Vec<BucketClaim>,
    datasources: Vec<Datasource>,
    rule_sets: Vec<RuleSet>,
    scrape_jobs: Vec<ScrapeJob>,
    /// Every link resolved so far, by whom: appended to while modules render.
    uses: Mutex<Vec<Use>>,
}

impl Context {
    /// Every link the modules resolved while rendering, each once, in first-use order: the
    /// link graph the network policies are derived from.
    pub fn uses(&self) -> Vec<Use> {
        self.uses.lock().map(|u| u.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    fn record(&self, consumer: &'static str, endpoint: &Endpoint) {
        let used = Use { consumer, endpoint: endpoint.clone() };
        let mut uses = self.uses.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !uses.contains(&used) {
            uses.push(used);
        }
    }

    /// Every datasource, for `consumer` that connects to each of them (the dashboards): each
    /// in-cluster datasource URL is recorded as a use, like a link.
    pub fn use_datasources(&self, consumer: &'static str) -> &[Datasource] {
        for datasource in &self.datasources {
            if let Some(endpoint) = Endpoint::from_url(&datasource.url) {
                self.record(consumer, &endpoint);
            }
        }
        &self.datasources
    }

    /// Every datasource the enabled components offer: the default first, then the others in
    /// composition order.
    pub fn datasources(&self) -> &[Datasource] {
        &self.datasources
    }

    /// The first datasource of `role`, if any component offers one.
    pub fn datasource(&self, role: Role) -> Option<&Datasource> {
        self.datasources.iter().find(|d| d.role == role)
    }

    /// Every scrape job the enabled components' monitors produce, sorted.
    pub fn scrape_jobs(&self) -> &[ScrapeJob] {
        &self.scrape_jobs
    }

    /// Every rule group the enabled components handed over, in composition order.
    pub fn rule_sets(&self) -> &[RuleSet] {
        &self.rule_sets
    }

    /// What `link` carries, or an error saying that `consumer` needs it and no enabled
    /// component offers it.
    pub fn link(&self, link: Link, consumer: &'static str) -> Result<&Target, ModuleError> {
        if let Some((_, target)) = self.links.get(&link) {
            self.record(consumer, &target.endpoint);
        }
        self.links.get(&link).map(|(_, t)| t).ok_or(ModuleError::MissingLink {
            consumer,
            link: link.to_string(),
            wanted: Some(link),
            provider: None,
        })
    }

    /// The Services behind the client-facing links the components offer (OTLP, the UI).
    pub fn client_endpoints(&self) -> Vec<(Link, Endpoint)> {
        self.links.iter().filter(|(link, _)| link.client_facing()).map(|(l, (_, t))| (*l, t.endpoint.clone())).collect()
    }

    /// Whether an enabled component offers `link`, without using it.
    pub fn offers(&self, link: Link) -> bool {
        self.links.contains_key(&link)
    }

    /// The Service behind `link`.
    pub fn endpoint(&self, link: Link, consumer: &'static str) -> Result<&Endpoint, ModuleError> {
        self.link(link, consumer).map(|t| &t.endpoint)
    }

    /// The one URL of `link` (the first, where replicas each have one).
    pub fn url(&self, link: Link, consumer: &'static str) -> Result<&str, ModuleError> {
        self.link(link, consumer).map(|t| t.urls.first().map_or("", String::as_str))
    }

    /// Every URL of `link`: each must receive every write.
    pub fn urls(&self, link: Link, consumer: &'static str) -> Result<&[String], ModuleError> {
        self.link(link, consumer).map(|t| t.urls.as_slice())
    }

    /// The S3 store, or an error naming `consumer`.
    pub fn s3(&self, consumer: &'static str) -> Result<&S3Store, ModuleError> {
        if let Some((_, store)) = &self.s3 {
            self.record(consumer, &store.endpoint);
        }
        self.s3.as_ref().map(|(_, s)| s).ok_or(ModuleError::MissingLink {
            consumer,
            link: "an S3 store".into(),
            wanted: Some(Link::ObjectStoreS3),
            provider: None,
        })
    }

    /// Every bucket any module claimed, in declaration order.
    pub fn buckets(&self) -> &[BucketClaim] {
        &self.buckets
    }
}

impl fmt::Display for PortClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.key, self.owner)
    }
}

/// Formats an optional position as ` at line L, column C` for messages.
pub(crate) fn at(pos: Option<Pos>) -> String {
    pos.map(|p| format!(" (line {}, column {})", p.line, p.column)).unwrap_or_else(|| " (tier default)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_dashboard_reads_back_as_the_same_json_and_text() {
        let json = serde_json::json!({"a": 0.1 + 0.2, "b": 1e-7, "c": [1, -2, 18446744073709551615u64], "d": "x"});
        let dashboard = Dashboard::new("dashboards/x.jsonnet", "x", json.clone());
        let kept = serde_json::to_string(&dashboard).unwrap();
        let back: Dashboard = serde_json::from_str(&kept).unwrap();
        assert_eq!(back, dashboard);
        assert_eq!(back.json(), &json, "every number exactly as it was");
        assert_eq!(back.text(), dashboard.text());
    }

    fn env() -> EnvInfo {
        EnvInfo {
            name: "local".into(),
            tier: Tier::Local,
            namespace: "o".into(),
            dashboards: Arc::new(Vec::new()),
            git: Default::default(),
            rule_files: Arc::new(Vec::new()),
        }
    }

    /// A NodePort as if written at `line` of an env file.
    fn written(port: u16, line: u64) -> NodePort {
        let text = format!("{}{port}", "\n".repeat(line as usize - 1));
        let port: NodePort = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(port.pos().map(|p| p.line), Some(line));
        port
    }

    #[test]
    fn duplicate_node_ports_name_both_keys_and_positions() {
        let mut decl = Declarations::default();
        decl.claim_node_port("grafana", "components.grafana.nodePort", &NodePort::default_port(30300));
        decl.claim_node_port("garage", "components.garage.s3NodePort", &written(30300, 12));
        let errors = decl.into_context(env()).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "NodePort 30300 is set by both components.grafana.nodePort (tier default) and components.garage.s3NodePort (line 12, column 1)"
        );
        assert_eq!(errors[0].key(), Some("components.garage.s3NodePort"));
    }

    #[test]
    fn missing_links_and_duplicates_are_errors() {
        let endpoint =
            Endpoint { service: "s".into(), namespace: "n".into(), port: 1, port_name: "p".into(), scheme: "http" };
        let mut decl = Declarations::default();
        decl.provide("a", Link::LogsQueryHttp, endpoint.clone());
        decl.provide("b", Link::LogsQueryHttp, endpoint);
        decl.need_bucket("loki", "chunks");
        decl.need_bucket("tempo", "chunks");
        let errors = decl.into_context(env()).unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["logs-query-http is provided by both a and b", "bucket `chunks` is claimed by both loki and tempo"]
        );

        let ctx = Declarations::default().into_context(env()).unwrap();
        assert_eq!(
            ctx.endpoint(Link::TracesOtlpGrpc, "collector").unwrap_err().to_string(),
            "collector needs traces-otlp-grpc, but no enabled component provides it"
        );
    }

    /// Two components offering one rule group, a default datasource or a scrape job each, and a
    /// broken rule: the messages a module author sees.
    #[test]
    fn offered_values_that_clash_or_break_are_errors() {
        use crate::contract::alerts::{RuleSet, Severity, alert};
        use crate::contract::{Datasource, Role};
        let set = |expr: &str| RuleSet {
            name: "platform-logs",
            records: vec![],
            alerts: vec![alert("LogsDown", Severity::Critical, "5m", expr).about("s", "d")],
        };
        let mut decl = Declarations::default();
        decl.provide_rules("loki", set("up == 0"));
        decl.provide_rules("logs-two", set("up == 0"));
        let metrics =
            |uid: &str| Datasource::new(uid, uid, "prometheus", Role::METRICS, "http://m").default_datasource();
        decl.provide_datasource("prometheus", metrics("prometheus"));
        decl.provide_datasource("mimir", metrics("mimir"));
        decl.provide_scrape_job("loki", "loki", "observability");
        decl.provide_scrape_job("logs-two", "loki", "observability");
        let mut messages: Vec<String> = decl.into_context(env()).unwrap_err().iter().map(ToString::to_string).collect();
        let broken = crate::contract::alerts::rule_group(&set("up == "), &|a| format!("https://r/{a}.md"));
        messages.push(broken.unwrap_err().to_string());
        insta::assert_snapshot!(messages.join("\n"));
    }
}
