import { fireEvent, render } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import AttachmentChip from "../lib/AttachmentChip.svelte";
import type { MessageView } from "../lib/bindings/MessageView";
import MessageBubble from "../lib/MessageBubble.svelte";

const HOSTILE = "<img src=x onerror=alert(1)><b>bold</b>";

function message(over: Partial<MessageView> = {}): MessageView {
  return {
    id: "m1",
    sender: "Priya Shah",
    sent_at: "2024-03-12T14:02:09Z",
    local_time: "12/03/2024, 14:02",
    kind: "text",
    text: "hello",
    edited: false,
    reply_to: null,
    reactions: [],
    attachments: [],
    source: "chat.txt:1",
    ...over,
  };
}

describe("MessageBubble renders hostile input as text", () => {
  it("shows markup in message text literally", () => {
    const { container } = render(MessageBubble, { message: message({ text: HOSTILE }) });
    const el = container.querySelector(".message")!;
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("b")).toBeNull();
    expect(container.querySelector("img, b, script")).toBeNull();
    expect(el.querySelector(".text")!.textContent).toBe(HOSTILE);
  });

  it("shows markup in sender names, system lines and file names literally", () => {
    const sys = render(MessageBubble, { message: message({ kind: "system", sender: null, text: HOSTILE }) });
    expect(sys.container.querySelector("img, b")).toBeNull();
    expect(sys.container.querySelector(".system-text")!.textContent).toBe(HOSTILE);

    const named = render(MessageBubble, { message: message({ sender: HOSTILE }) });
    expect(named.container.querySelector("img, b")).toBeNull();
    expect(named.container.querySelector(".sender")!.textContent).toBe(HOSTILE);

    const chip = render(AttachmentChip, {
      attachment: { id: "a1", name: HOSTILE, mime: "application/pdf", size: 2048, status: "stored" },
    });
    expect(chip.container.querySelector("img, b")).toBeNull();
    expect(chip.container.querySelector(".attachment-name")!.textContent).toBe(HOSTILE);
  });

  it("shows a stored picture from attachment:// with its hostile name only as alt text", async () => {
    const chip = render(AttachmentChip, {
      attachment: { id: "a1", name: HOSTILE, mime: "image/jpeg", size: 2048, status: "stored" },
    });
    await vi.waitFor(() => expect(chip.container.querySelector("img.attachment-picture")).not.toBeNull());
    const imgs = chip.container.querySelectorAll("img");
    expect(imgs.length).toBe(1);
    expect(imgs[0].getAttribute("src")).toBe("attachment://localhost/a1");
    expect(imgs[0].getAttribute("alt")).toBe(HOSTILE);
    expect(chip.container.querySelector("b")).toBeNull();
    // A picture that fails to load leaves the chip, which still names the file.
    await fireEvent.error(imgs[0]);
    expect(chip.container.querySelector("img")).toBeNull();
    expect(chip.container.querySelector(".attachment-name")!.textContent).toBe(HOSTILE);
  });

  it("shows no picture for an attachment the export left out", () => {
    const chip = render(AttachmentChip, {
      attachment: { id: "a2", name: "IMG-2.jpg", mime: "image/jpeg", size: null, status: "omitted" },
    });
    expect(chip.container.querySelector("img, button")).toBeNull();
  });

  it("shows links as non-clickable text", () => {
    const { container } = render(MessageBubble, {
      message: message({ text: 'go to https://evil.example/"><img src=x> now' }),
    });
    expect(container.querySelector("a")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector(".link")!.textContent).toBe('https://evil.example/');
    expect(container.querySelector(".text")!.textContent).toBe('go to https://evil.example/"><img src=x> now');
  });
});

