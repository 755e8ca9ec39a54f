"""Every Python block of "Introduction to Flow APIs" (the seed document), run as written in
tests/python/seeds/flow_*.py (adapted only as each file's header says), on small inputs, with
its effect checked. render() (DISPLAY) blocks need a display: the suite runs them under Xvfb
(tests/flow/with-xvfb.sh); without one they are skipped, visibly."""

import json
import os
import uuid

import cv2
import numpy as np
import pytest

import seedrun
import vidflow
from conftest import CLIP_FRAMES, SHORT_FRAMES, opencv_frames
from seedrun import records_of, tap

needs_display = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                   reason="render() shows a window: needs a display (Xvfb)")


def test_01_capture_gpu_id(workdir, media):
    ns = seedrun.run("flow_01_capture_gpu.py", {"VIDEO": str(media.clip)})
    pipeline = ns["flow"].pipeline
    (source, _), = [e for e in pipeline.elements if e[1] == "vfurisrcbin"]
    assert pipeline.get(source, "gpu-id") == 1  # the kwargs override reached the element
    with pytest.raises(vidflow.Error, match="render"):  # built, not ended: it cannot run
        ns["flow"]()


def shown(record, batch=0):
    """A window plays in real time, and on a loaded machine decoders and converters drop late
    frames on the way (quality of service): counts there are lower bounds. It showed frames,
    and a batched flow's muxer made batches of `batch` frames."""
    assert tap(record, seedrun.display_sink())["buffers"] > 0
    if batch:
        assert tap(record, "vfmux")["max_batch"] == batch
    return True


@needs_display
def test_02_capture_render(workdir, media):
    seedrun.run("flow_02_capture.py", {"VIDEO": str(media.short_clip)})
    assert shown(records_of("playback")[-1])


@needs_display
def test_03_inject(workdir):
    seedrun.run("flow_03_inject.py")
    record = records_of("playback")[-1]
    assert shown(record)
    # nothing upstream of the window's converter drops: every frame, 0..253 (Buffer() at 255)
    assert tap(record, "videoconvert")["first_bytes"] == list(range(254))


def test_03_inject_pixels(workdir):
    """The block's provider with the window replaced by a retriever of the frames it would
    show: the provider's value i is every byte of frame i."""
    provider_ns = {}
    src = (seedrun.SEEDS / "flow_03_inject.py").read_text()
    head = src[:src.index("p=MyBufferProvider")]  # the class, without the render line
    exec(compile(head, "flow_03_inject.py", "exec"), provider_ns)
    p = provider_ns["MyBufferProvider"](320, 240)
    values = []

    class Keep(vidflow.BufferRetriever):
        def consume(self, buffer):
            t = np.asarray(buffer.extract(0))
            assert (t == t.flat[0]).all()
            values.append(int(t.flat[0]))
            return 1

    vidflow.Flow(vidflow.Pipeline("inject-pixels")).inject([p]).retrieve(Keep())()
    assert values == list(range(254))


def test_04_retrieve(workdir, media):
    ns = seedrun.run("flow_04_retrieve.py", {"VIDEO": str(media.clip)})
    assert tap(records_of("retrieve")[-1], "appsink")["frames"] == CLIP_FRAMES
    # the retriever is a temporary in the block: its count is the appsink's


@needs_display
def test_05_decode(workdir, media):
    seedrun.run("flow_05_decode.py", {"JPEG_FILE": str(media.jpeg_720p)})
    record = records_of("test")[-1]
    assert shown(record)
    assert tap(record, "videoconvert")["size"] in ([1280, 720], (1280, 720))


@needs_display
def test_06_batch(workdir, media):
    seedrun.run("flow_06_batch.py", {"VIDEO": str(media.short_clip)})
    assert shown(records_of("playback")[-1], batch=4)


@needs_display
def test_07_batch_capture(workdir, media):
    seedrun.run("flow_07_batch_capture.py", {"VIDEO": str(media.short_clip)})
    assert shown(records_of("playback")[-1], batch=4)


def test_08_render_discard(workdir, media):
    seedrun.run("flow_08_render_discard.py", {"VIDEO": str(media.clip)})
    assert tap(records_of("playback")[-1], "fakesink")["frames"] == CLIP_FRAMES


def test_09_encode(workdir, media):
    seedrun.run("flow_09_encode.py", {"VIDEO": str(media.clip)})
    frames = opencv_frames(workdir / "output.mp4")
    assert len(frames) == CLIP_FRAMES and frames[0].shape == (576, 768, 3)
    source = opencv_frames(media.clip)
    assert np.abs(frames[20].astype(np.float32) - source[20]).mean() < 6.0


@needs_display
def test_10_infer(workdir, media):
    seedrun.run("flow_10_infer.py", {"VIDEO": str(media.short_clip)})
    record = records_of("infer")[-1]
    infer = tap(record, "vfinfer")
    assert infer["objects"] > 0 and "Person" in infer["labels"]
    assert shown(record, batch=4)


