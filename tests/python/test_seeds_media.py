"""Every Python block of the Media Extractor / Frame Selector guide (the seed document), run as
written in tests/python/seeds/media_*.py (adapted only as each file's header says), on small
inputs, with its effect checked: files written, frame counts, pixel values, detections."""

import http.server
import json
import os
import queue
import subprocess
import sys
import threading

import cv2
import numpy as np
import pytest
import torch

import seedrun
import vidflow
from conftest import CLIP_FRAMES, SHORT_FRAMES, opencv_frames
from seedrun import records_of, tap


def uri(path):
    return "file://" + str(path)


def test_01_quick_inject(workdir):
    frames = iter([np.full((720, 1280, 3), 10 * i, np.uint8) for i in range(6)])
    seedrun.run("media_01_quick_inject.py", {"get_custom_frame": lambda: next(frames, None)})
    sink = tap(records_of("inject-pipeline")[-1], "fakesink")
    assert sink["frames"] == 6
    assert sink["first_bytes"] == [0, 10, 20, 30, 40, 50]
    assert sink["size"] == [1280, 720] or sink["size"] == (1280, 720)


def test_02_quick_extract(workdir, media):
    seen = []
    ns = seedrun.run("media_02_quick_extract.py",
                     {"process_frame": lambda t: seen.append(t.clone()), "VIDEO_URI": uri(media.clip)})
    assert len(seen) == CLIP_FRAMES
    assert all(isinstance(t, torch.Tensor) and t.shape == (576, 768, 3) for t in seen)
    # pixel values against OpenCV's decoding of the same file (another decoder: close, not equal)
    reference = cv2.cvtColor(opencv_frames(media.clip)[5], cv2.COLOR_BGR2RGB).astype(np.float32)
    assert np.abs(seen[5].numpy().astype(np.float32) - reference).mean() < 3.0
    assert ns["pipeline"].state == "NULL"


class FakeSource:
    def __init__(self, n, h=1080, w=1920):
        self.frames = [np.full((h, w, 3), 7 * i, np.uint8) for i in range(n)]

    def get_next_frame(self):
        return self.frames.pop(0) if self.frames else None

    get_frame = get_next_frame


def run_provider(provider, width, height, name="provider-test"):
    p = vidflow.Pipeline(name)
    p.add("appsrc", "src", {"caps": f"video/x-raw,format=RGB,width={width},height={height},"
                                     "framerate=30/1"})
    p.add("fakesink", "sink")
    p.link("src", "sink")
    counter = seedrun.Tap("sink", "fakesink")
    p.attach("sink", vidflow.Probe("count", counter), pad="sink")
    p.attach("src", vidflow.Feeder("feeder", provider), tips="need-data/enough-data")
    p.start().wait()
    return counter


def test_03_provider_class(workdir):
    ns = seedrun.run("media_03_provider_class.py")
    provider = ns["MyBufferProvider"](FakeSource(4))
    counter = run_provider(provider, 1920, 1080)
    assert provider.frame_count == 4
    assert counter.frames == 4 and counter.first_bytes == [0, 7, 14, 21]


def test_04_feeder(workdir):
    provider = seedrun.run("media_03_provider_class.py")["MyBufferProvider"](FakeSource(1))
    ns = seedrun.run("media_04_feeder.py", {"buffer_provider_instance": provider})
    assert ns["feeder"].name == "feeder-name" and ns["feeder"].provider is provider
    assert ns["feeder"].pushed == 0


def test_05_file_source(workdir, media, capsys):
    seedrun.run("media_05_file_source.py", main=True, argv=[media.clip_1080p])
    record = records_of("custom-video-source")[-1]
    assert tap(record, "fakesink")["frames"] == 12
    infer = tap(record, "vfinfer")
    assert infer["frames"] == 12 and infer["objects"] > 0 and "Person" in infer["labels"]
    assert "Generated frame 12" in capsys.readouterr().out


