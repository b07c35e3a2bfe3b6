// The one place the UI talks to the Rust core: one typed function per Tauri
// command (see notes/ui-contract.md). Every rejection is turned into an
// `ApiFailure`, which is an `ApiError` ({ code, message }) and an Error.
//
// In `vite --mode mock` (npm run dev:mock) an in-memory mock answers instead of
// Tauri. The check is on `import.meta.env.MODE`, which Vite replaces with a
// constant, so a production build contains neither the mock nor its import.

import { Channel, invoke } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { ApiError } from "./bindings/ApiError";
import type { ArchiveStatus } from "./bindings/ArchiveStatus";
import type { ConversationList } from "./bindings/ConversationList";
import type { ConversationView } from "./bindings/ConversationView";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ImportOptions } from "./bindings/ImportOptions";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { ImportReport } from "./bindings/ImportReport";
import type { InitResult } from "./bindings/InitResult";
import type { SearchRequest } from "./bindings/SearchRequest";
import type { SearchResults } from "./bindings/SearchResults";
import type { Stats } from "./bindings/Stats";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { AuditVerify } from "./bindings/AuditVerify";
import type { Case } from "./bindings/Case";
import type { Certificate } from "./bindings/Certificate";
import type { DueSummary } from "./bindings/DueSummary";
import type { Hold } from "./bindings/Hold";
import type { NewCaseRequest } from "./bindings/NewCaseRequest";
import type { Policy } from "./bindings/Policy";
import type { TagChange } from "./bindings/TagChange";
import type { KeychainStatus } from "./bindings/KeychainStatus";
import type { Decision } from "./bindings/Decision";
import type { MonthCount } from "./bindings/MonthCount";
import type { DisposalDone } from "./bindings/DisposalDone";
import type { Explanation } from "./bindings/Explanation";
import type { NewPolicyRequest } from "./bindings/NewPolicyRequest";
import type { ExportReport } from "./bindings/ExportReport";
import type { Redaction } from "./bindings/Redaction";
import type { ReviewItem } from "./bindings/ReviewItem";
import type { ReviewProgress } from "./bindings/ReviewProgress";
import type { AuditPage } from "./bindings/AuditPage";
import type { AuditQuery } from "./bindings/AuditQuery";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { NewHoldRequest } from "./bindings/NewHoldRequest";
import type { SavedAttachment } from "./bindings/SavedAttachment";
import type { KeptReview } from "./bindings/KeptReview";
import type { StorageUsed } from "./bindings/StorageUsed";

export type InvokeArgs = Record<string, unknown>;

/** What a drop-target needs from the webview's file drag-and-drop. */
export type FileDragEvent =
  | { type: "enter"; paths: string[] }
  | { type: "over" }
  | { type: "drop"; paths: string[] }
  | { type: "leave" };

/** The transport behind the typed functions: Tauri in the app, a mock in dev. */
export interface Backend {
  invoke<T>(cmd: string, args?: InvokeArgs): Promise<T>;
  /** import_paths needs a Channel, which only exists inside Tauri. */
  importPaths(paths: string[], options: ImportOptions, onProgress: (p: ImportProgress) => void): Promise<ImportReport>;
  /** A command that streams progress through a Channel argument named `onProgress`. */
  invokeWithProgress<T, P>(cmd: string, args: InvokeArgs, onProgress: (p: P) => void): Promise<T>;
  /** The URL an `<img>` loads an attachment's picture from. */
  attachmentUrl(id: string): string;
  onFileDrag(handler: (e: FileDragEvent) => void): Promise<() => void>;
}

const tauriBackend: Backend = {
  invoke: (cmd, args) => invoke(cmd, args),
  importPaths(paths, options, onProgress) {
    return this.invokeWithProgress<ImportReport, ImportProgress>("import_paths", { paths, options }, onProgress);
  },
  invokeWithProgress<T, P>(cmd: string, args: InvokeArgs, onProgress: (p: P) => void) {
    const channel = new Channel<P>();
    channel.onmessage = onProgress;
    return invoke<T>(cmd, { ...args, onProgress: channel });
  },
  attachmentUrl: (id) => attachmentSrc(id, navigator.userAgent),
  onFileDrag(handler) {
    return getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === "enter" || p.type === "drop") handler({ type: p.type, paths: p.paths });
      else handler({ type: p.type });
    });
  },
};

