//! Durations, Kubernetes quantities and sizes, parsed once into exact integers. One table per
//! kind of unit drives the parser, the JSON Schema pattern and the suggestion for a near miss,
//! so the three cannot disagree.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::values::ValueError;

/// Declares a unit enum from one table: each unit's symbol, its size in the base unit, and
/// the words people write for it.
macro_rules! unit_table {
    ($(#[$doc:meta])* $name:ident($base:ty) { $($variant:ident => $symbol:literal, $size:expr, [$($alias:literal),*];)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every unit, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The unit as written after the number.
            pub const fn symbol(self) -> &'static str {
                match self {
                    $($name::$variant => $symbol,)+
                }
            }

            /// The unit's size in the base unit.
            pub const fn size(self) -> $base {
                match self {
                    $($name::$variant => $size,)+
                }
            }

            /// Other spellings (lower case) that most likely mean this unit.
            fn aliases(self) -> &'static [&'static str] {
                match self {
                    $($name::$variant => &[$($alias),*],)+
                }
            }
        }
    };
}

unit_table!(
    /// The units of a duration, largest first, as Prometheus and Go write them (Go has no
    /// `d`, `w` or `y`: see [`Duration::to_go`]). The base unit is the millisecond.
    DurationUnit(u64) {
        Year => "y", 365 * 86_400_000, ["yr", "yrs", "year", "years"];
        Week => "w", 7 * 86_400_000, ["wk", "wks", "week", "weeks"];
        Day => "d", 86_400_000, ["day", "days"];
        Hour => "h", 3_600_000, ["hr", "hrs", "hour", "hours"];
        Minute => "m", 60_000, ["min", "mins", "minute", "minutes"];
        Second => "s", 1_000, ["sec", "secs", "second", "seconds"];
        Milli => "ms", 1, ["msec", "msecs", "millisecond", "milliseconds"];
    }
);

unit_table!(
    /// The suffixes of a Kubernetes quantity. The base unit is the nano (10^-9), so every
    /// value Kubernetes keeps is an exact integer.
    QuantityUnit(u128) {
        Ki => "Ki", (1 << 10) * NANO, ["k", "kb", "kib", "ki"];
        Mi => "Mi", (1 << 20) * NANO, ["m", "mb", "mib", "mi"];
        Gi => "Gi", (1 << 30) * NANO, ["g", "gb", "gib", "gi"];
        Ti => "Ti", (1 << 40) * NANO, ["t", "tb", "tib", "ti"];
        Pi => "Pi", (1 << 50) * NANO, ["p", "pb", "pib", "pi"];
        Ei => "Ei", (1 << 60) * NANO, ["e", "eb", "eib", "ei"];
        Milli => "m", NANO / 1_000, [];
        One => "", NANO, [];
        K => "k", 1_000 * NANO, [];
        M => "M", 1_000_000 * NANO, [];
        G => "G", 1_000_000_000 * NANO, [];
        T => "T", 1_000_000_000_000 * NANO, [];
        P => "P", 1_000_000_000_000_000 * NANO, [];
        E => "E", 1_000_000_000_000_000_000 * NANO, [];
    }
);

/// Nanos per unit.
const NANO: u128 = 1_000_000_000;

/// How a value was written, so it is rendered exactly so: a tier default as one number and
/// unit, a user's value as its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Written<U> {
    One(u64, U),
    Text(Box<str>),
}

/// A duration as Prometheus writes it (`24h`, `7d`, `1h30m`, `500ms`), held in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
    written: Written<DurationUnit>,
}

impl Duration {
    /// `n` of `unit`, for tier defaults.
    pub const fn of(n: u64, unit: DurationUnit) -> Self {
        Duration { millis: n * unit.size(), written: Written::One(n, unit) }
    }

