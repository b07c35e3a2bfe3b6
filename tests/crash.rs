//! Killed writers leave the archive whole. First a large import killed at points spread over
//! its progress: the archive is exactly as it was, and a clean import gives the exact count.
//! Then the harness: every writing operation (import, tagging, disposal, reindex, production,
//! holds) SIGKILLed at random points, at least 60 runs (`HOLDFAST_CRASH_RUNS` for more), each
//! followed by `verify`, `audit verify` and the counts that say nothing committed was lost and
//! nothing half-done was kept.

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use common::*;

const MESSAGES: u64 = 200_000;

/// Bytes a process has read so far (Linux).
fn read_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("rchar: ")
                    .and_then(|v| v.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

fn blob_files(env: &Env) -> BTreeSet<String> {
    files_under(&env.archive.join("blobs"))
        .into_iter()
        .map(|p| p.strip_prefix(&env.archive).unwrap().display().to_string())
        .collect()
}

#[test]
fn sigkill_during_import_leaves_the_archive_intact_and_a_new_import_is_exact() {
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    let big = env.path("WhatsApp Chat with Big.txt");
    let mut f = std::fs::File::create(&big).unwrap();
    holdfast::synth::whatsapp_android(&mut f, MESSAGES, 42, Some("KILLTESTMARKER")).unwrap();
    drop(f);

    let base_stats = env.stats();
    let base_blobs = blob_files(&env);

    // Kill points are set by progress, not by time: the import reads the export three times
    // (the encrypted copy, the layout pass, the message pass), so the bytes the process has read
    // (/proc/PID/io rchar) say how far it got, whatever the machine's speed.
    let size = std::fs::metadata(&big).unwrap().len();
    let mut killed = 0;
    for fraction in [0.02, 0.2, 0.35, 0.5, 0.7, 0.9, 0.99] {
        let mut child = env
            .cmd()
            .args(["import", big.to_str().unwrap(), "--tz", "UTC"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let target = (3.0 * size as f64 * fraction) as u64;
        let t0 = Instant::now();
        while read_bytes(child.id()) < target {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the import ended before reading {fraction} of its input"
            );
            assert!(t0.elapsed().as_secs() < 300, "the import stalled");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        killed += 1;

        // The archive opens, holds exactly what it held, and no trace of the killed source.
        let stats = env.stats();
        assert_eq!(
            stats, base_stats,
            "after a kill at {fraction} of the import"
        );
        assert_eq!(
            blob_files(&env),
            base_blobs,
            "blobs after a kill at {fraction}"
        );
        assert!(
            !env.archive.join("blobs/staging").exists()
                || std::fs::read_dir(env.archive.join("blobs/staging"))
                    .unwrap()
                    .next()
                    .is_none(),
            "staging was not cleaned up"
        );
    }
    assert_eq!(killed, 7);

    let r = env.json(&["import", big.to_str().unwrap(), "--tz", "UTC"]);
    assert_eq!(r["sources"][0]["messages_added"], MESSAGES);
    let stats = env.stats();
    assert_eq!(
        stats["messages"].as_u64().unwrap(),
        base_stats["messages"].as_u64().unwrap() + MESSAGES
    );
    assert_eq!(stats["sources"], 2);
    assert_no_plaintext(&env.archive, &["KILLTESTMARKER".to_string()]);
}

/// A small deterministic generator for kill points (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [lo, hi).
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() % 1_000_000) as f64 / 1_000_000.0 * (hi - lo)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Import,
    Tag,
    Dispose,
    Reindex,
    Produce,
    Hold,
}

const OPS: [Op; 6] = [
    Op::Import,
    Op::Tag,
    Op::Dispose,
    Op::Reindex,
    Op::Produce,
    Op::Hold,
];

fn count(env: &Env, query: &str) -> u64 {
    env.json(&["search", query, "--limit", "1"])["total"]
        .as_u64()
        .unwrap()
}

fn messages(env: &Env) -> u64 {
    env.stats()["messages"].as_u64().unwrap()
}

/// The operation's command line for run `run` (each run has work to do).
fn command(env: &Env, op: Op, run: usize) -> Vec<String> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match op {
        Op::Import => {
            let path = env.path(&format!("WhatsApp Chat with Crash {run}.txt"));
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            holdfast::synth::whatsapp_android(&mut f, 3000, run as u64 + 1, Some("CRASHMARKER"))
                .unwrap();
            drop(f);
            s(&["import", path.to_str().unwrap(), "--tz", "UTC"])
        }
        // Generated messages are years old: transitory ones are due for deletion (30 days).
        Op::Tag => s(&[
            "tag",
            "add",
            "transitory",
            "--match",
            ["meeting", "invoice", "site", "contract"][run % 4],
        ]),
        Op::Dispose => s(&["dispose", "--apply", "--approver", "Crash Harness"]),
        Op::Reindex => s(&["reindex"]),
        Op::Produce => {
            let out = env.path(&format!("production-{run}"));
            s(&["foi", "export", "FOI-CRASH", "--out", out.to_str().unwrap()])
        }
        Op::Hold => s(&[
            "hold",
            "add",
            &format!("Hold {run}"),
            "--match",
            "invoice",
            "--reason",
            "crash harness",
        ]),
    }
}

