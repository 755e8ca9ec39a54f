#!/usr/bin/env bash
# NVDEC → vfmux zero-copy batching on the GPU machine (issue 8 item 6).
#
#   bench/gpu/run-mux-bench.sh prepare [BUILD]   here (no GPU needed): makes the 1080p30 H.264
#       clip from the sample footage and the GStreamer bundle, both into .gpu/mux/ (git ignores
#       .gpu/); BUILD is the meson build folder (default build). The GPU test programs
#       (tests/cuda) go into the bundle too: bundle/extra/test-cuda-preprocess.
#   bench/gpu/run-mux-bench.sh run [ROUNDS] [N...]   on the GPU machine, in the repository root,
#       with .gpu/mux carried: 16 32 64 128 sources, 3 rounds unless told. VF_GPU_DIR names the
#       folder when it is not .gpu/mux (prepare copies this script into it too).
#
# The clip: the opening of data/footage/vtest.avi (768x576, 10 fps) scaled to 1920x1080 and
# resampled to 30 fps, x264 High profile, one keyframe a second (identity eos-after=150 stops the
# 10 fps source late: 515 frames, 17 s; the bench counts the frames it gets).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="${VF_GPU_DIR:-$root/.gpu/mux}"
mkdir -p "$(dirname "$dir")" # so that it resolves (a fresh checkout has no .gpu/)
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
case "${1:-}" in
prepare)
  build="${2:-build}"
  mkdir -p "$dir"
  [ -f "$dir/clip-1080p30.mp4" ] || gst-launch-1.0 -q filesrc location="$root/data/footage/vtest.avi" ! decodebin ! \
    videoconvert ! videoscale ! videorate ! \
    video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! identity eos-after=150 ! \
    x264enc speed-preset=veryfast bitrate=8000 key-int-max=30 ! video/x-h264,profile=high ! \
    h264parse ! mp4mux ! filesink location="$dir/clip-1080p30.mp4"
  rm -rf "$dir/bundle"
  mk="${MAKE_GPU_BUNDLE:-}"
  for c in "$root/../shared/tools/make-gpu-bundle" "$root/../../shared/tools/make-gpu-bundle"; do
    [ -n "$mk" ] || { [ -x "$c" ] && mk="$c"; } || true
  done
  [ -n "$mk" ] || { echo "no make-gpu-bundle: set MAKE_GPU_BUNDLE" >&2; exit 2; }
  "$mk" "$dir/bundle" "$build/lib/libvidflow.so.0" \
    "$build/bench/gpu/gpu-mux-bench" "$build/gst/libgstvidflow.so" \
    $(ls "$build/tests/cuda/test-cuda-preprocess" "$build/tests/cuda/test-cuda-infer" 2>/dev/null)
  mkdir -p "$dir/bundle/plugins" && mv "$dir/bundle/extra/libgstvidflow.so" "$dir/bundle/plugins/"
  cp "$0" "$dir/"   # travels with the folder: the device may get a checkout without this branch
  du -sh "$dir"
  ;;
run)
  shift
  rounds="${1:-3}"; shift || true
  sizes="${*:-16 32 64 128}"
  [ -d "$dir/bundle" ] || { echo "no $dir/bundle: run '$0 prepare' here and carry .gpu/mux" >&2; exit 2; }
  source "$dir/bundle/env.sh"
  export GST_PLUGIN_PATH_1_0="$dir/bundle/plugins"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv,noheader || true
  gst-inspect-1.0 nvh264dec >/dev/null || { echo "nvh264dec is missing on this machine" >&2; exit 1; }
  gst-inspect-1.0 vfmux >/dev/null || { echo "vfmux is missing (plugin not carried?)" >&2; exit 1; }
  # VF_DENSITY_CONFIG=vfinfer YAML: the density bench (decode -> vfmux -> vfinfer on ORT's CUDA
  # provider; VIDFLOW_ORT_LIB and the CUDA libraries set by the caller, as run-gpu-tests.sh does)
  # (VF_DENSITY_DOWNLOAD=1: the cudadownload host path instead of the frames staying on the GPU)
  "$dir/bundle/extra/gpu-mux-bench" \
    ${VF_DENSITY_CONFIG:+--infer${VF_DENSITY_DOWNLOAD:+-download} "$VF_DENSITY_CONFIG"} \
    "$dir/clip-1080p30.mp4" "$rounds" $sizes
  ;;
*)
  echo "usage: $0 prepare [BUILD] | run [ROUNDS] [N...]" >&2; exit 2 ;;
esac
