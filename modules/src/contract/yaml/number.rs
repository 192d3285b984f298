//! Numbers as YAML writes them: integers in decimal, floats shortest-round-trip with a dot
//! and a signed exponent so that no YAML 1.1 reader takes them for integers or strings.

use std::fmt::Write;

pub(super) fn push_integer(out: &mut String, v: impl std::fmt::Display) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{v}");
}

pub(super) fn push_f64(out: &mut String, v: f64) {
    if !push_non_finite(out, v.is_nan(), v.is_infinite(), v.is_sign_positive()) {
        push_finite(out, zmij::Buffer::new().format_finite(v));
    }
}

pub(super) fn push_f32(out: &mut String, v: f32) {
    if !push_non_finite(out, v.is_nan(), v.is_infinite(), v.is_sign_positive()) {
        push_finite(out, zmij::Buffer::new().format_finite(v));
    }
}

/// `.nan`, `.inf` or `-.inf`; whether it was one of them.
fn push_non_finite(out: &mut String, nan: bool, infinite: bool, positive: bool) -> bool {
    let text = match (nan, infinite, positive) {
        (true, _, _) => ".nan",
        (false, true, true) => ".inf",
        (false, true, false) => "-.inf",
        (false, false, _) => return false,
    };
    out.push_str(text);
    true
}

/// The shortest digits (`4e-6`, `1`, `0.5`) made a YAML 1.1 float: `4.0e-6`, `1.0`, `0.5`.
fn push_finite(out: &mut String, digits: &str) {
    match digits.find(['e', 'E']) {
        Some(at) => {
            let (mantissa, exponent) = digits.split_at(at);
            out.push_str(mantissa);
            if !mantissa.contains('.') {
                out.push_str(".0");
            }
            out.push_str(&exponent[..1]);
            if !exponent[1..].starts_with(['+', '-']) {
                out.push('+');
            }
            out.push_str(&exponent[1..]);
        }
        None => {
            out.push_str(digits);
            if !digits.contains('.') {
                out.push_str(".0");
            }
        }
    }
}
