use crate::contract::{ModuleError, Tier};
use crate::testing::{app, object, render};

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

#[test]
fn secrets_never_enter_the_config() {
    let apps = render(Tier::Local, "{}").unwrap();
    let garage = app(&apps, "garage");
    let toml = object(garage, "ConfigMap", "garage-config")["data"]["garage.toml"].as_str().unwrap();
    assert!(!toml.contains("rpc_secret") && !toml.contains("admin_token"), "{toml}");
    let env = &object(garage, "StatefulSet", "garage")["spec"]["template"]["spec"]["containers"][0]["env"];
    assert_eq!(env[0]["valueFrom"]["secretKeyRef"]["name"], "garage-credentials");
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
    assert!(errors[0].to_string().contains("replication factor 3 needs between 1 and 1 nodes"), "{errors:?}");
}

#[test]
fn snapshot_per_tier() {
    for tier in [Tier::Local, Tier::Staging, Tier::Production] {
        let apps = render(tier, "{}").unwrap();
        let bodies: Vec<_> = app(&apps, "garage").objects.iter().map(|o| o.body().clone()).collect();
        insta::assert_yaml_snapshot!(format!("garage-{}", tier.as_str()), bodies);
    }
}
