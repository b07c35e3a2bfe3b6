//! The OS keychain for real: a private D-Bus session with gnome-keyring's Secret Service, as on
//! a Linux desktop. Remember, unlock without a passphrase, forget, and the fallback when no
//! keychain is reachable.
//!
//! Needs `dbus-daemon` and `gnome-keyring-daemon` (.ci/run installs them). Without them the
//! test says it skipped, unless HOLDFAST_REQUIRE_KEYCHAIN=1 (set in CI), where it fails.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

struct Session {
    address: String,
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

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A session bus with an unlocked gnome-keyring, or `None` (skip) when the tools are missing.
fn session() -> Option<Session> {
    if !(have("dbus-daemon") && have("gnome-keyring-daemon")) {
        assert!(
            std::env::var("HOLDFAST_REQUIRE_KEYCHAIN").as_deref() != Ok("1"),
            "HOLDFAST_REQUIRE_KEYCHAIN=1 but dbus-daemon or gnome-keyring-daemon is missing"
        );
        eprintln!("skipped: dbus-daemon or gnome-keyring-daemon not installed");
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

fn in_session(env: &Env, s: &Session, args: &[&str]) -> std::process::Output {
    env.cmd()
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", &s.address)
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn without_passphrase(env: &Env, s: Option<&Session>, args: &[&str]) -> std::process::Output {
    let mut c = env.cmd();
    c.args(args)
        .env_remove("HOLDFAST_PASSPHRASE")
        .env_remove("DISPLAY")
        .stdin(Stdio::null());
    match s {
        Some(s) => c.env("DBUS_SESSION_BUS_ADDRESS", &s.address),
        None => c.env_remove("DBUS_SESSION_BUS_ADDRESS"),
    };
    c.output().unwrap()
}

#[test]
fn secret_service_remembers_unlocks_and_forgets() {
    let Some(s) = session() else { return };
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );

    let out = in_session(&env, &s, &["keychain", "status", "--json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"remembered\": false"));
    let out = in_session(&env, &s, &["keychain", "remember", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"remembered\": true"));

    // No passphrase anywhere: the keychain unlocks.
    let out = without_passphrase(&env, Some(&s), &["stats", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["messages"], 22);

    // A passphrase change does not disturb it (the data key is the same).
    let out = env
        .cmd()
        .arg("passwd")
        .env("HOLDFAST_NEW_PASSPHRASE", "another passphrase")
        .env("DBUS_SESSION_BUS_ADDRESS", &s.address)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(without_passphrase(&env, Some(&s), &["stats"])
        .status
        .success());

    // No keychain reachable: the app says so and falls back to the passphrase.
    let out = without_passphrase(&env, None, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.contains("warning: keychain unavailable"), "{e}");
    assert!(e.contains("falling back to the passphrase"), "{e}");
    assert!(e.contains("error: archive is locked"), "{e}");
    let out = env
        .cmd()
        .arg("stats")
        .env("HOLDFAST_PASSPHRASE", "another passphrase")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // Forget: the keychain no longer unlocks.
    let out = without_passphrase(&env, Some(&s), &["keychain", "forget"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = without_passphrase(&env, Some(&s), &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: archive is locked"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn remembering_without_a_keychain_is_a_clear_error() {
    let (env, _) = Env::init();
    let out = env
        .cmd()
        .args(["keychain", "remember"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: keychain unavailable"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["keychain", "status", "--json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"remembered\": false"));
}
