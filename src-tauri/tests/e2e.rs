//! End to end: the real built desktop app, driven through `tauri-driver` and WebKitWebDriver
//! (WebDriver), on archives prepared with the core. Screenshots of every screen visited go to
//! target/e2e-screens/ for review.
//!
//! Needs `tauri-driver` (cargo install tauri-driver --locked), `WebKitWebDriver` (Debian
//! webkit2gtk-driver) and a display (`Xvfb` is started when DISPLAY is unset). Without them the
//! test says it skipped, unless HOLDFAST_REQUIRE_E2E=1 (set by scripts/test.sh), where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use fantoccini::Locator;
use holdfast::archive::{Archive, Unlock};
use holdfast::crypto::keyfile::KdfProfile;
use serde_json::json;

const PASSPHRASE: &str = "e2e passphrase for the test";
const HOSTILE: &str = "<img src=x onerror=alert(1)><b>bold</b>";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn prepared_archive(dir: &Path) {
    let (mut a, _) = Archive::create(dir, PASSPHRASE, KdfProfile::InsecureTest).unwrap();
    let hostile = dir.parent().unwrap().join("WhatsApp Chat with Mallory.txt");
    std::fs::write(
        &hostile,
        format!("10/01/2024, 09:00 - Mallory: {HOSTILE}\n"),
    )
    .unwrap();
    let opts = holdfast::api::ImportOptions {
        tz: Some("Europe/London".into()),
        ..Default::default()
    };
    holdfast::api::import(
        &mut a,
        &[
            fixtures().join("whatsapp/WhatsApp Chat with Northgate depot.txt"),
            hostile,
        ],
        &opts,
        &mut |_| {},
    )
    .unwrap();
}

const PHOTO: &str = "00000003-PHOTO-2024-11-14-18-03-52.jpg";

/// The iOS fixture's chat as a zip, its photo a real picture (tests/fixtures/pictures).
fn ios_zip(dest: &Path) {
    use std::io::Write;
    let mut w = zip_writer(dest);
    for (name, from) in [
        ("_chat.txt", fixtures().join("whatsapp/ios/_chat.txt")),
        (PHOTO, fixtures().join("pictures/site-photo.jpg")),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&std::fs::read(from).unwrap()).unwrap();
    }
    w.finish().unwrap();
}

