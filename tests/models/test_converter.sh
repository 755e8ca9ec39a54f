#!/bin/bash
# Test tools/models/tflite2onnx.py against an independent numpy interpreter of the TFLite
# graph (tools/models/tflite_reference.py), running the ONNX model with ONNX Runtime's C API
# (tools/models/ort_run.c) at batch 1 and batch 2, then decoding dog.jpg's detections.
#
#   tests/models/test_converter.sh [DATA]     DATA defaults to $VIDFLOW_DATA or data/
#
# Exit 0 all passed, 1 something failed, 77 assets missing (run tools/fetch-assets.sh).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${1:-${VIDFLOW_DATA:-$ROOT/data}}
PY=/usr/bin/python3
M=$DATA/models/ssd_mobilenet_v2_oid
ORT_LIB=$DATA/onnxruntime/lib/libonnxruntime.so
# Tolerance on raw encodings/logits. Both sides compute the same sums, ORT in float32 and the
# reference in float64; float32 rounding through ~70 layers is expected around 1e-5 on values
# up to |80|. 1e-3 leaves a wide margin for ORT's kernel choices, while any layout, padding or
# weight-order mistake moves outputs by O(0.1..10).
TOL=1e-3

for f in "$M.tflite" "$M.labels" "$M.anchors" "$ORT_LIB" "$DATA/onnxruntime/include/onnxruntime_c_api.h" \
         "$DATA/images/dog.jpg"; do
    [ -s "$f" ] || { echo "SKIP: $f missing: run tools/fetch-assets.sh first"; exit 77; }
done

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
passed=0 failed=0
pycheck() { "$PY" "$ROOT/tests/models/ssd_check.py" "$@"; }
check() {  # check NAME CMD...: run one check, count it
    local name=$1; shift
    echo "--- $name"
    if "$@"; then echo "PASS: $name"; passed=$((passed + 1))
    else echo "FAIL: $name"; failed=$((failed + 1)); fi
}

convert() { $PY "$ROOT/tools/models/tflite2onnx.py" "$M.tflite" "$W/ssd.onnx" "$W/ssd.anchors"; }
anchors_same() { cmp "$W/ssd.anchors" "$M.anchors" && [ "$(stat -c %s "$M.anchors")" = $((1917 * 16)) ]; }
shipped_same() {
    cmp -s "$W/ssd.onnx" "$M.onnx" || { echo "$M.onnx is stale: rerun tools/fetch-assets.sh"; return 1; }
}
build() { cc -O2 -Wall -Werror -I "$DATA/onnxruntime/include" -o "$W/ort_run" "$ROOT/tools/models/ort_run.c" -ldl; }
# dog.jpg (768x576) squashed to 300x300 RGB, as the model was trained (no letterbox)
dog_rgb() {
    gst-launch-1.0 -q filesrc location="$DATA/images/dog.jpg" ! jpegdec ! videoconvert ! videoscale ! \
        video/x-raw,format=RGB,width=300,height=300 ! filesink location="$W/dog.rgb" &&
        [ "$(stat -c %s "$W/dog.rgb")" = 270000 ] &&
        pycheck inputs "$W/dog.rgb" "$W/inputs.f32" &&
        tail -c 1080000 "$W/inputs.f32" >"$W/dog.f32"   # second sample = dog alone
}
reference() { mkdir -p "$W/ref" && $PY "$ROOT/tools/models/tflite_reference.py" "$M.tflite" "$W/inputs.f32" "$W/ref"; }
ort() {  # ort N INPUT OUTDIR REPEAT
    mkdir -p "$3" && "$W/ort_run" -l "$ORT_LIB" -r "$4" "$W/ssd.onnx" "$2" "$1" "$3"
}

check "convert TFLite -> ONNX" convert
check "ONNX signature (opset 13, dynamic batch, checker)" pycheck signature "$W/ssd.onnx"
check "anchors: 1917 x 4 float32, same as fetched" anchors_same
check "fetched model is the converter's current output" shipped_same
check "build ort_run (ORT C API, dlopen)" build
check "decode dog.jpg with GStreamer, make inputs" dog_rgb
check "numpy reference interpreter" reference
check "ORT batch 1 (dog)" ort 1 "$W/dog.f32" "$W/ort1" 20
check "ORT batch 1 matches reference" pycheck compare $TOL "$W/ref" "$W/ort1" 1
check "ORT batch 2 (random + dog)" ort 2 "$W/inputs.f32" "$W/ort2" 10
check "ORT batch 2 matches reference, both samples" pycheck compare $TOL "$W/ref" "$W/ort2"
check "dog.jpg: Dog, Bicycle, Car above 0.5 (ORT)" \
    pycheck detect "$W/ort1" 0 "$M.anchors" "$M.labels" 768 576 0.5 Dog Bicycle Car
check "dog.jpg: same detections from the reference" \
    pycheck detect "$W/ref" 1 "$M.anchors" "$M.labels" 768 576 0.5 Dog Bicycle Car

# The accuracy references of tests/infer/test-accuracy.c come from an independent path (numpy
# TFLite interpreter, ORT raw outputs, numpy decoding): they must be what the script makes now.
references() {
    mkdir -p "$W/refs" && $PY "$ROOT/tools/models/make_references.py" "$DATA" "$W/refs" &&
        diff -u "$ROOT/tests/data/dog-expected.txt" "$W/refs/dog-expected.txt" &&
        diff -u "$ROOT/tests/data/megamind-faces.txt" "$W/refs/megamind-faces.txt"
}
if [ -s "$DATA/models/blazeface_128.onnx" ] && [ -s "$DATA/footage/Megamind.avi" ]; then
    check "accuracy references remade by tools/models/make_references.py" references
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
