//! The records commands: `tag`, `policy`, `hold`, `retention`, `dispose`, `delete`,
//! `certificates`, `audit`. Each calls one function of [`crate::api::records`].

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::{emit, secrets};
use crate::api::records::{
    self as rec, Action, HoldScope, NewPolicy, PolicyChange, RetainFrom, TagTarget,
};
use crate::error::{Error, Result};

#[derive(Subcommand, Debug)]
pub enum TagCommand {
    /// Tag a conversation, messages, or every message a search matches
    #[command(
        after_help = "Examples:\n  holdfast tag add business --conversation 3\n  holdfast tag add personal --message 120 --message 121\n  holdfast tag add procurement --match 'tender OR invoice'"
    )]
    Add(TagArgs),
    /// Take a tag off a conversation, messages, or search matches
    #[command(after_help = "Example:\n  holdfast tag remove business --conversation 3")]
    Remove(TagArgs),
    /// Every tag, with how many conversations and messages carry it
    List,
    /// Rename a tag, or merge it into another that exists
    #[command(after_help = "Example:\n  holdfast tag rename procurment procurement")]
    Rename { tag: String, into: String },
    /// Delete a tag from everything (not a triage class)
    Delete { tag: String },
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// The tag (business, personal and transitory are the triage classes)
    tag: String,
    #[arg(long, value_name = "ID", conflicts_with_all = ["message", "query"])]
    conversation: Option<i64>,
    #[arg(long, value_name = "ID", conflicts_with = "query")]
    message: Vec<i64>,
    /// Every message this search matches
    #[arg(long = "match", value_name = "QUERY")]
    query: Option<String>,
}

impl TagArgs {
    fn target(&self) -> Result<TagTarget> {
        if let Some(c) = self.conversation {
            Ok(TagTarget::Conversation(c))
        } else if !self.message.is_empty() {
            Ok(TagTarget::Messages(self.message.clone()))
        } else if let Some(q) = &self.query {
            Ok(TagTarget::Match(q.clone()))
        } else {
            Err(Error::InvalidArgument(
                "say what to tag: --conversation ID, --message ID or --match QUERY".into(),
            ))
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ThenArg {
    Delete,
    Review,
    Keep,
}

impl From<ThenArg> for Action {
    fn from(t: ThenArg) -> Action {
        match t {
            ThenArg::Delete => Action::Delete,
            ThenArg::Review => Action::Review,
            ThenArg::Keep => Action::Keep,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FromArg {
    Sent,
    LastActivity,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Add a retention policy
    #[command(
        after_help = "Examples:\n  holdfast policy add 'Business records 6y' --match tag:business --retain 6y --then review --lock\n  holdfast policy add 'Slack chatter' --match app:slack --retain 18m --from last-activity --then delete\n  holdfast policy add 'Untriaged' --match @untriaged --retain 1y --then review"
    )]
    Add {
        name: String,
        /// Which messages: a search query (tag:business, app:slack, in:3, ...) or @untriaged
        #[arg(long = "match", value_name = "QUERY")]
        query: String,
        /// How long: 30d, 18m, 6y
        #[arg(long, value_name = "PERIOD")]
        retain: String,
        /// Count from the message's date, or from its conversation's last message
        #[arg(long, value_enum, default_value_t = FromArg::Sent)]
        from: FromArg,
        /// What happens when the period ends
        #[arg(long, value_enum)]
        then: ThenArg,
        /// Lock it: it can never be removed, disabled, shortened or weakened
        #[arg(long)]
        lock: bool,
    },
    /// Every policy
    List,
    /// Change a policy (a locked one only ever gets stronger)
    #[command(after_help = "Example:\n  holdfast policy set 'Business records 6y' --retain 7y")]
    Set {
        name: String,
        #[arg(long, value_name = "PERIOD")]
        retain: Option<String>,
        #[arg(long, value_enum)]
        then: Option<ThenArg>,
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        #[arg(long)]
        enable: bool,
        #[arg(long)]
        lock: bool,
    },
    /// Remove a policy (not a locked one)
    Remove { name: String },
}

#[derive(Subcommand, Debug)]
pub enum HoldCommand {
    /// Place a hold: nothing it covers can be deleted or disposed of until it is released
    #[command(
        after_help = "Examples:\n  holdfast hold add FOI-2026-014 --match 'northgate tender' --from-date 2024-01-01 --to-date 2024-06-30\n  holdfast hold add LIT-7 --conversation 3 --person 'Priya Shah'"
    )]
    Add {
        name: String,
        /// Messages this search matches
        #[arg(long = "match", value_name = "QUERY")]
        query: Option<String>,
        /// In these conversations (id or title words)
        #[arg(long, value_name = "ID")]
        conversation: Vec<String>,
        /// Sent by these people
        #[arg(long, value_name = "NAME")]
        person: Vec<String>,
        /// Sent on or after this day
        #[arg(long, value_name = "DATE")]
        from_date: Option<String>,
        /// Sent on or before this day
        #[arg(long, value_name = "DATE")]
        to_date: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The active holds (and released ones with --all)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Release a hold
    Release { name: String },
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Why a message is kept, until when, and what happens then
    #[command(after_help = "Example:\n  holdfast retention explain 1234")]
    Explain { message: String },
    /// A review decision: keep what a policy brought to review for a further period, when it
    /// comes up for review again (the disposal review queue's "keep")
    #[command(after_help = "Example:\n  holdfast retention keep 'Business (default)' --for 2y")]
    Keep {
        /// The policy whose review items were reviewed
        policy: String,
        /// How much longer: 90d, 18m, 2y
        #[arg(long = "for", value_name = "PERIOD")]
        keep_for: String,
    },
}

#[derive(Args, Debug)]
pub struct DisposeArgs {
    /// List what is due, change nothing
    #[arg(long, conflicts_with = "apply", required_unless_present = "apply")]
    dry_run: bool,
    /// Destroy what is due, for good, and write a disposal certificate
    #[arg(long, requires = "approver")]
    apply: bool,
    /// Who approves the disposal
    #[arg(long, value_name = "NAME")]
    approver: Option<String>,
    /// Count periods up to the end of this day [default: now]
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The approver has reviewed the items due for review: dispose of them too
    #[arg(long, requires = "apply", conflicts_with = "approve_review")]
    approve_reviews: bool,
    /// Dispose of what this policy brought to review, reviewed by the approver (repeat for more)
    #[arg(long, value_name = "POLICY", requires = "apply")]
    approve_review: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// Message ids
    #[arg(required = true)]
    messages: Vec<i64>,
    #[arg(long, default_value = "")]
    reason: String,
}

#[derive(Args, Debug)]
pub struct CertificatesArgs {
    /// One certificate, with every message it covers
    id: Option<String>,
    /// Write it (or all of them) to this JSON file
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// The entries, oldest first
    #[command(
        after_help = "Examples:\n  holdfast audit log --action search\n  holdfast audit log --json > audit.json"
    )]
    Log {
        /// Only actions starting with this (search, hold, tag.add, ...)
        #[arg(long, value_name = "PREFIX")]
        action: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long, default_value_t = u64::MAX)]
        limit: u64,
    },
    /// Check the hash chain; exit 1 naming the first bad entry
    Verify,
}

