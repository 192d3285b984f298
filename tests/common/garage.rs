//! A real single-node Garage from `generated/local`, set up by the rendered setup script and
//! used over S3 once, so that its metrics (S3 API, blocks, tables) exist to be scraped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::pod_files::{PodFiles, file_variables, read};
use super::processes::{Process, free_port, wait_for};
use super::rendered::objects;

const ENV: &str = "local";

fn object(kind: &str, name: &str) -> Value {
    objects(ENV, kind)
        .into_iter()
        .map(|(_, o)| o)
        .find(|o| o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("generated/{ENV} has no {kind}/{name}"))
}

/// The pod of `kind/name` with its volumes under `dir`: the Secret's files where the pod
/// mounts them, and the init containers' copies made.
fn pod_files(kind: &str, name: &str, dir: &Path) -> PodFiles {
    let workload = object(kind, name);
    PodFiles::prepare(&workload["spec"]["template"]["spec"], object, dir)
}

/// The garage binary: `GARAGE_BIN`, PATH, or `~/.cargo/bin`; missing fails the test.
fn garage_binary() -> PathBuf {
    std::env::var_os("GARAGE_BIN")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .map(|d| d.join("garage")),
        )
        .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/garage")))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "garage 2.5.0 is needed by this test and was not found (GARAGE_BIN, PATH, ~/.cargo/bin).\n\
                    Install it with: cargo install garage --version 2.5.0 --locked   (or run .ci/test)"
            )
        })
}

/// A running Garage node and what a scraper needs: the admin address and metrics token.
pub struct Garage {
    pub admin: String,
    pub metrics_token: Option<String>,
    pub process: Process,
}

