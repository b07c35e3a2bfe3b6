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
});
