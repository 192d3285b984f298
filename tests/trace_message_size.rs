//! No traces request the collector sends is larger than Tempo accepts. Tempo's OTLP gRPC
//! receiver refuses a message above its `max_recv_msg_size_mib` (grpc-go's 4 MiB when unset)
//! with `ResourceExhausted`, which the collector's exporter treats as final: the batch is
//! lost. So, in every environment's committed output, the collector's traces exporter must
//! split its requests by size in bytes, below the limit of the Tempo it sends to.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// grpc-go's default receive limit, which a server without `max_recv_msg_size_mib` keeps.
const GRPC_DEFAULT_MIB: u64 = 4;

fn envs() -> Vec<PathBuf> {
    let mut envs: Vec<PathBuf> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("generated"))
        .expect("generated/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    envs.sort();
    assert!(!envs.is_empty(), "no environment in generated/");
    envs
}

/// The config file `key` of ConfigMap file `file`, parsed.
fn embedded(file: &Path, key: &str) -> Value {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let map: Value = serde_saphyr::from_str(&text).expect("a ConfigMap");
    serde_saphyr::from_str(map["data"][key].as_str().expect("config key")).expect("the config parses")
}

/// The size in bytes above which the env's Tempo refuses an OTLP gRPC message.
fn tempo_limit(env: &Path) -> u64 {
    let tempo = embedded(&env.join("tempo/ConfigMap-tempo-config.yaml"), "tempo.yaml");
    let grpc = &tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"];
    assert!(grpc.is_object(), "{}: Tempo has no OTLP gRPC receiver", env.display());
    grpc["max_recv_msg_size_mib"].as_u64().unwrap_or(GRPC_DEFAULT_MIB) * 1024 * 1024
}

#[test]
fn traces_requests_fit_tempos_grpc_limit() {
    for env in envs() {
        let name = env.file_name().unwrap().to_string_lossy().into_owned();
        let limit = tempo_limit(&env);
        let collector = embedded(&env.join("collector/ConfigMap-otel-collector-config.yaml"), "config.yaml");
        let exporters = collector["service"]["pipelines"]["traces"]["exporters"].as_array().expect("traces pipeline");
        let tempo_exporters: Vec<&str> =
            exporters.iter().filter_map(Value::as_str).filter(|id| id.starts_with("otlp_grpc")).collect();
        assert!(!tempo_exporters.is_empty(), "{name}: no OTLP gRPC exporter in the traces pipeline");
        for id in tempo_exporters {
            let batch = &collector["exporters"][id]["sending_queue"]["batch"];
            assert_eq!(batch["sizer"], "bytes", "{name}: exporter {id} must split its requests by size in bytes");
            let max = batch["max_size"].as_u64().unwrap_or(0);
            assert!(max > 0, "{name}: exporter {id} sets no max_size, so a request has no upper bound");
            assert!(max < limit, "{name}: exporter {id} sends up to {max} bytes, Tempo accepts {limit}");
        }
        // Tempo's own limit is above grpc-go's default: other senders batch too.
        assert!(limit > GRPC_DEFAULT_MIB * 1024 * 1024, "{name}: Tempo keeps grpc-go's 4 MiB limit");
    }
}
