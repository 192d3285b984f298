//! The live components the metric-name test scrapes besides the stack's collector and
//! Prometheus, each driven so that its lazily registered metrics exist: an Alertmanager pair
//! in a gossip cluster, node_exporter on this host and on node_exporter's own procfs/sysfs
//! fixtures (md RAID, bonding), a Garage used over S3 (blocks and an error), a second
//! Prometheus receiving remote write, and a second collector whose backends refuse its data.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::garage::{self, Garage};
use crate::common::processes::{Process, free_port, wait_http};
use crate::common::programs::{collector, env_manifest, program, sink_manifest, version};
use crate::common::rendered::{alertmanager_config, collector_config};
use crate::common::stack::{Backend, PortPlan, Target, assert_only_addresses_changed, send_traffic};
use crate::common::ttar;

/// Everything started; killed on drop.
pub struct Live {
    _processes: Vec<Process>,
    _garage: Garage,
    /// Scrape targets for the stack's Prometheus.
    pub targets: Vec<Target>,
    /// Top-level keys for the stack's Prometheus config.
    pub prometheus_extra: Value,
    /// The OTLP ports of the collector whose backends refuse.
    refused_collector: (u16, u16),
}

impl Live {
    /// Sends traffic through the collector whose backends refuse it, so that its exporters
    /// count failures.
    pub fn send_refused_traffic(&self) {
        send_traffic(self.refused_collector.0, self.refused_collector.1);
    }
}

fn target(job: &str, address: String) -> Target {
    Target { job: job.into(), address, path: "/metrics".into(), bearer: None }
}

/// Starts every live component; `env`'s collector and rules are the ones under test.
pub fn start(dir: &Path, env: &str, rules: &Path) -> Live {
    let mut processes = Vec::new();
    let mut targets = Vec::new();

    // Two Alertmanagers in one gossip cluster, so the cluster metrics exist.
    let alertmanagers: Vec<(u16, u16)> = (0..2).map(|_| (free_port(), free_port())).collect();
    for (i, (web, gossip)) in alertmanagers.iter().enumerate() {
        let am_dir = dir.join(format!("alertmanager-{i}"));
        fs::create_dir_all(&am_dir).unwrap();
        // The local env's configuration: its receiver needs no secret files.
        fs::write(am_dir.join("alertmanager.yml"), alertmanager_config("local")).unwrap();
        let mut args = vec![
            "--config.file=alertmanager.yml".into(),
            "--storage.path=data".into(),
            format!("--web.listen-address=127.0.0.1:{web}"),
            format!("--cluster.listen-address=127.0.0.1:{gossip}"),
            format!("--cluster.advertise-address=127.0.0.1:{gossip}"),
            "--cluster.settle-timeout=1s".into(),
        ];
        args.extend(
            alertmanagers.iter().filter(|(_, g)| g != gossip).map(|(_, g)| format!("--cluster.peer=127.0.0.1:{g}")),
        );
        let mut am = Process::start(&format!("alertmanager-{i}"), &program("alertmanager"), &args, &am_dir);
        wait_http(&mut am, &format!("http://127.0.0.1:{web}/-/healthy"));
        processes.push(am);
        targets.push(target("alertmanager", format!("127.0.0.1:{web}")));
    }

    // node_exporter on this host, and on upstream's fixtures for what this host lacks.
    let node_exporter = program("node_exporter");
    let ne_port = free_port();
    let mut host =
        Process::start("node_exporter", &node_exporter, &[format!("--web.listen-address=127.0.0.1:{ne_port}")], dir);
    wait_http(&mut host, &format!("http://127.0.0.1:{ne_port}/metrics"));
    processes.push(host);
    targets.push(target("node-exporter", format!("127.0.0.1:{ne_port}")));
    let fixtures = node_exporter_fixtures();
    let sys = dir.join("node-exporter-fixtures");
    ttar::unpack(&fs::read(fixtures.join("sys.ttar")).expect("sys.ttar"), &sys);
    let fx_port = free_port();
    let mut on_fixtures = Process::start(
        "node_exporter-fixtures",
        &node_exporter,
        &[
            format!("--web.listen-address=127.0.0.1:{fx_port}"),
            format!("--path.procfs={}", fixtures.join("proc").display()),
            format!("--path.sysfs={}", sys.join("sys").display()),
            "--collector.disable-defaults".into(),
            "--collector.mdadm".into(),
            "--collector.bonding".into(),
        ],
        dir,
    );
    wait_http(&mut on_fixtures, &format!("http://127.0.0.1:{fx_port}/metrics"));
    processes.push(on_fixtures);
    targets.push(target("node-exporter", format!("127.0.0.1:{fx_port}")));

    let garage = garage::start(&dir.join("garage"));
    targets.push(Target {
        job: "garage".into(),
        address: garage.admin.clone(),
        path: "/metrics".into(),
        bearer: garage.metrics_token.clone(),
    });

    // A second Prometheus receiving the first one's remote write. The first also writes to a
    // path of it that does not exist (404, a non-recoverable failure), and discovers a scrape
    // job over HTTP from another (a refresh failure).
    let receiver_port = free_port();
    let receiver_dir = dir.join("prometheus-receiver");
    fs::create_dir_all(&receiver_dir).unwrap();
    fs::write(receiver_dir.join("prometheus.yml"), "scrape_configs: []\n").unwrap();
    let mut receiver = Process::start(
        "prometheus-receiver",
        &program("prometheus"),
        &[
            "--config.file=prometheus.yml".into(),
            "--storage.tsdb.path=data".into(),
            format!("--web.listen-address=127.0.0.1:{receiver_port}"),
            "--web.enable-remote-write-receiver".into(),
        ],
        &receiver_dir,
    );
    wait_http(&mut receiver, &format!("http://127.0.0.1:{receiver_port}/-/ready"));
    processes.push(receiver);
    let receiver = format!("http://127.0.0.1:{receiver_port}");
    let prometheus_extra = json!({
        "rule_files": [rules],
        "alerting": {"alertmanagers": [{"static_configs": [{
            "targets": alertmanagers.iter().map(|(web, _)| format!("127.0.0.1:{web}")).collect::<Vec<_>>(),
        }]}]},
        "remote_write": [
            {"name": "receiver", "url": format!("{receiver}/api/v1/write")},
            {"name": "refused", "url": format!("{receiver}/no-such-path/api/v1/write")},
        ],
        "scrape_configs": [{
            "job_name": "discovery-refused",
            "http_sd_configs": [{"url": format!("{receiver}/no-such-path/targets"), "refresh_interval": "1s"}],
        }],
    });

    let (refused_processes, refused_collector, collector_metrics) = start_refused_collector(dir, env);
    processes.extend(refused_processes);
    targets.push(target("otel-collector", format!("127.0.0.1:{collector_metrics}")));

    Live { _processes: processes, _garage: garage, targets, prometheus_extra, refused_collector }
}

