#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this): installs what is missing, then the
# format and lint gates, every Rust test (unit, CLI, corpus conformance, crash, keychain,
# compatibility, end-to-end desktop), the generated-types check and the UI's checks and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-tools
export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== the core crate does not depend on Tauri"
if cargo tree --workspace -e normal --prefix none -i tauri 2>/dev/null | grep -q '^holdfast v'; then
  echo "error: the holdfast core crate depends on tauri" >&2
  exit 1
fi

echo "== cargo test"
# Beside ../shared (as in CI) the corpus conformance tests must run, not skip.
if [ -d ../shared/corpus ]; then export HOLDFAST_REQUIRE_CORPUS=1; fi
# As root (CI), the full-disk test must mount its small tmpfs, not skip.
if [ "$(id -u)" = 0 ]; then export HOLDFAST_REQUIRE_TMPFS=1; fi
HOLDFAST_REQUIRE_KEYCHAIN=1 HOLDFAST_REQUIRE_E2E=1 cargo test --workspace

echo "== the UI's TypeScript types match the Rust API types"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  stale=$(git status --porcelain -- ui/src/lib/bindings)
  if [ -n "$stale" ]; then
    echo "error: ui/src/lib/bindings is stale (cargo test regenerated it): commit these changes:" >&2
    echo "$stale" >&2
    exit 1
  fi
fi

echo "== UI: type check and tests"
(cd ui && npm run --silent check && npm test --silent)

echo "all checks passed"
