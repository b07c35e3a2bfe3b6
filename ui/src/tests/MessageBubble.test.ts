import { render } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
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
      attachment: { id: "a1", name: HOSTILE, mime: "image/jpeg", size: 2048, status: "stored" },
    });
    expect(chip.container.querySelector("img, b")).toBeNull();
    expect(chip.container.querySelector(".attachment-name")!.textContent).toBe(HOSTILE);
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