#[derive(Serialize)]
struct List<T: Serialize> {
    #[serde(flatten)]
    items: std::collections::BTreeMap<&'static str, Vec<T>>,
}

fn list<T: Serialize>(key: &'static str, items: Vec<T>) -> List<T> {
    List {
        items: [(key, items)].into_iter().collect(),
    }
}

pub fn tag(json: bool, dir: &Path, pf: Option<&Path>, cmd: &TagCommand) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let change = match cmd {
        TagCommand::Add(t) => rec::tag_add(&mut a, &t.tag, &t.target()?)?,
        TagCommand::Remove(t) => rec::tag_remove(&mut a, &t.tag, &t.target()?)?,
        TagCommand::Rename { tag, into } => rec::tag_rename(&mut a, tag, into)?,
        TagCommand::Delete { tag } => rec::tag_delete(&mut a, tag)?,
        TagCommand::List => {
            emit(json, &list("tags", rec::tag_list(&a)?), |l| {
                for t in &l.items["tags"] {
                    println!(
                        "{:<20} {:>6} conversations {:>8} messages{}",
                        t.name,
                        t.conversations,
                        t.messages,
                        if t.triage { "  (triage class)" } else { "" }
                    );
                }
            });
            return Ok(());
        }
    };
    emit(json, &change, |c| {
        println!("{}: {} messages", c.tag, c.messages)
    });
    Ok(())
}

