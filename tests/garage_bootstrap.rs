//! The Garage bootstrap against a real Garage: the rendered `garage.toml` (paths and
//! addresses moved to a temporary directory on 127.0.0.1) runs a server with the secret files
//! the pod gets (the Secret's files group-readable, as the kubelet makes them, copied by the
//! rendered init container, which Garage must accept without `allow_world_readable_secrets`); the rendered setup script runs twice, the second run changing nothing; then an
//! object is written and read back in every bucket with the imported key, over S3. With
//! three nodes, all three are then stopped and started again on other loopback addresses, as
//! pods that all restarted come back with new IPs: with the rendered reconnect loop beside
//! each node, and without the setup script, the cluster must re-form and serve what was
//! written before.
//!
//! Needs the `garage` binary (v2.5.0) on PATH, in `~/.cargo/bin`, or named by `GARAGE_BIN`,
//! and `curl` with `--aws-sigv4` (7.75 or later). Without them the test fails, saying so.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

mod common;

use common::pod_files::{PodFiles, file_variables, read};
use oxidy_modules::Platform;
use oxidy_modules::contract::{App, Declarations, EnvInfo, Stack, Tier};
use serde_json::Value;

const BUCKETS: [&str; 2] = ["loki-chunks", "tempo-traces"];

/// Garage alone (with `garage` as its options), rendered for the local tier, whose
/// development Secrets give the test its credentials, with two buckets claimed as Loki and
/// Tempo do.
fn render_garage(garage: &str) -> Vec<App> {
    let components = format!(
        "garage: {garage}\nloki: {{enabled: false}}\ntempo: {{enabled: false}}\ncollector: {{enabled: false}}\n\
         prometheus: {{enabled: false}}\ngrafana: {{enabled: false}}\n"
    );
    let platform: Platform = serde_saphyr::from_str(&components).expect("components parse");
    let env = EnvInfo {
        name: "local".into(),
        tier: Tier::Local,
        namespace: "observability".into(),
        dashboards: Arc::new(Vec::new()),
        git: oxidy_modules::contract::GitSource {
            repo_url: "https://git.example.com/platform/observability.git".into(),
            revision: "main".into(),
            repo_url_pos: None,
        },
        rule_files: Default::default(),
    };
    let resolved = platform.resolve(&env).expect("options resolve");
    let mut decl = Declarations::default();
    Platform::declare(&resolved, &mut decl);
    decl.need_bucket("loki", BUCKETS[0]);
    decl.need_bucket("tempo", BUCKETS[1]);
    let ctx = decl.into_context(env).expect("context seals");
    Platform::render(&resolved, &ctx).expect("garage renders")
}

fn object<'a>(apps: &'a [App], kind: &str, name: &str) -> &'a Value {
    apps.iter()
        .flat_map(|a| &a.objects)
        .find(|o| o.kind() == kind && o.name() == name)
        .map(|o| o.body())
        .unwrap_or_else(|| panic!("no {kind}/{name} rendered"))
}

/// The pod of `kind/workload` with its volumes under `dir`: the Secrets' files where the pod
/// mounts them (as the kubelet makes them), and the init containers' copies made.
fn pod_files(apps: &[App], kind: &str, workload: &str, dir: &Path) -> PodFiles {
    let pod = &object(apps, kind, workload)["spec"]["template"]["spec"];
    PodFiles::prepare(pod, |k, n| object(apps, k, n).clone(), dir)
}

