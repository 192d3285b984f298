//! Recording rules: what the alerts and the Kubernetes dashboards aggregate, at the node
//! (`instance:` for node-exporter's own label, `node:` where kube-state-metrics names the
//! node), namespace, workload and cluster levels. Names follow Prometheus' convention
//! `level:metric:operations`.

use crate::contract::alerts::{Record, RuleSet, record};

/// Pods that hold resources: pending or running.
const ACTIVE_PODS: &str = r#"max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)"#;
/// Each pod's node, from kube-state-metrics, to place cAdvisor's series on nodes.
const POD_NODE: &str = r#"topk by (namespace, pod) (1, max by (namespace, pod, node) (kube_pod_info{node!=""}))"#;
/// cAdvisor's per-container series (not the pod-level and root cgroups).
const CONTAINERS: &str = r#"container!="", image!="""#;

fn requests_and_limits(level: &'static str, by: &str) -> Vec<Record> {
    let mut out = Vec::new();
    for (kind, resource, name) in [
        ("requests", "cpu", "requests_cpu"),
        ("requests", "memory", "requests_memory"),
        ("limits", "cpu", "limits_cpu"),
        ("limits", "memory", "limits_memory"),
    ] {
        let record_name: &'static str = match (level, name) {
            ("namespace", "requests_cpu") => "namespace:kube_pod_container_resource_requests_cpu:sum",
            ("namespace", "requests_memory") => "namespace:kube_pod_container_resource_requests_memory:sum",
            ("namespace", "limits_cpu") => "namespace:kube_pod_container_resource_limits_cpu:sum",
            ("namespace", "limits_memory") => "namespace:kube_pod_container_resource_limits_memory:sum",
            ("node", "requests_cpu") => "node:kube_pod_container_resource_requests_cpu:sum",
            ("node", "requests_memory") => "node:kube_pod_container_resource_requests_memory:sum",
            ("node", "limits_cpu") => "node:kube_pod_container_resource_limits_cpu:sum",
            ("node", "limits_memory") => "node:kube_pod_container_resource_limits_memory:sum",
            ("cluster", "requests_cpu") => "cluster:kube_pod_container_resource_requests_cpu:sum",
            ("cluster", "requests_memory") => "cluster:kube_pod_container_resource_requests_memory:sum",
            ("cluster", "limits_cpu") => "cluster:kube_pod_container_resource_limits_cpu:sum",
            _ => "cluster:kube_pod_container_resource_limits_memory:sum",
        };
        out.push(record(
            record_name,
            format!(
                r#"sum{by} (kube_pod_container_resource_{kind}{{resource="{resource}"}} * on (namespace, pod) group_left () {ACTIVE_PODS})"#
            ),
        ));
    }
    out
}

