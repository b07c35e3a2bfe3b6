// `?screen=NAME` for `npm run dev:mock`: sets the mock archive up for one
// screen and, for screens that need a few steps, performs them through the
// real UI (typing into fields, clicking buttons). Used for screenshots.
// Imported only when import.meta.env.MODE === "mock".

import type { ScreenId } from "../screens";
import { configureMock, MOCK_PASSPHRASE, type MockConfig } from "./backend";

export type MockStart = { initialScreen?: ScreenId; initialConversation?: string | null };

type Scenario = {
  config: Partial<MockConfig>;
  start?: MockStart;
  run?: () => Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T extends Element>(selector: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const el = document.querySelector<T>(selector);
    if (el) return el;
    if (Date.now() > until) throw new Error(`mock scenario: ${selector} did not appear`);
    await sleep(25);
  }
}

async function type(selector: string, value: string): Promise<void> {
  const el = await waitFor<HTMLInputElement>(selector);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

async function click(selector: string): Promise<void> {
  const el = await waitFor<HTMLElement>(selector);
  await sleep(30);
  el.click();
}

const unlocked: Partial<MockConfig> = { exists: true, unlocked: true };

/** A query that shows a phrase, OR and accent folding (cafe finds Café) in the mock data. */
const SHOWCASE_QUERY = '"gate code" OR cafe';

async function searchFor(query: string): Promise<void> {
  await type("#search-input", query);
  await click("#search-btn");
  await resultsFor(query);
}

/** Wait until the results shown are those of `query`. */
async function resultsFor(query: string): Promise<void> {
  await waitUntil(() => {
    const r = document.querySelector<HTMLElement>(".results");
    return r?.dataset.query === query.trim() && r.getAttribute("aria-busy") === "false";
  }, `results for ${query}`);
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

const text = (sel: string) => document.querySelector(sel)?.textContent?.trim() ?? "";

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await sleep(25);
  }
}

