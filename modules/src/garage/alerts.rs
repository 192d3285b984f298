//! Garage's alerts, with their runbooks and unit tests: storage nodes disconnected and
//! quorum lost. Handed to the context; the metrics component loads them.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

/// The rule group of Garage's alerts.
pub(crate) fn rule_set() -> RuleSet {
    const LABELS: &[(&str, &str)] = &[("namespace", "garage"), ("job", "garage")];
    RuleSet {
        name: "platform-storage",
        records: vec![],
        alerts: vec![
            alert("GarageUnhealthy", Warning, "10m", "min by (namespace, job) (cluster_healthy) == 0")
                .about("Garage has disconnected storage nodes", "Not every storage node of {{ $labels.job }} in {{ $labels.namespace }} is connected: data is less redundant until it returns.")
                .runbook("Data is less redundant until the node returns.", "`garage status` in a Garage pod.", "Bring the storage node back, or replace it in the layout.")
                .test(&[(r#"cluster_healthy{namespace="garage", job="garage"}"#, "0", "1")], LABELS),
            alert("GarageUnhealthy", Critical, "5m", "min by (namespace, job) (cluster_available) == 0")
                .about("Garage cannot serve every request", "{{ $labels.job }} has lost quorum for some partitions: Loki and Tempo cannot read or write all their data.")
                .runbook("Loki and Tempo cannot read or write part of their data.", "`garage status` and `garage stats` in a Garage pod.", "Bring back enough storage nodes to restore quorum.")
                .test(&[(r#"cluster_healthy{namespace="garage", job="garage"}"#, "0", "1"), (r#"cluster_available{namespace="garage", job="garage"}"#, "0", "1")], LABELS)
                .also_fires(Warning, LABELS),
        ],
    }
}