/// `garage.toml` with its directories under `dir`, its sockets on 127.0.0.1 and its secret
/// files where `files` has the pod's.
fn adapt(toml: &str, dir: &Path, files: &PodFiles, s3: u16, rpc: u16, admin: u16) -> String {
    let mut table = String::new();
    let mut out = String::new();
    for line in toml.lines() {
        if line.starts_with('[') {
            table = line.trim_matches(['[', ']']).to_owned();
        }
        let key = line.split(" = ").next().unwrap_or("");
        let value = match (table.as_str(), key) {
            ("", "metadata_dir") => Some(format!("\"{}\"", dir.join("meta").display())),
            ("", "data_dir") => Some(format!("\"{}\"", dir.join("data").display())),
            ("", "rpc_bind_addr") | ("", "rpc_public_addr") => Some(format!("\"127.0.0.1:{rpc}\"")),
            ("s3_api", "api_bind_addr") => Some(format!("\"127.0.0.1:{s3}\"")),
            ("admin", "api_bind_addr") => Some(format!("\"127.0.0.1:{admin}\"")),
            ("", "bootstrap_peers") => Some("[]".to_owned()),
            (_, key) if key.ends_with("_file") => {
                Some(format!("\"{}\"", files.local(line.split(" = ").nth(1).unwrap().trim_matches('"')).display()))
            }
            _ => None,
        };
        match value {
            Some(v) => out.push_str(&format!("{key} = {v}\n")),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

fn curl(args: &[&str]) -> Result<String, String> {
    let out = Command::new("curl").args(["--silent", "--show-error", "--fail-with-body"]).args(args).output();
    let out = out.map_err(|e| format!("curl does not run ({e}); install curl 7.75 or later"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() { Ok(text) } else { Err(format!("{text}{}", String::from_utf8_lossy(&out.stderr))) }
}

/// Starts the node, runs the rendered setup script against it, and writes and reads one
/// object in the first bucket the script creates.
pub fn start(dir: &Path) -> Garage {
    let garage = garage_binary();
    let toml = object("ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap().to_owned();
    let (s3, rpc, admin) = (free_port(), free_port(), free_port());
    std::fs::create_dir_all(dir).unwrap();
    let server_files = pod_files("StatefulSet", "garage", &dir.join("garage-pod"));
    std::fs::write(dir.join("garage.toml"), adapt(&toml, dir, &server_files, s3, rpc, admin)).unwrap();
    let args = ["-c".to_owned(), dir.join("garage.toml").display().to_string(), "server".to_owned()];
    let mut process = Process::start("garage", &garage, &args, dir);
    wait_for("garage to listen", Duration::from_secs(60), || {
        process.assert_running();
        std::net::TcpStream::connect(("127.0.0.1", s3)).map(|_| ()).map_err(|e| e.to_string())
    });

    let script_text = object("ConfigMap", "garage-setup-script")["data"]["bootstrap.sh"].as_str().unwrap().to_owned();
    std::fs::write(dir.join("bootstrap.sh"), &script_text).unwrap();
    let job_files = file_variables(&script_text, &pod_files("Job", "garage-setup", &dir.join("setup-pod")));
    let out = Command::new("sh")
        .arg(dir.join("bootstrap.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(&job_files)
        .env("GARAGE_NODES", format!("127.0.0.1:{admin},127.0.0.1:{rpc}"))
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "the rendered Garage setup script failed:\n{}{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        process.output()
    );

    let region = toml
        .lines()
        .find_map(|l| l.strip_prefix("s3_region = "))
        .map(|r| r.trim_matches('"').to_owned())
        .expect("s3_region in garage.toml");
    let bucket = script_text
        .lines()
        .find_map(|l| l.trim().strip_prefix("BUCKETS=\""))
        .and_then(|b| b.split_whitespace().next())
        .expect("the setup script names its buckets")
        .trim_matches('"')
        .to_owned();
    let user =
        format!("{}:{}", read(&job_files["S3_ACCESS_KEY_ID_FILE"]), read(&job_files["S3_SECRET_ACCESS_KEY_FILE"]));
    let sigv4 = format!("aws:amz:{region}:s3");
    let url = format!("http://127.0.0.1:{s3}/{bucket}/metrics-check.txt");
    let sign =
        ["--aws-sigv4", sigv4.as_str(), "--user", user.as_str(), "--header", "x-amz-content-sha256: UNSIGNED-PAYLOAD"];
    let mut put = sign.to_vec();
    put.extend(["--request", "PUT", "--data-binary", "metrics check", url.as_str()]);
    curl(&put).unwrap_or_else(|e| panic!("PUT {url}: {e}"));
    let mut get = sign.to_vec();
    get.push(url.as_str());
    assert_eq!(curl(&get).unwrap_or_else(|e| panic!("GET {url}: {e}")), "metrics check");

    // An object above Garage's inline limit (3 KiB) goes to a data block, so the block
    // manager reads and writes (`block_bytes_*`); a missing key is an S3 error
    // (`api_s3_error_counter`).
    let block = dir.join("block-check.bin");
    let content: Vec<u8> = (0..256 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&block, &content).unwrap();
    let block_url = format!("http://127.0.0.1:{s3}/{bucket}/block-check.bin");
    let upload = format!("@{}", block.display());
    let mut put = sign.to_vec();
    put.extend(["--request", "PUT", "--data-binary", upload.as_str(), block_url.as_str()]);
    curl(&put).unwrap_or_else(|e| panic!("PUT {block_url}: {e}"));
    let copy = dir.join("block-check.out");
    let output = copy.display().to_string();
    let mut get = sign.to_vec();
    get.extend(["--output", output.as_str(), block_url.as_str()]);
    curl(&get).unwrap_or_else(|e| panic!("GET {block_url}: {e}"));
    assert!(std::fs::read(&copy).unwrap() == content, "GET {block_url} returned other bytes");
    let missing = format!("http://127.0.0.1:{s3}/{bucket}/no-such-key");
    let mut get = sign.to_vec();
    get.push(missing.as_str());
    let error = curl(&get).expect_err("GET of a missing key fails");
    assert!(error.contains("NoSuchKey"), "GET {missing}: {error}");

    Garage {
        admin: format!("127.0.0.1:{admin}"),
        metrics_token: toml
            .lines()
            .find_map(|l| l.strip_prefix("metrics_token_file = "))
            .map(|f| read(&server_files.local(f.trim_matches('"')))),
        process,
    }
}
