//! What a production holds, once review and redaction are applied: the types the bundle's
//! writers (HTML, PDF, JSONL/CSV, RSMF) read. Redactions are already burned in here: no writer
//! ever sees redacted text.

use serde::Serialize;

/// An attachment of a produced message.
#[derive(Debug, Clone, Serialize)]
pub struct ProducedAttachment {
    pub name: String,
    pub mime: Option<String>,
    pub size: Option<u64>,
    /// Where the file is inside the bundle (`attachments/FOI-000012_photo.jpg`), when produced.
    pub path: Option<String>,
    /// The SHA-256 of the produced file, when produced.
    pub sha256: Option<String>,
    /// Why it is not produced: an exemption code, or "not in the archive" (omitted or missing
    /// from the export).
    pub withheld: Option<String>,
}

/// One produced message.
#[derive(Debug, Clone, Serialize)]
pub struct ProducedMessage {
    /// The control number: `PREFIX-000001`, unique and consecutive across the production.
    pub control: String,
    /// The archive's message id (for the producer's records; not shown in transcripts).
    pub message_id: i64,
    pub sender: Option<String>,
    /// Unix ms, UTC.
    pub sent_at_ms: i64,
    /// The time in the requester's zone, RFC 3339 with its offset (`2025-02-03T11:47:00+00:00`).
    pub sent_at: String,
    /// `text`, `system`, `media`, `deleted` or `call`.
    pub kind: String,
    /// The text with every redaction burned in as `[REDACTED s40(2)]`; empty when withheld.
    pub text: String,
    /// The exemption code when the whole message is withheld (the transcript shows
    /// `[Withheld in full: s43]` in its place).
    pub withheld: Option<String>,
    /// Exemption codes of the redactions inside `text`.
    pub redactions: Vec<String>,
    pub attachments: Vec<ProducedAttachment>,
}

/// One conversation of the production, messages in time order.
#[derive(Debug, Clone, Serialize)]
pub struct ProducedConversation {
    pub id: i64,
    pub title: String,
    /// whatsapp, signal, telegram, slack, email, ...
    pub app: String,
    /// `direct`, `group` or `channel`.
    pub kind: String,
    /// Display names of the participants (redacted names are not listed).
    pub participants: Vec<String>,
    pub messages: Vec<ProducedMessage>,
}

/// The production's header facts, shown on every transcript.
#[derive(Debug, Clone, Serialize)]
pub struct ProductionInfo {
    pub case: String,
    pub requester: String,
    /// IANA zone of every displayed time.
    pub zone: String,
    /// RFC 3339 UTC.
    pub produced_at: String,
}
