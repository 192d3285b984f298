//! Tests of the garage module: tier tables, option errors and the objects and config files it renders.

use crate::contract::{App, Declarations, Endpoint, Link, Module, ModuleError, Tier, Wave};
use crate::testing::{self, app, env, object, render};

use super::GarageModule;

#[test]
fn tiers_size_garage() {
    for (tier, replicas, data, factor) in
        [(Tier::Local, 1, "10Gi", 1), (Tier::Staging, 1, "50Gi", 1), (Tier::Production, 3, "200Gi", 3)]
    {
        let apps = render(tier, "{}").unwrap();
        let garage = app(&apps, "garage");
        let sts = object(garage, "StatefulSet", "garage");
        assert_eq!(sts["spec"]["replicas"], replicas, "{tier:?}");
        assert_eq!(
            sts["spec"]["volumeClaimTemplates"][1]["spec"]["resources"]["requests"]["storage"], data,
            "{tier:?}"
        );
        let toml = object(garage, "ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap();
        assert!(toml.contains(&format!("replication_factor = {factor}\n")), "{tier:?}: {toml}");
    }
}

/// The config names the files Garage reads its secrets from, never a secret; the files are
/// owner-only copies the init container makes from the mounted Secret, in memory; no
/// container gets a secret through its environment.
#[test]
fn secrets_are_files_never_config_or_environment() {
    let apps = render(Tier::Local, "{}").unwrap();
    let garage = app(&apps, "garage");
    let toml = object(garage, "ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap();
    for (key, file) in [
        ("rpc_secret_file", "rpc-secret"),
        ("admin_token_file", "admin-token"),
        ("metrics_token_file", "metrics-token"),
    ] {
        assert!(toml.contains(&format!("{key} = \"/run/secrets/garage/{file}\"\n")), "{key}: {toml}");
    }
    assert!(!toml.contains("rpc_secret =") && !toml.contains("admin_token =") && !toml.contains("world"), "{toml}");
    let pod = &object(garage, "StatefulSet", "garage")["spec"]["template"]["spec"];
    let volumes = pod["volumes"].as_array().unwrap();
    let credentials = volumes.iter().find(|v| v["name"] == "credentials").expect("the Secret's volume");
    assert_eq!(credentials["secret"]["secretName"], "garage-credentials");
    let copies = volumes.iter().find(|v| v["name"] == "secrets").expect("the copies' volume");
    assert_eq!(copies["emptyDir"]["medium"], "Memory");
    let init = &pod["initContainers"][0];
    assert_eq!(init["command"][2], super::objects::secrets_copy_script());
    for container in pod["containers"].as_array().unwrap().iter().chain([init]) {
        assert!(container.get("env").is_none(), "{}: {container}", container["name"]);
    }
}

#[test]
fn dev_credentials_only_in_local() {
    let local = render(Tier::Local, "{}").unwrap();
    assert!(app(&local, "garage").objects.iter().any(|o| o.kind() == "Secret"));
    let staging = render(Tier::Staging, "{}").unwrap();
    assert!(!app(&staging, "garage").objects.iter().any(|o| o.kind() == "Secret"));
    let errors = render(Tier::Production, "garage:\n  credentials:\n    devDefaults: true\n").unwrap_err();
    assert!(
        matches!(&errors[0], ModuleError::Option { key, pos: Some(p), .. } if key == "components.garage.credentials.devDefaults" && p.line == 3),
        "{errors:?}"
    );
}

#[test]
fn replication_needs_enough_nodes() {
    let errors = render(Tier::Local, "garage:\n  replicationFactor: 3\n").unwrap_err();
    assert!(errors[0].to_string().contains("replication factor 3 needs as many nodes, and 1 run"), "{errors:?}");
}

/// The config file per tier; the objects around it are the end-to-end snapshot in `generated/`.
#[test]
fn config_file_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render_claimed(tier, "{}", true).unwrap();
        insta::assert_snapshot!(
            format!("garage-config-{}", tier.as_str()),
            testing::config_file(app(&apps, "garage"), "garage-config", "garage.toml")
        );
    }
}

