//! Tauri commands: one per core API function, each a few lines.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use holdfast::api::{
    self, attachments, foi, records, ArchiveStatus, ConversationList, ConversationView,
    ImportOptions, ImportProgress, ImportReport, InitResult, SearchRequest, SearchResults,
    ShowOptions, Stats,
};
use holdfast::archive::{self, Archive, Unlock};
use holdfast::crypto::keychain::OsKeychain;
use holdfast::error::{ApiError, Error};
use tauri::ipc::Channel;
use tauri::State;

/// The archive folder and, once unlocked, the open archive, with a second read-only handle
/// for the long reports (so a search never queues behind the home screen's disposal summary).
pub struct AppState {
    dir: PathBuf,
    open: Arc<Mutex<Option<Archive>>>,
    reader: Arc<Mutex<Option<Archive>>>,
}

impl AppState {
    /// The archive folder: `--archive DIR` on the command line, else `HOLDFAST_ARCHIVE`, else
    /// the platform default (as for the CLI).
    pub fn from_env() -> Result<Self, Error> {
        let mut args = std::env::args_os().skip(1);
        let mut from_args = None;
        while let Some(a) = args.next() {
            if a == "--archive" {
                from_args = args.next().map(PathBuf::from);
            }
        }
        let dir =
            match from_args.or_else(|| std::env::var_os("HOLDFAST_ARCHIVE").map(PathBuf::from)) {
                Some(d) => d,
                None => archive::default_dir()?,
            };
        Ok(AppState {
            dir,
            open: Arc::new(Mutex::new(None)),
            reader: Arc::new(Mutex::new(None)),
        })
    }
}

type Reply<T> = Result<T, ApiError>;

/// Runs `f` with the open archive on a blocking thread (SQLCipher work never runs on the UI
/// or async threads).
async fn with_archive<T, F>(state: &AppState, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Archive) -> holdfast::Result<T> + Send + 'static,
{
    run_on(state.open.clone(), f).await
}

/// Runs the read-only `f` on the reader handle (the open archive when there is none).
async fn with_reader<T, F>(state: &AppState, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Archive) -> holdfast::Result<T> + Send + 'static,
{
    let slot = if state
        .reader
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some()
    {
        state.reader.clone()
    } else {
        state.open.clone()
    };
    run_on(slot, f).await
}

async fn run_on<T, F>(slot: Arc<Mutex<Option<Archive>>>, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Archive) -> holdfast::Result<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(a) => f(a).map_err(ApiError::from),
            None => Err(ApiError::from(Error::Locked(
                "unlock the archive first".into(),
            ))),
        }
    })
    .await
    .map_err(|e| ApiError::from(Error::Corrupt(format!("background task failed: {e}"))))?
}

/// Keeps `archive` as the open one, with its reader beside it (if that cannot open, reports
/// run on the archive itself).
fn keep(
    state_open: &Mutex<Option<Archive>>,
    state_reader: &Mutex<Option<Archive>>,
    archive: Archive,
) {
    let reader = Archive::open_reader(archive.dir(), archive.data_key().clone()).ok();
    *state_reader.lock().unwrap_or_else(|p| p.into_inner()) = reader;
    *state_open.lock().unwrap_or_else(|p| p.into_inner()) = Some(archive);
}

/// Opens the archive with `open` on a blocking thread and keeps it.
async fn open_with<F>(state: &AppState, how: &'static str, open: F) -> Reply<ArchiveStatus>
where
    F: FnOnce(&std::path::Path) -> holdfast::Result<Archive> + Send + 'static,
{
    let (slot, reader) = (state.open.clone(), state.reader.clone());
    let dir = state.dir.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut archive = open(&dir).map_err(ApiError::from)?;
        api::record_unlock(&mut archive, how).map_err(ApiError::from)?;
        let status = api::status(&dir, Some(&archive));
        keep(&slot, &reader, archive);
        Ok(status)
    })
    .await
    .map_err(|e| ApiError::from(Error::Corrupt(format!("background task failed: {e}"))))?
}

