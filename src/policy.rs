//! The policy gate every render passes: each rendered object, the platform's and the env's own
//! apps alike, is checked against the rules below after overrides have been applied. An object
//! may be exempted from one rule by an annotation `policy.oxidy.dev/<rule>: <reason>` on the
//! object itself, so that the exemption and its reason are reviewed with the object.
//!
//! An app's pod-security level (`restricted` unless it declares less, as node-exporter and an
//! env's `apps.<name>.podSecurity` may) decides what its namespace admits, and the gate holds
//! its pods to that level.
//!
//! Rules (names as in the annotations):
//! - `pod-security`: the pod-security "restricted" profile: non-root, RuntimeDefault seccomp, no
//!   privilege escalation, every capability dropped, nothing privileged.
//! - `host-access`: no host network, PID or IPC namespace, host path or host port.
//! - `run-as-user`: every container runs as a set user ID of at least 10000, apart from any
//!   user the node itself knows.
//! - `service-account-token`: no token mounted unless the pod's service account is bound to a
//!   role, that is, the pod talks to the API server.
//! - `probes`: every container of a long-running workload has a readiness and a liveness probe.
//! - `image-pinned`: every image has a tag other than `latest`, or a digest.
//! - `secret-env`: Secrets reach containers as files, not environment variables.
//! - `secret-data` (staging, production): no Secret carries data; Secrets are created outside
//!   the repository (existing, SOPS, sealed or external secrets).
//! - `credential-value` (staging, production): no credential-looking environment variable has
//!   a literal value, and no credential-looking key of a config file in a ConfigMap (YAML,
//!   JSON, TOML, INI or `key=value` lines) does.

use std::collections::BTreeSet;

use serde_json::Value;

use oxidy_modules::contract::{App, Object, PodSecurity};

pub use oxidy_modules::contract::k8s::EXEMPTION_PREFIX;

/// The lowest user ID a container may run as: IDs below are often users of the node itself.
pub const MIN_USER: i64 = 10000;
/// `nobody`, which no node's own service runs as.
const NOBODY: i64 = 65534;

/// Every rule, by the name its exemption annotation uses.
pub const RULES: [&str; 9] = [
    "pod-security",
    "host-access",
    "run-as-user",
    "service-account-token",
    "probes",
    "image-pinned",
    "secret-env",
    "secret-data",
    "credential-value",
];

/// One object breaking one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub app: String,
    /// `Kind/namespace/name`.
    pub object: String,
    pub kind: String,
    pub name: String,
    pub rule: &'static str,
    pub message: String,
}

/// What the gate needs to know of the environment.
#[derive(Debug, Clone, Copy)]
pub struct Strictness {
    /// Staging and production: no Secret data, no literal credentials.
    pub no_secrets: bool,
}

/// Every finding in `apps`, in app and object order.
pub fn check(apps: &[App], strictness: Strictness) -> Vec<Finding> {
    let bound = bound_service_accounts(apps);
    let mut findings = Vec::new();
    for app in apps {
        for object in &app.objects {
            let mut report = |rule: &'static str, message: String| {
                if exemption(object, rule).is_none() {
                    findings.push(Finding {
                        app: app.name.clone(),
                        object: object.describe(),
                        kind: object.kind().to_owned(),
                        name: object.name().to_owned(),
                        rule,
                        message,
                    });
                }
            };
            if let Some(pod) = pod_spec(object) {
                let namespace = object.namespace().unwrap_or(&app.namespace);
                let level = app.pod_security;
                check_pod(&pod, long_running(object), level, &bound, namespace, strictness, &mut report);
            }
            if strictness.no_secrets && object.kind() == "ConfigMap" && object.api_version() == "v1" {
                check_config_files(object.body(), &mut report);
            }
            if strictness.no_secrets && object.kind() == "Secret" && object.api_version() == "v1" {
                let body = object.body();
                let carries = ["data", "stringData"]
                    .iter()
                    .any(|k| body.get(k).and_then(Value::as_object).is_some_and(|m| !m.is_empty()));
                if carries {
                    report(
                        "secret-data",
                        "a Secret with data in a committed tree; create it in the cluster (or through SOPS, sealed or external secrets) and reference it by name".into(),
                    );
                }
            }
        }
    }
    findings
}

/// The reason `object` is exempt from `rule`, if it is.
pub fn exemption<'a>(object: &'a Object, rule: &str) -> Option<&'a str> {
    object.body().pointer("/metadata/annotations")?.get(format!("{EXEMPTION_PREFIX}{rule}"))?.as_str()
}

/// A pod template's spec, or what plays its part in the operator's Prometheus and
/// Alertmanager resources (whose probes and token mount the operator sets).
pub struct Pod<'a> {
    pub spec: &'a Value,
    /// The operator's resources: the operator adds the containers' probes and images.
    pub operator_managed: bool,
}

