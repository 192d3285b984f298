//! The dashboard lint: what Grafana would accept silently but show broken. Unique dashboard
//! uids of at most 40 characters, unique panel ids (rows' nested panels included), datasource
//! uids that are provisioned, PromQL that parses, and a folder, name and size that fit the
//! ConfigMap delivery. Every message names the dashboard's file, and the panel by title and id.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::{Dashboard, Datasource, DnsLabel};

use super::dashboards::{FOLDERS, MAX_BYTES, config_map_name, folder};
use super::promql::{self, Variable};
use super::references::known;

/// Grafana's own pseudo-datasources, valid everywhere.
const BUILT_IN_UIDS: [&str; 4] = ["grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"];
const MAX_UID_LEN: usize = 40;
/// The plugin whose queries are PromQL, and so are parsed.
const PROMQL_PLUGIN: &str = "prometheus";

/// One message per problem, over every dashboard.
pub(crate) fn check(dashboards: &[&Dashboard], available: &[Datasource]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut uids: BTreeMap<&str, &str> = BTreeMap::new();
    for d in dashboards {
        let mut report = |message: String| problems.push(format!("{}: {message}", d.file));
        if !d.json().is_object() {
            report("the file must evaluate to a dashboard object".into());
            continue;
        }
        match d.json()["uid"].as_str() {
            None => report("the dashboard has no `uid`".into()),
            Some(uid) => {
                if let Some(e) = uid_problem(uid) {
                    report(e);
                }
                if let Some(first) = uids.insert(uid, &d.file) {
                    report(format!("uid `{uid}` is also the uid of {first}"));
                }
            }
        }
        let templating = d.json()["templating"]["list"].as_array().map_or(&[][..], Vec::as_slice);
        Lint { dashboard: d, templating, available, report: &mut report }.run();
    }
    problems
}