/// What the test itself needs of the credentials: the admin token and the S3 key.
struct Credentials {
    token: String,
    key_id: String,
    secret: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// `garage.toml` with its directories under `dir`, its sockets on `ip`, a loopback address
/// (and said to be there, for the other nodes), and its secret files where `files` has the
/// pod's.
fn adapt_config(toml: &str, dir: &Path, files: &PodFiles, ip: &str, ports: &Ports) -> String {
    let mut table = String::new();
    let mut out = String::new();
    let mut replaced = 0;
    for line in toml.lines() {
        if line.starts_with('[') {
            table = line.trim_matches(['[', ']']).to_owned();
        }
        let key = line.split(" = ").next().unwrap_or("");
        let value = match (table.as_str(), key) {
            ("", "metadata_dir") => Some(format!("\"{}\"", dir.join("meta").display())),
            ("", "data_dir") => Some(format!("\"{}\"", dir.join("data").display())),
            ("", "rpc_bind_addr") => Some(format!("\"{ip}:{}\"", ports.rpc)),
            ("s3_api", "api_bind_addr") => Some(format!("\"{ip}:{}\"", ports.s3)),
            ("admin", "api_bind_addr") => Some(format!("\"{ip}:{}\"", ports.admin)),
            (_, key) if key.ends_with("_file") => {
                Some(format!("\"{}\"", files.local(line.split(" = ").nth(1).unwrap().trim_matches('"')).display()))
            }
            _ => None,
        };
        match value {
            Some(value) => {
                replaced += 1;
                out.push_str(&format!("{key} = {value}\n"));
                // Nodes tell each other where to call back; left to itself, a node would
                // name the host's main address, where nothing listens.
                if key == "rpc_bind_addr" {
                    out.push_str(&format!("rpc_public_addr = \"{ip}:{}\"\n", ports.rpc));
                }
            }
            None => out.push_str(&format!("{line}\n")),
        }
    }
    // Five paths and addresses, and the three secret files.
    assert_eq!(replaced, 8, "garage.toml no longer has the keys this test moves:\n{toml}");
    out
}

struct Ports {
    s3: u16,
    rpc: u16,
    admin: u16,
}

/// The server, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn garage_binary() -> PathBuf {
    let candidates = std::env::var_os("GARAGE_BIN")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .map(|d| d.join("garage")),
        )
        .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/garage")));
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "the garage binary is needed to test the bootstrap against a real Garage, and was not found \
             (GARAGE_BIN, PATH, ~/.cargo/bin). Install it with: cargo install garage --version 2.5.0 --locked"
        )
    })
}

fn check_curl() {
    let version = Command::new("curl").arg("--version").output().unwrap_or_else(|e| {
        panic!("curl is needed to run the bootstrap script and to talk S3 ({e}); install curl 7.75 or later")
    });
    assert!(version.status.success(), "curl --version failed");
}

