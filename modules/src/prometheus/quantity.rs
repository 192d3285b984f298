//! Byte counts of Kubernetes quantities, for limits and alert thresholds derived from a
//! volume size.

use crate::contract::Quantity;

/// The quantity in bytes, or `None` where it is not a whole, representable number of bytes
/// (`500m`, say).
pub(crate) fn bytes(quantity: &Quantity) -> Option<u64> {
    let text = quantity.as_str();
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

#[cfg(test)]
mod tests {
    use super::bytes;
    use crate::contract::Quantity;

    fn of(text: &str) -> Option<u64> {
        bytes(&Quantity::parse(text).unwrap())
    }

    #[test]
    fn binary_decimal_and_exponent_suffixes() {
        assert_eq!(of("5Gi"), Some(5 * 1024 * 1024 * 1024));
        assert_eq!(of("100Gi"), Some(107_374_182_400));
        assert_eq!(of("1.5Ki"), Some(1536));
        assert_eq!(of("20G"), Some(20_000_000_000));
        assert_eq!(of("1e3"), Some(1000));
        assert_eq!(of("4096"), Some(4096));
    }

    #[test]
    fn fractions_of_a_byte_are_refused() {
        assert_eq!(of("500m"), None);
        assert_eq!(of("0.5"), None);
        assert_eq!(of("0"), None);
    }
}
