// Made-up archive contents for `npm run dev:mock`. Deterministic (seeded), so
// that screenshots are repeatable; dates are placed relative to "now" so that
// "Today"/"Yesterday" labels show up.

import type { AttachmentView } from "../bindings/AttachmentView";
import type { ConversationKind } from "../bindings/ConversationKind";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { MessageKind } from "../bindings/MessageKind";
import type { MessageView } from "../bindings/MessageView";

/** `tags` are the import tags of the conversation's source (searchable with tag:). */
export type MockConversation = { summary: ConversationSummary; messages: MessageView[]; tags: string[] };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINES = [
  "Morning all, skip lorry is booked for 7:30 tomorrow.",
  "Can someone confirm the gate code for the east yard?",
  "Invoice 4471 from Brightwater has gone to accounts.",
  "Running 10 min late, traffic on the ring road.",
  "Scaffold inspection passed. Certificate is in the shared drive.",
  "Who has the keys for the plant room?",
  "Noted, thanks.",
  "👍",
  "I'll call the supplier after lunch and chase the delivery date.",
  "Reminder: toolbox talk at 8:00 on Monday, attendance is recorded.",
  "The quote came in at £12,480 + VAT. Happy to proceed?",
  "Yes, go ahead. Please raise a PO first.",
  "Photos of the damaged pallet attached.",
  "Can we move the site meeting to Thursday 2pm?",
  "Thursday works for me.",
  "Client asked for the revised drawings by Friday — is that realistic?",
  "Tight, but yes if we get the survey results tomorrow.",
  "Fire alarm test at 11:00, please ignore.",
  "Updated method statement v3 is here: https://intranet.example/ms/v3 (check section 4.2)",
  "Lunch order going in at 12, reply with what you want.",
  "Delivery arrived, 3 items short. I've signed for it as \"received incomplete\".",
  "Please don't share the access codes in this group.",
  "Meeting notes:\n1. Budget approved\n2. Start date 3 June\n3. Next review in two weeks",
  "Sorry, wrong chat!",
  "Can you forward me the risk assessment when you get a chance?",
  "Done.",
  "The van's MOT is due on the 14th, I've booked it in.",
  "Good work today everyone.",
];

const SYSTEM_LINES = [
  "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
  "{a} added {b}",
  "{a} changed the group description",
  "{a} left",
  "{a} changed this group's icon",
];

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The timestamp as a WhatsApp export on a UK phone would write it. */
function exportLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}, ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

type Spec = {
  id: string;
  app: string;
  title: string;
  kind: ConversationKind;
  participants: string[];
  count: number;
  daysSpan: number;
  endHoursAgo: number;
  seed: number;
  tags?: string[];
  extra?: Array<Partial<MessageView> & { text: string }>;
};

function build(spec: Spec, now: number): MockConversation {
  const r = rng(spec.seed);
  const end = now - spec.endHoursAgo * 3_600_000;
  const start = end - spec.daysSpan * 86_400_000;
  const step = (end - start) / Math.max(spec.count - 1, 1);
  const messages: MessageView[] = [];
  let mediaNo = 1;
  for (let i = 0; i < spec.count; i++) {
    const t = Math.round(start + i * step + (r() - 0.5) * step * 0.6);
    const sender = spec.participants[Math.floor(r() * spec.participants.length)];
    let kind: MessageKind = "text";
    let text = LINES[Math.floor(r() * LINES.length)];
    let attachments: AttachmentView[] = [];
    let senderOut: string | null = sender;
    const roll = r();
    if (i === 0 && spec.kind !== "direct") {
      kind = "system";
      senderOut = null;
      text = SYSTEM_LINES[0];
    } else if (roll < 0.04 && spec.kind !== "direct") {
      kind = "system";
      senderOut = null;
      const other = spec.participants[(spec.participants.indexOf(sender) + 1) % spec.participants.length];
      text = SYSTEM_LINES[1 + Math.floor(r() * (SYSTEM_LINES.length - 1))].replace("{a}", sender).replace("{b}", other);
    } else if (roll < 0.12) {
      kind = "media";
      const statusRoll = r();
      const status = statusRoll < 0.6 ? "stored" : statusRoll < 0.85 ? "omitted" : "missing";
      const isPdf = r() < 0.3;
      const name = isPdf
        ? `Delivery-note-${1000 + mediaNo}.pdf`
        : `IMG-2024${String(1 + (mediaNo % 12)).padStart(2, "0")}12-WA${String(mediaNo).padStart(4, "0")}.jpg`;
      attachments = [
        {
          id: `${spec.id}-a${mediaNo}`,
          name,
          mime: isPdf ? "application/pdf" : "image/jpeg",
          size: status === "stored" ? Math.round(40_000 + r() * 3_500_000) : null,
          status,
        },
      ];
      mediaNo++;
      text = status === "omitted" ? "" : r() < 0.5 ? "" : "See attached.";
    } else if (roll < 0.14) {
      kind = "deleted";
      text = "This message was deleted";
    } else if (roll < 0.155) {
      kind = "call";
      text = r() < 0.5 ? "Missed voice call" : "Voice call, 4 min";
    }
    messages.push({
      id: `${spec.id}-m${i + 1}`,
      sender: senderOut,
      sent_at: iso(t),
      local_time: exportLocal(t),
      kind,
      text,
      edited: kind === "text" && r() < 0.05,
      attachments,
      source: `WhatsApp Chat with ${spec.title}.txt:${i + 1}`,
    });
  }
  for (const [k, extra] of (spec.extra ?? []).entries()) {
    const at = messages[messages.length - 1 - k * 3];
    at.kind = extra.kind ?? "text";
    at.text = extra.text;
    at.sender = extra.sender === undefined ? spec.participants[k % spec.participants.length] : extra.sender;
    at.attachments = extra.attachments ?? [];
    at.edited = extra.edited ?? false;
  }
  messages.sort((a, b) => a.sent_at.localeCompare(b.sent_at));
  return {
    summary: {
      id: spec.id,
      app: spec.app,
      title: spec.title,
      kind: spec.kind,
      participants: spec.participants,
      messages: messages.length,
      first: messages[0]?.sent_at ?? null,
      last: messages[messages.length - 1]?.sent_at ?? null,
    },
    messages,
    tags: spec.tags ?? [],
  };
}

