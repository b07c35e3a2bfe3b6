// Run after `vite build`: the production bundle must not contain the
// browser-only mock, and must not load anything from the network.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const dist = process.argv[2] ?? "dist";
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
})(dist);

// Strings that exist only in src/lib/mock/.
const mockMarkers = ["correct horse battery staple", "The mock does not know the command", "Holdfast mock:", "mock/backend", "mock/scenarios"];
// Remote loads: an http(s) URL in an HTML src/href, a CSS url() or @import.
const remote = [/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i, /url\(\s*["']?(?:https?:)?\/\//i, /@import\s+(?:url\()?\s*["']?(?:https?:)?\/\//i];

let bad = 0;
for (const f of files) {
  if (!/\.(html|js|css)$/.test(f)) continue;
  const text = readFileSync(f, "utf8");
  for (const m of mockMarkers) {
    if (text.includes(m)) {
      console.error(`${f}: contains mock code (${JSON.stringify(m)})`);
      bad++;
    }
  }
  if (/\.(html|css)$/.test(f)) {
    for (const r of remote) {
      const hit = text.match(r);
      if (hit) {
        console.error(`${f}: loads remote content (${hit[0]})`);
        bad++;
      }
    }
  }
}
if (bad) process.exit(1);
console.log(`${dist}: ${files.length} files, no mock code, no remote loads`);
