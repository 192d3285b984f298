//! Tests of the tempo module: tier tables, option errors and the objects and config files it renders.

use serde_json::Value;

use crate::contract::{App, Link, ModuleError, Role, Tier, Wave};
use crate::testing::{self, app, context, env, object, platform, render};

/// The parsed config file of the Tempo app.
fn config(tempo: &App) -> Value {
    let text = object(tempo, "ConfigMap", "tempo-config")["data"]["tempo.yaml"].as_str().unwrap();
    serde_saphyr::from_str(text).unwrap()
}

/// The errors of a render that must fail.
fn failure(tier: Tier, components: &str) -> Vec<ModuleError> {
    match render(tier, components) {
        Ok(_) => panic!("rendering {components:?} should fail"),
        Err(errors) => errors,
    }
}

fn workloads(tempo: &App) -> Vec<&Value> {
    tempo.objects.iter().filter(|o| o.kind() == "StatefulSet" || o.kind() == "Deployment").map(|o| o.body()).collect()
}

fn args(workload: &Value) -> Vec<&str> {
    workload["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn volume(sts: &Value) -> Value {
    sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"].clone()
}

#[test]
fn production_differs_from_local() {
    let local = render(Tier::Local, "{}").unwrap();
    let production = render(Tier::Production, "{}").unwrap();
    let (local, production) = (app(&local, "tempo"), app(&production, "tempo"));

    assert_eq!(config(local)["compactor"]["compaction"]["block_retention"], "24h");
    assert_eq!(config(production)["compactor"]["compaction"]["block_retention"], "720h");

    assert_eq!(volume(object(local, "StatefulSet", "tempo")), "5Gi");
    assert_eq!(volume(object(production, "StatefulSet", "tempo-ingester")), "20Gi");
    assert_eq!(volume(object(production, "StatefulSet", "tempo-metrics-generator")), "20Gi");

    // Local: one monolithic pod.
    assert_eq!(workloads(local).len(), 1);
    let monolithic = object(local, "StatefulSet", "tempo");
    assert_eq!(monolithic["spec"]["replicas"], 1);
    assert!(args(monolithic).contains(&"-target=all"));
    assert!(config(local).get("memberlist").is_none());

    // Production: every target on its own, ingesters replicated three times.
    for (kind, name, replicas) in [
        ("Deployment", "distributor", 2),
        ("StatefulSet", "ingester", 3),
        ("Deployment", "querier", 2),
        ("Deployment", "query-frontend", 2),
        ("Deployment", "compactor", 2),
        ("StatefulSet", "metrics-generator", 2),
    ] {
        let workload = object(production, kind, &format!("tempo-{name}"));
        assert_eq!(workload["spec"]["replicas"], replicas, "{name}");
        assert!(args(workload).contains(&format!("-target={name}").as_str()), "{name}");
    }
    assert_eq!(workloads(production).len(), 6);
    let spread = |w: &Value| w["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["topologyKey"].clone();
    assert_eq!(spread(object(production, "StatefulSet", "tempo-ingester")), "kubernetes.io/hostname");
    assert!(spread(monolithic).is_null());
    let prod = config(production);
    assert_eq!(prod["ingester"]["lifecycler"]["ring"]["replication_factor"], 3);
    assert_eq!(prod["memberlist"]["join_members"][0], "tempo-headless.observability.svc.cluster.local:7946");
    assert_eq!(prod["memberlist"]["cluster_label"], "observability-tempo");
    assert_eq!(
        prod["querier"]["frontend_worker"]["frontend_address"],
        "tempo-query-frontend-discovery.observability.svc.cluster.local:9095"
    );
    assert_eq!(object(production, "Service", "tempo-query-frontend-discovery")["spec"]["clusterIP"], "None");
}

/// Tempo's compactor ring defaults to no store at all ("not sharded"): two compactors without
/// one both run every compaction and retention job. Wherever compactors are their own
/// Deployment, they must share the jobs through the gossip ring every Tempo pod joins.
#[test]
fn compactors_share_jobs_through_the_memberlist_ring() {
    for (tier, components) in
        [(Tier::Staging, "tempo:\n  replicas:\n    compactor: 2\n"), (Tier::Staging, "{}"), (Tier::Production, "{}")]
    {
        let apps = render(tier, components).unwrap();
        let tempo = app(&apps, "tempo");
        let config = config(tempo);
        assert_eq!(config["compactor"]["ring"]["kvstore"]["store"], "memberlist", "{tier:?} {components}");
        assert!(config["memberlist"]["join_members"][0].is_string(), "{tier:?}");
        // The compactors gossip: they expose the port and the headless service selects them.
        let compactor = object(tempo, "Deployment", "tempo-compactor");
        let ports = &compactor["spec"]["template"]["spec"]["containers"][0]["ports"];
        assert!(ports.as_array().unwrap().iter().any(|p| p["name"] == "gossip"), "{tier:?}");
        let selector = &object(tempo, "Service", "tempo-headless")["spec"]["selector"];
        let labels = &compactor["spec"]["template"]["metadata"]["labels"];
        for (key, value) in selector.as_object().unwrap() {
            assert_eq!(&labels[key], value, "{tier:?}: the headless service must select compactors");
        }
    }
    // One process runs every target in the monolithic layout: no ring to share.
    let apps = render(Tier::Local, "{}").unwrap();
    assert!(config(app(&apps, "tempo"))["compactor"].get("ring").is_none());
}

#[test]
fn staging_runs_stateful_targets_once_and_stateless_twice() {
    let apps = render(Tier::Staging, "{}").unwrap();
    let tempo = app(&apps, "tempo");
    for (kind, name, replicas) in [
        ("Deployment", "tempo-distributor", 2),
        ("StatefulSet", "tempo-ingester", 1),
        ("Deployment", "tempo-querier", 2),
        ("Deployment", "tempo-query-frontend", 2),
        ("Deployment", "tempo-compactor", 1),
        ("StatefulSet", "tempo-metrics-generator", 1),
    ] {
        assert_eq!(object(tempo, kind, name)["spec"]["replicas"], replicas, "{name}");
    }
    assert_eq!(config(tempo)["compactor"]["compaction"]["block_retention"], "168h");
}

#[test]
fn the_bucket_in_the_config_is_the_claimed_one() {
    for tier in [Tier::Local, Tier::Production] {
        let components = "tempo:\n  bucket: traces-x\n";
        let ctx = context(&platform(components), env(tier)).unwrap();
        let claimed: Vec<&str> = ctx.buckets().iter().filter(|b| b.owner == "tempo").map(|b| b.name.as_str()).collect();
        assert_eq!(claimed, ["traces-x"]);
        let apps = render(tier, components).unwrap();
        let config = config(app(&apps, "tempo"));
        assert_eq!(config["storage"]["trace"]["s3"]["bucket"], "traces-x", "{tier:?}");
        assert_eq!(config["storage"]["trace"]["backend"], "s3");
    }
}

#[test]
fn s3_endpoint_and_credentials_come_from_the_store() {
    let ctx = context(&platform("{}"), env(Tier::Production)).unwrap();
    let store = ctx.s3("test").unwrap();
    let apps = render(Tier::Production, "{}").unwrap();
    let tempo = app(&apps, "tempo");
    let s3 = &config(tempo)["storage"]["trace"]["s3"];
    assert_eq!(s3["endpoint"], store.endpoint.authority().as_str());
    assert_eq!(s3["region"], store.region.as_str());
    assert_eq!(s3["forcepathstyle"], true);
    assert_eq!(s3["access_key"], "${AWS_ACCESS_KEY_ID}");
    assert_eq!(s3["secret_key"], "${AWS_SECRET_ACCESS_KEY}");
    for workload in workloads(tempo) {
        assert!(args(workload).contains(&"-config.expand-env=true"));
        let env = &workload["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(env[0]["name"], "AWS_ACCESS_KEY_ID");
        assert_eq!(env[0]["valueFrom"]["secretKeyRef"]["name"], store.credentials_secret.as_str());
        assert_eq!(env[0]["valueFrom"]["secretKeyRef"]["key"], store.access_key_id_key.as_str());
        assert_eq!(env[1]["valueFrom"]["secretKeyRef"]["key"], store.secret_access_key_key.as_str());
    }
}

#[test]
fn without_garage_tempo_names_the_missing_store() {
    let errors = failure(Tier::Local, "garage:\n  enabled: false\n");
    assert!(errors.iter().any(|e| matches!(e, ModuleError::MissingLink { consumer: "tempo", .. })), "{errors:?}");
}

#[test]
fn without_prometheus_tempo_names_the_missing_link() {
    let errors = failure(Tier::Local, "prometheus:\n  enabled: false\n");
    assert!(
        errors.iter().any(
            |e| matches!(e, ModuleError::MissingLink { consumer: "tempo", link, .. } if link == &Link::MetricsRemoteWrite.to_string())
        ),
        "{errors:?}"
    );
}

#[test]
fn metrics_generator_writes_span_metrics_and_service_graphs_with_exemplars() {
    let ctx = context(&platform("{}"), env(Tier::Local)).unwrap();
    let urls = ctx.urls(Link::MetricsRemoteWrite, "test").unwrap();
    let apps = render(Tier::Local, "{}").unwrap();
    let config = config(app(&apps, "tempo"));
    let remote_write = &config["metrics_generator"]["storage"]["remote_write"][0];
    assert_eq!(remote_write["url"], urls[0].as_str());
    assert_eq!(remote_write["send_exemplars"], true);
    let processors = &config["overrides"]["defaults"]["metrics_generator"]["processors"];
    assert_eq!(processors, &serde_json::json!(["local-blocks", "service-graphs", "span-metrics"]));
    let otlp = &config["distributor"]["receivers"]["otlp"]["protocols"];
    assert_eq!(
        (otlp["grpc"]["endpoint"].as_str(), otlp["http"]["endpoint"].as_str()),
        (Some("0.0.0.0:4317"), Some("0.0.0.0:4318"))
    );
}

/// TraceQL metrics (Grafana's Tempo metrics queries, Traces Drilldown) run on the metrics
/// generator's local blocks: the processor is on for every tenant in every tier, keeps its
/// traces on the generator's volume, and flushes blocks to the store for older ranges.
#[test]
fn traceql_metrics_have_the_local_blocks_processor() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        let tempo = app(&apps, "tempo");
        let config = config(tempo);
        let processors = config["overrides"]["defaults"]["metrics_generator"]["processors"].as_array().unwrap();
        assert!(processors.iter().any(|p| p == "local-blocks"), "{tier:?}: {processors:?}");
        let generator = &config["metrics_generator"];
        assert_eq!(generator["processor"]["local_blocks"]["flush_to_storage"], true, "{tier:?}");
        assert_eq!(generator["processor"]["local_blocks"]["filter_server_spans"], false, "{tier:?}");
        let path =
            generator["traces_storage"]["path"].as_str().unwrap_or_else(|| panic!("{tier:?}: no traces_storage"));
        // On the volume the generator keeps: the StatefulSet's claim, mounted at the data dir.
        let name = if tier == Tier::Local { "tempo" } else { "tempo-metrics-generator" };
        let generator_pod = object(tempo, "StatefulSet", name);
        let mounts = generator_pod["spec"]["template"]["spec"]["containers"][0]["volumeMounts"].as_array().unwrap();
        assert!(
            mounts.iter().any(|m| m["name"] == "data" && path.starts_with(m["mountPath"].as_str().unwrap())),
            "{tier:?}: {path} is not on the data volume"
        );
    }
}

/// Trace batches of thousands of spans exceed grpc-go's 4 MiB default; every Tempo OTLP
/// gRPC receiver accepts 16 MiB, within the 16 MiB Tempo's own servers take between targets.
#[test]
fn otlp_grpc_receivers_accept_large_batches() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        let config = config(app(&apps, "tempo"));
        let receivers = config["distributor"]["receivers"].as_object().unwrap();
        assert!(!receivers.is_empty());
        for (name, receiver) in receivers {
            let grpc = &receiver["protocols"]["grpc"];
            if grpc.is_null() {
                continue;
            }
            assert_eq!(grpc["max_recv_msg_size_mib"], 16, "{tier:?}: receiver {name}");
        }
    }
}

