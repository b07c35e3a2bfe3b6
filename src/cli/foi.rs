//! The `foi` commands: requests with statutory clocks, scope held at once, searches logged
//! against the case. Each calls one function of [`crate::api::foi`].

use std::path::Path;

use clap::{Subcommand, ValueEnum};

use super::{emit, output, secrets};
use crate::api::foi::{self as f, Case, CaseKind, NewCase};
use crate::api::{SearchRequest, SortOrder};
use crate::error::{Error, Result};

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Foi,
    Eir,
    Sar,
    Foia,
}

#[derive(Subcommand, Debug)]
pub enum FoiCommand {
    /// Log a request: its clock starts, its scope is held at once
    #[command(
        after_help = "Examples:\n  holdfast foi new FOI-2026-014 --received 2026-12-21 --requester 'J. Smith' --scope 'northgate tender'\n  holdfast foi new SAR-7 --kind sar --received 2027-01-31 --requester 'Priya Shah' --scope 'from:\"Priya Shah\"'"
    )]
    New {
        reference: String,
        /// The day the request was received
        #[arg(long, value_name = "DATE")]
        received: String,
        #[arg(long, value_enum, default_value_t = KindArg::Foi)]
        kind: KindArg,
        #[arg(long, default_value = "")]
        requester: String,
        /// EIR and SAR: extended for complexity; US FOIA: unusual circumstances
        #[arg(long)]
        complex: bool,
        /// The requester's time zone (dates in the production) [default: Europe/London]
        #[arg(long, value_name = "ZONE")]
        zone: Option<String>,
        #[arg(long, default_value = "")]
        notes: String,
        /// A saved search that is in scope (repeat for more)
        #[arg(long, value_name = "QUERY")]
        scope: Vec<String>,
    },
    /// Every case with its deadline and days left
    List,
    /// One case
    Show { reference: String },
    /// Add a saved search to the case's scope (and its hold)
    #[command(
        after_help = "Example:\n  holdfast foi scope FOI-2026-014 'in:\"Northgate depot\" date:2025-01..2025-03'"
    )]
    Scope { reference: String, query: String },
    /// A clarification asked of the requester (the clock stops), or its answer (it restarts)
    #[command(
        after_help = "Examples:\n  holdfast foi clarify FOI-2026-014 --asked 2027-03-23\n  holdfast foi clarify FOI-2026-014 --answered 2027-04-02"
    )]
    Clarify {
        reference: String,
        #[arg(
            long,
            value_name = "DATE",
            conflicts_with = "answered",
            required_unless_present = "answered"
        )]
        asked: Option<String>,
        #[arg(long, value_name = "DATE")]
        answered: Option<String>,
    },
    /// Search within the case's scope (logged against the case)
    Search {
        reference: String,
        #[arg(default_value = "")]
        query: String,
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        #[arg(long, value_name = "N")]
        offset: Option<u64>,
    },
    /// The response was sent
    Respond {
        reference: String,
        #[arg(long, value_name = "DATE")]
        on: String,
    },
    /// Close the case and release its hold
    Close { reference: String },
    /// Review progress; with --mark, mark messages of the scope (one by one or by search)
    #[command(
        after_help = "Examples:\n  holdfast foi review FOI-2026-014\n  holdfast foi review FOI-2026-014 --match roof --mark responsive\n  holdfast foi review FOI-2026-014 --message 13 --mark exempt --code s43\n  holdfast foi review FOI-2026-014 --list --limit 50"
    )]
    Review {
        reference: String,
        #[arg(long, value_name = "ID", conflicts_with = "query")]
        message: Vec<i64>,
        /// Every message of the scope this search matches
        #[arg(long = "match", value_name = "QUERY", conflicts_with = "all")]
        query: Option<String>,
        /// Every message of the scope
        #[arg(long, conflicts_with = "message")]
        all: bool,
        #[arg(long, value_enum)]
        mark: Option<MarkArg>,
        /// The exemption, for --mark exempt: s40(2), s41, s42, s43, ...
        #[arg(long)]
        code: Option<String>,
        /// List the scope's messages with their marks
        #[arg(long)]
        list: bool,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Redact a span, a text or a whole message; suggest, accept or reject redactions
    #[command(
        after_help = "Examples:\n  holdfast foi redact FOI-2026-014 --message 8 --text '07700 900123' --code 's40(2)'\n  holdfast foi redact FOI-2026-014 --message 8 --span 10:22 --code s43\n  holdfast foi redact FOI-2026-014 --suggest\n  holdfast foi redact FOI-2026-014 --accept 4 --accept 5\n  holdfast foi redact FOI-2026-014 --accept-all"
    )]
    Redact {
        reference: String,
        #[arg(long, value_name = "ID")]
        message: Option<i64>,
        /// Characters START:END of the message's text
        #[arg(long, value_name = "START:END", requires = "message")]
        span: Option<String>,
        /// Every occurrence of this text in the message
        #[arg(
            long,
            value_name = "TEXT",
            requires = "message",
            conflicts_with = "span"
        )]
        text: Option<String>,
        /// The whole message
        #[arg(long, requires = "message", conflicts_with_all = ["span", "text"])]
        whole: bool,
        #[arg(long)]
        code: Option<String>,
        /// Suggest personal data to redact in the responsive messages
        #[arg(long, conflicts_with = "message")]
        suggest: bool,
        #[arg(long, value_name = "ID")]
        accept: Vec<i64>,
        #[arg(long)]
        accept_all: bool,
        #[arg(long, value_name = "ID")]
        reject: Vec<i64>,
    },
    /// Write the production bundle: transcripts (HTML, PDF), JSONL, CSV, RSMF, exemptions, manifest
    #[command(
        after_help = "Example:\n  holdfast foi export FOI-2026-014 --out ~/FOI-2026-014-response"
    )]
    Export {
        reference: String,
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
        /// Control number prefix [default: the case reference]
        #[arg(long)]
        prefix: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MarkArg {
    Responsive,
    NotResponsive,
    Exempt,
}

fn print_case(c: &Case) {
    let clock = match (&c.due, c.days_left) {
        (Some(due), Some(left)) if left < 0 => format!("due {due}, {} days overdue", -left),
        (Some(due), Some(left)) => format!("due {due}, {left} days left"),
        (Some(due), None) => format!("was due {due}"),
        (None, _) => "clock stopped: awaiting clarification".into(),
    };
    println!(
        "{}  {}  {:?}  received {}  {}  requester {}",
        c.reference,
        c.kind.as_str().to_uppercase(),
        c.status,
        c.received,
        clock,
        if c.requester.is_empty() {
            "-"
        } else {
            &c.requester
        }
    );
    for q in &c.scope {
        println!("  scope: {q}");
    }
    if let Some(h) = &c.hold {
        println!("  held: {} messages by hold {h}", c.held_messages);
    }
}

pub fn run(json: bool, dir: &Path, pf: Option<&Path>, cmd: &FoiCommand) -> Result<()> {
    let mut a = secrets::unlock(dir, pf)?;
    let case =
        match cmd {
            FoiCommand::New {
                reference,
                received,
                kind,
                requester,
                complex,
                zone,
                notes,
                scope,
            } => f::foi_new(
                &mut a,
                &NewCase {
                    reference: reference.clone(),
                    kind: match kind {
                        KindArg::Foi => CaseKind::Foi,
                        KindArg::Eir => CaseKind::Eir,
                        KindArg::Sar => CaseKind::Sar,
                        KindArg::Foia => CaseKind::Foia,
                    },
                    requester: requester.clone(),
                    received: received.clone(),
                    complex: *complex,
                    zone: zone.clone(),
                    notes: notes.clone(),
                    scope: scope.clone(),
                },
            )?,
            FoiCommand::List => {
                let cases = f::foi_list(&mut a)?;
                emit(json, &serde_json::json!({ "cases": cases }), |_| {
                    cases.iter().for_each(print_case)
                });
                return Ok(());
            }
            FoiCommand::Show { reference } => f::foi_show(&mut a, reference)?,
            FoiCommand::Scope { reference, query } => f::foi_scope_add(&mut a, reference, query)?,
            FoiCommand::Clarify {
                reference,
                asked,
                answered,
            } => match (asked, answered) {
                (Some(d), _) => f::foi_clarification_asked(&mut a, reference, d)?,
                (None, Some(d)) => f::foi_clarification_answered(&mut a, reference, d)?,
                (None, None) => {
                    return Err(Error::InvalidArgument(
                        "--asked DATE or --answered DATE".into(),
                    ))
                }
            },
            FoiCommand::Search {
                reference,
                query,
                limit,
                offset,
            } => {
                let req = SearchRequest {
                    query: query.clone(),
                    limit: *limit,
                    offset: *offset,
                    sort: SortOrder::Oldest,
                    tz: None,
                    facets: Some(true),
                };
                emit(
                    json,
                    &f::foi_search(&mut a, reference, &req)?,
                    output::search,
                );
                return Ok(());
            }
            FoiCommand::Respond { reference, on } => f::foi_responded(&mut a, reference, on)?,
            FoiCommand::Close { reference } => f::foi_close(&mut a, reference)?,
            FoiCommand::Review {
                reference,
                message,
                query,
                all,
                mark,
                code,
                list,
                offset,
                limit,
            } => {
                if *list {
                    let items = f::foi_review_items(&mut a, reference, *offset, *limit)?;
                    emit(json, &serde_json::json!({ "messages": items }), |_| {
                        for i in &items {
                            println!(
                                "{:>7}  {}  {:<16} {:<14} {}",
                                i.message_id,
                                i.sent_at,
                                i.sender.as_deref().unwrap_or("-"),
                                i.decision.map_or("-", |d| d.as_str()),
                                i.text.chars().take(80).collect::<String>()
                            );
                        }
                    });
                    return Ok(());
                }
                let progress = match mark {
                    None => f::foi_review_progress(&mut a, reference)?,
                    Some(m) => {
                        let target = if !message.is_empty() {
                            f::ReviewTarget::Messages(message.clone())
                        } else if let Some(q) = query {
                            f::ReviewTarget::Match(q.clone())
                        } else if *all {
                            f::ReviewTarget::All
                        } else {
                            return Err(Error::InvalidArgument(
                                "say what to mark: --message ID, --match QUERY or --all".into(),
                            ));
                        };
                        let decision = match m {
                            MarkArg::Responsive => f::Decision::Responsive,
                            MarkArg::NotResponsive => f::Decision::NotResponsive,
                            MarkArg::Exempt => f::Decision::Exempt,
                        };
                        f::foi_review_mark(&mut a, reference, &target, decision, code.as_deref())?
                    }
                };
                emit(json, &progress, |p| {
                    println!(
                    "{}: {} in scope — {} responsive, {} not responsive, {} exempt, {} to review{}",
                    p.case,
                    p.in_scope,
                    p.responsive,
                    p.not_responsive,
                    p.exempt,
                    p.unreviewed,
                    if p.marked > 0 { format!(" ({} marked now)", p.marked) } else { String::new() }
                )
                });
                return Ok(());
            }
            FoiCommand::Redact {
                reference,
                message,
                span,
                text,
                whole,
                code,
                suggest,
                accept,
                accept_all,
                reject,
            } => {
                let list = if let Some(m) = message {
                    let span = match (span, text, whole) {
                        (Some(s), _, _) => {
                            let (a, b) = s.split_once(':').ok_or_else(|| {
                                Error::InvalidArgument(format!("--span {s:?}: write START:END"))
                            })?;
                            let parse = |v: &str| {
                                v.trim().parse::<u64>().map_err(|_| {
                                    Error::InvalidArgument(format!("--span {s:?}: write START:END"))
                                })
                            };
                            f::RedactSpan::Chars(parse(a)?, parse(b)?)
                        }
                        (None, Some(t), _) => f::RedactSpan::Text(t.clone()),
                        (None, None, true) => f::RedactSpan::Whole,
                        (None, None, false) => {
                            return Err(Error::InvalidArgument(
                                "say what to redact: --span START:END, --text TEXT or --whole"
                                    .into(),
                            ))
                        }
                    };
                    f::foi_redact(&mut a, reference, *m, &span, code.as_deref().unwrap_or(""))?
                } else if *suggest {
                    f::foi_redact_suggest(&mut a, reference)?
                } else if !accept.is_empty() || *accept_all {
                    f::foi_redact_decide(&mut a, reference, accept, *accept_all, true)?
                } else if !reject.is_empty() {
                    f::foi_redact_decide(&mut a, reference, reject, false, false)?
                } else {
                    f::foi_redactions(&a, reference)?
                };
                emit(json, &serde_json::json!({ "redactions": list }), |_| {
                    for r in &list {
                        println!(
                            "{:>5}  message {:<7} {:<9} {:<10} {}",
                            r.id,
                            r.message_id,
                            r.status,
                            r.code,
                            match (r.start, r.end) {
                                (Some(s), Some(e)) => format!("{s}:{e} {:?}", r.text),
                                _ => "whole message".into(),
                            }
                        );
                    }
                });
                return Ok(());
            }
            FoiCommand::Export {
                reference,
                out,
                prefix,
            } => {
                let r = f::foi_export(&mut a, reference, out, prefix.as_deref(), &mut |_| {})?;
                emit(json, &r, |r| {
                    println!(
                    "{}: {} messages ({} withheld, {} redactions) → {} ({} files), root hash {}",
                    r.case, r.messages, r.withheld, r.redactions, r.out, r.files, r.root_hash
                );
                    if r.unreviewed > 0 {
                        println!(
                            "  {} messages of the scope are not reviewed yet",
                            r.unreviewed
                        );
                    }
                });
                return Ok(());
            }
        };
    emit(json, &case, print_case);
    Ok(())
}
