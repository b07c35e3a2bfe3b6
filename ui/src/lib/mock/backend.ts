// In-memory stand-in for the Rust core, used only in `vite --mode mock`.
// api.ts imports this module dynamically behind `import.meta.env.MODE ===
// "mock"`, so it never reaches a production build.

import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditVerify } from "../bindings/AuditVerify";
import type { Case } from "../bindings/Case";
import type { Certificate } from "../bindings/Certificate";
import type { DueSummary } from "../bindings/DueSummary";
import type { Hold } from "../bindings/Hold";
import type { AuditPage } from "../bindings/AuditPage";
import type { AuditQuery } from "../bindings/AuditQuery";
import type { ExportProgress } from "../bindings/ExportProgress";
import type { NewHoldRequest } from "../bindings/NewHoldRequest";
import type { SavedAttachment } from "../bindings/SavedAttachment";
import type { NewCaseRequest } from "../bindings/NewCaseRequest";
import type { Policy } from "../bindings/Policy";
import type { TagChange } from "../bindings/TagChange";
import type { Decision } from "../bindings/Decision";
import type { ExportReport } from "../bindings/ExportReport";
import type { Redaction } from "../bindings/Redaction";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewProgress } from "../bindings/ReviewProgress";
import type { Backend, FileDragEvent, InvokeArgs, SearchArgs } from "../api";
import type { ApiError } from "../bindings/ApiError";
import type { ArchiveStatus } from "../bindings/ArchiveStatus";
import type { ConversationList } from "../bindings/ConversationList";
import type { ConversationView } from "../bindings/ConversationView";
import type { ImportOptions } from "../bindings/ImportOptions";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportReport } from "../bindings/ImportReport";
import type { InitResult } from "../bindings/InitResult";
import type { SourceReport } from "../bindings/SourceReport";
import type { Stats } from "../bindings/Stats";
import { demoConversations, importedConversation, mockFormat, type MockConversation } from "./data";
import { BadInput, contextMock, searchMock } from "./search";

/** As the core words it (src/import/mod.rs). */
const SUPPORTED =
  "Holdfast reads WhatsApp .txt/.zip exports, Signal Desktop profiles and signal-export output, Telegram Desktop JSON exports, Slack workspace exports, and e-mail (mbox, .eml, Maildir)";

/** The passphrase that unlocks the mock archive. */
export const MOCK_PASSPHRASE = "correct horse battery staple";

export type MockConfig = {
  exists: boolean;
  unlocked: boolean;
  keychain: boolean;
  empty: boolean;
  /** Milliseconds a mock import takes. */
  importMs: number;
  /** Milliseconds every other call takes. */
  latencyMs: number;
};

const state = {
  config: {
    exists: true,
    unlocked: false,
    keychain: true,
    empty: false,
    importMs: 2500,
    latencyMs: 120,
  } as MockConfig,
  path: "/home/alex/Documents/Northgate records",
  passphrase: MOCK_PASSPHRASE,
  conversations: [] as MockConversation[],
  sources: 3,
  imported: new Set<string>(),
  importCount: 0,
  cases: [] as Case[],
  audit: [] as AuditEntry[],
  marks: new Map<string, Decision>(),
  redactions: [] as Redaction[],
  /** Holds placed in the Records screen (cases' holds are listed from the cases). */
  holds: [] as Hold[],
};

/** A picture for mock image attachments (the app serves the real one from attachment://). */
const MOCK_PICTURE =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"><rect width="320" height="200" fill="#cbd5e1"/>' +
      '<path d="M40 170l70-90 50 60 35-40 85 70z" fill="#64748b"/><circle cx="250" cy="55" r="22" fill="#f8fafc"/></svg>',
  );

/** The mock's scope of a case: the messages of its first conversation (enough to try review). */
function scopeItems(reference: string): ReviewItem[] {
  const c = state.conversations[0];
  if (!c || !state.cases.some((k) => k.reference === reference)) return [];
  return c.messages.slice(0, 30).map((m) => ({
    message_id: m.id,
    conversation_id: c.summary.id,
    conversation: c.summary.title,
    sender: m.sender,
    sent_at: m.sent_at,
    text: m.text,
    decision: state.marks.get(`${reference}/${m.id}`) ?? null,
    code: null,
  }));
}

