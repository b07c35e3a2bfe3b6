//! FOI and subject-access cases through the `holdfast` binary: statutory clocks, clarification,
//! the hold a case places on its scope, searches logged against the case.

mod common;

use common::*;
use mail_parser::MimeHeaders;
use serde_json::Value;
use sha2::{Digest, Sha256};

const NORTHGATE: &str = "whatsapp/WhatsApp Chat with Northgate depot.txt";

fn new_case(env: &Env, args: &[&str]) -> Value {
    let mut a = vec!["foi", "new"];
    a.extend_from_slice(args);
    env.json(&a)
}

#[test]
fn statutory_clocks_from_the_command_line() {
    let (env, _) = Env::init();
    for (args, due) in [
        (vec!["FOI-1", "--received", "2026-12-21"], "2027-01-22"),
        (vec!["FOI-2", "--received", "2027-03-15"], "2027-04-15"),
        (
            vec!["SAR-1", "--kind", "sar", "--received", "2027-01-31"],
            "2027-03-01",
        ),
        (
            vec![
                "EIR-1",
                "--kind",
                "eir",
                "--received",
                "2027-03-15",
                "--complex",
            ],
            "2027-05-14",
        ),
        (
            vec!["US-1", "--kind", "foia", "--received", "2027-11-01"],
            "2027-12-01",
        ),
    ] {
        let c = new_case(&env, &args);
        assert_eq!(c["due"], due, "{args:?}");
        assert_eq!(c["status"], "open");
    }
    // Days left, counted in working days from a fixed "today".
    let out = env
        .cmd()
        .env("HOLDFAST_TODAY", "2027-01-18")
        .args(["foi", "show", "FOI-1", "--json"])
        .output()
        .unwrap();
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["days_left"], 4);

    // A clarification asked on day 5 stops the clock; its answer 10 days later restarts it.
    let c = env.json(&["foi", "clarify", "FOI-2", "--asked", "2027-03-23"]);
    assert_eq!(c["status"], "awaiting_clarification");
    assert_eq!(c["due"], Value::Null);
    let c = env.json(&["foi", "clarify", "FOI-2", "--answered", "2027-04-02"]);
    assert_eq!(c["status"], "open");
    assert_eq!(c["due"], "2027-04-30");
    assert_eq!(c["clarifications"][0]["asked"], "2027-03-23");

    // Bad input: exit 1, a message naming what is wrong, nothing written.
    let before = env.snapshot();
    for (args, says) in [
        (
            vec!["foi", "new", "FOI-9", "--received", "21/12/2026"],
            "--received",
        ),
        (
            vec!["foi", "new", "FOI-1", "--received", "2026-12-21"],
            "exists already",
        ),
        (
            vec![
                "foi",
                "new",
                "FOI-9",
                "--received",
                "2026-12-21",
                "--scope",
                "(unclosed",
            ],
            "query",
        ),
        (
            vec!["foi", "clarify", "FOI-1", "--answered", "2027-01-02"],
            "awaits no clarification",
        ),
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(env.snapshot(), before);
    let list = env.json(&["foi", "list"]);
    assert_eq!(list["cases"].as_array().unwrap().len(), 5);
}

