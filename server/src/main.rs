//! `server` serves the site; `server prerender` is the build step that writes
//! the prerendered pages. Both are configured by the environment alone.

use server::config::Config;
use std::process::ExitCode;

const USAGE: &str = "usage: server [prerender]\n  no argument: serve the site\n  prerender:   write every prerendered page into the site root";

#[tokio::main]
async fn main() -> ExitCode {
    server::init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::from(2);
        }
    };
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => server::serve(config).await,
        ["prerender"] => server::prerender(config).await.map(|report| {
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
