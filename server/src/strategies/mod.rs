//! One module per strategy: a reader finds each strategy's whole story in one file.

pub mod csr;
pub mod isr;
pub mod ppr;
pub mod ssg;
pub mod ssr;
pub mod stream;