/**
 * The URL of the attachment:// scheme the core serves pictures on: `attachment://localhost/ID`,
 * or `http://attachment.localhost/ID` where the webview (WebView2 on Windows, Android) only
 * takes custom schemes under http (as Tauri's own convertFileSrc does).
 */
export function attachmentSrc(id: string, userAgent: string): string {
  const path = encodeURIComponent(id);
  return /Windows|Android/.test(userAgent) ? `http://attachment.localhost/${path}` : `attachment://localhost/${path}`;
}

let backendPromise: Promise<Backend> | null = null;

function backend(): Promise<Backend> {
  if (!backendPromise) {
    if (import.meta.env.MODE === "mock") {
      backendPromise = import("./mock/backend").then((m) => m.mockBackend);
    } else {
      backendPromise = Promise.resolve(tauriBackend);
    }
  }
  return backendPromise;
}

// ---------------------------------------------------------------- errors ---

// A Record over ErrorCode, so that a code added in Rust fails the type check here
// until it is listed (an unlisted code would otherwise arrive as "internal").
const KNOWN_CODES: Record<ErrorCode, true> = {
  wrong_passphrase: true,
  locked: true,
  no_archive: true,
  archive_exists: true,
  archive_in_use: true,
  bad_input: true,
  unsupported_format: true,
  keychain_unavailable: true,
  not_found: true,
  refused: true,
  io: true,
  internal: true,
};
const ERROR_CODES = Object.keys(KNOWN_CODES) as readonly ErrorCode[];

/** A rejected command. It is an `ApiError`, so the UI can branch on `code`. */
export class ApiFailure extends Error implements ApiError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ApiFailure";
    this.code = code;
  }
}

function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === "string" && (ERROR_CODES as readonly string[]).includes(v);
}

/** Turn anything a command (or Tauri itself) rejected with into an ApiFailure. */
export function toApiError(e: unknown): ApiFailure {
  if (e instanceof ApiFailure) return e;
  if (typeof e === "object" && e !== null) {
    const o = e as { code?: unknown; message?: unknown };
    if (isErrorCode(o.code)) {
      return new ApiFailure(o.code, typeof o.message === "string" ? o.message : String(o.code));
    }
    if (typeof o.message === "string") return new ApiFailure("internal", o.message);
  }
  if (typeof e === "string") return new ApiFailure("internal", e);
  return new ApiFailure("internal", "Something went wrong in Holdfast.");
}

// Someone (the app shell) wants to know when the core says the archive is locked
// (e.g. it was locked elsewhere), to go back to the Unlock screen.
const lockedListeners = new Set<() => void>();

/** Called whenever a command rejects with code "locked"; returns an unsubscribe function. */
export function onLockedError(fn: () => void): () => void {
  lockedListeners.add(fn);
  return () => lockedListeners.delete(fn);
}

function fail(e: unknown): ApiFailure {
  const f = toApiError(e);
  if (f.code === "locked") for (const fn of lockedListeners) fn();
  return f;
}

async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    const b = await backend();
    return await b.invoke<T>(cmd, args);
  } catch (e) {
    throw fail(e);
  }
}

// -------------------------------------------------------------- commands ---

export function archiveStatus(): Promise<ArchiveStatus> {
  return call("archive_status");
}

/** Creates the archive and unlocks it. The recovery key is returned this once. */
export function createArchive(passphrase: string): Promise<InitResult> {
  return call("create_archive", { passphrase });
}

/** Rejects with code "wrong_passphrase" on a wrong passphrase. */
export function unlock(passphrase: string): Promise<ArchiveStatus> {
  return call("unlock", { passphrase });
}

/** Rejects with "keychain_unavailable" or "locked". */
export function unlockWithKeychain(): Promise<ArchiveStatus> {
  return call("unlock_with_keychain");
}