function progressOf(reference: string, marked = 0): ReviewProgress {
  const items = scopeItems(reference);
  const count = (d: Decision) => items.filter((i) => i.decision === d).length;
  return {
    case: reference,
    in_scope: items.length,
    responsive: count("responsive"),
    not_responsive: count("not_responsive"),
    exempt: count("exempt"),
    unreviewed: items.filter((i) => i.decision === null).length,
    marked,
  };
}

/** Appends to the mock's audit log (the real one is a hash chain; here the hashes are fake). */
function audited(action: string, detail: Record<string, unknown>): void {
  const seq = state.audit.length + 1;
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  state.audit.push({
    seq,
    at,
    at_ms: Date.now(),
    actor: "alex",
    action,
    detail: detail as AuditEntry["detail"],
    prev: state.audit[seq - 2]?.hash ?? "0".repeat(64),
    hash: seq.toString(16).padStart(64, "0"),
  });
}

const MOCK_POLICIES: Policy[] = [
  ["1", "Business (default)", "tag:business", "6y", "review", true],
  ["2", "Untriaged (default)", "@untriaged", "2y", "review", false],
  ["3", "Personal (default)", "tag:personal", "90d", "delete", true],
  ["4", "Transitory (default)", "tag:transitory", "30d", "delete", true],
].map(([id, name, match, retain, then, explicit]) => ({
  id: id as string,
  name: name as string,
  match: match as string,
  retain: retain as string,
  from: "sent" as const,
  then: then as Policy["then"],
  locked: false,
  enabled: true,
  explicit: explicit as boolean,
  created_at: "2026-01-05T09:00:00Z",
  created_by: "holdfast",
}));