#[test]
fn links_and_datasource_follow_the_layout() {
    for (tier, ingest) in [(Tier::Local, "tempo"), (Tier::Production, "tempo-distributor")] {
        let ctx = context(&platform("{}"), env(tier)).unwrap();
        let http = ctx.endpoint(Link::TracesQueryHttp, "test").unwrap();
        assert_eq!((http.service.as_str(), http.port), ("tempo", 3200));
        let otlp = ctx.endpoint(Link::TracesOtlpGrpc, "test").unwrap();
        assert_eq!((otlp.service.as_str(), otlp.port), (ingest, 4317));
        let datasource = ctx.datasource(Role::TRACES).unwrap();
        assert_eq!((datasource.uid.as_str(), datasource.url.as_str()), ("tempo", http.url().as_str()));

        let apps = render(tier, "{}").unwrap();
        let tempo = app(&apps, "tempo");
        let ports = &object(tempo, "Service", ingest)["spec"]["ports"];
        assert!(ports.as_array().unwrap().iter().any(|p| p["name"] == "otlp-grpc" && p["port"] == 4317), "{tier:?}");
        assert!(ports.as_array().unwrap().iter().any(|p| p["name"] == "otlp-http" && p["port"] == 4318), "{tier:?}");
    }
    let apps = render(Tier::Production, "{}").unwrap();
    let selector = &object(app(&apps, "tempo"), "Service", "tempo")["spec"]["selector"];
    assert_eq!(selector["app.kubernetes.io/component"], "query-frontend");
}

