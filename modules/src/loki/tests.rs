//! Tests of the loki module: tier tables, option errors and the objects and config files it renders.

use serde_json::Value;

use crate::contract::{App, ModuleError, Tier};
use crate::testing::{self, app, context, env, object, platform, render};

/// The parsed config file of the Loki app.
fn config(loki: &App) -> Value {
    let text = object(loki, "ConfigMap", "loki-config")["data"]["config.yaml"].as_str().unwrap();
    serde_saphyr::from_str(text).unwrap()
}

/// Every value under a key named `key`, anywhere in `value`.
fn values_of<'a>(value: &'a Value, key: &str, found: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key {
                    found.push(v);
                }
                values_of(v, key, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| values_of(v, key, found)),
        _ => {}
    }
}

/// The errors of a render that must fail.
fn failure(tier: Tier, components: &str) -> Vec<ModuleError> {
    match render(tier, components) {
        Ok(_) => panic!("rendering {components:?} should fail"),
        Err(errors) => errors,
    }
}

fn workloads(loki: &App) -> Vec<&Value> {
    loki.objects.iter().filter(|o| o.kind() == "StatefulSet" || o.kind() == "Deployment").map(|o| o.body()).collect()
}

fn args(workload: &Value) -> Vec<&str> {
    workload["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn production_differs_from_local() {
    let local = render(Tier::Local, "{}").unwrap();
    let production = render(Tier::Production, "{}").unwrap();
    let (local, production) = (app(&local, "loki"), app(&production, "loki"));

    assert_eq!(config(local)["limits_config"]["retention_period"], "24h");
    assert_eq!(config(production)["limits_config"]["retention_period"], "720h");

    let volume =
        |sts: &Value| sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"].clone();
    assert_eq!(volume(object(local, "StatefulSet", "loki")), "5Gi");
    assert_eq!(volume(object(production, "StatefulSet", "loki-write")), "50Gi");
    assert_eq!(volume(object(production, "StatefulSet", "loki-backend")), "50Gi");

    // Local: one single-binary pod with in-memory rings.
    let single = object(local, "StatefulSet", "loki");
    assert_eq!(single["spec"]["replicas"], 1);
    assert!(args(single).contains(&"-target=all"));
    assert_eq!(workloads(local).len(), 1);
    assert_eq!(config(local)["common"]["ring"]["kvstore"]["store"], "inmemory");
    assert!(config(local).get("memberlist").is_none());

    // Production: write, read and backend targets, replication 3, memberlist.
    for (kind, name, target, replicas) in [
        ("StatefulSet", "loki-write", "-target=write", 3),
        ("Deployment", "loki-read", "-target=read", 2),
        ("StatefulSet", "loki-backend", "-target=backend", 2),
    ] {
        let workload = object(production, kind, name);
        assert_eq!(workload["spec"]["replicas"], replicas, "{name}");
        assert!(args(workload).contains(&target), "{name}");
    }
    let spread = |w: &Value| w["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["topologyKey"].clone();
    assert_eq!(spread(object(production, "StatefulSet", "loki-write")), "kubernetes.io/hostname");
    assert!(spread(single).is_null());
    let prod = config(production);
    assert_eq!(prod["common"]["replication_factor"], 3);
    assert_eq!(prod["ruler"]["enable_sharding"], true);
    assert_eq!(config(local)["ruler"]["enable_sharding"], false);
    assert_eq!(prod["common"]["ring"]["kvstore"]["store"], "memberlist");
    assert_eq!(prod["memberlist"]["join_members"][0], "loki-headless.observability.svc.cluster.local:7946");
    assert_eq!(prod["memberlist"]["cluster_label"], "observability-loki");
    assert_eq!(object(production, "Service", "loki-headless")["spec"]["clusterIP"], "None");
    // Queriers of the read target find the index gateways of the backend target.
    assert_eq!(
        prod["storage_config"]["tsdb_shipper"]["index_gateway_client"]["server_address"],
        "dns+loki-backend-headless.observability.svc.cluster.local:9095"
    );
    let gateways = object(production, "Service", "loki-backend-headless");
    assert_eq!(gateways["spec"]["selector"]["app.kubernetes.io/component"], "backend");
    assert!(config(local)["storage_config"].get("tsdb_shipper").is_none());
}

#[test]
fn staging_is_the_smallest_scalable_layout() {
    let apps = render(Tier::Staging, "{}").unwrap();
    let loki = app(&apps, "loki");
    assert_eq!(object(loki, "StatefulSet", "loki-write")["spec"]["replicas"], 1);
    assert_eq!(object(loki, "Deployment", "loki-read")["spec"]["replicas"], 2);
    assert_eq!(object(loki, "StatefulSet", "loki-backend")["spec"]["replicas"], 1);
    assert_eq!(config(loki)["common"]["replication_factor"], 1);
    assert_eq!(config(loki)["limits_config"]["retention_period"], "168h");
}

#[test]
fn buckets_in_the_config_are_exactly_the_claimed_ones() {
    for tier in [Tier::Local, Tier::Production] {
        let components = "loki:\n  chunksBucket: logs-a\n  rulerBucket: rules-b\n";
        let ctx = context(&platform(components), env(tier)).unwrap();
        let mut claimed: Vec<&str> =
            ctx.buckets().iter().filter(|b| b.owner == "loki").map(|b| b.name.as_str()).collect();
        claimed.sort_unstable();
        let apps = render(tier, components).unwrap();
        let config = config(app(&apps, "loki"));
        let mut used = Vec::new();
        values_of(&config, "bucketnames", &mut used);
        let mut used: Vec<&str> = used.iter().filter_map(|v| v.as_str()).collect();
        used.sort_unstable();
        assert_eq!(used, claimed, "{tier:?}");
        assert_eq!(claimed, ["logs-a", "rules-b"]);
    }
}

#[test]
fn s3_endpoint_and_credentials_come_from_the_store() {
    let ctx = context(&platform("{}"), env(Tier::Production)).unwrap();
    let store = ctx.s3("test").unwrap();
    let apps = render(Tier::Production, "{}").unwrap();
    let loki = app(&apps, "loki");
    let config = config(loki);
    let mut endpoints = Vec::new();
    values_of(&config, "endpoint", &mut endpoints);
    assert_eq!(endpoints.len(), 2, "chunks and rules");
    for endpoint in endpoints {
        assert_eq!(endpoint.as_str(), Some(store.endpoint.authority().as_str()));
    }
    assert_eq!(config["storage_config"]["aws"]["region"], store.region.as_str());
    assert_eq!(config["storage_config"]["aws"]["s3forcepathstyle"], true);
    // Credentials are placeholders, filled from the store's Secret at start.
    assert_eq!(config["storage_config"]["aws"]["access_key_id"], "${AWS_ACCESS_KEY_ID}");
    assert_eq!(config["ruler"]["storage"]["s3"]["secret_access_key"], "${AWS_SECRET_ACCESS_KEY}");
    for workload in workloads(loki).into_iter().filter(|w| w["metadata"]["name"] != "loki-gateway") {
        let container = &workload["spec"]["template"]["spec"]["containers"][0];
        assert!(args(workload).contains(&"-config.expand-env=true"));
        let env = &container["env"];
        assert_eq!(env[0]["name"], "AWS_ACCESS_KEY_ID");
        assert_eq!(env[0]["valueFrom"]["secretKeyRef"]["name"], store.credentials_secret.as_str());
        assert_eq!(env[0]["valueFrom"]["secretKeyRef"]["key"], store.access_key_id_key.as_str());
        assert_eq!(env[1]["valueFrom"]["secretKeyRef"]["key"], store.secret_access_key_key.as_str());
    }
}

#[test]
fn without_garage_loki_names_the_missing_store() {
    let errors = failure(Tier::Local, "garage:\n  enabled: false\n");
    assert!(errors.iter().any(|e| matches!(e, ModuleError::MissingLink { consumer: "loki", .. })), "{errors:?}");
}

#[test]
fn otlp_labels_structured_metadata_and_retention() {
    let apps = render(Tier::Local, "{}").unwrap();
    let config = config(app(&apps, "loki"));
    let otlp = &config["limits_config"]["otlp_config"]["resource_attributes"];
    assert_eq!(otlp["ignore_defaults"], true);
    assert_eq!(otlp["attributes_config"][0]["action"], "index_label");
    let labels = otlp["attributes_config"][0]["attributes"].as_array().unwrap();
    for attribute in ["service.name", "k8s.namespace.name"] {
        assert!(labels.iter().any(|l| l == attribute), "{attribute}");
    }
    assert!(!labels.iter().any(|l| l == "k8s.pod.name"), "one stream per pod");
    assert_eq!(config["limits_config"]["allow_structured_metadata"], true);
    assert_eq!(config["compactor"]["retention_enabled"], true);
    assert_eq!(config["compactor"]["delete_request_store"], "s3");
    let period = &config["schema_config"]["configs"][0];
    assert_eq!((period["schema"].as_str(), period["store"].as_str()), (Some("v13"), Some("tsdb")));
}

#[test]
fn retention_must_be_at_least_a_day() {
    let errors = failure(Tier::Local, "loki:\n  retention: 12h\n");
    assert!(matches!(&errors[0], ModuleError::Option { key, .. } if key == "components.loki.retention"), "{errors:?}");
    let apps = render(Tier::Local, "loki:\n  retention: 14d\n").unwrap();
    assert_eq!(config(app(&apps, "loki"))["limits_config"]["retention_period"], "336h");
}

#[test]
fn replication_needs_enough_ingesters() {
    let errors = failure(Tier::Local, "loki:\n  replicationFactor: 3\n");
    assert!(errors[0].to_string().contains("replication factor 3 needs as many ingesters, and 1 run"), "{errors:?}");
    let errors = failure(Tier::Production, "loki:\n  replicationFactor: 3\n  replicas:\n    write: 2\n");
    assert!(errors[0].to_string().contains("and 2 run (replicas.write)"), "{errors:?}");
    // Left unset, the factor shrinks to fit the ingesters.
    let apps = render(Tier::Production, "loki:\n  replicas:\n    write: 2\n").unwrap();
    assert_eq!(config(app(&apps, "loki"))["common"]["replication_factor"], 2);
}

#[test]
fn every_pod_is_restricted_sized_and_probed() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        let loki = app(&apps, "loki");
        assert_eq!(loki.wave, crate::contract::Wave::Backends);
        for workload in workloads(loki) {
            let name = &workload["metadata"]["name"];
            let pod = &workload["spec"]["template"]["spec"];
            assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
            for container in pod["containers"].as_array().unwrap() {
                assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true, "{name}");
                assert!(container["resources"]["limits"]["memory"].is_string(), "{name}");
                assert!(container["resources"]["requests"]["cpu"].is_string(), "{name}");
                assert!(container["livenessProbe"].is_object(), "{name}");
                assert!(container["readinessProbe"]["httpGet"]["path"].is_string(), "{name}");
                let mounts = container["volumeMounts"].as_array().unwrap();
                assert!(mounts.iter().any(|m| m["mountPath"] == "/tmp"), "{name}");
                let image = container["image"].as_str().unwrap();
                assert!(image.contains(':') && !image.ends_with(":latest"), "{name}: {image}");
            }
            if workload["metadata"]["name"] != "loki-gateway" {
                let container = &pod["containers"][0];
                assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready", "{name}");
                assert!(container["volumeMounts"].as_array().unwrap().iter().any(|m| m["mountPath"] == "/var/loki"));
            }
        }
    }
}

