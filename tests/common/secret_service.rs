//! A private D-Bus session with gnome-keyring's Secret Service, as on a Linux desktop, for
//! the tests that need a real OS keychain.

use std::io::Write;
use std::process::{Command, Stdio};

use super::stderr;

pub struct Session {
    pub address: String,
    pids: Vec<String>,
    _home: tempfile::TempDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        for pid in &self.pids {
            let _ = Command::new("kill").arg(pid).status();
        }
    }
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A session bus with an unlocked gnome-keyring, or `None` (skip) when the tools are missing.
pub fn session() -> Option<Session> {
    if !(have("dbus-daemon") && have("gnome-keyring-daemon") && have("secret-tool")) {
        assert!(
            std::env::var("HOLDFAST_REQUIRE_KEYCHAIN").as_deref() != Ok("1"),
            "HOLDFAST_REQUIRE_KEYCHAIN=1 but dbus-daemon, gnome-keyring-daemon or secret-tool is missing"
        );
        eprintln!("skipped: dbus-daemon, gnome-keyring-daemon or secret-tool not installed");
        return None;
    }
    let home = tempfile::tempdir().unwrap();
    let out = Command::new("dbus-daemon")
        .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "dbus-daemon: {}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let address = lines.next().unwrap().trim().to_string();
    let mut pids = vec![lines.next().unwrap().trim().to_string()];
    let mut kr = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets", "--daemonize"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_RUNTIME_DIR", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    kr.stdin
        .take()
        .unwrap()
        .write_all(b"keyring login password")
        .unwrap();
    let out = kr.wait_with_output().unwrap();
    assert!(out.status.success());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(pid) = line.strip_prefix("GNOME_KEYRING_PID=") {
            pids.push(pid.to_string());
        }
    }
    Some(Session {
        address,
        pids,
        _home: home,
    })
}

impl Session {
    /// Stores a secret with these attributes, as an app would (`secret-tool store`).
    pub fn store(&self, label: &str, attributes: &[(&str, &str)], secret: &str) {
        let mut c = Command::new("secret-tool");
        c.args(["store", "--label", label]);
        for (k, v) in attributes {
            c.args([k, v]);
        }
        let mut child = c
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool (libsecret-tools) is installed");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(secret.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "secret-tool store failed");
    }
}