export function lock(): Promise<ArchiveStatus> {
  return call("lock");
}

export function stats(): Promise<Stats> {
  return call("stats");
}

export function listConversations(): Promise<ConversationList> {
  return call("list_conversations");
}

/** A page of a conversation's messages, oldest first. */
export function showConversation(id: string, offset: number, limit: number): Promise<ConversationView> {
  return call("show_conversation", { id, offset, limit });
}

/**
 * A search request. `facets: false` asks the core not to count facets (for later
 * pages, which only need hits); left out, the core counts them. Written so that it
 * fits the SearchRequest binding with or without that field.
 */
export type SearchArgs = Omit<SearchRequest, "facets"> & { facets?: boolean | null };

/**
 * Full-text search with the query language. A malformed query rejects with code
 * "bad_input" and a message ending "(at character N)" (1-based, in characters).
 */
export function search(request: SearchArgs): Promise<SearchResults> {
  return call("search", { request });
}

/** The message `message` of `conversation` with `context` messages before and after it. */
export function showContext(conversation: string, message: string, context: number): Promise<ConversationView> {
  return call("show_context", { conversation, message, context });
}

/** Imports exports from absolute paths; progress arrives while the promise is pending. */
export async function importPaths(
  paths: string[],
  options: ImportOptions,
  onProgress: (p: ImportProgress) => void,
): Promise<ImportReport> {
  try {
    const b = await backend();
    return await b.importPaths(paths, options, onProgress);
  } catch (e) {
    throw fail(e);
  }
}

/** The system's file chooser: several export files, or several folders; [] when cancelled. */
export function pickExports(folders: boolean): Promise<string[]> {
  return call("pick_exports", { folders });
}

/** Listen to files dragged onto the window; resolves to an unlisten function. */
export async function onFileDrag(handler: (e: FileDragEvent) => void): Promise<() => void> {
  try {
    const b = await backend();
    return await b.onFileDrag(handler);
  } catch {
    // Outside Tauri (or if the event API is unavailable) there is nothing to listen to.
    return () => {};
  }
}

// ------------------------------------------------------------- records ---

/** Puts a tag on a conversation; a triage class (business, personal, transitory) replaces the
 * other two. Rejects with "refused" when a hold forbids it. */
export function tagConversation(conversation: string, tag: string): Promise<TagChange> {
  return call("tag_conversation", { conversation, tag });
}

export function untagConversation(conversation: string, tag: string): Promise<TagChange> {
  return call("untag_conversation", { conversation, tag });
}

export function listPolicies(): Promise<Policy[]> {
  return call("list_policies");
}

export function listHolds(): Promise<Hold[]> {
  return call("list_holds");
}

/** What is due for disposition now (counts per policy; held messages apart). */
export function disposalDue(): Promise<DueSummary> {
  return call("disposal_due");
}

export function listCertificates(): Promise<Certificate[]> {
  return call("list_certificates");
}

/** Tags the messages (a selection in a conversation); a triage class replaces the other two. */
export function tagMessages(messages: string[], tag: string): Promise<TagChange> {
  return call("tag_messages", { messages, tag });
}

export function untagMessages(messages: string[], tag: string): Promise<TagChange> {
  return call("untag_messages", { messages, tag });
}

/** Places a hold; what it covers can no longer be disposed of, deleted or re-triaged away. */
export function addHold(request: NewHoldRequest): Promise<Hold> {
  return call("add_hold", { request });
}

export function releaseHold(name: string): Promise<Hold> {
  return call("release_hold", { name });
}

/** A page of the audit log, newest first, narrowed by the query's filters. */
export function auditSearch(query: AuditQuery): Promise<AuditPage> {
  return call("audit_search", { query });
}

/** Saves a copy of an attachment into the Downloads folder (never overwriting a file). */
export function saveAttachment(attachment: string): Promise<SavedAttachment> {
  return call("save_attachment", { attachment });
}

/** Where an `<img>` loads a picture attachment from; resolves in the app and in mock mode. */
export async function attachmentUrl(id: string): Promise<string> {
  return (await backend()).attachmentUrl(id);
}