/// From kube-state-metrics: requests, limits, capacity and pod states.
pub(crate) fn kube_state() -> RuleSet {
    let mut records = requests_and_limits("namespace", " by (namespace)");
    records.extend(requests_and_limits("node", " by (node)"));
    records.extend(requests_and_limits("cluster", ""));
    records.extend([
        record("cluster:kube_node_status_allocatable_cpu:sum", r#"sum(kube_node_status_allocatable{resource="cpu"})"#),
        record("cluster:kube_node_status_allocatable_memory:sum", r#"sum(kube_node_status_allocatable{resource="memory"})"#),
        record("cluster:kube_node_status_capacity_cpu:sum", r#"sum(kube_node_status_capacity{resource="cpu"})"#),
        record("cluster:kube_node_status_capacity_memory:sum", r#"sum(kube_node_status_capacity{resource="memory"})"#),
        record("cluster:kube_node_status_ready:sum", r#"sum(kube_node_status_condition{condition="Ready", status="true"})"#),
        record("cluster:kube_node_info:count", "count(kube_node_info)"),
        record("cluster_phase:kube_pod_status_phase:sum", "sum by (phase) (kube_pod_status_phase)"),
        record("namespace_phase:kube_pod_status_phase:sum", "sum by (namespace, phase) (kube_pod_status_phase)"),
        record("node:kube_pod_info:count", r#"count by (node) (kube_pod_info{node!=""})"#),
        record(
            "namespace:kube_pod_container_status_restarts:sum_increase1h",
            "sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))",
        ),
        // The owning workload of every pod: Deployments own pods through ReplicaSets, the
        // other kinds directly. One rule, so the series has a single definition.
        record(
            "namespace_workload_pod:kube_pod_owner:relabel",
            [
                r#"label_replace(label_replace(kube_pod_owner{owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)") * on (namespace, replicaset) group_left (workload) max by (namespace, replicaset, workload) (label_replace(kube_replicaset_owner{owner_kind="Deployment"}, "workload", "$1", "owner_name", "(.*)")), "workload_type", "deployment", "", "")"#,
                r#"label_replace(label_replace(kube_pod_owner{owner_kind="DaemonSet"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "daemonset", "", "")"#,
                r#"label_replace(label_replace(kube_pod_owner{owner_kind="StatefulSet"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "statefulset", "", "")"#,
                r#"label_replace(label_replace(kube_pod_owner{owner_kind="Job"}, "workload", "$1", "owner_name", "(.*)"), "workload_type", "job", "", "")"#,
            ]
            .map(|kind| format!("max by (namespace, workload, workload_type, pod) ({kind})"))
            .join(" or "),
        ),
    ]);
    RuleSet { name: "kubernetes-records-state", records, alerts: vec![] }
}

/// From cAdvisor (through the kubelet): container use per pod, namespace, workload, node and
/// cluster.
pub(crate) fn containers() -> RuleSet {
    let cpu = format!("rate(container_cpu_usage_seconds_total{{{CONTAINERS}}}[5m])");
    let records = vec![
        record(
            "namespace_pod_container:container_cpu_usage_seconds:sum_rate5m",
            format!("sum by (namespace, pod, container) ({cpu})"),
        ),
        record(
            "namespace_pod_container:container_memory_working_set_bytes:sum",
            format!("sum by (namespace, pod, container) (container_memory_working_set_bytes{{{CONTAINERS}}})"),
        ),
        record(
            "namespace_pod_container:container_memory_rss:sum",
            format!("sum by (namespace, pod, container) (container_memory_rss{{{CONTAINERS}}})"),
        ),
        record(
            "namespace_pod_container:container_memory_cache:sum",
            format!("sum by (namespace, pod, container) (container_memory_cache{{{CONTAINERS}}})"),
        ),
        record(
            "namespace_pod_container:container_memory_swap:sum",
            format!("sum by (namespace, pod, container) (container_memory_swap{{{CONTAINERS}}})"),
        ),
        record("namespace_pod:container_cpu_usage_seconds:sum_rate5m", format!("sum by (namespace, pod) ({cpu})")),
        record(
            "namespace_pod:container_memory_working_set_bytes:sum",
            format!("sum by (namespace, pod) (container_memory_working_set_bytes{{{CONTAINERS}}})"),
        ),
        record("namespace:container_cpu_usage_seconds:sum_rate5m", format!("sum by (namespace) ({cpu})")),
        record(
            "namespace:container_memory_working_set_bytes:sum",
            format!("sum by (namespace) (container_memory_working_set_bytes{{{CONTAINERS}}})"),
        ),
        record(
            "namespace:container_memory_rss:sum",
            format!("sum by (namespace) (container_memory_rss{{{CONTAINERS}}})"),
        ),
        record(
            "namespace:container_memory_cache:sum",
            format!("sum by (namespace) (container_memory_cache{{{CONTAINERS}}})"),
        ),
        // Network series belong to the pod's sandbox (container ""), not to a container.
        record(
            "namespace:container_network_receive_bytes:sum_rate5m",
            "sum by (namespace) (rate(container_network_receive_bytes_total[5m]))",
        ),
        record(
            "namespace:container_network_transmit_bytes:sum_rate5m",
            "sum by (namespace) (rate(container_network_transmit_bytes_total[5m]))",
        ),
        record(
            "namespace:container_network_receive_packets_dropped:sum_rate5m",
            "sum by (namespace) (rate(container_network_receive_packets_dropped_total[5m]))",
        ),
        record(
            "namespace:container_network_transmit_packets_dropped:sum_rate5m",
            "sum by (namespace) (rate(container_network_transmit_packets_dropped_total[5m]))",
        ),
        record(
            "namespace_pod:container_network_receive_bytes:sum_rate5m",
            "sum by (namespace, pod) (rate(container_network_receive_bytes_total[5m]))",
        ),
        record(
            "namespace_pod:container_network_transmit_bytes:sum_rate5m",
            "sum by (namespace, pod) (rate(container_network_transmit_bytes_total[5m]))",
        ),
        record(
            "namespace:container_fs_reads_bytes:sum_rate5m",
            format!("sum by (namespace) (rate(container_fs_reads_bytes_total{{{CONTAINERS}}}[5m]))"),
        ),
        record(
            "namespace:container_fs_writes_bytes:sum_rate5m",
            format!("sum by (namespace) (rate(container_fs_writes_bytes_total{{{CONTAINERS}}}[5m]))"),
        ),
        record(
            "namespace_workload:container_cpu_usage_seconds:sum_rate5m",
            "sum by (namespace, workload, workload_type) (namespace_pod:container_cpu_usage_seconds:sum_rate5m * on (namespace, pod) group_left (workload, workload_type) namespace_workload_pod:kube_pod_owner:relabel)",
        ),
        record(
            "namespace_workload:container_memory_working_set_bytes:sum",
            "sum by (namespace, workload, workload_type) (namespace_pod:container_memory_working_set_bytes:sum * on (namespace, pod) group_left (workload, workload_type) namespace_workload_pod:kube_pod_owner:relabel)",
        ),
        record(
            "node:container_cpu_usage_seconds:sum_rate5m",
            format!(
                "sum by (node) (namespace_pod:container_cpu_usage_seconds:sum_rate5m * on (namespace, pod) group_left (node) {POD_NODE})"
            ),
        ),
        record(
            "node:container_memory_working_set_bytes:sum",
            format!(
                "sum by (node) (namespace_pod:container_memory_working_set_bytes:sum * on (namespace, pod) group_left (node) {POD_NODE})"
            ),
        ),
        record(
            "cluster:container_cpu_usage_seconds:sum_rate5m",
            "sum(namespace:container_cpu_usage_seconds:sum_rate5m)",
        ),
        record(
            "cluster:container_memory_working_set_bytes:sum",
            "sum(namespace:container_memory_working_set_bytes:sum)",
        ),
        record(
            "namespace_pod_container:container_cpu_cfs_throttled_periods:ratio_rate5m",
            format!(
                "sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{{{CONTAINERS}}}[5m])) / sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{{{CONTAINERS}}}[5m]))"
            ),
        ),
    ];
    RuleSet { name: "kubernetes-records-containers", records, alerts: vec![] }
}

/// From the kubelet's own metrics.
pub(crate) fn kubelet() -> RuleSet {
    RuleSet {
        name: "kubernetes-records-kubelet",
        records: vec![
            record(
                "instance_quantile:kubelet_pleg_relist_duration_seconds:histogram_quantile99",
                "histogram_quantile(0.99, sum by (instance, le) (rate(kubelet_pleg_relist_duration_seconds_bucket[5m])))",
            ),
            record(
                "instance_quantile:kubelet_pod_worker_duration_seconds:histogram_quantile99",
                "histogram_quantile(0.99, sum by (instance, le) (rate(kubelet_pod_worker_duration_seconds_bucket[5m])))",
            ),
            record("cluster:kubelet_running_pods:sum", "sum(kubelet_running_pods)"),
            record(
                "cluster:kubelet_running_containers:sum",
                r#"sum(kubelet_running_containers{container_state="running"})"#,
            ),
        ],
        alerts: vec![],
    }
}

/// From node-exporter: the USE method per host and for the cluster.
pub(crate) fn node_exporter() -> RuleSet {
    const DISKS: &str = r#"device=~"(/dev/)?(mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|md.+|dasd.+)""#;
    RuleSet {
        name: "node-exporter-records",
        records: vec![
            record("instance:node_num_cpu:sum", r#"count without (cpu, mode) (node_cpu_seconds_total{mode="idle"})"#),
            record(
                "instance:node_cpu_utilisation:rate5m",
                r#"1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{mode=~"idle|iowait|steal"}[5m])))"#,
            ),
            record("instance:node_load1_per_cpu:ratio", "node_load1 / instance:node_num_cpu:sum"),
            record(
                "instance:node_memory_utilisation:ratio",
                "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
            ),
            record("instance:node_vmstat_pgmajfault:rate5m", "rate(node_vmstat_pgmajfault[5m])"),
            record(
                "instance_device:node_disk_io_time_seconds:rate5m",
                format!("rate(node_disk_io_time_seconds_total{{{DISKS}}}[5m])"),
            ),
            record(
                "instance_device:node_disk_io_time_weighted_seconds:rate5m",
                format!("rate(node_disk_io_time_weighted_seconds_total{{{DISKS}}}[5m])"),
            ),
            record(
                "instance:node_network_receive_bytes_excluding_lo:rate5m",
                r#"sum without (device) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))"#,
            ),
            record(
                "instance:node_network_transmit_bytes_excluding_lo:rate5m",
                r#"sum without (device) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))"#,
            ),
            record(
                "instance:node_network_receive_drop_excluding_lo:rate5m",
                r#"sum without (device) (rate(node_network_receive_drop_total{device!="lo"}[5m]))"#,
            ),
            record(
                "instance:node_network_transmit_drop_excluding_lo:rate5m",
                r#"sum without (device) (rate(node_network_transmit_drop_total{device!="lo"}[5m]))"#,
            ),
            record("cluster:node_num_cpu:sum", "sum(instance:node_num_cpu:sum)"),
            record(
                "cluster:node_cpu_utilisation:ratio_rate5m",
                "sum(instance:node_cpu_utilisation:rate5m * instance:node_num_cpu:sum) / sum(instance:node_num_cpu:sum)",
            ),
            record(
                "cluster:node_memory_utilisation:ratio",
                "1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)",
            ),
            record("cluster:node_memory_MemTotal_bytes:sum", "sum(node_memory_MemTotal_bytes)"),
            record(
                "cluster:node_network_receive_bytes_excluding_lo:sum_rate5m",
                "sum(instance:node_network_receive_bytes_excluding_lo:rate5m)",
            ),
            record(
                "cluster:node_network_transmit_bytes_excluding_lo:sum_rate5m",
                "sum(instance:node_network_transmit_bytes_excluding_lo:rate5m)",
            ),
        ],
        alerts: vec![],
    }
}