/// The pod template of a workload, or the pod-like spec of the operator's resources.
pub fn pod_spec(object: &Object) -> Option<Pod<'_>> {
    let body = object.body();
    let path = match (object.group(), object.kind()) {
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => "/spec/template/spec",
        ("batch", "CronJob") => "/spec/jobTemplate/spec/template/spec",
        ("", "Pod") => "/spec",
        ("monitoring.coreos.com", "Prometheus" | "Alertmanager") => {
            return Some(Pod { spec: body.get("spec")?, operator_managed: true });
        }
        _ => return None,
    };
    Some(Pod { spec: body.pointer(path)?, operator_managed: false })
}

/// Workloads that run until stopped, as opposed to Jobs and bare Pods.
fn long_running(object: &Object) -> bool {
    matches!(object.kind(), "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Prometheus" | "Alertmanager")
}

/// `namespace/name` of every service account bound to a Role or ClusterRole.
pub(crate) fn bound_service_accounts(apps: &[App]) -> BTreeSet<String> {
    let mut bound = BTreeSet::new();
    for object in apps.iter().flat_map(|a| &a.objects) {
        if !matches!(object.kind(), "RoleBinding" | "ClusterRoleBinding") {
            continue;
        }
        let subjects = object.body().get("subjects").and_then(Value::as_array).into_iter().flatten();
        for subject in subjects.filter(|s| s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")) {
            let namespace = subject.get("namespace").and_then(Value::as_str).or(object.namespace()).unwrap_or("");
            let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
            bound.insert(format!("{namespace}/{name}"));
        }
    }
    bound
}

#[allow(clippy::too_many_arguments)]
fn check_pod(
    pod: &Pod,
    long_running: bool,
    level: PodSecurity,
    bound: &BTreeSet<String>,
    namespace: &str,
    strictness: Strictness,
    report: &mut dyn FnMut(&'static str, String),
) {
    let spec = pod.spec;
    let pod_context = spec.get("securityContext").unwrap_or(&Value::Null);
    // The namespace's pod-security level, which the app declares, decides what the cluster
    // admits; the gate holds the pod to the same level. Below `restricted` the profile's own
    // rules are off, and at `privileged` host access too.
    let mut report = |rule: &'static str, message: String| {
        let waived = match level {
            PodSecurity::Restricted => false,
            PodSecurity::Baseline => rule == "pod-security" && !message.ends_with("is privileged"),
            PodSecurity::Privileged => rule == "pod-security" || rule == "host-access",
        };
        if !waived {
            report(rule, message);
        }
    };
    let report = &mut report;
    for host in ["hostNetwork", "hostPID", "hostIPC"] {
        if spec.get(host).and_then(Value::as_bool) == Some(true) {
            report("host-access", format!("`{host}: true`"));
        }
    }
    let host_paths: Vec<&str> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("hostPath").is_some())
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect();
    if !host_paths.is_empty() {
        report("host-access", format!("host path volumes: {}", host_paths.join(", ")));
    }

    let account = spec.get("serviceAccountName").and_then(Value::as_str).unwrap_or("default");
    let automount = spec.get("automountServiceAccountToken").and_then(Value::as_bool).unwrap_or(true);
    if automount && !bound.contains(&format!("{namespace}/{account}")) {
        report(
            "service-account-token",
            format!(
                "the token of `{account}` is mounted, but no role binds it: set `automountServiceAccountToken: false`"
            ),
        );
    }

    let containers = |field: &str| spec.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    let main = containers("containers");
    let init = containers("initContainers");
    for (container, is_init) in main.iter().map(|c| (c, false)).chain(init.iter().map(|c| (c, true))) {
        let name = container.get("name").and_then(Value::as_str).unwrap_or("?");
        check_container(pod_context, name, container.get("securityContext").unwrap_or(&Value::Null), report);
        // The operator fills in the image and probes of the containers it names itself.
        if !pod.operator_managed {
            check_image(name, container, report);
            if long_running && !is_init {
                let missing: Vec<&str> =
                    ["readinessProbe", "livenessProbe"].into_iter().filter(|p| container.get(*p).is_none()).collect();
                if !missing.is_empty() {
                    report("probes", format!("container `{name}` has no {}", missing.join(" and ")));
                }
            }
        }
        check_env(name, container, strictness, report);
    }
    if pod.operator_managed {
        // The operator's own containers take their user and seccomp profile from the pod.
        check_user("the pod", pod_context.get("runAsNonRoot"), pod_context.get("runAsUser"), report);
        if !matches!(
            pod_context.pointer("/seccompProfile/type").and_then(Value::as_str),
            Some("RuntimeDefault" | "Localhost")
        ) {
            report("pod-security", "the pod has no RuntimeDefault seccomp profile".into());
        }
    }
}

