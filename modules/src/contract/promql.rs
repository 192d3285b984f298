//! Whether PromQL parses, decided once per distinct expression in the process.
//!
//! Every environment renders the same alert rules and lints the same dashboards, and the
//! parser compiles a regex for each `=~` matcher: parsing again per environment was most of a
//! render's time. The verdict depends on the text alone, so remembering it changes no result.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// A verdict: `Ok` if the expression parses, else the parser's message.
pub type Verdict = Result<(), String>;

fn verdicts() -> MutexGuard<'static, HashMap<String, Verdict>> {
    static VERDICTS: OnceLock<Mutex<HashMap<String, Verdict>>> = OnceLock::new();
    VERDICTS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// `Ok` if `expr` parses, else the parser's message.
pub fn parses(expr: &str) -> Verdict {
    if let Some(known) = verdicts().get(expr) {
        return known.clone();
    }
    // Parsed outside the lock, so environments rendered in parallel do not wait on each other.
    let verdict = promql_parser::parser::parse(expr).map(|_| ());
    verdicts().insert(expr.to_owned(), verdict.clone());
    verdict
}

/// Every verdict reached (or learnt) in this process, sorted by expression: for the engine to
/// keep for later runs of the same program.
pub fn known() -> Vec<(String, Verdict)> {
    let mut all: Vec<(String, Verdict)> = verdicts().iter().map(|(e, v)| (e.clone(), v.clone())).collect();
    all.sort();
    all
}

/// Verdicts an earlier run of this same program reached (the engine keeps them): taken as
/// this parser's own, since the verdict depends on the text and the parser alone.
pub fn learn(earlier: impl IntoIterator<Item = (String, Verdict)>) {
    let mut verdicts = verdicts();
    for (expr, verdict) in earlier {
        verdicts.entry(expr).or_insert(verdict);
    }
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

    #[test]
    fn learnt_verdicts_are_known_and_never_replace_a_reached_one() {
        assert_eq!(parses("up == 1"), Ok(()));
        super::learn([("learnt{".to_owned(), Ok(())), ("up == 1".to_owned(), Err("no".to_owned()))]);
        assert_eq!(parses("learnt{"), Ok(()), "a learnt verdict is used as it is");
        assert_eq!(parses("up == 1"), Ok(()), "the verdict reached here stays");
        assert!(super::known().iter().any(|(e, v)| e == "learnt{" && v.is_ok()));
    }
}