fn wait_for_port(ip: &str, port: u16, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect((ip, port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "garage did not listen on {port}:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        sleep(Duration::from_millis(100));
    }
}

fn run_script(script: &Path, env: &BTreeMap<String, PathBuf>, nodes: &[Node]) -> Output {
    let addresses: Vec<String> = nodes.iter().map(Node::addresses).collect();
    Command::new("sh")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env)
        .env("GARAGE_NODES", addresses.join(" "))
        .output()
        .expect("sh runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Lists of objects in `value`, sorted by their `id`: Garage lists a key's buckets in no
/// particular order.
fn sorted(mut value: Value) -> Value {
    match &mut value {
        Value::Array(items) => {
            let mut items: Vec<Value> = std::mem::take(items).into_iter().map(sorted).collect();
            items.sort_by(|a, b| a["id"].to_string().cmp(&b["id"].to_string()));
            Value::Array(items)
        }
        Value::Object(map) => {
            for field in map.values_mut() {
                *field = sorted(std::mem::take(field));
            }
            value
        }
        _ => value,
    }
}

/// What the bootstrap sets up, as the admin API reports it.
fn state(token: &str, node: &Node, key_id: &str) -> Vec<Value> {
    ["GetClusterLayout".to_owned(), "ListBuckets".to_owned(), format!("GetKeyInfo?id={key_id}")]
        .iter()
        .map(|endpoint| {
            let out = Command::new("curl")
                .args(["--silent", "--show-error", "--fail-with-body", "--header"])
                .arg(format!("Authorization: Bearer {token}"))
                .arg(format!("http://{}:{}/v2/{endpoint}", node.ip, node.ports.admin))
                .output()
                .expect("curl runs");
            assert!(out.status.success(), "{endpoint}: {}{}", text(&out.stdout), text(&out.stderr));
            sorted(serde_json::from_slice(&out.stdout).expect("the admin API answers JSON"))
        })
        .collect()
}

fn s3(args: &[&str], key_id: &str, secret: &str, region: &str, url: &str) -> Output {
    Command::new("curl")
        .args(["--silent", "--show-error", "--fail-with-body", "--aws-sigv4"])
        .arg(format!("aws:amz:{region}:s3"))
        // Garage wants the payload hash header, which curl signs but does not add by itself.
        .args(["--header", "x-amz-content-sha256: UNSIGNED-PAYLOAD"])
        .arg("--user")
        .arg(format!("{key_id}:{secret}"))
        .args(args)
        .arg(url)
        .output()
        .expect("curl runs")
}

/// A running node: its address and ports, and its process, stopped when the test ends
/// however it ends.
struct Node {
    ip: String,
    ports: Ports,
    /// The node's pod: its Secret files, its copies, its scratch space.
    files: PodFiles,
    _server: Server,
}

impl Node {
    /// `<admin host:port>,<rpc host:port>`, as the rendered scripts list nodes.
    fn addresses(&self) -> String {
        format!("{ip}:{},{ip}:{}", self.ports.admin, self.ports.rpc, ip = self.ip)
    }
}

/// Starts `count` servers from the rendered config and the pod's files, node `i` in
/// `root/node-<i>` (kept from an earlier start) on `ips[i]`, on fresh ports.
fn start_nodes(apps: &[App], root: &Path, ips: &[&str]) -> Vec<Node> {
    let garage = garage_binary();
    let toml = object(apps, "ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap();
    let nodes: Vec<Node> = ips
        .iter()
        .enumerate()
        .map(|(i, ip)| {
            let dir = root.join(format!("node-{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            let ports = Ports { s3: free_port(), rpc: free_port(), admin: free_port() };
            let files = pod_files(apps, "StatefulSet", "garage", &dir.join("pod"));
            let config = dir.join("garage.toml");
            std::fs::write(&config, adapt_config(toml, &dir, &files, ip, &ports)).unwrap();
            let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("garage.log")).unwrap();
            let server = Command::new(&garage)
                .arg("-c")
                .arg(&config)
                .arg("server")
                .env_clear()
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .expect("garage starts");
            Node { ip: (*ip).to_owned(), ports, files, _server: Server(server) }
        })
        .collect();
    for (i, node) in nodes.iter().enumerate() {
        let log = root.join(format!("node-{i}/garage.log"));
        wait_for_port(&node.ip, node.ports.admin, &log);
        wait_for_port(&node.ip, node.ports.s3, &log);
    }
    nodes
}

/// How many nodes `node` sees up.
fn nodes_up(token: &str, node: &Node) -> usize {
    let out = Command::new("curl")
        .args(["--silent", "--fail", "--max-time", "5", "--header"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(format!("http://{}:{}/v2/GetClusterStatus", node.ip, node.ports.admin))
        .output()
        .expect("curl runs");
    let status: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    status["nodes"].as_array().map_or(0, |nodes| nodes.iter().filter(|n| n["isUp"] == true).count())
}

/// Stops every node and starts them again on other loopback addresses and ports, as pods
/// that all restarted at once come back with new IPs. The rendered reconnect loop runs
/// beside each node; the setup script does not run. The cluster must re-form by itself, keep
/// its layout, and serve the objects written before through every node.
fn check_whole_cluster_restart(
    apps: &[App],
    root: &Path,
    nodes: Vec<Node>,
    before: &[Value],
    credentials: &Credentials,
) {
    let count = nodes.len();
    drop(nodes);
    let ips: Vec<String> = (0..count).map(|i| format!("127.0.0.{}", i + 2)).collect();
    let nodes = start_nodes(apps, root, &ips.iter().map(String::as_str).collect::<Vec<_>>());
    let token = &credentials.token;
    let (key_id, secret) = (&credentials.key_id, &credentials.secret);

    let reconnect = object(apps, "ConfigMap", "garage-reconnect-script")["data"]["reconnect.sh"].as_str();
    let script = root.join("reconnect.sh");
    let reconnect = reconnect.expect("a reconnect script is rendered for several nodes");
    std::fs::write(&script, reconnect).unwrap();
    let addresses: Vec<String> = nodes.iter().map(Node::addresses).collect();
    let _loops: Vec<Server> = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let log = std::fs::File::create(root.join(format!("reconnect-{i}.log"))).unwrap();
            let child = Command::new("sh")
                .arg(&script)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .envs(file_variables(reconnect, &node.files))
                .env("GARAGE_NODES", addresses.join(" "))
                .env("LOCAL_ADMIN", format!("{}:{}", node.ip, node.ports.admin))
                .env("INTERVAL", "1")
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .expect("sh runs");
            Server(child)
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(120);
    while nodes.iter().any(|n| nodes_up(token, n) < count) {
        assert!(
            Instant::now() < deadline,
            "the cluster did not re-form after a whole-cluster restart; reconnect loop of node 0:\n{}",
            std::fs::read_to_string(root.join("reconnect-0.log")).unwrap_or_default()
        );
        sleep(Duration::from_secs(1));
    }
    let after = state(token, &nodes[0], key_id);
    assert_eq!(after[0], before[0], "the layout must survive the restart unchanged");

    let region = object(apps, "ConfigMap", "garage-config")["data"]["garage.toml"]
        .as_str()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("s3_region = ")))
        .map(|r| r.trim_matches('"').to_owned())
        .expect("s3_region in garage.toml");
    for bucket in BUCKETS {
        for node in &nodes {
            let url = format!("http://{}:{}/{bucket}/bootstrap-check.txt", node.ip, node.ports.s3);
            let get = s3(&[], key_id, secret, &region, &url);
            assert!(
                get.status.success(),
                "GET in {bucket} after the restart: {}{}",
                text(&get.stdout),
                text(&get.stderr)
            );
            assert_eq!(text(&get.stdout), format!("written to {bucket} with the imported key"));
        }
        let url = format!("http://{}:{}/{bucket}/after-restart.txt", nodes[0].ip, nodes[0].ports.s3);
        let put = s3(&["--request", "PUT", "--data-binary", "after"], key_id, secret, &region, &url);
        assert!(put.status.success(), "PUT in {bucket} after the restart: {}{}", text(&put.stdout), text(&put.stderr));
    }
}

/// Runs the rendered setup script twice against `count` real nodes, then uses every bucket.
fn check_bootstrap(garage_options: &str, count: usize) {
    check_curl();
    let apps = render_garage(garage_options);
    let dir = tempfile::tempdir().expect("temp dir");
    let nodes = start_nodes(&apps, dir.path(), &vec!["127.0.0.1"; count]);

    let toml = object(&apps, "ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap();
    let region = toml
        .lines()
        .find_map(|l| l.strip_prefix("s3_region = "))
        .map(|r| r.trim_matches('"').to_owned())
        .expect("s3_region in garage.toml");
    let script = dir.path().join("bootstrap.sh");
    let script_text = object(&apps, "ConfigMap", "garage-setup-script")["data"]["bootstrap.sh"].as_str().unwrap();
    assert_eq!(
        script_text.matches(".garage-rpc.").count(),
        2 * count,
        "the rendered script names every node, twice (admin and rpc)"
    );
    std::fs::write(&script, script_text).unwrap();
    let job_files = pod_files(&apps, "Job", "garage-setup", &dir.path().join("setup-pod"));
    let job_env = file_variables(script_text, &job_files);
    let credentials = Credentials {
        token: read(&job_env["GARAGE_ADMIN_TOKEN_FILE"]),
        key_id: read(&job_env["S3_ACCESS_KEY_ID_FILE"]),
        secret: read(&job_env["S3_SECRET_ACCESS_KEY_FILE"]),
    };
    let (token, key_id, secret) = (&credentials.token, &credentials.key_id, &credentials.secret);

    let first = run_script(&script, &job_env, &nodes);
    let first_out = text(&first.stdout);
    assert!(first.status.success(), "first run failed:\n{first_out}{}", text(&first.stderr));
    // The layout, the key, and for each bucket its creation and its grant.
    let expected = 2 + 2 * BUCKETS.len();
    assert!(first_out.ends_with(&format!("garage bootstrap: {expected} change(s)\n")), "{first_out}");
    let before = state(token, &nodes[0], key_id);
    let roles = before[0]["roles"].as_array().expect("layout roles");
    assert_eq!(roles.len(), count, "every node has a role: {}", before[0]);
    assert!(roles.iter().all(|r| r["storedPartitions"].as_u64() > Some(0)), "and stores data: {}", before[0]);

    let second = run_script(&script, &job_env, &nodes);
    let second_out = text(&second.stdout);
    assert!(second.status.success(), "second run failed:\n{second_out}{}", text(&second.stderr));
    assert!(second_out.ends_with("garage bootstrap: 0 change(s)\n"), "{second_out}");
    assert_eq!(state(token, &nodes[0], key_id), before, "the second run changed Garage's state");

    for (i, bucket) in BUCKETS.iter().enumerate() {
        // Write through one node and read through another, where there are several.
        let url = |node: &Node| format!("http://{}:{}/{bucket}/bootstrap-check.txt", node.ip, node.ports.s3);
        let body = format!("written to {bucket} with the imported key");
        let put = s3(&["--request", "PUT", "--data-binary", &body], key_id, secret, &region, &url(&nodes[i % count]));
        assert!(put.status.success(), "PUT in {bucket}: {}{}", text(&put.stdout), text(&put.stderr));
        let get = s3(&[], key_id, secret, &region, &url(&nodes[(i + 1) % count]));
        assert!(get.status.success(), "GET in {bucket}: {}{}", text(&get.stdout), text(&get.stderr));
        assert_eq!(text(&get.stdout), body, "read back from {bucket}");
        let wrong = s3(&[], key_id, &"0".repeat(64), &region, &url(&nodes[0]));
        assert!(!wrong.status.success(), "a wrong secret must be refused, or the reads above prove nothing");
    }
    if count > 1 {
        check_whole_cluster_restart(&apps, dir.path(), nodes, &before, &credentials);
    }
}

#[test]
fn bootstrap_sets_up_a_single_node_once() {
    check_bootstrap("{}", 1);
}

/// Three nodes, then all three restarted on new addresses: they re-form by themselves.
#[test]
fn bootstrap_connects_and_lays_out_three_nodes() {
    check_bootstrap("{replicas: 3, replicationFactor: 3}", 3);
}
