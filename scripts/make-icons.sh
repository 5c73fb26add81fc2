#!/bin/sh
# Renders the installable app's PNG icons from web/icons/icon.svg (Debian: librsvg2-bin).
# The PNGs are committed, so serving the client needs no build step; run this after
# changing the SVG.
set -eu
cd "$(dirname "$0")/../web/icons"
for n in 192 512; do
	rsvg-convert -w "$n" -h "$n" icon.svg -o "icon-$n.png"
done
rsvg-convert -w 180 -h 180 icon.svg -o apple-touch-icon.png