#[tauri::command]
pub fn archive_status(state: State<'_, AppState>) -> ArchiveStatus {
    let open = state.open.lock().unwrap_or_else(|p| p.into_inner());
    api::status(&state.dir, open.as_ref())
}

#[tauri::command]
pub async fn create_archive(state: State<'_, AppState>, passphrase: String) -> Reply<InitResult> {
    let (slot, reader) = (state.open.clone(), state.reader.clone());
    let dir = state.dir.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let (archive, result) = api::init(&dir, &passphrase).map_err(ApiError::from)?;
        keep(&slot, &reader, archive);
        Ok(result)
    })
    .await
    .map_err(|e| ApiError::from(Error::Corrupt(format!("background task failed: {e}"))))?
}

#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, passphrase: String) -> Reply<ArchiveStatus> {
    open_with(&state, "passphrase", move |dir| {
        api::open(dir, Unlock::Passphrase(&passphrase))
    })
    .await
}

#[tauri::command]
pub async fn unlock_with_keychain(state: State<'_, AppState>) -> Reply<ArchiveStatus> {
    open_with(&state, "keychain", |dir| {
        api::open_with_keychain(dir, &OsKeychain)
    })
    .await
}

#[tauri::command]
pub fn lock(state: State<'_, AppState>) -> ArchiveStatus {
    *state.reader.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *state.open.lock().unwrap_or_else(|p| p.into_inner()) = None;
    api::status(&state.dir, None)
}

#[tauri::command]
pub async fn stats(state: State<'_, AppState>) -> Reply<Stats> {
    with_archive(&state, |a| api::stats(a)).await
}

#[tauri::command]
pub async fn list_conversations(state: State<'_, AppState>) -> Reply<ConversationList> {
    with_archive(&state, |a| api::conversations(a)).await
}

#[tauri::command]
pub async fn show_conversation(
    state: State<'_, AppState>,
    id: String,
    offset: u64,
    limit: u64,
) -> Reply<ConversationView> {
    let opts = ShowOptions {
        offset: Some(offset),
        limit: Some(limit),
        ..Default::default()
    };
    with_archive(&state, move |a| api::show(a, &id, &opts)).await
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, request: SearchRequest) -> Reply<SearchResults> {
    with_archive(&state, move |a| api::search(a, &request)).await
}

#[tauri::command]
pub async fn show_context(
    state: State<'_, AppState>,
    conversation: String,
    message: String,
    context: u64,
) -> Reply<ConversationView> {
    let opts = ShowOptions {
        around: Some(message),
        context: Some(context),
        ..Default::default()
    };
    with_archive(&state, move |a| api::show(a, &conversation, &opts)).await
}

#[tauri::command]
pub async fn import_paths(
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
    options: ImportOptions,
    on_progress: Channel<ImportProgress>,
) -> Reply<ImportReport> {
    with_archive(&state, move |a| {
        let mut progress = |e: ImportProgress| {
            let _ = on_progress.send(e);
        };
        api::import(a, &paths, &options, &mut progress)
    })
    .await
}

// ---------------------------------------------------------------- records ---

#[tauri::command]
pub async fn tag_conversation(
    state: State<'_, AppState>,
    conversation: String,
    tag: String,
) -> Reply<records::TagChange> {
    with_archive(&state, move |a| {
        records::tag_add(
            a,
            &tag,
            &records::TagTarget::Conversation(parse_id(&conversation)?),
        )
    })
    .await
}

#[tauri::command]
pub async fn untag_conversation(
    state: State<'_, AppState>,
    conversation: String,
    tag: String,
) -> Reply<records::TagChange> {
    with_archive(&state, move |a| {
        records::tag_remove(
            a,
            &tag,
            &records::TagTarget::Conversation(parse_id(&conversation)?),
        )
    })
    .await
}

#[tauri::command]
pub async fn tag_messages(
    state: State<'_, AppState>,
    messages: Vec<String>,
    tag: String,
) -> Reply<records::TagChange> {
    with_archive(&state, move |a| {
        records::tag_add(
            a,
            &tag,
            &records::TagTarget::Messages(parse_ids(&messages)?),
        )
    })
    .await
}

