//! An env's minimal collector running on loopback with its rendered config, in front of a real
//! Prometheus (remote-write receiver on) and an OTLP sink standing in for Tempo and Loki (a
//! second builder-made collector that writes what it receives to files), plus the traffic that
//! `telemetrygen` sends through it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

use super::loopback::{changed_lines, loopback_config};
use super::processes::{Process, free_port, http_get, wait_for, wait_http};
use super::programs::{collector, env_manifest, program, run, sink_manifest};
use super::rendered::collector_config;

/// Where a rendered exporter sends, by its component type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    OtlpGrpc,
    OtlpHttp,
    RemoteWrite,
}

fn backend(exporter_id: &str) -> Backend {
    match exporter_id.split('/').next().unwrap() {
        "otlp" | "otlp_grpc" => Backend::OtlpGrpc,
        "otlphttp" | "otlp_http" => Backend::OtlpHttp,
        "prometheusremotewrite" => Backend::RemoteWrite,
        other => panic!("exporter {exporter_id}: the end-to-end test has no backend for type {other}"),
    }
}

/// `host:port` of an `endpoint` value (a URL or an address), and the URL's path.
fn authority_and_path(endpoint: &str) -> (String, String) {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    match rest.find('/') {
        Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
        None => (rest.to_owned(), String::new()),
    }
}

/// A running stack for one env; every process is killed when it is dropped.
pub struct Stack {
    pub env: String,
    pub dir: TempDir,
    pub prometheus_port: u16,
    pub collector_grpc: u16,
    pub collector_http: u16,
    /// Where the collector serves its own metrics.
    pub collector_metrics: u16,
    /// The rendered config, and the one the collector runs.
    pub rendered: String,
    pub running: String,
    // Dropped (killed) in this order: the collector first, so it stops sending.
    pub collector: Process,
    pub sink: Process,
    pub prometheus: Process,
}

/// A scrape job the test Prometheus runs besides its own (name, `host:port`, metrics path,
/// bearer token).
#[derive(Clone)]
pub struct Target {
    pub job: String,
    pub address: String,
    pub path: String,
    pub bearer: Option<String>,
}

/// Prometheus' config: a scrape job per target job name (targets of the same job together),
/// then `extra`'s top-level keys, its `scrape_configs` added to those jobs.
fn prometheus_config(targets: &[Target], extra: Value) -> String {
    let mut jobs: Vec<Value> = Vec::new();
    for t in targets {
        if let Some(job) = jobs.iter_mut().find(|j| j["job_name"] == t.job.as_str()) {
            job["static_configs"][0]["targets"].as_array_mut().unwrap().push(json!(t.address));
            continue;
        }
        let mut job = json!({
            "job_name": t.job,
            "metrics_path": t.path,
            "static_configs": [{"targets": [t.address]}],
        });
        if let Some(token) = &t.bearer {
            job["authorization"] = json!({"credentials": token});
        }
        jobs.push(job);
    }
    jobs.extend(extra["scrape_configs"].as_array().into_iter().flatten().cloned());
    let mut config = json!({"global": {"scrape_interval": "1s", "evaluation_interval": "1s"}, "scrape_configs": jobs});
    for (key, value) in extra.as_object().into_iter().flatten().filter(|(k, _)| *k != "scrape_configs") {
        config[key] = value.clone();
    }
    config.to_string()
}

/// The OTLP sink's config: a gRPC and an HTTP OTLP receiver, the HTTP one serving each signal
/// on `url_paths[signal]`, and a file per signal under `out`.
fn sink_config(grpc: u16, http: u16, url_paths: &BTreeMap<String, String>, out: &Path) -> String {
    let mut http_receiver = json!({"endpoint": format!("127.0.0.1:{http}")});
    for (signal, path) in url_paths {
        http_receiver[format!("{signal}_url_path")] = json!(path);
    }
    let mut exporters = serde_json::Map::new();
    let mut pipelines = serde_json::Map::new();
    for signal in ["traces", "metrics", "logs"] {
        exporters.insert(format!("file/{signal}"), json!({"path": out.join(format!("{signal}.jsonl"))}));
        pipelines.insert(signal.to_owned(), json!({"receivers": ["otlp"], "exporters": [format!("file/{signal}")]}));
    }
    json!({
        "receivers": {"otlp": {"protocols": {"grpc": {"endpoint": format!("127.0.0.1:{grpc}")}, "http": http_receiver}}},
        "exporters": exporters,
        "service": {"pipelines": pipelines, "telemetry": {"metrics": {"level": "none"}}},
    })
    .to_string()
}

/// The loopback ports of one collector run: every address of the rendered config mapped to a
/// port (listeners a free one, exporters the port `backend_port` gives their type), and the
/// URL paths the OTLP HTTP backend must serve per signal.
pub struct PortPlan {
    pub ports: BTreeMap<String, u16>,
    pub url_paths: BTreeMap<String, String>,
    pub grpc: u16,
    pub http: u16,
    /// Where the collector serves its own metrics.
    pub metrics: u16,
}

