//! The binary's commands: `server` serves the site, `server prerender` writes
//! the prerendered pages. Here in the library rather than in `main.rs`: code
//! there is compiled again for the binary, with every generic function it
//! reaches (the whole server, behind `serve`): 39 s of each release build.

use crate::config::Config;
use std::process::ExitCode;

const USAGE: &str = "usage: server [prerender]\n  no argument: serve the site\n  prerender:   write every prerendered page into the site root";

/// Threads for blocking work (file reads and writes, the posts' refresh), at
/// most. Tokio's default is 512: under `/isr`'s load, which reads each page from
/// disk, it started 64 of them, and their stacks and allocator heaps took the
/// RSS from 30 to 49 MB. Small files are read quickly, so a few threads keep up:
/// /isr did 27-31k req/s with the default, 31-40k with 4 (16: 30-32k, 36 MB).
const BLOCKING_THREADS: usize = 4;

/// Runs the command that `args` (the arguments after the program's name) names.
pub fn main(args: &[String]) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(BLOCKING_THREADS).build() {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> ExitCode {
    crate::init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::from(2);
        }
    };
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => crate::serve(config).await,
        ["prerender"] => crate::prerender(config).await.map(|report| {
            let (pages, removed, took) = (report.pages, report.removed.len(), report.took);
            tracing::info!("prerendered {pages} pages (and removed {removed} stale files) in {took:.2?}");
        }),
        _ => {
            tracing::error!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}
