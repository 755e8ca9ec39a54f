#!/bin/sh
# The main job on its built-in default: object detection on the sample footage
#   data/footage/vtest.avi -> decode -> vfmux -> vfinfer (SSD-MobileNetV2) -> vfosd -> H.264 MP4
# plus one JSON line per frame, progress while it runs and a summary at the end
# (`vidflow detect`, tools/detect.c), then a contact sheet of the annotated video.
# Without the footage or the model (tools/fetch-assets.sh not run) it falls back to the
# synthetic job: frames injected through a provider, encoded to an MP4, and its contact sheet.
#   tools/run-default.sh [BUILD_DIR]        (make run calls it)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${VIDFLOW_OUT:-$ROOT/out}
DATA=${VIDFLOW_DATA:-$ROOT/data}
mkdir -p "$OUT"
export GST_PLUGIN_PATH="$BUILD/gst" GST_REGISTRY_1_0="$BUILD/registry.bin"

if [ -s "$DATA/footage/vtest.avi" ] && [ -s "$DATA/models/ssd_mobilenet_v2_oid.onnx" ] &&
   [ -x "$BUILD/tools/vidflow" ]; then
  "$BUILD/tools/vidflow" detect --input "$DATA/footage/vtest.avi" \
    --config "$ROOT/configs/ssd_mobilenet_v2_oid.yaml" --output-dir "$OUT"
  "$BUILD/examples/contact-sheet" --every 66 --columns 4 --rows 3 \
    --output "$OUT/detections-sheet.png" "$OUT/detections.mp4" > /dev/null
  echo "  contact sheet: $OUT/detections-sheet.png"
  exit 0
fi

echo "run-default: footage or model missing in $DATA (run tools/fetch-assets.sh);"
echo "running the synthetic job instead."
"$BUILD/examples/synthetic-to-mp4" --frames 300 --width 1280 --height 720 --output "$OUT/synthetic.mp4"
"$BUILD/examples/contact-sheet" --every 25 --columns 4 --rows 3 --output "$OUT/synthetic-sheet.jpg" "$OUT/synthetic.mp4"
echo
echo "Output:"
echo "  video:         $OUT/synthetic.mp4"
echo "  contact sheet: $OUT/synthetic-sheet.jpg"
