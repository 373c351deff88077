//! `server` serves the site; `server prerender` is the build step that writes
//! the prerendered pages. Both are configured by the environment alone.

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: a render is thousands of small
/// allocations, and glibc spent 40 % of the server's time in them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    keep_allocator_memory_low();
    raise_open_file_limit();
    server::cli::main(&std::env::args().skip(1).collect::<Vec<_>>())
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
