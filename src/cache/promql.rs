//! PromQL verdicts kept from one run of oxidy to the next: an expression parsed by an earlier
//! run of the same program is not parsed again (the parser compiles a regex per `=~` matcher,
//! the largest cost of a render after Jsonnet).

use oxidy_modules::contract::promql::{self, Verdict};

/// The name the verdicts are kept under.
const NAME: &str = "promql-verdicts";

/// At most this many verdicts are kept; past it, no more are added.
const MOST: usize = 50_000;

/// Hands the kept verdicts to the parser's memory; returns how many there were.
pub fn recall() -> usize {
    let Some(file) = super::program_file(NAME) else { return 0 };
    let Some(bytes) = super::read_own(&file) else { return 0 };
    let Ok(earlier) = postcard::from_bytes::<Vec<(String, Verdict)>>(&bytes) else { return 0 };
    let count = earlier.len();
    promql::learn(earlier);
    count
}

/// Keeps the verdicts known now, when there are more than the `recalled` ones.
pub fn keep(recalled: usize) {
    let known = promql::known();
    if known.len() <= recalled {
        return;
    }
    let Some(file) = super::program_file(NAME) else { return };
    if known.len() <= MOST
        && let Ok(bytes) = postcard::to_stdvec(&known)
    {
        super::keep(&file, &bytes);
    }
}
