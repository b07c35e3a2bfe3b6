// Made-up archive contents for `npm run dev:mock`. Deterministic (seeded), so
// that screenshots are repeatable; dates are placed relative to "now" so that
// "Today"/"Yesterday" labels show up.

import type { AttachmentView } from "../bindings/AttachmentView";
import type { ConversationKind } from "../bindings/ConversationKind";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { MessageKind } from "../bindings/MessageKind";
import type { MessageView } from "../bindings/MessageView";
import type { Reaction } from "../bindings/Reaction";

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
  /** Messages set by hand, placed by their position from the newest (0 = the newest). */
  touch?: Touch[];
  /** Share of the other text messages that get a reaction or two. */
  reactionRate?: number;
};

type Touch = {
  fromEnd: number;
  sender: string;
  text: string;
  /** Replies to the message at this position from the newest. */
  replyTo?: number;
  reactions?: Reaction[];
};

/** How each app's export writes what the mock makes up. */
type Style = {
  /** The first message of a group or channel. */
  opening: (sender: string) => string;
  system: string[];
  calls: boolean;
  source: (title: string, line: number, ms: number) => string;
  /** The timestamp as the export wrote it, when it wrote local time. */
  local: (ms: number) => string | null;
  mediaName: (n: number, pdf: boolean) => string;
};

const WHATSAPP: Style = {
  opening: () => SYSTEM_LINES[0],
  system: SYSTEM_LINES.slice(1),
  calls: true,
  source: (title, line) => `WhatsApp Chat with ${title}.txt:${line}`,
  local: exportLocal,
  mediaName: (n, pdf) =>
    pdf ? `Delivery-note-${1000 + n}.pdf` : `IMG-2024${String(1 + (n % 12)).padStart(2, "0")}12-WA${String(n).padStart(4, "0")}.jpg`,
};

const SLACK: Style = {
  opening: (a) => `${a} created the channel`,
  system: ["{a} has joined the channel", "{a} set the channel topic: deliveries, snags and site access", "{a} has left the channel"],
  calls: false,
  source: (title, line, ms) => `${title.replace(/^#/, "")}/${iso(ms).slice(0, 10)}.json:${line}`,
  local: () => null,
  mediaName: (n, pdf) => (pdf ? `delivery-note-${1000 + n}.pdf` : `image_${String(n).padStart(3, "0")}.jpg`),
};

const STYLES: Record<string, Style> = { slack: SLACK };

const EMOJI = ["👍", "👍", "👍", "✅", "🙏", "👀", "😂"];

