//! Opening SQLCipher databases, with SQLCipher started once per process first.
//!
//! SQLite marks itself initialised before SQLCipher's own start-up (`sqlcipher_extra_init`,
//! run by `sqlite3_initialize` after it leaves its mutex) has finished. A second thread
//! opening a database in that window took SQLite's fast path and failed its `PRAGMA key`
//! with "An error occurred with PRAGMA key or rekey" — an archive that would not unlock,
//! once in a while, when two threads first touched SQLCipher together (reproduced 3 times in
//! 600 runs of tests/sqlcipher_first_use.rs on a loaded machine). Every Holdfast path opens
//! SQLCipher through [`open`], so the first caller runs the whole initialisation while the
//! others wait for it.

use std::path::Path;
use std::sync::Once;

use rusqlite::{Connection, OpenFlags};

static STARTED: Once = Once::new();

/// Runs SQLite's and SQLCipher's initialisation to the end, once; later calls return at once.
/// Call it before opening a SQLCipher connection by any other means than [`open`].
#[allow(unsafe_code)]
pub fn start() {
    STARTED.call_once(|| {
        // SAFETY: `sqlite3_initialize` takes no arguments and may be called at any time; the
        // `Once` makes this the only call that does the work.
        let rc = unsafe { rusqlite::ffi::sqlite3_initialize() };
        // A failure here (out of memory) resurfaces as the error of the open that follows.
        let _ = rc;
    });
}

/// Opens (or with `SQLITE_OPEN_CREATE`, creates) the database at `path`, SQLCipher started.
pub fn open(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    start();
    Connection::open_with_flags(path, flags)
}
