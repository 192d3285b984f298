//! Storage: persistent volumes filling up (now and predicted), their inodes, and volumes
//! that failed or are never bound. Read-only volumes are left out: they cannot fill.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

const NOT_READ_ONLY: &str = r#"unless on (namespace, persistentvolumeclaim) kube_persistentvolumeclaim_access_mode{access_mode="ReadOnlyMany"} == 1"#;

fn filling(free: &str, total: &str, used: &str, share: f64, predict: bool) -> String {
    let prediction =
        if predict { format!(" and predict_linear({free}[6h], 4 * 24 * 3600) < 0") } else { String::new() };
    format!("(({free} / {total}) < {share} and {used} > 0{prediction}) {NOT_READ_ONLY}")
}

pub(crate) fn storage() -> RuleSet {
    let bytes = (
        "kubelet_volume_stats_available_bytes",
        "kubelet_volume_stats_capacity_bytes",
        "kubelet_volume_stats_used_bytes",
    );
    let inodes =
        ("kubelet_volume_stats_inodes_free", "kubelet_volume_stats_inodes", "kubelet_volume_stats_inodes_used");
    let pvc = &[("namespace", "shop"), ("persistentvolumeclaim", "data-db-0")];
    RuleSet {
        name: "kubernetes-storage",
        records: vec![],
        alerts: vec![
            alert("KubePersistentVolumeFillingUp", Critical, "1m", filling(bytes.0, bytes.1, bytes.2, 0.03, false))
                .about("A persistent volume is full", "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 3% space left.")
                .runbook(
                    "Writes to the volume fail any moment now; databases stop or corrupt their data.",
                    "The persistent-volumes dashboard; `kubectl -n <namespace> exec` into the pod and `df -h` the mount.",
                    "Expand the claim (`kubectl edit pvc`, if its StorageClass allows expansion) or delete data.",
                )
                .test(
                    &[
                        (r#"kubelet_volume_stats_available_bytes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "2", "50"),
                        (r#"kubelet_volume_stats_capacity_bytes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "100", "100"),
                        (r#"kubelet_volume_stats_used_bytes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "98", "50"),
                    ],
                    pvc,
                ),
            alert("KubePersistentVolumeFillingUp", Warning, "1h", filling(bytes.0, bytes.1, bytes.2, 0.15, true))
                .about("A persistent volume will fill within four days", "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 15% space left and, at its current rate, fills within four days.")
                .runbook(
                    "Writes to the volume will fail within days.",
                    "The persistent-volumes dashboard shows the trend; find what writes to the volume.",
                    "Expand the claim, lower the application's retention, or delete data.",
                )
                .test(
                    &[
                        (r#"kubelet_volume_stats_available_bytes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "14000-50", "50000"),
                        (r#"kubelet_volume_stats_capacity_bytes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "100000", "100000"),
                        (r#"kubelet_volume_stats_used_bytes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "86000+50", "50000"),
                    ],
                    pvc,
                ),
            alert("KubePersistentVolumeInodesFillingUp", Critical, "1m", filling(inodes.0, inodes.1, inodes.2, 0.03, false))
                .about("A persistent volume has no inodes left", "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 3% of its inodes free.")
                .runbook(
                    "New files cannot be created although space may remain.",
                    "`df -i` on the mount inside the pod; look for directories with very many small files.",
                    "Delete the small files or expand the claim (inodes grow with the filesystem).",
                )
                .test(
                    &[
                        (r#"kubelet_volume_stats_inodes_free{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "2", "50"),
                        (r#"kubelet_volume_stats_inodes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "100", "100"),
                        (r#"kubelet_volume_stats_inodes_used{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "98", "50"),
                    ],
                    pvc,
                ),
            alert("KubePersistentVolumeInodesFillingUp", Warning, "1h", filling(inodes.0, inodes.1, inodes.2, 0.15, true))
                .about("A persistent volume will run out of inodes within four days", "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 15% of its inodes free and, at its current rate, runs out within four days.")
                .runbook(
                    "New files will fail to be created within days.",
                    "`df -i` on the mount inside the pod; look for what creates many small files.",
                    "Clean the small files up or expand the claim.",
                )
                .test(
                    &[
                        (r#"kubelet_volume_stats_inodes_free{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "14000-50", "50000"),
                        (r#"kubelet_volume_stats_inodes{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "100000", "100000"),
                        (r#"kubelet_volume_stats_inodes_used{namespace="shop", persistentvolumeclaim="data-db-0"}"#, "86000+50", "50000"),
                    ],
                    pvc,
                ),
            alert("KubePersistentVolumeErrors", Critical, "5m", r#"kube_persistentvolume_status_phase{phase=~"Failed|Pending"} > 0"#)
                .about("A persistent volume failed", "Persistent volume {{ $labels.persistentvolume }} is in phase {{ $labels.phase }}.")
                .runbook(
                    "The claim bound to it, and the pods using that claim, cannot use their data.",
                    "`kubectl describe pv <persistentvolume>` and the storage provisioner's logs.",
                    "Repair the backing storage or recreate the volume from a backup.",
                )
                .test(
                    &[(r#"kube_persistentvolume_status_phase{persistentvolume="pv-1", phase="Failed"}"#, "1", "0")],
                    &[("persistentvolume", "pv-1"), ("phase", "Failed")],
                ),
            alert("KubePersistentVolumeClaimPending", Warning, "15m", r#"kube_persistentvolumeclaim_status_phase{phase="Pending"} == 1"#)
                .about("A volume claim is not bound", "Volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has been pending for 15 minutes.")
                .runbook(
                    "Pods using the claim cannot start.",
                    "`kubectl -n <namespace> describe pvc <claim>`: its events name the missing StorageClass or provisioner error.",
                    "Name an existing StorageClass or fix its provisioner.",
                )
                .test(
                    &[(r#"kube_persistentvolumeclaim_status_phase{namespace="shop", persistentvolumeclaim="data-db-0", phase="Pending"}"#, "1", "0")],
                    &[("namespace", "shop"), ("persistentvolumeclaim", "data-db-0"), ("phase", "Pending")],
                ),
        ],
    }
}
