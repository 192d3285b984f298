//! Mesh tracing's options with every tier default applied and the sampling rate checked.

use crate::contract::{At, DnsLabel, EnvInfo, OptionError};

use super::options::Istio;

/// Mesh tracing's options with every default applied.
pub(crate) struct Resolved {
    /// Istio's root namespace.
    pub namespace: String,
    pub provider: String,
    pub sampling_percentage: f64,
}

impl Istio {
    pub(crate) fn resolve(&self, env: &EnvInfo) -> Result<Resolved, Vec<OptionError>> {
        let sampling = self.sampling_percentage.clone().unwrap_or(At::default_value(env.tier.pick(100.0, 10.0, 1.0)));
        if !(0.0..=100.0).contains(&sampling.value) {
            return Err(vec![
                OptionError::new(
                    "istio",
                    "samplingPercentage",
                    sampling.pos,
                    format!("{} is not a percentage", sampling.value),
                )
                .help("use a number from 0 to 100; 1 traces one request in a hundred"),
            ]);
        }
        Ok(Resolved {
            namespace: self.root_namespace.as_ref().map_or("istio-system", DnsLabel::as_str).to_owned(),
            provider: self.provider.as_ref().map_or("oxidy-otel", DnsLabel::as_str).to_owned(),
            sampling_percentage: sampling.value,
        })
    }
}
