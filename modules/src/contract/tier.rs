//! Tiers: the kind of environment, which carries every default that differs between them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kind of environment. Tiers carry every default that differs between environments
/// (retention, volume sizes, replicas, exposure, credentials); an env file overrides any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// A developer's cluster (kind, k3d): one replica of everything, NodePorts, fixed dev
    /// credentials allowed.
    Local,
    /// A shared pre-production cluster: one replica of stateful parts, two of stateless ones,
    /// credentials only from existing Secrets.
    Staging,
    /// Highly available: at least two replicas, Garage with three nodes and replication 3,
    /// credentials only from existing Secrets.
    Production,
}

impl Tier {
    /// The tier's own value out of three: the one way defaults are written, so a module's
    /// tier table reads like the table in the README.
    pub fn pick<T>(self, local: T, staging: T, production: T) -> T {
        match self {
            Tier::Local => local,
            Tier::Staging => staging,
            Tier::Production => production,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.pick("local", "staging", "production")
    }

    /// Fixed development credentials may be rendered only in the local tier.
    pub fn allows_dev_credentials(self) -> bool {
        self == Tier::Local
    }
}