#[tauri::command]
pub async fn untag_messages(
    state: State<'_, AppState>,
    messages: Vec<String>,
    tag: String,
) -> Reply<records::TagChange> {
    with_archive(&state, move |a| {
        records::tag_remove(
            a,
            &tag,
            &records::TagTarget::Messages(parse_ids(&messages)?),
        )
    })
    .await
}

#[tauri::command]
pub async fn add_hold(
    state: State<'_, AppState>,
    request: records::NewHoldRequest,
) -> Reply<records::Hold> {
    with_archive(&state, move |a| records::hold_add_request(a, &request)).await
}

#[tauri::command]
pub async fn release_hold(state: State<'_, AppState>, name: String) -> Reply<records::Hold> {
    with_archive(&state, move |a| records::hold_release(a, &name)).await
}

#[tauri::command]
pub async fn audit_search(
    state: State<'_, AppState>,
    query: records::AuditQuery,
) -> Reply<records::AuditPage> {
    with_archive(&state, move |a| records::audit_search(a, &query)).await
}

/// The system's file chooser, for exports: several files, or several folders (Slack, Signal
/// and Maildir exports are folders). Cancelling gives no paths.
#[tauri::command]
pub async fn pick_exports(app: tauri::AppHandle, folders: bool) -> Reply<Vec<String>> {
    use tauri_plugin_dialog::{DialogExt, FilePath};
    let (tx, rx) = std::sync::mpsc::channel::<Vec<FilePath>>();
    let done = move |picked: Option<Vec<FilePath>>| {
        let _ = tx.send(picked.unwrap_or_default());
    };
    let chooser = app.dialog().file();
    if folders {
        chooser
            .set_title("Choose export folders")
            .pick_folders(done);
    } else {
        chooser.set_title("Choose chat exports").pick_files(done);
    }
    let picked = tauri::async_runtime::spawn_blocking(move || rx.recv().unwrap_or_default())
        .await
        .map_err(|e| ApiError::from(Error::Corrupt(format!("file chooser: {e}"))))?;
    Ok(picked
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
        .collect())
}

/// Saves a copy of an attachment into the user's Downloads folder (their home folder if the
/// system names none).
#[tauri::command]
pub async fn save_attachment(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    attachment: String,
) -> Reply<attachments::SavedAttachment> {
    use tauri::Manager;
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| {
            ApiError::from(Error::InvalidArgument(format!("no folder to save to: {e}")))
        })?;
    with_archive(&state, move |a| {
        attachments::save(a, parse_id(&attachment)?, &dir)
    })
    .await
}

/// `attachment://localhost/<id>`: a picture attachment, decrypted in memory, for an `<img>`.
/// Only pictures told by their bytes are served, with their real type, no sniffing, and a
/// policy that lets nothing in them run.
pub fn serve_attachment(
    app: &tauri::AppHandle,
    request: tauri::http::Request<Vec<u8>>,
    responder: tauri::UriSchemeResponder,
) {
    use tauri::http::{header, Response, StatusCode};
    use tauri::Manager;
    let open = app.state::<AppState>().open.clone();
    let id = request.uri().path().trim_start_matches('/').to_string();
    tauri::async_runtime::spawn_blocking(move || {
        let found = match (
            id.parse::<i64>(),
            open.lock().unwrap_or_else(|p| p.into_inner()).as_ref(),
        ) {
            (Ok(id), Some(a)) => attachments::inline_image(a, id).ok(),
            _ => None,
        };
        let response = match found {
            Some((mime, bytes)) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, mime)
                .header("X-Content-Type-Options", "nosniff")
                .header(header::CONTENT_SECURITY_POLICY, "default-src 'none'")
                .header(header::CACHE_CONTROL, "no-store")
                .body(bytes),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .header(header::CACHE_CONTROL, "no-store")
                .body(Vec::new()),
        };
        responder.respond(response.unwrap_or_else(|_| Response::new(Vec::new())));
    });
}

