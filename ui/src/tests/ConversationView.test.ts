// Replies in the conversation view: quotes are looked up among the loaded
// messages, and following one centres, focuses and briefly highlights the
// quoted message.
import { fireEvent, render, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationView as View } from "../lib/bindings/ConversationView";
import type { MessageView } from "../lib/bindings/MessageView";
import { FLASH_MS } from "../lib/jump.svelte";

const showConversation = vi.fn<(id: string, offset: number, limit: number) => Promise<View>>();
vi.mock("../lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../lib/api")>();
  return { ...real, showConversation: (id: string, offset: number, limit: number) => showConversation(id, offset, limit) };
});

const { default: ConversationView } = await import("../screens/ConversationView.svelte");

function m(id: string, sender: string, text: string, over: Partial<MessageView> = {}): MessageView {
  return {
    id,
    sender,
    sent_at: `2024-03-12T14:0${id.slice(1)}:00Z`,
    local_time: null,
    kind: "text",
    text,
    edited: false,
    reply_to: null,
    reactions: [],
    attachments: [],
    source: `chat.txt:${id.slice(1)}`,
    ...over,
  };
}

const messages = [
  m("m1", "Ada Lovelace", "Is the handover still Monday?"),
  m("m2", "Bob Builder", "Still Monday.", { reply_to: "m1", reactions: [{ emoji: "👍", by: "Ada Lovelace" }] }),
  m("m3", "Cy Twombly", "Did the drawings go out?", { reply_to: "m0-not-loaded" }),
];

beforeEach(() => {
  showConversation.mockReset();
  showConversation.mockImplementation((id, offset) =>
    Promise.resolve({
      conversation: { id, app: "slack", title: "#site-ops", kind: "channel", participants: ["Ada Lovelace", "Bob Builder"], messages: 3, first: null, last: null, tags: [] },
      messages,
      total: 3,
      offset,
    }),
  );
});
afterEach(() => vi.useRealTimers());

describe("ConversationView replies", () => {
  it("quotes loaded messages, and falls back for the others", async () => {
    const { container } = render(ConversationView, { id: "c1" });
    await waitFor(() => expect(container.querySelectorAll(".message")).toHaveLength(3));
    const quotes = container.querySelectorAll<HTMLElement>(".reply-quote");
    expect(quotes).toHaveLength(2);
    expect(quotes[0].tagName).toBe("BUTTON");
    expect(quotes[0].querySelector(".quote-sender")!.textContent).toBe("Ada Lovelace");
    expect(quotes[0].querySelector(".quote-text")!.textContent).toBe("Is the handover still Monday?");
    expect(quotes[1].textContent!.trim()).toBe("Reply to an earlier message");
    expect(container.querySelector('.message[data-id="m2"] li.reaction')!.getAttribute("title")).toBe("👍 Ada Lovelace");
  });

  it("jumps to the quoted message: focused, highlighted for a moment", async () => {
    const { container } = render(ConversationView, { id: "c1" });
    await waitFor(() => expect(container.querySelector(".reply-quote")).not.toBeNull());
    vi.useFakeTimers();
    const target = container.querySelector<HTMLElement>('.message[data-id="m1"]')!;
    await fireEvent.click(container.querySelector<HTMLElement>("button.reply-quote")!);
    await tick();
    expect(document.activeElement).toBe(target);
    expect(target.classList.contains("flash")).toBe(true);
    // A jump is not a search hit.
    expect(target.classList.contains("hit")).toBe(false);
    vi.advanceTimersByTime(FLASH_MS);
    await tick();
    expect(target.classList.contains("flash")).toBe(false);
  });
});