/** A rough due date for the mock: 28 calendar days (the app shows what the core computes). */
function mockDue(received: string): string {
  const d = new Date(`${received}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 28);
  return d.toISOString().slice(0, 10);
}

export function configureMock(c: Partial<MockConfig>): void {
  Object.assign(state.config, c);
  state.conversations = state.config.empty ? [] : demoConversations();
  state.sources = state.config.empty ? 0 : 3;
}
configureMock({});

const fail = (code: ApiError["code"], message: string): never => {
  throw { code, message } satisfies ApiError;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function status(): ArchiveStatus {
  return {
    path: state.path,
    exists: state.config.exists,
    unlocked: state.config.unlocked,
    keychain_remembered: state.config.keychain,
  };
}

function requireUnlocked(): void {
  if (!state.config.exists) fail("no_archive", "There is no archive yet.");
  if (!state.config.unlocked) fail("locked", "The archive is locked. Unlock it first.");
}

function stats(): Stats {
  const by_app: Record<string, number> = {};
  let messages = 0;
  let attachments = 0;
  let first: string | null = null;
  let last: string | null = null;
  for (const c of state.conversations) {
    by_app[c.summary.app] = (by_app[c.summary.app] ?? 0) + c.messages.length;
    messages += c.messages.length;
    attachments += c.messages.reduce((n, m) => n + m.attachments.filter((a) => a.status === "stored").length, 0);
    if (c.summary.first && (!first || c.summary.first < first)) first = c.summary.first;
    if (c.summary.last && (!last || c.summary.last > last)) last = c.summary.last;
  }
  return {
    sources: state.sources,
    conversations: state.conversations.length,
    messages,
    attachments,
    by_app,
    first,
    last,
  };
}

function recoveryKey(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) {
    let s = "";
    for (let i = 0; i < 5; i++) s += alphabet[(g * 7 + i * 13 + 5) % alphabet.length];
    groups.push(s);
  }
  return groups.join("-");
}

async function handle(cmd: string, args: InvokeArgs = {}): Promise<unknown> {
  await sleep(state.config.latencyMs);
  switch (cmd) {
    case "archive_status":
      return status();
    case "create_archive": {
      if (state.config.exists) fail("archive_exists", `An archive already exists at ${state.path}.`);
      const passphrase = String(args.passphrase ?? "");
      if (passphrase.length < 8) fail("bad_input", "The passphrase must have at least 8 characters.");
      await sleep(600); // key derivation
      state.passphrase = passphrase;
      state.config.exists = true;
      state.config.unlocked = true;
      state.config.keychain = false;
      state.conversations = [];
      state.sources = 0;
      return { archive: state.path, recovery_key: recoveryKey() } satisfies InitResult;
    }
    case "unlock": {
      if (!state.config.exists) fail("no_archive", "There is no archive yet.");
      await sleep(400);
      if (args.passphrase !== state.passphrase) fail("wrong_passphrase", "Wrong passphrase.");
      state.config.unlocked = true;
      return status();
    }
    case "unlock_with_keychain":
      if (!state.config.keychain) fail("keychain_unavailable", "This device's keychain has no key for this archive.");
      state.config.unlocked = true;
      return status();
    case "lock":
      state.config.unlocked = false;
      return status();
    case "stats":
      requireUnlocked();
      return stats();
    case "list_conversations": {
      requireUnlocked();
      const list = state.conversations
        .map((c) => c.summary)
        .sort((a, b) => (b.last ?? "").localeCompare(a.last ?? ""));
      return { conversations: list } satisfies ConversationList;
    }
    case "show_conversation": {
      requireUnlocked();
      const c = state.conversations.find((x) => x.summary.id === args.id);
      if (!c) return fail("bad_input", `No conversation with id ${String(args.id)}.`);
      const offset = Math.max(0, Number(args.offset ?? 0));
      const limit = Math.max(0, Number(args.limit ?? 200));
      return {
        conversation: c.summary,
        messages: c.messages.slice(offset, offset + limit),
        total: c.messages.length,
        offset,
      } satisfies ConversationView;
    }
    case "search": {
      requireUnlocked();
      const req = (args.request ?? {}) as Partial<SearchArgs>;
      try {
        return searchMock(state.conversations, {
          query: String(req.query ?? ""),
          limit: req.limit ?? null,
          offset: req.offset ?? null,
          sort: req.sort ?? "relevance",
          tz: req.tz ?? null,
          facets: req.facets ?? null,
        });
      } catch (e) {
        if (e instanceof BadInput) return fail("bad_input", e.message);
        throw e;
      }
    }
    case "show_context": {
      requireUnlocked();
      const c = state.conversations.find((x) => x.summary.id === args.conversation);
      if (!c) return fail("not_found", `No conversation with id ${String(args.conversation)}.`);
      const view = contextMock(c, String(args.message ?? ""), Number(args.context ?? 5));
      if (!view) return fail("not_found", `No message ${String(args.message)} in ${c.summary.title}.`);
      return view;
    }
    case "tag_conversation": {
      requireUnlocked();
      const c = state.conversations.find((x) => x.summary.id === args.conversation);
      if (!c) return fail("not_found", `No conversation ${String(args.conversation)}.`);
      const tag = String(args.tag ?? "");
      const triage = ["business", "personal", "transitory"];
      const keep = c.summary.tags.filter((t) => !(triage.includes(tag) && triage.includes(t)) && t !== tag);
      c.summary = { ...c.summary, tags: [...keep, tag].sort() };
      c.tags = c.summary.tags;
      audited("tag.add", { tag, conversation: c.summary.id, count: c.messages.length });
      return { tag, messages: c.messages.length, conversations: 1 } satisfies TagChange;
    }
    case "list_policies":
      requireUnlocked();
      return MOCK_POLICIES;
    case "add_hold": {
      requireUnlocked();
      const r = args.request as NewHoldRequest;
      if (!r.name.trim()) return fail("bad_input", "a hold needs a name");
      if (state.holds.some((h) => h.name === r.name.trim() && !h.released_at)) return fail("bad_input", `a hold "${r.name}" is active already`);
      const hold: Hold = {
        id: String(100 + state.holds.length),
        name: r.name.trim(),
        match: [r.match.trim(), r.from && `after:${r.from}`, r.to && `before:${r.to}`].filter(Boolean).join(" ") || "*",
        reason: r.reason,
        created_at: new Date().toISOString(),
        created_by: "alex",
        released_at: null,
        released_by: null,
        messages: 42,
      };
      state.holds.push(hold);
      audited("hold.add", { hold: hold.name, query: hold.match, reason: hold.reason });
      return hold;
    }
    case "release_hold": {
      requireUnlocked();
      const h = state.holds.find((x) => x.name === args.name && !x.released_at);
      if (!h) return fail("not_found", `no active hold "${String(args.name)}"`);
      h.released_at = new Date().toISOString();
      h.released_by = "alex";
      audited("hold.release", { hold: h.name });
      return h;
    }
    case "tag_messages":
    case "untag_messages": {
      requireUnlocked();
      const ids = args.messages as string[];
      const tag = String(args.tag ?? "");
      if (!tag.trim()) return fail("bad_input", "a tag needs a name");
      audited(cmd === "tag_messages" ? "tag.add" : "tag.remove", { tag, messages: ids });
      return { tag, messages: ids.length, conversations: 0 } satisfies TagChange;
    }
    case "audit_search": {
      requireUnlocked();
      const q = args.query as AuditQuery;
      const has = (s: string | null) => (s ?? "").trim() !== "";
      const found = state.audit
        .filter((e) => !has(q.action) || e.action.startsWith(q.action!.trim()))
        .filter((e) => !has(q.actor) || e.actor.toLowerCase().includes(q.actor!.trim().toLowerCase()))
        .filter((e) => !has(q.text) || JSON.stringify(e.detail).toLowerCase().includes(q.text!.trim().toLowerCase()))
        .filter((e) => !has(q.from) || e.at.slice(0, 10) >= q.from!)
        .filter((e) => !has(q.to) || e.at.slice(0, 10) <= q.to!)
        .filter((e) => q.before === null || e.seq < q.before)
        .reverse();
      return { entries: found.slice(0, q.limit), more: found.length > q.limit } satisfies AuditPage;
    }
    case "pick_exports":
      return args.folders
        ? ["/home/alex/Downloads/Northgate Slack export Dec 1 2025 - Dec 3 2025"]
        : ["/home/alex/Downloads/WhatsApp Chat with Northgate depot.zip", "/home/alex/Downloads/inbox.mbox"];
    case "save_attachment": {
      requireUnlocked();
      const name = `attachment-${String(args.attachment)}`;
      audited("attachment.save", { attachment: args.attachment, to: `/home/alex/Downloads/${name}` });
      return { path: `/home/alex/Downloads/${name}`, bytes: 48213 } satisfies SavedAttachment;
    }
    case "list_holds":
      requireUnlocked();
      return [...state.cases
        .filter((c) => c.hold)
        .map((c, i) => ({
          id: String(i + 1),
          name: c.reference,
          match: c.scope.join(" OR "),
          reason: `request ${c.reference}`,
          created_at: c.created_at,
          created_by: c.created_by,
          released_at: null,
          released_by: null,
          messages: c.held_messages,
        })), ...state.holds] satisfies Hold[];
    case "disposal_due": {
      requireUnlocked();
      const personal = state.conversations.filter((c) => c.summary.tags.includes("personal"));
      const groups = personal.length
        ? [{ action: "delete", by: "Personal (default)", messages: personal.reduce((n, c) => n + c.messages.length, 0) }]
        : [];
      return {
        as_of: new Date().toISOString(),
        evaluated: state.conversations.reduce((n, c) => n + c.messages.length, 0),
        groups,
      } satisfies DueSummary;
    }
    case "list_certificates":
      requireUnlocked();
      return [] as Certificate[];
    case "audit_log": {
      requireUnlocked();
      const limit = Number(args.limit ?? 50);
      return state.audit.slice(-limit).reverse();
    }
    case "audit_verify":
      requireUnlocked();
      return { ok: true, entries: state.audit.length } satisfies AuditVerify;
    case "list_cases":
      requireUnlocked();
      return state.cases;
    case "new_case": {
      requireUnlocked();
      const r = args.request as NewCaseRequest;
      if (!r.reference.trim()) return fail("bad_input", "the case reference is empty");
      if (state.cases.some((c) => c.reference === r.reference)) return fail("bad_input", `a case "${r.reference}" exists already`);
      const due = mockDue(r.received);
      const c: Case = {
        reference: r.reference,
        kind: r.kind,
        requester: r.requester,
        zone: "Europe/London",
        received: r.received,
        complex: r.complex,
        status: "open",
        due,
        days_left: Math.round((Date.parse(due) - Date.now()) / 86_400_000 * (5 / 7)),
        notes: "",
        scope: r.scope,
        hold: r.scope.length ? r.reference : null,
        held_messages: r.scope.length ? 12 : 0,
        clarifications: [],
        responded_on: null,
        created_at: new Date().toISOString(),
        created_by: "alex",
      };
      state.cases.push(c);
      audited("foi.new", { case: r.reference, kind: r.kind });
      return c;
    }
    case "show_case": {
      requireUnlocked();
      const c = state.cases.find((k) => k.reference === args.reference);
      return c ?? fail("not_found", `no case "${String(args.reference)}"`);
    }
    case "add_case_scope": {
      requireUnlocked();
      const c = state.cases.find((k) => k.reference === args.reference);
      if (!c) return fail("not_found", `no case "${String(args.reference)}"`);
      c.scope = [...c.scope, String(args.query)];
      c.hold = c.reference;
      return c;
    }
    case "review_progress":
      requireUnlocked();
      return progressOf(String(args.reference));
    case "review_items":
      requireUnlocked();
      return scopeItems(String(args.reference)).slice(Number(args.offset ?? 0), Number(args.offset ?? 0) + Number(args.limit ?? 50));
    case "review_mark": {
      requireUnlocked();
      const ids = (args.messages as string[]) ?? [];
      for (const id of ids) state.marks.set(`${String(args.reference)}/${id}`, args.decision as Decision);
      return progressOf(String(args.reference), ids.length);
    }
    case "list_redactions":
      requireUnlocked();
      return state.redactions;
    case "redact": {
      requireUnlocked();
      const item = scopeItems(String(args.reference)).find((i) => i.message_id === args.message);
      if (!item) return fail("bad_input", "that message is not in the scope");
      const start = args.start as number | null;
      const end = args.end as number | null;
      state.redactions.push({
        id: String(state.redactions.length + 1),
        message_id: item.message_id,
        start,
        end,
        code: String(args.code),
        status: "accepted",
        text: start === null || end === null ? "" : Array.from(item.text).slice(start, end).join(""),
        by: "alex",
      });
      return state.redactions;
    }
    case "suggest_redactions":
      requireUnlocked();
      return state.redactions.filter((r) => r.status === "suggested");
    case "decide_redactions": {
      requireUnlocked();
      for (const r of state.redactions) if ((args.ids as string[]).includes(r.id)) r.status = args.accept ? "accepted" : "rejected";
      return state.redactions;
    }
    case "export_case": {
      requireUnlocked();
      const p = progressOf(String(args.reference));
      const onProgress = args.onProgress as ((e: ExportProgress) => void) | undefined;
      const steps = ["attachments", "transcripts", "transcripts", "tables", "checking", "manifest", "done"];
      for (const [i, step] of steps.entries()) {
        onProgress?.({ step, done: i + 1, total: steps.length });
        await sleep(150);
      }
      return {
        case: String(args.reference),
        out: String(args.out),
        files: 9,
        messages: p.responsive + p.exempt,
        withheld: p.exempt,
        redactions: state.redactions.filter((r) => r.status === "accepted").length,
        unreviewed: p.unreviewed,
        first_control: `${String(args.reference)}-000001`,
        last_control: `${String(args.reference)}-${String(p.responsive + p.exempt).padStart(6, "0")}`,
        root_hash: "9f2c".padEnd(64, "0"),
        took_ms: 812.5,
      } satisfies ExportReport;
    }
    case "add_policy": {
      requireUnlocked();
      const r = args.request as { name: string; match: string; retain: string; from: Policy["from"]; then: Policy["then"]; lock: boolean };
      const p: Policy = { id: String(MOCK_POLICIES.length + 1), name: r.name, match: r.match, retain: r.retain, from: r.from, then: r.then, locked: r.lock, enabled: true, explicit: /^tag:\S+$/.test(r.match), created_at: new Date().toISOString(), created_by: "alex" };
      MOCK_POLICIES.push(p);
      audited("policy.add", { policy: r.name });
      return p;
    }
    case "dispose_now":
      requireUnlocked();
      return { certificate: null, awaiting_review: 0, held: 0 };
    case "storage_used":
      requireUnlocked();
      return { database: 48_211_968, files: 310_442_112, index: 21_004_288, total: 379_674_624 };
    case "keep_review":
      requireUnlocked();
      audited("review.keep", { policy: args.policy, messages: 12, until: "2027-11-26T00:00:00Z" });
      return { policy: String(args.policy), messages: 12, until: "2027-11-26T00:00:00Z" };
    case "explain_message":
      requireUnlocked();
      return {
        message: String(args.message),
        summary: "kept until 2031-03-04 by 'Business (default)', then review",
        kept_until: "2031-03-04",
        then: "review",
        retained_by: "Business (default)",
        action_by: "Business (default)",
        reason: "a label asks for review (an explicit label beats a broad policy)",
        held_by: [],
        policies: [],
        original: "the original export is kept while any message from it is retained",
      };
    case "messages_by_month": {
      requireUnlocked();
      const by = new Map<string, number>();
      for (const c of state.conversations) for (const m of c.messages) by.set(m.sent_at.slice(0, 7), (by.get(m.sent_at.slice(0, 7)) ?? 0) + 1);
      return [...by.entries()].sort().map(([month, messages]) => ({ month, messages }));
    }
    case "keychain_remember":
      requireUnlocked();
      state.config.keychain = true;
      return { archive: state.path, remembered: true };
    case "keychain_forget":
      state.config.keychain = false;
      return { archive: state.path, remembered: false };
    case "change_passphrase": {
      requireUnlocked();
      if (args.current !== state.passphrase) fail("wrong_passphrase", "Wrong passphrase.");
      state.passphrase = String(args.newPassphrase ?? "");
      audited("passphrase.change", {});
      return status();
    }
    default:
      return fail("internal", `The mock does not know the command ${cmd}.`);
  }
}

async function importOne(path: string, options: ImportOptions, onProgress: (p: ImportProgress) => void): Promise<SourceReport> {
  onProgress({ phase: "scanning", path });
  await sleep(300);
  if (/fail|\.pdf$|\.docx?$/i.test(path)) {
    fail("unsupported_format", `${path}: holds no chat export Holdfast recognises (${SUPPORTED})`);
  }
  const already = state.imported.has(path);
  const conv = importedConversation(path, ++state.importCount);
  if (options.tag) conv.tags = [options.tag];
  const total = 4_718_592 + state.importCount * 100_000;
  const steps = 20;
  for (let i = 1; i <= steps; i++) {
    await sleep(state.config.importMs / steps);
    onProgress({
      phase: "importing",
      path,
      bytes_done: Math.round((total * i) / steps),
      bytes_total: total,
      messages: Math.round((conv.messages.length * i) / steps),
    });
  }
  onProgress({ phase: "done", path });
  if (!already) {
    state.imported.add(path);
    state.conversations.push(conv);
    state.sources++;
  }
  const base = path.split(/[\\/]/).pop() ?? path;
  const format = mockFormat(path);
  return {
    path,
    format,
    sha256: "9f2c4e1ab07d" + "3".repeat(52),
    conversations: 1,
    messages_added: already ? 0 : conv.messages.length,
    messages_duplicate: already ? conv.messages.length : 4,
    attachments_added: already ? 0 : conv.messages.reduce((n, m) => n + m.attachments.filter((a) => a.status === "stored").length, 0),
    already_imported: already,
    warnings: already || format !== "whatsapp"
      ? []
      : [
          { at: `${base}/_chat.txt:418`, message: "Line does not start with a timestamp; joined to the previous message." },
          {
            at: `${base}/_chat.txt:1022`,
            message: `Ambiguous date 03/04/2024 read as ${options.date_order === "mdy" ? "4 March" : "3 April"} (date order ${options.date_order ?? "auto"}).`,
          },
        ],
  };
}

export const mockBackend: Backend = {
  invoke<T>(cmd: string, args?: InvokeArgs): Promise<T> {
    return handle(cmd, args) as Promise<T>;
  },
  invokeWithProgress<T, P>(cmd: string, args: InvokeArgs, onProgress: (p: P) => void): Promise<T> {
    return handle(cmd, { ...args, onProgress }) as Promise<T>;
  },
  attachmentUrl: () => MOCK_PICTURE,
  async importPaths(paths, options, onProgress): Promise<ImportReport> {
    requireUnlocked();
    const sources: SourceReport[] = [];
    for (const p of paths) sources.push(await importOne(p, options, onProgress));
    return { sources };
  },
  async onFileDrag(handler: (e: FileDragEvent) => void) {
    // A plain browser only gives file names, not paths; pretend they are in ~/Downloads.
    const over = (e: DragEvent) => {
      e.preventDefault();
      handler({ type: "over" });
    };
    const leave = () => handler({ type: "leave" });
    const drop = (e: DragEvent) => {
      e.preventDefault();
      const names = Array.from(e.dataTransfer?.files ?? []).map((f) => `/home/alex/Downloads/${f.name}`);
      handler({ type: "drop", paths: names });
    };
    window.addEventListener("dragover", over);
    window.addEventListener("dragleave", leave);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragover", over);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("drop", drop);
    };
  },
};
