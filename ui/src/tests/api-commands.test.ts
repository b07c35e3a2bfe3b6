import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({}) }));

const api = await import("../lib/api");

beforeEach(() => {
  invoke.mockReset();
});

describe("api commands", () => {
  it("passes the contract's command names and camelCase args", async () => {
    invoke.mockResolvedValue({ conversation: {}, messages: [], total: 0, offset: 0 });
    await api.showConversation("c1", 400, 200);
    expect(invoke).toHaveBeenCalledWith("show_conversation", { id: "c1", offset: 400, limit: 200 });

    invoke.mockResolvedValue({ archive: "/a", recovery_key: "K" });
    await api.createArchive("pass phrase");
    expect(invoke).toHaveBeenLastCalledWith("create_archive", { passphrase: "pass phrase" });

    invoke.mockResolvedValue({});
    await api.archiveStatus();
    expect(invoke).toHaveBeenLastCalledWith("archive_status", undefined);
  });

  it("sends a Channel as onProgress and forwards its messages", async () => {
    const seen: unknown[] = [];
    invoke.mockImplementation((_cmd: string, args: { onProgress: { onmessage: (m: unknown) => void } }) => {
      args.onProgress.onmessage({ phase: "scanning", path: "/x.zip" });
      return Promise.resolve({ sources: [] });
    });
    const report = await api.importPaths(["/x.zip"], { format: null, tz: "Europe/London", date_order: null, tag: null }, (p) => seen.push(p));
    expect(report).toEqual({ sources: [] });
    const [cmd, args] = invoke.mock.calls[0];
    expect(cmd).toBe("import_paths");
    expect(args).toMatchObject({ paths: ["/x.zip"], options: { tz: "Europe/London", date_order: null, tag: null } });
    expect(seen).toEqual([{ phase: "scanning", path: "/x.zip" }]);
  });

  it("streams a production's progress and names the records commands", async () => {
    const seen: unknown[] = [];
    invoke.mockImplementation((_cmd: string, args: { onProgress: { onmessage: (m: unknown) => void } }) => {
      args.onProgress.onmessage({ step: "attachments", done: 1, total: 5 });
      return Promise.resolve({ case: "FOI-1" });
    });
    await api.exportCase("FOI-1", "/out", (p) => seen.push(p));
    expect(invoke.mock.calls[0][0]).toBe("export_case");
    expect(invoke.mock.calls[0][1]).toMatchObject({ reference: "FOI-1", out: "/out" });
    expect(seen).toEqual([{ step: "attachments", done: 1, total: 5 }]);

    invoke.mockReset();
    invoke.mockResolvedValue({});
    await api.tagMessages(["4", "5"], "contract");
    expect(invoke).toHaveBeenLastCalledWith("tag_messages", { messages: ["4", "5"], tag: "contract" });
    await api.addHold({ name: "H", match: "depot", from: "", to: "", reason: "claim" });
    expect(invoke).toHaveBeenLastCalledWith("add_hold", { request: { name: "H", match: "depot", from: "", to: "", reason: "claim" } });
    await api.releaseHold("H");
    expect(invoke).toHaveBeenLastCalledWith("release_hold", { name: "H" });
    await api.saveAttachment("9");
    expect(invoke).toHaveBeenLastCalledWith("save_attachment", { attachment: "9" });
  });

  it("addresses pictures on attachment:// (under http where the webview needs it)", () => {
    expect(api.attachmentSrc("12", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15")).toBe("attachment://localhost/12");
    expect(api.attachmentSrc("12", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120")).toBe("http://attachment.localhost/12");
    expect(api.attachmentSrc("a/b", "Linux")).toBe("attachment://localhost/a%2Fb");
  });

  it("rejects with a typed ApiFailure and tells listeners about 'locked'", async () => {
    const locked = vi.fn();
    const stop = api.onLockedError(locked);
    invoke.mockRejectedValue({ code: "locked", message: "The archive is locked." });
    await expect(api.stats()).rejects.toMatchObject({ code: "locked", message: "The archive is locked." });
    await expect(api.stats()).rejects.toBeInstanceOf(api.ApiFailure);
    expect(locked).toHaveBeenCalledTimes(2);

    invoke.mockRejectedValue({ code: "wrong_passphrase", message: "Wrong passphrase." });
    await expect(api.unlock("x")).rejects.toMatchObject({ code: "wrong_passphrase" });
    expect(locked).toHaveBeenCalledTimes(2);
    stop();
  });

  it("wraps search and show_context with the contract's argument names", async () => {
    invoke.mockResolvedValue({ query: "x", total: 0, took_ms: 1, offset: 0, hits: [], facets: {} });
    const request = { query: "invoice", limit: 50, offset: 100, sort: "newest" as const, tz: "Europe/London" };
    await api.search(request);
    expect(invoke).toHaveBeenLastCalledWith("search", { request });

    invoke.mockResolvedValue({ conversation: {}, messages: [], total: 0, offset: 0 });
    await api.showContext("7", "41", 5);
    expect(invoke).toHaveBeenLastCalledWith("show_context", { conversation: "7", message: "41", context: 5 });
  });

  it("keeps bad_input and not_found codes from search and show_context", async () => {
    invoke.mockRejectedValue({ code: "bad_input", message: "query: this '(' is never closed (at character 1)" });
    await expect(api.search({ query: "(", limit: null, offset: null, sort: "relevance", tz: null })).rejects.toMatchObject({
      code: "bad_input",
      message: "query: this '(' is never closed (at character 1)",
    });
    invoke.mockRejectedValue({ code: "not_found", message: "no message 9" });
    await expect(api.showContext("1", "9", 5)).rejects.toMatchObject({ code: "not_found" });
  });
});
