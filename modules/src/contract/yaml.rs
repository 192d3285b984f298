//! Deterministic YAML, for rendered objects and for config files modules embed in them: sorted keys (serde_json's map is ordered), multi-line strings as
//! block literals, and every string a YAML 1.1 reader could mistake for something else
//! (`on`, `no`, `y`, `0777`, `1e3`, `null`, `12:30`) quoted.

use serde::Serialize;
use serde_saphyr::SerializerOptions;

/// Why a config file could not be written, with the serializer's own error as its cause.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("cannot write YAML: {0}")]
    Yaml(#[source] serde_saphyr::ser::Error),
    #[error("cannot write TOML: {0}")]
    Toml(#[from] toml::ser::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The YAML text of one object, ending in a newline; the engine's form of [`encode`].
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    encode(value).map_err(|e| match e {
        EncodeError::Yaml(inner) => inner.to_string(),
        other => other.to_string(),
    })
}

/// The YAML text of one object, ending in a newline.
pub fn encode<T: Serialize>(value: &T) -> Result<String, EncodeError> {
    let mut options = SerializerOptions::default();
    options.indent_step = 2;
    // Long single-line strings stay on one line: folding them would change the bytes of a
    // value (an annotation, a URL) that someone will grep for.
    options.folded_wrap_chars = usize::MAX;
    options.prefer_block_scalars = true;
    options.yaml_12 = false;
    let mut text = serde_saphyr::to_string_with_options(value, options).map_err(EncodeError::Yaml)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::to_yaml;
    use serde_json::json;

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in ["on", "no", "y", "yes", "off", "0777", "1e3", "null", "12:30", "1_000", "true", "~", "0x1F", ".inf"] {
            let text = to_yaml(&json!({ "k": s })).unwrap();
            let back: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
            assert_eq!(back["k"], json!(s), "{s} round-trips");
            assert_ne!(text.trim(), format!("k: {s}"), "{s} must be quoted, got {text}");
        }
    }

    #[test]
    fn multi_line_strings_are_block_literals() {
        let config = "a: 1\nb:\n  - c\n";
        let text = to_yaml(&json!({ "data": { "config.yaml": config } })).unwrap();
        assert!(text.contains("config.yaml: |"), "{text}");
        let back: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(back["data"]["config.yaml"], json!(config));
    }

    #[test]
    fn keys_are_sorted() {
        let text = to_yaml(&json!({ "spec": 1, "apiVersion": "v1", "kind": "X", "metadata": {} })).unwrap();
        let keys: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
    }
}
