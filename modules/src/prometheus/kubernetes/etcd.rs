//! etcd, where it is scraped (self-managed control planes): membership, leadership, failed
//! and slow requests, disk latency and the database quota.

use crate::contract::alerts::{RuleSet, Severity::*, alert};

pub(crate) const JOB: &str = "etcd";
const I: &[(&str, &str)] = &[("job", "etcd"), ("instance", "10.0.0.1:2381")];

fn quantile_over(metric: &str, q: f64, threshold: f64) -> String {
    format!(r#"histogram_quantile({q}, sum by (job, instance, le) (rate({metric}{{job="{JOB}"}}[5m]))) > {threshold}"#)
}

/// Buckets of `metric` whose observations are all slow (firing) or all fast (healthy).
fn slow_buckets(metric: &str) -> Vec<(String, &'static str, &'static str)> {
    let s = |le: &str| format!(r#"{metric}{{job="etcd", instance="10.0.0.1:2381", le="{le}"}}"#);
    vec![(s("0.01"), "0", "0+10"), (s("2.048"), "0+10", "0+10"), (s("+Inf"), "0+10", "0+10")]
}

pub(crate) fn etcd() -> RuleSet {
    RuleSet {
        name: "etcd",
        records: vec![],
        alerts: vec![
            alert("etcdMembersDown", Critical, "10m", format!(r#"count by (job) (up{{job="{JOB}"}} == 0) > 0"#))
                .about("etcd members are down", "{{ $value }} members of etcd cannot be scraped.")
                .runbook("The cluster runs with less fault tolerance; losing more members loses quorum.", "`etcdctl endpoint health --cluster` on a control-plane node.", "Restore the member's static pod, disk or network.")
                .test(&[(r#"up{job="etcd", instance="10.0.0.1:2381"}"#, "0", "1"), (r#"up{job="etcd", instance="10.0.0.2:2381"}"#, "1", "1")], &[("job", "etcd")])
                .value("1"),
            alert("etcdInsufficientMembers", Critical, "3m", format!(r#"sum by (job) (up{{job="{JOB}"}} == bool 1) < ((count by (job) (up{{job="{JOB}"}}) + 1) / 2)"#))
                .about("etcd has lost quorum", "Fewer than a majority of etcd's members are up: it cannot accept writes.")
                .runbook("The API server cannot change anything; the cluster is frozen.", "`etcdctl endpoint health --cluster` and each member's logs.", "Bring members back; as a last resort restore from a snapshot.")
                .test(&[(r#"up{job="etcd", instance="10.0.0.1:2381"}"#, "0", "1"), (r#"up{job="etcd", instance="10.0.0.2:2381"}"#, "0", "1"), (r#"up{job="etcd", instance="10.0.0.3:2381"}"#, "1", "1")], &[("job", "etcd")]),
            alert("etcdNoLeader", Critical, "1m", format!(r#"etcd_server_has_leader{{job="{JOB}"}} == 0"#))
                .about("An etcd member has no leader", "etcd member {{ $labels.instance }} has no leader.")
                .runbook("That member cannot serve requests.", "The member's logs and its network to the others (port 2380).", "Restore connectivity between the members.")
                .test(&[(r#"etcd_server_has_leader{job="etcd", instance="10.0.0.1:2381"}"#, "0", "1")], I),
            alert("etcdHighNumberOfLeaderChanges", Warning, "5m", format!(r#"increase(etcd_server_leader_changes_seen_total{{job="{JOB}"}}[15m]) >= 4"#))
                .about("etcd changes leaders often", "etcd member {{ $labels.instance }} saw four or more leader changes in 15 minutes.")
                .runbook("Requests stall during each election.", "Disk latency (fsync) and network latency between members.", "Give etcd faster disks or a quieter network.")
                .test(&[(r#"etcd_server_leader_changes_seen_total{job="etcd", instance="10.0.0.1:2381"}"#, "0+1", "3")], I),
            alert(
                "etcdHighNumberOfFailedGRPCRequests",
                Critical,
                "5m",
                format!(r#"sum by (job, instance, grpc_service, grpc_method) (rate(grpc_server_handled_total{{job="{JOB}", grpc_code=~"Unknown|FailedPrecondition|ResourceExhausted|Internal|Unavailable|DataLoss|DeadlineExceeded"}}[5m])) / sum by (job, instance, grpc_service, grpc_method) (rate(grpc_server_handled_total{{job="{JOB}"}}[5m])) > 0.05"#),
            )
            .about("etcd fails many requests", "More than 5% of {{ $labels.grpc_method }} requests to etcd member {{ $labels.instance }} fail.")
            .runbook("The API server sees errors.", "The member's logs.", "Fix the member's disk, quota or network problem.")
            .test(&[
                (r#"grpc_server_handled_total{job="etcd", instance="10.0.0.1:2381", grpc_service="etcdserverpb.KV", grpc_method="Range", grpc_code="Unavailable"}"#, "0+10", "0"),
                (r#"grpc_server_handled_total{job="etcd", instance="10.0.0.1:2381", grpc_service="etcdserverpb.KV", grpc_method="Range", grpc_code="OK"}"#, "0+90", "0+100"),
            ], &[("job", "etcd"), ("instance", "10.0.0.1:2381"), ("grpc_service", "etcdserverpb.KV"), ("grpc_method", "Range")]),
            alert(
                "etcdGRPCRequestsSlow",
                Critical,
                "10m",
                format!(r#"histogram_quantile(0.99, sum by (job, instance, grpc_method, le) (rate(grpc_server_handling_seconds_bucket{{job="{JOB}", grpc_method!="Defragment", grpc_type="unary"}}[5m]))) > 0.15"#),
            )
            .about("etcd answers slowly", "{{ $labels.grpc_method }} requests to etcd member {{ $labels.instance }} take more than 150 ms (99th percentile).")
            .runbook("The API server, and everything using it, slows down.", "The member's disk latency and CPU.", "Give etcd faster disks and dedicated CPU.")
            .test(&[
                (r#"grpc_server_handling_seconds_bucket{job="etcd", instance="10.0.0.1:2381", grpc_method="Range", grpc_type="unary", le="0.01"}"#, "0", "0+10"),
                (r#"grpc_server_handling_seconds_bucket{job="etcd", instance="10.0.0.1:2381", grpc_method="Range", grpc_type="unary", le="1"}"#, "0+10", "0+10"),
                (r#"grpc_server_handling_seconds_bucket{job="etcd", instance="10.0.0.1:2381", grpc_method="Range", grpc_type="unary", le="+Inf"}"#, "0+10", "0+10"),
            ], &[("job", "etcd"), ("instance", "10.0.0.1:2381"), ("grpc_method", "Range")]),
            alert("etcdHighFsyncDurations", Warning, "10m", quantile_over("etcd_disk_wal_fsync_duration_seconds_bucket", 0.99, 0.5))
                .about("etcd's disk syncs are slow", "Write-ahead-log syncs of etcd member {{ $labels.instance }} take more than 500 ms (99th percentile).")
                .runbook("Writes slow down and leader elections follow.", "The disk's latency (`iostat`) on the control-plane node.", "Put etcd on a fast, dedicated SSD.")
                .test(&slow_buckets("etcd_disk_wal_fsync_duration_seconds_bucket"), I),
            alert("etcdHighCommitDurations", Warning, "10m", quantile_over("etcd_disk_backend_commit_duration_seconds_bucket", 0.99, 0.25))
                .about("etcd's commits are slow", "Backend commits of etcd member {{ $labels.instance }} take more than 250 ms (99th percentile).")
                .runbook("Writes slow down.", "The disk's latency on the control-plane node.", "Put etcd on a fast, dedicated SSD; defragment a large database.")
                .test(&slow_buckets("etcd_disk_backend_commit_duration_seconds_bucket"), I),
            alert("etcdMemberCommunicationSlow", Warning, "10m", quantile_over("etcd_network_peer_round_trip_time_seconds_bucket", 0.99, 0.15))
                .about("etcd members talk slowly", "Round trips from etcd member {{ $labels.instance }} to its peers take more than 150 ms (99th percentile).")
                .runbook("Consensus slows down; leaders change.", "Network latency between the control-plane nodes.", "Keep the members in one low-latency network.")
                .test(&slow_buckets("etcd_network_peer_round_trip_time_seconds_bucket"), I),
            alert(
                "etcdDatabaseQuotaLowSpace",
                Critical,
                "10m",
                format!(r#"last_over_time(etcd_mvcc_db_total_size_in_bytes{{job="{JOB}"}}[5m]) / last_over_time(etcd_server_quota_backend_bytes{{job="{JOB}"}}[5m]) > 0.95"#),
            )
            .about("etcd's database is nearly at its quota", "The database of etcd member {{ $labels.instance }} uses more than 95% of its quota.")
            .runbook("At the quota etcd refuses every write: the cluster freezes.", "`etcdctl endpoint status --write-out=table`.", "Compact and defragment (`etcdctl defrag`), then raise `--quota-backend-bytes` if needed.")
            .test(&[(r#"etcd_mvcc_db_total_size_in_bytes{job="etcd", instance="10.0.0.1:2381"}"#, "99", "10"), (r#"etcd_server_quota_backend_bytes{job="etcd", instance="10.0.0.1:2381"}"#, "100", "100")], I),
        ],
    }
}