function build(spec: Spec, now: number): MockConversation {
  const r = rng(spec.seed);
  const style = STYLES[spec.app] ?? WHATSAPP;
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
      text = style.opening(sender);
    } else if (roll < 0.04 && spec.kind !== "direct") {
      kind = "system";
      senderOut = null;
      const other = spec.participants[(spec.participants.indexOf(sender) + 1) % spec.participants.length];
      text = style.system[Math.floor(r() * style.system.length)].replace("{a}", sender).replace("{b}", other);
    } else if (roll < 0.12) {
      kind = "media";
      const statusRoll = r();
      const status = statusRoll < 0.6 ? "stored" : statusRoll < 0.85 ? "omitted" : "missing";
      const isPdf = r() < 0.3;
      const name = style.mediaName(mediaNo, isPdf);
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
    } else if (roll < 0.155 && style.calls) {
      kind = "call";
      text = r() < 0.5 ? "Missed voice call" : "Voice call, 4 min";
    }
    messages.push({
      id: `${spec.id}-m${i + 1}`,
      sender: senderOut,
      sent_at: iso(t),
      local_time: style.local(t),
      kind,
      text,
      edited: kind === "text" && r() < 0.05,
      reply_to: null,
      reactions: [],
      attachments,
      source: style.source(spec.title, i + 1, t),
    });
  }
  if (spec.reactionRate) {
    // A separate generator, so that the messages above stay as they were.
    const rr = rng(spec.seed * 7 + 1);
    for (const m of messages) {
      if (m.kind !== "text" || rr() >= spec.reactionRate) continue;
      const others = spec.participants.filter((p) => p !== m.sender);
      const emoji = EMOJI[Math.floor(rr() * EMOJI.length)];
      const n = 1 + Math.floor(rr() * Math.min(3, others.length));
      const start = Math.floor(rr() * others.length);
      for (let k = 0; k < n; k++) m.reactions.push({ emoji, by: others[(start + k) % others.length] });
    }
  }
  for (const [k, extra] of (spec.extra ?? []).entries()) {
    const at = messages[messages.length - 1 - k * 3];
    at.kind = extra.kind ?? "text";
    at.text = extra.text;
    at.sender = extra.sender === undefined ? spec.participants[k % spec.participants.length] : extra.sender;
    at.attachments = extra.attachments ?? [];
    at.edited = extra.edited ?? false;
    at.reactions = extra.reactions ?? [];
  }
  const last = messages.length - 1;
  for (const t of spec.touch ?? []) {
    const at = messages[last - t.fromEnd];
    at.kind = "text";
    at.sender = t.sender;
    at.text = t.text;
    at.attachments = [];
    at.edited = false;
    at.reply_to = t.replyTo === undefined ? null : messages[last - t.replyTo].id;
    at.reactions = t.reactions ?? [];
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
      tags: [...(spec.tags ?? [])].sort(),
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
        {
          text: "Final snag list is done. Handover on Monday at 09:00 — please be on time.",
          edited: true,
          reactions: [
            { emoji: "👍", by: "Tom Okafor" },
            { emoji: "🙏", by: "Aisha Rahman" },
            { emoji: "👍", by: "Dan Whitfield" },
          ],
        },
        { text: HOSTILE_TEXT },
        {
          text: "Gate code changed, ask me directly for it.\nOld one no longer works.",
        },
        { text: "Déjà vu 🙃 the east gate code is wrong again — Zoë has the new one." },
      ],
      touch: [
        { fromEnd: 1500, sender: "Jo Carter", text: "Has anyone sent the revised drawings to the client yet?" },
        { fromEnd: 8, sender: "Tom Okafor", text: "Is the handover still Monday, or has it moved?" },
        {
          fromEnd: 7,
          sender: "Priya Shah",
          replyTo: 8,
          text: "Still Monday. I'll confirm the time once the client has replied.",
          reactions: [{ emoji: "👍", by: "Tom Okafor" }],
        },
        {
          fromEnd: 5,
          sender: "Dan Whitfield",
          text: "Skip lorry took the last load this morning, the yard is clear.",
          reactions: [
            { emoji: "👍", by: "Priya Shah" },
            { emoji: "🎉", by: "Aisha Rahman" },
            { emoji: "👍", by: "Sam Lee" },
          ],
        },
        { fromEnd: 4, sender: "Sam Lee", replyTo: 5, text: "Great, I'll sweep the east yard before the handover." },
        { fromEnd: 2, sender: "Marek Nowak", replyTo: 3, text: "This came through as code on my phone. Can you send it again?" },
        { fromEnd: 1, sender: "Jo Carter", replyTo: 1500, text: "Following up on this: did the revised drawings go out in the end?" },
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
      reactionRate: 0.08,
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
    {
      id: "c-site-ops",
      app: "slack",
      title: "#site-ops",
      kind: "channel",
      participants: ["Alex Morgan", "Helen Brooks", "Ravi Patel", "Jo Carter", "Nadia Karim"],
      count: 48,
      daysSpan: 21,
      endHoursAgo: 6,
      seed: 77,
      tags: ["business"],
      reactionRate: 0.25,
      touch: [
        {
          fromEnd: 3,
          sender: "Helen Brooks",
          text: "Scaffold on the north elevation comes down on Thursday. Does anyone need access up there before then?",
        },
        {
          fromEnd: 1,
          sender: "Ravi Patel",
          replyTo: 3,
          text: "The roofers need one more morning up there; Wednesday would do.",
          reactions: [{ emoji: "✅", by: "Helen Brooks" }],
        },
        {
          fromEnd: 0,
          sender: "Helen Brooks",
          replyTo: 1,
          text: "Booked them in for Wednesday 08:00.",
          reactions: [
            { emoji: "👍", by: "Ravi Patel" },
            { emoji: "👍", by: "Alex Morgan" },
          ],
        },
      ],
    },
  ];
  return [...specs.map((s) => build(s, now)), emailThread(now)];
}