/** The newest `limit` entries of the audit log, newest first. */
export function auditLog(limit: number): Promise<AuditEntry[]> {
  return call("audit_log", { limit });
}

export function auditVerify(): Promise<AuditVerify> {
  return call("audit_verify");
}

// ----------------------------------------------------------------- FOI ---

export function listCases(): Promise<Case[]> {
  return call("list_cases");
}

/** Logs a request; its scope is held at once. */
export function newCase(request: NewCaseRequest): Promise<Case> {
  return call("new_case", { request });
}

// ------------------------------------------------------------- settings ---

export function keychainRemember(): Promise<KeychainStatus> {
  return call("keychain_remember");
}

export function keychainForget(): Promise<KeychainStatus> {
  return call("keychain_forget");
}

/** Rejects with "wrong_passphrase" when `current` is not the passphrase. */
export function changePassphrase(current: string, newPassphrase: string): Promise<ArchiveStatus> {
  return call("change_passphrase", { current, newPassphrase });
}

// ------------------------------------------------------------ a case ---

export function showCase(reference: string): Promise<Case> {
  return call("show_case", { reference });
}

export function addCaseScope(reference: string, query: string): Promise<Case> {
  return call("add_case_scope", { reference, query });
}

export function reviewProgress(reference: string): Promise<ReviewProgress> {
  return call("review_progress", { reference });
}

/** The scope's messages with their marks, oldest first. */
export function reviewItems(reference: string, offset: number, limit: number): Promise<ReviewItem[]> {
  return call("review_items", { reference, offset, limit });
}

/** `code` is required for "exempt" (s40(2), s41, ...). */
export function reviewMark(reference: string, messages: string[], decision: Decision, code: string | null): Promise<ReviewProgress> {
  return call("review_mark", { reference, messages, decision, code });
}

export function listRedactions(reference: string): Promise<Redaction[]> {
  return call("list_redactions", { reference });
}

/** Redacts characters [start, end) of a message (Unicode characters, not UTF-16 units), or all of it. */
export function redact(reference: string, message: string, start: number | null, end: number | null, code: string): Promise<Redaction[]> {
  return call("redact", { reference, message, start, end, code });
}

export function suggestRedactions(reference: string): Promise<Redaction[]> {
  return call("suggest_redactions", { reference });
}

export function decideRedactions(reference: string, ids: string[], accept: boolean): Promise<Redaction[]> {
  return call("decide_redactions", { reference, ids, accept });
}

/** Writes the production bundle into `out` (a new or empty folder); progress arrives while
 * the promise is pending. */
export async function exportCase(
  reference: string,
  out: string,
  onProgress: (p: ExportProgress) => void = () => {},
): Promise<ExportReport> {
  try {
    const b = await backend();
    return await b.invokeWithProgress<ExportReport, ExportProgress>("export_case", { reference, out }, onProgress);
  } catch (e) {
    throw fail(e);
  }
}

// ------------------------------------------------------ records actions ---

export function addPolicy(request: NewPolicyRequest): Promise<Policy> {
  return call("add_policy", { request });
}

/** Disposes of what is due now; review items too when the approver has reviewed them. */
export function disposeNow(approver: string, approveReviews: boolean, approvePolicies: string[] = []): Promise<DisposalDone> {
  return call("dispose_now", { approver, approveReviews, approvePolicies });
}

/** The review queue's "keep": what `policy` brought to review is kept `keepFor` longer (1y, 6m). */
export function keepReview(policy: string, keepFor: string): Promise<KeptReview> {
  return call("keep_review", { policy, keepFor });
}

/** Why a message is kept, until when, and what happens then. */
export function explainMessage(message: string): Promise<Explanation> {
  return call("explain_message", { message });
}

/** What the archive takes on disk: database, stored files, index. */
export function storageUsed(): Promise<StorageUsed> {
  return call("storage_used");
}

/** Messages per month (UTC), oldest first. */
export function messagesByMonth(): Promise<MonthCount[]> {
  return call("messages_by_month");
}
