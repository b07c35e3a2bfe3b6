//! An attachment's content: shown inline in the desktop app when it is a picture, or saved out
//! as a copy the user asked for (audited, as any record leaving the archive is).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;

use crate::archive::Archive;
use crate::error::{Error, Result};

/// A stored attachment, decrypted.
#[derive(Debug, Clone)]
pub struct AttachmentContent {
    pub id: i64,
    pub message_id: i64,
    pub name: String,
    pub mime: Option<String>,
    pub bytes: Vec<u8>,
}

/// Where a saved copy went.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SavedAttachment {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The attachment `id`, decrypted. An attachment the export left out has no content.
pub fn content(a: &Archive, id: i64) -> Result<AttachmentContent> {
    let row = a
        .conn()
        .query_row(
            "SELECT message_id, name, mime, blob, status FROM attachments WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((message_id, name, mime, blob, status)) = row else {
        return Err(Error::NotFound(format!("attachment {id}")));
    };
    let Some(blob) = blob.filter(|_| status == "stored") else {
        return Err(Error::NotFound(format!(
            "attachment {id} ({name}): the export did not include its content ({status})"
        )));
    };
    Ok(AttachmentContent {
        id,
        message_id,
        name,
        mime,
        bytes: a.blobs().read_all(&blob)?,
    })
}

/// The picture types the app shows inline, told by their first bytes (the declared type comes
/// from the export and may be wrong). SVG is not among them: it can carry script.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'B', b'M', ..] if bytes.len() > 26 => Some("image/bmp"),
        _ => None,
    }
}

/// The largest attachment the app decrypts to show inline (a photo is a few megabytes).
pub const MAX_INLINE_IMAGE: i64 = 32 << 20;

/// The attachment `id` as a picture to show inline, with its real type; anything that is not
/// one of [`image_type`]'s pictures is refused.
pub fn inline_image(a: &Archive, id: i64) -> Result<(&'static str, Vec<u8>)> {
    // Told before anything is decrypted: a two-gigabyte video is not read into memory to find
    // out that it is not a picture.
    let size: Option<i64> = a
        .conn()
        .query_row("SELECT size FROM attachments WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    if let Some(size) = size.filter(|s| *s > MAX_INLINE_IMAGE) {
        return Err(Error::InvalidArgument(format!(
            "attachment {id} ({} MB) is too large to show inline; save a copy to open it",
            size >> 20
        )));
    }
    let c = content(a, id)?;
    match image_type(&c.bytes) {
        Some(t) => Ok((t, c.bytes)),
        None => Err(Error::InvalidArgument(format!(
            "attachment {id} ({}) is not a picture the app shows",
            c.name
        ))),
    }
}

/// A file name safe to create in a folder: the last path component of `name`, without control
/// characters or separators, never empty, `.` or `..`.
fn safe_file_name(name: &str, id: i64) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        format!("attachment-{id}")
    } else {
        clean
    }
}

/// `dir/name`, or `dir/stem (2).ext`, … : the first that does not exist, created at once so
/// nothing already there is ever overwritten.
fn create_unique(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File)> {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    for n in 1..10_000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&candidate, e)),
        }
    }
    Err(Error::InvalidArgument(format!(
        "{}: too many files named like {name}",
        dir.display()
    )))
}

/// Saves a copy of the attachment `id` into the folder `dir` under its own name (never
/// overwriting a file), and records the export in the audit log.
pub fn save(a: &mut Archive, id: i64, dir: &Path) -> Result<SavedAttachment> {
    let c = content(a, id)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (path, mut file) = create_unique(dir, &safe_file_name(&c.name, id))?;
    let written = file.write_all(&c.bytes).and_then(|_| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(Error::io(&path, e));
    }
    let logged = crate::records::log(
        a,
        "attachment.save",
        serde_json::json!({
            "attachment": id,
            "message": c.message_id,
            "name": c.name,
            "to": path.display().to_string(),
        }),
    );
    if let Err(e) = logged {
        // No copy leaves the archive without its audit entry.
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    Ok(SavedAttachment {
        path: path.display().to_string(),
        bytes: c.bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_told_by_their_first_bytes_not_their_declared_type() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(&[0xff, 0xd8, 0xff, 0xe0, 0]), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a...."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"<html><script>"), None);
        assert_eq!(image_type(b""), None);
    }

    #[test]
    fn a_picture_shows_inline_but_nothing_too_large_is_decrypted_to_find_out() {
        use crate::crypto::keyfile::KdfProfile;
        let dir = tempfile::tempdir().unwrap();
        let (mut a, _) =
            Archive::create(&dir.path().join("a"), "pw", KdfProfile::InsecureTest).unwrap();
        let chat = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/whatsapp/ios");
        let opts = crate::api::ImportOptions {
            tz: Some("Europe/Warsaw".into()),
            ..Default::default()
        };
        crate::api::import(&mut a, &[chat], &opts, &mut |_| {}).unwrap();
        let id: i64 = a
            .conn()
            .query_row(
                "SELECT id FROM attachments WHERE status = 'stored' AND name LIKE '%.jpg'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let (mime, bytes) = inline_image(&a, id).unwrap();
        assert_eq!(mime, "image/jpeg");
        assert!(!bytes.is_empty());
        a.conn()
            .execute(
                "UPDATE attachments SET size = ?2 WHERE id = ?1",
                rusqlite::params![id, MAX_INLINE_IMAGE + 1],
            )
            .unwrap();
        let err = inline_image(&a, id).unwrap_err().to_string();
        assert!(err.contains("too large to show inline"), "{err}");
    }

    #[test]
    fn saved_names_stay_inside_the_folder() {
        assert_eq!(safe_file_name("../../etc/passwd", 1), "passwd");
        assert_eq!(safe_file_name("C:\\x\\report.pdf", 1), "report.pdf");
        assert_eq!(safe_file_name("..", 7), "attachment-7");
        assert_eq!(safe_file_name(".bashrc", 2), "bashrc");
        assert_eq!(safe_file_name("a\u{0}b\nc?.txt", 3), "abc.txt");
        assert_eq!(safe_file_name("", 4), "attachment-4");
    }

    #[test]
    fn a_second_save_never_overwrites_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let (p1, _) = create_unique(dir.path(), "photo.jpg").unwrap();
        let (p2, _) = create_unique(dir.path(), "photo.jpg").unwrap();
        let (p3, _) = create_unique(dir.path(), "README").unwrap();
        let (p4, _) = create_unique(dir.path(), "README").unwrap();
        assert_eq!(p1.file_name().unwrap(), "photo.jpg");
        assert_eq!(p2.file_name().unwrap(), "photo (2).jpg");
        assert_eq!(p3.file_name().unwrap(), "README");
        assert_eq!(p4.file_name().unwrap(), "README (2)");
    }
}
