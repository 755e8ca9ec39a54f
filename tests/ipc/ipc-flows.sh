#!/bin/sh
# flows/ipc/producer.yaml and consumer.yaml run as two `vidflow run` processes: every frame the
# producer detected on reaches the consumer, which encodes it (with the detections drawn).
# usage: ipc-flows.sh VIDFLOW SOURCE_ROOT; exits 77 (skipped) without the footage and model.
set -eu
cmd=$1 root=$2
data=${VIDFLOW_DATA_DIR:-$root/data}
for f in footage/vtest.avi models/ssd_mobilenet_v2_oid.onnx; do
  [ -s "$data/$f" ] || { echo "$data/$f missing: run tools/fetch-assets.sh"; exit 77; }
done
work=$(mktemp -d)
cpid=
trap '[ -n "$cpid" ] && kill "$cpid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export XDG_RUNTIME_DIR="$work" VIDFLOW_OUT_DIR="$work" VIDFLOW_IPC_NAME="flows-$$"
export VIDFLOW_DATA_DIR="$data"
# the consumer first (it waits for the producer's socket), then the producer for 3 s
"$cmd" run "$root/flows/ipc/consumer.yaml" > "$work/consumer.log" 2>&1 &
cpid=$!
"$cmd" run --duration=3 "$root/flows/ipc/producer.yaml" > "$work/producer.log" 2>&1 \
  || { cat "$work/producer.log"; fail "the producer failed"; }
wait "$cpid" || { cat "$work/consumer.log"; fail "the consumer failed"; }
cpid=
cat "$work/producer.log" "$work/consumer.log"
sent=$(awk '/capture0-src0/ {print $3; exit}' "$work/producer.log")
got=$(awk '/capture0-src0/ {print $2; exit}' "$work/consumer.log")
[ -n "$sent" ] && [ "$sent" -gt 0 ] || fail "the producer sent no frames"
[ "$sent" = "$got" ] || fail "the producer sent $sent frames, the consumer got $got"
grep -q "objects detected: [1-9]" "$work/producer.log" || fail "nothing detected"
[ -s "$work/vidflow-ipc.mp4" ] || fail "the consumer wrote no MP4"
echo "PASS: $sent frames crossed"
