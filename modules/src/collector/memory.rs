//! Container memory limits in MiB, so the memory limiter can be sized from the same number
//! the kubelet enforces.

use crate::contract::Quantity;

/// `quantity` in whole MiB (rounded down), or `None` for a value that is not a plain amount
/// of bytes (`500m` is half a byte).
pub(crate) fn mebibytes(quantity: &str) -> Option<u64> {
    Quantity::parse(quantity).ok()?.bytes().map(|bytes| bytes / (1024 * 1024))
}

#[cfg(test)]
mod tests {
    use super::mebibytes;

    #[test]
    fn reads_binary_decimal_and_plain_quantities() {
        assert_eq!(mebibytes("512Mi"), Some(512));
        assert_eq!(mebibytes("1Gi"), Some(1024));
        assert_eq!(mebibytes("1.5Gi"), Some(1536));
        assert_eq!(mebibytes("1G"), Some(953));
        assert_eq!(mebibytes("1048576"), Some(1));
        assert_eq!(mebibytes("2e9"), Some(1907));
        assert_eq!(mebibytes("500m"), None);
    }
}