/// Renders Garage alone, with two claimed buckets and, if `prometheus`, a Prometheus in the
/// `monitoring` namespace, so these tests do not depend on the other modules.
fn render_claimed(tier: Tier, options: &str, prometheus: bool) -> Result<Vec<App>, ModuleError> {
    let mut decl = Declarations::default();
    let garage = testing::declare::<GarageModule>(options, &env(tier), &mut decl)?;
    decl.need_bucket("loki", "loki-chunks");
    decl.need_bucket("tempo", "tempo-traces");
    if prometheus {
        let endpoint = Endpoint {
            service: "prometheus".into(),
            namespace: "monitoring".into(),
            port: 9090,
            port_name: "http".into(),
            scheme: "http",
        };
        decl.provide("prometheus", Link::MetricsQueryHttp, endpoint);
    }
    let ctx = decl.into_context(env(tier)).map_err(|errors| errors[0].clone())?;
    GarageModule::render(&garage, &ctx)
}

fn script(apps: &[App]) -> String {
    object(app(apps, "garage-setup"), "ConfigMap", "garage-setup-script")["data"]["bootstrap.sh"]
        .as_str()
        .expect("script is text")
        .to_owned()
}

#[test]
fn setup_runs_after_storage_as_a_recreated_hook() {
    let apps = render_claimed(Tier::Production, "{}", false).unwrap();
    let setup = app(&apps, "garage-setup");
    assert_eq!(setup.wave, Wave::StorageSetup);
    assert!(app(&apps, "garage").wave < setup.wave);
    let job = object(setup, "Job", "garage-setup");
    assert_eq!(job["metadata"]["annotations"]["argocd.argoproj.io/hook"], "Sync");
    assert_eq!(job["metadata"]["annotations"]["argocd.argoproj.io/hook-delete-policy"], "BeforeHookCreation");
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["restartPolicy"], "Never");
    let container = &pod["containers"][0];
    assert_eq!(container["image"], "curlimages/curl:8.20.0");
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert!(container["resources"]["limits"]["memory"].is_string());
    assert!(container.get("env").is_none(), "credentials come as files: {container}");
    let mounted = |path: &str| {
        let mount = container["volumeMounts"].as_array().unwrap().iter().find(|m| m["mountPath"] == path).expect(path);
        let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == mount["name"]).unwrap();
        let keys: Vec<&str> = volume["secret"]["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
        (volume["secret"]["secretName"].as_str().unwrap().to_owned(), keys)
    };
    assert_eq!(mounted("/credentials/garage"), ("garage-credentials".into(), vec!["admin-token"]));
    assert_eq!(mounted("/credentials/s3"), ("s3-credentials".into(), vec!["access-key-id", "secret-access-key"]));
}

#[test]
fn the_script_sets_up_every_claimed_bucket_and_every_node() {
    let script = script(&render_claimed(Tier::Production, "{}", false).unwrap());
    assert!(script.contains("\nBUCKETS=\"loki-chunks tempo-traces\"\n"), "{script}");
    for node in 0..3 {
        let host = format!("garage-{node}.garage-rpc.observability.svc.cluster.local");
        assert!(script.contains(&format!("{host}:3903,{host}:3901")), "node {node}: {script}");
    }
    assert!(!script.contains("garage-3."), "only the three nodes");
    assert!(script.contains(&format!("\nCAPACITY={}\n", 200_u64 << 30)), "the data volume: {script}");
    for endpoint in [
        "GetNodeInfo",
        "ConnectClusterNodes",
        "UpdateClusterLayout",
        "ApplyClusterLayout",
        "ImportKey",
        "CreateBucket",
        "AllowBucketKey",
    ] {
        assert!(script.contains(&format!("/{endpoint}")), "{endpoint}");
    }
}

#[test]
fn the_script_is_posix_sh() {
    let script = script(&render_claimed(Tier::Local, "{}", false).unwrap());
    // dash is a strict POSIX shell: bash-only syntax fails its parse.
    let shell =
        ["dash", "sh"].into_iter().find(|s| std::process::Command::new(s).arg("-c").arg("true").output().is_ok());
    let shell = shell.expect("a POSIX shell (dash or sh) to check the script with");
    let checked = std::process::Command::new(shell).arg("-n").arg("-c").arg(&script).output().unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
}

#[test]
fn bucket_names_that_are_not_s3_names_are_refused() {
    let mut decl = Declarations::default();
    let garage = testing::declare::<GarageModule>("{}", &env(Tier::Local), &mut decl).unwrap();
    decl.need_bucket("loki", "Loki_Chunks\"; rm -rf /");
    let ctx = decl.into_context(env(Tier::Local)).unwrap();
    let error = GarageModule::render(&garage, &ctx).unwrap_err();
    assert!(error.to_string().contains("is not a valid S3 bucket name"), "{error}");
}

