//! Alertmanager routing written in the env file: receivers of five kinds, routes with
//! matchers, grouping, and the fixed parts every configuration needs (the Watchdog to its
//! dead man's switch, InfoInhibitor to nowhere, critical inhibiting warning, and
//! InfoInhibitor inhibiting info alerts). Credentials are never written: each receiver names
//! keys of one existing Secret, which Alertmanager mounts and reads as files.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::yaml::EncodeError;
use crate::contract::{At, DnsLabel, ModuleError, OptionError};

use super::alertmanager_config::SECRETS_DIR;
use super::resolved::option_error;

/// Routing of alerts to receivers. When set, it replaces the default Slack and PagerDuty
/// configuration of `notifications`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Routing {
    /// Existing Secret in the namespace whose keys the receivers name.
    pub secret: DnsLabel,
    /// The receiver of every alert no route takes.
    pub default_receiver: At<String>,
    /// The receiver of the always-firing Watchdog: a dead man's switch service that alerts
    /// when it stops hearing it. Without it the Watchdog goes nowhere.
    pub watchdog_receiver: Option<At<String>>,
    /// Labels alerts are grouped by. Default: `[cluster, namespace, alertname]`.
    pub group_by: Option<Vec<String>>,
    pub receivers: Vec<ReceiverOptions>,
    /// Routes tried in order below the fixed Watchdog and InfoInhibitor routes.
    #[serde(default)]
    pub routes: Vec<RouteOptions>,
}

