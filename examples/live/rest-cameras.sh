#!/bin/sh
# Cameras added and removed over HTTP while `vidflow run --rest-port` runs a flow: DeepStream's
# REST API (stream/add, stream/remove, get-stream-info, app/quit) driven with curl.
#
#   rest-cameras.sh VIDFLOW VIDEO     (VIDFLOW: the vidflow command; VIDEO: the cameras' stand-in)
#
# The flow is a batch_capture of one looping camera that keeps running without sources
# (drop_pipeline_eos). The script reads vidflow's messages as they come: once the REST server
# is up it adds camera "door", waits for it to join and give frames (get-stream-info), removes
# it, checks it is gone, and ends the run with app/quit. Exit status 0 when all of that happened
# and vidflow ended with 0.
set -eu
vidflow=$1 video=$2
command -v curl >/dev/null || { echo "curl is not installed (tools/setup.sh installs it)"; exit 77; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "rest-cameras: $*" >&2; exit 1; }

cat >"$work/flow.yaml" <<YAML
flow:
  - batch_capture:
      uris: ['$video']
      drop_pipeline_eos: true
      live_source: true
      file_loop: true
  - render: discard
YAML
mkfifo "$work/messages"
"$vidflow" run --no-progress --rest-port=0 "$work/flow.yaml" 2>"$work/messages" &
pid=$!
exec 3<"$work/messages"

# Reads vidflow's messages until one contains $1 (the line is in $line); fails at their end.
wait_for() {
  while IFS= read -r line <&3; do
    echo "vidflow says: $line"
    case $line in *"$1"*) return 0 ;; esac
  done
  fail "vidflow ended before saying '$1'"
}
post() { curl -sS --max-time 10 -H 'Content-Type: application/json' -d "$2" "$api/$1"; echo; }
info() { curl -sS --max-time 10 "$api/stream/get-stream-info"; }
# camera $1's frames in get-stream-info, "none" when it is not listed
frames_of() {
  info | python3 -c '
import json, sys
streams = json.load(sys.stdin)["stream-info"]["stream-info"]
print(next((str(s["frames"]) for s in streams if s["camera_id"] == sys.argv[1]), "none"))' "$1"
}

wait_for "REST server at "
api=${line##*REST server at }
api=${api%/}
echo "REST API at $api"

post stream/add "{\"key\": \"sensor\", \"value\": {\"camera_id\": \"door\", \"camera_name\": \"Front door\", \"camera_url\": \"$video\", \"change\": \"camera_add\"}}"
wait_for "source 1 added"
# frames come once its decoder started: ask until they do (20 s at most)
tries=0
while :; do
  frames=$(frames_of door)
  [ "$frames" != none ] && [ "$frames" -gt 0 ] && break
  tries=$((tries + 1))
  [ $tries -lt 100 ] || fail "camera door gave no frame in 20 s (get-stream-info: $(info))"
  sleep 0.2
done
echo "camera door runs: $frames frames so far"

post stream/remove '{"key": "sensor", "value": {"camera_id": "door", "change": "camera_remove"}}'
wait_for "source 1 removed"
[ "$(frames_of door)" = none ] || fail "camera door is still listed after its removal: $(info)"
[ "$(frames_of 0)" != none ] || fail "the first camera is gone too: $(info)"
echo "camera door is gone; the first camera runs on"

post app/quit '{"stream": {"app_quit": 1}}'
cat <&3 >/dev/null
status=0
wait "$pid" || status=$?
pid=
[ $status -eq 0 ] || fail "vidflow run ended with status $status"
echo "vidflow run ended cleanly"