/// What the archive holds that an operation may change.
#[derive(Debug, Clone, PartialEq)]
struct State {
    messages: u64,
    transitory: u64,
    holds: u64,
}

fn state(env: &Env) -> State {
    State {
        messages: messages(env),
        transitory: count(env, "tag:transitory"),
        holds: env.json(&["hold", "list"])["holds"]
            .as_array()
            .unwrap()
            .len() as u64,
    }
}

#[test]
fn sigkill_at_random_points_of_every_writing_operation_loses_nothing_committed() {
    let runs: usize = std::env::var("HOLDFAST_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(66);
    let (env, _) = Env::init();
    env.import(
        &fixture("whatsapp/WhatsApp Chat with Northgate depot.txt"),
        &[],
    );
    env.json(&[
        "foi",
        "new",
        "FOI-CRASH",
        "--received",
        "2026-11-02",
        "--scope",
        "membrane",
    ]);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // How long each operation takes when left alone, measured on its first run; later runs are
    // killed at a random point of that time.
    let mut took: std::collections::HashMap<String, f64> = Default::default();
    let mut killed = 0;
    for run in 0..runs.max(OPS.len() * 2) {
        let op = OPS[run % OPS.len()];
        let before = state(&env);
        let due_before = env.json(&["dispose", "--dry-run"]);
        let due: u64 = due_before["due"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["messages"].as_u64().unwrap())
            .sum();
        let args = command(&env, op, run);
        let key = format!("{op:?}");
        let mut child = env
            .cmd()
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let outcome = match took.get(&key) {
            None => {
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "{op:?}: {}", stderr(&out));
                took.insert(key, t0.elapsed().as_secs_f64());
                "completed"
            }
            Some(&d) => {
                let at = rng.between(0.02, 0.98) * d;
                while t0.elapsed().as_secs_f64() < at {
                    if child.try_wait().unwrap().is_some() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                if child.try_wait().unwrap().is_none() {
                    child.kill().unwrap(); // SIGKILL
                    child.wait().unwrap();
                    killed += 1;
                    "killed"
                } else {
                    "finished before the kill"
                }
            }
        };

        eprintln!("run {run}: {op:?} {outcome}");
        // The archive opens and checks out whole...
        let v = env.run(&["verify", "--json"]);
        assert!(
            v.status.success(),
            "run {run}: verify after {op:?} ({outcome}): {}{}",
            String::from_utf8_lossy(&v.stdout),
            stderr(&v)
        );
        let audit = env.json(&["audit", "verify"]);
        assert_eq!(
            audit["ok"], true,
            "run {run}: audit after {op:?} ({outcome}): {audit}"
        );
        // ... and each operation happened entirely or not at all.
        let after = state(&env);
        let ok = match op {
            // The same import again, to the end: it adds what the killed one did not. Either
            // the killed one had added nothing, or everything (the rerun then adds nothing).
            Op::Import => {
                let again = env.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
                let added_again = again["sources"][0]["messages_added"].as_u64().unwrap();
                let whole = messages(&env);
                (after.messages == before.messages && whole > before.messages)
                    || (after.messages == whole && added_again == 0)
            }
            Op::Dispose => {
                (after.messages == before.messages || after.messages == before.messages - due)
                    && after.holds == before.holds
            }
            Op::Tag => after.messages == before.messages && after.holds == before.holds,
            Op::Reindex | Op::Produce => after == before,
            Op::Hold => {
                after.messages == before.messages
                    && (after.holds == before.holds || after.holds == before.holds + 1)
            }
        };
        assert!(
            ok,
            "run {run}: {op:?} ({outcome}) left {after:?}, before {before:?} ({due} due)"
        );
        if op == Op::Produce && outcome == "killed" {
            // A killed production leaves no folder that could be mistaken for a bundle.
            let out = env.path(&format!("production-{run}"));
            assert!(
                !out.join("manifest.json").exists(),
                "run {run}: a killed production left a manifest"
            );
        }
    }
    assert!(
        killed >= 50 || runs < 66,
        "only {killed} runs were killed mid-way"
    );
    assert_no_plaintext(&env.archive, &["CRASHMARKER".to_string()]);
}