fn check_user(who: &str, non_root: Option<&Value>, user: Option<&Value>, report: &mut dyn FnMut(&'static str, String)) {
    if non_root.and_then(Value::as_bool) != Some(true) {
        report("pod-security", format!("{who} may run as root: set `runAsNonRoot: true`"));
    }
    match user.and_then(Value::as_i64) {
        Some(user) if user >= MIN_USER || user == NOBODY => {}
        Some(user) => report("run-as-user", format!("{who} runs as user {user}; use {MIN_USER} or above")),
        None => report("run-as-user", format!("{who} sets no `runAsUser`; use {MIN_USER} or above")),
    }
}

/// The security settings of one container, its own taking precedence over the pod's.
fn check_container(pod: &Value, name: &str, own: &Value, report: &mut dyn FnMut(&'static str, String)) {
    let setting = |key: &str| -> Option<&Value> { own.get(key).filter(|v| !v.is_null()).or_else(|| pod.get(key)) };
    let who = format!("container `{name}`");
    check_user(&who, setting("runAsNonRoot"), setting("runAsUser"), report);
    let seccomp = setting("seccompProfile").and_then(|p| p.get("type")).and_then(Value::as_str);
    if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
        report("pod-security", format!("{who} has no RuntimeDefault seccomp profile"));
    }
    if own.get("allowPrivilegeEscalation").and_then(Value::as_bool) != Some(false) {
        report("pod-security", format!("{who} may escalate privileges: set `allowPrivilegeEscalation: false`"));
    }
    if own.get("privileged").and_then(Value::as_bool) == Some(true) {
        report("pod-security", format!("{who} is privileged"));
    }
    let caps = own.get("capabilities");
    let drops_all = caps
        .and_then(|c| c.get("drop"))
        .and_then(Value::as_array)
        .is_some_and(|d| d.iter().any(|v| v.as_str() == Some("ALL")));
    if !drops_all {
        report("pod-security", format!("{who} keeps its capabilities: drop `ALL`"));
    }
    let added: Vec<&str> = caps
        .and_then(|c| c.get("add"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|c| *c != "NET_BIND_SERVICE")
        .collect();
    if !added.is_empty() {
        report("pod-security", format!("{who} adds capabilities {}", added.join(", ")));
    }
}

fn check_image(name: &str, container: &Value, report: &mut dyn FnMut(&'static str, String)) {
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    if !image_pinned(image) {
        report("image-pinned", format!("container `{name}` runs `{image}`: pin a version tag or a digest"));
    }
}

/// An image reference with a tag other than `latest`, or a digest.
pub fn image_pinned(image: &str) -> bool {
    if image.contains("@sha256:") {
        return true;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').is_some_and(|(_, tag)| !tag.is_empty() && tag != "latest")
}

/// Names of environment variables and config keys that hold credentials: compared in upper
/// case with `-` and `.` read as `_`. Every line of every ConfigMap file is asked, so the name
/// is read in place rather than copied in that form.
fn looks_like_credential(name: &str) -> bool {
    const WORDS: [&str; 9] =
        ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY", "ACCESSKEY", "PRIVATE_KEY"];
    let normal = |b: &u8| match b {
        b'-' | b'.' => b'_',
        b => b.to_ascii_uppercase(),
    };
    let name = name.as_bytes();
    let matches = |part: &[u8], word: &str| part.iter().map(normal).eq(word.bytes());
    let contains = |word: &str| name.windows(word.len()).any(|part| matches(part, word));
    let ends_with = |word: &str| name.len() >= word.len() && matches(&name[name.len() - word.len()..], word);
    // `__FILE` ends in `_FILE` too.
    WORDS.iter().any(|w| contains(w)) && !ends_with("_FILE") && !ends_with("_PATH")
}

fn check_env(name: &str, container: &Value, strictness: Strictness, report: &mut dyn FnMut(&'static str, String)) {
    let env = container.get("env").and_then(Value::as_array).into_iter().flatten();
    for var in env {
        let var_name = var.get("name").and_then(Value::as_str).unwrap_or("?");
        if var.pointer("/valueFrom/secretKeyRef").is_some() {
            report(
                "secret-env",
                format!("container `{name}` reads Secret key into `{var_name}`: mount the Secret as a file instead"),
            );
        }
        let literal = var.get("value").and_then(Value::as_str).unwrap_or("");
        if strictness.no_secrets && looks_like_credential(var_name) && !literal.is_empty() && !literal.starts_with('/')
        {
            report("credential-value", format!("container `{name}` sets `{var_name}` to a literal value"));
        }
    }
    let from = container.get("envFrom").and_then(Value::as_array).into_iter().flatten();
    for source in from.filter(|s| s.get("secretRef").is_some()) {
        let secret = source.pointer("/secretRef/name").and_then(Value::as_str).unwrap_or("?");
        report(
            "secret-env",
            format!("container `{name}` takes every key of Secret `{secret}` as environment variables"),
        );
    }
}

/// Every file of a ConfigMap, line by line: a line that sets a credential-looking key (YAML or
/// JSON `key: value`, TOML, INI or properties `key = value`) to a literal value is a finding.
/// A line-based reading covers every format alike and names the line; values that point
/// elsewhere are not literals: an expansion (`${env:X}`, `${X}`, `$X`, `$(...)`, Grafana's
/// `$__file{...}`), a path, a template, a nested block, a boolean, or nothing.
fn check_config_files(body: &Value, report: &mut dyn FnMut(&'static str, String)) {
    let files = body.get("data").and_then(Value::as_object).into_iter().flatten();
    for (file, text) in files {
        let Some(text) = text.as_str() else { continue };
        for (index, line) in text.lines().enumerate() {
            if let Some(key) = literal_credential(line) {
                report(
                    "credential-value",
                    format!(
                        "file `{file}`, line {}: `{key}` is set to a literal value; have the program read it from a file or the environment",
                        index + 1
                    ),
                );
            }
        }
    }
}

/// The key `line` sets to a literal credential, if it does.
fn literal_credential(line: &str) -> Option<&str> {
    let line = line.trim().trim_start_matches("- ");
    if line.starts_with(['#', ';', '[', '/']) {
        return None;
    }
    let split = line.find([':', '='])?;
    let key = line[..split].trim().trim_matches(['"', '\'']);
    let identifier = key.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if key.is_empty() || !identifier || !looks_like_credential(key) {
        return None;
    }
    let value = line[split + 1..].trim().trim_end_matches(',');
    // A trailing comment after a space is not part of the value.
    let value = value.split(" #").next().unwrap_or(value).trim();
    let value = value.trim_matches(['"', '\'']);
    let points_elsewhere = value.is_empty()
        || value.starts_with('$')
        || value.contains("${")
        || value.contains("{{")
        || value.starts_with(['/', '|', '>', '{', '[', '&', '*', '!'])
        || matches!(value.to_ascii_lowercase().as_str(), "true" | "false" | "null" | "~" | "none");
    (!points_elsewhere).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_images() {
        assert!(image_pinned("grafana/grafana:12.4.5"));
        assert!(image_pinned("registry:5000/team/app@sha256:abc"));
        assert!(!image_pinned("registry:5000/team/app"));
        assert!(!image_pinned("nginx:latest"));
        assert!(!image_pinned("nginx"));
    }

    #[test]
    fn credential_names() {
        assert!(looks_like_credential("GF_SECURITY_ADMIN_PASSWORD"));
        assert!(looks_like_credential("AWS_SECRET_ACCESS_KEY"));
        assert!(!looks_like_credential("GF_SECURITY_ADMIN_PASSWORD__FILE"));
        assert!(!looks_like_credential("GOMAXPROCS"));
        assert!(looks_like_credential("basicAuthPassword"));
        assert!(looks_like_credential("client-secret"));
        assert!(!looks_like_credential("admin_token_file"));
        assert!(looks_like_credential("db.Passwd"));
        assert!(looks_like_credential("private.key"));
        assert!(!looks_like_credential("tls.private-key.path"));
        assert!(!looks_like_credential("tok"), "shorter than every word");
        assert!(!looks_like_credential(""));
    }

    #[test]
    fn literal_credentials_in_config_files() {
        for line in [
            "password: hunter2",
            "  secret_access_key: \"AKIAXXXX\"",
            "admin_token = \"abc\"",
            "\"apiKey\": \"abc\",",
            "client_secret=abc # rotated monthly",
            "- token: abc",
        ] {
            assert!(literal_credential(line).is_some(), "{line}");
        }
        for line in [
            "secret_access_key: ${LOKI_S3_SECRET_ACCESS_KEY}",
            "password: ${env:DB_PASSWORD}",
            "rpc_secret_file = \"/run/secrets/garage/rpc-secret\"",
            "basicAuthPassword: $__file{/etc/grafana/secrets/password}",
            "password_file: /etc/alertmanager/secrets/smtp",
            "metrics_require_token = true",
            "credentials:",
            "# password: hunter2",
            "token_header: {{ .Values.header }}",
            "tokens_file_path: /var/loki/tokens",
            "passwordKey: [a, b]",
            "GARAGE_ADMIN_TOKEN=$(cat \"$GARAGE_ADMIN_TOKEN_FILE\")",
            "  \"{\\\"accessKeyId\\\":\\\"$S3_ACCESS_KEY_ID\\\"}\" >/dev/null",
        ] {
            assert_eq!(literal_credential(line), None, "{line}");
        }
    }
}