impl PortPlan {
    pub fn new(rendered: &str, backend_port: impl Fn(Backend) -> u16) -> PortPlan {
        let config: Value = serde_saphyr::from_str(rendered).expect("the rendered collector config parses");
        let mut ports = BTreeMap::new();
        let protocols = &config["receivers"]["otlp"]["protocols"];
        let listen = |key: &str| protocols[key]["endpoint"].as_str().expect("an OTLP receiver endpoint").to_owned();
        let (grpc, http) = (free_port(), free_port());
        ports.insert(listen("grpc"), grpc);
        ports.insert(listen("http"), http);
        for ext in config["extensions"].as_object().into_iter().flatten().map(|(_, e)| e) {
            if let Some(endpoint) = ext["endpoint"].as_str() {
                ports.insert(authority_and_path(endpoint).0, free_port());
            }
        }
        let mut metrics = None;
        for reader in config["service"]["telemetry"]["metrics"]["readers"].as_array().into_iter().flatten() {
            let prom = &reader["pull"]["exporter"]["prometheus"];
            let address = format!("{}:{}", prom["host"].as_str().unwrap(), prom["port"]);
            let port = free_port();
            ports.insert(address, port);
            metrics = Some(port);
        }
        let metrics = metrics.expect("the rendered collector exposes its own metrics (a pull reader)");

        let mut url_paths = BTreeMap::new();
        for (id, exporter) in config["exporters"].as_object().expect("exporters") {
            let endpoint = exporter["endpoint"].as_str().unwrap_or_else(|| panic!("exporter {id} has no endpoint"));
            let (authority, path) = authority_and_path(endpoint);
            let kind = backend(id);
            if kind == Backend::OtlpHttp {
                // otlphttp appends /v1/<signal> to its endpoint; the sink serves exactly that.
                for (signal, pipeline) in config["service"]["pipelines"].as_object().unwrap() {
                    let uses = pipeline["exporters"].as_array().unwrap().iter().any(|e| e == id.as_str());
                    if uses {
                        let signal = signal.split('/').next().unwrap().to_owned();
                        url_paths.insert(signal.clone(), format!("{path}/v1/{signal}"));
                    }
                }
            }
            let port = backend_port(kind);
            if let Some(old) = ports.insert(authority.clone(), port) {
                assert_eq!(old, port, "{authority} is both a listener and a backend");
            }
        }
        PortPlan { ports, url_paths, grpc, http, metrics }
    }
}

/// Fails the test if the loopback rewrite changed anything but addresses.
pub fn assert_only_addresses_changed(rendered: &str, running: &str) {
    for (before, after) in changed_lines(rendered, running) {
        assert!(
            ["endpoint:", "host:", "port:"].iter().any(|k| before.trim_start().starts_with(k)),
            "the loopback rewrite changed a line that is not an address: {before:?} -> {after:?}"
        );
    }
}

impl Stack {
    /// Starts Prometheus (scraping itself, the collector and `targets`), the sink, and `env`'s
    /// minimal collector with its rendered config moved to loopback.
    pub fn start(env: &str, targets: Vec<Target>) -> Stack {
        Self::start_with(env, targets, json!({}))
    }

    /// [`Stack::start`] with `extra` top-level keys in Prometheus' config (rule files,
    /// Alertmanagers, remote write; `scrape_configs` are added to the stack's own).
    pub fn start_with(env: &str, mut targets: Vec<Target>, extra: Value) -> Stack {
        let collector_bin = collector(&env_manifest(env));
        let sink_bin = collector(&sink_manifest());
        let prometheus_bin = program("prometheus");
        let dir = tempfile::Builder::new().prefix(&format!("oxidy-stack-{env}-")).tempdir().expect("temp dir");

        let rendered = collector_config(env);
        let (prometheus_port, sink_grpc, sink_http) = (free_port(), free_port(), free_port());
        let plan = PortPlan::new(&rendered, |backend| match backend {
            Backend::OtlpGrpc => sink_grpc,
            Backend::OtlpHttp => sink_http,
            Backend::RemoteWrite => prometheus_port,
        });
        let (ports, url_paths) = (&plan.ports, &plan.url_paths);
        let (collector_grpc, collector_http, collector_metrics) = (plan.grpc, plan.http, plan.metrics);

        let running = loopback_config(&rendered, ports);
        assert_only_addresses_changed(&rendered, &running);

        // Prometheus, with the remote-write receiver on, scraping itself and the collector.
        targets.push(Target {
            job: "prometheus".into(),
            address: format!("127.0.0.1:{prometheus_port}"),
            path: "/metrics".into(),
            bearer: None,
        });
        targets.push(Target {
            job: "otel-collector".into(),
            address: format!("127.0.0.1:{collector_metrics}"),
            path: "/metrics".into(),
            bearer: None,
        });
        let prom_dir = dir.path().join("prometheus");
        fs::create_dir_all(&prom_dir).unwrap();
        fs::write(prom_dir.join("prometheus.yml"), prometheus_config(&targets, extra)).unwrap();
        let mut prometheus = Process::start(
            "prometheus",
            &prometheus_bin,
            &[
                "--config.file=prometheus.yml".into(),
                "--storage.tsdb.path=data".into(),
                format!("--web.listen-address=127.0.0.1:{prometheus_port}"),
                "--web.enable-remote-write-receiver".into(),
            ],
            &prom_dir,
        );
        wait_http(&mut prometheus, &format!("http://127.0.0.1:{prometheus_port}/-/ready"));

        let sink_dir = dir.path().join("sink");
        fs::create_dir_all(&sink_dir).unwrap();
        fs::write(sink_dir.join("config.yaml"), sink_config(sink_grpc, sink_http, url_paths, &sink_dir)).unwrap();
        let mut sink = Process::start("otlp-sink", &sink_bin, &["--config=config.yaml".into()], &sink_dir);
        wait_for("the OTLP sink to listen", Duration::from_secs(60), || {
            sink.assert_running();
            std::net::TcpStream::connect(("127.0.0.1", sink_http)).map(|_| ()).map_err(|e| e.to_string())
        });

        let col_dir = dir.path().join("collector");
        fs::create_dir_all(&col_dir).unwrap();
        fs::write(col_dir.join("config.yaml"), &running).unwrap();
        let mut collector = Process::start("collector", &collector_bin, &["--config=config.yaml".into()], &col_dir);
        wait_http(&mut collector, &format!("http://127.0.0.1:{collector_metrics}/metrics"));

        Stack {
            env: env.to_owned(),
            dir,
            prometheus_port,
            collector_grpc,
            collector_http,
            collector_metrics,
            rendered,
            running,
            collector,
            sink,
            prometheus,
        }
    }

