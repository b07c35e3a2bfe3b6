// Whole-flow smoke tests through the real components against the mock:
//   npm run build:mock && npm run preview:mock   (in another terminal)
//   npm run selftest:mock [-- baseUrl]
// Each ?screen=selftest-* scenario writes its result to <html data-selftest>.

import { spawnSync } from "node:child_process";
import { chromium, headlessArgs } from "./chromium.mjs";
import { rmSync } from "node:fs";

const base = process.argv[2] ?? "http://127.0.0.1:4173/";
let failed = 0;
let passed = 0;
for (const name of ["selftest-create", "selftest-unlock", "selftest-search"]) {
  const { profile, args } = headlessArgs("holdfast-selftest-");
  const r = spawnSync(
    chromium,
    [
      ...args,
      "--virtual-time-budget=60000",
      "--dump-dom",
      `${base}?screen=${name}`,
    ],
    { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  rmSync(profile, { recursive: true, force: true });
  const result = /data-selftest="([^"]*)"/.exec(r.stdout ?? "")?.[1] ?? "no result (did the page load?)";
  console.log(`${name}: ${result}`);
  if (result === "pass") passed++;
  else failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