export const HOSTILE_TEXT = "<img src=x onerror=alert(1)><b>bold</b>";

export function demoConversations(now: number = Date.now()): MockConversation[] {
  const team = ["Priya Shah", "Tom Okafor", "Dan Whitfield", "Sam Lee", "Aisha Rahman", "Marek Nowak", "Jo Carter", "Gareth Evans"];
  const specs: Spec[] = [
    {
      id: "c-northgate",
      app: "whatsapp",
      title: "Northgate depot – site team",
      kind: "group",
      participants: team,
      count: 2412,
      daysSpan: 420,
      endHoursAgo: 2,
      seed: 11,
      tags: ["business", "site records"],
      extra: [
        { text: "Final snag list is done. Handover on Monday at 09:00 — please be on time.", edited: true },
        { text: HOSTILE_TEXT },
        {
          text: "Gate code changed, ask me directly for it.\nOld one no longer works.",
        },
        { text: "Déjà vu 🙃 the east gate code is wrong again — Zoë has the new one." },
      ],
    },
    {
      id: "c-priya",
      app: "whatsapp",
      title: "Priya Shah",
      kind: "direct",
      participants: ["Priya Shah", "Alex Morgan"],
      count: 85,
      daysSpan: 60,
      endHoursAgo: 26,
      seed: 22,
      tags: ["personal"],
    },
    {
      id: "c-procurement",
      app: "whatsapp",
      title: "Facilities procurement",
      kind: "group",
      participants: ["Alex Morgan", "Helen Brooks", "Ravi Patel", "Claire Dunn"],
      count: 152,
      daysSpan: 200,
      endHoursAgo: 75,
      seed: 33,
      tags: ["business"],
      extra: [{ text: "Catering from Café Zoë ☕️ is confirmed for Thursday's site meeting — invoice to follow 🧾." }],
    },
    {
      id: "c-tom",
      app: "whatsapp",
      title: "Tom Okafor",
      kind: "direct",
      participants: ["Tom Okafor", "Alex Morgan"],
      count: 31,
      daysSpan: 20,
      endHoursAgo: 190,
      seed: 44,
      tags: ["business"],
    },
    {
      id: "c-council",
      app: "signal",
      title: "Council liaison",
      kind: "group",
      participants: ["Alex Morgan", "Cllr. Ruth Ellis", "Mark Joyce"],
      count: 42,
      daysSpan: 90,
      endHoursAgo: 400,
      seed: 55,
      tags: ["business", "FOI 2024-17"],
    },
    {
      id: "c-announce",
      app: "whatsapp",
      title: "Depot announcements",
      kind: "channel",
      participants: ["Operations"],
      count: 24,
      daysSpan: 300,
      endHoursAgo: 900,
      seed: 66,
    },
  ];
  return specs.map((s) => build(s, now));
}

/** A conversation made up for a mock import of `path`. */
export function importedConversation(path: string, n: number, now: number = Date.now()): MockConversation {
  const name = path.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? path;
  const title = name.replace(/^WhatsApp Chat (with|-) /i, "").replace(/\.(zip|txt)$/i, "") || "Imported chat";
  return build(
    {
      id: `c-import-${n}`,
      app: "whatsapp",
      title,
      kind: "group",
      participants: ["Alex Morgan", "Lena Fischer", "Omar Haddad"],
      count: 120 + n * 7,
      daysSpan: 45,
      endHoursAgo: 30 + n,
      seed: 100 + n,
    },
    now,
  );
}