/// With a metrics store, a ServiceMonitor scrapes the admin port with the metrics token;
/// without one, none. (Who may reach the port is the engine's network policies' job.)
#[test]
fn prometheus_scrapes_the_admin_port_with_the_metrics_token() {
    for prometheus in [false, true] {
        let apps = render_claimed(Tier::Staging, "{}", prometheus).unwrap();
        let garage = app(&apps, "garage");
        assert!(!garage.objects.iter().any(|o| o.kind() == "NetworkPolicy"), "policies come from the link graph");
        let monitors = garage.objects.iter().filter(|o| o.kind() == "ServiceMonitor").count();
        if prometheus {
            let monitor = object(garage, "ServiceMonitor", "garage");
            let endpoint = &monitor["spec"]["endpoints"][0];
            assert_eq!((endpoint["port"].as_str(), endpoint["path"].as_str()), (Some("admin"), Some("/metrics")));
            assert_eq!(endpoint["authorization"]["credentials"]["key"], "metrics-token");
        } else {
            assert_eq!(monitors, 0);
        }
        let toml = object(garage, "ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap();
        assert!(toml.contains("metrics_token_file = "), "metrics need a token: {toml}");
    }
}

/// The bootstrap script per tier: what the setup Job runs against Garage's admin API.
#[test]
fn bootstrap_script_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render_claimed(tier, "{}", true).unwrap();
        insta::assert_snapshot!(format!("garage-bootstrap-{}", tier.as_str()), script(&apps));
    }
}

/// Several nodes re-form by themselves after all restarted on new addresses: a reconnect
/// loop runs beside each, names every node by its stable DNS name, and may reach the other
/// nodes' admin API. One node has no peer and no loop.
#[test]
fn several_nodes_reconnect_by_themselves() {
    let apps = render_claimed(Tier::Production, "{}", true).unwrap();
    let garage = app(&apps, "garage");
    let pod = &object(garage, "StatefulSet", "garage")["spec"]["template"]["spec"];
    let loop_container = pod["containers"].as_array().unwrap().iter().find(|c| c["name"] == "reconnect");
    let loop_container = loop_container.expect("a reconnect container beside the node");
    assert_eq!(loop_container["command"][1], "/scripts/reconnect.sh");
    assert!(loop_container.get("env").is_none(), "the token is a file: {loop_container}");
    for probe in ["livenessProbe", "readinessProbe"] {
        // One pause (30 s) twice, and a round of 2 + 2 × 3 calls of at most 10 s each.
        assert_eq!(
            loop_container[probe]["exec"]["command"][2],
            "test -f /tmp/reconnect.alive && [ $(($(date +%s) - $(cat /tmp/reconnect.alive))) -lt 140 ]"
        );
    }
    assert_eq!(loop_container["securityContext"]["readOnlyRootFilesystem"], true);
    let script = object(garage, "ConfigMap", "garage-reconnect-script")["data"]["reconnect.sh"].as_str().unwrap();
    for i in 0..3 {
        let host = format!("garage-{i}.garage-rpc.observability.svc.cluster.local");
        assert!(script.contains(&format!("{host}:3903,{host}:3901")), "node {i} is named in:\n{script}");
    }
    assert!(script.contains("ConnectClusterNodes") && script.contains("GetNodeInfo?node=self"));

    let single = render_claimed(Tier::Staging, "{}", true).unwrap();
    let single = app(&single, "garage");
    let containers = &object(single, "StatefulSet", "garage")["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers.as_array().unwrap().len(), 1);
    assert!(!single.objects.iter().any(|o| o.name() == "garage-reconnect-script"));
}

#[test]
fn the_reconnect_script_is_posix_sh() {
    let apps = render_claimed(Tier::Production, "{}", false).unwrap();
    let script =
        object(app(&apps, "garage"), "ConfigMap", "garage-reconnect-script")["data"]["reconnect.sh"].as_str().unwrap();
    let shell =
        ["dash", "sh"].into_iter().find(|s| std::process::Command::new(s).arg("-c").arg("true").output().is_ok());
    let shell = shell.expect("a POSIX shell (dash or sh) to check the script with");
    let checked = std::process::Command::new(shell).arg("-n").arg("-c").arg(script).output().unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
}