#[test]
fn replicated_targets_have_budgets_and_every_target_a_monitor() {
    let local = render(Tier::Local, "{}").unwrap();
    let local = app(&local, "loki");
    assert!(!local.objects.iter().any(|o| o.kind() == "PodDisruptionBudget"));
    object(local, "ServiceMonitor", "loki");

    let production = render(Tier::Production, "{}").unwrap();
    let production = app(&production, "loki");
    for name in ["loki-write", "loki-read", "loki-backend", "loki-gateway"] {
        let budget = object(production, "PodDisruptionBudget", name);
        assert_eq!(budget["spec"]["maxUnavailable"], 1);
    }
    for target in ["write", "read", "backend"] {
        let monitor = object(production, "ServiceMonitor", &format!("loki-{target}"));
        assert_eq!(monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"], target);
        assert_eq!(monitor["spec"]["endpoints"][0]["port"], "http");
    }
}

#[test]
fn one_entry_point_serves_the_link_and_the_datasource() {
    for tier in [Tier::Local, Tier::Production] {
        let ctx = context(&platform("{}"), env(tier)).unwrap();
        let link = ctx.endpoint(crate::contract::Link::LogsQueryHttp, "test").unwrap();
        assert_eq!((link.service.as_str(), link.port), ("loki", 3100));
        let datasource = ctx.datasource(crate::contract::Role::LOGS).unwrap();
        assert_eq!((datasource.uid.as_str(), datasource.url.as_str()), ("loki", link.url().as_str()));
        let apps = render(tier, "{}").unwrap();
        let service = object(app(&apps, "loki"), "Service", "loki");
        assert_eq!(service["spec"]["ports"][0]["port"], 3100);
    }
    // In the scalable layout the gateway routes each API to its target.
    let apps = render(Tier::Production, "{}").unwrap();
    let loki = app(&apps, "loki");
    let selector = &object(loki, "Service", "loki")["spec"]["selector"];
    assert_eq!(selector["app.kubernetes.io/name"], "loki-gateway");
    let nginx = object(loki, "ConfigMap", "loki-gateway")["data"]["nginx.conf"].as_str().unwrap();
    let route = |location: &str| nginx.split(location).nth(1).and_then(|rest| rest.lines().nth(1)).unwrap_or("");
    assert!(route("location = /otlp/v1/logs").contains("loki-write."), "{nginx}");
    assert!(route("location ^~ /loki/api/v1/rules").contains("loki-backend."), "{nginx}");
    assert!(route("location / ").contains("loki-read."), "{nginx}");
}

#[test]
fn unpinned_images_are_refused_at_their_line() {
    for image in ["grafana/loki", "grafana/loki:latest", "registry.local:5000/loki"] {
        let errors = failure(Tier::Local, &format!("loki:\n  image: {image}\n"));
        assert!(
            matches!(&errors[0], ModuleError::Option { key, pos: Some(p), .. } if key == "components.loki.image" && p.line == 2),
            "{image}: {errors:?}"
        );
    }
    let apps = render(Tier::Local, "loki:\n  image: registry.local:5000/loki:1.2.3\n").unwrap();
    let workload = object(app(&apps, "loki"), "StatefulSet", "loki");
    assert_eq!(workload["spec"]["template"]["spec"]["containers"][0]["image"], "registry.local:5000/loki:1.2.3");
}

/// The config file per tier; the objects around it are the end-to-end snapshot in `generated/`.
#[test]
fn config_file_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        insta::assert_snapshot!(
            format!("loki-config-{}", tier.as_str()),
            testing::config_file(app(&apps, "loki"), "loki-config", "config.yaml")
        );
    }
}

