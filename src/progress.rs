//! Progress on a terminal: what a long render is doing (compiling dashboards, rendering env 2
//! of 3, writing), on one line of stderr that is cleared when it ends. Nothing appears for a
//! render that ends within a second, nor when stderr is not a terminal (a pipe, a CI log), so
//! piped output and every message stay exactly as they are.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a render runs before its progress shows.
pub const DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn once it shows.
const TICK: Duration = Duration::from_millis(100);
/// Overrides [`DELAY`], in milliseconds (0 shows progress at once, as the tests use it).
pub const DELAY_VAR: &str = "OXIDY_PROGRESS_AFTER_MS";

enum Message {
    Step(String),
    Stop,
}

/// A progress line drawn by a thread of its own, so that one long step still shows.
pub struct Progress {
    sender: Option<Sender<Message>>,
    drawer: Option<JoinHandle<()>>,
}

impl Progress {
    /// Progress on stderr when it is a terminal; otherwise none at all.
    pub fn stderr() -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::none();
        }
        let delay =
            std::env::var(DELAY_VAR).ok().and_then(|v| v.parse().ok()).map(Duration::from_millis).unwrap_or(DELAY);
        Self::to(Box::new(std::io::stderr()), delay)
    }

    /// No progress.
    pub fn none() -> Self {
        Progress { sender: None, drawer: None }
    }

    /// Progress drawn into `out` once `delay` has passed.
    pub fn to(mut out: Box<dyn Write + Send>, delay: Duration) -> Self {
        let (sender, receiver) = mpsc::channel::<Message>();
        let drawer = std::thread::spawn(move || {
            let started = Instant::now();
            let (mut current, mut drawn, mut shown) = (String::new(), String::new(), false);
            loop {
                let show_at = started + delay;
                let wait = if shown { TICK } else { show_at.saturating_duration_since(Instant::now()) };
                match receiver.recv_timeout(wait) {
                    Ok(Message::Step(step)) => current = step,
                    Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {}
                }
                if Instant::now() >= show_at && current != drawn {
                    // Carriage return and erase-line: the line is redrawn in place.
                    let _ = write!(out, "\r\x1b[2Koxidy: {current}");
                    let _ = out.flush();
                    drawn.clone_from(&current);
                    shown = true;
                }
            }
            if shown {
                let _ = write!(out, "\r\x1b[2K");
                let _ = out.flush();
            }
        });
        Progress { sender: Some(sender), drawer: Some(drawer) }
    }

    /// What the render does now.
    pub fn step(&self, what: impl Into<String>) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(Message::Step(what.into()));
        }
    }

    /// Clears the line, before anything else is printed.
    pub fn finish(&mut self) {
        if let Some(sender) = self.sender.take() {
            let _ = sender.send(Message::Stop);
        }
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn drawn(delay: Duration, pause: Duration) -> String {
        let out = Shared::default();
        let mut progress = Progress::to(Box::new(out.clone()), delay);
        progress.step("rendering staging (1 of 2 environments)");
        std::thread::sleep(pause);
        progress.finish();
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_long_render_shows_its_step_and_clears_the_line() {
        let text = drawn(Duration::ZERO, Duration::from_millis(300));
        assert_eq!(text, "\r\x1b[2Koxidy: rendering staging (1 of 2 environments)\r\x1b[2K");
    }

    #[test]
    fn a_render_shorter_than_the_delay_shows_nothing() {
        assert_eq!(drawn(Duration::from_secs(30), Duration::from_millis(50)), "");
    }
}
