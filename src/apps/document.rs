//! YAML (and JSON, which is YAML) documents read as JSON values that remember the line of
//! every key, so a problem deep inside a manifest can be pointed at.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

/// One document: its value, the line it starts on and the line of each key or list item,
/// by JSON pointer (`/spec/template/spec/containers/0`).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub value: Value,
    pub line: u64,
    lines: BTreeMap<String, u64>,
}

impl Document {
    /// The line of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> u64 {
        let mut p = pointer;
        loop {
            if let Some(line) = self.lines.get(p) {
                return *line;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return self.line,
            }
        }
    }
}

/// Splits `text` into its documents; empty documents (a trailing `---`) are dropped.
pub fn parse(text: &str) -> Result<Vec<Document>, serde_saphyr::Error> {
    let nodes: Vec<Spanned<Node>> = serde_saphyr::from_str_multiple(text)?;
    Ok(nodes.into_iter().map(Document::from).filter(|d| !d.value.is_null()).collect())
}

impl From<Spanned<Node>> for Document {
    fn from(node: Spanned<Node>) -> Self {
        let mut lines = BTreeMap::new();
        let line = node.referenced.line();
        let value = node.value.into_value(String::new(), &mut lines);
        Document { value, line, lines }
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Spanned::<Node>::deserialize(d).map(Document::from)
    }
}

impl JsonSchema for Document {
    fn schema_name() -> Cow<'static, str> {
        "KubernetesObject".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Kubernetes object: apiVersion, kind, metadata.name and the rest of its fields.",
            "type": "object",
            "required": ["apiVersion", "kind", "metadata"],
        })
    }
}

/// A YAML node with the positions of its children.
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl Node {
    fn into_value(self, pointer: String, lines: &mut BTreeMap<String, u64>) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s),
            Node::Seq(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let p = format!("{pointer}/{i}");
                        lines.insert(p.clone(), item.referenced.line());
                        item.value.into_value(p, lines)
                    })
                    .collect(),
            ),
            Node::Map(entries) => {
                let mut map = Map::new();
                for (key, value) in entries {
                    let p = format!("{pointer}/{}", key.value.replace('~', "~0").replace('/', "~1"));
                    lines.insert(p.clone(), key.referenced.line());
                    map.insert(key.value, value.value.into_value(p, lines));
                }
                Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Number::from_f64(v).map(Node::Number).ok_or_else(|| E::custom("NaN and infinities are not valid in manifests"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(Spanned<String>, Spanned<Node>)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            if entries.iter().any(|(k, _)| k.value == key.value) {
                return Err(de::Error::custom(format!("duplicate key `{}`", key.value)));
            }
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_the_line_of_every_key() {
        let text = "# head\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"1\"\n---\n---\nkind: List\nitems:\n  - x: 1\n    y: [true, 2.5, null]\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value["data"]["k"], "1");
        assert_eq!(docs[0].line_of("/metadata/name"), 5);
        assert_eq!(docs[0].line_of("/data/k"), 7);
        assert_eq!(docs[0].line_of("/data/k/missing"), 7);
        assert_eq!(docs[1].line_of("/items/0/y"), 13);
        assert_eq!(docs[1].value["items"][0]["y"], serde_json::json!([true, 2.5, null]));
    }

    #[test]
    fn json_is_read_too_and_duplicate_keys_are_refused() {
        let docs = parse("{\"kind\": \"Service\",\n \"spec\": {\"ports\": [{\"port\": 80}]}}").unwrap();
        assert_eq!(docs[0].value["spec"]["ports"][0]["port"], 80);
        assert_eq!(docs[0].line_of("/spec/ports/0/port"), 2);
        assert!(parse("a: 1\na: 2\n").is_err());
    }
}
