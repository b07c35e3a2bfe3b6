//! Holdfast: a local-first, encrypted archive that keeps work chats as records.
//!
//! See ARCHITECTURE.md for the map. In short: [`import`] reads exports into records,
//! [`archive`] stores them encrypted and idempotently, [`api`] is the one surface the CLI
//! ([`cli`]) and the desktop app call.

pub mod api;
pub mod archive;
pub mod cli;
pub mod crypto;
pub mod error;
pub mod import;
pub mod index;
pub mod synth;

pub use error::{Error, Result};

/// The memory allocator of every program linking Holdfast (the CLI, the desktop app, the
/// benchmarks, the tests): mimalloc, because an import parses on one thread and indexes on
/// others, and the system allocator's per-thread arenas kept the import's freed memory from
/// the indexing threads (a 1 GB mbox peaked at 590 MB with it, 420 MB with mimalloc; see
/// docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
