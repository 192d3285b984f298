//! Crash points for testing durability: the output module calls [`point`] before every write,
//! rename and removal. With `OXIDY_ABORT_AT=N` in the environment the process aborts at the
//! N-th point, as a kill would stop it, so a test can prove that every environment is left
//! entirely old or entirely new wherever a render dies. Without the variable it does nothing.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the point to abort at (1-based).
pub const ABORT_AT: &str = "OXIDY_ABORT_AT";

static TARGET: OnceLock<Option<u64>> = OnceLock::new();
static PASSED: AtomicU64 = AtomicU64::new(0);

/// One crash point; `what` is printed when the process aborts here.
pub fn point(what: &str) {
    let Some(target) = *TARGET.get_or_init(|| std::env::var(ABORT_AT).ok().and_then(|v| v.parse().ok())) else {
        return;
    };
    if PASSED.fetch_add(1, Ordering::SeqCst) + 1 == target {
        eprintln!("{ABORT_AT}: aborting at point {target} ({what})");
        std::process::abort();
    }
}
