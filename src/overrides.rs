//! `overrides:` and `commonLabels`/`commonAnnotations`: changes to rendered objects, applied
//! after every module and app has rendered and before layout.
//!
//! A patch is a JSON merge patch (RFC 7386), except that lists of named items (containers,
//! volumes, env, ...) merge item by item on `name`, as kubectl's strategic merge patch does:
//! overriding one container's resources does not restate the list. Other lists are replaced.
//! json-patch's merge cannot be told about named lists, so the merge is written out here.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use oxidy_modules::contract::{App, At, Object};

use crate::apps::document::Document;
use crate::apps::kinds;

/// Lists whose items merge by `name` instead of being replaced.
pub const NAMED_LISTS: &[&str] = &["containers", "initContainers", "volumes", "volumeMounts", "env", "ports"];

/// One change to one rendered object.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The object to change: exactly one must match.
    pub target: At<OverrideTarget>,
    /// A JSON merge patch; lists of named items (containers, initContainers, volumes,
    /// volumeMounts, env, ports) merge by `name`, and `$patch: delete` in such an item removes
    /// it. Other lists are replaced whole; `null` removes a key.
    pub patch: Document,
}

/// Which object an override changes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideTarget {
    pub kind: String,
    pub name: String,
    /// Needed when objects of this kind and name exist in several namespaces.
    pub namespace: Option<String>,
    /// The app (folder) the object belongs to, when that is what tells them apart.
    pub app: Option<String>,
}

impl OverrideTarget {
    /// Whether `object` of `app` is this target (its namespace defaulted to the app's).
    pub fn selects(&self, app: &App, object: &Object) -> bool {
        self.app.as_ref().is_none_or(|a| *a == app.name)
            && self.namespace.as_deref().is_none_or(|ns| object.namespace() == Some(ns))
            && object.kind() == self.kind
            && object.name() == self.name
    }
}

/// Why an override could not be applied; the pipeline adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideError {
    /// The line in the env file: the target's, or the patch line at fault.
    pub line: Option<u64>,
    pub message: String,
    pub help: Option<String>,
}

