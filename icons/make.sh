#!/usr/bin/env bash
# Draws the Holdfast icon (a padlock with an H) and writes every size Tauri bundles use.
# Needs ImageMagick (/usr/bin/convert) and, for icon.icns, png2icns (Debian: icnsutils).
set -euo pipefail
cd "$(dirname "$0")"
C=/usr/bin/convert
$C -size 1024x1024 xc:none -fill '#14505c' -draw 'roundrectangle 64,64 960,960 180,180' \
  -fill none -stroke '#e0b34a' -strokewidth 56 -draw "ellipse 512,340 182,182 180,360" \
  -draw "line 330,340 330,480" -draw "line 694,340 694,480" -stroke none \
  -fill '#f4efe6' -draw 'roundrectangle 250,440 774,860 60,60' \
  -fill '#14505c' -draw 'rectangle 380,520 450,780' -draw 'rectangle 574,520 644,780' \
  -draw 'rectangle 450,615 574,685' PNG32:icon-1024.png
png() { $C icon-1024.png -resize "$1x$1" "PNG32:$2"; }
png 32 32x32.png; png 64 64x64.png; png 128 128x128.png; png 256 128x128@2x.png; png 512 icon.png
for s in 30 44 71 89 107 142 150 284 310; do png "$s" "Square${s}x${s}Logo.png"; done
png 50 StoreLogo.png
$C icon-1024.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
tmp=$(mktemp -d)
for s in 16 32 128 256 512; do png "$s" "$tmp/$s.png"; done
png2icns icon.icns "$tmp"/16.png "$tmp"/32.png "$tmp"/128.png "$tmp"/256.png "$tmp"/512.png >/dev/null
rm -rf "$tmp"
