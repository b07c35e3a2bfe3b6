import { fireEvent, render } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({ onDragDropEvent: async () => () => {} }) }));

const { default: Import } = await import("../screens/Import.svelte");
const { importer } = await import("../lib/importer.svelte");

beforeEach(() => {
  invoke.mockReset();
  importer.pending = [];
});

describe("choosing exports with the system's file chooser", () => {
  it("adds the files chosen to what is ready to import", async () => {
    invoke.mockResolvedValue(["/home/a/WhatsApp Chat with Depot.zip", "/home/a/inbox.mbox"]);
    const { container, findByText } = render(Import, { navigate: () => {} });
    await fireEvent.click(container.querySelector("#pick-files")!);
    expect(invoke).toHaveBeenCalledWith("pick_exports", { folders: false });
    await findByText("inbox.mbox");
    expect(importer.pending).toEqual(["/home/a/WhatsApp Chat with Depot.zip", "/home/a/inbox.mbox"]);
  });

  it("asks for folders, and a cancelled chooser adds nothing", async () => {
    invoke.mockResolvedValue([]);
    const { container } = render(Import, { navigate: () => {} });
    await fireEvent.click(container.querySelector("#pick-folders")!);
    expect(invoke).toHaveBeenCalledWith("pick_exports", { folders: true });
    await vi.waitFor(() => expect(container.querySelector("#pick-folders")!.hasAttribute("disabled")).toBe(false));
    expect(importer.pending).toEqual([]);
  });
});