#[test]
fn invalid_sizes_are_refused() {
    let errors = failure(Tier::Local, "tempo:\n  replicationFactor: 2\n");
    assert!(errors[0].to_string().contains("needs as many ingesters, and 1 run"), "{errors:?}");
    let errors = failure(Tier::Production, "tempo:\n  replicas:\n    querier: 0\n");
    assert!(matches!(&errors[0], ModuleError::Option { key, .. } if key == "components.tempo.replicas.querier"));
    let errors = failure(Tier::Production, "tempo:\n  retention: 30m\n");
    assert!(matches!(&errors[0], ModuleError::Option { key, .. } if key == "components.tempo.retention"));
}

#[test]
fn every_pod_is_restricted_sized_and_probed() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        let tempo = app(&apps, "tempo");
        assert_eq!(tempo.wave, Wave::Backends);
        for workload in workloads(tempo) {
            let name = &workload["metadata"]["name"];
            let pod = &workload["spec"]["template"]["spec"];
            assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
            let container = &pod["containers"][0];
            assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true, "{name}");
            assert!(container["resources"]["limits"]["memory"].is_string(), "{name}");
            assert!(container["resources"]["requests"]["cpu"].is_string(), "{name}");
            assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready", "{name}");
            assert!(container["livenessProbe"]["httpGet"]["path"].is_string(), "{name}");
            let mounts = container["volumeMounts"].as_array().unwrap();
            for path in ["/var/tempo", "/tmp"] {
                assert!(mounts.iter().any(|m| m["mountPath"] == path), "{name}: {path}");
            }
        }
    }
}

