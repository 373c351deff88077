//! `server` serves the site; `server prerender` is the build step that writes
//! the prerendered pages. Both are configured by the environment alone.

use server::config::Config;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: a render is thousands of small
/// allocations, and glibc spent 40 % of the server's time in them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: server [prerender]\n  no argument: serve the site\n  prerender:   write every prerendered page into the site root";

fn main() -> ExitCode {
    keep_allocator_memory_low();
    raise_open_file_limit();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

/// mimalloc's defaults trade memory for speed: transparent huge pages (off at
/// build time: the `no_thp` feature), arenas committed up front, and freed
/// pages returned to the OS only after a delay. With them, the peak RSS under
/// load was 53-90 MB; without, about 38 MB, at the same speed.
fn keep_allocator_memory_low() {
    // Their places in `mi_option_e` (mimalloc 3's mimalloc.h, as libmimalloc-sys
    // 0.1.49 builds it), which the -sys crate gives no names.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: mimalloc's options are not thread safe; this runs first in
    // `main`, before the runtime starts any other thread.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

/// Every connection is a file descriptor, and the usual soft limit, 1024, is
/// reached by as many idle clients: `accept` then fails for everyone. The hard
/// limit is what the system grants this process: the server takes all of it.
fn raise_open_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit on this process, with a valid pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

async fn run() -> ExitCode {
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
