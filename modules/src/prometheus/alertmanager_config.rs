//! `alertmanager.yaml`, rendered from typed structs whose fields are the keys of the
//! Alertmanager configuration reference. It holds no secret: receiver URLs and keys are
//! `*_file` paths into a Secret that the `Alertmanager` resource mounts.

use serde::Serialize;

use super::resolved::NotificationsResolved;

/// Where the operator mounts each Secret listed in the resource's `spec.secrets`.
pub(crate) const SECRETS_DIR: &str = "/etc/alertmanager/secrets";
pub(crate) const SLACK_URL_KEY: &str = "slack-webhook-url";
pub(crate) const PAGERDUTY_KEY: &str = "pagerduty-routing-key";

#[derive(Serialize)]
pub(crate) struct Config {
    global: Global,
    route: Route,
    receivers: Vec<Receiver>,
    inhibit_rules: Vec<InhibitRule>,
}

#[derive(Serialize)]
struct Global {
    resolve_timeout: &'static str,
}

#[derive(Serialize)]
struct Route {
    receiver: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_by: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<Route>,
}

#[derive(Serialize)]
struct Receiver {
    name: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slack_configs: Vec<SlackConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pagerduty_configs: Vec<PagerdutyConfig>,
}

#[derive(Serialize)]
struct SlackConfig {
    api_url_file: String,
    channel: String,
    send_resolved: bool,
    title: &'static str,
    text: &'static str,
}

#[derive(Serialize)]
struct PagerdutyConfig {
    routing_key_file: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct InhibitRule {
    source_matchers: Vec<&'static str>,
    target_matchers: Vec<&'static str>,
    equal: Vec<&'static str>,
}

const NULL: &str = "null";
const DEFAULT: &str = "platform";
const CRITICAL: &str = "platform-critical";

const SLACK_TITLE: &str = "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.env }})";
const SLACK_TEXT: &str = "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n{{ end }}";

/// The configuration: grouped by alert and namespace, critical alerts inhibiting warnings of
/// the same alert, and either real receivers or a null receiver that drops everything.
pub(crate) fn config(notifications: Option<&NotificationsResolved>) -> Config {
    let (receivers, routes, root) = match notifications {
        None => (vec![Receiver { name: NULL, slack_configs: vec![], pagerduty_configs: vec![] }], vec![], NULL),
        Some(n) => {
            let file = |key: &str| format!("{SECRETS_DIR}/{}/{key}", n.secret);
            let slack = || SlackConfig {
                api_url_file: file(SLACK_URL_KEY),
                channel: n.slack_channel.clone(),
                send_resolved: true,
                title: SLACK_TITLE,
                text: SLACK_TEXT,
            };
            let critical_route = Route {
                receiver: CRITICAL,
                matchers: vec!["severity=\"critical\"".into()],
                group_by: vec![],
                group_wait: None,
                group_interval: None,
                // Pages repeat sooner than warnings while unresolved.
                repeat_interval: Some("1h"),
                routes: vec![],
            };
            (
                vec![
                    Receiver { name: NULL, slack_configs: vec![], pagerduty_configs: vec![] },
                    Receiver { name: DEFAULT, slack_configs: vec![slack()], pagerduty_configs: vec![] },
                    Receiver {
                        name: CRITICAL,
                        slack_configs: vec![slack()],
                        pagerduty_configs: vec![PagerdutyConfig {
                            routing_key_file: file(PAGERDUTY_KEY),
                            send_resolved: true,
                        }],
                    },
                ],
                vec![quiet_route("alertname=\"InfoInhibitor\""), quiet_route("severity=\"info\""), critical_route],
                DEFAULT,
            )
        }
    };
    Config {
        global: Global { resolve_timeout: "5m" },
        route: Route {
            receiver: root,
            matchers: vec![],
            group_by: vec!["alertname", "namespace"],
            group_wait: Some("30s"),
            group_interval: Some("5m"),
            repeat_interval: Some("12h"),
            routes,
        },
        receivers,
        inhibit_rules: vec![
            InhibitRule {
                source_matchers: vec!["severity=\"critical\""],
                target_matchers: vec!["severity=\"warning\""],
                equal: vec!["alertname", "namespace"],
            },
            // InfoInhibitor fires while a namespace has info alerts and nothing worse: it
            // silences them, so info alerts show only next to a warning or critical one.
            InhibitRule {
                source_matchers: vec!["alertname=\"InfoInhibitor\""],
                target_matchers: vec!["severity=\"info\""],
                equal: vec!["namespace"],
            },
        ],
    }
}

/// A route to the null receiver: InfoInhibitor exists only to inhibit, and info alerts are
/// for dashboards, not for people (as in kube-prometheus).
fn quiet_route(matcher: &str) -> Route {
    Route {
        receiver: NULL,
        matchers: vec![matcher.to_owned()],
        group_by: vec![],
        group_wait: None,
        group_interval: None,
        repeat_interval: None,
        routes: vec![],
    }
}
