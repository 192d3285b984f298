//! The API server: availability as multi-window, multi-burn-rate SLO alerts (99% of requests
//! answered without a server error, 99% of non-streaming requests within a second), its own
//! liveness, aggregated APIs, terminated requests and client certificates.
//!
//! The burn rates are recorded per window at the `cluster:` level; each alert pairs a long
//! window (is the budget really burning?) with a short one (is it still burning?), as the SRE
//! workbook's multiwindow approach does.

use crate::contract::alerts::{Record, RuleSet, Severity::*, alert, record};

/// The job the API server's ServiceMonitor gives its series.
pub(crate) const JOB: &str = "apiserver";
const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];
/// The error budget: 1% of requests.
const BUDGET: f64 = 0.01;

fn errors_name(window: &str) -> &'static str {
    match window {
        "5m" => "cluster:apiserver_request_errors:ratio_rate5m",
        "30m" => "cluster:apiserver_request_errors:ratio_rate30m",
        "1h" => "cluster:apiserver_request_errors:ratio_rate1h",
        "2h" => "cluster:apiserver_request_errors:ratio_rate2h",
        "6h" => "cluster:apiserver_request_errors:ratio_rate6h",
        "1d" => "cluster:apiserver_request_errors:ratio_rate1d",
        _ => "cluster:apiserver_request_errors:ratio_rate3d",
    }
}

fn slow_name(window: &str) -> &'static str {
    match window {
        "5m" => "cluster:apiserver_request_slow:ratio_rate5m",
        "30m" => "cluster:apiserver_request_slow:ratio_rate30m",
        "1h" => "cluster:apiserver_request_slow:ratio_rate1h",
        "2h" => "cluster:apiserver_request_slow:ratio_rate2h",
        "6h" => "cluster:apiserver_request_slow:ratio_rate6h",
        "1d" => "cluster:apiserver_request_slow:ratio_rate1d",
        _ => "cluster:apiserver_request_slow:ratio_rate3d",
    }
}

