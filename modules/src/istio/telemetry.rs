//! Istio's `Telemetry` resource, typed, and the mesh-config snippet that names the provider.

use crate::contract::yaml::EncodeError;
use serde::Serialize;

use crate::contract::Endpoint;
use crate::contract::istio::{ProviderRef, Telemetry, TelemetrySpec, Tracing};
use crate::contract::k8s;

/// The mesh-wide default: in the root namespace, with no selector.
pub(crate) fn mesh_tracing(provider: &str, sampling_percentage: f64) -> Telemetry {
    let labels = k8s::labels("istio-tracing", "tracing", "v1");
    Telemetry {
        metadata: k8s::meta("mesh-default", &labels),
        spec: TelemetrySpec {
            tracing: vec![Tracing {
                providers: vec![ProviderRef { name: provider.into() }],
                random_sampling_percentage: Some(sampling_percentage),
            }],
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MeshConfig {
    extension_providers: Vec<ExtensionProvider>,
}

#[derive(Serialize)]
struct ExtensionProvider {
    name: String,
    opentelemetry: OpenTelemetryProvider,
}

#[derive(Serialize)]
struct OpenTelemetryProvider {
    service: String,
    port: u16,
}

/// What Istio's `meshConfig` must contain for the Telemetry's provider to exist.
pub(crate) fn mesh_config(provider: &str, collector: &Endpoint) -> Result<String, EncodeError> {
    let config = MeshConfig {
        extension_providers: vec![ExtensionProvider {
            name: provider.into(),
            opentelemetry: OpenTelemetryProvider { service: collector.host(), port: collector.port },
        }],
    };
    let yaml = crate::contract::yaml::encode(&config)?;
    Ok(format!(
        "# Merge into the meshConfig of Istio's installation (IstioOperator spec.meshConfig, or the\n\
         # istiod Helm values' meshConfig): the provider the Telemetry istio-tracing/mesh-default uses.\n{yaml}"
    ))
}
