//! The option checks every Grafana-style ring component (Loki, Tempo) shares: each target runs
//! between 1 and [`super::MAX_REPLICAS`] replicas, and the replication factor fits the ingesters.
//! The component names its own words (what a copy holds, which key scales the ingesters).

use super::error::{OptionError, OptionErrors};
use super::values::At;

/// What a ring component calls its parts in messages.
pub struct RingOptions<'a> {
    /// The `components:` key: `loki`.
    pub component: &'a str,
    /// The name users know: `Loki`.
    pub title: &'a str,
    /// What one copy keeps: `stream`, `trace`.
    pub item: &'a str,
    /// The key that scales the ingesters: `replicas.write`.
    pub ingester_key: &'a str,
}

impl RingOptions<'_> {
    /// Every target's replica count (`replicas.<target>`) is between 1 and [`super::MAX_REPLICAS`].
    pub fn check_targets(&self, targets: &[(&str, &At<u32>)], errors: &mut OptionErrors) {
        for (name, n) in targets {
            let key = format!("replicas.{name}");
            errors.bound_replicas(self.component, &key, n.value, n.pos);
            if n.value == 0 {
                errors.push(
                    OptionError::new(
                        self.component,
                        &key,
                        n.pos,
                        format!("the {name} target needs at least one replica"),
                    )
                    .help(format!("set it to 1 or more, or disable {}", self.title)),
                );
            }
        }
    }

    /// The replication factor is at least 1 and at most the `ingesters` that run. `single` is
    /// the help when the layout runs one ingester whatever the replicas say.
    pub fn check_replication_factor(
        &self,
        factor: &At<u32>,
        ingesters: u32,
        single: Option<&str>,
        errors: &mut OptionErrors,
    ) {
        // With no ingester, the factor has nothing to be checked against.
        if ingesters == 0 || (factor.value != 0 && factor.value <= ingesters) {
            return;
        }
        let help = match single {
            _ if factor.value == 0 => one_to(ingesters),
            Some(single) => single.to_owned(),
            None => format!("set replicationFactor to at most {ingesters}, or raise {}", self.ingester_key),
        };
        let message = if factor.value == 0 {
            format!("a replication factor of 0 keeps no copy of a {}: it must be at least 1", self.item)
        } else {
            format!(
                "replication factor {} needs as many ingesters, and {ingesters} run ({})",
                factor.value, self.ingester_key
            )
        };
        errors.push(OptionError::new(self.component, "replicationFactor", factor.pos, message).help(help));
    }
}

/// The valid replication factors, as a suggestion.
fn one_to(n: u32) -> String {
    if n == 1 {
        "set replicationFactor to 1".into()
    } else {
        format!("set replicationFactor to a number from 1 to {n}")
    }
}
