"""The module's paths without numpy, torch or OpenCV, for LeakSanitizer: under
AddressSanitizer this runs with detect_leaks=1 and PYTHONMALLOC=malloc (so that LeakSanitizer
sees every Python object and follows its pointers; with Python's own arenas it cannot) and fails
on any leak at exit. numpy, torch and OpenCV leave allocations of their import behind (Cython's
code objects, torch's registries), in frames of a stripped interpreter that no suppression can
name: the tests using them run with detect_leaks=0. Plainly this is one more functional test."""

import gc
import logging
import pickle
import sys

import vidflow
from vidflow import (BatchMetadataOperator, Buffer, BufferProvider, BufferRetriever,
                     BufferOperator, ColorFormat, Feeder, Flow, ObjectMetadata, Pipeline, Probe,
                     Receiver, as_tensor)

logging.basicConfig(stream=sys.stdout, level=logging.CRITICAL)  # the raised callbacks: quiet
W, H = 32, 24


class Provider(BufferProvider):
    def __init__(self, n, kind):
        super().__init__()
        self.format, self.width, self.height, self.framerate = "RGB", W, H, 30
        self.n, self.kind = n, kind

    def generate(self, size):
        self.n -= 1
        if self.n < 0:
            return Buffer()
        if self.kind == "raise" and self.n == 2:
            raise RuntimeError("on purpose")
        if self.kind == "list":
            return Buffer([self.n % 256] * size)
        if self.kind == "bytes":
            return Buffer(bytes([self.n % 256]) * size)
        frame = memoryview(bytearray([self.n]) * size).cast("B", (H, W, 3))
        return as_tensor(frame, "HWC").wrap(ColorFormat.RGB)


class Retriever(BufferRetriever):
    def __init__(self, fail=False):
        super().__init__()
        self.kept, self.fail = [], fail

    def consume(self, buffer):
        frame = buffer.extract(0)
        self.kept.append((buffer, frame.clone(), pickle.loads(pickle.dumps(frame))))
        meta = buffer.batch_meta
        if meta is not None:
            self.kept.append([o for f in meta.frame_items for o in f.object_items])
        if self.fail:
            raise ValueError("consume failed on purpose")
        return 1


class Annotate(BatchMetadataOperator):
    def __init__(self):
        super().__init__()
        self.kept = []

    def handle_metadata(self, batch_meta):
        for frame in batch_meta.frame_items:
            o = ObjectMetadata(class_id=1, label="x", rect=(1, 1, 4, 4))
            frame.append(o)
            self.kept.append((batch_meta, frame, o))


class Look(BufferOperator):
    def __init__(self):
        super().__init__()
        self.kept = []

    def handle_buffer(self, buffer):
        self.kept.append((buffer, buffer.extract(0)))
        return True


def pipeline_run(kind, fail=False):
    p = Pipeline("leaks-" + kind)
    p.add("appsrc", "src")
    p.add("vfmux", "mux", {"batch-size": 1, "width": W, "height": H, "format": "RGB"})
    p.add("appsink", "sink", {"sync": False})
    p.link(("src", "mux"), ("", "sink_%u"))
    p.link("mux", "sink")
    p.attach("src", Feeder("feeder", Provider(6, kind)), tips="need-data/enough-data")
    r = Retriever(fail)
    p.attach("sink", Receiver("receiver", r), tips="new-sample")
    a, look = Annotate(), Look()
    p.attach("mux", Probe("annotate", a))
    p.attach("src", Probe("look", look))
    p.attach("mux", "measure_fps_probe", "fps")
    try:
        p.start().wait()
    except vidflow.Error:
        assert kind == "raise"
    # kept after their callbacks (an error may stop the pipeline before any batch was made)
    for batch, frame, _ in a.kept[:1]:
        for lent in (batch, frame):
            assert not lent.valid
    for buffer, _ in look.kept[:1]:
        try:
            buffer.extract(0)
            raise AssertionError("a lent buffer stayed valid")
        except vidflow.ExpiredError:
            pass
    return r


def main():
    for kind in ("tensor", "list", "bytes", "raise"):
        pipeline_run(kind, fail=kind == "bytes")
    r = Retriever()
    Flow(Pipeline("leaks-flow")).inject([Provider(4, "bytes")]).attach(Look()).retrieve(r)()
    assert len(r.kept) == 4
    for bad in (lambda: Pipeline("x").add("nosuch", "y"), lambda: Buffer(bytes(3), format="RGB",
                width=W, height=H), lambda: Flow().capture(["/nowhere.mp4"]).render()()):
        try:
            bad()
        except vidflow.Error:
            pass
    # Sources: the list, the info and every error path (no media here: a pipeline not started)
    sp = Pipeline("leaks-sources")
    sp.add("vfmux", "mux").add("fakesink", "sink")
    sp.link("mux", "sink")
    sources = sp.attach_sources("mux", max_sources=2, source_properties={"file-loop": True})
    for bad in (lambda: sp.attach_sources("mux"), lambda: sp.attach_sources("sink"),
                lambda: sources.add("/nowhere.mp4", "cam"), lambda: sources.remove("cam"),
                lambda: sources.info("cam"), lambda: sources.start_recording("cam", 1, 1),
                lambda: sources.stop_recording("cam")):
        try:
            bad()
        except vidflow.Error:
            pass
    assert sources.list() == [] and len(sources) == 0
    del sp, sources
    b = Buffer(bytes(W * H * 3), format=ColorFormat.RGB, width=W, height=H)
    t = b.extract(0)
    assert bytes(memoryview(t.clone()))[:3] == b"\0\0\0"
    p = Pipeline("left-running")
    p.add("appsrc", "src")
    p.add("fakesink", "sink", {"sync": True})
    p.link("src", "sink")
    p.attach("src", Feeder("f", Provider(200, "list")))
    p.start()
    global left_running
    left_running = p  # still running at exit: the module's exit handler stops it
    gc.collect()
    print("leakcheck: ok")


main()
