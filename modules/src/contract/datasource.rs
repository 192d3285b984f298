//! Grafana datasources as components offer them: open values that name their plugin, their
//! settings and their correlations by role, so a new backend adds its datasource without a
//! change to the contract or to the component that provisions them.

use serde_json::Value;

/// What a datasource holds, for correlations to find their target. Open: a component with a
/// new kind of data names its own role (`Role("profiles")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role(pub &'static str);

impl Role {
    /// Metric series queried with PromQL.
    pub const METRICS: Role = Role("metrics");
    /// Log streams.
    pub const LOGS: Role = Role("logs");
    /// Traces.
    pub const TRACES: Role = Role("traces");
    /// Alerts as an alert router holds them.
    pub const ALERTS: Role = Role("alerts");
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A Grafana datasource a component offers: the component decides its uid, plugin, URL and
/// settings; the dashboards component provisions every one, and dashboards and correlations
/// refer to it by uid.
#[derive(Debug, Clone, PartialEq)]
pub struct Datasource {
    pub uid: String,
    pub name: String,
    /// Grafana's plugin id (`type:` in the provisioning file), such as `prometheus`.
    pub plugin: String,
    pub role: Role,
    pub url: String,
    /// The datasource Explore and new panels open with; at most one is.
    pub is_default: bool,
    /// The plugin's settings (`jsonData`) without the correlations, which depend on what
    /// else is provisioned.
    pub json_data: serde_json::Map<String, Value>,
    /// Links into other datasources, each kept only when a datasource of its role is there.
    pub correlations: Vec<Correlation>,
}

/// A setting of a datasource that opens another one, found by role when provisioning.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// Where in `jsonData` the value goes: a top-level key, or a key ending in `[]` for a list
    /// the value is appended to.
    pub at: &'static str,
    /// The role of the datasource it opens.
    pub to: Role,
    /// The value, an object; its `datasourceUid` is set to the target's uid.
    pub value: Value,
}

impl Datasource {
    /// A datasource with no settings and no correlations.
    pub fn new(uid: &str, name: &str, plugin: &str, role: Role, url: impl Into<String>) -> Self {
        Datasource {
            uid: uid.into(),
            name: name.into(),
            plugin: plugin.into(),
            role,
            url: url.into(),
            is_default: false,
            json_data: serde_json::Map::new(),
            correlations: Vec::new(),
        }
    }

    /// Sets the plugin setting `key`.
    pub fn setting(mut self, key: &str, value: Value) -> Self {
        self.json_data.insert(key.into(), value);
        self
    }

    /// Adds a correlation to the datasource of role `to`, placed at `at`.
    pub fn correlate(mut self, at: &'static str, to: Role, value: Value) -> Self {
        self.correlations.push(Correlation { at, to, value });
        self
    }

    /// Makes it the default datasource.
    pub fn default_datasource(mut self) -> Self {
        self.is_default = true;
        self
    }
}