def test_06_synthetic(workdir):
    ns = seedrun.run("media_06_synthetic.py")
    # As written, generate() broadcasts the (height,) gradient into (height, width): numpy
    # refuses, and the stream ends with an error naming it (no hang, no file finished).
    with pytest.raises(vidflow.Error, match="generate.*raised ValueError: could not broadcast"):
        ns["generate_test_video"]()

    class Fixed(ns["SyntheticFrameProvider"]):  # the gradient as the block means it
        def __init__(self, num_frames=100, **kwargs):
            super().__init__(min(num_frames, 30), **kwargs)  # small input: 30 of the 300 frames

        def generate(self, size):
            if self.frame_idx >= self.num_frames:
                return vidflow.Buffer()
            x = np.linspace(0, 255, self.width, dtype=np.uint8)
            y = np.linspace(0, 255, self.height, dtype=np.uint8)[:, None]
            offset = (self.frame_idx * 5) % 255
            frame = np.zeros((self.height, self.width, 3), dtype=np.uint8)
            frame[:, :, 0] = (x + offset) % 255
            frame[:, :, 1] = (y + offset) % 255
            frame[:, :, 2] = 128
            self.frame_idx += 1
            return vidflow.as_tensor(torch.from_numpy(frame), "HWC").wrap(vidflow.ColorFormat.RGB)

    ns["generate_test_video"].__globals__["SyntheticFrameProvider"] = Fixed
    try:
        ns["generate_test_video"]()
    except vidflow.Error as e:
        if "Could not multiplex" in str(e):  # strict: passes once the feeder is fixed
            pytest.xfail("with do-timestamp=True the feeder's first (prerolling) buffer reaches "
                         "mp4mux without a PTS (feeder timestamping, issue 16)")
        raise
    frames = opencv_frames(workdir / "synthetic_output.mp4")
    assert len(frames) == 30 and frames[0].shape == (720, 1280, 3)
    # frame 0: red rises along x, green along y, blue 128 (BGR in OpenCV; lossy: approximately)
    f = frames[0].astype(np.int32)
    assert abs(f[360, :, 0].mean() - 128) < 6
    assert f[360, 1200, 2] > f[360, 80, 2] + 150
    assert f[660, 640, 1] > f[60, 640, 1] + 150


def test_07_queue_injection(workdir):
    ns = seedrun.run("media_07_queue_injection.py")
    q = queue.Queue()
    with pytest.raises(vidflow.Error, match="convert"):
        ns["pipeline_with_queue_injection"](q)  # as written: convert linked twice
    frames = [np.full((720, 1280, 3), 20 * i, np.uint8) for i in range(5)]
    for f in frames:
        q.put(torch.from_numpy(f))  # DLPack-capable tensors, as the block expects
    ns["pipeline_with_queue_injection_linked"](q)
    sink = tap(records_of("queue-injection")[-1], "fakesink")
    assert sink["frames"] == 5
    assert len(sink["first_bytes"]) == 5  # NV12 batches: the Y of (20i,20i,20i) grey
    y = sink["first_bytes"]
    assert all(y[i] < y[i + 1] for i in range(4))


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="render() needs a display (Xvfb)")
def test_08_flow_injection(workdir, media):
    ns = seedrun.run("media_08_flow_injection.py")
    ns["flow_api_injection"](str(media.short_clip))
    record = records_of("flow-injection")[-1]
    # Nothing upstream of the muxer drops (no decoder): every frame is batched; the window
    # shows some (in real time it drops late ones).
    assert tap(record, "vfmux")["frames"] == SHORT_FRAMES
    assert tap(record, seedrun.display_sink())["buffers"] > 0
    assert tap(record, "vfinfer")["objects"] > 0


def test_09_multi_source(workdir, media):
    ns = seedrun.run("media_09_multi_source.py")
    ns["multi_source_injection"]([str(media.clip), str(media.clip)])
    record = records_of("multi-source-injection")[-1]
    infer = tap(record, "vfinfer")
    assert infer["frames"] == 2 * CLIP_FRAMES and infer["objects"] > 0
    assert tap(record, "fakesink")["buffers"] == CLIP_FRAMES  # one tiled picture per batch


def test_10_safe_provider(workdir, capsys):
    class Failing(FakeSource):
        def get_frame(self):
            if len(self.frames) == 2:
                raise IOError("camera unplugged")
            return super().get_frame()

    provider = seedrun.run("media_10_safe_provider.py")["SafeBufferProvider"](Failing(5, 720, 1280))
    counter = run_provider(provider, 1280, 720)
    assert counter.frames == 3  # frames 0-2, then the error ends the stream cleanly
    assert "Error generating buffer: camera unplugged" in capsys.readouterr().out


def run_retriever(retriever, frames=12, name="retriever-test"):
    p = vidflow.Pipeline(name)
    p.add("videotestsrc", "src", {"num-buffers": frames, "pattern": "ball"})
    p.add("capsfilter", "caps", {"caps": "video/x-raw,format=RGB,width=320,height=240"})
    p.add("appsink", "sink", {"sync": False})
    p.link("src", "caps", "sink")
    receiver = vidflow.Receiver("receiver", retriever)
    p.attach("sink", receiver, tips="new-sample")
    p.start().wait()
    return receiver


def test_11_retriever_class(workdir, capsys):
    retriever = seedrun.run("media_11_retriever_class.py")["MyBufferRetriever"]()
    receiver = run_retriever(retriever)
    assert retriever.frame_count == 12 and receiver.consumed == 12 and receiver.errors == 0
    assert "Received frame 11: shape=torch.Size([240, 320, 3])" in capsys.readouterr().out


