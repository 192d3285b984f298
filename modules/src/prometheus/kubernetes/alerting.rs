//! Alertmanager, prometheus-operator and the config-reloader sidecars: the machinery that
//! turns rules into notifications.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

const AM: &[(&str, &str)] = &[("namespace", "observability"), ("job", "alertmanager")];

pub(crate) fn alertmanager() -> RuleSet {
    RuleSet {
        name: "alertmanager",
        records: vec![],
        alerts: vec![
            alert("AlertmanagerFailedReload", Critical, "10m", "max_over_time(alertmanager_config_last_reload_successful[5m]) == 0")
                .about("Alertmanager cannot load its configuration", "Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} failed to reload its configuration and runs on the previous one.")
                .runbook("Routing changes are not applied; a restarted pod would not start.", "`kubectl logs -c alertmanager` names the broken key; `amtool check-config` on the rendered configuration.", "Fix the routing in the env file (or the Secret it reads) and render again.")
                .test(&[(r#"alertmanager_config_last_reload_successful{namespace="observability", pod="alertmanager-platform-0"}"#, "0", "1")], &[("namespace", "observability"), ("pod", "alertmanager-platform-0")]),
            alert("AlertmanagerMembersInconsistent", Critical, "15m", "max_over_time(alertmanager_cluster_members[5m]) < on (namespace, job) group_left count by (namespace, job) (max_over_time(alertmanager_cluster_members[5m]))")
                .about("An Alertmanager does not see all its peers", "Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} sees fewer cluster members than there are replicas.")
                .runbook("Replicas do not share silences and notification state: notifications may be duplicated.", "Each pod's Status page (cluster peers) and logs; the gossip port 9094 between pods.", "Let the pods reach each other on port 9094 (network policies), then restart the isolated one.")
                .test(&[(r#"alertmanager_cluster_members{namespace="observability", job="alertmanager", pod="alertmanager-platform-0"}"#, "1", "2"), (r#"alertmanager_cluster_members{namespace="observability", job="alertmanager", pod="alertmanager-platform-1"}"#, "2", "2")], &[("namespace", "observability"), ("job", "alertmanager"), ("pod", "alertmanager-platform-0")]),
            alert("AlertmanagerClusterFailedToSendAlerts", Critical, "5m", "min by (namespace, job, integration) (rate(alertmanager_notifications_failed_total[5m]) / ignoring (reason) group_left rate(alertmanager_notifications_total[5m])) > 0.01")
                .about("Every Alertmanager fails to deliver through an integration", "All replicas of {{ $labels.job }} in {{ $labels.namespace }} fail to send more than 1% of notifications through {{ $labels.integration }}.")
                .runbook("Notifications through that integration are lost.", "The pods' logs name the receiver's error (unauthorised, unreachable).", "Fix the receiver's URL or key in its Secret, or the network path to it.")
                .test(&[(r#"alertmanager_notifications_failed_total{namespace="observability", job="alertmanager", pod="alertmanager-platform-0", integration="slack", reason="clientError"}"#, "0+5", "0"), (r#"alertmanager_notifications_total{namespace="observability", job="alertmanager", pod="alertmanager-platform-0", integration="slack"}"#, "0+10", "0+10")], &[("namespace", "observability"), ("job", "alertmanager"), ("integration", "slack")]),
            alert("AlertmanagerConfigInconsistent", Critical, "20m", r#"count by (namespace, job) (count_values by (namespace, job) ("config_hash", alertmanager_config_hash)) != 1"#)
                .about("Alertmanager replicas run different configurations", "The replicas of {{ $labels.job }} in {{ $labels.namespace }} have loaded different configurations.")
                .runbook("Alerts are routed differently depending on the replica that handles them.", "The config hash per pod on the Alertmanager dashboard; the pods' reload logs.", "Restart the replica that did not reload.")
                .test(&[(r#"alertmanager_config_hash{namespace="observability", job="alertmanager", pod="alertmanager-platform-0"}"#, "1", "1"), (r#"alertmanager_config_hash{namespace="observability", job="alertmanager", pod="alertmanager-platform-1"}"#, "2", "1")], AM),
            alert("AlertmanagerClusterDown", Critical, "5m", r#"count by (namespace, job) (avg_over_time(up{job="alertmanager"}[5m]) < 0.5) / count by (namespace, job) (up{job="alertmanager"}) >= 0.5"#)
                .about("Half of the Alertmanagers are down", "At least half of the replicas of {{ $labels.job }} in {{ $labels.namespace }} have been unreachable for most of the last 5 minutes.")
                .runbook("Notifications may not be sent at all.", "The pods' state and logs: `kubectl get pods -l app.kubernetes.io/name=alertmanager`.", "Restore the pods (resources, volumes, configuration).")
                .test(&[(r#"up{namespace="observability", job="alertmanager", pod="alertmanager-platform-0"}"#, "0", "1")], AM),
            alert("AlertmanagerClusterCrashlooping", Critical, "5m", r#"count by (namespace, job) (changes(process_start_time_seconds{job="alertmanager"}[10m]) > 4) / count by (namespace, job) (up{job="alertmanager"}) >= 0.5"#)
                .about("Half of the Alertmanagers restart repeatedly", "At least half of the replicas of {{ $labels.job }} in {{ $labels.namespace }} restarted more than four times in 10 minutes.")
                .runbook("Notification state is lost on every restart; notifications may be missed or repeated.", "`kubectl logs --previous` of the pods.", "Fix the crash the logs show (configuration, memory limit).")
                .test(&[(r#"process_start_time_seconds{namespace="observability", job="alertmanager", pod="alertmanager-platform-0"}"#, "0+60", "100"), (r#"up{namespace="observability", job="alertmanager", pod="alertmanager-platform-0"}"#, "1", "1")], AM),
        ],
    }
}

const OP: &[(&str, &str)] = &[("namespace", "observability"), ("controller", "prometheus")];

pub(crate) fn operator() -> RuleSet {
    RuleSet {
        name: "prometheus-operator",
        records: vec![],
        alerts: vec![
            alert("PrometheusOperatorListErrors", Warning, "15m", "sum by (namespace, controller) (rate(prometheus_operator_list_operations_failed_total[10m])) / sum by (namespace, controller) (rate(prometheus_operator_list_operations_total[10m])) > 0.4")
                .about("The operator fails to list objects", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} fails more than 40% of its list operations.")
                .runbook("Changes to monitors, rules or resources are not reconciled.", "The operator's logs: usually an RBAC refusal.", "Grant the operator's ClusterRole the missing permission.")
                .test(&[(r#"prometheus_operator_list_operations_failed_total{namespace="observability", controller="prometheus"}"#, "0+5", "0"), (r#"prometheus_operator_list_operations_total{namespace="observability", controller="prometheus"}"#, "0+10", "0+10")], OP),
            alert("PrometheusOperatorWatchErrors", Warning, "15m", "sum by (namespace, controller) (rate(prometheus_operator_watch_operations_failed_total[5m])) / sum by (namespace, controller) (rate(prometheus_operator_watch_operations_total[5m])) > 0.4")
                .about("The operator fails to watch objects", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} fails more than 40% of its watch operations.")
                .runbook("Changes to monitors, rules or resources are noticed late or never.", "The operator's logs.", "Fix the RBAC or API server problem they name.")
                .test(&[(r#"prometheus_operator_watch_operations_failed_total{namespace="observability", controller="prometheus"}"#, "0+5", "0"), (r#"prometheus_operator_watch_operations_total{namespace="observability", controller="prometheus"}"#, "0+10", "0+10")], OP),
            alert("PrometheusOperatorSyncFailed", Warning, "10m", r#"min_over_time(prometheus_operator_syncs{status="failed"}[5m]) > 0"#)
                .about("The operator fails to sync a resource", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} has resources it cannot sync.")
                .runbook("The Prometheus or Alertmanager StatefulSet does not reflect the resource.", "The operator's logs and `kubectl describe prometheus` / `alertmanager` status conditions.", "Fix the resource field the logs name.")
                .test(&[(r#"prometheus_operator_syncs{namespace="observability", controller="prometheus", status="failed"}"#, "1", "0")], &[("namespace", "observability"), ("controller", "prometheus"), ("status", "failed")]),
            alert("PrometheusOperatorReconcileErrors", Warning, "10m", "sum by (namespace, controller) (rate(prometheus_operator_reconcile_errors_total[5m])) / sum by (namespace, controller) (rate(prometheus_operator_reconcile_operations_total[5m])) > 0.1")
                .about("The operator fails to reconcile", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} fails more than 10% of its reconciliations.")
                .runbook("Changes to the stack's resources are not applied.", "The operator's logs.", "Fix the resource or permission the logs name.")
                .test(&[(r#"prometheus_operator_reconcile_errors_total{namespace="observability", controller="prometheus"}"#, "0+5", "0"), (r#"prometheus_operator_reconcile_operations_total{namespace="observability", controller="prometheus"}"#, "0+10", "0+10")], OP),
            alert("PrometheusOperatorStatusUpdateErrors", Warning, "10m", "sum by (namespace, controller) (rate(prometheus_operator_status_update_errors_total[5m])) / sum by (namespace, controller) (rate(prometheus_operator_status_update_operations_total[5m])) > 0.1")
                .about("The operator fails to update statuses", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} fails more than 10% of its status updates.")
                .runbook("Resource statuses (and Argo CD's health of them) are stale.", "The operator's logs: usually missing `*/status` permissions.", "Grant the operator's ClusterRole the status subresources.")
                .test(&[(r#"prometheus_operator_status_update_errors_total{namespace="observability", controller="prometheus"}"#, "0+5", "0"), (r#"prometheus_operator_status_update_operations_total{namespace="observability", controller="prometheus"}"#, "0+10", "0+10")], OP),
            alert("PrometheusOperatorNodeLookupErrors", Warning, "10m", "rate(prometheus_operator_node_address_lookup_errors_total[5m]) > 0.1")
                .about("The operator cannot resolve node addresses", "The operator in {{ $labels.namespace }} fails to find node addresses for the kubelet Service.")
                .runbook("The kubelet Service misses nodes, so their kubelets are not scraped.", "The operator's logs and `kubectl get nodes -o wide`.", "Make sure every node reports an InternalIP.")
                .test(&[(r#"prometheus_operator_node_address_lookup_errors_total{namespace="observability"}"#, "0+60", "0")], &[("namespace", "observability")]),
            alert("PrometheusOperatorNotReady", Warning, "5m", "min by (namespace, controller) (max_over_time(prometheus_operator_ready[5m]) == 0)")
                .about("An operator controller is not ready", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} is not ready.")
                .runbook("Nothing it manages is reconciled.", "The operator's logs since its start.", "Fix what keeps it from starting (permissions, missing CRDs).")
                .test(&[(r#"prometheus_operator_ready{namespace="observability", controller="prometheus"}"#, "0", "1")], OP),
            alert("PrometheusOperatorRejectedResources", Warning, "5m", r#"min_over_time(prometheus_operator_managed_resources{state="rejected"}[5m]) > 0"#)
                .about("The operator rejects resources", "The {{ $labels.controller }} controller of the operator in {{ $labels.namespace }} rejected {{ $labels.resource }} resources as invalid.")
                .runbook("The rejected monitors or rules are ignored: their targets are not scraped, their alerts do not exist.", "The operator's logs name each rejected resource and why; so do the resources' status conditions.", "Fix the rejected resources.")
                .test(&[(r#"prometheus_operator_managed_resources{namespace="observability", controller="prometheus", resource="servicemonitor", state="rejected"}"#, "1", "0")], &[("namespace", "observability"), ("controller", "prometheus"), ("resource", "servicemonitor"), ("state", "rejected")]),
            alert("ConfigReloaderSidecarErrors", Warning, "10m", "max_over_time(reloader_last_reload_successful[5m]) == 0")
                .about("A config-reloader fails to reload", "The config-reloader of {{ $labels.namespace }}/{{ $labels.pod }} failed to make its process reload its configuration.")
                .runbook("Configuration changes do not reach the running Prometheus or Alertmanager.", "`kubectl logs -c config-reloader` of the pod.", "Fix the configuration error the reloaded process reports, or restart the pod.")
                .test(&[(r#"reloader_last_reload_successful{namespace="observability", pod="prometheus-platform-0"}"#, "0", "1")], &[("namespace", "observability"), ("pod", "prometheus-platform-0")]),
            alert("ConfigReloaderApplyFailing", Warning, "10m", "increase(reloader_config_apply_operations_failed_total[10m]) > 0")
                .about("A config-reloader fails to write the configuration", "The config-reloader of {{ $labels.namespace }}/{{ $labels.pod }} failed to write the generated configuration.")
                .runbook("The pod keeps running the previous configuration.", "`kubectl logs -c config-reloader` of the pod.", "Fix the volume or template error the logs name.")
                .test(&[(r#"reloader_config_apply_operations_failed_total{namespace="observability", pod="prometheus-platform-0"}"#, "0+1", "2")], &[("namespace", "observability"), ("pod", "prometheus-platform-0")]),
        ],
    }
}
