//! The project lock: one render at a time. Without it, two renders started together both
//! read their env files, and whichever swaps its trees in last wins with stale input.
//!
//! The lock is an advisory lock (`flock`) on the project folder itself, taken before any env
//! file is read and released when the process ends, however it ends. Locking the folder
//! rather than a lock file means a render that fails writes nothing, not even a lock file.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::Error;

/// How long a render waits for another one by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(300);

/// A held project lock; dropping it releases the lock.
#[derive(Debug)]
pub struct ProjectLock {
    _file: File,
}

impl ProjectLock {
    /// Takes the lock of the project at `root`, waiting up to `wait` for another render to
    /// finish; says on `notice` that it waits.
    pub fn acquire(root: &Path, wait: Duration, notice: &mut dyn Write) -> Result<Self, Error> {
        let failed = |source| Error::Read { path: root.to_owned(), source };
        let file = File::open(root).map_err(failed)?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(ProjectLock { _file: file }),
                Err(TryLockError::Error(source)) => return Err(failed(source)),
                Err(TryLockError::WouldBlock) if started.elapsed() >= wait => {
                    return Err(Error::Locked { path: root.to_owned(), waited: wait });
                }
                Err(TryLockError::WouldBlock) => {
                    if !said {
                        let _ = writeln!(notice, "waiting for another oxidy render of {} to finish", root.display());
                        said = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
}
