//! Deterministic YAML, for rendered objects and for config files modules embed in them: sorted keys (serde_json's map is ordered), multi-line strings as
//! block literals, and every string a YAML 1.1 reader could mistake for something else
//! (`on`, `no`, `y`, `0777`, `1e3`, `null`, `12:30`) quoted.
//!
//! The bytes are serde-saphyr 2.1.1's with the options below. Our own writer (`yaml/`)
//! produces them in one pass per string and one buffer per document; serde-saphyr writes the
//! shapes it leaves out (enum variants with data, byte strings, over-long keys) and stays the
//! oracle the writer is tested against.

mod implicit;
mod key;
mod number;
mod scalar;
mod writer;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    /// Only while [`oracle::enable`] is on: the writer's bytes are not serde-saphyr's.
    #[error(
        "the YAML writer differs from serde-saphyr at line {line}:\n  writer:      {ours:?}\n  serde-saphyr: {theirs:?}"
    )]
    Mismatch { line: usize, ours: String, theirs: String },
}

/// The YAML text of one object, ending in a newline; the engine's form of [`encode`].
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    to_yaml_after("", value)
}

/// `prefix` (a file's header) followed by the YAML text of `value`, in one buffer: the text
/// is not copied again to put it under its header.
pub fn to_yaml_after<T: Serialize>(prefix: &str, value: &T) -> Result<String, String> {
    encode_after(prefix, value).map_err(|e| match e {
        EncodeError::Yaml(inner) => inner.to_string(),
        other => other.to_string(),
    })
}

/// The YAML text of one object, ending in a newline.
pub fn encode<T: Serialize>(value: &T) -> Result<String, EncodeError> {
    encode_after("", value)
}

/// About the median size of a rendered file: the buffer starts there instead of growing
/// through every smaller size.
const TYPICAL_DOCUMENT: usize = 1024;

fn encode_after<T: Serialize>(prefix: &str, value: &T) -> Result<String, EncodeError> {
    let mut text = String::with_capacity(prefix.len() + TYPICAL_DOCUMENT);
    text.push_str(prefix);
    if writer::write(value, &mut text).is_err() {
        oracle::FELL_BACK.fetch_add(1, Ordering::Relaxed);
        text.truncate(prefix.len());
        text.push_str(&saphyr(value)?);
        return Ok(text);
    }
    if oracle::ENABLED.load(Ordering::Relaxed) {
        oracle::compare(&text[prefix.len()..], &saphyr(value)?)?;
    }
    Ok(text)
}

/// serde-saphyr's YAML for `value`, with the options that decide oxidy's output.
fn saphyr<T: Serialize>(value: &T) -> Result<String, EncodeError> {
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

/// Holds the writer to serde-saphyr's bytes, for the tests that prove them equal.
#[doc(hidden)]
pub mod oracle {
    use super::*;

    pub(super) static ENABLED: AtomicBool = AtomicBool::new(false);
    static COMPARED: AtomicUsize = AtomicUsize::new(0);
    pub(super) static FELL_BACK: AtomicUsize = AtomicUsize::new(0);

    /// From now on, every [`encode`] in the process also asks serde-saphyr and fails with
    /// [`EncodeError::Mismatch`] where the two differ.
    pub fn enable() {
        ENABLED.store(true, Ordering::Relaxed);
    }

    /// How many documents were compared, and how many the writer left to serde-saphyr.
    pub fn counts() -> (usize, usize) {
        (COMPARED.load(Ordering::Relaxed), FELL_BACK.load(Ordering::Relaxed))
    }

    /// serde-saphyr's text for `value`, as [`encode`] wrote it before the writer existed.
    pub fn saphyr<T: Serialize>(value: &T) -> Result<String, EncodeError> {
        super::saphyr(value)
    }

    pub(super) fn compare(ours: &str, theirs: &str) -> Result<(), EncodeError> {
        COMPARED.fetch_add(1, Ordering::Relaxed);
        if ours == theirs {
            return Ok(());
        }
        let mut lines = ours.split_inclusive('\n').zip(theirs.split_inclusive('\n'));
        let at = lines.position(|(a, b)| a != b);
        let line = at.unwrap_or_else(|| ours.lines().count().min(theirs.lines().count()));
        let pick = |text: &str| text.split_inclusive('\n').nth(line).unwrap_or("").to_string();
        Err(EncodeError::Mismatch { line: line + 1, ours: pick(ours), theirs: pick(theirs) })
    }
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
    fn the_oracle_names_the_first_differing_line() {
        let err = super::oracle::compare("a: 1\nb: 2\n", "a: 1\nb: \"2\"\n").unwrap_err();
        assert!(
            matches!(&err, super::EncodeError::Mismatch { line: 2, ours, theirs } if ours == "b: 2\n" && theirs == "b: \"2\"\n"),
            "{err}"
        );
        assert!(super::oracle::compare("a: 1\n", "a: 1\n").is_ok());
    }

    #[test]
    fn keys_are_sorted() {
        let text = to_yaml(&json!({ "spec": 1, "apiVersion": "v1", "kind": "X", "metadata": {} })).unwrap();
        let keys: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
    }
}
