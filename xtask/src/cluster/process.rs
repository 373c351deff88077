//! The processes a cluster runs (its servers, Redis, PostgreSQL, nginx): each
//! known by its pid and start time, so that `make cluster-stop` stops only what
//! `make cluster` started, even after the pid was given to another process.
// @demo-file: measurement and operations tooling for the demo's routes

use anyhow::{bail, Context, Result};
use std::{
    fs,
    net::{SocketAddr, TcpStream},
    os::unix::process::CommandExt,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A process the cluster started. Stopping it signals, then waits up to 10 s
/// before SIGKILL.
pub(super) struct Process {
    pub(super) name: String,
    pub(super) pid: u32,
    /// Ours to reap, when this process started it (not after `make cluster` exited).
    pub(super) child: Option<Child>,
    /// Boot and start time, which tell this process from a later one given the
    /// same pid (after it exited, or after a reboot).
    pub(super) identity: Option<String>,
    pub(super) stop_signal: i32,
}

impl Process {
    pub(super) fn stop(&mut self) {
        // Never signal a pid that may already belong to another process.
        if !self.is_running() {
            return;
        }
        signal(self.pid, self.stop_signal);
        // A paused process acts on the signal only once it runs again.
        signal(self.pid, libc::SIGCONT);
        let mut deadline = Instant::now() + Duration::from_secs(10);
        let mut killed = false;
        while self.is_running() {
            if Instant::now() > deadline {
                if killed {
                    eprintln!("{} (pid {}) is still there 5 s after SIGKILL; giving up on it", self.name, self.pid);
                    return;
                }
                signal(self.pid, libc::SIGKILL);
                (killed, deadline) = (true, Instant::now() + Duration::from_secs(5));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(super) fn is_running(&mut self) -> bool {
        match (&mut self.child, &self.identity) {
            (Some(child), _) => matches!(child.try_wait(), Ok(None)),
            (None, Some(recorded)) => identity(self.pid).as_ref() == Some(recorded),
            // Recorded without one (an older cluster.json): the pid is all there is.
            // SAFETY: signal 0 only checks that the pid exists.
            (None, None) => unsafe { libc::kill(self.pid as i32, 0) == 0 },
        }
    }
}

/// This boot's id and the process's start time in clock ticks since boot
/// (`/proc/<pid>/stat`, field 22); `None` if no such process runs, or it has
/// exited and waits to be reaped (a zombie).
pub(super) fn identity(pid: u32) -> Option<String> {
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces:
    // the state (field 3) first, the start time (field 22) twenty on.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    if fields.next()? == "Z" {
        return None;
    }
    let started = fields.nth(18)?;
    Some(format!("{}:{started}", boot.trim()))
}

pub(super) fn signal(pid: u32, signal: i32) {
    // SAFETY: sends a signal to a process this cluster started.
    unsafe { libc::kill(pid as i32, signal) };
}

/// Starts `command` in its own process group (so a Ctrl-C in the terminal that
/// ran `make cluster` doesn't reach it), with its output in `log`.
pub(super) fn spawn(name: &str, mut command: Command, log: &Path, stop_signal: i32) -> Result<Process> {
    let out = fs::File::create(log)?;
    command.stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out).process_group(0);
    let child = command.spawn().with_context(|| format!("starting {name}"))?;
    let pid = child.id();
    Ok(Process { name: name.to_string(), pid, child: Some(child), identity: identity(pid), stop_signal })
}

/// `process` once something listens on `addr`; stopped, and an error, if nothing does.
pub(super) fn listening(mut process: Process, addr: SocketAddr, log: &Path) -> Result<Process> {
    if let Err(error) = wait_for_port(addr, log) {
        process.stop();
        return Err(error);
    }
    Ok(process)
}

pub(super) fn wait_for_port(addr: SocketAddr, log: &Path) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on {addr} after 30 s; see {}:\n{}", log.display(), fs::read_to_string(log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
