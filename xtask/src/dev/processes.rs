//! The processes `make dev` starts (cargo, the server), each in a process
//! group of its own: stopping one stops what it started too (cargo's rustc
//! jobs), and Ctrl-C, which `make dev` catches, stops them all.

use anyhow::{bail, Context, Result};
use std::{
    os::unix::process::CommandExt,
    process::{Child, Command, ExitStatus},
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on, Ctrl-C (SIGINT) and SIGTERM only set a flag, which the loop,
/// and every wait below, checks: `make dev` stops what it started, then exits.
pub fn catch_interrupts() {
    let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The error a wait returns when Ctrl-C cut it short.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// A child process and its group; dropping it stops the whole group.
pub struct Group {
    child: Child,
    what: String,
}

impl Group {
    pub fn spawn(mut command: Command, what: impl Into<String>) -> Result<Group> {
        let what = what.into();
        let child = command.process_group(0).spawn().with_context(|| format!("starting {what}"))?;
        Ok(Group { child, what })
    }

    /// Waits for the process to end. Ctrl-C stops it instead, and is an `Interrupted` error.
    pub fn wait(mut self) -> Result<ExitStatus> {
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if interrupted() {
                return Err(Interrupted.into()); // dropping `self` stops the group
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs to the end, and says so unless it succeeded.
    pub fn succeed(self) -> Result<()> {
        let what = self.what.clone();
        let status = self.wait()?;
        if !status.success() {
            bail!("{what} failed ({status})");
        }
        Ok(())
    }

    /// The exit status, if the process has ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Group {
    /// SIGTERM to the group, a few seconds to finish (the server drains its
    /// requests), then SIGKILL. Waits, so no zombie and no orphan is left.
    fn drop(&mut self) {
        if self.exited().is_none() {
            let group = -(self.child.id() as libc::pid_t);
            // SAFETY: kill(2) with a negative pid signals the group this child leads.
            unsafe { libc::kill(group, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.exited().is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(20));
            }
            if self.exited().is_none() {
                unsafe { libc::kill(group, libc::SIGKILL) };
                let _ = self.child.wait();
            }
        }
        // The leader has ended; anything it left in its group goes with it.
        unsafe { libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL) };
    }
}
