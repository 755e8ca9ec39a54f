#!/bin/sh
# vftracker from the tools and the flows, on the sample footage (exits 77, skipped, without
# data/): gst-inspect-1.0 documents every property with its default; gst-launch-1.0 runs
# vfmux ! vfinfer ! vftracker ! vfosd; the seed's test2 (examples/flow/flow-track and
# flows/test2.yaml) tracks people and classifies each track once; vidflow detect --track writes
# ids into its JSON lines.
# usage: check-tracker-tools.sh SOURCE_ROOT BUILD_ROOT
set -eu
root=$1 build=$2
data=${VIDFLOW_DATA_DIR:-$root/data}
for f in models/ssd_mobilenet_v2_oid.onnx models/colour_classifier.onnx footage/vtest.avi; do
  [ -s "$data/$f" ] || { echo "$data/$f missing: run tools/fetch-assets.sh"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
py() { /usr/bin/python3 - "$@"; }
# the GStreamer tools are not built with ASan: preload its runtime when our plugin is
gst_tool() {
  if [ -n "${VFT_ASAN_LIB:-}" ]; then
    LD_PRELOAD=$VFT_ASAN_LIB ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$@"
  else
    "$@"
  fi
}
for c in ssd_mobilenet_v2_oid colour_classifier tracker_bytetrack; do
  sed "s|\.\./data/|$data/|g" "$root/configs/$c.yaml" > "$work/$c.yaml"
done

# gst-inspect: every property documented with its default, an example launch line
gst_tool gst-inspect-1.0 vftracker > "$work/inspect" || fail "gst-inspect-1.0 vftracker"
awk '/^Element Properties:/ {p=1; next} p && /^  [a-z][a-z-]* *: / {print}' "$work/inspect" \
  > "$work/props"
n=$(wc -l < "$work/props")
[ "$n" -ge 20 ] || fail "gst-inspect-1.0 vftracker lists $n properties"
undocumented=$(grep -iv 'default' "$work/props" | grep -v '^  \(name\|parent\|qos\) ' || true)
[ -z "$undocumented" ] || fail "vftracker properties without their default: $undocumented"
grep -q "Example launch line" "$root/gst/vftracker.c" || fail "vftracker has no example launch line"
# every key of the config is in docs/tracker.md
for key in $(awk '{sub(/:.*/, ""); print $1}' "$work/props"); do
  case $key in name|parent|qos|streams) continue ;; esac
  grep -q "\`$key\`" "$root/docs/tracker.md" || fail "docs/tracker.md does not document $key"
done
echo "vftracker: $n properties documented, every key in docs/tracker.md"

# gst-launch: detector, tracker, display with trails, on 40 frames
gst_tool gst-launch-1.0 -q filesrc location="$data/footage/vtest.avi" ! decodebin ! video/x-raw \
  ! identity eos-after=40 ! mux.sink_0 vfmux name=mux \
  ! vfinfer config-file-path="$work/ssd_mobilenet_v2_oid.yaml" \
  ! vftracker ll-config-file="$work/tracker_bytetrack.yaml" ! vfosd display-trails=true \
  ! fakesink > "$work/launch.log" 2>&1 || { cat "$work/launch.log"; fail "gst-launch-1.0"; }
echo "gst-launch-1.0: vfmux ! vfinfer ! vftracker ! vfosd ran"

# the seed's test2 through the Flow API: tracks, each classified once, then reused
"$build/examples/flow/flow-track" --frames 60 "$work/ssd_mobilenet_v2_oid.yaml" \
  "$work/tracker_bytetrack.yaml" "$work/colour_classifier.yaml" "$data/footage/vtest.avi" \
  > "$work/test2.out" 2> "$work/test2.err" || { cat "$work/test2.out" "$work/test2.err"; fail "flow-track"; }
cat "$work/test2.out"
py "$work/test2.out" <<'PY' || fail "flow-track output"
import re, sys
text = open(sys.argv[1]).read()
tracks = int(re.search(r"tracks: (\d+)", text).group(1))
coloured, reused, classified = map(int, re.search(
    r"with a colour: (\d+), of which reused from their track: (\d+), classified: (\d+)",
    text).groups())
assert tracks >= 3, f"{tracks} tracks in 60 frames of vtest.avi (at least the 3 people of frame 0)"
assert coloured > 0 and reused > 0, "no track got a colour, or none was reused"
assert classified <= reused, f"classified {classified} times, reused {reused}: not once per track"
PY

# flows/test2.yaml through the vidflow command (rendered into nothing: no display here)
sed -e 's/render: display/render: discard/' -e "s|\.\./configs/|$root/configs/|g" \
  "$root/flows/test2.yaml" > "$work/test2.yaml"
VIDFLOW_DATA_DIR=$data VIDFLOW_INFER_CONFIG=$work/ssd_mobilenet_v2_oid.yaml \
  "$build/tools/vidflow" run --duration=3 "$work/test2.yaml" > "$work/run.out" 2>&1 ||
  { cat "$work/run.out"; fail "vidflow run flows/test2.yaml"; }
grep -q "reached its end of stream" "$work/run.out" || { cat "$work/run.out"; fail "test2 did not end"; }

# vidflow detect --track: ids in the JSON lines, stable over frames
"$build/tools/vidflow" detect --track --no-video --quiet --max-frames 30 --input \
  "$data/footage/vtest.avi" --config "$work/ssd_mobilenet_v2_oid.yaml" \
  --tracker-config "$work/tracker_bytetrack.yaml" --output-dir "$work/detect" > "$work/detect.out"
py "$work/detect/detections.jsonl" <<'PY' || fail "detect --track output"
import json, sys, collections
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 30, len(lines)
frames = collections.defaultdict(set)
untracked = 0
for l in lines:
    for o in l["objects"]:  # vidflow's compact schema: "id" on tracked objects only
        if "id" in o:
            assert isinstance(o["id"], int) and o["id"] >= 1, o
            assert len(o["bbox"]) == 4 and o["bbox"][2] > 0, o
            frames[o["id"]].add(l["frame"])
        else:
            untracked += 1
assert frames, "no tracked object"
assert not any("id" in o for o in lines[0]["objects"]), "ids on frame 0 (min-hits is 2)"
longest = max(len(f) for f in frames.values())
assert longest >= 25, f"no id lasts 25 of the 30 frames (longest {longest})"
print(f"detect --track: {len(frames)} ids over 30 frames, the longest {longest} frames")
PY
echo "PASS"