fn zip_writer(dest: &Path) -> zip::ZipWriter<std::fs::File> {
    zip::ZipWriter::new(std::fs::File::create(dest).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn desktop_app_unlocks_shows_imports_and_creates_archives() {
    let Some(d) = driver() else { return };
    let tmp = tempfile::tempdir().unwrap();

    // 1. An existing archive: unlock (wrong, then right), home, conversations, hostile text,
    //    import, lock.
    let dir = tmp.path().join("archive");
    prepared_archive(&dir);
    let c = session(&d, &dir).await;
    css(&c, "#passphrase")
        .await
        .send_keys("not the passphrase")
        .await
        .unwrap();
    css(&c, "#unlock-btn").await.click().await.unwrap();
    let err = text_of(&c, "#unlock-error").await;
    assert!(err.to_lowercase().contains("wrong passphrase"), "{err}");
    shot(&c, "unlock-error").await;
    let field = css(&c, "#passphrase").await;
    field.clear().await.unwrap();
    field.send_keys(PASSPHRASE).await.unwrap();
    css(&c, "#unlock-btn").await.click().await.unwrap();
    wait_text(&c, "#stat-messages", |t| t.trim() == "23").await;
    assert_eq!(text_of(&c, "#stat-conversations").await.trim(), "2");
    wait_text(&c, "#home-untriaged", |t| t.trim() == "2").await;
    let used = text_of(&c, "#stat-storage").await;
    assert!(
        used.contains("KB") || used.contains("MB"),
        "storage used: {used}"
    );
    shot(&c, "home").await;

    go(&c, "conversations").await;
    css(&c, ".conversation-row").await;
    shot(&c, "conversations").await;
    let rows = c.find_all(Locator::Css(".conversation-row")).await.unwrap();
    assert_eq!(rows.len(), 2);
    let mut mallory = None;
    for r in rows {
        if r.html(false).await.unwrap().contains("Mallory") {
            mallory = Some(r);
        }
    }
    mallory
        .expect("Mallory's chat is listed")
        .click()
        .await
        .unwrap();
    css(&c, ".message[data-kind=\"text\"]").await;
    let shown = text_of(&c, ".message[data-kind=\"text\"]").await;
    assert!(shown.contains(HOSTILE), "chat text shows as text: {shown}");
    assert!(c
        .find_all(Locator::Css(".message img, .message b"))
        .await
        .unwrap()
        .is_empty());
    shot(&c, "conversation-hostile").await;

    let rows = c.find_all(Locator::Css(".conversation-row")).await.unwrap();
    for r in rows {
        if r.html(false).await.unwrap().contains("Northgate") {
            r.click().await.unwrap();
        }
    }
    for _ in 0..50 {
        if c.find_all(Locator::Css(".message")).await.unwrap().len() == 22 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        c.find_all(Locator::Css(".message")).await.unwrap().len(),
        22
    );
    assert_eq!(
        c.find_all(Locator::Css(".message[data-kind=\"system\"]"))
            .await
            .unwrap()
            .len(),
        4
    );
    shot(&c, "conversation").await;

    go(&c, "import").await;
    let zip = tmp.path().join("WhatsApp Chat - Facilities board.zip");
    ios_zip(&zip);
    css(&c, "#import-path")
        .await
        .send_keys(zip.to_str().unwrap())
        .await
        .unwrap();
    shot(&c, "import").await;
    css(&c, "#import-btn").await.click().await.unwrap();
    let added = text_of(&c, ".import-result dd[data-field=\"added\"]").await;
    assert_eq!(added.trim(), "9");
    shot(&c, "import-result").await;
    go(&c, "home").await;
    wait_text(&c, "#stat-messages", |t| t.trim() == "32").await;

    // Search (the encrypted index, through the real app).
    go(&c, "search").await;
    let input = css(&c, "#search-input").await;
    input.send_keys("roof membrane\u{E007}").await.unwrap();
    wait_text(&c, "#search-total", |t| {
        t.contains('1') && t.contains("message")
    })
    .await;
    let hits = c.find_all(Locator::Css(".search-hit")).await.unwrap();
    assert_eq!(hits.len(), 1);
    let marked = c.find_all(Locator::Css(".search-hit mark")).await.unwrap();
    assert_eq!(marked.len(), 3, "roof, membrane, membrane highlighted");
    shot(&c, "search").await;
    hits[0].click().await.unwrap();
    css(&c, "#hit-context .message").await;
    shot(&c, "search-context").await;
    let input = css(&c, "#search-input").await;
    input.clear().await.unwrap();
    input.send_keys("(roof\u{E007}").await.unwrap();
    let e = text_of(&c, "#search-error").await;
    assert!(e.contains("never closed"), "{e}");

    // A Slack export folder: a thread reply shows its parent as a quote, reactions as chips.
    go(&c, "import").await;
    let slack = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../demo/exports/Northgate Slack export Dec 1 2025 - Dec 3 2025");
    let path_input = css(&c, "#import-path").await;
    path_input.clear().await.unwrap();
    path_input.send_keys(slack.to_str().unwrap()).await.unwrap();
    css(&c, "#import-btn").await.click().await.unwrap();
    wait_text(&c, ".import-result dd[data-field=\"added\"]", |t| {
        t.trim() == "5"
    })
    .await;
    go(&c, "conversations").await;
    css(&c, ".conversation-row").await;
    for r in c.find_all(Locator::Css(".conversation-row")).await.unwrap() {
        if r.html(false).await.unwrap().contains("#site-ops") {
            r.click().await.unwrap();
        }
    }
    let quote = text_of(&c, ".reply-quote").await;
    assert!(
        quote.contains("Alex Morgan") && quote.contains("Skip lorry booked"),
        "the reply quotes its parent: {quote}"
    );
    let reaction = css(&c, ".reaction").await;
    let who = reaction.attr("title").await.unwrap().unwrap_or_default();
    assert!(
        who.contains("👍") && who.contains("Raj Patel") && who.contains("Alex Morgan"),
        "{who}"
    );
    shot(&c, "conversation-slack").await;

    // A picture from the iOS zip shows inline, decrypted through attachment://; Save a copy
    // writes the original bytes into Downloads.
    for r in c.find_all(Locator::Css(".conversation-row")).await.unwrap() {
        if r.html(false).await.unwrap().contains("Facilities board") {
            r.click().await.unwrap();
        }
    }
    css(&c, "img.attachment-picture").await;
    let mut width = serde_json::Value::Null;
    for _ in 0..50 {
        width = c
            .execute(
                "const i = document.querySelector('img.attachment-picture');
                 return i && i.complete ? i.naturalWidth : 0;",
                vec![],
            )
            .await
            .unwrap();
        if width.as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        width.as_u64().unwrap_or(0) > 0,
        "the picture loaded: {width}"
    );
    shot(&c, "conversation-picture").await;
    css(&c, ".attachment-save").await.click().await.unwrap();
    let note = text_of(&c, ".attachment-note").await;
    assert!(note.contains("Saved to"), "{note}");
    assert_eq!(
        std::fs::read(d.downloads.join(PHOTO)).unwrap(),
        std::fs::read(fixtures().join("pictures/site-photo.jpg")).unwrap(),
        "the saved copy is the original"
    );

    // Triage a conversation in one click; the class shows as pressed and survives a reload.
    for r in c.find_all(Locator::Css(".conversation-row")).await.unwrap() {
        if r.html(false).await.unwrap().contains("Northgate depot") {
            r.click().await.unwrap();
        }
    }
    css(&c, "button.triage-btn[data-triage=\"business\"]")
        .await
        .click()
        .await
        .unwrap();
    wait_attr(
        &c,
        "button.triage-btn[data-triage=\"business\"]",
        "aria-pressed",
        "true",
    )
    .await;
    shot(&c, "conversation-triaged").await;

    // Select a range of messages (a click, then a shift-click five messages on) and tag them;
    // the search index follows.
    css(&c, "#select-toggle").await.click().await.unwrap();
    css(&c, ".select-message").await;
    let boxes = c.find_all(Locator::Css(".select-message")).await.unwrap();
    boxes[1].click().await.unwrap();
    let shifted = c
        .execute(
            "const b = document.querySelectorAll('.select-message')[5];
             b.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, shiftKey: true}));
             return document.querySelectorAll('.select-message:checked').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shifted, json!(5), "a shift-click selects the range");
    wait_text(&c, "#selection-count", |t| t.starts_with("5 selected")).await;
    css(&c, "#selection-tag")
        .await
        .send_keys("contract")
        .await
        .unwrap();
    css(&c, "#selection-tag-btn").await.click().await.unwrap();
    let tagged = text_of(&c, "#selection-status").await;
    assert!(tagged.contains("Tagged 5 messages"), "{tagged}");
    shot(&c, "conversation-selection-tagged").await;
    go(&c, "search").await;
    let input = css(&c, "#search-input").await;
    input.clear().await.unwrap();
    input.send_keys("tag:contract\u{E007}").await.unwrap();
    wait_text(&c, "#search-total", |t| t.trim().starts_with("5 messages")).await;

    // Records: policies, what is due, holds placed and released.
    go(&c, "records").await;
    css(&c, "#policies-table .policy-row").await;
    css(&c, "#hold-name")
        .await
        .send_keys("Smith v Northgate")
        .await
        .unwrap();
    css(&c, "#hold-match")
        .await
        .send_keys("depot")
        .await
        .unwrap();
    css(&c, "#hold-reason")
        .await
        .send_keys("Letter before claim")
        .await
        .unwrap();
    css(&c, "#hold-add-btn").await.click().await.unwrap();
    let held = text_of(&c, ".hold-row[data-active=\"true\"]").await;
    assert!(held.contains("Smith v Northgate"), "{held}");
    shot(&c, "records-hold").await;
    css(&c, ".hold-release[data-hold=\"Smith v Northgate\"]")
        .await
        .click()
        .await
        .unwrap();
    css(&c, ".hold-release-confirm[data-hold=\"Smith v Northgate\"]")
        .await
        .click()
        .await
        .unwrap();
    css(&c, ".hold-row[data-active=\"false\"]").await;
    assert!(c
        .find_all(Locator::Css(".hold-row[data-active=\"true\"]"))
        .await
        .unwrap()
        .is_empty());

    // Audit: the whole chain verifies; the log narrows to a family and to words.
    go(&c, "audit").await;
    css(&c, "#audit-list .audit-entry").await;
    css(&c, "#audit-verify-btn").await.click().await.unwrap();
    let verified = text_of(&c, "#audit-verify-result").await;
    assert!(verified.contains("chain intact"), "{verified}");
    css(&c, "#audit-action")
        .await
        .select_by_value("hold")
        .await
        .unwrap();
    let holds_only = wait_text(&c, "#audit-list", |t| {
        t.contains("hold.release") && !t.contains("tag.add")
    })
    .await;
    assert!(holds_only.contains("hold.add"), "{holds_only}");
    css(&c, "#audit-action")
        .await
        .select_by_value("tag")
        .await
        .unwrap();
    css(&c, "#audit-text")
        .await
        .send_keys("contract")
        .await
        .unwrap();
    css(&c, "#audit-filter-btn").await.click().await.unwrap();
    // Only the entries naming contract (the triage to business is filtered out).
    wait_text(&c, "#audit-list", |t| {
        t.contains("5 selected messages") && !t.contains("business")
    })
    .await;
    shot(&c, "audit").await;
    go(&c, "records").await;
    // Add a policy, ask why a message is kept, dispose of what is due (nothing to delete
    // here; the untriaged messages over two years old wait for review).
    css(&c, "#policy-name")
        .await
        .send_keys("Slack chatter 18m")
        .await
        .unwrap();
    let m = css(&c, "#policy-match").await;
    m.clear().await.unwrap();
    m.send_keys("app:slack").await.unwrap();
    let r = css(&c, "#policy-retain").await;
    r.clear().await.unwrap();
    r.send_keys("18m").await.unwrap();
    css(&c, "#policy-add-btn").await.click().await.unwrap();
    for _ in 0..50 {
        if c.find_all(Locator::Css("#policies-table .policy-row"))
            .await
            .unwrap()
            .len()
            == 5
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text_of(&c, "#policies-table")
        .await
        .contains("Slack chatter 18m"));
    css(&c, "#explain-id").await.send_keys("1").await.unwrap();
    css(&c, "#explain-btn").await.click().await.unwrap();
    let why = text_of(&c, "#explain-summary").await;
    assert!(
        why.starts_with("kept until") || why.starts_with("no retention policy"),
        "{why}"
    );
    css(&c, "#approver")
        .await
        .send_keys("Dana Reyes")
        .await
        .unwrap();
    css(&c, "#dispose-btn").await.click().await.unwrap();
    let done = text_of(&c, "#dispose-result").await;
    assert!(
        done.contains("Nothing was due") && done.contains("await review"),
        "{done}"
    );
    shot(&c, "records").await;
    // The review queue: the untriaged messages are reviewed and kept another year; they
    // leave the queue, and the decision is on the record.
    let row = "tr[data-action=\"review\"][data-policy=\"Untriaged (default)\"]";
    css(&c, row).await;
    css(&c, ".review-keep[data-policy=\"Untriaged (default)\"]")
        .await
        .click()
        .await
        .unwrap();
    let kept = text_of(&c, "#review-result").await;
    assert!(
        kept.starts_with("Kept") && kept.contains("Untriaged"),
        "{kept}"
    );
    for _ in 0..50 {
        if c.find_all(Locator::Css(row)).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.find_all(Locator::Css(row)).await.unwrap().is_empty());

    // FOI: log a request; its deadline and hold show in the list.
    go(&c, "cases").await;
    css(&c, "#case-reference")
        .await
        .send_keys("FOI-2026-014")
        .await
        .unwrap();
    css(&c, "#case-requester")
        .await
        .send_keys("J. Smith")
        .await
        .unwrap();
    css(&c, "#case-scope")
        .await
        .send_keys("roof")
        .await
        .unwrap();
    css(&c, "#case-create-btn").await.click().await.unwrap();
    let row = text_of(&c, ".case-row[data-reference=\"FOI-2026-014\"]").await;
    assert!(row.contains("FOI") && row.contains("left"), "{row}");
    let due = text_of(&c, ".case-row .case-due").await;
    assert_eq!(due.trim().len(), 10, "a due date: {due}");
    shot(&c, "cases").await;

    // The new case opens: review its scope, redact a selection, produce the bundle.
    css(&c, ".review-item").await;
    for item in c.find_all(Locator::Css(".review-item")).await.unwrap() {
        item.find(Locator::Css("[data-mark=\"responsive\"]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    wait_text(&c, "#review-progress", |t| t.contains("0 to review")).await;
    let redacted = c
        .execute(
            r#"const el = [...document.querySelectorAll('.review-item .text')]
                 .find(e => e.textContent.includes('Halden Roofing'));
               const node = el.firstChild, i = node.textContent.indexOf('Halden Roofing');
               const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 14);
               const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
               el.closest('.review-item').querySelector('[data-redact]').click();
               return true;"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(redacted, serde_json::Value::Bool(true));
    let listed = text_of(&c, "#redactions").await;
    assert!(
        listed.contains("Halden Roofing") && listed.contains("s40(2)"),
        "{listed}"
    );
    let production = tmp.path().join("FOI-2026-014 response");
    css(&c, "#export-out")
        .await
        .send_keys(production.to_str().unwrap())
        .await
        .unwrap();
    css(&c, "#export-btn").await.click().await.unwrap();
    let root = wait_text(&c, "#export-root-hash", |t| t.trim().len() == 64).await;
    // The production's progress came as events, to its last step.
    wait_attr(&c, "#export-progress", "aria-valuenow", "100").await;
    let steps = text_of(&c, "#export-progress-text").await;
    assert!(steps.starts_with("Done"), "{steps}");
    shot(&c, "case-produced").await;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(production.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["root_hash"].as_str(), Some(root.trim()));
    let jsonl = std::fs::read_to_string(production.join("messages.jsonl")).unwrap();
    assert!(jsonl.contains("[REDACTED s40(2)]") && !jsonl.contains("Halden Roofing"));

    // Settings: where the archive is; a passphrase change needs the current passphrase.
    go(&c, "settings").await;
    let path = text_of(&c, "#settings-path").await;
    assert!(path.ends_with("archive"), "{path}");
    // The default zone for imports is kept and prefills the import screen.
    let zone = css(&c, "#default-zone").await;
    zone.clear().await.unwrap();
    zone.send_keys("Asia/Kolkata").await.unwrap();
    css(&c, "#default-zone-btn").await.click().await.unwrap();
    let saved = text_of(&c, "#default-zone-result").await;
    assert!(saved.contains("Asia/Kolkata"), "{saved}");
    go(&c, "import").await;
    let prefilled = css(&c, "#import-tz").await.prop("value").await.unwrap();
    assert_eq!(prefilled.as_deref(), Some("Asia/Kolkata"));
    go(&c, "settings").await;
    css(&c, "#current-passphrase")
        .await
        .send_keys("not it")
        .await
        .unwrap();
    for id in ["#new-passphrase", "#new-passphrase-confirm"] {
        css(&c, id)
            .await
            .send_keys("another long passphrase 2027")
            .await
            .unwrap();
    }
    css(&c, "#change-passphrase-btn")
        .await
        .click()
        .await
        .unwrap();
    let said = text_of(&c, "#passphrase-result").await;
    assert!(said.to_lowercase().contains("wrong passphrase"), "{said}");
    shot(&c, "settings").await;

    // Lock, then unlock again.
    css(&c, "#lock-btn").await.click().await.unwrap();
    css(&c, "#passphrase")
        .await
        .send_keys(PASSPHRASE)
        .await
        .unwrap();
    css(&c, "#unlock-btn").await.click().await.unwrap();
    wait_text(&c, "#stat-messages", |t| t.trim() == "37").await;
    // Four conversations now, one triaged business: three to triage; the new case is open.
    wait_text(&c, "#home-untriaged", |t| t.trim() == "3").await;
    css(&c, "#month-chart .month").await;
    let open_cases = text_of(&c, "#home-cases").await;
    assert!(open_cases.contains("FOI-2026-014"), "{open_cases}");
    shot(&c, "home-records").await;
    css(&c, "#lock-btn").await.click().await.unwrap();
    css(&c, "#passphrase").await;
    c.close().await.unwrap();

    // 2. No archive yet: create one in the window, keep the recovery key; both open it.
    let fresh = tmp.path().join("fresh");
    let c = session(&d, &fresh).await;
    css(&c, "#passphrase")
        .await
        .send_keys("a new passphrase 2026")
        .await
        .unwrap();
    css(&c, "#passphrase-confirm")
        .await
        .send_keys("a new passphrase 2026")
        .await
        .unwrap();
    shot(&c, "create").await;
    css(&c, "#create-btn").await.click().await.unwrap();
    let key = wait_text(&c, "#recovery-key", |t| t.trim().len() == 39).await;
    shot(&c, "recovery-key").await;
    css(&c, "#recovery-stored").await.click().await.unwrap();
    css(&c, "#continue-btn").await.click().await.unwrap();
    wait_text(&c, "#stat-messages", |t| t.trim() == "0").await;
    shot(&c, "home-empty").await;

    // Import a WhatsApp export big enough to watch: the bar moves through the import and the
    // indexing and ends full, then the totals show it all.
    let big = tmp.path().join("WhatsApp Chat with Site team.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    holdfast::synth::whatsapp_android(&mut f, 30_000, 11, None).unwrap();
    drop(f);
    go(&c, "import").await;
    css(&c, "#import-path")
        .await
        .send_keys(big.to_str().unwrap())
        .await
        .unwrap();
    css(&c, "#import-btn").await.click().await.unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let t0 = std::time::Instant::now();
    loop {
        let state = c
            .execute(
                "const card = document.querySelector('.progress-card');
                 const bar = document.getElementById('import-progress');
                 return card ? [card.dataset.phase, bar ? bar.getAttribute('aria-valuenow') : null] : null;",
                vec![],
            )
            .await
            .unwrap();
        if let Some([phase, pct]) = state.as_array().map(|a| [a[0].clone(), a[1].clone()]) {
            let pct: u64 = pct.as_str().and_then(|p| p.parse().ok()).unwrap_or(0);
            seen.insert((phase.as_str().unwrap_or("").to_string(), pct));
            if phase == "finished" {
                break;
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(180),
            "the import did not finish: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(
        seen.iter()
            .any(|(ph, p)| (ph == "importing" || ph == "indexing") && *p > 0 && *p < 100),
        "the bar moved between empty and full: {seen:?}"
    );
    wait_attr(&c, "#import-progress", "aria-valuenow", "100").await;
    let finished = text_of(&c, ".progress-card").await;
    assert!(
        finished.contains("Finished") && finished.contains("imported and indexed"),
        "{finished}"
    );
    shot(&c, "import-finished").await;
    go(&c, "home").await;
    wait_text(&c, "#stat-messages", |t| {
        t.chars().filter(char::is_ascii_digit).collect::<String>() == "30000"
    })
    .await;
    c.close().await.unwrap();
    assert!(Archive::open(&fresh, Unlock::Passphrase("a new passphrase 2026")).is_ok());
    let rk = holdfast::crypto::recovery::RecoveryKey::parse(key.trim()).unwrap();
    assert!(Archive::open(&fresh, Unlock::Recovery(&rk)).is_ok());
}
