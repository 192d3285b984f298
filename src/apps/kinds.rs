//! The Kubernetes kinds oxidy knows: objects of these kinds are checked by deserializing them
//! into their type. k8s-openapi ignores unknown fields, so a field the type does not have is
//! found by serializing the typed value back and looking for what went missing.
//!
//! The custom resources oxidy types (prometheus-operator's, Istio's Telemetry, Argo CD's
//! Application and AppProject, the Gateway API HTTPRoute) are
//! partial models of their upstream CRDs: a wrong type in a modelled field is found, but a
//! field the model lacks is only an error inside the parts a complete Kubernetes type models
//! (`metadata`, selectors, affinity, resources, ...), so no valid upstream object is refused.

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A kind oxidy has a type for.
#[derive(Clone, Copy)]
pub struct KnownKind {
    pub namespaced: bool,
    round_trip: fn(&Value) -> Result<Value, Problem>,
    /// Where the type models every field the upstream schema has: JSON pointers, `*` for any
    /// list index, below which an unknown field is an error. `None`: everywhere.
    complete_below: Option<&'static [&'static str]>,
}

/// Why an object is not valid for its type, at a JSON pointer into the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

trait Scope {
    const NAMESPACED: bool;
}
impl Scope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl Scope for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

macro_rules! known_kinds {
    (complete: [$($ty:path),* $(,)?], partial: [$($crd:path => $complete:expr),* $(,)?]) => {
        /// The type of `apiVersion`/`kind`, if oxidy has one.
        pub fn lookup(api_version: &str, kind: &str) -> Option<KnownKind> {
            $(
                if api_version == <$ty as Resource>::API_VERSION && kind == <$ty as Resource>::KIND {
                    return Some(KnownKind {
                        namespaced: <<$ty as Resource>::Scope as Scope>::NAMESPACED,
                        round_trip: round_trip::<$ty>,
                        complete_below: None,
                    });
                }
            )*
            $(
                if api_version == <$crd as Resource>::API_VERSION && kind == <$crd as Resource>::KIND {
                    return Some(KnownKind {
                        namespaced: <<$crd as Resource>::Scope as Scope>::NAMESPACED,
                        round_trip: round_trip::<$crd>,
                        complete_below: Some($complete),
                    });
                }
            )*
            None
        }

        /// Every known `apiVersion`/`kind`, for tests and docs.
        pub fn all() -> Vec<(&'static str, &'static str)> {
            vec![
                $((<$ty as Resource>::API_VERSION, <$ty as Resource>::KIND),)*
                $((<$crd as Resource>::API_VERSION, <$crd as Resource>::KIND),)*
            ]
        }

        /// The custom resource kinds oxidy types, partially: `apiVersion`/`kind`.
        pub fn partial() -> Vec<(&'static str, &'static str)> {
            vec![$((<$crd as Resource>::API_VERSION, <$crd as Resource>::KIND),)*]
        }
    };
}

use k8s_openapi::api;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;

use oxidy_modules::contract::exposure::HttpRoute;
use oxidy_modules::contract::monitoring;

/// Label selectors, affinity, security contexts, resources and volume claims are k8s-openapi
/// types inside the custom resources: complete, so unknown fields there are found.
const PROMETHEUS_COMPLETE: &[&str] = &[
    "/metadata",
    "/spec/affinity",
    "/spec/securityContext",
    "/spec/resources",
    "/spec/serviceMonitorSelector",
    "/spec/serviceMonitorNamespaceSelector",
    "/spec/podMonitorSelector",
    "/spec/podMonitorNamespaceSelector",
    "/spec/ruleSelector",
    "/spec/ruleNamespaceSelector",
    "/spec/storage/volumeClaimTemplate/spec",
];
const ALERTMANAGER_COMPLETE: &[&str] = &[
    "/metadata",
    "/spec/affinity",
    "/spec/securityContext",
    "/spec/resources",
    "/spec/storage/volumeClaimTemplate/spec",
];

