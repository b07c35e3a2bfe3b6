//! FOI and subject-access requests through the core API. Thin: the logic lives in
//! [`crate::foi`].

use crate::archive::Archive;
use crate::error::Result;
use crate::foi::cases;
use crate::index::search::{SearchRequest, SearchResults};

pub use crate::foi::cases::{Case, CaseStatus, ClarificationView, NewCase};
pub use crate::foi::clock::CaseKind;

pub fn foi_new(a: &mut Archive, c: &NewCase) -> Result<Case> {
    cases::create(a, c)
}

pub fn foi_list(a: &mut Archive) -> Result<Vec<Case>> {
    cases::list(a)
}

pub fn foi_show(a: &mut Archive, reference: &str) -> Result<Case> {
    cases::get(a, reference)
}

pub fn foi_scope_add(a: &mut Archive, reference: &str, query: &str) -> Result<Case> {
    cases::add_scope(a, reference, query)
}

pub fn foi_clarification_asked(a: &mut Archive, reference: &str, asked: &str) -> Result<Case> {
    cases::clarification_asked(a, reference, asked)
}

pub fn foi_clarification_answered(
    a: &mut Archive,
    reference: &str,
    answered: &str,
) -> Result<Case> {
    cases::clarification_answered(a, reference, answered)
}

pub fn foi_search(a: &mut Archive, reference: &str, req: &SearchRequest) -> Result<SearchResults> {
    cases::search(a, reference, req)
}

pub fn foi_responded(a: &mut Archive, reference: &str, on: &str) -> Result<Case> {
    cases::responded(a, reference, on)
}

pub fn foi_close(a: &mut Archive, reference: &str) -> Result<Case> {
    cases::close(a, reference)
}

pub use crate::foi::bundle::{ExportProgress, ExportReport};
pub use crate::foi::redact::{Redaction, Span as RedactSpan};
pub use crate::foi::review::{Decision, ReviewItem, ReviewProgress, Target as ReviewTarget};

pub fn foi_review_progress(a: &mut Archive, reference: &str) -> Result<ReviewProgress> {
    crate::foi::review::progress(a, reference)
}

pub fn foi_review_mark(
    a: &mut Archive,
    reference: &str,
    target: &ReviewTarget,
    decision: Decision,
    code: Option<&str>,
) -> Result<ReviewProgress> {
    crate::foi::review::mark(a, reference, target, decision, code)
}

pub fn foi_review_items(
    a: &mut Archive,
    reference: &str,
    offset: u64,
    limit: u64,
) -> Result<Vec<ReviewItem>> {
    crate::foi::review::items(a, reference, offset, limit)
}

pub fn foi_redact(
    a: &mut Archive,
    reference: &str,
    message: i64,
    span: &RedactSpan,
    code: &str,
) -> Result<Vec<Redaction>> {
    crate::foi::redact::add(a, reference, message, span, code)
}

pub fn foi_redact_suggest(a: &mut Archive, reference: &str) -> Result<Vec<Redaction>> {
    crate::foi::redact::suggest(a, reference)
}

pub fn foi_redact_decide(
    a: &mut Archive,
    reference: &str,
    ids: &[i64],
    all: bool,
    accept: bool,
) -> Result<Vec<Redaction>> {
    crate::foi::redact::decide(a, reference, ids, all, accept)
}

pub fn foi_redactions(a: &Archive, reference: &str) -> Result<Vec<Redaction>> {
    crate::foi::redact::list(a, reference)
}

pub fn foi_export(
    a: &mut Archive,
    reference: &str,
    out: &std::path::Path,
    prefix: Option<&str>,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportReport> {
    crate::foi::bundle::export(a, reference, out, prefix, progress)
}

/// A new case, as the desktop app sends it.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewCaseRequest {
    pub reference: String,
    pub kind: CaseKind,
    pub requester: String,
    /// YYYY-MM-DD
    pub received: String,
    pub complex: bool,
    pub zone: Option<String>,
    pub scope: Vec<String>,
}

pub fn foi_new_from_request(a: &mut Archive, r: &NewCaseRequest) -> Result<Case> {
    cases::create(
        a,
        &NewCase {
            reference: r.reference.clone(),
            kind: r.kind,
            requester: r.requester.clone(),
            received: r.received.clone(),
            complex: r.complex,
            zone: r.zone.clone(),
            notes: String::new(),
            scope: r
                .scope
                .iter()
                .filter(|q| !q.trim().is_empty())
                .cloned()
                .collect(),
        },
    )
}
