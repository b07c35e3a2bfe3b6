// Words for records and FOI data: an audit entry's particulars in one line, a case's clock.
// Pure functions (tested in tests/records.test.ts); everything returned is shown as text.

import type { AuditEntry } from "./bindings/AuditEntry";
import type { Case } from "./bindings/Case";

function field(detail: unknown, key: string): unknown {
  return typeof detail === "object" && detail !== null ? (detail as Record<string, unknown>)[key] : undefined;
}

/** One line about an audit entry: "“roof” — 2 hits", "business on conversation 3", ... */
export function auditSummary(e: Pick<AuditEntry, "action" | "detail">): string {
  const d = e.detail;
  const s = (k: string) => {
    const v = field(d, k);
    return v === undefined || v === null ? "" : String(v);
  };
  const refused = s("refused");
  let text: string;
  switch (e.action) {
    case "search": {
      const hits = Number(field(d, "hits") ?? 0);
      text = `“${s("query")}” — ${hits} ${hits === 1 ? "hit" : "hits"}${s("case") ? ` (case ${s("case")})` : ""}`;
      break;
    }
    case "import":
      text = `${s("path").split(/[\\/]/).pop() ?? ""}: ${s("messages_added")} added`;
      break;
    case "tag.add":
    case "tag.remove": {
      const ids = field(d, "messages");
      const n = Array.isArray(ids) ? ids.length : 0;
      const on = s("conversation")
        ? `conversation ${s("conversation")}`
        : s("match")
          ? `“${s("match")}”`
          : n > 0
            ? `${n} selected ${n === 1 ? "message" : "messages"}`
            : "messages";
      text = `${s("tag")} on ${on}`;
      break;
    }
    case "hold.add":
    case "hold.release":
    case "hold.scope":
      text = `${s("hold")}${s("messages") ? ` — ${s("messages")} messages` : ""}`;
      break;
    case "attachment.save":
      text = `${s("name")} (message ${s("message")}) saved to ${s("to")}`;
      break;
    case "dispose":
      text = `certificate ${s("certificate")}: ${s("messages")} messages, approved by ${s("approver")}`;
      break;
    default: {
      const parts = ["case", "policy", "tag", "hold", "certificate"].map(s).filter(Boolean);
      text = parts.join(" · ");
    }
  }
  return refused ? `REFUSED: ${refused}` : text;
}

/** "12 working days left", "due today", "3 days overdue", "clock stopped", "responded". */
export function clockLabel(c: Pick<Case, "due" | "days_left" | "status" | "kind">): string {
  if (c.status === "closed") return "closed";
  if (c.status === "responded") return "responded";
  if (c.due === null) return "clock stopped (awaiting clarification)";
  const n = c.days_left;
  if (n === null) return `due ${c.due}`;
  const unit = c.kind === "sar" ? "day" : "working day";
  if (n === 0) return "due today";
  if (n < 0) return `${-n} ${unit}${n === -1 ? "" : "s"} overdue`;
  return `${n} ${unit}${n === 1 ? "" : "s"} left`;
}

/** How urgent a case is, for its badge: overdue, soon (5 or fewer days), ok, or done. */
export function urgency(c: Pick<Case, "days_left" | "status">): "overdue" | "soon" | "ok" | "done" {
  if (c.status === "closed" || c.status === "responded") return "done";
  if (c.days_left === null) return "ok";
  if (c.days_left < 0) return "overdue";
  return c.days_left <= 5 ? "soon" : "ok";
}

/**
 * A selection inside a message's text, given in UTF-16 units (what the DOM counts), as
 * Unicode-character offsets (what the core counts): "é" and "😀" are one character each.
 * None when the selection is empty.
 */
export function charRange(text: string, startUtf16: number, endUtf16: number): [number, number] | null {
  const [a, b] = startUtf16 <= endUtf16 ? [startUtf16, endUtf16] : [endUtf16, startUtf16];
  if (a === b) return null;
  const start = Array.from(text.slice(0, a)).length;
  const end = start + Array.from(text.slice(a, b)).length;
  return [start, end];
}

/** The exemption codes offered when redacting or withholding (free text is allowed too). */
export const EXEMPTIONS = ["s40(2)", "s41", "s42", "s43", "s36", "s38"] as const;

/** The action families the audit log can be narrowed to (prefixes of the core's actions). */
export const AUDIT_FAMILIES: readonly { prefix: string; label: string }[] = [
  { prefix: "", label: "Every action" },
  { prefix: "import", label: "Imports" },
  { prefix: "search", label: "Searches" },
  { prefix: "tag", label: "Tags and triage" },
  { prefix: "policy", label: "Retention policies" },
  { prefix: "hold", label: "Holds" },
  { prefix: "dispose", label: "Disposals" },
  { prefix: "delete", label: "Deletions" },
  { prefix: "certificate", label: "Certificates" },
  { prefix: "foi", label: "FOI cases" },
  { prefix: "attachment", label: "Attachments saved" },
  { prefix: "unlock", label: "Unlocks" },
  { prefix: "passphrase", label: "Passphrase changes" },
];