known_kinds!(
    complete: [
    api::admissionregistration::v1::MutatingWebhookConfiguration,
    api::admissionregistration::v1::ValidatingWebhookConfiguration,
    api::admissionregistration::v1::ValidatingAdmissionPolicy,
    api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
    api::apps::v1::DaemonSet,
    api::apps::v1::Deployment,
    api::apps::v1::ReplicaSet,
    api::apps::v1::StatefulSet,
    api::autoscaling::v1::HorizontalPodAutoscaler,
    api::autoscaling::v2::HorizontalPodAutoscaler,
    api::batch::v1::CronJob,
    api::batch::v1::Job,
    api::coordination::v1::Lease,
    api::core::v1::ConfigMap,
    api::core::v1::Endpoints,
    api::core::v1::LimitRange,
    api::core::v1::Namespace,
    api::core::v1::PersistentVolume,
    api::core::v1::PersistentVolumeClaim,
    api::core::v1::Pod,
    api::core::v1::PodTemplate,
    api::core::v1::ReplicationController,
    api::core::v1::ResourceQuota,
    api::core::v1::Secret,
    api::core::v1::Service,
    api::core::v1::ServiceAccount,
    api::discovery::v1::EndpointSlice,
    api::networking::v1::Ingress,
    api::networking::v1::IngressClass,
    api::networking::v1::NetworkPolicy,
    api::node::v1::RuntimeClass,
    api::policy::v1::PodDisruptionBudget,
    api::rbac::v1::ClusterRole,
    api::rbac::v1::ClusterRoleBinding,
    api::rbac::v1::Role,
    api::rbac::v1::RoleBinding,
    api::scheduling::v1::PriorityClass,
    api::storage::v1::CSIDriver,
    api::storage::v1::StorageClass,
    apiextensions::CustomResourceDefinition,
    ],
    partial: [
        monitoring::Prometheus => PROMETHEUS_COMPLETE,
        monitoring::Alertmanager => ALERTMANAGER_COMPLETE,
        monitoring::ServiceMonitor => &["/metadata", "/spec/selector", "/spec/endpoints/*/authorization/credentials"],
        monitoring::PodMonitor => &["/metadata", "/spec/selector"],
        monitoring::PrometheusRule => &["/metadata"],
        HttpRoute => &["/metadata"],
        oxidy_modules::contract::istio::Telemetry => &["/metadata"],
        crate::argocd::Application => &["/metadata"],
        crate::argocd::AppProject => &["/metadata"],
    ]
);

impl KnownKind {
    /// Checks `object` against the type: a wrong type, a missing required field or a field
    /// the type does not have is a [`Problem`].
    pub fn check(&self, object: &Value) -> Result<(), Problem> {
        let back = (self.round_trip)(object)?;
        let reported =
            |pointer: &str| self.complete_below.is_none_or(|prefixes| prefixes.iter().any(|p| below(pointer, p)));
        match first_unknown(object, &back, String::new(), &reported) {
            Some(pointer) => {
                let field = pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
                Err(Problem { message: format!("unknown field `{field}`"), pointer })
            }
            None => Ok(()),
        }
    }
}

fn round_trip<K: Resource + DeserializeOwned + Serialize>(object: &Value) -> Result<Value, Problem> {
    let typed: K = serde_path_to_error::deserialize(object).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => {
                    Some(format!("/{}", key.replace('~', "~0").replace('/', "~1")))
                }
                _ => None,
            })
            .collect();
        Problem { pointer, message: e.into_inner().to_string() }
    })?;
    serde_json::to_value(&typed).map_err(|e| Problem { pointer: String::new(), message: e.to_string() })
}

/// Whether `pointer` is strictly below `prefix`, where `*` in the prefix matches any segment.
fn below(pointer: &str, prefix: &str) -> bool {
    let mut segments = pointer.split('/');
    prefix.split('/').all(|p| segments.next().is_some_and(|s| p == "*" || p == s)) && segments.next().is_some()
}

