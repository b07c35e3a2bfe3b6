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
