#!/bin/sh
# gst-inspect-1.0 documents every property of vfinfer and vfosd with its default, and
# gst-launch-1.0 runs vfmux ! vfinfer ! vfosd on real footage (and vfinfer ! vfosd on plain
# video). usage: gst-tools.sh SOURCE_ROOT. Exits 77 (skipped) without data/.
set -eu
root=$1
data=${VIDFLOW_DATA_DIR:-$root/data}
[ -s "$data/models/ssd_mobilenet_v2_oid.onnx" ] && [ -s "$data/footage/vtest.avi" ] ||
  { echo "data/ missing: run tools/fetch-assets.sh"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for element in vfinfer vfosd; do
  gst-inspect-1.0 "$element" > "$work/inspect.$element" || fail "gst-inspect-1.0 $element"
  # property lines: "  name   : blurb"; each blurb gives the default
  awk '/^Element Properties:/ {p=1; next} p && /^  [a-z][a-z-]* *: / {print}' "$work/inspect.$element" \
    > "$work/props"
  n=$(wc -l < "$work/props")
  [ "$n" -ge 5 ] || fail "gst-inspect-1.0 $element lists $n properties"
  undocumented=$(grep -iv 'default' "$work/props" | grep -v '^  \(name\|parent\|qos\) ' || true)
  [ -z "$undocumented" ] || fail "$element properties without their default: $undocumented"
  grep -q "Example launch line" "$root/gst/$element.c" || fail "$element has no example launch line"
  echo "$element: $n properties documented"
done
for key in config-file-path model parser threshold class-thresholds interval unique-id \
           process-mode operate-on-unique-id operate-on-classes output-tensor-meta; do
  grep -q "^  $key *:" "$work/inspect.vfinfer" || fail "gst-inspect-1.0 vfinfer does not document $key"
done

# the sample config with its data paths pointing at $data
sed "s|\.\./data/|$data/|g" "$root/configs/ssd_mobilenet_v2_oid.yaml" > "$work/ssd.yaml"

gst-launch-1.0 -q filesrc location="$data/footage/vtest.avi" ! decodebin ! identity eos-after=30 \
  ! mux.sink_0 vfmux name=mux batch-size=1 ! vfinfer config-file-path="$work/ssd.yaml" \
  ! vfosd ! vfdemux name=d d.src_0 ! queue ! videoconvert ! jpegenc \
  ! multifilesink location="$work/frame%02d.jpg" || fail "gst-launch vfmux ! vfinfer ! vfosd"
n=$(ls "$work"/frame*.jpg | wc -l)
[ "$n" = 30 ] || fail "expected 30 annotated frames, got $n"
echo "vfmux ! vfinfer ! vfosd: $n frames"

gst-launch-1.0 -q videotestsrc num-buffers=10 ! video/x-raw,format=NV12,width=320,height=240 \
  ! vfinfer config-file-path="$work/ssd.yaml" threshold=0.3 ! vfosd ! fakesink \
  || fail "gst-launch vfinfer ! vfosd on plain video"
echo "vfinfer ! vfosd on plain video: ok"

# a setup error is an error message naming the file, not a crash
if gst-launch-1.0 -q videotestsrc num-buffers=1 ! vfinfer config-file-path="$work/none.yaml" \
   ! fakesink > "$work/err" 2>&1; then fail "a missing config was accepted"; fi
grep -q "none.yaml" "$work/err" || fail "the error does not name the file: $(cat "$work/err")"
echo "PASS"