    /// Validates `text`; the error explains why and suggests a fix where one exists.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let written = Written::Text(text.into());
        if text == "0" {
            return Ok(Duration { millis: 0, written });
        }
        match duration_millis(text) {
            Some(millis) => Ok(Duration { millis, written }),
            None => Err(ValueError::new(
                format!(
                    "invalid duration `{text}`: write <number><unit> with units {}, largest first (24h, 7d, 1h30m)",
                    symbols(DurationUnit::ALL.iter().map(|u| u.symbol()))
                ),
                suggest_duration(text),
            )),
        }
    }

    pub fn millis(&self) -> u64 {
        self.millis
    }

    /// Whole seconds (a `ms` part is rounded down).
    pub fn seconds(&self) -> u64 {
        self.millis / 1000
    }

    /// The duration as Go's `time.ParseDuration` reads it (no `d`, `w` or `y`): `30d` is `720h`.
    pub fn to_go(&self) -> String {
        let ms = self.millis;
        let (h, m, s, rest) = (ms / 3_600_000, ms % 3_600_000 / 60_000, ms % 60_000 / 1000, ms % 1000);
        let mut out = String::new();
        for (n, unit) in [(h, "h"), (m, "m"), (s, "s"), (rest, "ms")] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
        if out.is_empty() {
            out.push_str("0s");
        }
        out
    }
}

/// The milliseconds of `<digits><unit>`+ with units in strictly decreasing size, or `None`.
fn duration_millis(text: &str) -> Option<u64> {
    let mut rest = text;
    let mut last: Option<DurationUnit> = None;
    let mut total: u64 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = *DurationUnit::ALL.iter().find(|u| u.symbol() == &rest[..unit_len])?;
        if last.is_some_and(|l| l >= unit) {
            return None;
        }
        last = Some(unit);
        total = total.checked_add(number.checked_mul(unit.size())?)?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// `24hours`, `7 days`, `30min` become `24h`, `7d`, `30m`; a month, which Prometheus has no
/// unit for (`1M`, `2 months`), becomes 30 days each, never minutes.
fn suggest_duration(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (number, word) = split_number(&compact);
    let n: u64 = number.parse().ok()?;
    let lower = word.to_ascii_lowercase();
    if word == "M" || ["mo", "mon", "mons", "month", "months"].contains(&lower.as_str()) {
        return Some(format!("{}d", n.checked_mul(30)?));
    }
    let unit = DurationUnit::ALL.iter().find(|u| u.symbol() == lower || u.aliases().contains(&lower.as_str()))?;
    let candidate = format!("{n}{}", unit.symbol());
    (candidate != text).then_some(candidate)
}

/// A Kubernetes resource quantity such as `500m`, `1`, `5Gi` or `1e3`, held in nanos.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    nanos: u128,
    written: Written<QuantityUnit>,
}

impl Quantity {
    /// `n` of `unit`, for tier defaults.
    pub const fn of(n: u64, unit: QuantityUnit) -> Self {
        Quantity { nanos: n as u128 * unit.size(), written: Written::One(n, unit) }
    }

    /// Validates `text`; the error explains why and suggests a fix where one exists.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        match quantity_nanos(text) {
            Some(nanos) => Ok(Quantity { nanos, written: Written::Text(text.into()) }),
            None => Err(ValueError::new(
                format!(
                    "invalid quantity `{text}`: Kubernetes quantities are a number with a suffix Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)"
                ),
                suggest_quantity(text),
            )),
        }
    }

    /// The exact value in nanos.
    pub fn nanos(&self) -> u128 {
        self.nanos
    }

    /// The value in thousandths, rounded up as Kubernetes rounds CPU: millicores for a CPU.
    pub fn millis(&self) -> u128 {
        self.nanos.div_ceil(1_000_000)
    }

    /// The quantity as a whole number of bytes, or `None` where it is not one (`500m`, `0`).
    pub fn bytes(&self) -> Option<u64> {
        (self.nanos >= NANO && self.nanos.is_multiple_of(NANO)).then(|| u64::try_from(self.nanos / NANO).ok())?
    }

    /// The unit it was written with, if one of the table's (not an exponent).
    fn unit(&self) -> Option<QuantityUnit> {
        match &self.written {
            Written::One(_, unit) => Some(*unit),
            Written::Text(text) => {
                let (_, suffix) = split_number(text);
                QuantityUnit::ALL.iter().copied().find(|u| u.symbol() == suffix)
            }
        }
    }
}

