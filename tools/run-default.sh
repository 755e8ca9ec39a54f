#!/bin/sh
# The main job on its built-in default: synthetic frames injected through a provider, encoded to
# an MP4, then a contact sheet of that MP4 — output a person can look at.
#   tools/run-default.sh [BUILD_DIR]        (make run calls it)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${VIDFLOW_OUT:-$ROOT/out}
mkdir -p "$OUT"
export GST_PLUGIN_PATH="$BUILD/gst" GST_REGISTRY_1_0="$BUILD/registry.bin"
"$BUILD/examples/synthetic-to-mp4" --frames 300 --width 1280 --height 720 --output "$OUT/synthetic.mp4"
"$BUILD/examples/contact-sheet" --every 25 --columns 4 --rows 3 --output "$OUT/synthetic-sheet.jpg" "$OUT/synthetic.mp4"
echo
echo "Output:"
echo "  video:         $OUT/synthetic.mp4"
echo "  contact sheet: $OUT/synthetic-sheet.jpg"
