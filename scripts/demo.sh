#!/usr/bin/env bash
# Quick start: installs what is missing, builds Holdfast, creates a demo archive from the sample
# exports in demo/exports (once), and opens the desktop app on it. The passphrase is: demo
#
#   HOLDFAST_DEMO_ARCHIVE=DIR   where the demo archive lives (default ~/.local/share/holdfast-demo)
#   HOLDFAST_DEMO_HEADLESS=1    no display: run under Xvfb, save a screenshot, and stop
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
echo "== building Holdfast (the first build takes several minutes)"
cargo build --workspace --quiet

archive="${HOLDFAST_DEMO_ARCHIVE:-$HOME/.local/share/holdfast-demo}"
if [ ! -f "$archive/holdfast.key" ]; then
  echo "== creating the demo archive in $archive"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  target/debug/holdfast-bench gen whatsapp --messages 3000 --seed 2026 \
    --out "$tmp/WhatsApp Chat with Operations rota.txt"
  export HOLDFAST_PASSPHRASE=demo
  target/debug/holdfast --archive "$archive" init >/dev/null
  target/debug/holdfast --archive "$archive" import --tz Europe/London demo/exports/* \
    "$tmp/WhatsApp Chat with Operations rota.txt"
  # Records and FOI: triage, a locked policy, a request with its scope held.
  hf() { target/debug/holdfast --archive "$archive" "$@" >/dev/null; }
  conv() { target/debug/holdfast --archive "$archive" conversations | awk -v t="$1" 'index($0, t) {print $1; exit}'; }
  for title in "Riverside" "Planning committee" "site-ops" "Council liaison" "Depot finance"; do
    id=$(conv "$title"); [ -n "$id" ] && hf tag add business --conversation "$id"
  done
  id=$(conv "Mum"); [ -n "$id" ] && hf tag add personal --conversation "$id"
  hf policy add "Board minutes" --match "tag:board" --retain 10y --then keep --lock
  hf foi new FOI-2026-031 --received 2026-11-12 --requester "Sam Clarke (Northgate Gazette)" \
    --scope "roof OR scaffold* OR membrane"
  unset HOLDFAST_PASSPHRASE
fi

echo "== opening Holdfast on $archive — the passphrase is: demo"
if [ "${HOLDFAST_DEMO_HEADLESS:-0}" = 1 ]; then
  shot="${HOLDFAST_DEMO_SCREENSHOT:-target/demo-screenshot.png}"
  xvfb-run -a -s "-screen 0 1280x800x24" sh -c \
    "target/debug/holdfast-desktop --archive '$archive' & sleep 8; import -window root '$shot' 2>/dev/null || xwd -root -silent > '$shot.xwd'; kill \$!"
  echo "screenshot: $shot"
  exit 0
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no graphical display: run this from a desktop session (or set HOLDFAST_DEMO_HEADLESS=1)" >&2
  exit 1
fi
exec target/debug/holdfast-desktop --archive "$archive"
