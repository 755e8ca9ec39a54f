#!/bin/sh
# Runs record-on-person on an H.264 cut of the sample footage and checks the clip it wrote:
# gst-discoverer reads it as H.264 video of BEFORE + AFTER seconds (up to one GOP more: a clip
# starts at a key frame), and every frame decodes (as many as the duration holds at 10 fps).
# usage: check-record.sh EXAMPLE SOURCE_ROOT; exits 77 (skipped) without data/.
set -eu
example=$1 root=$2
data=${VIDFLOW_DATA_DIR:-$root/data}
for f in footage/vtest.avi models/ssd_mobilenet_v2_oid.onnx; do
  [ -s "$data/$f" ] || { echo "$data/$f missing: run tools/fetch-assets.sh"; exit 77; }
done
command -v gst-discoverer-1.0 >/dev/null || { echo "gst-discoverer-1.0 is missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
sed "s|\.\./data/|$data/|g" "$root/configs/ssd_mobilenet_v2_oid.yaml" >"$work/ssd.yaml"

# 10 s of the footage as H.264 at 10 fps, a key frame every second (GOP 1 s)
gst-launch-1.0 -q filesrc location="$data/footage/vtest.avi" ! decodebin ! identity eos-after=100 \
  ! videoconvert ! videoscale ! video/x-raw,format=I420,width=384,height=288 \
  ! x264enc speed-preset=ultrafast key-int-max=10 ! h264parse ! mp4mux \
  ! filesink location="$work/hall.mp4" || fail "cannot make the H.264 clip"
mkdir "$work/clips"
"$example" "$work/ssd.yaml" "$work/hall.mp4" "$work/clips" 2 3 | tee "$work/out.txt" \
  || fail "record-on-person failed"
[ "$(grep -c '^clip ' "$work/out.txt")" -eq 1 ] || fail "no clip announced"
clip=$(sed -n 's/^clip \([^ ]*\) .*/\1/p' "$work/out.txt")
[ -s "$clip" ] || fail "$clip is not there"
ls "$work/clips" | grep -q '\.part$' && fail "a .part file is left"

gst-discoverer-1.0 "$clip" >"$work/disc.txt" 2>&1 || { cat "$work/disc.txt"; fail "gst-discoverer cannot read $clip"; }
grep -q "H.264" "$work/disc.txt" || { cat "$work/disc.txt"; fail "$clip has no H.264 video"; }
duration=$(sed -n "s/^ *Duration: *//p" "$work/disc.txt")
frames=$(gst-launch-1.0 -v filesrc location="$clip" ! qtdemux ! h264parse ! avdec_h264 \
  ! fakesink silent=false 2>&1 | grep -c 'fakesink0.*chain') || true
python3 - "$duration" "$frames" <<'PY' || fail "clip $clip: duration $duration, $frames frames"
import sys
h, m, s = sys.argv[1].split(":")
seconds = int(h) * 3600 + int(m) * 60 + float(s)
frames = int(sys.argv[2])
# 2 s before + 3 s after; the start moves back to a key frame: up to one GOP (1 s) more
assert 5.0 - 0.15 <= seconds <= 6.0 + 0.15, f"duration {seconds:.3f} s, not 5-6 s"
assert abs(frames - seconds * 10) <= 1, f"{frames} frames decoded for {seconds:.3f} s at 10 fps"
print(f"clip: {seconds:.3f} s, {frames} frames, all decoded")
PY
