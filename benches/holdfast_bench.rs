//! `holdfast-bench`: generates its own data and measures Holdfast against a baseline measured
//! in the same run, printing `{"machine": ..., "figures": [{"name", "value", "unit",
//! "baseline", "baseline_value", "ratio"}]}` with `--json`. `ratio` is value / baseline_value.
//!
//! ```text
//! holdfast-bench run --messages 1000000 --json
//! holdfast-bench gen whatsapp --messages 10000 --seed 7 --out chat.txt
//! ```

mod records;
mod search;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::{Parser, Subcommand};
use holdfast::archive::Archive;
use holdfast::crypto::keyfile::KdfProfile;
use holdfast::import::{self, Collected};
use holdfast::index::SearchIndex;
use serde::Serialize;
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "holdfast-bench",
    about = "Holdfast benchmarks against same-run baselines"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate data, run every benchmark and its baseline, print the figures
    Run {
        #[arg(long, default_value_t = 100_000)]
        messages: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Repetitions of each measurement (the median is reported)
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Which figures: import (WhatsApp), search, exports (Slack, mbox, Telegram,
        /// signal-export, Maildir), records, foi, or all
        #[arg(long, default_value = "all")]
        suite: String,
        /// Size of the generated Slack export and mbox for the exports suite
        #[arg(long, default_value_t = 64)]
        megabytes: u64,
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic export
    Gen {
        /// Format to generate: whatsapp (a file), telegram (a folder), signal-export (a
        /// folder), slack (a folder), mbox (a file), maildir (a folder), or archive (an
        /// encrypted archive folder, filled and indexed)
        format: String,
        /// Messages to generate (every format)
        #[arg(long, required_unless_present = "megabytes")]
        messages: Option<u64>,
        /// Size in megabytes instead of messages (slack and mbox only)
        #[arg(long, conflicts_with = "messages")]
        megabytes: Option<u64>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Passphrase of the generated archive (archive only)
        #[arg(long, default_value = "bench")]
        passphrase: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Parse an export without storing it and print messages/s (for profilers)
    Parse {
        file: PathBuf,
        /// Also index each message's text into a stock tantivy index in memory (default
        /// tokenizer, positions, one thread): the least any searchable import does
        #[arg(long)]
        stock_index: bool,
    },
    /// (internal) import one file in a fresh process and report time and peak memory
    #[command(hide = true)]
    ImportChild {
        file: PathBuf,
        archive: PathBuf,
        #[arg(long)]
        unencrypted: bool,
        #[arg(long)]
        sequential: bool,
    },
}

#[derive(Serialize)]
struct Figure {
    name: String,
    value: f64,
    unit: String,
    baseline: String,
    baseline_value: f64,
    ratio: f64,
}

/// Indexes what an importer reads into a stock tantivy index in memory, storing nothing else.
struct StockIndexSink {
    writer: tantivy::IndexWriter,
    text: tantivy::schema::Field,
    messages: u64,
}

impl StockIndexSink {
    fn new() -> Self {
        let mut b = tantivy::schema::Schema::builder();
        let text = b.add_text_field("text", tantivy::schema::TEXT);
        let index = tantivy::Index::create_in_ram(b.build());
        let writer = index
            .writer_with_num_threads(1, 64 * 1024 * 1024)
            .expect("an index writer in memory");
        StockIndexSink {
            writer,
            text,
            messages: 0,
        }
    }

    fn finish(mut self) -> holdfast::Result<u64> {
        self.writer.commit().map_err(stock_index_error)?;
        Ok(self.messages)
    }
}

fn stock_index_error(e: tantivy::TantivyError) -> holdfast::Error {
    holdfast::Error::Corrupt(format!("stock index: {e}"))
}

impl import::RecordSink for StockIndexSink {
    fn file(&mut self, _: import::SourceFile) -> holdfast::Result<()> {
        Ok(())
    }
    fn conversation(&mut self, _: import::ConversationRecord) -> holdfast::Result<()> {
        Ok(())
    }
    fn message(&mut self, m: import::MessageRecord) -> holdfast::Result<()> {
        self.messages += 1;
        self.writer
            .add_document(tantivy::doc!(self.text => m.body))
            .map_err(stock_index_error)?;
        Ok(())
    }
    fn warning(&mut self, _: &holdfast::error::Location, _: String) {}
    fn progress(&mut self, _: u64, _: u64) {}
}

fn figure(name: &str, value: f64, unit: &str, baseline: &str, baseline_value: f64) -> Figure {
    Figure {
        name: name.into(),
        value: round(value),
        unit: unit.into(),
        baseline: baseline.into(),
        baseline_value: round(baseline_value),
        ratio: round(value / baseline_value),
    }
}

fn round(x: f64) -> f64 {
    if x.abs() >= 100.0 {
        x.round()
    } else {
        (x * 1000.0).round() / 1000.0
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[v.len() / 2]
}

fn read_first_line_with(path: &str, prefix: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(prefix))
        .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
}

fn machine() -> serde_json::Value {
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("PRETTY_NAME="))
                .map(|l| l[12..].trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    json!({
        "cpu": read_first_line_with("/proc/cpuinfo", "model name").unwrap_or_default(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory": read_first_line_with("/proc/meminfo", "MemTotal").unwrap_or_default(),
        "os": os,
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
        "holdfast": env!("CARGO_PKG_VERSION"),
    })
}

/// Peak resident memory of this process, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    read_first_line_with("/proc/self/status", "VmHWM")
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn parse_options() -> import::ImportOptions {
    import::ImportOptions {
        zone: "Europe/London".parse().expect("zone"),
        zone_explicit: true,
        date_order: None,
    }
}

/// One import in this (fresh) process, as `holdfast import` does it: the index built alongside
/// the import and committed after it (`sequential`: the database import alone, then the index
/// caught up from the archive, timed apart).
fn import_child(
    file: &Path,
    archive: &Path,
    unencrypted: bool,
    sequential: bool,
) -> holdfast::Result<()> {
    let mut a = if unencrypted {
        Archive::create_unencrypted_benchmark_baseline(archive)?
    } else {
        Archive::create(archive, "bench", KdfProfile::InsecureTest)?.0
    };
    let plain = if unencrypted {
        let dir = archive.join("plain-index");
        std::fs::create_dir_all(&dir).map_err(|e| holdfast::Error::io(&dir, e))?;
        Some(SearchIndex::with_directory(
            Box::new(tantivy::directory::MmapDirectory::open(&dir).expect("plain index folder")),
            None,
            &dir,
        )?)
    } else {
        None
    };
    let t = Instant::now();
    let opts = parse_options();
    let report = match (&plain, sequential) {
        // The archive's own index, built alongside: what `holdfast import` does.
        (None, false) => {
            holdfast::archive::ingest::import_file(&mut a, file, None, &opts, None, &mut |_| {})?
        }
        // The baseline's plain index alongside, or no index during the import (sequential).
        (plain, sequential) => holdfast::archive::ingest::import_file_indexing(
            &mut a,
            plain.as_ref().filter(|_| !sequential),
            file,
            None,
            &opts,
            None,
            &mut |_| {},
        )?,
    };
    let seconds = t.elapsed().as_secs_f64();
    let import_peak = peak_rss_kib();
    let t = Instant::now();
    match &plain {
        Some(plain) => {
            plain.catch_up(a.conn(), &mut |_, _| {})?;
        }
        None => {
            a.catch_up_index(&mut |_, _| {})?;
        }
    }
    let index_seconds = t.elapsed().as_secs_f64();
    drop(a);
    let size: u64 = dir_size(archive);
    println!(
        "{}",
        json!({
            "seconds": seconds,
            "index_seconds": index_seconds,
            "messages": report.messages_added,
            "peak_rss_kib": peak_rss_kib(),
            "import_peak_rss_kib": import_peak,
            "archive_bytes": size,
        })
    );
    Ok(())
}

fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            total += if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

struct ChildRun {
    seconds: f64,
    index_seconds: f64,
    peak_rss_kib: u64,
    archive_bytes: u64,
}

fn run_child(file: &Path, archive: &Path, unencrypted: bool, sequential: bool) -> ChildRun {
    let _ = std::fs::remove_dir_all(archive);
    let mut cmd = Command::new(std::env::current_exe().expect("own path"));
    cmd.arg("import-child").arg(file).arg(archive);
    if unencrypted {
        cmd.arg("--unencrypted");
    }
    if sequential {
        cmd.arg("--sequential");
    }
    let out = cmd.output().expect("run the import child");
    assert!(
        out.status.success(),
        "import child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("child JSON");
    ChildRun {
        seconds: v["seconds"].as_f64().unwrap_or(f64::NAN),
        index_seconds: v["index_seconds"].as_f64().unwrap_or(f64::NAN),
        peak_rss_kib: v["peak_rss_kib"].as_u64().unwrap_or(0),
        archive_bytes: v["archive_bytes"].as_u64().unwrap_or(0),
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let r = f();
    (t.elapsed().as_secs_f64(), r)
}

fn run(
    messages: u64,
    seed: u64,
    repeat: usize,
    suite: &str,
    megabytes: u64,
    json_out: bool,
) -> Vec<Figure> {
    let log = |s: &str| {
        if !json_out {
            eprintln!("{s}");
        }
    };
    let mut figures = Vec::new();
    if suite == "all" || suite == "import" {
        figures.extend(import_figures(messages, seed, repeat, json_out));
    }
    if suite == "all" || suite == "exports" {
        figures.extend(export_figures(megabytes, seed, repeat, json_out));
    }
    if suite == "all" || suite == "search" {
        let f = search::figures(messages, seed, repeat, &log);
        for x in &f {
            log(&format!(
                "{}: {} {} (baseline {} {})",
                x.name, x.value, x.unit, x.baseline_value, x.unit
            ));
        }
        figures.extend(f);
    }
    if suite == "all" || suite == "foi" {
        let f = records::foi_figures(messages.min(10_000), seed, &log);
        for x in &f {
            log(&format!(
                "{}: {} {} (baseline {} {})",
                x.name, x.value, x.unit, x.baseline_value, x.unit
            ));
        }
        figures.extend(f);
    }
    if suite == "all" || suite == "records" {
        let f = records::figures(messages, seed, &log);
        for x in &f {
            log(&format!(
                "{}: {} {} (baseline {} {})",
                x.name, x.value, x.unit, x.baseline_value, x.unit
            ));
        }
        figures.extend(f);
    }
    figures
}

fn import_figures(messages: u64, seed: u64, repeat: usize, json_out: bool) -> Vec<Figure> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("WhatsApp Chat with Bench.txt");
    let mut f = std::fs::File::create(&file).expect("create export");
    holdfast::synth::whatsapp_android(&mut f, messages, seed, None).expect("generate");
    drop(f);
    let n = messages as f64;
    let log = |s: &str| {
        if !json_out {
            eprintln!("{s}");
        }
    };
    log(&format!(
        "generated {} messages ({} bytes)",
        messages,
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0)
    ));

    // 1. Parsing alone (one thread) vs reading and splitting the lines (the I/O floor).
    let opts = parse_options();
    let mut parse = Vec::new();
    let mut lines = Vec::new();
    for _ in 0..repeat {
        let (t, count) = time(|| {
            let mut sink = Collected::default();
            import::read_export(&file, None, &opts, &mut sink).expect("parse");
            sink.message_count
        });
        assert_eq!(count, messages);
        parse.push(n / t);
        let (t, _) = time(|| {
            let mut r =
                BufReader::with_capacity(256 * 1024, std::fs::File::open(&file).expect("open"));
            let mut buf = Vec::new();
            let mut k = 0u64;
            while r.read_until(b'\n', &mut buf).expect("read") > 0 {
                k += 1;
                buf.clear();
            }
            k
        });
        lines.push(n / t);
    }
    let mut figures = vec![figure(
        "whatsapp_parse",
        median(parse),
        "messages/s",
        "read and split the file's lines only",
        median(lines),
    )];
    log(&format!(
        "{}: {} {}",
        figures[0].name, figures[0].value, figures[0].unit
    ));

    // 2. The whole import (parse, encrypt, store) vs the same import into plain SQLite.
    let export_bytes = std::fs::metadata(&file)
        .map(|m| m.len() as f64)
        .unwrap_or(1.0);
    let imported = archive_import_figures("whatsapp", &file, n, export_bytes, repeat, tmp.path());
    for f in &imported {
        log(&format!(
            "{}: {} {} (baseline {} {})",
            f.name, f.value, f.unit, f.baseline_value, f.unit
        ));
    }
    figures.extend(imported);
    figures
}

/// `<name>_import`, `<name>_import_and_index`, `<name>_import_peak_memory` and
/// `<name>_archive_size_per_export_byte`: the import in a fresh process (median of `repeat`)
/// against the same import into unencrypted SQLite and an unencrypted index.
fn archive_import_figures(
    name: &str,
    export: &Path,
    messages: f64,
    export_bytes: f64,
    repeat: usize,
    work: &Path,
) -> Vec<Figure> {
    // End to end as `holdfast import` does it (the index built alongside), and the database
    // import alone (the sequential run's first phase).
    let (mut enc, mut plain, mut enc_db, mut plain_db) = (vec![], vec![], vec![], vec![]);
    for _ in 0..repeat {
        plain.push(run_child(export, &work.join("plain"), true, false));
        enc.push(run_child(export, &work.join("enc"), false, false));
        plain_db.push(run_child(export, &work.join("plain"), true, true));
        enc_db.push(run_child(export, &work.join("enc"), false, true));
    }
    let _ = std::fs::remove_dir_all(work.join("plain"));
    let _ = std::fs::remove_dir_all(work.join("enc"));
    let secs = |v: &[ChildRun]| median(v.iter().map(|r| r.seconds).collect());
    let with_index =
        |v: &[ChildRun]| median(v.iter().map(|r| r.seconds + r.index_seconds).collect());
    let peak = |v: &[ChildRun]| median(v.iter().map(|r| r.peak_rss_kib as f64 / 1024.0).collect());
    let size = |v: &[ChildRun]| median(v.iter().map(|r| r.archive_bytes as f64).collect());
    vec![
        figure(
            &format!("{name}_import"),
            messages / secs(&enc_db),
            "messages/s",
            "same import into unencrypted SQLite",
            messages / secs(&plain_db),
        ),
        figure(
            &format!("{name}_import_and_index"),
            messages / with_index(&enc),
            "messages/s",
            "same, into unencrypted SQLite and an unencrypted index",
            messages / with_index(&plain),
        ),
        figure(
            &format!("{name}_import_peak_memory"),
            peak(&enc),
            "MiB",
            "same import into unencrypted SQLite",
            peak(&plain),
        ),
        figure(
            &format!("{name}_archive_size_per_export_byte"),
            size(&enc) / export_bytes,
            "bytes/byte",
            "unencrypted SQLite archive",
            size(&plain) / export_bytes,
        ),
    ]
}

/// A generated Slack export folder and mbox of `megabytes` each, and a Telegram account export,
/// a signal-export folder and a Maildir with as many messages as the Slack export, each
/// imported end to end.
fn export_figures(megabytes: u64, seed: u64, repeat: usize, json_out: bool) -> Vec<Figure> {
    let log = |s: &str| {
        if !json_out {
            eprintln!("{s}");
        }
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let bytes = megabytes * 1024 * 1024;
    let mut figures = Vec::new();

    let slack = tmp.path().join("Bench Slack export");
    let n = holdfast::synth::exports::slack_export(&slack, bytes, seed).expect("generate Slack");
    let slack_messages = n;
    let size = dir_size(&slack) as f64;
    log(&format!(
        "generated a Slack export: {n} messages, {size} bytes"
    ));
    figures.extend(archive_import_figures(
        "slack",
        &slack,
        n as f64,
        size,
        repeat,
        tmp.path(),
    ));
    let _ = std::fs::remove_dir_all(&slack);

    let mbox = tmp.path().join("Bench.mbox");
    let n = holdfast::synth::exports::mbox(
        &mut std::fs::File::create(&mbox).expect("create mbox"),
        bytes,
        seed,
    )
    .expect("generate mbox");
    let size = std::fs::metadata(&mbox)
        .map(|m| m.len() as f64)
        .unwrap_or(1.0);
    log(&format!("generated an mbox: {n} messages, {size} bytes"));
    figures.extend(archive_import_figures(
        "mbox",
        &mbox,
        n as f64,
        size,
        repeat,
        tmp.path(),
    ));
    let _ = std::fs::remove_file(&mbox);

    // The other formats, each with as many messages as the Slack export; a Maildir (a file
    // per message, each stored as its own encrypted original) with at most 10,000.
    let others = [
        ("telegram", "Bench Telegram export", slack_messages),
        ("signal-export", "Bench signal-export", slack_messages),
        ("maildir", "Bench Maildir", slack_messages.min(10_000)),
    ];
    for (format, folder, messages) in others {
        let dir = tmp.path().join(folder);
        let generate = holdfast::synth::generator(format).expect("a generated format");
        let n = generate(&dir, messages, seed).expect("generate an export");
        let name = format.replace('-', "_");
        let size = dir_size(&dir) as f64;
        log(&format!("generated {name}: {n} messages, {size} bytes"));
        figures.extend(archive_import_figures(
            &name,
            &dir,
            n as f64,
            size,
            repeat,
            tmp.path(),
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
    for f in &figures {
        log(&format!(
            "{}: {} {} (baseline {} {})",
            f.name, f.value, f.unit, f.baseline_value, f.unit
        ));
    }
    figures
}

fn main() -> ExitCode {
    holdfast::tune_allocator();
    let cli = Cli::parse();
    match cli.command {
        Cmd::Run {
            messages,
            seed,
            repeat,
            suite,
            megabytes,
            json,
        } => {
            if !["all", "import", "search", "exports", "records", "foi"].contains(&suite.as_str()) {
                eprintln!("error: --suite is import, search, exports, records, foi or all");
                return ExitCode::from(2);
            }
            let figures = run(messages, seed, repeat.max(1), &suite, megabytes, json);
            let out = json!({"machine": machine(), "messages": messages, "figures": figures});
            if json {
                println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
            } else {
                println!(
                    "{:<32} {:>14} {:>14} {:>8}  unit",
                    "figure", "holdfast", "baseline", "ratio"
                );
                for f in &figures {
                    println!(
                        "{:<32} {:>14} {:>14} {:>8}  {}",
                        f.name, f.value, f.baseline_value, f.ratio, f.unit
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Cmd::Gen {
            format,
            messages,
            megabytes,
            seed,
            passphrase,
            out,
        } => gen(&format, messages, megabytes, seed, &passphrase, &out),
        Cmd::Parse { file, stock_index } => {
            let (t, n) = time(|| match stock_index {
                false => {
                    let mut sink = Collected::default();
                    import::read_export(&file, None, &parse_options(), &mut sink)
                        .map(|_| sink.message_count)
                }
                true => {
                    let mut sink = StockIndexSink::new();
                    import::read_export(&file, None, &parse_options(), &mut sink)?;
                    sink.finish()
                }
            });
            match n {
                Ok(n) => {
                    println!("{n} messages in {t:.3} s: {:.0} messages/s", n as f64 / t);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Cmd::ImportChild {
            file,
            archive,
            unencrypted,
            sequential,
        } => match import_child(&file, &archive, unencrypted, sequential) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
    }
}

/// The formats `holdfast-bench gen` writes: the exports, and an archive.
fn gen_formats() -> String {
    let mut names: Vec<&str> = holdfast::synth::FORMATS.iter().map(|(n, _)| *n).collect();
    names.push("archive");
    names.join(", ")
}

/// `holdfast-bench gen`: writes one synthetic export (or archive) and says how many messages it
/// holds and how long it took.
fn gen(
    format: &str,
    messages: Option<u64>,
    megabytes: Option<u64>,
    seed: u64,
    passphrase: &str,
    out: &Path,
) -> ExitCode {
    use holdfast::synth::{self, exports};
    let known = format == "archive" || synth::generator(format).is_some();
    if !known {
        eprintln!(
            "error: unknown format '{format}' (available: {})",
            gen_formats()
        );
        return ExitCode::from(2);
    }
    let t = Instant::now();
    // The generators buffer (and flush) what they write.
    let result: Result<u64, String> = match (format, messages, megabytes) {
        ("slack", _, Some(mb)) => {
            exports::slack_export(out, mb << 20, seed).map_err(|e| e.to_string())
        }
        ("mbox", _, Some(mb)) => std::fs::File::create(out)
            .and_then(|mut f| exports::mbox(&mut f, mb << 20, seed))
            .map_err(|e| e.to_string()),
        (_, _, Some(_)) => {
            eprintln!("error: --megabytes is for slack and mbox; use --messages for {format}");
            return ExitCode::from(2);
        }
        ("archive", Some(n), _) => gen_archive(out, n, seed, passphrase),
        (_, Some(n), _) => synth::generator(format).expect("a known format")(out, n, seed)
            .map_err(|e| e.to_string()),
        (_, None, None) => unreachable!("clap requires --messages without --megabytes"),
    };
    match result {
        Ok(n) => {
            println!(
                "{format}: {n} messages in {:.2} s: {}",
                t.elapsed().as_secs_f64(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}

/// A new encrypted archive at `out` (the key derivation of `holdfast init`, or the test one
/// when `HOLDFAST_INSECURE_TEST_KDF=1`), filled by `synth::fill_archive` and indexed. Opened
/// with the passphrase; its recovery key is not kept.
fn gen_archive(out: &Path, messages: u64, seed: u64, passphrase: &str) -> Result<u64, String> {
    let (mut a, _recovery) =
        Archive::create(out, passphrase, KdfProfile::from_env()).map_err(|e| e.to_string())?;
    holdfast::synth::fill_archive(a.conn_mut(), messages, seed).map_err(|e| e.to_string())?;
    a.catch_up_index(&mut |_, _| {})
        .map_err(|e| e.to_string())?;
    Ok(messages)
}
