//! How a web UI is reached from outside the cluster, shared by every module that has one: a
//! typed `ingress:` (an Ingress) or its Gateway API alternative `route:` (an HTTPRoute). The
//! Service stays ClusterIP; the resolved exposure also gives the external URL the component
//! writes into its links (Grafana's root URL, Prometheus' and Alertmanager's `externalUrl`).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{NamespaceResourceScope, Resource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{App, At, ModuleError, OptionError, Pos};

/// An Ingress in front of the component's Service.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressOptions {
    /// The host name users reach the UI at, such as `ui.example.com`: no scheme, port,
    /// path or wildcard.
    pub host: At<String>,
    /// The IngressClass that serves it (`ingressClassName`). Default: the cluster's default
    /// class.
    pub class_name: Option<At<String>>,
    /// A `kubernetes.io/tls` Secret in the component's namespace with the host's certificate
    /// (created out of band or by cert-manager): the ingress terminates TLS and links use
    /// `https://`. Default: none, links use `http://`.
    pub tls_secret: Option<At<String>>,
    /// Annotations of the Ingress, such as `cert-manager.io/cluster-issuer` or the
    /// controller's settings.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// A Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`) attached to an existing Gateway.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteOptions {
    /// The Gateway the route attaches to (its `parentRefs` entry). A Gateway in another
    /// namespace must allow routes from the component's namespace.
    pub gateway: GatewayRef,
    /// Host names the route serves; the first is the one links use. No wildcards.
    pub hostnames: At<Vec<At<String>>>,
    /// Whether the Gateway's listener terminates TLS, so links use `https://`. Default: true.
    pub https: Option<bool>,
}

/// A Gateway by name, and optionally its namespace and listener.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayRef {
    pub name: At<String>,
    /// Default: the component's namespace.
    pub namespace: Option<At<String>>,
    /// The listener of the Gateway (`sectionName`). Default: every listener that accepts the
    /// route.
    pub section_name: Option<At<String>>,
}

/// The exposure in effect, every value checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    Ingress {
        host: String,
        class_name: Option<String>,
        tls_secret: Option<String>,
        annotations: BTreeMap<String, String>,
    },
    Route {
        gateway: String,
        gateway_namespace: Option<String>,
        section_name: Option<String>,
        hostnames: Vec<String>,
        https: bool,
    },
}

impl Exposure {
    /// Checks `ingress` and `route` of `components.<component>.<prefix>`: at most one of them,
    /// every name valid.
    pub fn resolve(
        component: &str,
        prefix: &str,
        ingress: Option<&At<IngressOptions>>,
        route: Option<&At<RouteOptions>>,
    ) -> Result<Option<Exposure>, OptionError> {
        let error = |key: &str, pos: Option<Pos>, message: String| {
            OptionError::new(component, &format!("{prefix}{key}"), pos, message)
        };
        match (ingress, route) {
            (None, None) => Ok(None),
            (Some(_), Some(route)) => Err(error(
                "route",
                route.pos,
                "set `ingress` or `route`, not both: each would be a second way in with its own URL".into(),
            )
            .help("keep the one your cluster's entry point serves: an Ingress controller or a Gateway")),
            (Some(ingress), None) => {
                let i = &ingress.value;
                host(&i.host).map_err(|(m, h)| error("ingress.host", i.host.pos, m).help(h))?;
                for (key, value) in [("ingress.className", &i.class_name), ("ingress.tlsSecret", &i.tls_secret)] {
                    if let Some(v) = value {
                        subdomain(&v.value).map_err(|m| error(key, v.pos, m))?;
                    }
                }
                if let Some(key) = i.annotations.keys().find(|k| !annotation_key(k)) {
                    return Err(error("ingress.annotations", ingress.pos, format!("`{key}` is not an annotation key"))
                        .help("write `name` or `prefix/name`, such as `cert-manager.io/cluster-issuer`"));
                }
                Ok(Some(Exposure::Ingress {
                    host: i.host.value.clone(),
                    class_name: i.class_name.as_ref().map(|c| c.value.clone()),
                    tls_secret: i.tls_secret.as_ref().map(|c| c.value.clone()),
                    annotations: i.annotations.clone(),
                }))
            }
            (None, Some(route)) => {
                let r = &route.value;
                if r.hostnames.value.is_empty() {
                    return Err(error(
                        "route.hostnames",
                        r.hostnames.pos.or(route.pos),
                        "a route needs at least one host name".into(),
                    )
                    .help("add the name users reach the UI at, such as `hostnames: [ui.example.com]`"));
                }
                for (i, h) in r.hostnames.value.iter().enumerate() {
                    host(h).map_err(|(m, help)| error(&format!("route.hostnames[{i}]"), h.pos, m).help(help))?;
                }
                let g = &r.gateway;
                subdomain(&g.name.value).map_err(|m| error("route.gateway.name", g.name.pos, m))?;
                if let Some(s) = &g.section_name {
                    subdomain(&s.value).map_err(|m| error("route.gateway.sectionName", s.pos, m))?;
                }
                if let Some(ns) = &g.namespace {
                    super::DnsLabel::parse(&ns.value)
                        .map_err(|e| error("route.gateway.namespace", ns.pos, e.to_string()))?;
                }
                Ok(Some(Exposure::Route {
                    gateway: g.name.value.clone(),
                    gateway_namespace: g.namespace.as_ref().map(|n| n.value.clone()),
                    section_name: g.section_name.as_ref().map(|s| s.value.clone()),
                    hostnames: r.hostnames.value.iter().map(|h| h.value.clone()).collect(),
                    https: r.https.unwrap_or(true),
                }))
            }
        }
    }

