//! What an importer reads: one export file, or a zip holding the chat and its media.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

enum Kind {
    /// A single file; members are looked up beside it (an unzipped export).
    File,
    Zip(Box<zip::ZipArchive<BufReader<File>>>),
}

pub struct Input {
    path: PathBuf,
    display: String,
    size: u64,
    kind: Kind,
    /// Zip member names by their base name (media are referred to by base name).
    by_basename: HashMap<String, String>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn base_name(member: &str) -> &str {
    member.rsplit(['/', '\\']).next().unwrap_or(member)
}

impl Input {
    pub fn open(path: &Path) -> Result<Input> {
        let display = file_name(path);
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Err(Error::UnsupportedFormat {
                location: Location::file(&display),
                message: "is a folder: import the chat file inside it (or the export's .zip)"
                    .into(),
            });
        }
        if meta.len() == 0 {
            return Err(Error::bad_input(Location::file(&display), "file is empty"));
        }
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).map_err(|e| Error::io(path, e))?;
        let is_zip = n == 4 && (&magic == b"PK\x03\x04" || &magic == b"PK\x05\x06");
        let kind = if is_zip {
            let reader = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
            let zip = zip::ZipArchive::new(reader).map_err(|e| {
                Error::bad_input(
                    Location::file(&display),
                    format!("not a readable zip archive (truncated or damaged?): {e}"),
                )
            })?;
            Kind::Zip(Box::new(zip))
        } else {
            Kind::File
        };
        let mut input = Input {
            path: path.to_path_buf(),
            display,
            size: meta.len(),
            kind,
            by_basename: HashMap::new(),
        };
        for name in input.members() {
            input
                .by_basename
                .entry(base_name(&name).to_string())
                .or_insert(name);
        }
        Ok(input)
    }

    /// A second, independent handle on the same input (for reading attachments while the
    /// importer reads the chat).
    pub fn reopen(&self) -> Result<Input> {
        Input::open(&self.path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file name the user gave (used in every message about it).
    pub fn display_name(&self) -> &str {
        &self.display
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn is_zip(&self) -> bool {
        matches!(self.kind, Kind::Zip(_))
    }

    /// Names of the zip's files (not folders); empty for a plain file.
    pub fn members(&self) -> Vec<String> {
        match &self.kind {
            Kind::File => Vec::new(),
            Kind::Zip(z) => z
                .file_names()
                .filter(|n| !n.ends_with('/'))
                .map(str::to_string)
                .collect(),
        }
    }

    /// How a member is named in messages: `chat.zip/_chat.txt`.
    pub fn member_display(&self, member: &str) -> String {
        match self.kind {
            Kind::File => self.display.clone(),
            Kind::Zip(_) => format!("{}/{}", self.display, member),
        }
    }

    /// Resolves a file the chat refers to by name: a zip member with that base name, or a file
    /// of that name beside a plain chat file.
    pub fn find_attachment(&self, name: &str) -> Option<String> {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return None;
        }
        match &self.kind {
            Kind::Zip(_) => self.by_basename.get(name).cloned(),
            Kind::File => {
                let sibling = self.path.parent()?.join(name);
                sibling.is_file().then(|| name.to_string())
            }
        }
    }

    /// Reads the main file (plain input) or a member (zip input).
    pub fn open_member(&mut self, member: &str) -> Result<(Box<dyn Read + '_>, u64)> {
        match &mut self.kind {
            Kind::File => {
                let path = if member.is_empty() || member == self.display {
                    self.path.clone()
                } else {
                    self.path
                        .parent()
                        .map(|p| p.join(member))
                        .unwrap_or_else(|| PathBuf::from(member))
                };
                let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                Ok((Box::new(f), len))
            }
            Kind::Zip(z) => {
                let display = format!("{}/{}", self.display, member);
                let entry = z.by_name(member).map_err(|e| {
                    Error::bad_input(Location::file(display), format!("cannot read: {e}"))
                })?;
                let len = entry.size();
                Ok((Box::new(entry), len))
            }
        }
    }
}

/// Whether a plain file is binary: a NUL byte, or mostly bytes that are neither UTF-8 text nor
/// whitespace, in its first 8 KiB.
pub fn looks_binary(input: &mut Input) -> Result<bool> {
    let path = input.path().to_path_buf();
    let (mut reader, _) = input.open_member("")?;
    let mut head = vec![0u8; 8192];
    let mut n = 0;
    while n < head.len() {
        let k = reader
            .read(&mut head[n..])
            .map_err(|e| Error::io(&path, e))?;
        if k == 0 {
            break;
        }
        n += k;
    }
    head.truncate(n);
    if head.contains(&0) {
        return Ok(true);
    }
    let text = String::from_utf8_lossy(&head);
    let bad = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
        .count();
    Ok(bad * 10 > text.chars().count().max(1))
}
