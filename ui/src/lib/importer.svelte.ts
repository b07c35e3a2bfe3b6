// Import state lives here, outside the Import screen, so that an import keeps
// running (and its progress and results stay visible) while the person looks
// at other screens.

import { importPaths, type ApiFailure, type FileDragEvent, toApiError } from "./api";
import type { ImportOptions } from "./bindings/ImportOptions";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { SourceReport } from "./bindings/SourceReport";

export type ProgressView = {
  path: string;
  phase: ImportProgress["phase"];
  bytesDone: number;
  bytesTotal: number;
  messages: number;
};

export type ImportRun = {
  id: number;
  paths: string[];
  results: SourceReport[];
  error: ApiFailure | null;
  finishedAt: number | null;
};

class Importer {
  /** Paths dropped or added, waiting for the Import button. */
  pending = $state<string[]>([]);
  running = $state(false);
  progress = $state<ProgressView | null>(null);
  /** Finished or running runs, newest first. */
  runs = $state<ImportRun[]>([]);
  /** Files are being dragged over the window (from the webview's drag-drop events). */
  dragging = $state(false);
  dragCount = $state(0);
  #next = 1;

  addPending(paths: string[]): void {
    const next = [...this.pending];
    for (const p of paths) {
      const t = p.trim();
      if (t && !next.includes(t)) next.push(t);
    }
    this.pending = next;
  }

  /** Follow the webview's drag-and-drop events; a drop adds to `pending`. Returns true on a drop. */
  onFileDrag(e: FileDragEvent): boolean {
    if (e.type === "enter") {
      this.dragging = true;
      this.dragCount = e.paths.length;
    } else if (e.type === "over") {
      this.dragging = true;
    } else if (e.type === "leave") {
      this.dragging = false;
    } else {
      this.dragging = false;
      this.addPending(e.paths);
      return e.paths.length > 0;
    }
    return false;
  }

  removePending(path: string): void {
    this.pending = this.pending.filter((p) => p !== path);
  }

  onProgress = (p: ImportProgress): void => {
    if (p.phase === "importing") {
      this.progress = { path: p.path, phase: p.phase, bytesDone: p.bytes_done, bytesTotal: p.bytes_total, messages: p.messages };
    } else if (p.phase === "indexing") {
      // After the archive has the messages, the search index takes them in.
      const path = this.progress?.path ?? "";
      this.progress = { path, phase: p.phase, bytesDone: p.done, bytesTotal: p.total, messages: p.done };
    } else {
      const prev = this.progress?.path === p.path ? this.progress : null;
      this.progress = {
        path: p.path,
        phase: p.phase,
        bytesDone: p.phase === "done" ? (prev?.bytesTotal ?? 0) : 0,
        bytesTotal: prev?.bytesTotal ?? 0,
        messages: prev?.messages ?? 0,
      };
    }
  };

  async start(paths: string[], options: ImportOptions): Promise<void> {
    if (this.running || paths.length === 0) return;
    const run: ImportRun = { id: this.#next++, paths, results: [], error: null, finishedAt: null };
    this.runs = [run, ...this.runs];
    this.running = true;
    this.progress = null;
    let finished = false;
    try {
      const report = await importPaths(paths, options, this.onProgress);
      this.#update(run.id, { results: report.sources });
      finished = true;
    } catch (e) {
      this.#update(run.id, { error: toApiError(e) });
    } finally {
      this.#update(run.id, { finishedAt: Date.now() });
      this.running = false;
      // A finished import leaves its bar full, so the end is seen, until the next one.
      const last = this.progress as ProgressView | null;
      this.progress =
        finished && last
          ? { ...last, phase: "done", bytesDone: Math.max(last.bytesTotal, 1), bytesTotal: Math.max(last.bytesTotal, 1) }
          : null;
    }
  }

  #update(id: number, patch: Partial<ImportRun>): void {
    this.runs = this.runs.map((r) => (r.id === id ? { ...r, ...patch } : r));
  }

  /** Forget finished runs. */
  clearResults(): void {
    this.runs = this.runs.filter((r) => r.finishedAt === null);
  }

  /** Forget everything shown (used when the archive is locked). */
  reset(): void {
    if (this.running) return;
    this.pending = [];
    this.runs = [];
    this.progress = null;
  }
}

export const importer = new Importer();
