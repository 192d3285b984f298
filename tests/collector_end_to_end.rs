//! End to end: each env's minimal collector runs its rendered config on loopback (only the
//! addresses moved, by `common::loopback::loopback_config`), takes traces, metrics and logs
//! over OTLP gRPC and HTTP, and each signal arrives where the rendered exporters send it:
//! metrics in a real Prometheus, found by PromQL; traces and logs at the OTLP sink standing in
//! for Tempo and Loki, on the exact paths the exporters use.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::processes::wait_for;
use common::programs::envs;
use common::stack::Stack;

const WAIT: Duration = Duration::from_secs(90);

/// The `transport` attribute values in the sink's file for `signal`.
fn transports_in_sink(stack: &Stack, signal: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(stack.sink_file(signal)).unwrap_or_default();
    ["grpc", "http"]
        .into_iter()
        .filter(|t| text.contains(&format!("{{\"key\":\"transport\",\"value\":{{\"stringValue\":\"{t}\"}}}}")))
        .map(str::to_owned)
        .collect()
}

fn both() -> BTreeSet<String> {
    ["grpc".to_owned(), "http".to_owned()].into()
}

#[test]
fn every_signal_arrives_from_every_env() {
    for env in envs() {
        let mut stack = Stack::start(&env, Vec::new());
        stack.send_traffic();
        for signal in ["traces", "logs"] {
            wait_for(&format!("{env}: {signal} at the sink"), WAIT, || {
                stack.assert_running();
                let got = transports_in_sink(&stack, signal);
                if got == both() { Ok(()) } else { Err(format!("only {got:?} arrived\n{}", stack.logs())) }
            });
        }
        wait_for(&format!("{env}: metrics in Prometheus"), WAIT, || {
            stack.assert_running();
            let result = stack.query("count by (transport) (gen{transport=~\"grpc|http\"})")?;
            let got: BTreeSet<String> =
                result.iter().filter_map(|s| s["metric"]["transport"].as_str().map(str::to_owned)).collect();
            if got == both() { Ok(()) } else { Err(format!("only {got:?} arrived\n{}", stack.logs())) }
        });
        // Metrics went to Prometheus, not to the sink: the pipelines are wired as rendered.
        assert!(transports_in_sink(&stack, "metrics").is_empty(), "{env}: metrics reached the OTLP sink");
    }
}

const SAMPLE: &str = "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n\
exporters:\n  otlp_http:\n    endpoint: http://loki.observability.svc.cluster.local:3100/otlp\n    compression: gzip\n\
service:\n  telemetry:\n    metrics:\n      readers:\n      - pull:\n          exporter:\n            prometheus:\n\
              host: \"0.0.0.0\"\n              port: 8888\n";

#[test]
fn loopback_moves_only_addresses() {
    let ports = [("0.0.0.0:4317", 1001), ("loki.observability.svc.cluster.local:3100", 1002), ("0.0.0.0:8888", 1003)]
        .map(|(a, p)| (a.to_owned(), p))
        .into();
    let moved = common::loopback::loopback_config(SAMPLE, &ports);
    let expected = SAMPLE
        .replace("0.0.0.0:4317", "127.0.0.1:1001")
        .replace("http://loki.observability.svc.cluster.local:3100/otlp", "http://127.0.0.1:1002/otlp")
        .replace("host: \"0.0.0.0\"", "host: \"127.0.0.1\"")
        .replace("port: 8888", "port: 1003");
    assert_eq!(moved, expected);
}

#[test]
#[should_panic(expected = "address loki.observability.svc.cluster.local:3100, which the test does not map")]
fn loopback_refuses_an_address_it_does_not_know() {
    let ports = [("0.0.0.0:4317", 1001), ("0.0.0.0:8888", 1003)].map(|(a, p)| (a.to_owned(), p)).into();
    common::loopback::loopback_config(SAMPLE, &ports);
}
