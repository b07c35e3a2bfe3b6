// Headless Chromium as this machine allows it (no sandbox as root, no background networking on
// a closed network), shared by the screenshot and self-test scripts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** The flags every headless run needs, with a fresh profile folder (returned for cleanup). */
export function headlessArgs(prefix, size = "1280,800") {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  return {
    profile,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      `--window-size=${size}`,
    ],
  };
}