    /// The host links use.
    pub fn host(&self) -> &str {
        match self {
            Exposure::Ingress { host, .. } => host,
            Exposure::Route { hostnames, .. } => &hostnames[0],
        }
    }

    /// The URL users reach the UI at, with a trailing `/`: `https://` behind TLS.
    pub fn external_url(&self) -> String {
        let https = match self {
            Exposure::Ingress { tls_secret, .. } => tls_secret.is_some(),
            Exposure::Route { https, .. } => *https,
        };
        format!("{}://{}/", if https { "https" } else { "http" }, self.host())
    }

    /// Adds the Ingress or HTTPRoute named `name` that sends every path to port `port` of
    /// Service `service`.
    pub fn push(
        &self,
        app: &mut App,
        name: &str,
        labels: &BTreeMap<String, String>,
        service: &str,
        port: u16,
    ) -> Result<(), ModuleError> {
        let meta = |annotations: &BTreeMap<String, String>| ObjectMeta {
            name: Some(name.into()),
            labels: Some(labels.clone()),
            annotations: (!annotations.is_empty()).then(|| annotations.clone()),
            ..Default::default()
        };
        match self {
            Exposure::Ingress { host, class_name, tls_secret, annotations } => {
                let backend = IngressBackend {
                    service: Some(IngressServiceBackend {
                        name: service.into(),
                        port: Some(ServiceBackendPort { number: Some(port.into()), name: None }),
                    }),
                    resource: None,
                };
                app.push(Ingress {
                    metadata: meta(annotations),
                    spec: Some(IngressSpec {
                        ingress_class_name: class_name.clone(),
                        tls: tls_secret.as_ref().map(|secret| {
                            vec![IngressTLS { hosts: Some(vec![host.clone()]), secret_name: Some(secret.clone()) }]
                        }),
                        rules: Some(vec![IngressRule {
                            host: Some(host.clone()),
                            http: Some(HTTPIngressRuleValue {
                                paths: vec![HTTPIngressPath {
                                    path: Some("/".into()),
                                    path_type: "Prefix".into(),
                                    backend,
                                }],
                            }),
                        }]),
                        default_backend: None,
                    }),
                    status: None,
                })?;
            }
            Exposure::Route { gateway, gateway_namespace, section_name, hostnames, .. } => {
                app.push(HttpRoute {
                    metadata: meta(&BTreeMap::new()),
                    spec: HttpRouteSpec {
                        parent_refs: vec![ParentRef {
                            name: gateway.clone(),
                            namespace: gateway_namespace.clone(),
                            section_name: section_name.clone(),
                        }],
                        hostnames: hostnames.clone(),
                        rules: vec![RouteRule {
                            matches: vec![RouteMatch {
                                path: PathMatch { type_: "PathPrefix".into(), value: "/".into() },
                            }],
                            backend_refs: vec![BackendRef { name: service.into(), port }],
                        }],
                    },
                })?;
            }
        }
        Ok(())
    }
}

/// A Gateway API HTTPRoute: the fields the stack sets, named and typed as the v1 CRD has them.
/// A partial model, read leniently like the prometheus-operator kinds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpRoute {
    pub metadata: ObjectMeta,
    pub spec: HttpRouteSpec,
}

impl Resource for HttpRoute {
    const API_VERSION: &'static str = "gateway.networking.k8s.io/v1";
    const GROUP: &'static str = "gateway.networking.k8s.io";
    const KIND: &'static str = "HTTPRoute";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "httproutes";
    type Scope = NamespaceResourceScope;
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<RouteRule>,
}

/// A Gateway (the default group and kind of a parent reference).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct RouteRule {
    pub matches: Vec<RouteMatch>,
    pub backend_refs: Vec<BackendRef>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteMatch {
    pub path: PathMatch,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PathMatch {
    #[serde(rename = "type")]
    pub type_: String,
    pub value: String,
}

/// A Service (the default kind of a backend reference) and its port.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BackendRef {
    pub name: String,
    pub port: u16,
}

