#!/usr/bin/env bash
# The GPU test suite (issue 14 item 4), one command on the GPU machine.
#
#   bench/gpu/run-gpu-tests.sh prepare [BUILD]   here: the bundle (run-mux-bench.sh prepare) and
#       .gpu/infer (the model, its config and the accuracy frames, decoded: test-cuda-infer prepare)
#   bench/gpu/run-gpu-tests.sh run BUNDLE INFER ORT   there: BUNDLE the bundle folder, INFER the
#       prepared folder, ORT a folder with ORT 1.29's libonnxruntime.so(.zst) and
#       libonnxruntime_providers_cuda.so(.zst) (+ providers_shared, and a zstd binary for .zst)
#   bench/gpu/run-gpu-tests.sh density MUX INFER ORT [N...]   there: the density bench
#       (run-mux-bench.sh with VF_DENSITY_CONFIG: N streams decode -> vfmux -> vfinfer on the
#       CUDA provider vs the decoders alone), MUX the folder run-mux-bench.sh prepare made;
#       VF_DENSITY_ROUNDS rounds (default 1, order alternated by gpu-mux-bench)
#
# Runs, failing instead of skipping (VF_CUDA_REQUIRE=1): test-cuda-preprocess (kernels vs CPU
# twins, GPU preprocessing vs CPU within one grey level, device memory flat) and test-cuda-infer
# (CUDA provider detections vs CPU detections; vfinfer's GPU input path, frames in device memory ->
# kernel -> device tensor -> IO binding, vs CPU; vfinfer on cudaupload's memory:CUDAMemory frames
# vs CPU: same count, IoU >= 0.99).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
prepare)
  build="${2:-build}"
  "$root/bench/gpu/run-mux-bench.sh" prepare "$build"
  rm -rf "$root/.gpu/infer" && mkdir -p "$root/.gpu/infer"
  "$build/tests/cuda/test-cuda-infer" prepare "$root/.gpu/infer"
  cp "$0" "$root/.gpu/infer/"
  ;;
run | density)
  mode=$1
  ort=$(cd "$4" && pwd)
  lib=/tmp/vf-ort && mkdir -p "$lib"
  for f in "$ort"/*.so "$ort"/*.so.zst; do
    [ -e "$f" ] || continue
    case "$f" in
    *.zst) [ -e "$lib/$(basename "$f" .zst)" ] || "$ort/zstd" -dq "$f" -o "$lib/$(basename "$f" .zst)" ;;
    *) cp "$f" "$lib/" ;;
    esac
  done
  nv=$(ls -d /opt/torch/.venv/lib/python3.12/site-packages/nvidia/*/lib 2>/dev/null | tr '\n' ':')
  export LD_LIBRARY_PATH="$lib:${nv}/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export VIDFLOW_ORT_LIB="$lib/libonnxruntime.so" VF_CUDA_REQUIRE=1
  infer=$(cd "$3" && pwd)
  if [ "$mode" = density ]; then
    mux=$(cd "$2" && pwd); shift 4
    VF_GPU_DIR="$mux" VF_DENSITY_CONFIG="$infer/configs/ssd_mobilenet_v2_oid.yaml" \
      bash "$mux/run-mux-bench.sh" run "${VF_DENSITY_ROUNDS:-1}" "${@:-8 16 32}"
    exit
  fi
  bundle=$(cd "$2" && pwd)
  source "$bundle/env.sh"
  export GST_PLUGIN_PATH_1_0="$bundle/plugins" # vfinfer for test-cuda-infer's element case
  nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv,noheader || true
  rc=0
  "$bundle/extra/test-cuda-preprocess" --verbose || rc=1
  "$bundle/extra/test-cuda-infer" --verbose "$infer" || rc=1
  exit $rc
  ;;
*)
  echo "usage: $0 prepare [BUILD] | run BUNDLE INFER ORT | density MUX INFER ORT [N...]" >&2; exit 2 ;;
esac