/// `env`'s collector with its rendered config (moved to loopback like the stack's), whose
/// backends answer but refuse: an OTLP receiver with a logs pipeline only, so that the traces
/// service is not registered (gRPC Unimplemented) and the rendered HTTP paths, Loki's OTLP
/// path and Prometheus' remote-write path, are 404. Both are permanent errors, which the
/// exporters count as failed at once instead of retrying.
fn start_refused_collector(dir: &Path, env: &str) -> (Vec<Process>, (u16, u16), u16) {
    let (grpc, http) = (free_port(), free_port());
    let sink_dir = dir.join("refusing-sink");
    fs::create_dir_all(&sink_dir).unwrap();
    let config = json!({
        "receivers": {"otlp": {"protocols": {
            "grpc": {"endpoint": format!("127.0.0.1:{grpc}")},
            "http": {"endpoint": format!("127.0.0.1:{http}")},
        }}},
        "exporters": {"file": {"path": sink_dir.join("logs.jsonl")}},
        "service": {
            "pipelines": {"logs": {"receivers": ["otlp"], "exporters": ["file"]}},
            "telemetry": {"metrics": {"level": "none"}},
        },
    });
    fs::write(sink_dir.join("config.yaml"), config.to_string()).unwrap();
    let mut sink =
        Process::start("refusing-sink", &collector(&sink_manifest()), &["--config=config.yaml".into()], &sink_dir);
    crate::common::processes::wait_for("the refusing sink to listen", std::time::Duration::from_secs(60), || {
        sink.assert_running();
        std::net::TcpStream::connect(("127.0.0.1", http)).map(|_| ()).map_err(|e| e.to_string())
    });

    let rendered = collector_config(env);
    let plan = PortPlan::new(&rendered, |backend| match backend {
        Backend::OtlpGrpc => grpc,
        Backend::OtlpHttp | Backend::RemoteWrite => http,
    });
    let running = crate::common::loopback::loopback_config(&rendered, &plan.ports);
    assert_only_addresses_changed(&rendered, &running);
    let col_dir = dir.join("refused-collector");
    fs::create_dir_all(&col_dir).unwrap();
    fs::write(col_dir.join("config.yaml"), &running).unwrap();
    let mut col =
        Process::start("refused-collector", &collector(&env_manifest(env)), &["--config=config.yaml".into()], &col_dir);
    wait_http(&mut col, &format!("http://127.0.0.1:{}/metrics", plan.metrics));
    (vec![col, sink], (plan.grpc, plan.http), plan.metrics)
}

/// node_exporter's test fixtures (`collector/fixtures`) in the Go module cache, at the pinned
/// version: the module `.ci/tools node_exporter` downloads to build it.
fn node_exporter_fixtures() -> PathBuf {
    let version = version("node_exporter");
    let module = format!("github.com/prometheus/node_exporter@{version}");
    let out = Command::new("go").args(["env", "GOMODCACHE"]).output().unwrap_or_else(|e| {
        panic!(
            "go does not run ({e}): the test reads node_exporter's fixtures from the Go module cache; install Go 1.26"
        )
    });
    let cache = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let fixtures = Path::new(&cache).join(&module).join("collector/fixtures");
    assert!(
        fixtures.join("sys.ttar").is_file() && fixtures.join("proc/mdstat").is_file(),
        "node_exporter's fixtures are not in the Go module cache ({}).\nInstall them with: go mod download {module}   (or .ci/tools node_exporter)",
        fixtures.display()
    );
    fixtures
}
