#!/bin/sh
# Runs one example on small inputs it makes itself and checks what the example produced.
# usage: check-example.sh NAME EXAMPLES_DIR COUNT_FRAMES
set -eu
name=$1 bin=$2 count=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make_mp4() { # frames file
  gst-launch-1.0 -q videotestsrc num-buffers="$1" pattern=ball \
    ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! x264enc speed-preset=ultrafast \
    ! h264parse ! mp4mux ! filesink location="$2"
}

case $name in
synthetic-to-mp4)
  "$bin/synthetic-to-mp4" --frames 45 --width 320 --height 240 --output "$work/out.mp4"
  n=$("$count" "$work/out.mp4"); [ "$n" = 45 ] || fail "expected 45 frames in the MP4, found $n" ;;
save-frames)
  make_mp4 50 "$work/in.mp4"
  "$bin/save-frames" --every 10 --output-dir "$work/frames" "$work/in.mp4"
  n=$(ls "$work/frames"/frame_*.jpg | wc -l); [ "$n" = 5 ] || fail "expected 5 JPEGs, found $n"
  [ -s "$work/frames/frame_000040.jpg" ] || fail "frame_000040.jpg missing" ;;
frame-stats)
  make_mp4 30 "$work/in.mp4"
  "$bin/frame-stats" --log "$work/log.json" "$work/in.mp4"
  n=$(wc -l < "$work/log.json"); [ "$n" = 30 ] || fail "expected 30 JSON lines, found $n"
  /usr/bin/python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$work/log.json" \
    || fail "log is not JSON lines"
  grep -q '"shape":\[240,320,3\]' "$work/log.json" || fail "shape missing" ;;
pipeline-transfer)
  make_mp4 40 "$work/in.mp4"
  out=$("$bin/pipeline-transfer" --output "$work/out.mp4" "$work/in.mp4" 2>&1); echo "$out"
  echo "$out" | grep -q "transferred 40 frames" || fail "not all 40 frames crossed"
  echo "$out" | grep -q "was copied" && fail "a frame was copied"
  n=$("$count" "$work/out.mp4"); [ "$n" = 40 ] || fail "expected 40 frames in the output, found $n" ;;
ipc-queue-transfer)
  make_mp4 40 "$work/in.mp4"
  out=$("$bin/ipc-queue-transfer" --output "$work/out.mp4" "$work/in.mp4" 2>&1); echo "$out"
  sent=$(echo "$out" | sed -n 's/^producer: sent \([0-9]*\) frames, checksum \([0-9]*\)$/\1 \2/p')
  got=$(echo "$out" | sed -n 's/^consumer: received \([0-9]*\) frames .*checksum \([0-9]*\).*/\1 \2/p')
  [ "${sent%% *}" = 40 ] || fail "the producer process did not send 40 frames: $sent"
  [ "$got" = "$sent" ] || fail "frames or checksum differ across processes: sent $sent, received $got"
  echo "$out" | grep -q "(40 read in the producer's memory)" || fail "frames were copied on this side"
  n=$("$count" "$work/out.mp4"); [ "$n" = 40 ] || fail "expected 40 frames in the output, found $n" ;;
custom-source)
  gst-launch-1.0 -q videotestsrc num-buffers=20 ! video/x-raw,format=I420,width=160,height=120,framerate=25/1 \
    ! y4menc ! filesink location="$work/in.y4m"
  "$bin/custom-source" --output "$work/out.mp4" "$work/in.y4m" | grep -q "fed 20 frames" || fail "not 20 frames"
  n=$("$count" "$work/out.mp4"); [ "$n" = 20 ] || fail "expected 20 frames, found $n"
  # bad input: a file that is not y4m gets a clear error, not a crash
  echo "garbage" > "$work/bad.y4m"
  if "$bin/custom-source" "$work/bad.y4m" 2> "$work/err"; then fail "garbage accepted"; fi
  grep -q "not a YUV4MPEG2 file" "$work/err" || fail "unclear error: $(cat "$work/err")" ;;
contact-sheet)
  make_mp4 60 "$work/in.mp4"
  "$bin/contact-sheet" --every 10 --columns 3 --rows 2 --tile-width 160 --output "$work/sheet.png" "$work/in.mp4" \
    | grep -q "contact sheet of 6 frames" || fail "not 6 tiles"
  # PNG IHDR: width and height, big-endian, at bytes 16..23
  size=$(od -An -tu1 -j16 -N8 "$work/sheet.png" | awk '{print $3*256+$4 "x" $7*256+$8}')
  [ "$size" = 480x180 ] || fail "sheet is $size, not 480x180" ;;
*) fail "unknown example $name" ;;
esac
echo "PASS: $name"
