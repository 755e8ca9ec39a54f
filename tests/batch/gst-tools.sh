#!/bin/sh
# gst-inspect-1.0 documents vfmux/vfdemux, and gst-launch-1.0 runs pipelines with them, once the
# plugin is on GST_PLUGIN_PATH (set by the test environment).
set -eu
fail() { echo "not ok - $*"; exit 1; }

inspect=$(gst-inspect-1.0 vfmux) || fail "gst-inspect-1.0 vfmux"
for prop in batch-size width height batched-push-timeout live-source enable-padding format gpu-id \
            sensor-id sensor-name; do
  echo "$inspect" | grep -q "^ *$prop *:" || fail "gst-inspect-1.0 vfmux does not document $prop"
done
echo "$inspect" | grep -q "Default: 40000" || fail "batched-push-timeout default not shown"
gst-inspect-1.0 vfdemux | grep -q "^ *dropped *:" || fail "gst-inspect-1.0 vfdemux"
echo "ok 1 gst-inspect documents every property"

gst-launch-1.0 -q vfmux name=mux batch-size=2 width=640 height=360 ! fakesink \
  videotestsrc num-buffers=30 ! mux.sink_0 \
  videotestsrc num-buffers=20 pattern=ball ! video/x-raw,width=320,height=240 ! mux.sink_1 \
  || fail "gst-launch vfmux"
echo "ok 2 gst-launch vfmux"

gst-launch-1.0 -q vfmux name=mux ! vfdemux name=demux \
  videotestsrc num-buffers=20 ! mux.sink_0  videotestsrc num-buffers=30 ! mux.sink_1 \
  demux.src_0 ! queue ! videoconvert ! fakesink  demux.src_1 ! queue ! fakesink \
  || fail "gst-launch vfmux ! vfdemux"
echo "ok 3 gst-launch vfmux ! vfdemux"

gst-launch-1.0 -q vfmux name=mux format=NV12 width=320 height=240 enable-padding=true \
  live-source=true ! tee name=t ! queue ! fakesink t. ! queue ! fakesink \
  videotestsrc is-live=true num-buffers=10 ! video/x-raw,width=640,height=360 ! mux.sink_0 \
  videotestsrc is-live=true num-buffers=5 ! mux.sink_1 \
  || fail "gst-launch live vfmux with tee"
echo "ok 4 gst-launch live vfmux, padding, NV12, tee"
echo "1..4"