describe("MessageBubble details", () => {
  it("carries data-id and data-kind, the local time tooltip and the edited mark", () => {
    const { container } = render(MessageBubble, {
      message: message({ edited: true }),
      zone: { locale: "en-GB", timeZone: "Europe/London" },
    });
    const el = container.querySelector<HTMLElement>(".message")!;
    expect(el.dataset.id).toBe("m1");
    expect(el.dataset.kind).toBe("text");
    const time = el.querySelector("time")!;
    expect(time.textContent).toBe("14:02");
    expect(time.getAttribute("title")).toContain("12/03/2024, 14:02");
    expect(el.querySelector(".edited")!.textContent).toBe("edited");
  });

  it("marks deleted messages and describes attachment status", () => {
    const { container } = render(MessageBubble, {
      message: message({
        kind: "media",
        text: "",
        attachments: [
          { id: "a1", name: "IMG-1.jpg", mime: "image/jpeg", size: null, status: "omitted" },
          { id: "a2", name: "doc.pdf", mime: "application/pdf", size: null, status: "missing" },
          { id: "a3", name: "ok.pdf", mime: "application/pdf", size: 1536, status: "stored" },
        ],
      }),
    });
    const statuses = Array.from(container.querySelectorAll(".attachment-status")).map((e) => e.textContent);
    expect(statuses[0]).toBe("not included in export");
    expect(statuses[1]).toBe("missing from export");
    expect(statuses[2]).toMatch(/1\.5\sKB/);

    const del = render(MessageBubble, { message: message({ kind: "deleted", text: "" }) });
    expect(del.container.querySelector(".deleted-text")!.textContent).toContain("This message was deleted");
  });
});

describe("MessageBubble reactions", () => {
  it("shows one chip per emoji, with its count and who reacted", () => {
    const { container } = render(MessageBubble, {
      message: message({
        reactions: [
          { emoji: "👍", by: "Bob Builder" },
          { emoji: "❤️", by: "Cy Twombly" },
          { emoji: "👍", by: "Ada Lovelace" },
        ],
      }),
    });
    const list = container.querySelector("ul.reactions")!;
    expect(list.getAttribute("aria-label")).toBe("Reactions");
    const chips = Array.from(list.querySelectorAll<HTMLElement>("li.reaction"));
    expect(chips).toHaveLength(2);
    expect(chips[0].querySelector(".reaction-emoji")!.textContent).toBe("👍");
    expect(chips[0].querySelector(".reaction-count")!.textContent).toBe("2");
    expect(chips[0].title).toBe("👍 Bob Builder, Ada Lovelace");
    expect(chips[0].querySelector(".visually-hidden")!.textContent).toBe("👍 Bob Builder, Ada Lovelace");
    expect(chips[1].querySelector(".reaction-count")!.textContent).toBe("1");
    expect(chips[1].title).toBe("❤️ Cy Twombly");
    // The chips hang under the bubble, so the time is not tucked into the text.
    expect(container.querySelector(".message")!.classList.contains("inline-meta")).toBe(false);
  });

  it("shows no reaction row without reactions", () => {
    const { container } = render(MessageBubble, { message: message() });
    expect(container.querySelector(".reactions")).toBeNull();
    expect(container.querySelector(".message")!.classList.contains("inline-meta")).toBe(true);
  });
});