/// The nanos of `<decimal>[<suffix>|e<exp>]`, or `None` where it is not one or is finer
/// than a nano or too large.
fn quantity_nanos(text: &str) -> Option<u128> {
    let (number, suffix) = split_number(text);
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !digits(frac) || (whole.is_empty() && frac.is_empty()) || frac.len() > 18 {
        return None;
    }
    let scale = 10u128.pow(u32::try_from(frac.len()).ok()?);
    let mantissa: u128 = format!("{whole}{frac}").parse().ok()?;
    let (factor, divisor) = match QuantityUnit::ALL.iter().find(|u| u.symbol() == suffix) {
        Some(unit) => (unit.size(), scale),
        None => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let (negative, magnitude) = match exponent.strip_prefix('-') {
                Some(m) => (true, m),
                None => (false, exponent.strip_prefix('+').unwrap_or(exponent)),
            };
            if magnitude.is_empty() || !digits(magnitude) {
                return None;
            }
            let power = 10u128.checked_pow(magnitude.parse().ok()?)?;
            if negative { (NANO, scale.checked_mul(power)?) } else { (NANO.checked_mul(power)?, scale) }
        }
    };
    let value = mantissa.checked_mul(factor)?;
    value.is_multiple_of(divisor).then(|| value / divisor)
}

/// `5GB`, `5gb`, `5 GiB` and `5G` all most likely mean `5Gi`.
fn suggest_quantity(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (number, suffix) = split_number(&compact);
    quantity_nanos(number)?;
    let lower = suffix.to_ascii_lowercase();
    let unit = QuantityUnit::ALL.iter().find(|u| u.aliases().contains(&lower.as_str()))?;
    let candidate = format!("{number}{}", unit.symbol());
    (candidate != text).then_some(candidate)
}

/// A storage size: a quantity with a unit, a whole and positive number of bytes (`50` alone
/// would be 50 bytes, never what is meant).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize {
    quantity: Quantity,
    bytes: u64,
}

impl ByteSize {
    /// `n` of `unit`, for tier defaults.
    pub const fn of(n: u64, unit: QuantityUnit) -> Self {
        let quantity = Quantity::of(n, unit);
        ByteSize { bytes: (quantity.nanos / NANO) as u64, quantity }
    }

    /// Validates `text`; the error explains why and suggests a fix where one exists.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let quantity = Quantity::parse(text)?;
        let units = || symbols(BYTE_UNITS.iter().map(|u| u.symbol()));
        if quantity.unit().is_none_or(|u| !BYTE_UNITS.contains(&u)) {
            let (number, suffix) = split_number(text);
            return Err(ValueError::new(
                format!("size `{text}` has no unit of bytes: write a number with {}", units()),
                suffix.is_empty().then(|| format!("{number}Gi")),
            ));
        }
        match quantity.bytes() {
            Some(bytes) => Ok(ByteSize { quantity, bytes }),
            None => Err(ValueError::new(format!("size `{text}` is not a whole, positive number of bytes"), None)),
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The size as written, as a Kubernetes quantity.
    pub fn quantity(&self) -> &Quantity {
        &self.quantity
    }
}

/// The suffixes a size may have: bytes times a power of 1024 or 1000.
const BYTE_UNITS: [QuantityUnit; 12] = [
    QuantityUnit::Ki,
    QuantityUnit::Mi,
    QuantityUnit::Gi,
    QuantityUnit::Ti,
    QuantityUnit::Pi,
    QuantityUnit::Ei,
    QuantityUnit::K,
    QuantityUnit::M,
    QuantityUnit::G,
    QuantityUnit::T,
    QuantityUnit::P,
    QuantityUnit::E,
];

/// Splits `text` into its leading decimal number and the rest.
fn split_number(text: &str) -> (&str, &str) {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    text.split_at(end)
}

/// `a, b, c` of the non-empty symbols.
fn symbols<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
}