pub fn policy(json: bool, dir: &Path, pf: Option<&Path>, cmd: &PolicyCommand) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let show = |p: &rec::Policy| {
        println!(
            "{:<28} {:<24} retain {:>4} from {:<13} then {:<6}{}{}",
            p.name,
            p.query,
            p.retain,
            p.from.as_str(),
            p.then.as_str(),
            if p.locked { "  locked" } else { "" },
            if p.enabled { "" } else { "  disabled" }
        )
    };
    match cmd {
        PolicyCommand::Add {
            name,
            query,
            retain,
            from,
            then,
            lock,
        } => {
            let p = rec::policy_add(
                &mut a,
                &NewPolicy {
                    name: name.clone(),
                    query: query.clone(),
                    retain: retain.clone(),
                    from: match from {
                        FromArg::Sent => RetainFrom::Sent,
                        FromArg::LastActivity => RetainFrom::LastActivity,
                    },
                    then: (*then).into(),
                    lock: *lock,
                },
            )?;
            emit(json, &p, show);
        }
        PolicyCommand::List => emit(json, &list("policies", rec::policy_list(&a)?), |l| {
            l.items["policies"].iter().for_each(show)
        }),
        PolicyCommand::Set {
            name,
            retain,
            then,
            disable,
            enable,
            lock,
        } => {
            let change = PolicyChange {
                retain: retain.clone(),
                then: then.map(Into::into),
                enabled: if *disable {
                    Some(false)
                } else if *enable {
                    Some(true)
                } else {
                    None
                },
                lock: *lock,
            };
            emit(json, &rec::policy_set(&mut a, name, &change)?, show);
        }
        PolicyCommand::Remove { name } => {
            let p = rec::policy_remove(&mut a, name)?;
            emit(json, &p, |p| println!("Removed the policy {:?}.", p.name));
        }
    }
    Ok(())
}

pub fn hold(json: bool, dir: &Path, pf: Option<&Path>, cmd: &HoldCommand) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let show = |h: &rec::Hold| {
        println!(
            "{:<20} {:>8} messages  {}{}",
            h.name,
            h.messages,
            h.query,
            h.released_at
                .as_ref()
                .map(|t| format!("  released {t}"))
                .unwrap_or_default()
        )
    };
    match cmd {
        HoldCommand::Add {
            name,
            query,
            conversation,
            person,
            from_date,
            to_date,
            reason,
        } => {
            let scope = HoldScope {
                query: query.clone(),
                conversations: conversation.clone(),
                people: person.clone(),
                from_date: from_date.clone(),
                to_date: to_date.clone(),
            };
            emit(json, &rec::hold_add(&mut a, name, &scope, reason)?, show);
        }
        HoldCommand::List { all } => {
            emit(json, &list("holds", rec::hold_list(&mut a, *all)?), |l| {
                l.items["holds"].iter().for_each(show)
            })
        }
        HoldCommand::Release { name } => emit(json, &rec::hold_release(&mut a, name)?, show),
    }
    Ok(())
}

pub fn retention(json: bool, dir: &Path, pf: Option<&Path>, cmd: &RetentionCommand) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    match cmd {
        RetentionCommand::Keep { policy, keep_for } => {
            emit(json, &rec::review_keep(&mut a, policy, keep_for)?, |k| {
                println!(
                    "Kept {} messages '{}' brought to review, until {}; then they are due for review again.",
                    k.messages, k.policy, k.until
                )
            })
        }
        RetentionCommand::Explain { message } => {
            emit(json, &rec::retention_explain(&mut a, message)?, |e| {
                println!("Message {}: {}", e.message, e.summary);
                println!("  why: {}", e.reason);
                for p in &e.policies {
                    println!(
                        "  {} ({}{}): ends {}, then {}",
                        p.policy,
                        p.query,
                        if p.explicit { ", a label" } else { "" },
                        p.ends,
                        p.then.as_str()
                    );
                }
                println!("  {}", e.original);
            })
        }
    }
    Ok(())
}

fn print_plan(p: &rec::DuePlan) {
    println!("As of {} ({} messages evaluated):", p.as_of, p.evaluated);
    for g in &p.due {
        println!("  delete  {:>8}  by {}", g.messages, g.policy);
    }
    for g in &p.review {
        println!("  review  {:>8}  by {}", g.messages, g.policy);
    }
    for g in &p.held {
        println!("  held    {:>8}  by {}", g.messages, g.holds.join(", "));
    }
    if p.due.is_empty() && p.review.is_empty() {
        println!("  nothing is due");
    }
}

fn print_certificate(c: &rec::Certificate) {
    println!(
        "Certificate {}: {} messages, {} attachments, {} originals destroyed at {} (as of {}), approved by {}",
        c.id, c.messages, c.attachments, c.originals, c.at, c.as_of, c.approver
    );
    for (p, n) in &c.policies {
        println!("  {n:>8}  {p}");
    }
    for i in &c.items {
        println!("  message {} ({}) sha256 {}", i.message, i.policy, i.sha256);
    }
}

