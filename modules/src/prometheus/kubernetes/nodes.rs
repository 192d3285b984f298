//! Nodes and their kubelets: readiness, pressure, pod capacity, the kubelet's own health and
//! certificates, version skew, and API clients failing.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

const WEEK: &str = "604800";
const DAY: &str = "86400";

pub(crate) fn nodes() -> RuleSet {
    RuleSet {
        name: "kubernetes-nodes",
        records: vec![],
        alerts: vec![
            alert("KubeNodeNotReady", Warning, "15m", r#"kube_node_status_condition{condition="Ready", status="true"} == 0"#)
                .about("A node is not ready", "Node {{ $labels.node }} has not been ready for 15 minutes.")
                .runbook(
                    "Its pods are evicted after the toleration period and nothing new is scheduled there.",
                    "`kubectl describe node <node>`: its conditions and events; then the kubelet's logs on the node (`journalctl -u kubelet`).",
                    "Restart the kubelet or the container runtime, free the disk or memory it lacks, or replace the node.",
                )
                .test(
                    &[(r#"kube_node_status_condition{node="a", condition="Ready", status="true"}"#, "0", "1")],
                    &[("node", "a"), ("condition", "Ready"), ("status", "true")],
                ),
            alert("KubeNodeUnreachable", Warning, "15m", r#"kube_node_spec_taint{key="node.kubernetes.io/unreachable", effect="NoSchedule"} == 1"#)
                .about("A node is unreachable", "Node {{ $labels.node }} is unreachable and tainted so; its workloads are being rescheduled.")
                .runbook(
                    "The node's pods are lost and restarted elsewhere, if capacity allows.",
                    "Can the node be reached at all (cloud console, ping)? Its kubelet has stopped reporting.",
                    "Restore the node's network or power, or delete the node so its volumes detach.",
                )
                .test(
                    &[(r#"kube_node_spec_taint{node="a", key="node.kubernetes.io/unreachable", effect="NoSchedule"}"#, "1", "0")],
                    &[("node", "a"), ("key", "node.kubernetes.io/unreachable"), ("effect", "NoSchedule")],
                ),
            alert(
                "KubeNodeReadinessFlapping",
                Warning,
                "15m",
                r#"sum by (node) (changes(kube_node_status_condition{condition="Ready", status="true"}[15m])) > 2"#,
            )
            .about("A node's readiness flaps", "Node {{ $labels.node }} changed its readiness more than twice in 15 minutes.")
            .runbook(
                "Pods on the node are disturbed and scheduling becomes erratic.",
                "The kubelet's logs and the node's network: flapping usually means lost heartbeats.",
                "Fix the node's network or the overloaded kubelet; cordon and drain the node meanwhile.",
            )
            .test(&[(r#"kube_node_status_condition{node="a", condition="Ready", status="true"}"#, "0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1", "1")], &[("node", "a")]),
            alert(
                "KubeNodePressure",
                Warning,
                "10m",
                r#"kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure", status="true"} == 1"#,
            )
            .about("A node is under resource pressure", "Node {{ $labels.node }} reports {{ $labels.condition }}.")
            .runbook(
                "The kubelet evicts pods to relieve the pressure.",
                "`kubectl describe node <node>`, and the node dashboard's memory, disk and process counts.",
                "Free the resource (delete images, stop runaway pods) or move workloads elsewhere.",
            )
            .test(
                &[(r#"kube_node_status_condition{node="a", condition="DiskPressure", status="true"}"#, "1", "0")],
                &[("node", "a"), ("condition", "DiskPressure"), ("status", "true")],
            ),
            alert("KubeletDown", Critical, "15m", r#"absent(up{job="kubelet", metrics_path="/metrics"} == 1)"#)
                .about("No kubelet can be scraped", "Prometheus has scraped no kubelet for 15 minutes: container metrics and the volume alerts are blind.")
                .runbook(
                    "Container CPU, memory and volume metrics are missing; their alerts cannot fire.",
                    "Prometheus' Targets page for job `kubelet`: the error names the cause (authorization, TLS, network).",
                    "Grant Prometheus `nodes/metrics`, check the operator's `kubelet` Service in kube-system, or open port 10250.",
                )
                .test(&[(r#"up{job="kubelet", metrics_path="/metrics", instance="10.0.0.1:10250"}"#, "0", "1")], &[]),
            alert(
                "KubeletTooManyPods",
                Info,
                "15m",
                r#"count by (node) (kube_pod_info{node!=""} * on (namespace, pod) group_left () (kube_pod_status_phase{phase="Running"} == 1)) / max by (node) (kube_node_status_capacity{resource="pods"}) > 0.95"#,
            )
            .about("A node runs nearly as many pods as it can", "Node {{ $labels.node }} runs more than 95% of the pods it has capacity for.")
            .runbook(
                "New pods cannot be placed on the node.",
                "`kubectl get pods -A --field-selector spec.nodeName=<node>`.",
                "Add nodes, or raise the kubelet's `maxPods` if the node has resources to spare.",
            )
            .test(
                &[
                    (r#"kube_pod_info{namespace="shop", pod="web-1", node="a"}"#, "1", "1"),
                    (r#"kube_pod_status_phase{namespace="shop", pod="web-1", phase="Running"}"#, "1", "1"),
                    (r#"kube_node_status_capacity{node="a", resource="pods"}"#, "1", "110"),
                ],
                &[("node", "a")],
            ),
            alert("KubeletPlegDurationHigh", Warning, "5m", "instance_quantile:kubelet_pleg_relist_duration_seconds:histogram_quantile99 >= 10")
                .about("A kubelet is slow to relist its pods", "The kubelet on {{ $labels.instance }} takes 10 seconds or more (99th percentile) to relist its pods.")
                .runbook(
                    "Pod state changes on the node are noticed late; the node may turn NotReady.",
                    "The kubelet dashboard; the container runtime's health and load on the node.",
                    "Restart or repair the container runtime; reduce the number of containers on the node.",
                )
                .test(
                    &[
                        (r#"kubelet_pleg_relist_duration_seconds_bucket{instance="a", le="1"}"#, "0", "0+10"),
                        (r#"kubelet_pleg_relist_duration_seconds_bucket{instance="a", le="10"}"#, "0", "0+10"),
                        (r#"kubelet_pleg_relist_duration_seconds_bucket{instance="a", le="+Inf"}"#, "0+10", "0+10"),
                    ],
                    &[("instance", "a")],
                ),
            alert(
                "KubeletPodStartUpLatencyHigh",
                Warning,
                "15m",
                r#"histogram_quantile(0.99, sum by (instance, le) (rate(kubelet_pod_worker_duration_seconds_bucket[5m]))) > 60"#,
            )
            .about("A kubelet is slow to start pods", "The kubelet on {{ $labels.instance }} takes more than 60 seconds (99th percentile) to start pods.")
            .runbook(
                "New pods on the node start late.",
                "The kubelet's logs, image pull times and the container runtime's load on the node.",
                "Use a closer image registry, pre-pull large images, or relieve the node.",
            )
            .test(
                &[
                    (r#"kubelet_pod_worker_duration_seconds_bucket{instance="a", le="1"}"#, "0", "0+10"),
                    (r#"kubelet_pod_worker_duration_seconds_bucket{instance="a", le="60"}"#, "0", "0+10"),
                    (r#"kubelet_pod_worker_duration_seconds_bucket{instance="a", le="120"}"#, "0+10", "0+10"),
                    (r#"kubelet_pod_worker_duration_seconds_bucket{instance="a", le="+Inf"}"#, "0+10", "0+10"),
                ],
                &[("instance", "a")],
            ),
            alert("KubeletClientCertificateExpiration", Warning, "0s", format!("kubelet_certificate_manager_client_ttl_seconds < {WEEK}"))
                .about("A kubelet's client certificate expires within a week", "The client certificate of the kubelet on {{ $labels.instance }} expires in less than a week.")
                .runbook(
                    "When it expires the node can no longer talk to the API server and turns NotReady.",
                    "The kubelet's logs for certificate rotation errors; `kubectl get csr` for pending requests.",
                    "Approve the pending certificate signing requests, or enable `rotateCertificates` in the kubelet's configuration.",
                )
                .test(&[(r#"kubelet_certificate_manager_client_ttl_seconds{instance="a"}"#, "300000", "2000000")], &[("instance", "a")]),
            alert("KubeletClientCertificateExpiration", Critical, "0s", format!("kubelet_certificate_manager_client_ttl_seconds < {DAY}"))
                .about("A kubelet's client certificate expires within a day", "The client certificate of the kubelet on {{ $labels.instance }} expires in less than a day.")
                .runbook(
                    "When it expires the node can no longer talk to the API server and turns NotReady.",
                    "The kubelet's logs for certificate rotation errors; `kubectl get csr` for pending requests.",
                    "Approve the pending certificate signing requests now, or renew the certificate by hand.",
                )
                .test(&[(r#"kubelet_certificate_manager_client_ttl_seconds{instance="a"}"#, "3600", "2000000")], &[("instance", "a")])
                .also_fires(Warning, &[("instance", "a")]),
            alert("KubeletServerCertificateExpiration", Warning, "0s", format!("kubelet_certificate_manager_server_ttl_seconds < {WEEK}"))
                .about("A kubelet's serving certificate expires within a week", "The serving certificate of the kubelet on {{ $labels.instance }} expires in less than a week.")
                .runbook(
                    "When it expires, `kubectl logs` and `exec` and metric scrapes that verify it fail.",
                    "The kubelet's logs; `kubectl get csr` for pending serving certificate requests.",
                    "Approve the pending requests, or enable `serverTLSBootstrap` with an approver.",
                )
                .test(&[(r#"kubelet_certificate_manager_server_ttl_seconds{instance="a"}"#, "300000", "2000000")], &[("instance", "a")]),
            alert("KubeletServerCertificateExpiration", Critical, "0s", format!("kubelet_certificate_manager_server_ttl_seconds < {DAY}"))
                .about("A kubelet's serving certificate expires within a day", "The serving certificate of the kubelet on {{ $labels.instance }} expires in less than a day.")
                .runbook(
                    "When it expires, `kubectl logs` and `exec` and metric scrapes that verify it fail.",
                    "The kubelet's logs; `kubectl get csr` for pending serving certificate requests.",
                    "Approve the pending requests now, or renew the certificate by hand.",
                )
                .test(&[(r#"kubelet_certificate_manager_server_ttl_seconds{instance="a"}"#, "3600", "2000000")], &[("instance", "a")])
                .also_fires(Warning, &[("instance", "a")]),
            alert("KubeletClientCertificateRenewalErrors", Warning, "15m", "increase(kubelet_certificate_manager_client_expiration_renew_errors[5m]) > 0")
                .about("A kubelet fails to renew its client certificate", "The kubelet on {{ $labels.instance }} failed to renew its client certificate in the last 5 minutes.")
                .runbook(
                    "If renewal keeps failing the certificate expires and the node turns NotReady.",
                    "The kubelet's logs and `kubectl get csr`.",
                    "Approve the requests or fix the signer (the controller-manager's `--cluster-signing-*` flags).",
                )
                .test(&[(r#"kubelet_certificate_manager_client_expiration_renew_errors{instance="a"}"#, "0+1", "2")], &[("instance", "a")]),
            alert("KubeletServerCertificateRenewalErrors", Warning, "15m", "increase(kubelet_server_expiration_renew_errors[5m]) > 0")
                .about("A kubelet fails to renew its serving certificate", "The kubelet on {{ $labels.instance }} failed to renew its serving certificate in the last 5 minutes.")
                .runbook(
                    "If renewal keeps failing the certificate expires and logs, exec and scrapes fail.",
                    "The kubelet's logs and `kubectl get csr`.",
                    "Approve the pending serving certificate requests.",
                )
                .test(&[(r#"kubelet_server_expiration_renew_errors{instance="a"}"#, "0+1", "2")], &[("instance", "a")]),
            alert(
                "KubeVersionMismatch",
                Warning,
                "15m",
                r#"count(count by (git_version) (label_replace(kubernetes_build_info, "git_version", "$1", "git_version", "(v[0-9]*\\.[0-9]*).*"))) > 1"#,
            )
            .about("Components run different Kubernetes versions", "{{ $value }} different minor versions of Kubernetes components run in the cluster.")
            .runbook(
                "Usually an upgrade in progress; left as is, version skew breaks the support policy.",
                "`kubectl get nodes` shows each kubelet's version; `kubectl version` the API server's.",
                "Finish the upgrade of the nodes or the control plane.",
            )
            .test(
                &[
                    (r#"kubernetes_build_info{instance="a", git_version="v1.33.2"}"#, "1", "1"),
                    (r#"kubernetes_build_info{instance="b", git_version="v1.32.5"}"#, "1", "_"),
                    (r#"kubernetes_build_info{instance="c", git_version="v1.33.1"}"#, "_", "1"),
                ],
                &[],
            )
            .value("2"),
            alert(
                "KubeClientErrors",
                Warning,
                "15m",
                r#"sum by (namespace, job, instance) (rate(rest_client_requests_total{code=~"5.."}[5m])) / sum by (namespace, job, instance) (rate(rest_client_requests_total[5m])) > 0.01"#,
            )
            .about("A component's API requests fail", "More than 1% of the API requests of {{ $labels.job }} on {{ $labels.instance }} fail with server errors.")
            .runbook(
                "The component cannot read or change cluster state reliably.",
                "The API server's health (the API server dashboard) and the component's logs.",
                "Fix the API server if it errs for everyone; otherwise the component's access or configuration.",
            )
            .test(
                &[
                    (r#"rest_client_requests_total{namespace="kube-system", job="kubelet", instance="a", code="500"}"#, "0+5", "0"),
                    (r#"rest_client_requests_total{namespace="kube-system", job="kubelet", instance="a", code="200"}"#, "0+95", "0+100"),
                ],
                &[("namespace", "kube-system"), ("job", "kubelet"), ("instance", "a")],
            ),
        ],
    }
}