#[test]
fn logging_a_case_holds_its_scope_until_the_case_is_closed() {
    let (env, _) = Env::init();
    env.import(&fixture(NORTHGATE), &[]);
    env.json(&["tag", "add", "transitory", "--conversation", "1"]);
    let plan = env.json(&["dispose", "--dry-run"]);
    let due: Vec<i64> = plan["due"][0]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(due.len(), 22, "{plan}");

    let case = new_case(
        &env,
        &[
            "FOI-2026-014",
            "--received",
            "2026-12-21",
            "--requester",
            "J. Smith",
            "--scope",
            "roof",
        ],
    );
    assert_eq!(case["hold"], "FOI-2026-014");
    assert_eq!(case["held_messages"], 2);
    let case = env.json(&["foi", "scope", "FOI-2026-014", "membrane OR scaffold*"]);
    let held = case["held_messages"].as_u64().unwrap();
    assert!(held > 2, "{case}");

    // A search for the case is logged against it.
    let hits = env.json(&["foi", "search", "FOI-2026-014", "quote"]);
    assert!(hits["total"].as_u64().unwrap() >= 1);
    let logged: Vec<Value> = env.json(&["audit", "log", "--action", "search"])["entries"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        logged
            .iter()
            .any(|e| e["detail"]["case"] == "FOI-2026-014" && e["detail"]["query"] == "quote"),
        "{logged:?}"
    );

    // In-scope messages survive a disposal run and can't be deleted while the case is open.
    let r = env.json(&["dispose", "--apply", "--approver", "Dana"]);
    assert_eq!(r["certificate"]["messages"], 22 - held, "{r}");
    assert_eq!(env.stats()["messages"], held);
    let left = env.json(&["show", "1"])["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = env.run(&["delete", &left]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("FOI-2026-014"), "{}", stderr(&out));

    // Closing the case releases its hold, on the record; the next run disposes of them.
    let c = env.json(&["foi", "close", "FOI-2026-014"]);
    assert_eq!(c["status"], "closed");
    assert_eq!(c["hold"], Value::Null);
    let actions: Vec<String> = env.json(&["audit", "log"])["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    for a in [
        "foi.new",
        "hold.add",
        "foi.scope",
        "hold.scope",
        "foi.close",
        "hold.release",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} missing: {actions:?}");
    }
    let r = env.json(&["dispose", "--apply", "--approver", "Dana"]);
    assert_eq!(r["certificate"]["messages"], held);
    assert_eq!(env.stats()["messages"], 0);
    assert_eq!(env.json(&["audit", "verify"])["ok"], true);
}

