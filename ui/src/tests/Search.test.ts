import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SearchHit } from "../lib/bindings/SearchHit";
import type { SearchArgs } from "../lib/api";
import type { SearchResults } from "../lib/bindings/SearchResults";

const searchCmd = vi.fn<(r: SearchArgs) => Promise<SearchResults>>();
const showContext = vi.fn();
vi.mock("../lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../lib/api")>();
  return { ...real, search: (r: SearchArgs) => searchCmd(r), showContext: (...a: unknown[]) => showContext(...a) };
});

const { default: Search } = await import("../screens/Search.svelte");
const { default: Snippet } = await import("../lib/Snippet.svelte");
const { search } = await import("../lib/search.svelte");

const HOSTILE = "<img src=x onerror=alert(1)>";

function hit(over: Partial<SearchHit> = {}): SearchHit {
  return {
    message_id: "41",
    conversation_id: "7",
    conversation: "Northgate depot – site team",
    app: "whatsapp",
    sender: "Priya Shah",
    sent_at: "2024-03-12T14:02:09Z",
    kind: "text",
    snippet: "send the invoice",
    highlights: [[9, 16]],
    score: 1,
    ...over,
  };
}

function results(query: string, hits: SearchHit[] = [hit()]): SearchResults {
  return {
    query,
    total: hits.length,
    took_ms: 3.2,
    offset: 0,
    hits,
    facets: {
      app: { whatsapp: 3, signal: 1 },
      conversation: { "Northgate depot – site team": 3, Council: 1 },
      sender: { "Priya Shah": 2, Tom: 2 },
      month: { "2024-03": 4 },
      tag: { "FOI 2024-17": 1 },
    },
  };
}

beforeEach(() => {
  search.reset();
  searchCmd.mockReset();
  showContext.mockReset();
  searchCmd.mockImplementation((r) => Promise.resolve(results(r.query)));
});
afterEach(() => search.reset());

describe("Snippet renders hostile text as text", () => {
  it("keeps markup literal, with only its own <mark> elements", () => {
    // The highlight covers "img" inside the hostile tag.
    const { container } = render(Snippet, { text: HOSTILE, highlights: [[1, 4]] });
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script, b")).toBeNull();
    const marks = container.querySelectorAll("mark");
    expect(marks).toHaveLength(1);
    expect(marks[0].textContent).toBe("img");
    expect(marks[0].children).toHaveLength(0);
    expect(container.querySelector(".snippet")!.textContent).toBe(HOSTILE);
  });

  it("a hostile hit in the result list stays text too", async () => {
    searchCmd.mockResolvedValue(
      results("onerror", [hit({ snippet: HOSTILE, highlights: [[11, 18]], sender: HOSTILE, conversation: HOSTILE })]),
    );
    const { container } = render(Search, { navigate: vi.fn() });
    await search.run("onerror");
    await tick();
    const row = container.querySelector(".search-hit")!;
    expect(row).not.toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(row.querySelector(".snippet")!.textContent).toBe(HOSTILE);
    expect(row.querySelector("mark")!.textContent).toBe("onerror");
    expect(row.querySelector(".hit-sender")!.textContent).toBe(HOSTILE);
  });
});