#[test]
fn the_ruler_alerts_through_alertmanager_when_the_platform_has_one() {
    let apps = render(Tier::Local, "{}").unwrap();
    assert_eq!(
        config(app(&apps, "loki"))["ruler"]["alertmanager_url"],
        "http://alertmanager.observability.svc.cluster.local:9093"
    );
    let apps = render(Tier::Local, "prometheus: {enabled: false}\ntempo: {enabled: false}\ncollector: {enabled: false}\ngrafana: {enabled: false}\n").unwrap();
    assert!(config(app(&apps, "loki"))["ruler"].get("alertmanager_url").is_none(), "no Alertmanager, no URL");
}

/// Log lines link to their trace, by the structured metadata OTLP writes and by a trace id in
/// the line's text.
#[test]
fn the_datasource_links_log_lines_to_traces() {
    let ds = super::datasource::datasource("http://loki:3100".into());
    assert_eq!((ds.plugin.as_str(), ds.role), ("loki", crate::contract::Role::LOGS));
    let fields: Vec<_> = ds.correlations.iter().filter(|c| c.at == "derivedFields[]").collect();
    assert_eq!(fields.len(), 2);
    assert!(fields.iter().all(|c| c.to == crate::contract::Role::TRACES && c.value["url"] == "${__value.raw}"));
    assert_eq!(
        (&fields[0].value["matcherType"], &fields[0].value["matcherRegex"]),
        (&"label".into(), &"trace_id".into())
    );
    assert_eq!(fields[1].value["matcherType"], "regex");
}
