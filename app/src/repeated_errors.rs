//! Errors that every request can run into (a full disk under a flood of
//! views, a database that went away) are logged once per cause per interval,
//! with how many of them the log held back since: a second of trouble under
//! load is a line, not twenty thousand.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::{Duration, Instant},
};

/// At most one line per cause in this long.
pub const INTERVAL: Duration = Duration::from_secs(5);

/// Logs `log(held_back)` unless `cause` was logged less than `INTERVAL` ago;
/// `held_back` counts the occurrences that were not logged in between.
pub fn log_error(cause: &'static str, log: impl FnOnce(u64)) {
    static SEEN: LazyLock<RepeatedErrors> = LazyLock::new(RepeatedErrors::default);
    if let Some(held_back) = SEEN.admit(cause, Instant::now()) {
        log(held_back);
    }
}

#[derive(Default)]
struct RepeatedErrors {
    causes: Mutex<HashMap<&'static str, Window>>,
}

struct Window {
    logged_at: Instant,
    held_back: u64,
}

impl RepeatedErrors {
    /// `Some(held back)` when this occurrence of `cause` is to be logged.
    fn admit(&self, cause: &'static str, now: Instant) -> Option<u64> {
        let mut causes = self.causes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match causes.get_mut(cause) {
            Some(window) if now.duration_since(window.logged_at) < INTERVAL => {
                window.held_back += 1;
                None
            }
            Some(window) => {
                let held_back = std::mem::take(&mut window.held_back);
                window.logged_at = now;
                Some(held_back)
            }
            None => {
                causes.insert(cause, Window { logged_at: now, held_back: 0 });
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_is_logged_once_per_interval_with_what_was_held_back() {
        let errors = RepeatedErrors::default();
        let start = Instant::now();
        let at = |millis: u64| start + Duration::from_millis(millis);
        assert_eq!(errors.admit("disk full", at(0)), Some(0), "the first is logged at once");
        for n in 1..1000 {
            assert_eq!(errors.admit("disk full", at(n)), None);
        }
        assert_eq!(errors.admit("database gone", at(500)), Some(0), "each cause has its own interval");
        assert_eq!(errors.admit("disk full", at(4999)), None);
        assert_eq!(errors.admit("disk full", at(5000)), Some(1000), "the next line says how many were held back");
        assert_eq!(errors.admit("disk full", at(10_000)), Some(0));
    }
}