/** An e-mail thread, as an mbox import shows it: replies quote the message they answer. */
function emailThread(now: number): MockConversation {
  const id = "c-riverside-mail";
  const start = now - 9 * 86_400_000;
  const at = (hours: number) => iso(start + hours * 3_600_000);
  const mails: Array<[number, string, string, number | null, number, string?]> = [
    [
      0,
      "Nadia Karim",
      "Revised general arrangement drawings (rev C) for the Riverside block are attached.\n\nThe stair core has moved 600 mm east; everything else is as agreed on site.\n\nNadia Karim\nKarim Associates",
      null,
      1,
      "Riverside-GA-rev-C.pdf",
    ],
    [3.2, "Alex Morgan", "Thanks Nadia. Does moving the stair change the fire strategy, or does the existing report still cover it?\n\nAlex", 0, 64],
    [
      27.5,
      "Nadia Karim",
      "The existing report covers it: travel distances are still within limits. I've asked the fire engineer to confirm in writing.\n\nNadia",
      1,
      131,
    ],
    [29, "Helen Brooks", "Please forward the fire engineer's confirmation when it comes in; it goes in the building control file.\n\nHelen", 2, 197],
    [74.4, "Nadia Karim", "Confirmation attached (letter dated today).\n\nNadia", 3, 262, "Fire-strategy-confirmation.pdf"],
  ];
  const messages: MessageView[] = mails.map(([h, sender, text, replyTo, line, file], i) => ({
    id: `${id}-m${i + 1}`,
    sender,
    sent_at: at(h),
    local_time: null,
    kind: "text",
    text,
    edited: false,
    reply_to: replyTo === null ? null : `${id}-m${replyTo + 1}`,
    reactions: [],
    attachments: file
      ? [{ id: `${id}-a${i + 1}`, name: file, mime: "application/pdf", size: 180_000 + i * 412_337, status: "stored" as const }]
      : [],
    source: `Riverside.mbox:${line}`,
  }));
  return {
    summary: {
      id,
      app: "email",
      title: "Riverside – revised drawings",
      kind: "group",
      participants: ["Nadia Karim", "Alex Morgan", "Helen Brooks"],
      messages: messages.length,
      first: messages[0].sent_at,
      last: messages[messages.length - 1].sent_at,
      tags: ["business"],
    },
    messages,
    tags: ["business"],
  };
}

/** The format the mock pretends to detect in `path` (the core looks inside instead). */
export function mockFormat(path: string): "whatsapp" | "signal" | "telegram" | "slack" | "email" {
  const p = path.toLowerCase();
  if (/\.(mbox|eml)$|maildir/.test(p)) return "email";
  if (/slack/.test(p)) return "slack";
  if (/telegram|result\.json$|chatexport/.test(p)) return "telegram";
  if (/signal/.test(p)) return "signal";
  return "whatsapp";
}

/** A conversation made up for a mock import of `path`. */
export function importedConversation(path: string, n: number, now: number = Date.now()): MockConversation {
  // Telegram's result.json is named after the folder it is in.
  const parts = path.replace(/[\\/]+$/, "").replace(/[\\/]result\.json$/i, "").split(/[\\/]/);
  const name = parts.pop() ?? path;
  const title = name.replace(/^WhatsApp Chat (with|-) /i, "").replace(/\.(zip|txt|json|mbox|eml)$/i, "") || "Imported chat";
  const app = mockFormat(path);
  return build(
    {
      id: `c-import-${n}`,
      app,
      title: app === "slack" ? `#${title.toLowerCase().replace(/\s+/g, "-")}` : title,
      kind: app === "slack" ? "channel" : "group",
      participants: ["Alex Morgan", "Lena Fischer", "Omar Haddad"],
      count: 120 + n * 7,
      daysSpan: 45,
      endHoursAgo: 30 + n,
      seed: 100 + n,
      reactionRate: app === "whatsapp" ? 0 : 0.1,
    },
    now,
  );
}