@needs_display
def test_11_track(workdir, media):
    config = seedrun._SOURCE / "configs" / "tracker_bytetrack.yaml"
    seedrun.run("flow_11_track.py", {"VIDEO": str(media.clip), "TRACKER_CONFIG": str(config),
                                     "TRACKER_LIB": None})  # None: the built-in trackers
    record = records_of("tracker")[-1]
    infer, shown_at = tap(record, "vfinfer"), tap(record, seedrun.display_sink())
    assert infer["objects"] > 0 and infer["tracked"] == 0  # the detector gives no ids
    assert shown(record, batch=4)
    # the tracker's ids reached the window, and one id follows an object over many frames
    assert shown_at["tracked"] > 0 and shown_at["tracks"] * 4 < shown_at["tracked"]


def published(path):
    """The events of the file adapter's JSON-lines file, each checked for DeepStream's full
    schema (the fields tests/message/schema-check.h requires)."""
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for e in events:
        assert e["mdsversion"] == "1.0" and e["messageid"] and e["@timestamp"].endswith("Z")
        for member in ("place", "sensor", "analyticsModule", "object", "event"):
            assert isinstance(e[member], dict), member
        uuid.UUID(e["event"]["id"])
        bbox = e["object"]["bbox"]
        assert bbox["topleftx"] < bbox["bottomrightx"] and bbox["toplefty"] < bbox["bottomrighty"]
    return events


def test_12_publish(workdir, media):
    sources = workdir / "sources.yaml"
    sources.write_text(f"source-list:\n  - {{uri: '{media.clip.as_uri()}', sensor-id: cam-A, "
                       f"sensor-name: plaza}}\n")
    events_file = workdir / "events.jsonl"
    seedrun.run("flow_12_publish.py", {"SOURCE_LIST": str(sources), "BROKER_LIB": "file",
                                       "BROKER_CONN": events_file.as_uri()})
    infer = tap(records_of("publish")[-1], "vfinfer")
    events = published(events_file)
    # add_message_meta_probe makes one event per detected object on every frame: all arrived
    assert infer["objects"] > 0 and len(events) == infer["objects"]
    assert {e["sensor"]["id"] for e in events} == {"cam-A"}
    people = [e for e in events if "person" in e["object"]]  # DeepStream's person sub-object
    assert people and {e["event"]["type"] for e in people} == {"entry"}


def test_track_publish_bad_input(workdir, media):
    def flow(name):
        return vidflow.Flow(vidflow.Pipeline(name)).batch_capture([str(media.clip)])

    with pytest.raises(vidflow.Error, match=r"call infer\(\) before track\(\)"):
        flow("track-first").track()
    config = seedrun.DEFAULT_GLOBALS["CONFIG"]
    with pytest.raises(vidflow.Error, match="ll-config-file '/nonexistent.yaml' does not exist"):
        flow("track-missing").infer(config).track("/nonexistent.yaml")
    with pytest.raises(TypeError, match="'ll_config_file' given twice"):
        flow("track-twice").infer(config).track("a.yaml", ll_config_file="b.yaml")
    with pytest.raises(TypeError, match="takes 2 positional"):
        flow("track-many").infer(config).track(None, None, "x")
    with pytest.raises(vidflow.Error, match="no-such-property"):
        flow("track-override").infer(config).track(no_such_property=1)
    with pytest.raises(vidflow.Error, match="needs msg_broker_conn_str"):
        flow("publish-none").publish("file")
    with pytest.raises(vidflow.Error, match="msg_conv_config '/nonexistent.txt' does not exist"):
        flow("publish-conv").publish(msg_broker_conn_str=(workdir / "e.jsonl").as_uri(),
                                     msg_conv_config="/nonexistent.txt")
    # an unreachable broker is an outage (events are spooled); a malformed address is an error
    with pytest.raises(vidflow.Error,
                       match="conn-str 'localhost;99999': 'localhost:99999' is not a host with an "
                             "optional port 1-65535"):
        flow("publish-bad").publish("mqtt", "localhost;99999", "events")()
    assert not (workdir / "e.jsonl").exists()


@needs_display
def test_13_fork(workdir, media):
    ns = seedrun.run("flow_13_fork.py", {"VIDEO_H265": str(media.clip_h265),
                                         "SAMPLE_MP4": str(workdir / "sample.mp4")})
    record = records_of("test")[-1]
    assert shown(record, batch=1)
    assert tap(record, "appsink")["buffers"] > 0  # the RTSP branch's encoded frames
    frames = opencv_frames(workdir / "sample.mp4")  # the file branch drops nothing
    assert len(frames) == SHORT_FRAMES
    assert ns["flow"].rtsp_url(0).startswith("rtsp://localhost:")
