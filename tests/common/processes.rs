//! Real servers for the tests: started on loopback with their output in a log file, waited for
//! with a deadline, and killed when the test ends however it ends.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A port nothing listens on right now, on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// A running server; killed (and reaped) on drop.
pub struct Process {
    pub name: String,
    pub log: PathBuf,
    child: Child,
}

impl Process {
    /// Starts `program args` with stdout and stderr in `<dir>/<name>.log`.
    pub fn start(name: &str, program: &Path, args: &[String], dir: &Path) -> Process {
        Self::start_with_env(name, program, args, &[], dir)
    }

    /// [`Process::start`] with `env` added to the environment.
    pub fn start_with_env(
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(String, String)],
        dir: &Path,
    ) -> Process {
        let log = dir.join(format!("{name}.log"));
        let file = File::create(&log).expect("log file");
        let child = Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} ({}) does not start: {e}", program.display()));
        Process { name: name.to_owned(), log, child }
    }

    /// The server's output so far, for failure messages.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test if the server has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited ({status}):\n{}", self.name, self.output());
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` every 250 ms until it returns `Some`, or fails after `limit` with `what` and
/// the last attempt's note.
pub fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        match check() {
            Ok(value) => return value,
            Err(note) if Instant::now() >= deadline => panic!("gave up after {limit:?} waiting for {what}: {note}"),
            Err(_) => sleep(Duration::from_millis(250)),
        }
    }
}

/// GET `url` with curl: the body when the answer is 2xx, else the error.
pub fn http_get(url: &str) -> Result<String, String> {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--fail-with-body", "--max-time", "10", url])
        .output()
        .map_err(|e| format!("curl does not run ({e}); install curl"))?;
    let body = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() { Ok(body) } else { Err(format!("{body}{}", String::from_utf8_lossy(&out.stderr))) }
}

/// Waits until `url` answers 2xx.
pub fn wait_http(process: &mut Process, url: &str) {
    let limit = Duration::from_secs(60);
    let deadline = Instant::now() + limit;
    loop {
        process.assert_running();
        match http_get(url) {
            Ok(_) => return,
            Err(e) if Instant::now() >= deadline => {
                panic!("{} did not answer {url} within {limit:?}: {e}\n{}", process.name, process.output())
            }
            Err(_) => sleep(Duration::from_millis(250)),
        }
    }
}