describe("Search screen", () => {
  it("sends the request with the browser's zone, shows the total, and facet clicks build the query", async () => {
    const { container } = render(Search, { navigate: vi.fn() });
    const box = screen.getByLabelText("Search messages") as HTMLInputElement;
    await fireEvent.input(box, { target: { value: "invoice OR quote" } });
    await fireEvent.submit(box.closest("form")!);
    await waitFor(() => expect(container.querySelector("#search-total")).not.toBeNull());
    expect(searchCmd).toHaveBeenLastCalledWith({
      query: "invoice OR quote",
      limit: 50,
      offset: 0,
      sort: "relevance",
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    expect(container.querySelector("#search-total")!.textContent).toMatch(/1\s+message/);

    const facet = (kind: string, value: string) =>
      Array.from(container.querySelectorAll<HTMLButtonElement>(`.facet[data-facet="${kind}"] .facet-value`)).find(
        (b) => b.dataset.value === value,
      )!;

    // A title with spaces is quoted; the OR query is wrapped so the filter narrows all of it.
    await fireEvent.click(facet("conversation", "Northgate depot – site team"));
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(2));
    expect(searchCmd.mock.lastCall![0].query).toBe('(invoice OR quote) in:"Northgate depot – site team"');
    await waitFor(() => expect(box.value).toBe('(invoice OR quote) in:"Northgate depot – site team"'));

    await fireEvent.click(facet("sender", "Priya Shah"));
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(3));
    expect(searchCmd.mock.lastCall![0].query).toBe('(invoice OR quote) in:"Northgate depot – site team" from:"Priya Shah"');

    await fireEvent.click(facet("app", "whatsapp"));
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(4));
    expect(searchCmd.mock.lastCall![0].query).toMatch(/ app:whatsapp$/);

    await fireEvent.click(facet("tag", "FOI 2024-17"));
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(5));
    expect(searchCmd.mock.lastCall![0].query).toMatch(/ tag:"FOI 2024-17"$/);

    await fireEvent.click(facet("month", "2024-03"));
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(6));
    expect(searchCmd.mock.lastCall![0].query).toMatch(/ date:2024-03$/);
    await waitFor(() => expect(facet("month", "2024-03").getAttribute("aria-pressed")).toBe("true"));

    // Clicking an applied facet again takes its filter off.
    await fireEvent.click(facet("sender", "Priya Shah"));
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(7));
    expect(searchCmd.mock.lastCall![0].query).toBe(
      '(invoice OR quote) in:"Northgate depot – site team" app:whatsapp tag:"FOI 2024-17" date:2024-03',
    );
  });

  it("shows a malformed query's error under the box and marks the character", async () => {
    searchCmd.mockRejectedValue({ code: "bad_input", message: "query: this '(' is never closed (at character 3)" });
    const { container } = render(Search, { navigate: vi.fn() });
    await search.run("🧾 (invoice OR quote");
    await tick();
    const err = container.querySelector("#search-error")!;
    expect(err.textContent).toContain("This '(' is never closed (at character 3)");
    expect(err.querySelector("mark.error-at")!.textContent).toBe("(");
    expect(screen.getByLabelText("Search messages").getAttribute("aria-invalid")).toBe("true");
  });

  it("offers example queries when nothing has been searched, and runs one on click", async () => {
    const { container } = render(Search, { navigate: vi.fn() });
    const examples = container.querySelectorAll<HTMLButtonElement>(".examples button");
    expect(examples).toHaveLength(3);
    await fireEvent.click(examples[0]);
    await waitFor(() => expect(searchCmd).toHaveBeenCalledTimes(1));
    expect(searchCmd.mock.lastCall![0].query).toBe(examples[0].textContent!.trim());
  });

  it("opens a hit's context (5 each side), highlights it, and opens it in its conversation", async () => {
    const m = (id: string, text: string) => ({
      id,
      sender: "Tom",
      sent_at: "2024-03-12T14:02:09Z",
      local_time: null,
      kind: "text" as const,
      text,
      edited: false,
      reply_to: null,
      reactions: [],
      attachments: [],
      source: "chat.txt:1",
    });
    showContext.mockResolvedValue({
      conversation: { id: "7", app: "whatsapp", title: "Northgate", kind: "group", participants: [], messages: 3, first: null, last: null, tags: [] },
      messages: [m("40", "before"), m("41", "send the invoice"), m("42", "after")],
      total: 300,
      offset: 120,
    });
    const navigate = vi.fn();
    const { container } = render(Search, { navigate });
    await search.run("invoice");
    await tick();
    const row = container.querySelector<HTMLButtonElement>('.search-hit[data-message-id="41"]')!;
    await fireEvent.click(row);
    await waitFor(() => expect(container.querySelector("#hit-context .message.hit")).not.toBeNull());
    expect(showContext).toHaveBeenCalledWith("7", "41", 5);
    expect(container.querySelector<HTMLElement>("#hit-context .message.hit")!.dataset.id).toBe("41");
    expect(row.getAttribute("aria-current")).toBe("true");
    await fireEvent.click(screen.getByText("Open in conversation"));
    expect(navigate).toHaveBeenCalledWith("conversations", { conversationId: "7", messageId: "41" });
  });

  it("moves between hits with Up/Down and back to the box from the first", async () => {
    searchCmd.mockImplementation((r) => Promise.resolve(results(r.query, [hit(), hit({ message_id: "42" }), hit({ message_id: "43" })])));
    const { container } = render(Search, { navigate: vi.fn() });
    await search.run("invoice");
    await tick();
    const box = screen.getByLabelText("Search messages");
    const rows = container.querySelectorAll<HTMLButtonElement>(".search-hit");
    box.focus();
    await fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(document.activeElement).toBe(rows[0]);
    await fireEvent.keyDown(rows[0], { key: "ArrowDown" });
    expect(document.activeElement).toBe(rows[1]);
    await fireEvent.keyDown(rows[1], { key: "End" });
    expect(document.activeElement).toBe(rows[2]);
    await fireEvent.keyDown(rows[2], { key: "Home" });
    await fireEvent.keyDown(rows[0], { key: "ArrowUp" });
    expect(document.activeElement).toBe(box);
  });
});

describe("Load more", () => {
  it("asks for the next page by offset without facets, appends it, and keeps the first page's facets", async () => {
    const page = (offset: number) => Array.from({ length: 50 }, (_, i) => hit({ message_id: String(offset + i) }));
    searchCmd.mockImplementation((r) => {
      const offset = r.offset ?? 0;
      const base = results(r.query, page(offset));
      return Promise.resolve({
        ...base,
        total: 120,
        offset,
        facets: r.facets === false ? { app: {}, conversation: {}, sender: {}, month: {}, tag: {} } : base.facets,
      });
    });
    const { container } = render(Search, { navigate: vi.fn() });
    await search.run("invoice");
    await tick();
    expect(container.querySelectorAll(".search-hit")).toHaveLength(50);
    await fireEvent.click(container.querySelector("#search-more")!);
    await waitFor(() => expect(container.querySelectorAll(".search-hit")).toHaveLength(100));
    expect(searchCmd.mock.lastCall![0]).toMatchObject({ query: "invoice", offset: 50, limit: 50, facets: false });
    expect(container.querySelectorAll('.facet[data-facet="app"] .facet-value')).toHaveLength(2);
    expect(document.activeElement).toBe(container.querySelectorAll(".search-hit")[50]);
  });
});