/// The pointer of the first field of `original` that is not in `back` and that `reported`
/// accepts; null fields count as absent, as the API server treats them.
fn first_unknown(original: &Value, back: &Value, pointer: String, reported: &dyn Fn(&str) -> bool) -> Option<String> {
    match (original, back) {
        (Value::Object(a), Value::Object(b)) => a.iter().filter(|(_, v)| !v.is_null()).find_map(|(k, v)| {
            let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
            match b.get(k) {
                None => reported(&p).then_some(p),
                Some(w) => first_unknown(v, w, p, reported),
            }
        }),
        (Value::Array(a), Value::Array(b)) => {
            a.iter().zip(b).enumerate().find_map(|(i, (v, w))| first_unknown(v, w, format!("{pointer}/{i}"), reported))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(container: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}}}
        })
    }

    #[test]
    fn a_valid_object_passes_and_scope_comes_from_the_type() {
        let kind = lookup("apps/v1", "Deployment").unwrap();
        assert!(kind.namespaced);
        let ok = deployment(json!({"name": "web", "image": "nginx:1.27", "resources": {"limits": {"cpu": 1}}}));
        assert_eq!(kind.check(&ok), Ok(()));
        assert!(!lookup("rbac.authorization.k8s.io/v1", "ClusterRole").unwrap().namespaced);
        assert!(lookup("example.com/v1", "Widget").is_none());
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_found_where_they_are() {
        let kind = lookup("apps/v1", "Deployment").unwrap();
        let unknown = deployment(json!({"name": "web", "image": "nginx", "imagePullPolicey": "Always"}));
        assert_eq!(
            kind.check(&unknown),
            Err(Problem {
                pointer: "/spec/template/spec/containers/0/imagePullPolicey".into(),
                message: "unknown field `imagePullPolicey`".into()
            })
        );
        let wrong = deployment(json!({"name": "web", "ports": [{"containerPort": "http"}]}));
        let problem = kind.check(&wrong).unwrap_err();
        assert_eq!(problem.pointer, "/spec/template/spec/containers/0/ports/0/containerPort");
        assert!(problem.message.contains("invalid type"), "{}", problem.message);
    }

    #[test]
    fn partial_models_check_types_and_only_their_complete_parts_for_unknown_fields() {
        let kind = lookup("monitoring.coreos.com/v1", "Alertmanager").unwrap();
        let am = |spec: Value| json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager", "metadata": {"name": "a"}, "spec": spec});
        assert_eq!(kind.check(&am(json!({"replicas": 2, "web": {"pageTitle": "x"}, "clusterLabel": "c"}))), Ok(()));
        let wrong = kind.check(&am(json!({"replicas": "two"}))).unwrap_err();
        assert_eq!(wrong.pointer, "/spec/replicas");
        let typo = kind.check(&am(json!({"securityContext": {"runAsUsr": 1000}}))).unwrap_err();
        assert_eq!(typo.pointer, "/spec/securityContext/runAsUsr");
        let meta = kind.check(&json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager", "metadata": {"name": "a", "lables": {}}}));
        assert_eq!(meta.unwrap_err().pointer, "/metadata/lables");
    }

    #[test]
    fn argo_cd_and_istio_kinds_accept_what_their_models_lack() {
        let app = lookup("argoproj.io/v1alpha1", "Application").unwrap();
        let multi_source = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"},
            "spec": {"project": "p", "sources": [{"repoURL": "https://charts.example.com", "chart": "x", "targetRevision": "1.0.0"}],
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "a"},
                "syncPolicy": {"automated": {"enabled": true}, "retry": {"limit": -1}}}});
        assert_eq!(app.check(&multi_source), Ok(()), "multi-source, unlimited retries");
        let wrong = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"},
            "spec": {"syncPolicy": {"syncOptions": "CreateNamespace=true"}}});
        assert_eq!(app.check(&wrong).unwrap_err().pointer, "/spec/syncPolicy/syncOptions");
        let telemetry = lookup("telemetry.istio.io/v1", "Telemetry").unwrap();
        let null_rate = json!({"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "t"},
            "spec": {"tracing": [{"providers": [{"name": "otel"}], "randomSamplingPercentage": null}], "accessLogging": [{}]}});
        assert_eq!(telemetry.check(&null_rate), Ok(()));
    }

    /// Objects with every field of the upstream CRDs, written by `.ci/crd-maximal`.
    #[test]
    fn every_typed_custom_resource_accepts_every_field_of_its_upstream_crd() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crd-maximal");
        for (api_version, kind) in partial() {
            for variant in 0..2 {
                let path = dir.join(format!("{kind}-{variant}.json"));
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let object: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(object["apiVersion"], api_version, "{}", path.display());
                assert_eq!(lookup(api_version, kind).unwrap().check(&object), Ok(()), "{}", path.display());
            }
        }
    }

    #[test]
    fn below_matches_list_indices_with_a_star() {
        assert!(below(
            "/spec/endpoints/0/authorization/credentials/nme",
            "/spec/endpoints/*/authorization/credentials"
        ));
        assert!(!below("/spec/endpoints/0/authorization/credentials", "/spec/endpoints/*/authorization/credentials"));
        assert!(!below("/spec/endpoints/0/metricRelabelings", "/spec/endpoints/*/authorization"));
    }

    #[test]
    fn every_listed_kind_is_found() {
        for (api_version, kind) in all() {
            assert!(lookup(api_version, kind).is_some(), "{api_version} {kind}");
        }
    }
}