    /// Sends a few traces, metrics and logs over OTLP gRPC and over OTLP HTTP, each marked with
    /// the attribute `transport` = `grpc` or `http`.
    pub fn send_traffic(&self) {
        send_traffic(self.collector_grpc, self.collector_http);
    }

    /// The file the sink wrote `signal` (traces, metrics, logs) to.
    pub fn sink_file(&self, signal: &str) -> PathBuf {
        self.dir.path().join("sink").join(format!("{signal}.jsonl"))
    }

    /// The result vector of the instant PromQL `query` on the test Prometheus.
    pub fn query(&self, query: &str) -> Result<Vec<Value>, String> {
        let url = format!("http://127.0.0.1:{}/api/v1/query?query={}", self.prometheus_port, percent_encode(query));
        let body: Value = serde_json::from_str(&http_get(&url)?).map_err(|e| e.to_string())?;
        Ok(body["data"]["result"].as_array().cloned().unwrap_or_default())
    }

    /// Every metric name Prometheus holds from scrape job `job`.
    pub fn names_of_job(&self, job: &str) -> Result<Vec<String>, String> {
        self.names_matching(&format!("{{job=\"{job}\"}}"))
    }

    /// Every metric name of the series `selector` selects.
    pub fn names_matching(&self, selector: &str) -> Result<Vec<String>, String> {
        let url = format!(
            "http://127.0.0.1:{}/api/v1/label/__name__/values?match[]={}",
            self.prometheus_port,
            percent_encode(selector)
        );
        let body: Value = serde_json::from_str(&http_get(&url)?).map_err(|e| e.to_string())?;
        Ok(body["data"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect())
    }

    /// Fails the test with every process' output if one has exited.
    pub fn assert_running(&mut self) {
        self.collector.assert_running();
        self.sink.assert_running();
        self.prometheus.assert_running();
    }

    /// The logs of every process, for failure messages.
    pub fn logs(&self) -> String {
        [&self.collector, &self.sink, &self.prometheus]
            .iter()
            .map(|p| format!("--- {} ---\n{}", p.name, p.output()))
            .collect()
    }
}

/// Sends a few traces, metrics and logs over OTLP gRPC and over OTLP HTTP, each marked with
/// the attribute `transport` = `grpc` or `http`.
pub fn send_traffic(grpc: u16, http: u16) {
    let telemetrygen = program("telemetrygen");
    for (signal, count_flag) in [("traces", "--traces"), ("metrics", "--metrics"), ("logs", "--logs")] {
        for transport in ["grpc", "http"] {
            let port = if transport == "grpc" { grpc } else { http };
            let endpoint = format!("127.0.0.1:{port}");
            let attribute = format!("transport=\"{transport}\"");
            let mut args = vec![
                signal,
                "--otlp-endpoint",
                &endpoint,
                "--otlp-insecure",
                count_flag,
                "5",
                "--rate",
                "0",
                "--otlp-attributes",
                &attribute,
                "--telemetry-attributes",
                &attribute,
            ];
            if transport == "http" {
                args.push("--otlp-http");
            }
            let (ok, text) = run(&telemetrygen, &args);
            assert!(ok, "telemetrygen {}:\n{text}", args.join(" "));
        }
    }
}

/// `text` escaped for a URL query value.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