pub fn dispose(json: bool, dir: &Path, pf: Option<&Path>, args: &DisposeArgs) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let as_of = rec::parse_as_of(args.as_of.as_deref())?;
    if args.apply {
        let approver = args.approver.as_deref().unwrap_or_default();
        let approve = if args.approve_reviews {
            rec::ReviewApproval::All
        } else if args.approve_review.is_empty() {
            rec::ReviewApproval::None
        } else {
            rec::ReviewApproval::Policies(args.approve_review.clone())
        };
        let r = rec::dispose_apply(&mut a, as_of, approver, &approve)?;
        emit(json, &r, |r| {
            print_plan(&r.plan);
            match &r.certificate {
                Some(c) => print_certificate(&rec::Certificate {
                    items: Vec::new(),
                    ..c.clone()
                }),
                None => println!("Nothing was disposed of."),
            }
            if r.awaiting_review > 0 {
                println!(
                    "{} messages await review: run again with --approve-reviews once reviewed.",
                    r.awaiting_review
                );
            }
        });
    } else {
        emit(json, &rec::dispose_dry_run(&mut a, as_of)?, print_plan);
    }
    Ok(())
}

pub fn delete(json: bool, dir: &Path, pf: Option<&Path>, args: &DeleteArgs) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let c = rec::delete_messages(&mut a, &args.messages, &args.reason)?;
    emit(json, &c, print_certificate);
    Ok(())
}

pub fn certificates(
    json: bool,
    dir: &Path,
    pf: Option<&Path>,
    args: &CertificatesArgs,
) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let value = match (&args.export, &args.id) {
        (Some(path), id) => rec::certificates_export(&mut a, id.as_deref(), path)?,
        (None, Some(id)) => {
            serde_json::to_value(rec::certificate(&a, id)?).expect("certificates serialise")
        }
        (None, None) => serde_json::to_value(list("certificates", rec::certificates(&a)?))
            .expect("certificates serialise"),
    };
    emit(json, &value, |v| match &args.id {
        Some(_) => {
            if let Ok(c) = serde_json::from_value::<CertificateView>(v.clone()) {
                println!("{}", c.render());
            }
        }
        None => {
            for c in v["certificates"].as_array().into_iter().flatten() {
                println!(
                    "Certificate {}: {} messages at {}, approved by {} ({})",
                    c["id"].as_str().unwrap_or(""),
                    c["messages"],
                    c["at"].as_str().unwrap_or(""),
                    c["approver"].as_str().unwrap_or(""),
                    c["reason"].as_str().unwrap_or("")
                );
            }
        }
    });
    Ok(())
}

#[derive(serde::Deserialize)]
struct CertificateView {
    id: String,
    messages: u64,
    approver: String,
    at: String,
    items: Vec<serde_json::Value>,
}

impl CertificateView {
    fn render(&self) -> String {
        let mut s = format!(
            "Certificate {}: {} messages at {}, approved by {}",
            self.id, self.messages, self.at, self.approver
        );
        for i in &self.items {
            s.push_str(&format!(
                "\n  message {} ({}) sha256 {}",
                i["message"].as_str().unwrap_or(""),
                i["policy"].as_str().unwrap_or(""),
                i["sha256"].as_str().unwrap_or("")
            ));
        }
        s
    }
}

pub fn audit(json: bool, dir: &Path, pf: Option<&Path>, cmd: &AuditCommand) -> Result<()> {
    let a = secrets::unlock(dir, pf)?;
    match cmd {
        AuditCommand::Log {
            action,
            offset,
            limit,
        } => {
            let entries = rec::audit_log(&a, action.as_deref(), *offset, *limit)?;
            emit(json, &list("entries", entries), |l| {
                for e in &l.items["entries"] {
                    println!(
                        "{:>6}  {}  {:<18} {:<16} {}",
                        e.seq, e.at, e.action, e.actor, e.detail
                    );
                }
            });
        }
        AuditCommand::Verify => {
            let v = rec::audit_verify(&a)?;
            emit(json, &v, |v| {
                if v.ok {
                    println!("The audit log is intact: {} entries.", v.entries);
                } else {
                    println!(
                        "The audit log is broken at entry {}: {}",
                        v.first_bad.unwrap_or(0),
                        v.problem.as_deref().unwrap_or("")
                    );
                }
            });
            if !v.ok {
                return Err(Error::Corrupt(format!(
                    "audit log: {}",
                    v.problem
                        .unwrap_or_else(|| "the hash chain is broken".into())
                )));
            }
        }
    }
    Ok(())
}
