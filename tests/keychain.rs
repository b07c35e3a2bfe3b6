//! The OS keychain for real: a private D-Bus session with gnome-keyring's Secret Service, as on
//! a Linux desktop. Remember, unlock without a passphrase, forget, and the fallback when no
//! keychain is reachable.
//!
//! Needs `dbus-daemon` and `gnome-keyring-daemon` (.ci/run installs them). Without them the
//! test says it skipped, unless HOLDFAST_REQUIRE_KEYCHAIN=1 (set in CI), where it fails.

mod common;

use std::process::Stdio;

use common::secret_service::{session, Session};
use common::*;

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
    let out = env.run_without_session_bus(&["keychain", "remember"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: keychain unavailable"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["keychain", "status", "--json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"remembered\": false"));
}
