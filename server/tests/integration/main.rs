//! The server's integration tests: a real server on loopback per test, over
//! the tests' own posts. One test binary with a module per concern, so a
//! change links the server into one test executable, not ten.

mod common;

mod blog;
mod compression;
mod connections;
mod faults;
mod hostile_content;
mod hostile_requests;
mod isr; // @demo
mod live_reload;
mod pagination;
mod ppr; // @demo
mod routes;
mod ssg;
mod stream; // @demo
mod views; // @demo
