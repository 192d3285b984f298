//! Whether PromQL parses, decided once per distinct expression in the process.
//!
//! Every environment renders the same alert rules and lints the same dashboards, and the
//! parser compiles a regex for each `=~` matcher: parsing again per environment was most of a
//! render's time. The verdict depends on the text alone, so remembering it changes no result.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// `Ok` if `expr` parses, else the parser's message.
pub fn parses(expr: &str) -> Result<(), String> {
    static VERDICTS: OnceLock<Mutex<HashMap<String, Result<(), String>>>> = OnceLock::new();
    let verdicts = VERDICTS.get_or_init(Default::default);
    if let Some(known) = verdicts.lock().unwrap_or_else(|e| e.into_inner()).get(expr) {
        return known.clone();
    }
    // Parsed outside the lock, so environments rendered in parallel do not wait on each other.
    let verdict = promql_parser::parser::parse(expr).map(|_| ());
    verdicts.lock().unwrap_or_else(|e| e.into_inner()).insert(expr.to_owned(), verdict.clone());
    verdict
}

#[cfg(test)]
mod tests {
    use super::parses;

    #[test]
    fn the_second_verdict_is_the_first() {
        for expr in ["up{job=~\"a|b\"}", "sum(rate(x[5m])", "up{job=~\"a|b\"}", "sum(rate(x[5m])"] {
            assert_eq!(parses(expr), promql_parser::parser::parse(expr).map(|_| ()), "{expr}");
        }
        assert!(parses("sum(rate(x[5m])").is_err());
    }
}
