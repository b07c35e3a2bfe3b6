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
    let case = match cmd {
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
    };
    emit(json, &case, print_case);
    Ok(())
}