fn parse_ids(ids: &[String]) -> holdfast::Result<Vec<i64>> {
    ids.iter().map(|m| parse_id(m)).collect()
}

fn parse_id(id: &str) -> holdfast::Result<i64> {
    id.parse()
        .map_err(|_| Error::InvalidArgument(format!("{id:?} is not an id")))
}

#[tauri::command]
pub async fn list_policies(state: State<'_, AppState>) -> Reply<Vec<records::Policy>> {
    with_archive(&state, |a| records::policy_list(a)).await
}

#[tauri::command]
pub async fn list_holds(state: State<'_, AppState>) -> Reply<Vec<records::Hold>> {
    with_archive(&state, |a| records::hold_list(a, true)).await
}

#[tauri::command]
pub async fn disposal_due(state: State<'_, AppState>) -> Reply<records::DueSummary> {
    with_reader(&state, records::disposal_due).await
}

#[tauri::command]
pub async fn list_certificates(state: State<'_, AppState>) -> Reply<Vec<records::Certificate>> {
    with_archive(&state, |a| records::certificates(a)).await
}

#[tauri::command]
pub async fn audit_log(state: State<'_, AppState>, limit: u64) -> Reply<Vec<records::AuditEntry>> {
    with_archive(&state, move |a| records::audit_log_newest(a, limit)).await
}

#[tauri::command]
pub async fn audit_verify(state: State<'_, AppState>) -> Reply<records::AuditVerify> {
    with_archive(&state, |a| records::audit_verify(a)).await
}

// -------------------------------------------------------------------- FOI ---

#[tauri::command]
pub async fn list_cases(state: State<'_, AppState>) -> Reply<Vec<foi::Case>> {
    with_archive(&state, foi::foi_list).await
}

#[tauri::command]
pub async fn new_case(
    state: State<'_, AppState>,
    request: foi::NewCaseRequest,
) -> Reply<foi::Case> {
    with_archive(&state, move |a| foi::foi_new_from_request(a, &request)).await
}

// --------------------------------------------------------------- settings ---

#[tauri::command]
pub async fn keychain_remember(state: State<'_, AppState>) -> Reply<api::KeychainStatus> {
    with_archive(&state, |a| api::keychain_remember(a, &OsKeychain)).await
}

#[tauri::command]
pub async fn keychain_forget(state: State<'_, AppState>) -> Reply<api::KeychainStatus> {
    let dir = state.dir.clone();
    tauri::async_runtime::spawn_blocking(move || {
        api::keychain_forget(&dir, &OsKeychain).map_err(ApiError::from)
    })
    .await
    .map_err(|e| ApiError::from(Error::Corrupt(format!("background task failed: {e}"))))?
}

/// Changes the passphrase after checking the current one.
#[tauri::command]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    new_passphrase: String,
) -> Reply<ArchiveStatus> {
    let dir = state.dir.clone();
    with_archive(&state, move |a| {
        a.keyfile().unlock_with_passphrase(&current)?;
        api::change_passphrase(a, &new_passphrase)?;
        Ok(api::status(&dir, Some(a)))
    })
    .await
}

#[tauri::command]
pub async fn show_case(state: State<'_, AppState>, reference: String) -> Reply<foi::Case> {
    with_archive(&state, move |a| foi::foi_show(a, &reference)).await
}

#[tauri::command]
pub async fn add_case_scope(
    state: State<'_, AppState>,
    reference: String,
    query: String,
) -> Reply<foi::Case> {
    with_archive(&state, move |a| foi::foi_scope_add(a, &reference, &query)).await
}

#[tauri::command]
pub async fn review_progress(
    state: State<'_, AppState>,
    reference: String,
) -> Reply<foi::ReviewProgress> {
    with_archive(&state, move |a| foi::foi_review_progress(a, &reference)).await
}

#[tauri::command]
pub async fn review_items(
    state: State<'_, AppState>,
    reference: String,
    offset: u64,
    limit: u64,
) -> Reply<Vec<foi::ReviewItem>> {
    with_archive(&state, move |a| {
        foi::foi_review_items(a, &reference, offset, limit)
    })
    .await
}

