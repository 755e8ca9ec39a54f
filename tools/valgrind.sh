#!/bin/sh
# valgrind memcheck on two examples (make valgrind): synthetic frames -> feeder -> H.264 MP4, and
# a decode pipeline handing frames through a frame queue to an encode pipeline (feeder, receiver,
# frame queue, two pipelines). Clean means no memory error and no definite leak once the named
# third-party frames of tests/valgrind.supp are suppressed.
#   tools/valgrind.sh [BUILD]      (default build/)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
command -v valgrind >/dev/null || { echo "valgrind: not installed (tools/setup.sh installs it)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GST_PLUGIN_PATH="$BUILD/gst" GST_REGISTRY_1_0="$BUILD/registry.bin" GST_REGISTRY_FORK=no
export G_SLICE=always-malloc G_DEBUG=fatal-criticals

# Motion JPEG in AVI: decoded by jpegdec. (H.264 would be decoded by gst-libav, whose libavcodec
# loads libhwy, whose constructor runs an instruction valgrind 3.19 cannot emulate: SIGILL.)
gst-launch-1.0 -q videotestsrc num-buffers=20 pattern=ball \
  ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! jpegenc ! avimux \
  ! filesink location="$work/in.avi" || exit 1

failed=0
run() { # NAME ARGS...
  name=$1; shift
  log=$work/$name.log
  timeout "${VALGRIND_TIMEOUT:-600}" valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --num-callers=40 --error-exitcode=99 \
    --suppressions="$ROOT/tests/valgrind.supp" "$@" >"$log" 2>&1
  rc=$?
  summary=$(grep "ERROR SUMMARY" "$log" | tail -n 1 | sed 's/^==[0-9]*== //')
  if [ "$rc" = 0 ]; then
    echo "valgrind: $name clean ($summary)"
  else
    cat "$log"
    echo "valgrind: $name FAILED (exit $rc: $summary)"
    failed=1
  fi
}
run synthetic-to-mp4 "$BUILD/examples/synthetic-to-mp4" --frames 20 --width 320 --height 240 \
  --output "$work/out.mp4"
run pipeline-transfer "$BUILD/examples/pipeline-transfer" --output "$work/transfer.mp4" \
  "$work/in.avi"
exit $failed
