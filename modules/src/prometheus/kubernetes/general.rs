//! The general group: the dead man's switch and the inhibitor of info alerts.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

pub(crate) fn general() -> RuleSet {
    RuleSet {
        name: "kubernetes-general",
        records: vec![],
        alerts: vec![
            alert("Watchdog", Silent, "0s", "vector(1)")
                .about(
                    "The alerting pipeline works",
                    "This alert always fires. Alertmanager sends it to the dead man's switch receiver; when that service stops hearing it, Prometheus, Alertmanager or the path between them is broken.",
                )
                .runbook(
                    "None while it fires. If the dead man's switch service reports it missing, no other alert reaches anyone.",
                    "Check that the Prometheus and Alertmanager pods run, that Prometheus lists Alertmanager under Status → Runtime, and that the dead man's switch receiver's URL Secret is right.",
                    "Restore whichever part stopped; never silence this alert.",
                )
                .test::<&str>(&[], &[]),
            alert(
                "InfoInhibitor",
                Silent,
                "0s",
                r#"ALERTS{severity="info"} == 1 unless on (namespace) ALERTS{alertname!="InfoInhibitor", alertstate="firing", severity=~"warning|critical"} == 1"#,
            )
            .about(
                "Inhibits info alerts of namespace {{ $labels.namespace }}",
                "Info alerts of namespace {{ $labels.namespace }} are held back while no warning or critical alert fires there; Alertmanager routes this alert to the null receiver.",
            )
            .runbook(
                "None: it only keeps info alerts quiet unless something worse fires in their namespace.",
                "List the firing info alerts of the namespace in Alertmanager's UI, with the inhibited ones shown.",
                "Nothing to fix. Route it to a receiver that drops it, as the default configuration does.",
            )
            .test(
                &[
                    (r#"ALERTS{alertname="CPUThrottlingHigh", alertstate="firing", namespace="shop", severity="info"}"#, "1", "1"),
                    (r#"ALERTS{alertname="KubePodNotReady", alertstate="firing", namespace="shop", severity="warning"}"#, "_", "1"),
                ],
                &[("alertstate", "firing"), ("namespace", "shop")],
            ),
        ],
    }
}
