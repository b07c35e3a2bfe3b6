#!/usr/bin/env bash
# Installs what Holdfast needs on Debian or Ubuntu, skipping whatever is already there:
# the system libraries Tauri builds against, the UI's npm packages (and its build), and with
# --test-tools what the test suite drives (Xvfb, WebKitWebDriver, tauri-driver, gnome-keyring).
set -euo pipefail
cd "$(dirname "$0")/.."

test_tools=0
[ "${1:-}" = "--test-tools" ] && test_tools=1

pkgs=(build-essential pkg-config curl file libssl-dev libdbus-1-dev
      libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
      fonts-noto-color-emoji)
if [ "$test_tools" = 1 ]; then
  pkgs+=(xvfb xauth webkit2gtk-driver dbus gnome-keyring libsecret-tools)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "error: Rust is not installed: install it from https://rustup.rs, then run this again" >&2
  exit 1
fi
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "error: Node.js 20.19 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none)): install it from https://nodejs.org or with nvm, then run this again" >&2
  exit 1
fi

# The UI: install the locked packages when they changed, then build ui/dist (Tauri embeds it).
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "== npm ci (ui/)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "== building the UI"
(cd ui && npm run --silent build >/dev/null)

if [ "$test_tools" = 1 ] && ! command -v tauri-driver >/dev/null; then
  echo "== installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi
