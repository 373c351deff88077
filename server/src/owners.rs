//! Leptos's reactive owners on a multi-threaded server. A render's owners form
//! a tree; `reactive_graph` (0.2.16) can deadlock a worker thread when the last
//! reference to a parent is dropped while a child's lock is held. Two ways
//! lead there, and each has its guard here.

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use leptos::reactive::owner::Owner;
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

/// Makes the next `Owner::new()` on this thread a root, not the child of an
/// owner another request left behind.
///
/// Leptos leaves a render's root owner as the thread's current owner
/// (`Owner::new_root` sets it and nothing unsets it). An owner made later on
/// that thread, by another request, would become its child. If the other
/// request then ends on another thread while this one looks up a context,
/// `reactive_graph` drops the last reference to the parent while it holds the
/// child's lock; the parent's cleanup locks the child again, and the worker
/// thread deadlocks. A soak under load met that about once in 400,000 requests.
pub fn clear_leftover_owner() {
    if let Some(leftover) = Owner::current() {
        leftover.unset();
    }
}

/// Sets Leptos's executor: tokio, with each spawned task (a resource's
/// loader) holding its render's root owner until the task ends.
///
/// Why: `use_context` in a task upgrades the task's owner's parents while it
/// holds that owner's read lock (`Owner::with_context`). If the response was
/// dropped meanwhile (the client went away mid-stream), that upgrade can be the
/// root's last reference; dropping it runs the root's cleanup, which
/// write-locks the same owner, and the thread deadlocks. `wrk` closing its
/// connections at the end of a `/stream` run met it. With the root held here,
/// its last reference goes when the task ends, outside any lock.
///
/// An Err only means another server in this process already set it up.
pub fn init_executor() {
    _ = Executor::init_custom_executor(RootHoldingExecutor);
}

struct RootHoldingExecutor;

impl CustomExecutor for RootHoldingExecutor {
    fn spawn(&self, task: PinnedFuture<()>) {
        tokio::spawn(HoldingRoot { task, _root: Owner::current().map(root_of) });
    }

    fn spawn_local(&self, task: PinnedLocalFuture<()>) {
        tokio::task::spawn_local(task);
    }

    fn poll_local(&self) {}
}

/// A task and the root it keeps alive. Fields drop in order: the task (and
/// its own owners) first, then the root.
struct HoldingRoot {
    task: PinnedFuture<()>,
    _root: Option<Owner>,
}

impl Future for HoldingRoot {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.task.as_mut().poll(cx)
    }
}

fn root_of(mut owner: Owner) -> Owner {
    while let Some(parent) = owner.parent() {
        owner = parent;
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_left_on_the_thread_by_another_render_is_not_adopted() {
        let leftover = Owner::new_root(None); // what a finished render leaves set
        assert!(Owner::new().parent().is_some(), "without the fix, a new owner becomes its child");
        clear_leftover_owner();
        assert!(Owner::new().parent().is_none(), "a new owner is a root");
        assert!(Owner::current().is_none());
        drop(leftover);
    }
}
