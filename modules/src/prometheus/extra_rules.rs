//! The project's extra rule files (`components.prometheus.extraRules`): read by the engine,
//! checked here as Prometheus would (groups with names, rules with `alert` or `record`, every
//! expression valid PromQL, every `for` a duration), rendered as the PrometheusRule
//! `extra-rules`. `tests/rules.rs` runs promtool over them too.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::monitoring::{Rule, RuleGroup};
use crate::contract::{At, Duration, EnvInfo, OptionError};

use super::resolved::option_error;

const KEY: &str = "extraRules";

fn strings(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect())
        .unwrap_or_default()
}

/// The groups of the file `path` names.
pub(crate) fn groups(path: &At<String>, env: &EnvInfo) -> Result<Vec<RuleGroup>, OptionError> {
    let fail = |message: String, help: Option<String>| option_error(KEY, path.pos, message, help);
    let Some(file) = env.rule_files.iter().find(|f| f.path == path.value) else {
        let known: Vec<&str> = env.rule_files.iter().map(|f| f.path.as_str()).collect();
        return Err(fail(
            format!("rule file `{}` does not exist", path.value),
            Some(if known.is_empty() {
                "put rule files in the project's rules/ folder and name them as rules/<file>.yaml".into()
            } else {
                format!("the project has: {}", known.join(", "))
            }),
        ));
    };
    let doc: Value =
        serde_saphyr::from_str(&file.text).map_err(|e| fail(format!("{}: not YAML: {e}", file.path), None))?;
    let bad = |what: String| {
        fail(
            format!("{}: {what}", file.path),
            Some("write Prometheus' rule-file format: groups: [{name, rules: [{alert|record, expr, ...}]}]".into()),
        )
    };
    let groups = doc.get("groups").and_then(Value::as_array).ok_or_else(|| bad("no `groups` list".into()))?;
    let mut out = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let name = g.get("name").and_then(Value::as_str).ok_or_else(|| bad(format!("groups[{gi}] has no name")))?;
        let rules =
            g.get("rules").and_then(Value::as_array).ok_or_else(|| bad(format!("group `{name}` has no rules list")))?;
        let mut parsed = Vec::new();
        for (ri, r) in rules.iter().enumerate() {
            let alert = r.get("alert").and_then(Value::as_str).map(str::to_owned);
            let record = r.get("record").and_then(Value::as_str).map(str::to_owned);
            let label = alert.clone().or_else(|| record.clone()).unwrap_or_else(|| format!("rules[{ri}]"));
            if alert.is_some() == record.is_some() {
                return Err(bad(format!("group `{name}`, {label}: needs exactly one of `alert` and `record`")));
            }
            let expr = r
                .get("expr")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("group `{name}`, {label}: no `expr`")))?;
            crate::contract::promql::parses(expr)
                .map_err(|e| bad(format!("group `{name}`, {label}: `{expr}` is not valid PromQL: {e}")))?;
            let for_ = r.get("for").and_then(Value::as_str).map(str::to_owned);
            if let Some(f) = &for_ {
                Duration::parse(f).map_err(|e| bad(format!("group `{name}`, {label}: `for: {f}`: {e}")))?;
            }
            parsed.push(Rule {
                alert,
                record,
                expr: expr.into(),
                for_,
                labels: r.get("labels").map(strings).unwrap_or_default(),
                annotations: r.get("annotations").map(strings).unwrap_or_default(),
            });
        }
        out.push(RuleGroup {
            name: name.into(),
            interval: g.get("interval").and_then(Value::as_str).map(str::to_owned),
            rules: parsed,
        });
    }
    Ok(out)
}