#[test]
fn replicated_targets_have_budgets_and_every_target_a_monitor() {
    let local = render(Tier::Local, "{}").unwrap();
    let local = app(&local, "tempo");
    assert!(!local.objects.iter().any(|o| o.kind() == "PodDisruptionBudget"));
    object(local, "ServiceMonitor", "tempo");

    let production = render(Tier::Production, "{}").unwrap();
    let production = app(&production, "tempo");
    for target in ["distributor", "ingester", "querier", "query-frontend", "compactor", "metrics-generator"] {
        let name = format!("tempo-{target}");
        assert_eq!(object(production, "PodDisruptionBudget", &name)["spec"]["maxUnavailable"], 1);
        let monitor = object(production, "ServiceMonitor", &name);
        assert_eq!(monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"], target);
    }
}

#[test]
fn unpinned_images_are_refused_at_their_line() {
    for image in ["grafana/tempo", "grafana/tempo:latest", "registry.local:5000/tempo"] {
        let errors = failure(Tier::Local, &format!("tempo:\n  image: {image}\n"));
        assert!(
            matches!(&errors[0], ModuleError::Option { key, pos: Some(p), .. } if key == "components.tempo.image" && p.line == 2),
            "{image}: {errors:?}"
        );
    }
    let apps = render(Tier::Local, "tempo:\n  image: registry.local:5000/tempo:1.2.3\n").unwrap();
    let workload = object(app(&apps, "tempo"), "StatefulSet", "tempo");
    assert_eq!(workload["spec"]["template"]["spec"]["containers"][0]["image"], "registry.local:5000/tempo:1.2.3");
}

/// The config file per tier; the objects around it are the end-to-end snapshot in `generated/`.
#[test]
fn config_file_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        insta::assert_snapshot!(
            format!("tempo-config-{}", tier.as_str()),
            testing::config_file(app(&apps, "tempo"), "tempo-config", "tempo.yaml")
        );
    }
}

