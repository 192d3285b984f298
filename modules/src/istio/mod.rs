//! Istio mesh tracing: every sidecar and gateway sends its spans to the collector.
//!
//! Targets Istio 1.22 or newer (`telemetry.istio.io/v1`; checked against the 1.30 CRD). A
//! mesh-wide `Telemetry` in Istio's root namespace turns tracing on with a sampling rate per
//! tier and names an OpenTelemetry extension provider. The provider itself lives in Istio's
//! mesh config, which belongs to Istio's installation, not to this platform: the module
//! renders the snippet to merge there (`generated/<env>/build/istio-tracing/mesh-config.yaml`),
//! with the collector's address taken from the shared context, so it cannot point elsewhere.
//!
//! The app deploys into the root namespace without creating it or touching its labels: Istio
//! owns that namespace, and its gateways are not bound by this platform's pod-security level.

mod module;
mod options;
mod resolved;
mod telemetry;
#[cfg(test)]
mod tests;

pub(crate) use module::IstioModule;
pub use options::Istio;