/// One receiver: a name and one or more integrations.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReceiverOptions {
    pub name: String,
    /// Slack: `urlKey` names the Secret key holding the incoming-webhook URL.
    pub slack: Option<SlackOptions>,
    /// PagerDuty Events v2: `routingKeyKey` names the key holding the routing key.
    pub pagerduty: Option<PagerdutyOptions>,
    /// A webhook: `urlKey` names the key holding the URL.
    pub webhook: Option<WebhookOptions>,
    /// Email through an SMTP relay; `passwordKey` names the key holding the password.
    pub email: Option<EmailOptions>,
    /// Opsgenie: `apiKeyKey` names the key holding the API key.
    pub opsgenie: Option<OpsgenieOptions>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SlackOptions {
    pub url_key: String,
    pub channel: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PagerdutyOptions {
    pub routing_key_key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebhookOptions {
    pub url_key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EmailOptions {
    pub to: String,
    pub from: String,
    /// `host:port` of the SMTP relay.
    pub smarthost: String,
    pub username: Option<String>,
    pub password_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpsgenieOptions {
    pub api_key_key: String,
}

/// A route: alerts matching every matcher go to `receiver`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteOptions {
    pub receiver: At<String>,
    /// Alertmanager matchers, such as `severity="critical"` or `namespace=~"shop|pay"`.
    pub matchers: Vec<String>,
    /// Keep looking for further matching routes after this one.
    #[serde(default, rename = "continue")]
    pub continue_: bool,
    pub group_by: Option<Vec<String>>,
    pub repeat_interval: Option<String>,
}

#[derive(Serialize)]
struct Config {
    global: Global,
    route: Route,
    receivers: Vec<Receiver>,
    inhibit_rules: Vec<Inhibit>,
}

#[derive(Serialize)]
struct Global {
    resolve_timeout: &'static str,
}

#[derive(Serialize, Default)]
struct Route {
    receiver: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_by: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<String>,
    #[serde(rename = "continue", skip_serializing_if = "std::ops::Not::not")]
    continue_: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<Route>,
}

#[derive(Serialize, Default)]
struct Receiver {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slack_configs: Vec<Slack>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pagerduty_configs: Vec<Pagerduty>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webhook_configs: Vec<Webhook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    email_configs: Vec<Email>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    opsgenie_configs: Vec<Opsgenie>,
}

#[derive(Serialize)]
struct Slack {
    api_url_file: String,
    channel: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Pagerduty {
    routing_key_file: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Webhook {
    url_file: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Email {
    to: String,
    from: String,
    smarthost: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_password_file: Option<String>,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Opsgenie {
    api_key_file: String,
    send_resolved: bool,
}

#[derive(Serialize)]
struct Inhibit {
    source_matchers: Vec<&'static str>,
    target_matchers: Vec<&'static str>,
    equal: Vec<&'static str>,
}

/// The receiver InfoInhibitor (and anything routed nowhere) goes to.
const NULL: &str = "null";

fn key(r: &str) -> String {
    format!("components.prometheus.alertmanager.routing.{r}")
}

/// One error per receiver a route names but `receivers` does not define, at the line that
/// names it.
pub(crate) fn check(routing: &Routing) -> Vec<OptionError> {
    let names: Vec<&str> = routing.receivers.iter().map(|r| r.name.as_str()).collect();
    let mut named = vec![("defaultReceiver".to_owned(), &routing.default_receiver)];
    named.extend(routing.watchdog_receiver.iter().map(|w| ("watchdogReceiver".to_owned(), w)));
    named.extend(routing.routes.iter().enumerate().map(|(i, r)| (format!("routes[{i}].receiver"), &r.receiver)));
    named
        .into_iter()
        .filter(|(_, name)| !names.contains(&name.value.as_str()) && name.value != NULL)
        .map(|(what, name)| {
            option_error(
                &key(&what)["components.prometheus.".len()..],
                name.pos,
                format!("receiver `{}` is not defined", name.value),
                Some(format!("define it under receivers, or use one of: {}", names.join(", "))),
            )
        })
        .collect()
}

/// The configuration for `routing`, whose receivers [`check`] has checked.
pub(crate) fn config(routing: &Routing) -> Result<serde_json::Value, ModuleError> {
    let file = |k: &str| format!("{SECRETS_DIR}/{}/{k}", routing.secret);
    let mut routes = Vec::new();
    if let Some(w) = &routing.watchdog_receiver {
        // Repeated often, so the dead man's switch notices its absence quickly.
        routes.push(Route {
            receiver: w.value.clone(),
            matchers: vec!["alertname=\"Watchdog\"".into()],
            group_interval: Some("1m".into()),
            repeat_interval: Some("5m".into()),
            ..Default::default()
        });
    }
    routes.push(Route {
        receiver: NULL.into(),
        matchers: vec!["alertname=\"InfoInhibitor\"".into()],
        ..Default::default()
    });
    for r in &routing.routes {
        routes.push(Route {
            receiver: r.receiver.value.clone(),
            matchers: r.matchers.clone(),
            group_by: r.group_by.clone(),
            repeat_interval: r.repeat_interval.clone(),
            continue_: r.continue_,
            ..Default::default()
        });
    }
    let mut receivers: Vec<Receiver> = vec![Receiver { name: NULL.into(), ..Default::default() }];
    for r in &routing.receivers {
        receivers.push(Receiver {
            name: r.name.clone(),
            slack_configs: r
                .slack
                .iter()
                .map(|s| Slack { api_url_file: file(&s.url_key), channel: s.channel.clone(), send_resolved: true })
                .collect(),
            pagerduty_configs: r
                .pagerduty
                .iter()
                .map(|p| Pagerduty { routing_key_file: file(&p.routing_key_key), send_resolved: true })
                .collect(),
            webhook_configs: r
                .webhook
                .iter()
                .map(|w| Webhook { url_file: file(&w.url_key), send_resolved: true })
                .collect(),
            email_configs: r
                .email
                .iter()
                .map(|e| Email {
                    to: e.to.clone(),
                    from: e.from.clone(),
                    smarthost: e.smarthost.clone(),
                    auth_username: e.username.clone(),
                    auth_password_file: e.password_key.as_deref().map(file),
                    send_resolved: true,
                })
                .collect(),
            opsgenie_configs: r
                .opsgenie
                .iter()
                .map(|o| Opsgenie { api_key_file: file(&o.api_key_key), send_resolved: true })
                .collect(),
        });
    }
    let config = Config {
        global: Global { resolve_timeout: "5m" },
        route: Route {
            receiver: routing.default_receiver.value.clone(),
            group_by: Some(
                routing
                    .group_by
                    .clone()
                    .unwrap_or_else(|| vec!["cluster".into(), "namespace".into(), "alertname".into()]),
            ),
            group_wait: Some("30s"),
            group_interval: Some("5m".into()),
            repeat_interval: Some("12h".into()),
            routes,
            ..Default::default()
        },
        receivers,
        inhibit_rules: vec![
            Inhibit {
                source_matchers: vec!["severity=\"critical\""],
                target_matchers: vec!["severity=~\"warning|info\""],
                equal: vec!["namespace", "alertname"],
            },
            Inhibit {
                source_matchers: vec!["severity=\"warning\""],
                target_matchers: vec!["severity=\"info\""],
                equal: vec!["namespace", "alertname"],
            },
            Inhibit {
                source_matchers: vec!["alertname=\"InfoInhibitor\""],
                target_matchers: vec!["severity=\"info\""],
                equal: vec!["namespace"],
            },
        ],
    };
    serde_json::to_value(&config)
        .map_err(|e| ModuleError::config_file("prometheus", super::alertmanager::CONFIG_KEY)(EncodeError::Json(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing(yaml: &str) -> Routing {
        serde_saphyr::from_str(yaml).unwrap()
    }

    const EXAMPLE: &str = r##"
secret: alertmanager-receivers
defaultReceiver: team
watchdogReceiver: deadmansswitch
receivers:
  - name: team
    slack: { urlKey: slack-url, channel: "#alerts" }
    email: { to: ops@example.com, from: am@example.com, smarthost: "smtp.example.com:587", username: am, passwordKey: smtp-password }
  - name: oncall
    pagerduty: { routingKeyKey: pd-key }
    opsgenie: { apiKeyKey: opsgenie-key }
  - name: deadmansswitch
    webhook: { urlKey: dms-url }
routes:
  - receiver: oncall
    matchers: ['severity="critical"']
    continue: true
"##;

    #[test]
    fn credentials_are_files_of_the_secret_and_the_fixed_routes_come_first() {
        let config = config(&routing(EXAMPLE)).unwrap();
        let routes = config["route"]["routes"].as_array().unwrap();
        assert_eq!(routes[0]["matchers"][0], "alertname=\"Watchdog\"");
        assert_eq!(routes[0]["receiver"], "deadmansswitch");
        assert_eq!(routes[1]["receiver"], "null");
        assert_eq!(routes[2]["continue"], true);
        assert_eq!(config["route"]["group_by"], serde_json::json!(["cluster", "namespace", "alertname"]));
        let text = config.to_string();
        for key in ["slack-url", "smtp-password", "pd-key", "opsgenie-key", "dms-url"] {
            assert!(text.contains(&format!("/etc/alertmanager/secrets/alertmanager-receivers/{key}")), "{key}");
        }
        assert_eq!(config["inhibit_rules"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn every_undefined_receiver_is_an_option_error_at_its_line() {
        let r = routing(
            &EXAMPLE
                .replace("receiver: oncall", "receiver: nobody")
                .replace("defaultReceiver: team", "defaultReceiver: teem"),
        );
        let errors = check(&r);
        let keys: Vec<(&str, Option<u64>)> = errors.iter().map(|e| (e.key.as_str(), e.pos.map(|p| p.line))).collect();
        assert_eq!(
            keys,
            [
                ("components.prometheus.alertmanager.routing.defaultReceiver", Some(3)),
                ("components.prometheus.alertmanager.routing.routes[0].receiver", Some(15)),
            ]
        );
        assert!(errors[1].message.contains("`nobody`"), "{errors:?}");
        assert!(check(&routing(EXAMPLE)).is_empty());
    }
}
