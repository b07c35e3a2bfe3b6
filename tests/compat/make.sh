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
rm -rf "$tmp"
if [ "${v#v}" -ge 4 ]; then
  # Records and requests (schema 4 and 5): triage, a locked policy, a hold, a disposal, a case.
  $h --archive "$a" tag add business --conversation 1 >/dev/null
  $h --archive "$a" tag add transitory --conversation 2 >/dev/null
  $h --archive "$a" policy add "Board minutes" --match tag:board --retain 10y --then keep --lock >/dev/null
  $h --archive "$a" hold add LIT-1 --match "roof" >/dev/null
  $h --archive "$a" dispose --apply --approver "Compat Test" --as-of 2026-11-25 >/dev/null
  $h --archive "$a" foi new FOI-2026-001 --received 2026-11-02 --requester "A. Requester" --scope "membrane" >/dev/null
  $h --archive "$a" foi review FOI-2026-001 --all --mark responsive >/dev/null
fi
rm -rf "$a/holdfast.lock" "$a/audit.head.lock" "$a/blobs/staging"
$h --archive "$a" stats --json > "$out/stats.json"
rm -f "$a/holdfast.lock"
echo "wrote $out (recovery key in $out/recovery-key.txt)"
