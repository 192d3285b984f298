//! Option values that are validated while the env file is read, so a bad value is reported at
//! its line and column with a suggestion, never discovered later by the cluster.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a value was refused; the message says what is wrong, the suggestion what was probably meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub message: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl ValueError {
    pub(crate) fn new(message: impl Into<String>, suggestion: Option<String>) -> Self {
        ValueError { message: message.into(), suggestion }
    }
}

/// A 1-based line and column in an env file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

/// A value together with where it was written, for checks that span several keys (two
/// components claiming one NodePort) and so happen after reading. `pos` is `None` for values
/// that come from a tier default rather than the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub pos: Option<Pos>,
}

impl<T> At<T> {
    pub fn default_value(value: T) -> Self {
        At { value, pos: None }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let loc = spanned.referenced;
        let pos = (loc.line() > 0).then(|| Pos { line: loc.line(), column: loc.column() });
        Ok(At { value: spanned.value, pos })
    }
}

impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for At<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// Declares a string newtype whose `Deserialize` runs a validating parser.
macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident, $parse:path, $schema:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Validates `text`; the error explains why and suggests a fix where one exists.
            pub fn parse(text: &str) -> Result<Self, ValueError> {
                $parse(text).map(|()| $name(text.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).map_err(D::Error::custom)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
}

validated_string!(
    /// A DNS-1123 label: lower-case letters, digits and `-`, at most 63 characters, starting
    /// and ending with a letter or digit. Namespaces and most object names must be one.
    DnsLabel,
    check_dns_label,
    json_schema!({
        "type": "string",
        "description": "A DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.",
        "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
    })
);

fn check_dns_label(text: &str) -> Result<(), ValueError> {
    let bytes = text.as_bytes();
    let valid_char = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
    let edges_ok = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !text.is_empty()
        && text.len() <= 63
        && bytes.iter().all(valid_char)
        && edges_ok(bytes.first())
        && edges_ok(bytes.last())
    {
        return Ok(());
    }
    let fixed: String = text
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' })
        .collect();
    let fixed: String = fixed.trim_matches('-').chars().take(63).collect::<String>().trim_end_matches('-').to_owned();
    let suggestion = (!fixed.is_empty() && fixed != text).then_some(fixed);
    Err(ValueError::new(
        format!(
            "invalid name `{text}`: a DNS-1123 label has only lower-case letters, digits and '-', starts and ends with a letter or digit, and is at most 63 characters"
        ),
        suggestion,
    ))
}

/// A Service NodePort, within the cluster's default range 30000–32767, with where it was set
/// so that two components claiming one port are both named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePort(At<u16>);

impl NodePort {
    pub const RANGE: std::ops::RangeInclusive<u16> = 30000..=32767;

    /// A tier default: not written in any file.
    pub fn default_port(port: u16) -> Self {
        NodePort(At::default_value(port))
    }
    pub fn port(&self) -> u16 {
        self.0.value
    }
    pub fn pos(&self) -> Option<Pos> {
        self.0.pos
    }
}

impl<'de> Deserialize<'de> for NodePort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let at = At::<u64>::deserialize(d)?;
        match u16::try_from(at.value) {
            Ok(port) if NodePort::RANGE.contains(&port) => Ok(NodePort(At { value: port, pos: at.pos })),
            _ => Err(D::Error::custom(ValueError::new(
                format!("NodePort {} is outside the NodePort range 30000-32767", at.value),
                None,
            ))),
        }
    }
}

impl Serialize for NodePort {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.port())
    }
}

impl JsonSchema for NodePort {
    fn schema_name() -> Cow<'static, str> {
        "NodePort".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "description": "A Service NodePort, 30000-32767, unique within the environment.",
            "minimum": 30000,
            "maximum": 32767
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(DnsLabel::parse("observability").is_ok());
        assert!(DnsLabel::parse("a-1").is_ok());
        assert_eq!(DnsLabel::parse("My_Namespace").unwrap_err().suggestion.as_deref(), Some("my-namespace"));
        assert!(DnsLabel::parse("-x").is_err());
        assert!(DnsLabel::parse(&"a".repeat(64)).is_err());
    }
}
