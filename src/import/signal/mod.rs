//! Signal. There is no export in Signal itself, so Holdfast reads what people have:
//! - the Signal Desktop profile folder, directly ([`desktop`]): the SQLCipher database (key from
//!   `config.json`, decrypted through the OS secret store where Signal protects it) and the
//!   attachments folder, copied and read, never written;
//! - the output of signal-export ([`export`]): `chat.md` / `data.json` per chat.
//!
//! See docs/formats/signal.md.

pub mod desktop;
pub mod export;
pub mod keys;

use super::{Format, ImportOptions, Importer, Input, RecordSink, SourceFacts};
use crate::error::Result;

pub const VERSION: u32 = 1;

/// Either kind of Signal input.
pub struct Signal;

impl Signal {
    pub fn detect(input: &mut Input) -> Result<bool> {
        Ok(desktop::is_profile(input) || export::detect(input)?)
    }
}

impl Importer for Signal {
    fn format(&self) -> Format {
        Format::Signal
    }

    fn version(&self) -> u32 {
        VERSION
    }

    fn import(
        &self,
        input: &mut Input,
        options: &ImportOptions,
        sink: &mut dyn RecordSink,
    ) -> Result<SourceFacts> {
        if desktop::is_profile(input) {
            desktop::import(input, sink)
        } else {
            export::import(input, options, sink)
        }
    }
}
