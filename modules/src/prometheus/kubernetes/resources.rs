//! Resources: requests and quotas the cluster cannot honour, and CPU throttling.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

/// `resource`'s allocatable total minus the largest node: what is left when one node fails.
fn tolerating_one_node_loss(resource: &str) -> String {
    format!(
        r#"(sum(kube_node_status_allocatable{{resource="{resource}"}}) - max(kube_node_status_allocatable{{resource="{resource}"}}))"#
    )
}

pub(crate) fn resources() -> RuleSet {
    let cpu = tolerating_one_node_loss("cpu");
    let memory = tolerating_one_node_loss("memory");
    RuleSet {
        name: "kubernetes-resources",
        records: vec![],
        alerts: vec![
            alert(
                "KubeCPUOvercommit",
                Warning,
                "10m",
                format!("sum(namespace:kube_pod_container_resource_requests_cpu:sum) - {cpu} > 0 and {cpu} > 0"),
            )
            .about("CPU requests exceed what survives a node failure", "The cluster's pods request more CPU than the nodes minus the largest one offer: losing a node leaves pods unschedulable.")
            .runbook(
                "After a node failure or drain, some pods cannot be scheduled again.",
                "The cluster dashboard's CPU requests against allocatable; `kubectl describe nodes` lists each node's requests.",
                "Add a node, or lower the requests of over-provisioned workloads.",
            )
            .test(
                &[
                    (r#"kube_node_status_allocatable{node="a", resource="cpu"}"#, "4", "4"),
                    (r#"kube_node_status_allocatable{node="b", resource="cpu"}"#, "4", "4"),
                    (r#"kube_pod_container_resource_requests{namespace="shop", pod="web-1", container="app", node="a", resource="cpu"}"#, "5", "3"),
                    (r#"kube_pod_status_phase{namespace="shop", pod="web-1", phase="Running"}"#, "1", "1"),
                ],
                &[],
            ),
            alert(
                "KubeMemoryOvercommit",
                Warning,
                "10m",
                format!("sum(namespace:kube_pod_container_resource_requests_memory:sum) - {memory} > 0 and {memory} > 0"),
            )
            .about("Memory requests exceed what survives a node failure", "The cluster's pods request more memory than the nodes minus the largest one offer: losing a node leaves pods unschedulable.")
            .runbook(
                "After a node failure or drain, some pods cannot be scheduled again.",
                "The cluster dashboard's memory requests against allocatable; `kubectl describe nodes` lists each node's requests.",
                "Add a node, or lower the requests of over-provisioned workloads.",
            )
            .test(
                &[
                    (r#"kube_node_status_allocatable{node="a", resource="memory"}"#, "8000000000", "8000000000"),
                    (r#"kube_node_status_allocatable{node="b", resource="memory"}"#, "8000000000", "8000000000"),
                    (r#"kube_pod_container_resource_requests{namespace="shop", pod="web-1", container="app", node="a", resource="memory"}"#, "9000000000", "6000000000"),
                    (r#"kube_pod_status_phase{namespace="shop", pod="web-1", phase="Running"}"#, "1", "1"),
                ],
                &[],
            ),
            alert(
                "KubeCPUQuotaOvercommit",
                Warning,
                "5m",
                r#"sum(min without (resource) (kube_resourcequota{type="hard", resource=~"cpu|requests.cpu"})) / sum(kube_node_status_allocatable{resource="cpu"}) > 1.5"#,
            )
            .about("CPU quotas exceed the cluster's capacity", "The namespaces' CPU quotas add up to more than 150% of the cluster's allocatable CPU.")
            .runbook(
                "Quotas no longer protect the cluster: namespaces can together request more than exists.",
                "`kubectl get resourcequota -A` and compare with the nodes' allocatable CPU.",
                "Lower the quotas or add capacity.",
            )
            .test(
                &[
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="requests.cpu", type="hard"}"#, "10", "4"),
                    (r#"kube_node_status_allocatable{node="a", resource="cpu"}"#, "4", "4"),
                ],
                &[],
            ),
            alert(
                "KubeMemoryQuotaOvercommit",
                Warning,
                "5m",
                r#"sum(min without (resource) (kube_resourcequota{type="hard", resource=~"memory|requests.memory"})) / sum(kube_node_status_allocatable{resource="memory"}) > 1.5"#,
            )
            .about("Memory quotas exceed the cluster's capacity", "The namespaces' memory quotas add up to more than 150% of the cluster's allocatable memory.")
            .runbook(
                "Quotas no longer protect the cluster: namespaces can together request more than exists.",
                "`kubectl get resourcequota -A` and compare with the nodes' allocatable memory.",
                "Lower the quotas or add capacity.",
            )
            .test(
                &[
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="requests.memory", type="hard"}"#, "20000000000", "4000000000"),
                    (r#"kube_node_status_allocatable{node="a", resource="memory"}"#, "8000000000", "8000000000"),
                ],
                &[],
            ),
            alert(
                "KubeQuotaAlmostFull",
                Info,
                "15m",
                r#"kube_resourcequota{type="used"} / ignoring (type) (kube_resourcequota{type="hard"} > 0) > 0.9 < 1"#,
            )
            .about("A namespace's quota is almost used up", "Namespace {{ $labels.namespace }} uses more than 90% of its {{ $labels.resource }} quota {{ $labels.resourcequota }}.")
            .runbook(
                "New pods or objects in the namespace will soon be refused.",
                "`kubectl -n <namespace> describe resourcequota <resourcequota>`.",
                "Raise the quota or reduce what the namespace uses.",
            )
            .test(
                &[
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="pods", type="used"}"#, "19", "5"),
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="pods", type="hard"}"#, "20", "20"),
                ],
                &[("namespace", "shop"), ("resourcequota", "q"), ("resource", "pods")],
            ),
            alert(
                "KubeQuotaFullyUsed",
                Info,
                "15m",
                r#"kube_resourcequota{type="used"} / ignoring (type) (kube_resourcequota{type="hard"} > 0) == 1"#,
            )
            .about("A namespace's quota is used up", "Namespace {{ $labels.namespace }} uses all of its {{ $labels.resource }} quota {{ $labels.resourcequota }}.")
            .runbook(
                "New pods or objects in the namespace are refused.",
                "`kubectl -n <namespace> describe resourcequota <resourcequota>`.",
                "Raise the quota or reduce what the namespace uses.",
            )
            .test(
                &[
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="pods", type="used"}"#, "20", "5"),
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="pods", type="hard"}"#, "20", "20"),
                ],
                &[("namespace", "shop"), ("resourcequota", "q"), ("resource", "pods")],
            ),
            alert(
                "KubeQuotaExceeded",
                Warning,
                "15m",
                r#"kube_resourcequota{type="used"} / ignoring (type) (kube_resourcequota{type="hard"} > 0) > 1"#,
            )
            .about("A namespace exceeds its quota", "Namespace {{ $labels.namespace }} uses more {{ $labels.resource }} than its quota {{ $labels.resourcequota }} allows (the quota was lowered below use).")
            .runbook(
                "Nothing new of that resource can be created in the namespace.",
                "`kubectl -n <namespace> describe resourcequota <resourcequota>`.",
                "Raise the quota back above use, or scale the namespace's workloads down.",
            )
            .test(
                &[
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="pods", type="used"}"#, "25", "5"),
                    (r#"kube_resourcequota{namespace="shop", resourcequota="q", resource="pods", type="hard"}"#, "20", "20"),
                ],
                &[("namespace", "shop"), ("resourcequota", "q"), ("resource", "pods")],
            ),
            alert(
                "CPUThrottlingHigh",
                Info,
                "15m",
                r#"sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{container!=""}[5m])) / sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total{container!=""}[5m])) > 0.25"#,
            )
            .about("A container is throttled", "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is CPU-throttled in more than 25% of its scheduling periods.")
            .runbook(
                "The container runs slower than it could: latency rises.",
                "The pod dashboard's CPU usage against its limit.",
                "Raise or remove the CPU limit (keep the request), or make the process use less CPU.",
            )
            .test(
                &[
                    (r#"container_cpu_cfs_throttled_periods_total{namespace="shop", pod="web-1", container="app"}"#, "0+50", "0+1"),
                    (r#"container_cpu_cfs_periods_total{namespace="shop", pod="web-1", container="app"}"#, "0+100", "0+100"),
                ],
                &[("namespace", "shop"), ("pod", "web-1"), ("container", "app")],
            ),
        ],
    }
}