def test_12_receiver(workdir):
    retriever = seedrun.run("media_11_retriever_class.py")["MyBufferRetriever"]()
    ns = seedrun.run("media_12_receiver.py", {"buffer_retriever_instance": retriever})
    assert ns["receiver"].name == "receiver-name" and ns["receiver"].retriever is retriever


def test_13_consume_clone(workdir):
    consume = seedrun.run("media_13_consume_clone.py")["consume"]
    retriever = type("R", (vidflow.BufferRetriever,), {"consume": consume})()
    receiver = run_retriever(retriever, 8)
    assert receiver.consumed == 8 and receiver.errors == 0 and receiver.exceptions == 0


def run_fresh(seed, *args, tap_dir):
    """A block in a fresh interpreter (it forks: a process whose GStreamer thread pools other
    tests used must not be forked); its pipelines' records come back through tap_dir."""
    env = dict(os.environ, VFPY_TAP_DIR=str(tap_dir))
    r = subprocess.run([sys.executable, str(seedrun.__file__), seed] + [str(a) for a in args],
                       env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    return seedrun.read_tap_dir(tap_dir), r.stdout


def test_14_frame_saver(workdir, media):
    tap_dir = workdir / "taps"
    tap_dir.mkdir()
    records, out = run_fresh("media_14_frame_saver.py", "--main", uri(media.clip), tap_dir=tap_dir)
    saved = sorted(p.name for p in (workdir / "output_frames").iterdir())
    assert saved == ["frame_000000.jpg", "frame_000030.jpg"]  # every 30th of 40 frames
    assert records and records[0]["pid"] != os.getpid()  # it ran in the child process
    assert tap(records[0], "appsink")["frames"] == CLIP_FRAMES
    image = cv2.imread(str(workdir / "output_frames" / "frame_000030.jpg"))
    assert image.shape == (1080, 1920, 3)
    # the saved frame is the source's frame 30 (scaled to 1920x1080 by vfmux)
    source = cv2.resize(opencv_frames(media.clip)[30], (1920, 1080))
    assert np.abs(image.astype(np.float32) - source).mean() < 8.0


def test_15_queue_transfer_threads(workdir, media):
    ns = seedrun.run("media_15_queue_transfer.py")
    with pytest.raises(vidflow.Error, match="convert"):
        ns["destination_pipeline"](queue.Queue())  # as written: convert linked twice
    ns["multi_pipeline_transfer_linked"](uri(media.short_clip), False)
    source, dest = records_of("source-pipeline")[-1], records_of("dest-pipeline")[-1]
    assert tap(source, "appsink")["frames"] == SHORT_FRAMES
    assert tap(dest, "fakesink")["frames"] == SHORT_FRAMES  # every frame crossed
    assert tap(dest, "vfinfer")["objects"] > 0


def test_15_queue_transfer_processes(workdir, media):
    tap_dir = workdir / "taps"
    tap_dir.mkdir()
    records, out = run_fresh("media_15_queue_transfer.py", "multi_pipeline_transfer_linked",
                             uri(media.short_clip), "mp", tap_dir=tap_dir)
    by_name = {r["pipeline"]: r for r in records}
    assert by_name["source-pipeline"]["pid"] != by_name["dest-pipeline"]["pid"]
    assert tap(by_name["source-pipeline"], "appsink")["frames"] == SHORT_FRAMES
    assert tap(by_name["dest-pipeline"], "fakesink")["frames"] == SHORT_FRAMES  # pickled across
    assert tap(by_name["dest-pipeline"], "vfinfer")["objects"] > 0
    assert f"Queued frame {SHORT_FRAMES}" in out


def test_16_selective_capture(workdir, media):
    ns = seedrun.run("media_16_selective_capture.py")
    ns["selective_capture"](uri(media.clip), seedrun.DEFAULT_GLOBALS["CONFIG"], "captured")
    infer = tap(records_of("selective-capture")[-1], "vfinfer")
    frames_with_two = sum(1 for n in infer["objects_per_frame"] if n >= 2)
    assert frames_with_two > 0
    captured = sorted((workdir / "captured").iterdir())
    assert 0 < len(captured) <= frames_with_two
    assert cv2.imread(str(captured[0])).shape == (1080, 1920, 3)


def test_17_flow_retrieval(workdir, media):
    ns = seedrun.run("media_17_flow_retrieval.py")
    ns["flow_api_retrieval"](str(media.clip))
    image = cv2.imread(str(workdir / "output_frame.jpg"))
    assert image.shape == (1080, 1920, 3)
    source = cv2.resize(opencv_frames(media.clip)[0], (1920, 1080))
    assert np.abs(image.astype(np.float32) - source).mean() < 8.0
    assert tap(records_of("flow-retrieval")[-1], "appsink")["frames"] == CLIP_FRAMES


def test_18_frame_analysis(workdir, media):
    ns = seedrun.run("media_18_frame_analysis.py")
    ns["analyze_frames"](uri(media.clip), seedrun.DEFAULT_GLOBALS["CONFIG"])
    lines = [json.loads(l) for l in open(workdir / "analysis_log.json")]
    assert [l["frame_number"] for l in lines] == list(range(CLIP_FRAMES))
    assert all(l["shape"] == [1080, 1920, 3] for l in lines)
    infer = tap(records_of("frame-analyzer")[-1], "vfinfer")
    assert [l["objects_detected"] for l in lines] == infer["objects_per_frame"]
    # the statistics against OpenCV's decoding of the source (scaled as vfmux scales)
    source = cv2.resize(opencv_frames(media.clip)[3], (1920, 1080)).astype(np.float32)
    assert abs(lines[3]["mean_intensity"] - source.mean()) < 2.0


class _Endpoint(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Endpoint.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_19_frame_streamer(workdir, media, capsys):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Endpoint)  # a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Endpoint.received = []
    try:
        ns = seedrun.run("media_19_frame_streamer.py")
        ns["stream_frames"](uri(media.clip), f"http://127.0.0.1:{server.server_port}/frames")
    finally:
        server.shutdown()
        server.server_close()
    assert [b["frame_number"] for b in _Endpoint.received] == [0, 10, 20, 30]
    import base64
    jpeg = np.frombuffer(base64.b64decode(_Endpoint.received[1]["image"]), np.uint8)
    image = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert image.shape == (720, 1280, 3)
    source = cv2.resize(opencv_frames(media.clip)[10], (1280, 720))
    assert np.abs(image.astype(np.float32) - source).mean() < 8.0
    assert "Streamed frame 30" in capsys.readouterr().out


def test_20_to_25_best_practices(workdir, capsys):
    ns = seedrun.run("media_20_best_practices.py")
    # 20, 23: consume() methods
    for name in ("consume_clone", "consume_errors"):
        r = type("R", (vidflow.BufferRetriever,), {"consume": ns[name]})()
        receiver = run_retriever(r, 5)
        assert receiver.consumed == 5 and receiver.errors == 0
    # 23 with a failing extract: the snippet returns 0 and the pipeline goes on
    broken = type("R", (vidflow.BufferRetriever,), {"consume": ns["consume_errors"]})()

    class NoFrames:
        def extract(self, i):
            raise IndexError("no frame")

        def __getattr__(self, name):
            raise AttributeError(name)

    assert broken.consume(NoFrames()) == 0
    assert "Error: no frame" in capsys.readouterr().out
    # 21, 22: the appsink settings, in a pipeline they configure
    for add in ("attach_receiver", "add_extraction_sink", "add_realtime_sink"):
        p = vidflow.Pipeline(add)
        p.add("videotestsrc", "src", {"num-buffers": 10, "is-live": add == "add_realtime_sink"})
        p.add("capsfilter", "caps", {"caps": "video/x-raw,format=RGB,width=160,height=120"})
        r = ns["EfficientRetriever"]()
        if add == "attach_receiver":
            ns[add](p, r)
        else:
            ns[add](p)
            p.attach("sink", vidflow.Receiver("receiver", r), tips="new-sample")
        p.link("src", "caps", "sink")
        assert p.get("sink", "emit-signals") is True
        assert p.get("sink", "sync") is (add != "add_extraction_sink")
        p.start().wait()
        assert len(r.frame_buffer) == 10
    # 24: at most 100 clones kept, the newest
    r = ns["EfficientRetriever"]()
    run_retriever(r, 105)
    assert len(r.frame_buffer) == 100 and not r.frame_buffer[0].readonly
    # 25: counts under its lock
    r = ns["ThreadSafeRetriever"]()
    run_retriever(r, 7)
    assert r.frame_count == 7


def test_26_multi_batch(workdir, media, capsys):
    ns = seedrun.run("media_26_multi_batch.py")
    ns["multi_stream_extraction"]([uri(media.clip)] * 3)
    sink = tap(records_of("multi-stream-extract")[-1], "appsink")
    assert sink["frames"] == 3 * CLIP_FRAMES
    out = capsys.readouterr().out
    assert f"Stream 2, Frame {CLIP_FRAMES - 1}" in out and "Error extracting" not in out


def test_27_queue_kinds(workdir):
    ns = seedrun.run("media_27_queue_kinds.py")
    import multiprocessing
    assert ns["Queue"] is queue.Queue and ns["Process"] is multiprocessing.Process
    assert ns["threading"] is threading
