// Screenshots of every screen in mock mode, with Debian's headless Chromium.
//   npm run build:mock && npm run preview:mock   (in another terminal)
//   npm run screenshots -- [outDir (default ui/screenshots)] [baseUrl]
// Writes ui-<screen>.png (and ui-<screen>-dark.png for a few) to outDir.
// ONLY=search npm run screenshots -- DIR  takes only the screens whose name starts with "search".

import { spawnSync } from "node:child_process";
import { chromium, headlessArgs } from "./chromium.mjs";
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const outDir = resolve(process.argv[2] ?? "screenshots");
const base = process.argv[3] ?? "http://127.0.0.1:4173/";

const screens = [
  "create",
  "create-filled",
  "recovery",
  "unlock",
  "unlock-error",
  "home",
  "home-empty",
  "search",
  "search-help",
  "search-results",
  "search-context",
  "search-error",
  "search-conversation",
  "conversations",
  "conversation",
  "conversation-start",
  "import",
  "import-progress",
  "import-result",
];
const dark = ["unlock", "home", "search-results", "search-context", "conversation", "import-result"];

const only = process.env.ONLY ?? "";

function shoot(screen, { darkMode = false, size = "1280,800", suffix = "" } = {}) {
  if (!screen.startsWith(only)) return;
  const { profile, args: common } = headlessArgs("holdfast-shot-", size);
  const file = join(outDir, `ui-${screen}${suffix}.png`);
  const args = [
    ...common,
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
    ...(darkMode ? ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] : []),
    `--screenshot=${file}`,
    `${base}?screen=${encodeURIComponent(screen)}`,
  ];
  const r = spawnSync(chromium, args, { encoding: "utf8", timeout: 60_000 });
  rmSync(profile, { recursive: true, force: true });
  if (r.status !== 0 || !existsSync(file)) {
    console.error(`failed: ${screen}${suffix}\n${r.stderr}`);
    process.exitCode = 1;
  } else {
    console.log(file);
  }
}

for (const s of screens) shoot(s);
for (const s of dark) shoot(s, { darkMode: true, suffix: "-dark" });
shoot("conversation", { size: "1024,700", suffix: "-1024" });
shoot("search-context", { size: "1024,700", suffix: "-1024" });
