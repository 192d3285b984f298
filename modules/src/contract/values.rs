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
    fn new(message: impl Into<String>, suggestion: Option<String>) -> Self {
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// A Kubernetes resource quantity such as `5Gi`, `500m` or `1e3`.
    Quantity,
    check_quantity,
    json_schema!({
        "type": "string",
        "description": "A Kubernetes quantity: a number with an optional suffix Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), m, k, M, G, T, P, E (powers of 1000) or an exponent e<n>.",
        "pattern": "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
    })
);

validated_string!(
    /// A duration as Prometheus writes it: `24h`, `7d`, `1h30m`, `500ms`.
    Duration,
    check_duration,
    json_schema!({
        "type": "string",
        "description": "A duration: one or more <number><unit> with units y, w, d, h, m, s, ms, largest first (24h, 7d, 1h30m).",
        "pattern": "^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$"
    })
);

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

const QUANTITY_SUFFIXES: [&str; 14] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "", "k", "M", "G", "T", "P", "E"];

/// Splits `text` into its leading decimal number and the rest.
fn split_number(text: &str) -> (&str, &str) {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    text.split_at(end)
}

fn is_decimal(number: &str) -> bool {
    let mut parts = number.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    digits(whole) && frac.is_none_or(digits) && (!whole.is_empty() || frac.is_some_and(|f| !f.is_empty()))
}

fn check_quantity(text: &str) -> Result<(), ValueError> {
    let (number, suffix) = split_number(text);
    let exponent_ok = |s: &str| {
        let rest = s.strip_prefix(['e', 'E']).map(|r| r.strip_prefix(['+', '-']).unwrap_or(r));
        rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
    };
    if !number.is_empty() && is_decimal(number) && (QUANTITY_SUFFIXES.contains(&suffix) || exponent_ok(suffix)) {
        return Ok(());
    }
    Err(ValueError::new(
        format!(
            "invalid quantity `{text}`: Kubernetes quantities are a number with a suffix Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)"
        ),
        suggest_quantity(text),
    ))
}

/// `5GB`, `5gb`, `5 GiB` and `5G` all most likely mean `5Gi`.
fn suggest_quantity(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (number, suffix) = split_number(&compact);
    if number.is_empty() || !is_decimal(number) {
        return None;
    }
    let lower = suffix.to_ascii_lowercase();
    let unit = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .or_else(|| lower.strip_suffix('i'))
        .unwrap_or(&lower);
    let binary = match unit {
        "k" => "Ki",
        "m" => "Mi",
        "g" => "Gi",
        "t" => "Ti",
        "p" => "Pi",
        "e" => "Ei",
        _ => return None,
    };
    let candidate = format!("{number}{binary}");
    (candidate != text).then_some(candidate)
}

const DURATION_UNITS: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];

/// Splits a duration into (number, unit) parts, or `None` where it is not `<digits><unit>`*.
fn duration_parts(text: &str) -> Option<Vec<(u64, &str)>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        if !DURATION_UNITS.contains(&unit) {
            return None;
        }
        parts.push((number, unit));
        rest = &rest[unit_len..];
    }
    Some(parts)
}

fn check_duration(text: &str) -> Result<(), ValueError> {
    if text == "0" {
        return Ok(());
    }
    let ordered = |parts: &[(u64, &str)]| {
        let rank = |u: &str| DURATION_UNITS.iter().position(|x| *x == u).unwrap_or(usize::MAX);
        parts.windows(2).all(|w| rank(w[0].1) < rank(w[1].1))
    };
    match duration_parts(text) {
        Some(parts) if !parts.is_empty() && ordered(&parts) => Ok(()),
        _ => Err(ValueError::new(
            format!(
                "invalid duration `{text}`: write <number><unit> with units y, w, d, h, m, s, ms, largest first (24h, 7d, 1h30m)"
            ),
            suggest_duration(text),
        )),
    }
}

/// `24hours`, `7 days`, `30min` become `24h`, `7d`, `30m`.
fn suggest_duration(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    let (number, word) = split_number(&compact);
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let unit = match word {
        "y" | "yr" | "yrs" | "year" | "years" => "y",
        "w" | "wk" | "wks" | "week" | "weeks" => "w",
        "d" | "day" | "days" => "d",
        "h" | "hr" | "hrs" | "hour" | "hours" => "h",
        "m" | "min" | "mins" | "minute" | "minutes" => "m",
        "s" | "sec" | "secs" | "second" | "seconds" => "s",
        "ms" | "msec" | "millisecond" | "milliseconds" => "ms",
        _ => return None,
    };
    Some(format!("{number}{unit}"))
}