/// Applies every override to `apps`, in order.
pub fn apply(apps: &mut [App], overrides: &[Override]) -> Result<(), Vec<OverrideError>> {
    let mut errors = Vec::new();
    for o in overrides {
        if let Err(e) = apply_one(apps, o) {
            errors.push(e);
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn apply_one(apps: &mut [App], o: &Override) -> Result<(), OverrideError> {
    let t = &o.target.value;
    let line = o.target.pos.map(|p| p.line);
    let fail = |message: String, help: Option<String>| OverrideError { line, message, help };
    let matches: Vec<(usize, usize)> = apps
        .iter()
        .enumerate()
        .flat_map(|(i, app)| {
            app.objects.iter().enumerate().filter_map(move |(j, obj)| t.selects(app, obj).then_some((i, j)))
        })
        .collect();
    let described = || {
        let mut s = format!("{} `{}`", t.kind, t.name);
        if let Some(ns) = &t.namespace {
            s.push_str(&format!(" in namespace `{ns}`"));
        }
        if let Some(app) = &t.app {
            s.push_str(&format!(" of app `{app}`"));
        }
        s
    };
    let (i, j) = match matches.as_slice() {
        [one] => *one,
        [] => {
            let names: Vec<&str> =
                apps.iter().flat_map(|a| &a.objects).filter(|o| o.kind() == t.kind).map(Object::name).collect();
            let help = match crate::suggest::closest(&t.name, names.iter().copied()) {
                Some(s) => Some(format!("did you mean `{s}`?")),
                None if names.is_empty() => Some(format!("the environment renders no {}", t.kind)),
                None => None,
            };
            return Err(fail(format!("override target {} matches no rendered object", described()), help));
        }
        many => {
            let places: Vec<String> = many
                .iter()
                .map(|(i, j)| format!("{} (app {})", apps[*i].objects[*j].describe(), apps[*i].name))
                .collect();
            return Err(fail(
                format!("override target {} matches {} objects: {}", described(), many.len(), places.join(", ")),
                Some("add `namespace` or `app` to the target".into()),
            ));
        }
    };
    let object = &apps[i].objects[j];
    let mut body = object.body().clone();
    merge(&mut body, &o.patch.value, "").map_err(|(pointer, m)| OverrideError {
        line: Some(o.patch.line_of(&pointer)),
        message: m,
        help: None,
    })?;
    if let Some(known) = kinds::lookup(object.api_version(), object.kind()) {
        known.check(&body).map_err(|p| OverrideError {
            line: Some(o.patch.line_of(&p.pointer)),
            message: format!(
                "the patch leaves {} invalid: {} at `{}`",
                object.describe(),
                p.message,
                p.pointer.trim_start_matches('/').replace('/', ".")
            ),
            help: Some(format!("the patch must keep {} valid for its type", object.kind())),
        })?;
    }
    let patched = Object::from_value(body, object.namespaced()).map_err(|e| fail(e.0, None))?;
    if (patched.api_version(), patched.kind(), patched.name(), patched.namespace())
        != (object.api_version(), object.kind(), object.name(), object.namespace())
    {
        return Err(fail(
            format!("the patch changes what {} is: apiVersion, kind, name and namespace stay", object.describe()),
            None,
        ));
    }
    apps[i].objects[j] = patched;
    Ok(())
}

/// Merges `patch` into `target` (RFC 7386, with named lists merged by `name`). Errors carry
/// the JSON pointer into the patch.
pub fn merge(target: &mut Value, patch: &Value, pointer: &str) -> Result<(), (String, String)> {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else { unreachable!("made an object above") };
    for (key, value) in patch_map {
        let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        match value {
            Value::Null => {
                map.remove(key);
            }
            Value::Array(items) if NAMED_LISTS.contains(&key.as_str()) => {
                let list = map.entry(key.clone()).or_insert_with(|| Value::Array(Vec::new()));
                if !list.is_array() {
                    *list = Value::Array(Vec::new());
                }
                let Value::Array(list) = list else { unreachable!("made an array above") };
                merge_named(list, items, &here)?;
            }
            _ => merge(map.entry(key.clone()).or_insert(Value::Null), value, &here)?,
        }
    }
    Ok(())
}

/// Merges patch items into `list` by their `name`: a known name is merged into, a new one is
/// appended, `$patch: delete` removes.
fn merge_named(list: &mut Vec<Value>, items: &[Value], pointer: &str) -> Result<(), (String, String)> {
    for (i, item) in items.iter().enumerate() {
        let here = format!("{pointer}/{i}");
        let Some(name) = item.get("name").and_then(Value::as_str) else {
            let list_name = pointer.rsplit('/').next().unwrap_or_default();
            return Err((here, format!("items of `{list_name}` merge by `name`, and this one has none")));
        };
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        let mut item = item.clone();
        if let Value::Object(m) = &mut item {
            m.remove("$patch");
        }
        match list.iter().position(|v| v.get("name").and_then(Value::as_str) == Some(name)) {
            Some(at) if delete => {
                list.remove(at);
            }
            Some(at) => merge(&mut list[at], &item, &here)?,
            None if delete => return Err((here, format!("`$patch: delete` of `{name}`, which is not there"))),
            None => list.push(item),
        }
    }
    Ok(())
}

/// Adds the env's common labels and annotations to every object and pod template; a key an
/// object sets itself is kept.
pub fn add_common_metadata(
    apps: &mut [App],
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
) {
    if labels.is_empty() && annotations.is_empty() {
        return;
    }
    for app in apps {
        for object in &mut app.objects {
            let mut body = object.body().clone();
            for holder in ["", "/spec/template", "/spec/jobTemplate/spec/template"] {
                let Some(meta) = meta_at(&mut body, holder) else { continue };
                for (field, values) in [("labels", labels), ("annotations", annotations)] {
                    if values.is_empty() {
                        continue;
                    }
                    let entry = meta.entry(field).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(m) = entry {
                        for (k, v) in values {
                            m.entry(k.clone()).or_insert_with(|| Value::String(v.clone()));
                        }
                    }
                }
            }
            if let Ok(patched) = Object::from_value(body, object.namespaced()) {
                *object = patched;
            }
        }
    }
}

/// The `metadata` map of the object (`holder` empty) or of the pod template at `holder`, if
/// the object has one there.
fn meta_at<'a>(body: &'a mut Value, holder: &str) -> Option<&'a mut Map<String, Value>> {
    let holder = if holder.is_empty() { Some(body) } else { body.pointer_mut(holder) }?.as_object_mut()?;
    holder.entry("metadata").or_insert_with(|| Value::Object(Map::new())).as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386_outside_named_lists() {
        // RFC 7386, appendix A, a selection.
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "b"}), json!({"b": "c"}), json!({"a": "b", "b": "c"})),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": {"b": "c"}}), json!({"a": {"b": "d", "c": null}}), json!({"a": {"b": "d"}})),
            (json!({"a": [{"b": "c"}]}), json!({"a": [1]}), json!({"a": [1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"e": null}), json!({"a": 1}), json!({"e": null, "a": 1})),
            (json!({}), json!({"a": {"bb": {"ccc": null}}}), json!({"a": {"bb": {}}})),
        ];
        for (mut target, patch, want) in cases {
            merge(&mut target, &patch, "").unwrap();
            assert_eq!(target, want, "patch {patch}");
        }
    }

    #[test]
    fn named_lists_merge_by_name_and_other_lists_are_replaced() {
        let mut pod = json!({"spec": {
            "containers": [{"name": "a", "image": "a:1", "args": ["-x"]}, {"name": "b", "image": "b:1"}],
            "tolerations": [{"key": "old"}]}});
        let patch = json!({"spec": {
            "containers": [{"name": "b", "resources": {"limits": {"memory": "1Gi"}}}, {"name": "c", "image": "c:1"},
                           {"name": "a", "$patch": "delete"}],
            "tolerations": [{"key": "new", "operator": "Exists"}]}});
        merge(&mut pod, &patch, "").unwrap();
        assert_eq!(
            pod,
            json!({"spec": {
                "containers": [{"name": "b", "image": "b:1", "resources": {"limits": {"memory": "1Gi"}}},
                               {"name": "c", "image": "c:1"}],
                "tolerations": [{"key": "new", "operator": "Exists"}]}})
        );
        let err = merge(&mut pod, &json!({"spec": {"containers": [{"image": "x"}]}}), "").unwrap_err();
        assert_eq!(err.0, "/spec/containers/0");
    }
}
