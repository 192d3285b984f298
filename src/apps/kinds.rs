//! The Kubernetes kinds oxidy knows: objects of these kinds are checked by deserializing them
//! into their k8s-openapi type. k8s-openapi ignores unknown fields, so a field the type does
//! not have is found by serializing the typed value back and looking for what went missing.

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A kind oxidy has a type for.
#[derive(Clone, Copy)]
pub struct KnownKind {
    pub namespaced: bool,
    round_trip: fn(&Value) -> Result<Value, Problem>,
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
    ($($ty:path),* $(,)?) => {
        /// The type of `apiVersion`/`kind`, if oxidy has one.
        pub fn lookup(api_version: &str, kind: &str) -> Option<KnownKind> {
            $(
                if api_version == <$ty as Resource>::API_VERSION && kind == <$ty as Resource>::KIND {
                    return Some(KnownKind {
                        namespaced: <<$ty as Resource>::Scope as Scope>::NAMESPACED,
                        round_trip: round_trip::<$ty>,
                    });
                }
            )*
            None
        }

        /// Every known `apiVersion`/`kind`, for tests and docs.
        pub fn all() -> Vec<(&'static str, &'static str)> {
            vec![$((<$ty as Resource>::API_VERSION, <$ty as Resource>::KIND)),*]
        }
    };
}

use k8s_openapi::api;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;

known_kinds!(
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
);

impl KnownKind {
    /// Checks `object` against the type: a wrong type, a missing required field or a field
    /// the type does not have is a [`Problem`].
    pub fn check(&self, object: &Value) -> Result<(), Problem> {
        let back = (self.round_trip)(object)?;
        match first_unknown(object, &back, String::new()) {
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

/// The pointer of the first field of `original` that is not in `back`; null fields count as
/// absent, as the API server treats them.
fn first_unknown(original: &Value, back: &Value, pointer: String) -> Option<String> {
    match (original, back) {
        (Value::Object(a), Value::Object(b)) => a.iter().filter(|(_, v)| !v.is_null()).find_map(|(k, v)| {
            let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
            match b.get(k) {
                None => Some(p),
                Some(w) => first_unknown(v, w, p),
            }
        }),
        (Value::Array(a), Value::Array(b)) => {
            a.iter().zip(b).enumerate().find_map(|(i, (v, w))| first_unknown(v, w, format!("{pointer}/{i}")))
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
    fn every_listed_kind_is_found() {
        for (api_version, kind) in all() {
            assert!(lookup(api_version, kind).is_some(), "{api_version} {kind}");
        }
    }
}
