//! What an importer reads: one export file, a zip, or a folder (an unzipped export, a Slack
//! workspace export, a Signal Desktop profile, a Maildir).

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

enum Kind {
    /// A single file; members are looked up beside it (an unzipped export).
    File,
    Zip(Box<zip::ZipArchive<BufReader<File>>>),
    /// A folder; members are its files, by relative path with `/`.
    Dir(Vec<String>),
}

pub struct Input {
    path: PathBuf,
    display: String,
    size: u64,
    kind: Kind,
    /// Member names by their base name (media are referred to by base name).
    by_basename: HashMap<String, String>,
    /// Members the importer read (a folder source keeps a copy of each).
    read: BTreeSet<String>,
    /// Told the name of each member as it is first read (see [`Input::notify_reads`]).
    notify: Option<std::sync::mpsc::Sender<String>>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn base_name(member: &str) -> &str {
    member.rsplit(['/', '\\']).next().unwrap_or(member)
}

/// Every regular file under `root` (symbolic links are not followed), as relative paths.
fn list_dir(root: &Path) -> Result<(Vec<String>, u64)> {
    let mut out = Vec::new();
    let mut size = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for e in entries {
            let e = e.map_err(|e| Error::io(&dir, e))?;
            let ft = e.file_type().map_err(|err| Error::io(e.path(), err))?;
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                let p = e.path();
                size += e.metadata().map(|m| m.len()).unwrap_or(0);
                let rel = p
                    .strip_prefix(root)
                    .expect("under root")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok((out, size))
}

impl Input {
    pub fn open(path: &Path) -> Result<Input> {
        let display = file_name(path);
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let (kind, size) = if meta.is_dir() {
            let (files, size) = list_dir(path)?;
            if files.is_empty() {
                return Err(Error::bad_input(
                    Location::file(&display),
                    "folder is empty",
                ));
            }
            (Kind::Dir(files), size)
        } else {
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
            (kind, meta.len())
        };
        let mut input = Input {
            path: path.to_path_buf(),
            display,
            size,
            kind,
            by_basename: HashMap::new(),
            read: BTreeSet::new(),
            notify: None,
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

    /// Bytes of the file, or of every file in the folder.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn is_zip(&self) -> bool {
        matches!(self.kind, Kind::Zip(_))
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.kind, Kind::Dir(_))
    }

    /// Whether this input is a container (zip or folder) whose files are members.
    pub fn has_members(&self) -> bool {
        !matches!(self.kind, Kind::File)
    }

    /// Names of the zip's or the folder's files; empty for a plain file.
    pub fn members(&self) -> Vec<String> {
        match &self.kind {
            Kind::File => Vec::new(),
            Kind::Zip(z) => z
                .file_names()
                .filter(|n| !n.ends_with('/'))
                .map(str::to_string)
                .collect(),
            Kind::Dir(files) => files.clone(),
        }
    }

    /// Whether the container holds this member.
    pub fn has_member(&self, member: &str) -> bool {
        match &self.kind {
            Kind::File => false,
            Kind::Zip(z) => z.index_for_name(member).is_some(),
            Kind::Dir(files) => files.binary_search_by(|f| f.as_str().cmp(member)).is_ok(),
        }
    }

    /// How a member is named in messages: `chat.zip/_chat.txt`.
    pub fn member_display(&self, member: &str) -> String {
        match self.kind {
            Kind::File => self.display.clone(),
            Kind::Zip(_) | Kind::Dir(_) => format!("{}/{}", self.display, member),
        }
    }

    /// Resolves a file the chat refers to by name: a member with that base name, or a file of
    /// that name beside a plain chat file.
    pub fn find_attachment(&self, name: &str) -> Option<String> {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return None;
        }
        match &self.kind {
            Kind::Zip(_) | Kind::Dir(_) => self.by_basename.get(name).cloned(),
            Kind::File => {
                let sibling = self.path.parent()?.join(name);
                sibling.is_file().then(|| name.to_string())
            }
        }
    }

    /// A file the export names by a path relative to the folder of `member` (`photos/x.jpg`
    /// beside `result.json`), if the export holds it.
    pub fn resolve_relative(&self, member: &str, rel: &str) -> Option<String> {
        let rel = rel.replace('\\', "/");
        if rel.is_empty()
            || rel.starts_with('/')
            || rel
                .split('/')
                .any(|c| c == ".." || c == "." || c.is_empty())
        {
            return None;
        }
        match &self.kind {
            Kind::File => self.path.parent()?.join(&rel).is_file().then_some(rel),
            Kind::Zip(_) | Kind::Dir(_) => {
                let dir = member.rsplit_once('/').map_or("", |(d, _)| d);
                let full = if dir.is_empty() {
                    rel
                } else {
                    format!("{dir}/{rel}")
                };
                self.has_member(&full).then_some(full)
            }
        }
    }

    /// Sends the name of every member read so far, then of each one as it is first read, to
    /// `to` (for a copy of the folder made while the importer reads it), until
    /// [`Input::stop_notifying`].
    pub fn notify_reads(&mut self, to: std::sync::mpsc::Sender<String>) {
        for member in &self.read {
            let _ = to.send(member.clone());
        }
        self.notify = Some(to);
    }

    pub fn stop_notifying(&mut self) {
        self.notify = None;
    }

    /// Members read so far through [`Input::open_member`].
    pub fn members_read(&self) -> Vec<String> {
        self.read.iter().cloned().collect()
    }

    /// Reads the main file (plain input) or a member (zip or folder input).
    pub fn open_member(&mut self, member: &str) -> Result<(Box<dyn Read + '_>, u64)> {
        self.open_tracked(member, true)
    }

    /// A member's whole content, without adding it to [`Input::members_read`]: for files whose
    /// content the importer stores itself (a decrypted attachment), so a folder source's copy
    /// does not hold them a second time.
    pub fn read_member_untracked(&mut self, member: &str) -> Result<Vec<u8>> {
        self.read_all(member, false)
    }

    fn open_tracked(&mut self, member: &str, track: bool) -> Result<(Box<dyn Read + '_>, u64)> {
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
            Kind::Dir(files) => {
                if files.binary_search_by(|f| f.as_str().cmp(member)).is_err() {
                    return Err(Error::bad_input(
                        Location::file(format!("{}/{}", self.display, member)),
                        "no such file in the folder",
                    ));
                }
                let path = self.path.join(member);
                let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                if track && self.read.insert(member.to_string()) {
                    if let Some(to) = &self.notify {
                        // A copier that stopped has failed, and says so when it is joined.
                        let _ = to.send(member.to_string());
                    }
                }
                Ok((Box::new(BufReader::with_capacity(256 * 1024, f)), len))
            }
        }
    }