/// A host name for a URL: a DNS subdomain, not an IP address, without scheme, port, path or
/// wildcard. The error comes with a suggestion.
fn host(at: &At<String>) -> Result<(), (String, String)> {
    let text = at.value.as_str();
    let bare = text.split_once("://").map_or(text, |(_, rest)| rest);
    let bare = bare.split(['/', ':']).next().unwrap_or_default().to_ascii_lowercase();
    let suggest = |why: &str| {
        let help = if bare.is_empty() || bare == text || subdomain(&bare).is_err() {
            "write the name alone, such as `ui.example.com`".to_owned()
        } else {
            format!("write the name alone: `{bare}`")
        };
        (format!("`{text}` is not a host name: {why}"), help)
    };
    if text.contains("://") {
        return Err(suggest("the scheme follows from TLS"));
    }
    if text.contains('/') || text.contains(':') {
        return Err(suggest("no port or path"));
    }
    if text.starts_with("*.") {
        return Err((
            format!("`{text}` is a wildcard: links need one host"),
            "name the host users reach the UI at, such as `ui.example.com`".into(),
        ));
    }
    if text.split('.').count() == 4 && text.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return Err((
            format!("`{text}` is an IP address: Ingress and HTTPRoute hosts are names"),
            "use a DNS name that resolves to the entry point".into(),
        ));
    }
    subdomain(text).map_err(|m| suggest(&m))
}

/// A DNS-1123 subdomain: dot-separated labels of lower-case letters, digits and `-`, at most
/// 253 characters.
fn subdomain(text: &str) -> Result<(), String> {
    let label = |l: &str| {
        let b = l.as_bytes();
        !l.is_empty()
            && l.len() <= 63
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    if !text.is_empty() && text.len() <= 253 && text.split('.').all(label) {
        Ok(())
    } else {
        Err(format!(
            "`{text}` is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit)"
        ))
    }
}

/// An annotation key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
fn annotation_key(key: &str) -> bool {
    let (prefix, name) = key.rsplit_once('/').map_or((None, key), |(p, n)| (Some(p), n));
    let b = name.as_bytes();
    prefix.is_none_or(|p| subdomain(p).is_ok())
        && !name.is_empty()
        && name.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> At<String> {
        At { value: s.into(), pos: Some(Pos { line: 3, column: 5 }) }
    }

    fn ingress(host: &str, tls: Option<&str>) -> At<IngressOptions> {
        At::default_value(IngressOptions {
            host: at(host),
            class_name: None,
            tls_secret: tls.map(at),
            annotations: BTreeMap::new(),
        })
    }

    #[test]
    fn the_url_follows_the_host_and_tls() {
        let plain = Exposure::resolve("grafana", "", Some(&ingress("ui.example.com", None)), None).unwrap();
        assert_eq!(plain.unwrap().external_url(), "http://ui.example.com/");
        let tls = Exposure::resolve("grafana", "", Some(&ingress("ui.example.com", Some("grafana-tls"))), None);
        assert_eq!(tls.unwrap().unwrap().external_url(), "https://ui.example.com/");
        let route = RouteOptions {
            gateway: GatewayRef { name: at("public"), namespace: None, section_name: None },
            hostnames: At::default_value(vec![at("am.example.com"), at("alerts.example.com")]),
            https: None,
        };
        let route = Exposure::resolve("prometheus", "alertmanager.", None, Some(&At::default_value(route)));
        assert_eq!(route.unwrap().unwrap().external_url(), "https://am.example.com/");
    }

    #[test]
    fn bad_hosts_are_refused_with_the_key_and_a_suggestion() {
        for (host, message, help) in [
            ("https://ui.example.com/", "the scheme follows from TLS", "`ui.example.com`"),
            ("ui.example.com:443", "no port or path", "`ui.example.com`"),
            ("UI.Example.com", "DNS-1123", "`ui.example.com`"),
            ("*.example.com", "wildcard", "such as"),
            ("10.0.0.1", "IP address", "DNS name"),
        ] {
            let e = Exposure::resolve("grafana", "", Some(&ingress(host, None)), None).unwrap_err();
            assert_eq!(e.key, "components.grafana.ingress.host");
            assert_eq!(e.pos, Some(Pos { line: 3, column: 5 }));
            assert!(e.message.contains(message), "{host}: {}", e.message);
            assert!(e.help.as_deref().unwrap_or_default().contains(help), "{host}: {:?}", e.help);
        }
    }

    #[test]
    fn annotation_keys() {
        for ok in ["cert-manager.io/cluster-issuer", "nginx.ingress.kubernetes.io/proxy-body-size", "team"] {
            assert!(annotation_key(ok), "{ok}");
        }
        for bad in ["", "/x", "Example.com/x", "a/-b", "a b"] {
            assert!(!annotation_key(bad), "{bad}");
        }
    }
}
