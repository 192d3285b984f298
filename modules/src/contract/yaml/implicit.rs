//! Which strings a YAML reader would resolve to something other than a string (a number, a
//! bool, null, a timestamp), so that the writer must quote them. These are serde-saphyr
//! 2.1.1's rules, which the output bytes follow: YAML 1.1 readers (Go's yaml, PyYAML) see
//! `on`, `0777`, `1_000`, `12:30` and `2001-12-14` as typed values.

/// Whether plain `s` would not read back as the string `s`. `yaml_12` leaves out the YAML
/// 1.1-only spellings. Callers rule out leading and trailing whitespace first (it forces
/// quotes anyway), so no spelling here is trimmed.
pub(super) fn is_ambiguous(s: &str, yaml_12: bool) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true;
    };
    // Every ambiguous spelling starts with one of these bytes: most strings stop here.
    match first {
        b'0'..=b'9' | b'+' | b'-' | b'.' | b'_' => {
            is_numeric(s, yaml_12)
                || s.eq_ignore_ascii_case("+inf")
                || s.eq_ignore_ascii_case("-inf")
                || (!yaml_12 && is_timestamp(s))
        }
        b'~' => s.len() == 1,
        b'<' => !yaml_12 && s == "<<",
        b'=' => !yaml_12 && s == "=",
        b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'i' | b'I' | b'y' | b'Y' | b'o' | b'O' => {
            s.len() <= 5 && is_word(s, yaml_12)
        }
        _ => false,
    }
}

/// Null, bool and float words, in any letter case.
fn is_word(s: &str, yaml_12: bool) -> bool {
    const ANY: [&str; 5] = ["null", "true", "false", "nan", "inf"];
    const YAML_11: [&str; 6] = ["yes", "no", "y", "n", "on", "off"];
    ANY.iter().any(|w| s.eq_ignore_ascii_case(w)) || (!yaml_12 && YAML_11.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// Number syntax, without computing the value: a resolver tags an overflowing or
/// unconstructible number as a number all the same.
fn is_numeric(s: &str, yaml_12: bool) -> bool {
    let unsigned = strip_sign(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if !yaml_12 {
        if is_sexagesimal(s) {
            return true;
        }
        // YAML 1.1's radix forms take any run of digits and underscores.
        if let Some((radix, digits)) = radix_digits(unsigned)
            && is_digit_run(digits, radix, false)
        {
            return true;
        }
    }
    // YAML 1.1 readers drop underscores before resolving a number.
    let without_underscores;
    let s = if !yaml_12 && s.contains('_') {
        without_underscores = s.replace('_', "");
        without_underscores.as_str()
    } else {
        s
    };
    let unsigned = strip_sign(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        // Go's yaml accepts a sign after an unsigned lowercase `0b` or `0o`.
        let digits = if !yaml_12 && (s.starts_with("0b") || s.starts_with("0o")) { strip_sign(digits) } else { digits };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            if !is_digit_run(strip_sign(exponent), 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                false
            } else if !yaml_12 {
                // YAML 1.1 floats allow `[0-9.]*` after the first dot, even unconstructible ones.
                fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            } else if fraction.is_empty() {
                !whole.is_empty()
            } else {
                is_digit_run(fraction, 10, true)
            }
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

fn radix_digits(s: &str) -> Option<(u32, &str)> {
    let radix = match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => 2,
        [b'0', b'o' | b'O', ..] => 8,
        [b'0', b'x' | b'X', ..] => 16,
        _ => return None,
    };
    Some((radix, &s[2..]))
}

/// A non-empty run of `radix` digits; with `strict`, an underscore only between two digits.
fn is_digit_run(s: &str, radix: u32, strict: bool) -> bool {
    let bytes = s.as_bytes();
    let digit = |b: u8| char::from(b).is_digit(radix) && b.is_ascii();
    !bytes.is_empty()
        && bytes.iter().enumerate().all(|(i, &b)| {
            digit(b)
                || (b == b'_'
                    && (!strict || (i > 0 && digit(bytes[i - 1]) && bytes.get(i + 1).is_some_and(|&n| digit(n)))))
        })
}

/// YAML 1.1 base-60 numbers: `190:20:30`, `-1:30.5`.
fn is_sexagesimal(s: &str) -> bool {
    let unsigned = strip_sign(s);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let Some((head, tail)) = integer.split_once(':') else {
        return false;
    };
    let Some(&lead) = head.as_bytes().first() else {
        return false;
    };
    // An integer's first component has no leading zero; a float's may.
    if !lead.is_ascii_digit() || (fraction.is_none() && lead == b'0') {
        return false;
    }
    if !head.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return false;
    }
    let sixties = tail.split(':').all(|part| match part.as_bytes() {
        [units] => units.is_ascii_digit(),
        [tens, units] => (b'0'..=b'5').contains(tens) && units.is_ascii_digit(),
        _ => false,
    });
    sixties && fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// YAML 1.1 timestamps by shape alone (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`): a
/// reader tags them even when the date does not exist.
fn is_timestamp(s: &str) -> bool {
    let mut rest = Cursor(s);
    if !(rest.digits(4, 4) && rest.eat(b'-') && rest.digits(1, 2) && rest.eat(b'-') && rest.digits(1, 2)) {
        return false;
    }
    if rest.0.is_empty() {
        return true;
    }
    if !(rest.eat(b'T') || rest.eat(b't') || rest.blanks()) {
        return false;
    }
    if !(rest.digits(1, 2) && rest.eat(b':') && rest.digits(1, 2) && rest.eat(b':') && rest.digits(1, 2)) {
        return false;
    }
    // Go's time parser takes a comma for the fraction's dot too.
    if rest.eat(b'.') || rest.eat(b',') {
        rest.digits(0, usize::MAX);
    }
    rest.blanks();
    if rest.0.is_empty() || rest.0 == "Z" {
        return true;
    }
    if !((rest.eat(b'+') || rest.eat(b'-')) && rest.digits(1, 2)) {
        return false;
    }
    if rest.eat(b':') && !rest.digits(2, 2) {
        return false;
    }
    rest.0.is_empty()
}

/// What is left of a timestamp being matched.
struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    /// Consumes every leading digit; whether there were `min..=max` of them.
    fn digits(&mut self, min: usize, max: usize) -> bool {
        let n = self.0.bytes().take_while(u8::is_ascii_digit).count();
        self.0 = &self.0[n..];
        (min..=max).contains(&n)
    }

    fn eat(&mut self, byte: u8) -> bool {
        match self.0.as_bytes().first() {
            Some(&b) if b == byte => {
                self.0 = &self.0[1..];
                true
            }
            _ => false,
        }
    }

    /// Consumes spaces and tabs; whether there were any.
    fn blanks(&mut self) -> bool {
        let rest = self.0.trim_start_matches([' ', '\t']);
        let any = rest.len() < self.0.len();
        self.0 = rest;
        any
    }
}
