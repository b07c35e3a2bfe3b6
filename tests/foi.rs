//! FOI and subject-access cases through the `holdfast` binary: statutory clocks, clarification,
//! the hold a case places on its scope, searches logged against the case.

mod common;

use common::*;
use serde_json::Value;

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
