//! Small file-system helpers for crash safety.

use std::fs::File;
use std::io;
use std::path::Path;

/// Makes a rename or a new file in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Makes every file written so far on the file system holding `dir` durable, with one device
/// flush (Linux `syncfs`). `syncfs` also waits for other programs' unwritten data on that file
/// system: cheaper than thousands of flushes, dearer than a few, so callers use it for many
/// files only, and sync file by file where it fails or does not exist.
pub fn sync_file_system(dir: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        Ok(rustix::fs::syncfs(File::open(dir)?)?)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        Err(io::ErrorKind::Unsupported.into())
    }
}
