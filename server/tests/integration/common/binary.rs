//! The real server binary as a child process: for what only a process shows
//! (signals, its log, its open-file limit, its memory).

use super::KillOnDrop;
use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    process::{Command, Stdio},
    thread::JoinHandle,
};

/// An open-file limit to start the server under; `hard: None` keeps the hard limit.
pub struct OpenFiles {
    pub soft: u64,
    pub hard: Option<u64>,
}

/// The server binary, as cargo built it for these tests.
fn server_binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_server"))
}

/// The server binary, to run under `limit`.
pub fn server_command(limit: OpenFiles) -> Command {
    let mut command = server_binary();
    // SAFETY: getrlimit and setrlimit only, between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let mut current = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut current);
            let hard = limit.hard.map_or(current.rlim_max, |hard| hard.min(current.rlim_max));
            let wanted = libc::rlimit { rlim_cur: limit.soft.min(hard), rlim_max: hard };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

// @demo-begin
/// The real server binary over `config`'s dirs, with `env` on top, once it
/// listens: the process, its address, and every line it logs from then until
/// it exits.
pub fn start_binary(config: &server::config::Config, env: &[(&str, &str)]) -> (KillOnDrop, String, JoinHandle<Vec<String>>) {
    start_binary_from(server_binary(), config, env)
}
// @demo-end

/// `start_binary`, with `command` set up beforehand (limits, say).
pub fn start_binary_from(
    mut command: Command,
    config: &server::config::Config,
    env: &[(&str, &str)],
) -> (KillOnDrop, String, JoinHandle<Vec<String>>) {
    command
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_SITE_ROOT", &config.site_root)
        .env("CONTENT_DIR", &config.content_dir)
        .env("DATABASE_URL", &config.database_url) // @demo
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = KillOnDrop(command.spawn().unwrap());
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some((_, addr)) = line.split_once("listening on http://") {
            break addr.trim().to_string();
        }
    };
    let logged = std::thread::spawn(move || lines.map_while(Result::ok).collect());
    (child, addr, logged)
}

