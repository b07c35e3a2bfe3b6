import { describe, expect, it } from "vitest";
import { importer } from "../lib/importer.svelte";

describe("importer drag and pending paths", () => {
  it("tracks a drag and adds dropped paths once", () => {
    importer.reset();
    expect(importer.onFileDrag({ type: "enter", paths: ["/a/chat.zip", "/b/x.txt"] })).toBe(false);
    expect(importer.dragging).toBe(true);
    expect(importer.dragCount).toBe(2);
    expect(importer.onFileDrag({ type: "drop", paths: ["/a/chat.zip", "/b/x.txt"] })).toBe(true);
    expect(importer.dragging).toBe(false);
    importer.onFileDrag({ type: "drop", paths: ["/a/chat.zip", "  "] });
    expect(importer.pending).toEqual(["/a/chat.zip", "/b/x.txt"]);
    importer.removePending("/a/chat.zip");
    expect(importer.pending).toEqual(["/b/x.txt"]);
    importer.reset();
    expect(importer.pending).toEqual([]);
  });

  it("follows progress events", () => {
    importer.onProgress({ phase: "scanning", path: "/a/chat.zip" });
    expect(importer.progress).toMatchObject({ phase: "scanning", bytesTotal: 0 });
    importer.onProgress({ phase: "importing", path: "/a/chat.zip", bytes_done: 50, bytes_total: 200, messages: 12 });
    expect(importer.progress).toMatchObject({ phase: "importing", bytesDone: 50, bytesTotal: 200, messages: 12 });
    importer.onProgress({ phase: "done", path: "/a/chat.zip" });
    expect(importer.progress).toMatchObject({ phase: "done", bytesDone: 200, bytesTotal: 200, messages: 12 });
  });
});
