//! The scheduler, controller-manager and kube-proxy: each is its own group, rendered only
//! where the env scrapes it (managed clusters hide the first two; kube-proxy listens on
//! localhost unless told otherwise).

use crate::contract::alerts::{RuleSet, Severity::*, alert};

pub(crate) const SCHEDULER_JOB: &str = "kube-scheduler";
pub(crate) const CONTROLLER_MANAGER_JOB: &str = "kube-controller-manager";
pub(crate) const KUBE_PROXY_JOB: &str = "kube-proxy";

pub(crate) fn scheduler() -> RuleSet {
    RuleSet {
        name: "kubernetes-scheduler",
        records: vec![],
        alerts: vec![
            alert("KubeSchedulerDown", Critical, "15m", format!(r#"absent(up{{job="{SCHEDULER_JOB}"}} == 1)"#))
                .about("The scheduler cannot be scraped", "Prometheus has scraped no kube-scheduler for 15 minutes.")
                .runbook("If the scheduler is down, new pods stay Pending; if only its metrics are unreachable, this group is blind.", "`kubectl -n kube-system get pods -l component=kube-scheduler` and Prometheus' Targets page.", "Restore the scheduler's static pod, or bind its metrics to an address Prometheus reaches (`--bind-address`).")
                .test(&[(r#"up{job="kube-scheduler", instance="10.0.0.1:10259"}"#, "0", "1")], &[]),
            alert("KubeSchedulerPendingPods", Warning, "30m", r#"sum(scheduler_pending_pods{queue="unschedulable"}) > 0"#)
                .about("Pods cannot be scheduled", "{{ $value }} pods have been unschedulable for 30 minutes.")
                .runbook("Those pods never start.", "`kubectl get pods -A --field-selector status.phase=Pending` and their events.", "Add capacity, or relax the pods' node selectors, affinities or tolerations.")
                .test(&[(r#"scheduler_pending_pods{job="kube-scheduler", queue="unschedulable"}"#, "3", "0")], &[])
                .value("3"),
        ],
    }
}

pub(crate) fn controller_manager() -> RuleSet {
    RuleSet {
        name: "kubernetes-controller-manager",
        records: vec![],
        alerts: vec![
            alert(
                "KubeControllerManagerDown",
                Critical,
                "15m",
                format!(r#"absent(up{{job="{CONTROLLER_MANAGER_JOB}"}} == 1)"#),
            )
            .about(
                "The controller-manager cannot be scraped",
                "Prometheus has scraped no kube-controller-manager for 15 minutes.",
            )
            .runbook(
                "If it is down, deployments, replica sets, nodes and volumes are no longer reconciled.",
                "`kubectl -n kube-system get pods -l component=kube-controller-manager` and Prometheus' Targets page.",
                "Restore its static pod, or bind its metrics to an address Prometheus reaches (`--bind-address`).",
            )
            .test(&[(r#"up{job="kube-controller-manager", instance="10.0.0.1:10257"}"#, "0", "1")], &[]),
        ],
    }
}

pub(crate) fn kube_proxy() -> RuleSet {
    RuleSet {
        name: "kubernetes-kube-proxy",
        records: vec![],
        alerts: vec![
            alert("KubeProxyDown", Critical, "15m", format!(r#"absent(up{{job="{KUBE_PROXY_JOB}"}} == 1)"#))
                .about("kube-proxy cannot be scraped", "Prometheus has scraped no kube-proxy for 15 minutes.")
                .runbook("If kube-proxy is down, Service routing on the nodes goes stale.", "`kubectl -n kube-system get pods -l k8s-app=kube-proxy` and Prometheus' Targets page.", "Restore the DaemonSet, or set its `metricsBindAddress` to `0.0.0.0:10249`.")
                .test(&[(r#"up{job="kube-proxy", instance="10.0.0.1:10249"}"#, "0", "1")], &[]),
            alert("KubeProxyRulesSyncSlow", Warning, "15m", r#"histogram_quantile(0.99, sum by (instance, le) (rate(kubeproxy_sync_proxy_rules_duration_seconds_bucket[5m]))) > 10"#)
                .about("kube-proxy is slow to sync Service rules", "kube-proxy on {{ $labels.instance }} takes more than 10 seconds (99th percentile) to sync its rules.")
                .runbook("New Service endpoints become reachable late on that node.", "kube-proxy's logs; the number of Services and endpoints in the cluster.", "Switch kube-proxy to the nftables or IPVS mode in large clusters, or relieve the node.")
                .test(&[
                    (r#"kubeproxy_sync_proxy_rules_duration_seconds_bucket{instance="a", le="1"}"#, "0", "0+10"),
                    (r#"kubeproxy_sync_proxy_rules_duration_seconds_bucket{instance="a", le="16"}"#, "0+10", "0+10"),
                    (r#"kubeproxy_sync_proxy_rules_duration_seconds_bucket{instance="a", le="+Inf"}"#, "0+10", "0+10"),
                ], &[("instance", "a")]),
        ],
    }
}
