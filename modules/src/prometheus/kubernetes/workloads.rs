//! Workloads, from kube-state-metrics: pods that do not run, controllers that do not reach
//! their desired state, jobs that fail, autoscalers pinned at a bound.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

/// The owning workload of each pod, for the namespace dashboards and the pod alerts.
const OWNED_NOT_BY_JOB: &str =
    r#"topk by (namespace, pod) (1, max by (namespace, pod, owner_kind) (kube_pod_owner{owner_kind!="Job"}))"#;

pub(crate) fn workloads() -> RuleSet {
    RuleSet {
        name: "kubernetes-workloads",
        records: vec![],
        alerts: vec![
            alert(
                "KubePodNotReady",
                Warning,
                "15m",
                format!(r#"sum by (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{{phase=~"Pending|Unknown|Failed"}}) * on (namespace, pod) group_left (owner_kind) {OWNED_NOT_BY_JOB}) > 0"#),
            )
            .about("A pod has not been ready for 15 minutes", "Pod {{ $labels.namespace }}/{{ $labels.pod }} has been pending, failed or unknown for more than 15 minutes.")
            .runbook(
                "The workload runs with fewer replicas than it should; with one replica it is down.",
                "`kubectl -n <namespace> describe pod <pod>`: look at Events (scheduling failures, image pulls, volume mounts) and at the containers' states.",
                "Fix what the events name: free or add node capacity, correct the image or pull secret, or repair the volume claim.",
            )
            .test(
                &[
                    (r#"kube_pod_status_phase{namespace="shop", pod="web-1", phase="Pending"}"#, "1", "0"),
                    (r#"kube_pod_owner{namespace="shop", pod="web-1", owner_kind="ReplicaSet"}"#, "1", "1"),
                ],
                &[("namespace", "shop"), ("pod", "web-1")],
            ),
            alert("KubeDeploymentGenerationMismatch", Warning, "15m", "kube_deployment_status_observed_generation != kube_deployment_metadata_generation")
                .about("A deployment's change has not been acted on", "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has a generation its controller has not observed for 15 minutes: a rollout may have failed without being rolled back.")
                .runbook(
                    "The last change to the deployment is not applied; the old version keeps running.",
                    "`kubectl -n <namespace> rollout status deployment/<deployment>` and the controller-manager's logs.",
                    "Repair the controller-manager if it is unhealthy; otherwise re-apply the change.",
                )
                .test(
                    &[
                        (r#"kube_deployment_status_observed_generation{namespace="shop", deployment="web"}"#, "3", "4"),
                        (r#"kube_deployment_metadata_generation{namespace="shop", deployment="web"}"#, "4", "4"),
                    ],
                    &[("namespace", "shop"), ("deployment", "web")],
                ),
            alert(
                "KubeDeploymentReplicasMismatch",
                Warning,
                "15m",
                "(kube_deployment_spec_replicas > kube_deployment_status_replicas_available) and (changes(kube_deployment_status_replicas_updated[10m]) == 0)",
            )
            .about("A deployment lacks available replicas", "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had fewer available replicas than desired for 15 minutes.")
            .runbook(
                "The workload runs below its desired capacity.",
                "`kubectl -n <namespace> get pods -l <selector>` and describe the pods that are not ready.",
                "Fix why the missing pods do not start (capacity, image, probes), as for KubePodNotReady.",
            )
            .test(
                &[
                    (r#"kube_deployment_spec_replicas{namespace="shop", deployment="web"}"#, "3", "3"),
                    (r#"kube_deployment_status_replicas_available{namespace="shop", deployment="web"}"#, "2", "3"),
                    (r#"kube_deployment_status_replicas_updated{namespace="shop", deployment="web"}"#, "3", "3"),
                ],
                &[("namespace", "shop"), ("deployment", "web")],
            ),
            alert("KubeDeploymentRolloutStuck", Warning, "15m", r#"kube_deployment_status_condition{condition="Progressing", status="false"} != 0"#)
                .about("A deployment's rollout is stuck", "The rollout of deployment {{ $labels.namespace }}/{{ $labels.deployment }} has stopped progressing (its progress deadline passed).")
                .runbook(
                    "New pods do not become ready, so the rollout halts with old and new versions side by side.",
                    "`kubectl -n <namespace> rollout status deployment/<deployment>` and the events of its newest ReplicaSet's pods.",
                    "Fix the new version or roll back with `kubectl rollout undo`.",
                )
                .test(
                    &[(r#"kube_deployment_status_condition{namespace="shop", deployment="web", condition="Progressing", status="false"}"#, "1", "0")],
                    &[("namespace", "shop"), ("deployment", "web"), ("condition", "Progressing"), ("status", "false")],
                ),
            alert(
                "KubeStatefulSetReplicasMismatch",
                Warning,
                "15m",
                "(kube_statefulset_status_replicas_ready != kube_statefulset_replicas) and (changes(kube_statefulset_status_replicas_updated[10m]) == 0)",
            )
            .about("A statefulset lacks ready replicas", "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has had a different number of ready replicas than desired for 15 minutes.")
            .runbook(
                "Members of a stateful service are missing; quorum-based services may stop accepting writes.",
                "`kubectl -n <namespace> get pods -l <selector>`: statefulsets start pods in order, so look at the lowest-numbered pod that is not ready.",
                "Fix that pod (often its volume claim or a failing probe); the rest follow.",
            )
            .test(
                &[
                    (r#"kube_statefulset_status_replicas_ready{namespace="db", statefulset="pg"}"#, "2", "3"),
                    (r#"kube_statefulset_replicas{namespace="db", statefulset="pg"}"#, "3", "3"),
                    (r#"kube_statefulset_status_replicas_updated{namespace="db", statefulset="pg"}"#, "3", "3"),
                ],
                &[("namespace", "db"), ("statefulset", "pg")],
            ),
            alert("KubeStatefulSetGenerationMismatch", Warning, "15m", "kube_statefulset_status_observed_generation != kube_statefulset_metadata_generation")
                .about("A statefulset's change has not been acted on", "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has a generation its controller has not observed for 15 minutes.")
                .runbook(
                    "The last change to the statefulset is not applied.",
                    "`kubectl -n <namespace> describe statefulset <statefulset>` and the controller-manager's logs.",
                    "Repair the controller-manager if it is unhealthy; otherwise re-apply the change.",
                )
                .test(
                    &[
                        (r#"kube_statefulset_status_observed_generation{namespace="db", statefulset="pg"}"#, "1", "2"),
                        (r#"kube_statefulset_metadata_generation{namespace="db", statefulset="pg"}"#, "2", "2"),
                    ],
                    &[("namespace", "db"), ("statefulset", "pg")],
                ),
            alert(
                "KubeStatefulSetUpdateNotRolledOut",
                Warning,
                "15m",
                "(kube_statefulset_replicas != kube_statefulset_status_replicas_updated) and (changes(kube_statefulset_status_replicas_updated[10m]) == 0)",
            )
            .about("A statefulset's update is not rolled out", "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not updated all its replicas for 15 minutes.")
            .runbook(
                "Old and new versions run side by side; a rolling update waits on a pod that does not become ready.",
                "`kubectl -n <namespace> rollout status statefulset/<statefulset>` and the highest-numbered pod's events.",
                "Fix the new version's failing pod, or roll back the change.",
            )
            .test(
                &[
                    (r#"kube_statefulset_replicas{namespace="db", statefulset="pg"}"#, "3", "3"),
                    (r#"kube_statefulset_status_replicas_updated{namespace="db", statefulset="pg"}"#, "1", "3"),
                ],
                &[("namespace", "db"), ("statefulset", "pg")],
            ),
            alert(
                "KubeDaemonSetRolloutStuck",
                Warning,
                "15m",
                "((kube_daemonset_status_current_number_scheduled != kube_daemonset_status_desired_number_scheduled) or (kube_daemonset_status_number_misscheduled != 0) or (kube_daemonset_status_updated_number_scheduled != kube_daemonset_status_desired_number_scheduled) or (kube_daemonset_status_number_available != kube_daemonset_status_desired_number_scheduled)) and (changes(kube_daemonset_status_updated_number_scheduled[5m]) == 0)",
            )
            .about("A daemonset's rollout is stuck", "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} has not finished rolling out for 15 minutes.")
            .runbook(
                "Some nodes run an old version of the daemon, or none.",
                "`kubectl -n <namespace> rollout status daemonset/<daemonset>`; describe the pods that are not ready.",
                "Fix the failing pods, or roll back the change.",
            )
            .test(
                &[
                    (r#"kube_daemonset_status_current_number_scheduled{namespace="kube-system", daemonset="agent"}"#, "3", "3"),
                    (r#"kube_daemonset_status_desired_number_scheduled{namespace="kube-system", daemonset="agent"}"#, "3", "3"),
                    (r#"kube_daemonset_status_number_misscheduled{namespace="kube-system", daemonset="agent"}"#, "0", "0"),
                    (r#"kube_daemonset_status_updated_number_scheduled{namespace="kube-system", daemonset="agent"}"#, "1", "3"),
                    (r#"kube_daemonset_status_number_available{namespace="kube-system", daemonset="agent"}"#, "3", "3"),
                ],
                &[("namespace", "kube-system"), ("daemonset", "agent")],
            ),
            alert("KubeDaemonSetNotScheduled", Warning, "10m", "kube_daemonset_status_desired_number_scheduled - kube_daemonset_status_current_number_scheduled > 0")
                .about("A daemonset's pods are not scheduled", "Pods of daemonset {{ $labels.namespace }}/{{ $labels.daemonset }} are not scheduled on every node they should run on.")
                .runbook(
                    "Nodes run without the daemon: logs, metrics or networking may be missing there.",
                    "`kubectl -n <namespace> describe daemonset <daemonset>`; compare its tolerations and node selector with the nodes' taints and labels.",
                    "Add the missing toleration, or free resources on the nodes where the pod does not fit.",
                )
                .test(
                    &[
                        (r#"kube_daemonset_status_desired_number_scheduled{namespace="kube-system", daemonset="agent"}"#, "3", "3"),
                        (r#"kube_daemonset_status_current_number_scheduled{namespace="kube-system", daemonset="agent"}"#, "2", "3"),
                    ],
                    &[("namespace", "kube-system"), ("daemonset", "agent")],
                ),
            alert("KubeDaemonSetMisScheduled", Warning, "15m", "kube_daemonset_status_number_misscheduled > 0")
                .about("A daemonset's pods run where they should not", "Pods of daemonset {{ $labels.namespace }}/{{ $labels.daemonset }} run on nodes they are not meant for.")
                .runbook(
                    "Usually harmless, but a sign of changed node labels or taints.",
                    "`kubectl -n <namespace> get pods -o wide -l <selector>` and the nodes' labels and taints.",
                    "Correct the node labels or the daemonset's node selector.",
                )
                .test(
                    &[(r#"kube_daemonset_status_number_misscheduled{namespace="kube-system", daemonset="agent"}"#, "1", "0")],
                    &[("namespace", "kube-system"), ("daemonset", "agent")],
                ),
            alert(
                "KubeJobNotCompleted",
                Warning,
                "0s",
                "time() - max by (namespace, job_name) (kube_job_status_start_time and on (namespace, job_name) kube_job_status_active > 0) > 43200",
            )
            .about("A job runs for more than 12 hours", "Job {{ $labels.namespace }}/{{ $labels.job_name }} has been running for more than 12 hours.")
            .runbook(
                "Its work is late; a CronJob's next run may be skipped while it runs.",
                "`kubectl -n <namespace> describe job <job>` and its pods' logs.",
                "Fix or delete the hanging job; set `activeDeadlineSeconds` so it cannot hang again.",
            )
            .test(
                &[
                    (r#"kube_job_status_start_time{namespace="batch", job_name="report"}"#, "-40000", "5000"),
                    (r#"kube_job_status_active{namespace="batch", job_name="report"}"#, "1", "1"),
                ],
                &[("namespace", "batch"), ("job_name", "report")],
            ),
            alert("KubeJobFailed", Warning, "15m", r#"kube_job_failed{condition="true"} > 0"#)
                .about("A job failed", "Job {{ $labels.namespace }}/{{ $labels.job_name }} failed to complete; remove it to clear this alert.")
                .runbook(
                    "Its work was not done.",
                    "`kubectl -n <namespace> describe job <job>` and the logs of its failed pods.",
                    "Fix the cause and run the job again; then delete the failed job.",
                )
                .test(
                    &[(r#"kube_job_failed{namespace="batch", job_name="report", condition="true"}"#, "1", "0")],
                    &[("namespace", "batch"), ("job_name", "report"), ("condition", "true")],
                ),
            alert(
                "KubeHpaReplicasMismatch",
                Warning,
                "15m",
                "(kube_horizontalpodautoscaler_status_desired_replicas != kube_horizontalpodautoscaler_status_current_replicas) and (kube_horizontalpodautoscaler_status_current_replicas > kube_horizontalpodautoscaler_spec_min_replicas) and (kube_horizontalpodautoscaler_status_current_replicas < kube_horizontalpodautoscaler_spec_max_replicas) and (changes(kube_horizontalpodautoscaler_status_current_replicas[15m]) == 0)",
            )
            .about("An autoscaler does not reach its desired replicas", "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has not matched its desired number of replicas for 15 minutes.")
            .runbook(
                "The workload is not scaled as its load demands.",
                "`kubectl -n <namespace> describe hpa <hpa>`: its conditions and events say why scaling fails.",
                "Free cluster capacity, or fix the metrics source the autoscaler reads.",
            )
            .test(
                &[
                    (r#"kube_horizontalpodautoscaler_status_desired_replicas{namespace="shop", horizontalpodautoscaler="web"}"#, "5", "3"),
                    (r#"kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="web"}"#, "3", "3"),
                    (r#"kube_horizontalpodautoscaler_spec_min_replicas{namespace="shop", horizontalpodautoscaler="web"}"#, "2", "2"),
                    (r#"kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="web"}"#, "10", "10"),
                ],
                &[("namespace", "shop"), ("horizontalpodautoscaler", "web")],
            ),
            alert("KubeHpaMaxedOut", Warning, "15m", "kube_horizontalpodautoscaler_status_current_replicas == kube_horizontalpodautoscaler_spec_max_replicas")
                .about("An autoscaler runs at its maximum", "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for 15 minutes.")
                .runbook(
                    "The workload cannot grow further; more load will slow it down.",
                    "Compare the load with the HPA's target: `kubectl -n <namespace> describe hpa <hpa>`.",
                    "Raise `maxReplicas` if the cluster has room, or make the workload cheaper per request.",
                )
                .test(
                    &[
                        (r#"kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="web"}"#, "10", "4"),
                        (r#"kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="web"}"#, "10", "10"),
                    ],
                    &[("namespace", "shop"), ("horizontalpodautoscaler", "web")],
                ),
            alert(
                "KubeContainerWaiting",
                Warning,
                "1h",
                r#"sum by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason!="CrashLoopBackOff"}) > 0"#,
            )
            .about("A container has been waiting for an hour", "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been waiting to start for more than an hour.")
            .runbook(
                "The pod never runs.",
                "`kubectl -n <namespace> describe pod <pod>`: the container's waiting reason (ImagePullBackOff, CreateContainerConfigError, …) says what is missing.",
                "Provide the missing image, Secret, ConfigMap or volume.",
            )
            .test(
                &[(r#"kube_pod_container_status_waiting_reason{namespace="shop", pod="web-1", container="app", reason="ImagePullBackOff"}"#, "1", "0")],
                &[("namespace", "shop"), ("pod", "web-1"), ("container", "app")],
            ),
            alert(
                "KubeContainerOOMKilled",
                Warning,
                "0s",
                r#"(sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m])) > 0) and on (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1)"#,
            )
            .about("A container was killed for running out of memory", "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted in the last 15 minutes after exceeding its memory limit.")
            .runbook(
                "Requests in flight were lost; repeated kills become a crash loop.",
                "Compare the container's memory use (the pod dashboard) with its limit: `kubectl -n <namespace> get pod <pod> -o jsonpath='{.spec.containers[*].resources}'`.",
                "Raise the memory limit, or find what makes the process grow.",
            )
            .test(
                &[
                    (r#"kube_pod_container_status_restarts_total{namespace="shop", pod="web-1", container="app"}"#, "0+1", "3"),
                    (r#"kube_pod_container_status_last_terminated_reason{namespace="shop", pod="web-1", container="app", reason="OOMKilled"}"#, "1", "1"),
                ],
                &[("namespace", "shop"), ("pod", "web-1"), ("container", "app")],
            ),
        ],
    }
}