fn records() -> Vec<Record> {
    let mut records = Vec::new();
    for w in WINDOWS {
        records.push(record(
            errors_name(w),
            format!(
                r#"sum(rate(apiserver_request_total{{job="{JOB}", code=~"5.."}}[{w}])) / sum(rate(apiserver_request_total{{job="{JOB}"}}[{w}]))"#
            ),
        ));
    }
    for w in WINDOWS {
        // Streaming requests (WATCH, CONNECT) last as long as the client wants: no latency.
        records.push(record(
            slow_name(w),
            format!(
                r#"1 - sum(rate(apiserver_request_sli_duration_seconds_bucket{{job="{JOB}", verb!~"WATCH|CONNECT", le=~"1(\\.0)?"}}[{w}])) / sum(rate(apiserver_request_sli_duration_seconds_count{{job="{JOB}", verb!~"WATCH|CONNECT"}}[{w}]))"#
            ),
        ));
    }
    records.push(record(
        "cluster_verb_quantile:apiserver_request_sli_duration_seconds:histogram_quantile99",
        format!(
            r#"histogram_quantile(0.99, sum by (verb, le) (rate(apiserver_request_sli_duration_seconds_bucket{{job="{JOB}", verb!~"WATCH|CONNECT"}}[5m])))"#
        ),
    ));
    records.push(record(
        "cluster_code:apiserver_request:sum_rate5m",
        format!(r#"sum by (code) (rate(apiserver_request_total{{job="{JOB}"}}[5m]))"#),
    ));
    records
}

/// Page when the budget burns fast (2% in an hour, 5% in six), ticket when slowly (10% in a
/// day or three).
fn burn(name: fn(&str) -> &'static str, fast: bool) -> String {
    let pair = |long: &str, short: &str, factor: f64| {
        format!("({} > {factor} * {BUDGET} and {} > {factor} * {BUDGET})", name(long), name(short))
    };
    if fast {
        format!("{} or {}", pair("1h", "5m", 14.4), pair("6h", "30m", 6.0))
    } else {
        format!("{} or {}", pair("1d", "2h", 3.0), pair("3d", "6h", 1.0))
    }
}

pub(crate) fn apiserver() -> RuleSet {
    let errors_fire: &[(&str, &str, &str)] = &[
        (r#"apiserver_request_total{job="apiserver", verb="GET", code="500"}"#, "0+10", "0"),
        (r#"apiserver_request_total{job="apiserver", verb="GET", code="200"}"#, "0+10", "0+20"),
    ];
    let slow_fire: &[(&str, &str, &str)] = &[
        (r#"apiserver_request_sli_duration_seconds_bucket{job="apiserver", verb="GET", le="1"}"#, "0+5", "0+20"),
        (r#"apiserver_request_sli_duration_seconds_count{job="apiserver", verb="GET"}"#, "0+20", "0+20"),
    ];
    RuleSet {
        name: "kubernetes-apiserver",
        records: records(),
        alerts: vec![
            alert("KubeAPIErrorBudgetBurnFast", Critical, "2m", burn(errors_name, true))
                .about("The API server burns its error budget fast", "The API server answers so many requests with server errors that a month's error budget (1%) would be gone within days.")
                .runbook("Controllers, kubectl and the platform's operators fail to read or change cluster state.", "The API server dashboard's errors by verb and resource; the API server's and etcd's logs.", "Fix the failing dependency (etcd, an aggregated API, a webhook) or relieve an overloaded API server.")
                .test(errors_fire, &[]),
            alert("KubeAPIErrorBudgetBurnSlow", Warning, "1h", burn(errors_name, false))
                .about("The API server burns its error budget", "The API server answers enough requests with server errors to exhaust a month's error budget (1%) early.")
                .runbook("Some cluster operations fail; the cluster is less reliable than promised.", "The API server dashboard's errors by verb and resource over the last day.", "Find the failing resource or webhook and fix it.")
                .test(errors_fire, &[]),
            alert("KubeAPILatencyBudgetBurnFast", Critical, "2m", burn(slow_name, true))
                .about("The API server is slow for too many requests", "So many API requests take longer than a second that a month's latency budget (1%) would be gone within days.")
                .runbook("Controllers lag, kubectl hangs, rollouts slow down.", "The API server dashboard's latency by verb; etcd's commit and fsync latency; slow admission webhooks.", "Fix slow etcd disks or webhooks; reduce expensive LIST calls.")
                .test(slow_fire, &[]),
            alert("KubeAPILatencyBudgetBurnSlow", Warning, "1h", burn(slow_name, false))
                .about("The API server is slow for many requests", "Enough API requests take longer than a second to exhaust a month's latency budget (1%) early.")
                .runbook("The cluster reacts slowly.", "The API server dashboard's latency by verb over the last day.", "Find the slow resource, webhook or client and fix it.")
                .test(slow_fire, &[]),
            alert("KubeAPIDown", Critical, "15m", format!(r#"absent(up{{job="{JOB}"}} == 1)"#))
                .about("The API server cannot be scraped", "Prometheus has scraped no API server for 15 minutes.")
                .runbook("Either the API server is down (the whole cluster is unmanageable) or its metrics are unreachable and its alerts blind.", "`kubectl get --raw /readyz`; Prometheus' Targets page for job `apiserver`.", "Restore the API server, or fix the scrape (RBAC on `/metrics`, the `default/kubernetes` endpoints).")
                .test(&[(r#"up{job="apiserver", instance="10.0.0.1:6443"}"#, "0", "1")], &[]),
            alert(
                "KubeAPITerminatedRequests",
                Warning,
                "5m",
                format!(r#"sum(rate(apiserver_request_terminations_total{{job="{JOB}"}}[10m])) / (sum(rate(apiserver_request_total{{job="{JOB}"}}[10m])) + sum(rate(apiserver_request_terminations_total{{job="{JOB}"}}[10m]))) > 0.2"#),
            )
            .about("The API server terminates many requests", "The API server has terminated more than 20% of its incoming requests (priority and fairness).")
            .runbook("Clients are throttled: controllers and kubectl see errors.", "The API server dashboard; `apiserver_flowcontrol_*` metrics show which flow schema rejects.", "Find the client flooding the API server, or adjust its FlowSchema and PriorityLevelConfiguration.")
            .test(&[(r#"apiserver_request_terminations_total{job="apiserver"}"#, "0+50", "0"), (r#"apiserver_request_total{job="apiserver", code="200"}"#, "0+50", "0+50")], &[]),
            alert("KubeAggregatedAPIErrors", Warning, "10m", "sum by (name, namespace) (increase(aggregator_unavailable_apiservice_total[10m])) > 4")
                .about("An aggregated API keeps becoming unavailable", "Aggregated API {{ $labels.name }}/{{ $labels.namespace }} was reported unavailable more than four times in 10 minutes.")
                .runbook("Requests for that API group fail; namespace deletion may hang on it.", "`kubectl get apiservice <name>` and the backing Service's pods.", "Repair the backing service (metrics-server, for instance) or delete the stale APIService.")
                .test(&[(r#"aggregator_unavailable_apiservice_total{name="v1beta1.metrics.k8s.io", namespace="kube-system"}"#, "0+1", "2")], &[("name", "v1beta1.metrics.k8s.io"), ("namespace", "kube-system")]),
            alert("KubeAggregatedAPIDown", Warning, "5m", "(1 - max by (name, namespace) (avg_over_time(aggregator_unavailable_apiservice[10m]))) * 100 < 85")
                .about("An aggregated API is down", "Aggregated API {{ $labels.name }}/{{ $labels.namespace }} was available less than 85% of the last 10 minutes.")
                .runbook("Requests for that API group fail; namespace deletion may hang on it.", "`kubectl get apiservice <name>` and the backing Service's pods.", "Repair the backing service or delete the stale APIService.")
                .test(&[(r#"aggregator_unavailable_apiservice{name="v1beta1.metrics.k8s.io", namespace="kube-system"}"#, "1", "0")], &[("name", "v1beta1.metrics.k8s.io"), ("namespace", "kube-system")]),
            alert("KubeClientCertificateExpiration", Warning, "5m", format!(r#"histogram_quantile(0.01, sum by (job, instance, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{{job="{JOB}"}}[5m]))) < 604800"#))
                .about("A client certificate used against the API server expires within a week", "A client presented a certificate to the API server on {{ $labels.instance }} that expires in less than a week.")
                .runbook("When it expires, that client (a kubelet, controller or person) loses access.", "The API server's audit log shows which user presents short-lived certificates.", "Renew the client's certificate (`kubeadm certs renew`, or the kubelet's rotation).")
                .test(&[
                    (r#"apiserver_client_certificate_expiration_seconds_bucket{job="apiserver", instance="a", le="3600"}"#, "0+10", "0"),
                    (r#"apiserver_client_certificate_expiration_seconds_bucket{job="apiserver", instance="a", le="31536000"}"#, "0+10", "0"),
                    (r#"apiserver_client_certificate_expiration_seconds_bucket{job="apiserver", instance="a", le="+Inf"}"#, "0+10", "0+10"),
                ], &[("job", "apiserver"), ("instance", "a")])
                .also_fires(Critical, &[("job", "apiserver"), ("instance", "a")]),
            alert("KubeClientCertificateExpiration", Critical, "5m", format!(r#"histogram_quantile(0.01, sum by (job, instance, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{{job="{JOB}"}}[5m]))) < 86400"#))
                .about("A client certificate used against the API server expires within a day", "A client presented a certificate to the API server on {{ $labels.instance }} that expires in less than a day.")
                .runbook("When it expires, that client loses access to the cluster.", "The API server's audit log shows which user presents it.", "Renew the client's certificate now.")
                .test(&[
                    (r#"apiserver_client_certificate_expiration_seconds_bucket{job="apiserver", instance="a", le="3600"}"#, "0+10", "0"),
                    (r#"apiserver_client_certificate_expiration_seconds_bucket{job="apiserver", instance="a", le="31536000"}"#, "0+10", "0"),
                    (r#"apiserver_client_certificate_expiration_seconds_bucket{job="apiserver", instance="a", le="+Inf"}"#, "0+10", "0+10"),
                ], &[("job", "apiserver"), ("instance", "a")])
                .also_fires(Warning, &[("job", "apiserver"), ("instance", "a")]),
        ],
    }
}