#[tauri::command]
pub async fn review_mark(
    state: State<'_, AppState>,
    reference: String,
    messages: Vec<String>,
    decision: foi::Decision,
    code: Option<String>,
) -> Reply<foi::ReviewProgress> {
    with_archive(&state, move |a| {
        let ids = parse_ids(&messages)?;
        foi::foi_review_mark(
            a,
            &reference,
            &foi::ReviewTarget::Messages(ids),
            decision,
            code.as_deref(),
        )
    })
    .await
}

#[tauri::command]
pub async fn list_redactions(
    state: State<'_, AppState>,
    reference: String,
) -> Reply<Vec<foi::Redaction>> {
    with_archive(&state, move |a| foi::foi_redactions(a, &reference)).await
}

/// Redacts characters `start..end` of a message (both None: the whole message).
#[tauri::command]
pub async fn redact(
    state: State<'_, AppState>,
    reference: String,
    message: String,
    start: Option<u64>,
    end: Option<u64>,
    code: String,
) -> Reply<Vec<foi::Redaction>> {
    with_archive(&state, move |a| {
        let span = match (start, end) {
            (Some(s), Some(e)) => foi::RedactSpan::Chars(s, e),
            _ => foi::RedactSpan::Whole,
        };
        foi::foi_redact(a, &reference, parse_id(&message)?, &span, &code)
    })
    .await
}

#[tauri::command]
pub async fn suggest_redactions(
    state: State<'_, AppState>,
    reference: String,
) -> Reply<Vec<foi::Redaction>> {
    with_archive(&state, move |a| foi::foi_redact_suggest(a, &reference)).await
}

#[tauri::command]
pub async fn decide_redactions(
    state: State<'_, AppState>,
    reference: String,
    ids: Vec<String>,
    accept: bool,
) -> Reply<Vec<foi::Redaction>> {
    with_archive(&state, move |a| {
        let ids = parse_ids(&ids)?;
        foi::foi_redact_decide(a, &reference, &ids, false, accept)
    })
    .await
}

#[tauri::command]
pub async fn export_case(
    state: State<'_, AppState>,
    reference: String,
    out: PathBuf,
    on_progress: Channel<foi::ExportProgress>,
) -> Reply<foi::ExportReport> {
    with_archive(&state, move |a| {
        foi::foi_export(a, &reference, &out, None, &mut |p| {
            let _ = on_progress.send(p);
        })
    })
    .await
}

#[tauri::command]
pub async fn add_policy(
    state: State<'_, AppState>,
    request: records::NewPolicyRequest,
) -> Reply<records::Policy> {
    with_archive(&state, move |a| records::policy_add_request(a, &request)).await
}

#[tauri::command]
pub async fn dispose_now(
    state: State<'_, AppState>,
    approver: String,
    approve_reviews: bool,
    approve_policies: Option<Vec<String>>,
) -> Reply<records::DisposalDone> {
    with_archive(&state, move |a| {
        records::dispose_now(
            a,
            &approver,
            approve_reviews,
            &approve_policies.unwrap_or_default(),
        )
    })
    .await
}

#[tauri::command]
pub async fn storage_used(state: State<'_, AppState>) -> Reply<api::StorageUsed> {
    with_reader(&state, |a| Ok(api::storage_used(a))).await
}

/// The review queue's "keep": what `policy` brought to review is kept `keep_for` longer.
#[tauri::command]
pub async fn keep_review(
    state: State<'_, AppState>,
    policy: String,
    keep_for: String,
) -> Reply<records::KeptReview> {
    with_archive(&state, move |a| records::review_keep(a, &policy, &keep_for)).await
}

#[tauri::command]
pub async fn explain_message(
    state: State<'_, AppState>,
    message: String,
) -> Reply<records::Explanation> {
    with_archive(&state, move |a| records::retention_explain(a, &message)).await
}

#[tauri::command]
pub async fn messages_by_month(state: State<'_, AppState>) -> Reply<Vec<api::MonthCount>> {
    with_reader(&state, |a| api::messages_by_month(a)).await
}
