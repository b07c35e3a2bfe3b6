#!/usr/bin/env bash
# How tests/compat/v<N> was written (run once, by the release that introduced schema N; never
# again afterwards): bash tests/compat/make.sh v1
set -euo pipefail
v=${1:?usage: make.sh vN}
cd "$(dirname "$0")/../.."
out=tests/compat/$v
rm -rf "$out" && mkdir -p "$out"
export HOLDFAST_INSECURE_TEST_KDF=1 HOLDFAST_PASSPHRASE="compat $v passphrase" TZ=UTC
h=target/debug/holdfast
a=$out/archive
$h --archive "$a" init --json | sed -n 's/.*"recovery_key": "\(.*\)".*/\1/p' > "$out/recovery-key.txt"
$h --archive "$a" import "tests/fixtures/whatsapp/WhatsApp Chat with Northgate depot.txt" --tz Europe/London --tag depot >/dev/null
tmp=$(mktemp -d)
(cd tests/fixtures/whatsapp/ios && zip -q "$tmp/WhatsApp Chat - Facilities board.zip" ./*)
$h --archive "$a" import "$tmp/WhatsApp Chat - Facilities board.zip" --tz Europe/Warsaw >/dev/null
rm -rf "$tmp" "$a/holdfast.lock" "$a/blobs/staging"
$h --archive "$a" stats --json > "$out/stats.json"
rm -f "$a/holdfast.lock"
echo "wrote $out (recovery key in $out/recovery-key.txt)"