/// A fixture case reviewed, redacted and produced: what the requester receives.
fn produce(env: &Env) -> (std::path::PathBuf, Value) {
    env.import(&fixture(NORTHGATE), &[]);
    new_case(
        env,
        &[
            "FOI-2026-014",
            "--received",
            "2026-12-21",
            "--requester",
            "Aoife Byrne",
            "--scope",
            "roof OR membrane OR scaffold*",
            "--scope",
            "from:priya",
        ],
    );
    let p = env.json(&[
        "foi",
        "review",
        "FOI-2026-014",
        "--all",
        "--mark",
        "responsive",
    ]);
    assert_eq!(p["unreviewed"], 0, "{p}");
    // One message withheld in full, one span redacted, and the suggestions accepted.
    let items = env.json(&["foi", "review", "FOI-2026-014", "--list"])["messages"]
        .as_array()
        .unwrap()
        .clone();
    let find = |needle: &str| {
        items
            .iter()
            .find(|m| m["text"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no message with {needle}"))["message_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let quote = find("Halden Roofing");
    let budget = find("Budget line 4.2");
    env.json(&[
        "foi",
        "redact",
        "FOI-2026-014",
        "--message",
        &quote,
        "--text",
        "Halden Roofing",
        "--code",
        "s43",
    ]);
    env.json(&[
        "foi",
        "review",
        "FOI-2026-014",
        "--message",
        &budget,
        "--mark",
        "exempt",
        "--code",
        "s36",
    ]);
    env.json(&["foi", "redact", "FOI-2026-014", "--suggest"]);
    env.json(&["foi", "redact", "FOI-2026-014", "--accept-all"]);
    let out = env.path("response");
    let r = env.json(&[
        "foi",
        "export",
        "FOI-2026-014",
        "--out",
        out.to_str().unwrap(),
    ]);
    (out, r)
}

#[test]
fn a_production_is_complete_hashed_numbered_and_burned_in() {
    let (env, _) = Env::init();
    let (out, report) = produce(&env);
    assert_eq!(report["withheld"], 1);
    assert!(report["redactions"].as_u64().unwrap() >= 1);

    // Every file listed with a matching hash, nothing unlisted, and the root hash recomputes.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<(String, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut on_disk: Vec<String> = files_under(&out)
        .iter()
        .map(|f| f.strip_prefix(&out).unwrap().display().to_string())
        .filter(|p| p != "manifest.json")
        .collect();
    on_disk.sort();
    let mut names: Vec<String> = listed.iter().map(|(p, _)| p.clone()).collect();
    names.sort();
    assert_eq!(names, on_disk);
    let mut lines = String::new();
    for (path, sha) in &listed {
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(&hex::encode(Sha256::digest(&bytes)), sha, "{path}");
        lines.push_str(&format!("{sha}  {path}\n"));
    }
    assert_eq!(
        manifest["root_hash"].as_str().unwrap(),
        hex::encode(Sha256::digest(lines.as_bytes()))
    );
    assert_eq!(manifest["case"], "FOI-2026-014");
    assert_eq!(manifest["scope"].as_array().unwrap().len(), 2);
    for kind in [".html", ".pdf"] {
        assert!(names
            .iter()
            .any(|n| n.starts_with("transcripts/") && n.ends_with(kind)));
    }
    for f in [
        "messages.jsonl",
        "messages.csv",
        "production.rsmf",
        "exemptions.csv",
        "exemptions.json",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing");
    }

    // Control numbers: unique and consecutive.
    let rows: Vec<Value> = std::fs::read_to_string(out.join("messages.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["control"], format!("FOI-2026-014-{:06}", i + 1));
    }
    assert_eq!(rows.len() as u64, report["messages"].as_u64().unwrap());

    // Burned in: the redacted words are in no produced file, in any form; the rest is there.
    let pdf_text: String = names
        .iter()
        .filter(|n| n.ends_with(".pdf"))
        .map(|n| pdf_text(&out.join(n)))
        .collect();
    for secret in ["Halden Roofing", "Budget line 4.2", "car park resurfacing"] {
        for f in files_under(&out) {
            let bytes = std::fs::read(&f).unwrap();
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{} holds {secret}",
                f.display()
            );
            let utf16: Vec<u8> = secret
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes())
                .collect();
            assert!(
                !contains(&bytes, &utf16),
                "{} holds {secret} (UTF-16)",
                f.display()
            );
        }
        assert!(!pdf_text.contains(secret), "the PDF text holds {secret}");
    }
    for kept in [
        "Quote for the roof membrane",
        "[REDACTED s43]",
        "Withheld in full: s36",
    ] {
        assert!(
            pdf_text.contains(kept),
            "the PDF text lacks {kept}: {pdf_text}"
        );
        let html: String = names
            .iter()
            .filter(|n| n.ends_with(".html"))
            .map(|n| std::fs::read_to_string(out.join(n)).unwrap())
            .collect();
        assert!(html.contains(kept), "the HTML lacks {kept}");
    }
    let schedule = std::fs::read_to_string(out.join("exemptions.csv")).unwrap();
    assert!(
        schedule.contains("withheld in full,s36") && schedule.contains("part redacted,s43"),
        "{schedule}"
    );
    let exported: Vec<Value> = env.json(&["audit", "log", "--action", "foi.export"])["entries"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(exported[0]["detail"]["root_hash"], manifest["root_hash"]);

    // A second export never overwrites the first.
    let again = env.run(&[
        "foi",
        "export",
        "FOI-2026-014",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not empty"));
}

fn pdf_text(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"%PDF-"),
        "{} is not a PDF",
        path.display()
    );
    pdf_extract::extract_text_from_mem(&bytes)
        .unwrap_or_else(|e| panic!("{}: no text extracted: {e}", path.display()))
}

#[test]
fn the_rsmf_file_validates_against_its_manifest_schema() {
    let (env, _) = Env::init();
    let (out, report) = produce(&env);
    let eml = std::fs::read(out.join("production.rsmf")).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&eml).unwrap();
    let header = |name: &str| {
        msg.header_raw(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .trim()
            .to_string()
    };
    assert!(header("X-RSMF-Version").starts_with('2'));
    let zip_part = msg
        .attachments()
        .find(|a| a.attachment_name() == Some("rsmf.zip"))
        .expect("rsmf.zip attached");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_part.contents().to_vec())).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("rsmf_manifest.json").unwrap(),
        &mut manifest,
    )
    .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    let schema: Value =
        serde_json::from_slice(&std::fs::read(fixture("rsmf/rsmf_manifest.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let events = manifest["events"].as_array().unwrap();
    assert_eq!(events.len() as u64, report["messages"].as_u64().unwrap());
    assert_eq!(header("X-RSMF-EventCount"), events.len().to_string());
    let text = serde_json::to_string(&manifest).unwrap();
    assert!(!text.contains("Halden Roofing"));
}
