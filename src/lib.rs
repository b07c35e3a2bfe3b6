//! Holdfast: a local-first, encrypted archive that keeps work chats as records.
//!
//! See ARCHITECTURE.md for the map. In short: [`import`] reads exports into records,
//! [`archive`] stores them encrypted and idempotently, [`api`] is the one surface the CLI
//! ([`cli`]) and the desktop app call.

pub mod api;
pub mod archive;
pub mod backup;
pub mod cli;
pub mod crypto;
pub mod error;
pub mod foi;
pub mod fuzzing;
pub mod import;
pub mod index;
pub mod records;
pub mod synth;

pub use error::{Error, Result};

/// The memory allocator of every program linking Holdfast (the CLI, the desktop app, the
/// benchmarks, the tests): mimalloc, because an import parses on one thread and indexes on
/// others, and the system allocator's per-thread arenas kept the import's freed memory from
/// the indexing threads (a 1 GB mbox peaked at 590 MB with it, 420 MB with mimalloc; see
/// docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's `mi_option_arena_eager_commit` and `mi_option_purge_delay` (mimalloc.h).
const MI_OPTION_ARENA_EAGER_COMMIT: i32 = 4;
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// Tunes the allocator for long imports: memory is committed as it is used and freed memory
/// goes back to the system at once, so the peak stays close to what is live (a 1,000,000
/// message WhatsApp import with its index peaked at 376 MB with mimalloc's defaults and 278 MB
/// with these; a 1 GB mbox at 417 MB and 380 MB). Each program calls it first thing in `main`.
#[allow(unsafe_code)]
pub fn tune_allocator() {
    // SAFETY: `mi_option_set` only stores a number in mimalloc's option table and may be
    // called at any time from any thread; both options exist in the vendored mimalloc v3.
    // mimalloc's own environment variables still win (for measuring other settings: with
    // MIMALLOC_PURGE_DELAY=1000 a Slack import used about a tenth less CPU, the kernel no
    // longer zeroing the same pages again and again, but a 1,000,000-message WhatsApp import
    // peaked at 307-315 MiB instead of 257, over the 300 MB target).
    unsafe {
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT as _, 0);
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY as _, 0);
        }
    }
}

#[cfg(test)]
mod allocator_tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)]
    fn the_option_numbers_name_the_options_meant() {
        // Their defaults (options.c of the vendored v3) identify them; after tuning, both are 0.
        // SAFETY: reading an option is a plain table lookup.
        let get = |o: i32| unsafe { libmimalloc_sys::mi_option_get(o as _) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(MI_OPTION_PURGE_DELAY), 1000);
        }
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(get(MI_OPTION_ARENA_EAGER_COMMIT), 2);
        }
        tune_allocator();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(MI_OPTION_PURGE_DELAY), 0);
        }
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(get(MI_OPTION_ARENA_EAGER_COMMIT), 0);
        }
    }
}
