//! How Prometheus scrapes Garage.
//!
//! Garage serves its metrics on the admin API (3903), which can change everything. The
//! network policies derived from the link graph let in only the setup Job (a use of
//! `object-store-admin`), the nodes themselves (their reconnect loops ask each other for their
//! ids; they hold the admin token anyway) and the Prometheus pods this monitor names. The
//! metrics endpoint requires its own token (`metrics-token`), so a Prometheus pod holds no
//! admin power, and pods elsewhere that merely copy Prometheus' labels get nothing without it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::SecretKeySelector;

use crate::contract::k8s;
use crate::contract::monitoring::{SafeAuthorization, ServiceMonitor};

use super::objects::{METRICS_TOKEN_KEY, NAME};
use super::resolved::Resolved;

/// Scrapes `/metrics` on the admin port with the metrics token.
pub(crate) fn service_monitor(r: &Resolved, labels: &BTreeMap<String, String>) -> ServiceMonitor {
    let mut monitor = ServiceMonitor::new(NAME, labels, k8s::selector(NAME, "storage"), "admin", "/metrics");
    for endpoint in &mut monitor.spec.endpoints {
        endpoint.authorization = Some(SafeAuthorization {
            type_: Some("Bearer".into()),
            credentials: SecretKeySelector {
                name: r.garage_secret.clone(),
                key: METRICS_TOKEN_KEY.into(),
                optional: Some(false),
            },
        });
    }
    monitor
}