impl Quantity {
    /// The quantity in bytes, or `None` where it is not a whole, representable number of
    /// bytes (`500m`, say): for memory limits and alert thresholds derived from a volume size.
    pub fn bytes(&self) -> Option<u64> {
        let text = self.as_str();
        let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let number: f64 = number.parse().ok()?;
        let factor = match suffix {
            "" => 1.0,
            "Ki" => 1024f64,
            "Mi" => 1024f64.powi(2),
            "Gi" => 1024f64.powi(3),
            "Ti" => 1024f64.powi(4),
            "Pi" => 1024f64.powi(5),
            "Ei" => 1024f64.powi(6),
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "P" => 1e15,
            "E" => 1e18,
            exponent => 10f64.powi(exponent.strip_prefix(['e', 'E'])?.parse().ok()?),
        };
        let value = number * factor;
        (value.is_finite() && value >= 1.0 && value.fract() == 0.0 && value <= u64::MAX as f64).then_some(value as u64)
    }
}

impl Duration {
    /// The duration in whole seconds (`ms` parts are rounded down).
    pub fn seconds(&self) -> u64 {
        let per_unit = |u: &str| match u {
            "y" => 365 * 86_400,
            "w" => 7 * 86_400,
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            _ => 0,
        };
        let parts = duration_parts(&self.0).unwrap_or_default();
        let ms: u64 = parts.iter().filter(|(_, u)| *u == "ms").map(|(n, _)| *n).sum();
        parts.iter().map(|(n, u)| n.saturating_mul(per_unit(u))).fold(ms / 1000, u64::saturating_add)
    }

    /// The duration as Go's `time.ParseDuration` reads it (no `d`, `w` or `y`): `30d` is `720h`.
    pub fn to_go(&self) -> String {
        let total = self.seconds();
        let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
        let mut out = String::new();
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if m > 0 {
            out.push_str(&format!("{m}m"));
        }
        if s > 0 || out.is_empty() {
            out.push_str(&format!("{s}s"));
        }
        out
    }
}

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
    fn quantities() {
        for ok in ["5Gi", "500m", "1", "1.5", ".5", "1e3", "2E-2", "100M", "0"] {
            assert!(Quantity::parse(ok).is_ok(), "{ok} should parse");
        }
        let err = Quantity::parse("5GB").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("5Gi"));
        assert_eq!(Quantity::parse("512 mb").unwrap_err().suggestion.as_deref(), Some("512Mi"));
        assert!(Quantity::parse("Gi").is_err());
        assert!(Quantity::parse("5 Gi").is_err());
        assert!(Quantity::parse("-1Gi").is_err());
    }

    #[test]
    fn quantities_in_bytes() {
        let of = |text: &str| Quantity::parse(text).unwrap().bytes();
        assert_eq!(of("5Gi"), Some(5 * 1024 * 1024 * 1024));
        assert_eq!(of("1.5Ki"), Some(1536));
        assert_eq!(of("20G"), Some(20_000_000_000));
        assert_eq!(of("1e3"), Some(1000));
        assert_eq!(of("4096"), Some(4096));
        assert_eq!(of("500m"), None, "a fraction of a byte");
        assert_eq!(of("0"), None);
    }

    #[test]
    fn durations() {
        for ok in ["24h", "7d", "1h30m", "500ms", "1y2w", "0"] {
            assert!(Duration::parse(ok).is_ok(), "{ok} should parse");
        }
        assert_eq!(Duration::parse("24hours").unwrap_err().suggestion.as_deref(), Some("24h"));
        assert_eq!(Duration::parse("7 days").unwrap_err().suggestion.as_deref(), Some("7d"));
        assert!(Duration::parse("30m1h").is_err(), "units must be largest first");
        assert!(Duration::parse("h").is_err());
        assert!(Duration::parse("").is_err());
    }

    #[test]
    fn durations_convert_for_go() {
        assert_eq!(Duration::parse("30d").unwrap().to_go(), "720h");
        assert_eq!(Duration::parse("1h30m").unwrap().to_go(), "1h30m");
        assert_eq!(Duration::parse("90s").unwrap().to_go(), "1m30s");
        assert_eq!(Duration::parse("7d").unwrap().seconds(), 604_800);
    }

    #[test]
    fn dns_labels() {
        assert!(DnsLabel::parse("observability").is_ok());
        assert!(DnsLabel::parse("a-1").is_ok());
        assert_eq!(DnsLabel::parse("My_Namespace").unwrap_err().suggestion.as_deref(), Some("my-namespace"));
        assert!(DnsLabel::parse("-x").is_err());
        assert!(DnsLabel::parse(&"a".repeat(64)).is_err());
    }
}