/// `(a|b|c)` of the non-empty symbols, longest first so that `ms` is tried before `m`.
fn alternation<'a>(all: impl Iterator<Item = &'a str>) -> String {
    let mut symbols: Vec<&str> = all.filter(|s| !s.is_empty()).collect();
    symbols.sort_by_key(|s| std::cmp::Reverse(s.len()));
    format!("({})", symbols.join("|"))
}

/// `0`, or one or more `<digits><unit>` with units in table order, at least one present.
fn duration_pattern() -> String {
    let units = DurationUnit::ALL;
    let alternatives: Vec<String> = (0..units.len())
        .map(|first| {
            let rest: String = units[first + 1..].iter().map(|u| format!("([0-9]+{})?", u.symbol())).collect();
            format!("[0-9]+{}{rest}", units[first].symbol())
        })
        .collect();
    format!("^(0|{})$", alternatives.join("|"))
}

const DECIMAL: &str = "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)";

fn quantity_pattern() -> String {
    format!(
        "^{DECIMAL}({}|[eE][+-]?[0-9]+)?$",
        alternation(QuantityUnit::ALL.iter().map(|u| u.symbol())).trim_matches(['(', ')'])
    )
}

fn byte_size_pattern() -> String {
    format!("^{DECIMAL}{}$", alternation(BYTE_UNITS.iter().map(|u| u.symbol())))
}

fn string_schema(description: String, pattern: String) -> Schema {
    schemars::json_schema!({ "type": "string", "description": description, "pattern": pattern })
}

/// `Display`, `Serialize` as that text, `Deserialize` through `parse`, and a string schema.
macro_rules! text_value {
    ($name:ident, $schema:expr) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).map_err(D::Error::custom)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
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

text_value!(
    Duration,
    string_schema(
        format!(
            "A duration: 0, or one or more <number><unit> with units {}, largest first (24h, 7d, 1h30m).",
            symbols(DurationUnit::ALL.iter().map(|u| u.symbol()))
        ),
        duration_pattern()
    )
);
text_value!(
    Quantity,
    string_schema(
        "A Kubernetes quantity: a number with an optional suffix Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), m, k, M, G, T, P, E (powers of 1000) or an exponent e<n>.".into(),
        quantity_pattern()
    )
);
text_value!(
    ByteSize,
    string_schema(
        format!(
            "A size in bytes: a number with a unit {} (powers of 1024) or k, M, G, T, P, E (powers of 1000).",
            symbols(BYTE_UNITS[..6].iter().map(|u| u.symbol()))
        ),
        byte_size_pattern()
    )
);

