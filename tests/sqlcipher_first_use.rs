//! SQLCipher's first use from several threads at once. SQLite marks itself initialised
//! before SQLCipher's own start-up (`sqlcipher_extra_init`) has run, so a second thread
//! keying a database in that window got "An error occurred with PRAGMA key" (seen once in CI,
//! in tests/signal.rs). Every Holdfast path opens SQLCipher through
//! `archive::sqlcipher::open`, which starts it once for the process first.
//!
//! This file holds one test so that the process is fresh: the test is the first use.

use std::sync::{Arc, Barrier};

use rusqlite::OpenFlags;

#[test]
fn many_threads_keying_databases_at_first_use_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let path = dir.path().join(format!("db{i}.sqlite"));
            std::thread::spawn(move || {
                barrier.wait();
                let conn = holdfast::archive::sqlcipher::open(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
                )
                .map_err(|e| e.to_string())?;
                conn.execute_batch(
                    "PRAGMA key = \"x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'\";
                     CREATE TABLE t (x); INSERT INTO t VALUES (1);",
                )
                .map_err(|e| format!("thread {i}: {e}"))
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
}