fn uid_problem(uid: &str) -> Option<String> {
    if uid.is_empty() || uid.len() > MAX_UID_LEN {
        return Some(format!("uid `{uid}` must be 1 to {MAX_UID_LEN} characters long, not {}", uid.len()));
    }
    (!uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then(|| format!("uid `{uid}` may contain only letters, digits, `-` and `_`"))
}

/// The checks within one dashboard.
struct Lint<'a, 'r> {
    dashboard: &'a Dashboard,
    /// The template variables as the dashboard defines them.
    templating: &'a [Value],
    available: &'a [Datasource],
    report: &'r mut dyn FnMut(String),
}

impl<'a> Lint<'a, '_> {
    fn run(&mut self) {
        self.delivery();
        let variables = self.variables();
        let mut ids: BTreeMap<u64, String> = BTreeMap::new();
        for panel in panels(self.dashboard.json()) {
            let title = panel["title"].as_str().unwrap_or("(untitled)");
            let Some(id) = panel["id"].as_u64() else {
                (self.report)(format!("panel \"{title}\" has no numeric `id`"));
                continue;
            };
            let place = format!("panel \"{title}\" (id {id})");
            if let Some(first) = ids.insert(id, place.clone()) {
                (self.report)(format!("{place}: id {id} is also the id of {first}"));
            }
            self.panel(panel, &place, &variables);
        }
    }

    /// Folder, ConfigMap name and size.
    fn delivery(&mut self) {
        let d = self.dashboard;
        if folder(d).is_none() {
            let tags: Vec<String> = FOLDERS.iter().map(|f| format!("`{}`", f.to_ascii_lowercase())).collect();
            (self.report)(format!("no folder: tag the dashboard with one of {}", tags.join(", ")));
        }
        if let Err(e) = DnsLabel::parse(&d.name) {
            (self.report)(format!("the file name is the ConfigMap's name, and {}", e.message));
        } else if config_map_name(d).len() > 63 {
            (self.report)("the file name is too long for a ConfigMap name; shorten it".into());
        }
        let size = d.text().len();
        if size > MAX_BYTES {
            (self.report)(format!("the dashboard is {size} bytes, more than a ConfigMap holds ({MAX_BYTES})"));
        }
    }

    /// The template variables, after checking their datasources and Prometheus queries.
    fn variables(&mut self) -> Vec<Variable> {
        let variables: Vec<Variable> = self
            .templating
            .iter()
            .filter_map(|v| {
                let name = v["name"].as_str()?;
                Some(Variable { name: name.to_owned(), is_duration: v["type"] == "interval" })
            })
            .collect();
        for v in self.templating {
            let place = format!("template variable `{}`", v["name"].as_str().unwrap_or("?"));
            let kind = self.datasource(&v["datasource"], &place);
            let query = v["query"].get("query").unwrap_or(&v["query"]);
            if kind == Some(PROMQL_PLUGIN)
                && let Some(expr) = query.as_str().and_then(variable_promql)
                && let Err(e) = promql::check(expr, &variables)
            {
                (self.report)(format!("{place}: {e}"));
            }
        }
        for a in self.dashboard.json()["annotations"]["list"].as_array().into_iter().flatten() {
            let place = format!("annotation `{}`", a["name"].as_str().unwrap_or("?"));
            self.datasource(&a["datasource"], &place);
        }
        variables
    }

    fn panel(&mut self, panel: &Value, place: &str, variables: &[Variable]) {
        let panel_kind = self.datasource(&panel["datasource"], place);
        for (i, target) in panel["targets"].as_array().into_iter().flatten().enumerate() {
            let ref_id = target["refId"].as_str().map_or_else(|| format!("#{i}"), str::to_owned);
            let place = format!("{place} target {ref_id}");
            let kind = if target["datasource"].is_null() {
                panel_kind
            } else {
                self.datasource(&target["datasource"], &place)
            };
            if kind == Some(PROMQL_PLUGIN)
                && let Some(expr) = target["expr"].as_str()
                && let Err(e) = promql::check(expr, variables)
            {
                (self.report)(format!("{place}: {e}"));
            }
        }
    }

    /// Checks a datasource reference and returns the kind it points at, if it resolves.
    fn datasource(&mut self, reference: &Value, place: &str) -> Option<&'a str> {
        let uid = match reference {
            Value::Null => return None,
            Value::String(s) => s.as_str(),
            Value::Object(o) => match o.get("uid") {
                Some(Value::String(s)) => s.as_str(),
                None | Some(Value::Null) => return None,
                Some(_) => {
                    (self.report)(format!("{place}: the datasource uid must be a string"));
                    return None;
                }
            },
            _ => {
                (self.report)(format!("{place}: a datasource reference is an object with `type` and `uid`"));
                return None;
            }
        };
        if BUILT_IN_UIDS.contains(&uid) {
            return None;
        }
        if let Some(name) = uid.strip_prefix('$') {
            let name = name.trim_start_matches('{').trim_end_matches('}');
            let variable = self.templating.iter().find(|v| v["name"] == name && v["type"] == "datasource");
            match variable {
                // The variable offers datasources of one plugin type: queries are checked as that kind.
                Some(v) => return v["query"].as_str(),
                None if name.starts_with("DS_") => (self.report)(format!(
                    "{place}: datasource `{uid}` is an input of a dashboard exported for sharing externally, \
                     which provisioning does not fill in; export it again without that option, or replace \
                     `{uid}` with a provisioned uid ({})",
                    known(self.available)
                )),
                None => {
                    (self.report)(format!("{place}: datasource `{uid}` names no datasource variable of the dashboard"))
                }
            }
            return None;
        }
        let Some(found) = self.available.iter().find(|d| d.uid == uid) else {
            (self.report)(format!("{place}: no datasource has uid `{uid}` ({})", known(self.available)));
            return None;
        };
        if let Some(declared) = reference.get("type").and_then(Value::as_str)
            && declared != found.plugin
        {
            (self.report)(format!(
                "{place}: datasource `{uid}` is declared as type `{declared}` but is a {} datasource",
                found.plugin
            ));
        }
        Some(found.plugin.as_str())
    }
}

/// Every panel of a dashboard, including those nested in (collapsed) rows.
fn panels(dashboard: &Value) -> Vec<&Value> {
    let mut all = Vec::new();
    for panel in dashboard["panels"].as_array().into_iter().flatten() {
        all.push(panel);
        all.extend(panel["panels"].as_array().into_iter().flatten());
    }
    all
}

/// The PromQL inside a Prometheus variable query: the series selector of
/// `label_values(selector, label)`, or the expression of `query_result(expr)`.
fn variable_promql(query: &str) -> Option<&str> {
    let query = query.trim();
    if let Some(inner) = query.strip_prefix("label_values(").and_then(|q| q.strip_suffix(')')) {
        return Some(inner.rsplit_once(',').map_or(inner, |(selector, _)| selector).trim());
    }
    query.strip_prefix("query_result(").and_then(|q| q.strip_suffix(')')).map(str::trim)
}