/// Production runs two Prometheus replicas: the generator writes to both, so span metrics and
/// service graphs are on whichever replica Grafana reads.
#[test]
fn metrics_generator_writes_to_every_prometheus_replica() {
    let apps = render(Tier::Production, "{}").unwrap();
    let config = config(app(&apps, "tempo"));
    let urls: Vec<&str> = config["metrics_generator"]["storage"]["remote_write"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "http://prometheus-platform-0.prometheus-operated.observability.svc.cluster.local:9090/api/v1/write",
            "http://prometheus-platform-1.prometheus-operated.observability.svc.cluster.local:9090/api/v1/write",
        ]
    );
}

/// Trace to logs runs a query of its own, reading the trace id from the structured metadata
/// that Loki's OTLP ingestion writes, rather than Grafana's default `label_format` query;
/// traces link to span metrics whose queries parse as PromQL.
#[test]
fn the_datasource_correlates_traces_with_logs_and_metrics() {
    let ds = super::datasource::datasource("http://tempo:3200".into());
    assert_eq!((ds.plugin.as_str(), ds.role), ("tempo", Role::TRACES));
    let to = |at: &str| ds.correlations.iter().find(|c| c.at == at).unwrap_or_else(|| panic!("no {at}"));
    let logs = to("tracesToLogsV2");
    assert_eq!(logs.to, Role::LOGS);
    assert_eq!(logs.value["customQuery"], true);
    assert_eq!(logs.value["query"], r#"{${__tags}} | trace_id="${__trace.traceId}""#);
    assert_eq!(logs.value["tags"][0]["value"], "service_name", "the selector is the service's streams");
    let metrics = to("tracesToMetrics");
    assert_eq!(metrics.to, Role::METRICS);
    assert_eq!(to("serviceMap").to, Role::METRICS);
    let queries = metrics.value["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 3);
    for q in queries {
        // Grafana expands `$__tags` to the span's label matchers.
        let expr = q["query"].as_str().unwrap().replace("$__tags", "service=\"checkout\"");
        promql_parser::parser::parse(&expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    }
}
