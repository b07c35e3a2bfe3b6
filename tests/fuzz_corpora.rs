//! The cargo-fuzz targets' inputs on stable, in CI: every seed in `fuzz/corpus/<target>/` and
//! every input a fuzzer crashed on in `fuzz/regressions/<target>/` goes through the same
//! `holdfast::fuzzing` function the target calls (which panics when a promise is broken). A
//! target whose seed folder is missing or empty fails, so this cannot silently test nothing.
//! See docs/fuzzing.md.

use std::path::{Path, PathBuf};

use holdfast::fuzzing;

type Entry = fn(&[u8]);

const TARGETS: &[(&str, Entry)] = &[
    ("whatsapp", fuzzing::whatsapp),
    ("telegram", fuzzing::telegram),
    ("slack_zip", fuzzing::slack_zip),
    ("email", fuzzing::email),
    ("signal_export", fuzzing::signal_export),
    ("query", fuzzing::query),
];

fn fuzz_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(rel)
}

/// The files of a folder, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs each input, naming the one that panicked.
fn run_all(target: &str, entry: Entry, inputs: &[PathBuf]) {
    for path in inputs {
        let data = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| entry(&data)).is_err() {
            panic!("{target}: {} panicked (see above)", path.display());
        }
    }
}

#[test]
fn every_target_has_a_seed_corpus() {
    for (target, _) in TARGETS {
        let dir = fuzz_dir(&format!("corpus/{target}"));
        let seeds = files(&dir);
        assert!(
            !seeds.is_empty(),
            "{target}: no seed inputs in {} (missing or empty)",
            dir.display()
        );
        for s in &seeds {
            let size = std::fs::metadata(s).unwrap().len();
            assert!(
                size < 20_000,
                "{}: {size} bytes, keep seeds small",
                s.display()
            );
        }
    }
    // No folder for a target that does not exist.
    for kind in ["corpus", "regressions"] {
        for d in std::fs::read_dir(fuzz_dir(kind)).into_iter().flatten() {
            let name = d.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/{kind}/{name} is not a fuzz target"
            );
        }
    }
}

/// Every target's inputs under `fuzz/<folder>/<target>/`.
fn run_every_target(folder: &str) {
    for (target, entry) in TARGETS {
        run_all(
            target,
            *entry,
            &files(&fuzz_dir(&format!("{folder}/{target}"))),
        );
    }
}

#[test]
fn seed_corpora_never_panic() {
    run_every_target("corpus");
}

#[test]
fn regressions_never_panic() {
    run_every_target("regressions");
}

/// The importers' seeds are whole exports of their formats, so the fuzzer's mutations start
/// deep inside each importer rather than at inputs detection turns away.
#[test]
fn importer_seeds_read_whole() {
    let names: &[(&str, &[&str])] = &[
        ("whatsapp", &[fuzzing::WHATSAPP_NAME]),
        ("telegram", &[fuzzing::TELEGRAM_NAME]),
        ("slack_zip", &[fuzzing::SLACK_ZIP_NAME]),
        ("email", &[fuzzing::MBOX_NAME, fuzzing::EML_NAME]),
        (
            "signal_export",
            &[fuzzing::SIGNAL_MD_NAME, fuzzing::SIGNAL_JSON_NAME],
        ),
    ];
    for (target, as_names) in names {
        for seed in files(&fuzz_dir(&format!("corpus/{target}"))) {
            let data = std::fs::read(&seed).unwrap();
            let read = as_names
                .iter()
                .filter_map(|n| fuzzing::read_as(n, &data).ok())
                .map(|c| c.message_count)
                .max();
            assert!(
                read.is_some_and(|n| n >= 1),
                "{}: read as {as_names:?} gave {read:?} messages",
                seed.display()
            );
        }
    }
}