    /// The first `max` bytes of a member (for recognising formats).
    pub fn head(&mut self, member: &str, max: u64) -> Result<Vec<u8>> {
        let display = self.member_display(member);
        let (r, _) = self.open_member(member)?;
        let mut out = Vec::new();
        r.take(max)
            .read_to_end(&mut out)
            .map_err(|e| Error::bad_input(Location::file(display), format!("cannot read: {e}")))?;
        Ok(out)
    }

    /// A member's whole content (for small files: JSON metadata, one e-mail).
    pub fn read_member(&mut self, member: &str) -> Result<Vec<u8>> {
        self.read_all(member, true)
    }

    fn read_all(&mut self, member: &str, track: bool) -> Result<Vec<u8>> {
        let display = self.member_display(member);
        let (mut r, len) = self.open_tracked(member, track)?;
        let mut out = Vec::with_capacity(len as usize);
        r.read_to_end(&mut out)
            .map_err(|e| Error::bad_input(Location::file(display), format!("cannot read: {e}")))?;
        Ok(out)
    }
}

/// Whether a plain file is binary: a NUL byte, or mostly bytes that are neither UTF-8 text nor
/// whitespace, in its first 8 KiB.
pub fn looks_binary(input: &mut Input) -> Result<bool> {
    let head = input.head("", 8192)?;
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
