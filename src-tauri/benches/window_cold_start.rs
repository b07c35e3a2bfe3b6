//! The desktop app's cold start, window included: from launching the real built app on an
//! archive of N messages to its first search results, through WebDriver (tauri-driver and
//! WebKitWebDriver under Xvfb, as the end-to-end test drives it).
//!
//! ```text
//! cargo bench --workspace --bench window_cold_start -- [--messages 1000000] [--repeat 3] [--json]
//! ```
//!
//! Measured, each the median of `--repeat` cold launches (a new app process each time):
//! - `window_ready`: launch until the unlock screen is on screen;
//! - `unlock_to_home`: the Unlock click until the home screen shows the archive's total
//!   (Argon2id with the production profile, SQLCipher and the encrypted index opened);
//! - `search_to_results`: Enter in the search box until the first hits are shown;
//! - `window_cold_start`: their sum, the time a user waits (their own typing left out).
//!
//! The same-run baseline is the core's part alone, in this process: unlock, open and a first
//! search with facets, as `holdfast-bench --suite search` measures it.
//!
//! The archive (production key derivation) is built once under target/bench-archives/ and
//! reused.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use holdfast::archive::{Archive, Unlock};
use holdfast::crypto::keyfile::KdfProfile;

const PASSPHRASE: &str = "window cold start bench";
const QUERY: &str = "invoice";

fn arg(name: &str) -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == name {
            return args.next();
        }
    }
    None
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[v.len() / 2]
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// An archive of `n` generated WhatsApp messages with the production key derivation, built
/// once and reused (a marker file says it is complete).
fn archive(n: u64) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-archives");
    let dir = root.join(format!("window-{n}"));
    let done = root.join(format!("window-{n}.complete"));
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&root).unwrap();
    let export = root.join(format!("WhatsApp Chat with Bench {n}.txt"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&export).unwrap());
    holdfast::synth::whatsapp_android(&mut f, n, 7, None).unwrap();
    drop(f);
    eprintln!("building an archive of {n} messages in {}", dir.display());
    let (mut a, _) = Archive::create(&dir, PASSPHRASE, KdfProfile::Standard).unwrap();
    let opts = holdfast::api::ImportOptions {
        tz: Some("UTC".into()),
        ..Default::default()
    };
    holdfast::api::import(&mut a, std::slice::from_ref(&export), &opts, &mut |_| {}).unwrap();
    drop(a);
    std::fs::remove_file(&export).unwrap();
    std::fs::write(&done, b"").unwrap();
    dir
}

/// The core's part alone: unlock, open, first search with facets (ms).
fn core_alone(dir: &Path) -> f64 {
    let t = Instant::now();
    let mut a = holdfast::api::open(dir, Unlock::Passphrase(PASSPHRASE)).unwrap();
    let req = holdfast::api::SearchRequest {
        query: QUERY.into(),
        ..Default::default()
    };
    let hits = holdfast::api::search(&mut a, &req).unwrap();
    assert!(hits.total > 0, "the query finds messages");
    t.elapsed().as_secs_f64() * 1000.0
}

struct Launch {
    window_ready: f64,
    unlock_to_home: f64,
    search_to_results: f64,
}

async fn launch(d: &Driver, dir: &Path, total_text: &str) -> Launch {
    let t0 = Instant::now();
    let c = session(d, dir).await;
    css(&c, "#passphrase").await;
    let window_ready = t0.elapsed();
    css(&c, "#passphrase")
        .await
        .send_keys(PASSPHRASE)
        .await
        .unwrap();
    let unlock = css(&c, "#unlock-btn").await;
    let t1 = Instant::now();
    unlock.click().await.unwrap();
    wait_fast(&c, "#stat-messages", |t| {
        t.chars().filter(char::is_ascii_digit).collect::<String>() == total_text
    })
    .await;
    let unlock_to_home = t1.elapsed();
    go(&c, "search").await;
    let input = css(&c, "#search-input").await;
    input.send_keys(QUERY).await.unwrap();
    let t2 = Instant::now();
    input.send_keys("\u{E007}").await.unwrap();
    wait_fast(&c, "#search-total", |t| !t.trim().starts_with('0')).await;
    css(&c, ".search-hit").await;
    let search_to_results = t2.elapsed();
    c.close().await.unwrap();
    Launch {
        window_ready: window_ready.as_secs_f64() * 1000.0,
        unlock_to_home: unlock_to_home.as_secs_f64() * 1000.0,
        search_to_results: search_to_results.as_secs_f64() * 1000.0,
    }
}

/// As `wait_text`, polling every 10 ms so the poll does not pad the figure.
async fn wait_fast(c: &fantoccini::Client, sel: &str, ok: impl Fn(&str) -> bool) {
    for _ in 0..6000 {
        if dom_text(c, sel).await.is_some_and(|t| ok(&t)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{sel} never showed the expected text");
}

#[tokio::main]
async fn main() {
    let n: u64 = arg("--messages").map_or(1_000_000, |v| v.parse().expect("--messages N"));
    let repeat: usize = arg("--repeat").map_or(3, |v| v.parse().expect("--repeat N"));
    let json = std::env::args().any(|a| a == "--json");
    let Some(d) = driver() else {
        eprintln!("skipped: the window cannot be driven here (see tests/e2e.rs)");
        return;
    };
    let dir = archive(n);
    // The home screen's total, whatever the locale's digit grouping.
    let total_text = n.to_string();
    let mut runs = Vec::new();
    let mut core = Vec::new();
    for _ in 0..repeat.max(1) {
        runs.push(launch(&d, &dir, &total_text).await);
        core.push(core_alone(&dir));
    }
    let ready = median(runs.iter().map(|r| r.window_ready).collect());
    let home = median(runs.iter().map(|r| r.unlock_to_home).collect());
    let search = median(runs.iter().map(|r| r.search_to_results).collect());
    let total = median(
        runs.iter()
            .map(|r| r.window_ready + r.unlock_to_home + r.search_to_results)
            .collect(),
    );
    let core = median(core);
    let figures = serde_json::json!({
        "messages": n,
        "repeat": repeat,
        "figures": [
            {"name": "window_cold_start", "value": round(total), "unit": "ms",
             "baseline": "the core's part alone: unlock, open, first search with facets, in-process",
             "baseline_value": round(core), "ratio": round(total / core)},
            {"name": "window_ready", "value": round(ready), "unit": "ms"},
            {"name": "unlock_to_home", "value": round(home), "unit": "ms"},
            {"name": "search_to_results", "value": round(search), "unit": "ms"},
        ]
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&figures).unwrap());
    } else {
        println!(
            "{n} messages: window cold start {total:.0} ms (window {ready:.0} ms, unlock to home {home:.0} ms, search {search:.0} ms); the core alone {core:.0} ms"
        );
    }
}