impl<U: Copy> Written<U> {
    fn fmt_with(&self, f: &mut fmt::Formatter<'_>, symbol: impl Fn(U) -> &'static str) -> fmt::Result {
        match self {
            Written::One(n, unit) => write!(f, "{n}{}", symbol(*unit)),
            Written::Text(text) => f.write_str(text),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.written.fmt_with(f, DurationUnit::symbol)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.written.fmt_with(f, QuantityUnit::symbol)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.quantity.fmt(f)
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
        for bad in ["Gi", "5 Gi", "-1Gi", "", ".", "1e", "1.2.3"] {
            assert!(Quantity::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn quantities_are_exact_integers() {
        let bytes = |text: &str| Quantity::parse(text).unwrap().bytes();
        assert_eq!(bytes("5Gi"), Some(5 * 1024 * 1024 * 1024));
        assert_eq!(bytes("1.5Ki"), Some(1536));
        assert_eq!(bytes("20G"), Some(20_000_000_000));
        assert_eq!(bytes("1e3"), Some(1000));
        assert_eq!(bytes("4096"), Some(4096));
        assert_eq!(bytes("8Ei"), Some(8 << 60), "beyond f64's exact integers");
        assert_eq!(bytes("500m"), None, "a fraction of a byte");
        assert_eq!(bytes("0"), None);
        assert_eq!(Quantity::parse("250m").unwrap().millis(), 250);
        assert_eq!(Quantity::parse("2").unwrap().millis(), 2000);
        assert_eq!(Quantity::parse("0.1").unwrap().millis(), 100);
        assert_eq!(Quantity::parse("2E-2").unwrap().millis(), 20);
        assert_eq!(Quantity::of(100, QuantityUnit::Milli).nanos(), 100_000_000);
        assert_eq!(Quantity::of(1, QuantityUnit::Gi).to_string(), "1Gi");
        assert_eq!(Quantity::parse("1.50Gi").unwrap().to_string(), "1.50Gi", "written as the user wrote it");
    }

    #[test]
    fn sizes_need_a_unit_of_bytes() {
        assert_eq!(ByteSize::parse("50Gi").unwrap().bytes(), 50 << 30);
        assert_eq!(ByteSize::of(5, QuantityUnit::Gi).bytes(), 5 << 30);
        let bare = ByteSize::parse("50").unwrap_err();
        assert_eq!(bare.suggestion.as_deref(), Some("50Gi"));
        assert!(bare.message.contains("no unit"), "{}", bare.message);
        for bad in ["500m", "1e9", "0Gi", "5GB"] {
            assert!(ByteSize::parse(bad).is_err(), "{bad} is not a size");
        }
        assert_eq!(ByteSize::parse("5GB").unwrap_err().suggestion.as_deref(), Some("5Gi"));
    }

    #[test]
    fn durations() {
        for ok in ["24h", "7d", "1h30m", "500ms", "1y2w", "0", "1m30s"] {
            assert!(Duration::parse(ok).is_ok(), "{ok} should parse");
        }
        assert_eq!(Duration::parse("24hours").unwrap_err().suggestion.as_deref(), Some("24h"));
        assert_eq!(Duration::parse("7 days").unwrap_err().suggestion.as_deref(), Some("7d"));
        assert_eq!(Duration::parse("1M").unwrap_err().suggestion.as_deref(), Some("30d"), "a month, not a minute");
        assert_eq!(Duration::parse("2 months").unwrap_err().suggestion.as_deref(), Some("60d"));
        assert_eq!(Duration::parse("30MIN").unwrap_err().suggestion.as_deref(), Some("30m"));
        for bad in ["30m1h", "1h1h", "h", "", "1.5h", "-1h"] {
            assert!(Duration::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn durations_are_milliseconds() {
        assert_eq!(Duration::parse("30d").unwrap().to_go(), "720h");
        assert_eq!(Duration::parse("1h30m").unwrap().to_go(), "1h30m");
        assert_eq!(Duration::parse("90s").unwrap().to_go(), "1m30s");
        assert_eq!(Duration::parse("500ms").unwrap().to_go(), "500ms");
        assert_eq!(Duration::parse("0").unwrap().to_go(), "0s");
        assert_eq!(Duration::parse("7d").unwrap().seconds(), 604_800);
        assert_eq!(Duration::of(7, DurationUnit::Day).millis(), 604_800_000);
        assert_eq!(Duration::of(24, DurationUnit::Hour).to_string(), "24h");
    }

    /// The schema patterns accept exactly what the parsers accept.
    #[test]
    fn patterns_agree_with_parsers() {
        let matches = |pattern: &str, text: &str| regex_lite_match(pattern, text);
        let durations = ["0", "", "24h", "7d", "1h30m", "500ms", "30m1h", "h", "1M", "1y2w3d4h5m6s7ms", "5m5ms"];
        for text in durations {
            assert_eq!(matches(&duration_pattern(), text), Duration::parse(text).is_ok(), "duration `{text}`");
        }
        let quantities = ["5Gi", "500m", "1", "1.5", ".5", "1e3", "2E-2", "", "Gi", "5GB", "1.2.3", "."];
        for text in quantities {
            assert_eq!(matches(&quantity_pattern(), text), Quantity::parse(text).is_ok(), "quantity `{text}`");
        }
        for text in ["50Gi", "50", "1.5Gi", "500m", "1e9", "10G", "5GB"] {
            assert_eq!(matches(&byte_size_pattern(), text), ByteSize::parse(text).is_ok(), "size `{text}`");
        }
    }

    /// Matches with the regex engine the schema validators of the conformance check use
    /// semantics of: anchored, no look-around in these patterns.
    fn regex_lite_match(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(text)
    }
}
