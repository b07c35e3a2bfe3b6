//! Self-test of `common::sqlcipher_pages`: the decrypted pages of a real archive show what a
//! logical query cannot (deleted rows in free space and on the freelist), and nothing once
//! secure_delete and VACUUM have wiped it.

mod common;

use std::path::Path;

use common::contains;
use common::sqlcipher_pages::{database_contains, decrypted_pages, decrypted_wal_frames};
use holdfast::archive::{Archive, DB_NAME};
use holdfast::crypto::keyfile::KdfProfile;
use rusqlite::Connection;

const ALPHA: &str = "MARKER-ALPHA-731";
const BRAVO: &str = "MARKER-BRAVO-942";
const CHARLIE: &str = "MARKER-CHARLIE-318";

fn raw_files(dir: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(dir.join(DB_NAME)).unwrap();
    if let Ok(wal) = std::fs::read(dir.join(format!("{DB_NAME}-wal"))) {
        bytes.extend_from_slice(&wal);
    }
    bytes
}

fn checkpoint(conn: &Connection) {
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(busy, 0, "checkpoint blocked");
}

fn wal_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join(format!("{DB_NAME}-wal")))
        .map(|m| m.len())
        .unwrap_or(0)
}

fn freelist_count(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn decrypted_pages_see_free_space_until_it_is_wiped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let (archive, _recovery) = Archive::create(&dir, "pw", KdfProfile::InsecureTest).unwrap();
    let key = *archive.data_key().as_bytes();
    let conn = archive.conn();
    let db = dir.join(DB_NAME);
    let wal = dir.join(format!("{DB_NAME}-wal"));

    // The archive turns secure_delete on; the steps below rely on knowing its state.
    let sd: i64 = conn
        .query_row("PRAGMA secure_delete", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sd, 1, "the archive should open with secure_delete on");

    conn.execute_batch("CREATE TABLE scratch(t TEXT)").unwrap();
    conn.execute("INSERT INTO scratch(t) VALUES (?1)", [ALPHA])
        .unwrap();

    // Encrypted on disk, visible once decrypted (wherever it is: WAL or database file).
    assert!(!contains(&raw_files(&dir), ALPHA.as_bytes()));
    assert!(wal_len(&dir) > 0, "the insert should sit in the WAL");
    assert!(contains(
        &decrypted_wal_frames(&wal, &key),
        ALPHA.as_bytes()
    ));
    assert!(database_contains(&dir, &key, ALPHA.as_bytes()));

    // After a checkpoint it is in the database file's pages, and the WAL is empty.
    checkpoint(conn);
    assert_eq!(wal_len(&dir), 0);
    assert!(decrypted_wal_frames(&wal, &key).is_empty());
    assert!(!contains(&raw_files(&dir), ALPHA.as_bytes()));
    assert!(contains(&decrypted_pages(&db, &key), ALPHA.as_bytes()));

    // A wrong key is refused loudly, not read as "nothing found".
    let wrong = [0x5au8; 32];
    let err = std::panic::catch_unwind(|| decrypted_pages(&db, &wrong)).unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("does not decrypt with this key"), "{msg}");

    // Without secure_delete a deleted row stays in the page's free space...
    conn.pragma_update(None, "secure_delete", "OFF").unwrap();
    conn.execute("DELETE FROM scratch", []).unwrap();
    checkpoint(conn);
    let n: i64 = conn
        .query_row("SELECT count(*) FROM scratch", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    assert!(database_contains(&dir, &key, ALPHA.as_bytes()));

    // ...and a dropped table's pages stay, unwiped, on the freelist.
    conn.execute_batch("CREATE TABLE spill(t TEXT)").unwrap();
    for i in 0..400 {
        conn.execute(
            "INSERT INTO spill(t) VALUES (?1)",
            [format!("{CHARLIE} {i:04} {}", "x".repeat(200))],
        )
        .unwrap();
    }
    checkpoint(conn);
    let free_before = freelist_count(conn);
    conn.execute_batch("DROP TABLE spill").unwrap();
    checkpoint(conn);
    assert!(
        freelist_count(conn) >= free_before + 10,
        "the dropped table's pages should be on the freelist"
    );
    assert!(database_contains(&dir, &key, CHARLIE.as_bytes()));

    // With secure_delete (the archive's setting), a delete + VACUUM + checkpoint leaves
    // nothing: not this marker, nor the ones left behind above.
    conn.pragma_update(None, "secure_delete", "ON").unwrap();
    conn.execute("INSERT INTO scratch(t) VALUES (?1)", [BRAVO])
        .unwrap();
    checkpoint(conn);
    assert!(database_contains(&dir, &key, BRAVO.as_bytes()));
    conn.execute("DELETE FROM scratch", []).unwrap();
    conn.execute_batch("VACUUM").unwrap();
    checkpoint(conn);
    assert_eq!(freelist_count(conn), 0);
    for marker in [ALPHA, BRAVO, CHARLIE] {
        assert!(
            !database_contains(&dir, &key, marker.as_bytes()),
            "{marker} survived secure_delete + VACUUM"
        );
    }
    // The pages are still readable: the absence is not a decryption failure.
    assert!(contains(
        &decrypted_pages(&db, &key),
        b"CREATE TABLE scratch"
    ));
}