describe("MessageBubble reply quotes", () => {
  const quotedMsg = message({ id: "m0", sender: "Ada Lovelace", text: "\nThe engine is ready.\nSecond line" });
  const loaded = new Map([[quotedMsg.id, quotedMsg]]);

  it("quotes the sender and first line of a loaded message, and jumps to it on click", async () => {
    const onjump = vi.fn();
    const { container } = render(MessageBubble, { message: message({ reply_to: "m0" }), loaded, onjump });
    const quote = container.querySelector<HTMLElement>(".reply-quote")!;
    expect(quote.tagName).toBe("BUTTON");
    expect(quote.getAttribute("type")).toBe("button");
    expect(quote.querySelector(".quote-sender")!.textContent).toBe("Ada Lovelace");
    expect(quote.querySelector(".quote-text")!.textContent).toBe("The engine is ready.");
    // What a screen reader reads for the button.
    expect(quote.textContent!.replace(/\s+/g, " ").trim()).toBe("Reply to Ada Lovelace: The engine is ready.");
    // Above the message's own text.
    expect(quote.compareDocumentPosition(container.querySelector(".text")!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await fireEvent.click(quote);
    expect(onjump).toHaveBeenCalledWith("m0");
  });

  it("is not clickable where the view cannot jump", () => {
    const { container } = render(MessageBubble, { message: message({ reply_to: "m0" }), loaded });
    const quote = container.querySelector<HTMLElement>(".reply-quote")!;
    expect(quote.tagName).toBe("DIV");
    expect(quote.querySelector(".quote-text")!.textContent).toBe("The engine is ready.");
  });

  it("says so when the quoted message is not loaded", () => {
    const onjump = vi.fn();
    const { container } = render(MessageBubble, { message: message({ reply_to: "m-earlier" }), loaded, onjump });
    const quote = container.querySelector<HTMLElement>(".reply-quote")!;
    expect(quote.tagName).toBe("DIV");
    expect(quote.classList.contains("missing")).toBe(true);
    expect(quote.textContent!.trim()).toBe("Reply to an earlier message");
    expect(container.querySelector("button")).toBeNull();
    // Nothing loaded at all: the same.
    const none = render(MessageBubble, { message: message({ reply_to: "m0" }) });
    expect(none.container.querySelector(".reply-quote.missing")).not.toBeNull();
  });

  it("stands in for quoted messages without text", () => {
    const media = message({
      id: "m0",
      kind: "media",
      text: "",
      attachments: [{ id: "a1", name: "IMG-0001.jpg", mime: "image/jpeg", size: null, status: "omitted" }],
    });
    const deleted = message({ id: "m1", kind: "deleted", text: "" });
    const map = new Map([
      [media.id, media],
      [deleted.id, deleted],
    ]);
    const a = render(MessageBubble, { message: message({ id: "r1", reply_to: "m0" }), loaded: map });
    expect(a.container.querySelector(".quote-text")!.textContent).toBe("IMG-0001.jpg");
    const b = render(MessageBubble, { message: message({ id: "r2", reply_to: "m1" }), loaded: map });
    expect(b.container.querySelector(".quote-text")!.textContent).toBe("This message was deleted");
  });

  it("shows no quote for a message that replies to nothing", () => {
    const { container } = render(MessageBubble, { message: message(), loaded, onjump: vi.fn() });
    expect(container.querySelector(".reply-quote")).toBeNull();
  });
});

describe("MessageBubble renders hostile quotes and reactions as text", () => {
  const IMG = "<img src=x onerror=alert(1)>";

  it("shows markup in a quoted message literally", () => {
    const quoted = message({ id: "m0", sender: IMG, text: IMG });
    const { container } = render(MessageBubble, {
      message: message({ reply_to: "m0" }),
      loaded: new Map([["m0", quoted]]),
      onjump: vi.fn(),
    });
    expect(container.querySelector("img, script")).toBeNull();
    expect(container.querySelector(".quote-sender")!.textContent).toBe(IMG);
    expect(container.querySelector(".quote-text")!.textContent).toBe(IMG);
  });

  it("shows markup in reactions literally, in the chip and in its label", () => {
    const { container } = render(MessageBubble, {
      message: message({
        reactions: [
          { emoji: "👍", by: IMG },
          { emoji: IMG, by: "Bob Builder" },
        ],
      }),
    });
    expect(container.querySelector("img, script")).toBeNull();
    const chips = Array.from(container.querySelectorAll<HTMLElement>("li.reaction"));
    expect(chips[0].title).toBe(`👍 ${IMG}`);
    expect(chips[0].querySelector(".visually-hidden")!.textContent).toBe(`👍 ${IMG}`);
    expect(chips[1].querySelector(".reaction-emoji")!.textContent).toBe(IMG);
    expect(chips[1].title).toBe(`${IMG} Bob Builder`);
  });
});