/** Smoke tests of whole flows through the real components; result in <html data-selftest>. */
async function selftest(steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
    document.documentElement.dataset.selftest = "pass";
  } catch (e) {
    document.documentElement.dataset.selftest = `fail: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const SCENARIOS: Record<string, Scenario> = {
  create: { config: { exists: false, unlocked: false, keychain: false } },
  "create-filled": {
    config: { exists: false, unlocked: false, keychain: false },
    run: async () => {
      await type("#passphrase", "Northgate depot 2024");
      await type("#passphrase-confirm", "Northgate depot 2023");
    },
  },
  recovery: {
    config: { exists: false, unlocked: false, keychain: false },
    run: async () => {
      await type("#passphrase", "tidal copper lantern orbit");
      await type("#passphrase-confirm", "tidal copper lantern orbit");
      await click("#create-btn");
      await waitFor("#recovery-key");
    },
  },
  unlock: { config: { exists: true, unlocked: false, keychain: true } },
  "unlock-error": {
    config: { exists: true, unlocked: false, keychain: true },
    run: async () => {
      await type("#passphrase", "not the passphrase");
      await click("#unlock-btn");
      await waitFor("#unlock-error");
    },
  },
  home: { config: unlocked, start: { initialScreen: "home" } },
  "home-empty": { config: { ...unlocked, empty: true }, start: { initialScreen: "home" } },
  conversations: { config: unlocked, start: { initialScreen: "conversations" } },
  conversation: {
    config: unlocked,
    start: { initialScreen: "conversations", initialConversation: "c-northgate" },
  },
  "conversation-start": {
    config: unlocked,
    start: { initialScreen: "conversations", initialConversation: "c-tom" },
    run: async () => {
      const log = await waitFor<HTMLElement>(".messages .message");
      log.closest(".messages")?.scrollTo({ top: 0 });
    },
  },
  search: { config: unlocked, start: { initialScreen: "search" } },
  "search-help": {
    config: unlocked,
    start: { initialScreen: "search" },
    run: async () => {
      await click(".help-toggle");
      await waitFor("#search-help");
    },
  },
  "search-results": {
    config: unlocked,
    start: { initialScreen: "search" },
    run: async () => {
      await searchFor(SHOWCASE_QUERY);
    },
  },
  "search-context": {
    config: unlocked,
    start: { initialScreen: "search" },
    run: async () => {
      await searchFor(SHOWCASE_QUERY);
      await click(".search-hit");
      await waitFor("#hit-context .message.hit");
      await sleep(100);
    },
  },
  "search-conversation": {
    config: unlocked,
    start: { initialScreen: "search" },
    run: async () => {
      await searchFor('"risk assessment" in:northgate');
      await click(".hits li:nth-child(6) .search-hit");
      await waitFor("#hit-context .message.hit");
      await click("#open-in-conversation");
      await waitFor(".messages .message.hit");
      await sleep(100);
    },
  },
  "search-error": {
    config: unlocked,
    start: { initialScreen: "search" },
    run: async () => {
      await type("#search-input", "(invoice OR quote -draft");
      await click("#search-btn");
      await waitFor("#search-error");
    },
  },
  import: { config: unlocked, start: { initialScreen: "import" } },
  "import-progress": {
    config: { ...unlocked, importMs: 20_000 },
    start: { initialScreen: "import" },
    run: async () => {
      await type("#import-path", "/home/alex/Downloads/WhatsApp Chat with Northgate depot.zip");
      await click("#import-btn");
      await sleep(1500);
    },
  },
  "import-result": {
    config: { ...unlocked, importMs: 200 },
    start: { initialScreen: "import" },
    run: async () => {
      await type("#import-path", "/home/alex/Downloads/WhatsApp Chat with Facilities team.zip");
      await click("#import-btn");
      await waitFor(".import-result");
      await type("#import-path", "/home/alex/Downloads/WhatsApp Chat with Facilities team.zip");
      await click("#import-btn");
      await sleep(1200);
    },
  },
};

SCENARIOS["selftest-create"] = {
  config: { exists: false, unlocked: false, keychain: false, importMs: 100 },
  run: () =>
    selftest(async () => {
      await type("#passphrase", "short");
      await type("#passphrase-confirm", "short");
      expect((await waitFor<HTMLButtonElement>("#create-btn")).disabled, "create enabled for a short passphrase");
      await type("#passphrase", "tidal copper lantern orbit");
      await type("#passphrase-confirm", "tidal copper lantern orbit");
      await sleep(30);
      expect(!(await waitFor<HTMLButtonElement>("#create-btn")).disabled, "create disabled for a good passphrase");
      await click("#create-btn");
      await waitFor("#recovery-key");
      expect(/^[A-Z0-9-]{20,}$/.test(text("#recovery-key")), "recovery key shown");
      expect((await waitFor<HTMLButtonElement>("#continue-btn")).disabled, "continue enabled before the checkbox");
      await click("#recovery-stored");
      await sleep(30);
      await click("#continue-btn");
      await waitFor("#stat-messages");
      expect(text("#stat-messages") === "0", `empty archive shows 0 messages, got ${text("#stat-messages")}`);
      expect(document.querySelector(".empty-drop") !== null, "empty state shown");
      expect(document.querySelectorAll("nav [data-screen]").length === 4, "four rail items");
      await click('nav [data-screen="import"]');
      await type("#import-path", "/tmp/WhatsApp Chat with Test.zip");
      await click("#import-btn");
      await waitFor(".import-result");
      expect(Number(text('.import-result dd[data-field="added"]').replace(/\D/g, "")) > 0, "messages added");
      await type("#import-path", "/tmp/notes.pdf");
      await click("#import-btn");
      await waitFor(".result-card.error");
      await click('nav [data-screen="home"]');
      await waitUntil(() => text("#stat-sources") === "1", "home shows one source");
    }),
};

SCENARIOS["selftest-unlock"] = {
  config: { exists: true, unlocked: false, keychain: true },
  run: () =>
    selftest(async () => {
      await type("#passphrase", "wrong one");
      await click("#unlock-btn");
      await waitFor("#unlock-error");
      expect(text("#unlock-error") === "Wrong passphrase", `wrong passphrase message: ${text("#unlock-error")}`);
      await type("#passphrase", MOCK_PASSPHRASE);
      await click("#unlock-btn");
      await waitFor("#stat-messages");
      await waitUntil(() => text("#stat-messages") === (2799).toLocaleString(), `stats, got ${text("#stat-messages")}`);
      await click('nav [data-screen="conversations"]');
      await waitFor('.conversation-row[data-id="c-northgate"]');
      await type("#conversation-filter", "council");
      await waitUntil(() => document.querySelectorAll(".conversation-row").length === 1, "filter to one row");
      await type("#conversation-filter", "");
      await click('.conversation-row[data-id="c-northgate"]');
      await waitUntil(() => document.querySelectorAll(".message").length === 200, "first page of 200");
      expect(document.querySelector("#load-later") === null, "opens at the newest messages");
      const last = document.querySelectorAll<HTMLElement>(".message")[199];
      expect(Boolean(last.dataset.id) && Boolean(last.dataset.kind), "messages carry data-id and data-kind");
      expect(document.querySelector(".message img, .message b") === null, "no markup from message text");
      // A reply's quote goes to the quoted message (focused, highlighted for a moment); one not loaded says so.
      const quote = document.querySelector<HTMLButtonElement>(".messages button.reply-quote");
      expect(quote !== null, "a reply quote on the newest page");
      const quotedId = quote!.dataset.replyTo;
      quote!.click();
      await waitUntil(() => {
        const el = document.activeElement as HTMLElement | null;
        return el !== null && el.dataset.id === quotedId && el.classList.contains("flash");
      }, "jump to the quoted message");
      expect(text(".messages .reply-quote.missing") === "Reply to an earlier message", "a quote that is not loaded");
      expect(document.querySelectorAll(".messages .reaction").length > 0, "reactions shown");
      await click("#load-earlier");
      await waitUntil(() => document.querySelectorAll(".message").length === 400, "second page");
      await click("#lock-btn");
      await waitFor("#unlock-btn");
      await click("#keychain-unlock-btn");
      await waitFor("#stat-messages");
    }),
};

SCENARIOS["selftest-search"] = {
  config: { ...unlocked, latencyMs: 30 },
  start: { initialScreen: "home" },
  run: () =>
    selftest(async () => {
      await waitFor("#stat-messages");
      // Ctrl+K from anywhere goes to Search with the box focused.
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "k", ctrlKey: true, bubbles: true }));
      const box = await waitFor<HTMLInputElement>("#search-input");
      await waitUntil(() => document.activeElement === box, "Ctrl+K focuses the search box");
      expect(document.querySelector('nav [data-screen="search"][aria-current="page"]') !== null, "rail shows Search");
      expect(document.querySelectorAll(".examples button").length === 3, "three example queries");

      // A malformed query: the error and where it is.
      await type("#search-input", "(invoice OR quote");
      await click("#search-btn");
      await waitFor("#search-error");
      expect(/never closed/.test(text("#search-error")), `error text: ${text("#search-error")}`);
      expect(text("#search-error mark.error-at") === "(", "error position marked");

      // Hostile text is found, and shown as text.
      await searchFor("bold");
      expect(document.querySelector("#search-error") === null, "error cleared");
      expect(document.querySelector(".search-hit img, .search-hit b") === null, "no markup in snippets");
      expect(/<img src=x/.test(text(".search-hit .snippet")), "hostile snippet shown as text");
      expect(text(".search-hit .snippet mark") === "bold", `highlight: ${text(".search-hit .snippet mark")}`);

      // Accents are folded, highlights land on the right characters after emoji.
      await searchFor("zoe");
      const marks = Array.from(document.querySelectorAll(".search-hit .snippet mark")).map((m) => m.textContent);
      expect(marks.length > 0 && marks.every((m) => m === "Zoë"), `accent highlight: ${marks.join(",")}`);

      // Paging with Load more.
      await searchFor("the");
      const total = Number(text("#search-total strong").replace(/\D/g, ""));
      expect(total > 50, `many hits for "the": ${total}`);
      expect(document.querySelectorAll(".search-hit").length === 50, "first page of 50");
      await click("#search-more");
      await waitUntil(() => document.querySelectorAll(".search-hit").length === Math.min(100, total), "second page appended");

      // A facet narrows the query.
      await click('.facet[data-facet="conversation"] .facet-value[data-value="Council liaison"]');
      await resultsFor('the in:"Council liaison"');
      await waitUntil(() => Array.from(document.querySelectorAll(".search-hit .hit-conv")).every((e) => e.textContent === "Council liaison"), "only that conversation");

      // Keyboard: Down from the box to the first hit, Enter opens its context.
      box.focus();
      box.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
      const first = document.querySelector<HTMLButtonElement>(".search-hit")!;
      expect(document.activeElement === first, "ArrowDown moves to the first hit");
      first.click();
      await waitFor("#hit-context .message.hit");
      const id = first.dataset.messageId!;
      expect(document.querySelector<HTMLElement>("#hit-context .message.hit")!.dataset.id === id, "the hit is highlighted in context");
      expect(document.querySelectorAll("#hit-context .message").length <= 11, "5 before and after");

      // Open in conversation: the Conversations screen, at the hit.
      await click("#open-in-conversation");
      await waitFor(".conversation-row[data-id=\"c-council\"][aria-current=\"true\"]");
      await waitUntil(() => document.querySelector<HTMLElement>(".messages .message.hit")?.dataset.id === id, "hit highlighted in the conversation");

      // Back to Search: the results are still there.
      await click('nav [data-screen="search"]');
      await waitFor("#search-total");
      expect(document.querySelector<HTMLInputElement>("#search-input")!.value === 'the in:"Council liaison"', "query kept");
      expect(document.querySelectorAll(".search-hit").length > 0, "results kept");
    }),
};

/** Configure the mock from the URL; returns where the app should start. */
export function setupMock(url: URL): { start: MockStart; run: (() => Promise<void>) | null } {
  const name = url.searchParams.get("screen") ?? "";
  const s = SCENARIOS[name];
  if (!s) {
    configureMock({ exists: true, unlocked: false, keychain: true });
    console.info(`Holdfast mock: unlock with "${MOCK_PASSPHRASE}". ?screen= one of ${Object.keys(SCENARIOS).join(", ")}`);
    return { start: {}, run: null };
  }
  configureMock(s.config);
  return { start: s.start ?? {}, run: s.run ?? null };
}
