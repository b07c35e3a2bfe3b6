// The mock archive's replies and reactions make sense: a reply quotes an
// earlier message of its own conversation; every message carries the fields.
import { describe, expect, it } from "vitest";
import { demoConversations, importedConversation, mockFormat } from "../lib/mock/data";
import { searchMock } from "../lib/mock/search";

const convs = demoConversations(Date.UTC(2024, 5, 1));

describe("mock data", () => {
  it("replies point at earlier messages of the same conversation", () => {
    let replies = 0;
    for (const c of convs) {
      const index = new Map(c.messages.map((m, i) => [m.id, i]));
      c.messages.forEach((m, i) => {
        expect(Array.isArray(m.reactions)).toBe(true);
        if (m.reply_to === null) return;
        replies++;
        const at = index.get(m.reply_to);
        expect(at, `${m.id} replies to ${m.reply_to}`).toBeDefined();
        expect(at!).toBeLessThan(i);
      });
    }
    expect(replies).toBeGreaterThanOrEqual(8);
  });

  it("has reactions, and apps besides WhatsApp", () => {
    const reacted = convs.flatMap((c) => c.messages).filter((m) => m.reactions.length > 0);
    expect(reacted.some((m) => m.reactions.filter((r) => r.emoji === "👍").length >= 2)).toBe(true);
    expect(new Set(convs.map((c) => c.summary.app))).toEqual(new Set(["whatsapp", "signal", "slack", "email"]));
    // The newest page of the big group shows replies, one of them to a message not on that page.
    const northgate = convs.find((c) => c.summary.id === "c-northgate")!;
    const page = new Set(northgate.messages.slice(-200).map((m) => m.id));
    const pageReplies = northgate.messages.slice(-200).filter((m) => m.reply_to !== null);
    expect(pageReplies.some((m) => page.has(m.reply_to!))).toBe(true);
    expect(pageReplies.some((m) => !page.has(m.reply_to!))).toBe(true);
  });

  it("keeps the totals and facets the browser self-tests rely on", () => {
    expect(convs.reduce((n, c) => n + c.messages.length, 0)).toBe(2799);
    const facet = searchMock(convs, { query: "the", limit: 50, offset: 0, sort: "relevance", tz: null }).facets.conversation;
    const top6 = Object.entries(facet)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 6)
      .map(([k]) => k);
    expect(top6).toContain("Council liaison");
  });

  it("pretends to detect the format from the path", () => {
    expect(mockFormat("/tmp/WhatsApp Chat with Test.zip")).toBe("whatsapp");
    expect(mockFormat("/home/a/Downloads/Telegram Desktop/ChatExport_2024-03-12/result.json")).toBe("telegram");
    expect(mockFormat("/home/a/slack-export.zip")).toBe("slack");
    expect(mockFormat("/home/a/Mail/inbox.mbox")).toBe("email");
    expect(mockFormat("/home/a/.config/Signal")).toBe("signal");
    const tg = importedConversation("/home/a/Downloads/ChatExport_2024-03-12/result.json", 1);
    expect(tg.summary.app).toBe("telegram");
    expect(tg.summary.title).toBe("ChatExport_2024-03-12");
  });
});
