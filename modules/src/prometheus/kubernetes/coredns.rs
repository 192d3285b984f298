//! CoreDNS: down, answering with server failures, slow, and its upstream forwarding.

use crate::contract::alerts::{Record, RuleSet, Severity::*, alert, record};

/// The job of CoreDNS' series: the `k8s-app` label of the `kube-dns` Service.
pub(crate) const JOB: &str = "kube-dns";

fn records() -> Vec<Record> {
    vec![
        record(
            "cluster:coredns_dns_requests:sum_rate5m",
            format!(r#"sum(rate(coredns_dns_requests_total{{job="{JOB}"}}[5m]))"#),
        ),
        record(
            "cluster_rcode:coredns_dns_responses:sum_rate5m",
            format!(r#"sum by (rcode) (rate(coredns_dns_responses_total{{job="{JOB}"}}[5m]))"#),
        ),
        record(
            "cluster_quantile:coredns_dns_request_duration_seconds:histogram_quantile99",
            format!(
                r#"histogram_quantile(0.99, sum by (le) (rate(coredns_dns_request_duration_seconds_bucket{{job="{JOB}"}}[5m])))"#
            ),
        ),
    ]
}

fn servfail_share(selector: &str) -> String {
    let servfail = match selector.strip_suffix('}') {
        Some(open) => format!(r#"{open}, rcode="SERVFAIL"}}"#),
        None => format!(r#"{selector}{{rcode="SERVFAIL"}}"#),
    };
    format!("sum(rate({servfail}[5m])) / sum(rate({selector}[5m]))")
}

pub(crate) fn coredns() -> RuleSet {
    let servfail: &[(&str, &str, &str)] = &[
        (r#"coredns_dns_responses_total{job="kube-dns", rcode="SERVFAIL"}"#, "0+10", "0"),
        (r#"coredns_dns_responses_total{job="kube-dns", rcode="NOERROR"}"#, "0+90", "0+100"),
    ];
    RuleSet {
        name: "coredns",
        records: records(),
        alerts: vec![
            alert("CoreDNSDown", Critical, "15m", format!(r#"absent(up{{job="{JOB}"}} == 1)"#))
                .about("CoreDNS cannot be scraped", "Prometheus has scraped no CoreDNS for 15 minutes.")
                .runbook(
                    "If CoreDNS is down, name resolution in the cluster fails and almost everything with it.",
                    "`kubectl -n kube-system get pods -l k8s-app=kube-dns` and Prometheus' Targets page.",
                    "Restore the CoreDNS pods; check the `metrics` port (9153) on the `kube-dns` Service.",
                )
                .test(&[(r#"up{job="kube-dns", instance="10.0.0.5:9153"}"#, "0", "1")], &[]),
            alert(
                "CoreDNSErrorsHigh",
                Critical,
                "10m",
                format!("{} > 0.03", servfail_share("coredns_dns_responses_total")),
            )
            .about(
                "CoreDNS answers many queries with SERVFAIL",
                "More than 3% of CoreDNS' answers are server failures.",
            )
            .runbook(
                "Name resolution fails for pods: connections to other services and the internet break.",
                "CoreDNS' logs; the upstream resolvers it forwards to.",
                "Fix the upstream resolvers or CoreDNS' Corefile.",
            )
            .test(servfail, &[])
            .also_fires(Warning, &[]),
            alert(
                "CoreDNSErrorsHigh",
                Warning,
                "10m",
                format!("{} > 0.01", servfail_share("coredns_dns_responses_total")),
            )
            .about(
                "CoreDNS answers some queries with SERVFAIL",
                "More than 1% of CoreDNS' answers are server failures.",
            )
            .runbook(
                "Some name resolutions fail; clients retry or error.",
                "CoreDNS' logs; the upstream resolvers it forwards to.",
                "Fix the upstream resolvers or CoreDNS' Corefile.",
            )
            .test(servfail, &[])
            .also_fires(Critical, &[]),
            alert(
                "CoreDNSLatencyHigh",
                Critical,
                "10m",
                "cluster_quantile:coredns_dns_request_duration_seconds:histogram_quantile99 > 4",
            )
            .about("CoreDNS answers slowly", "CoreDNS takes more than 4 seconds to answer 1% of its queries.")
            .runbook(
                "Every new connection in the cluster waits for DNS: requests slow down or time out.",
                "The CoreDNS dashboard's latency and the upstream resolvers' latency; CoreDNS' CPU throttling.",
                "Scale CoreDNS, raise its CPU limit, or fix slow upstream resolvers.",
            )
            .test(
                &[
                    (r#"coredns_dns_request_duration_seconds_bucket{job="kube-dns", le="0.1"}"#, "0", "0+10"),
                    (r#"coredns_dns_request_duration_seconds_bucket{job="kube-dns", le="8.192"}"#, "0+10", "0+10"),
                    (r#"coredns_dns_request_duration_seconds_bucket{job="kube-dns", le="+Inf"}"#, "0+10", "0+10"),
                ],
                &[],
            ),
            alert(
                "CoreDNSForwardErrorsHigh",
                Warning,
                "10m",
                // Since CoreDNS 1.11 the forward plugin counts its upstream answers in the shared
                // proxy package (plugin/pkg/proxy/metrics.go), by `proxy_name` and `rcode`.
                format!("{} > 0.03", servfail_share(r#"coredns_proxy_request_duration_seconds_count{proxy_name="forward"}"#)),
            )
            .about(
                "CoreDNS' upstream resolvers fail",
                "More than 3% of the answers CoreDNS gets from its upstream resolvers are server failures.",
            )
            .runbook(
                "Names outside the cluster fail to resolve.",
                "The upstream resolvers named in the Corefile's `forward` block.",
                "Fix or replace the upstream resolvers.",
            )
            .test(
                &[
                    (
                        r#"coredns_proxy_request_duration_seconds_count{job="kube-dns", proxy_name="forward", rcode="SERVFAIL", to="10.0.0.2:53"}"#,
                        "0+10",
                        "0",
                    ),
                    (
                        r#"coredns_proxy_request_duration_seconds_count{job="kube-dns", proxy_name="forward", rcode="NOERROR", to="10.0.0.2:53"}"#,
                        "0+90",
                        "0+100",
                    ),
                ],
                &[],
            ),
            alert(
                "CoreDNSForwardHealthcheckFailure",
                Warning,
                "10m",
                r#"sum by (to) (rate(coredns_proxy_healthcheck_failures_total{proxy_name="forward"}[5m])) > 0"#,
            )
            .about(
                "An upstream resolver fails CoreDNS' health checks",
                "CoreDNS' health checks of upstream resolver {{ $labels.to }} fail.",
            )
            .runbook(
                "CoreDNS stops forwarding to that resolver; with none left, external names fail.",
                "Can the nodes reach {{ $labels.to }} on port 53?",
                "Fix the resolver or the network path, or forward elsewhere.",
            )
            .test(
                &[(
                    r#"coredns_proxy_healthcheck_failures_total{job="kube-dns", proxy_name="forward", to="10.0.0.2:53"}"#,
                    "0+1",
                    "2",
                )],
                &[("to", "10.0.0.2:53")],
            ),
            alert("CoreDNSPanics", Warning, "0s", "increase(coredns_panics_total[10m]) > 0")
                .about(
                    "CoreDNS panicked",
                    "CoreDNS on {{ $labels.instance }} recovered from a panic in the last 10 minutes.",
                )
                .runbook(
                    "Queries being handled were lost; a bug or malformed query hit CoreDNS.",
                    "CoreDNS' logs around the panic.",
                    "Upgrade CoreDNS or remove the plugin the stack trace names.",
                )
                .test(
                    &[(r#"coredns_panics_total{job="kube-dns", instance="10.0.0.5:9153"}"#, "0+1", "2")],
                    &[("job", "kube-dns"), ("instance", "10.0.0.5:9153")],
                ),
        ],
    }
}
