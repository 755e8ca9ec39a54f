"""Pipeline, Feeder, Receiver, Probe: building, running, the bad inputs, and the thread and
safety rules (the GIL released while waiting, Ctrl-C, exceptions in callbacks, metadata kept
after its callback)."""

import gc
import logging
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
import weakref

import numpy as np
import pytest

import vidflow
from vidflow import (Buffer, BufferProvider, BufferRetriever, BufferOperator,
                     BatchMetadataOperator, ColorFormat, Feeder, ObjectMetadata, Pipeline, Probe,
                     Receiver, as_tensor)
from conftest import SOURCE_DIR

W, H = 64, 48


class Frames(BufferProvider):
    def __init__(self, n, fail_at=None, result=None):
        super().__init__()
        self.format, self.width, self.height, self.framerate = "RGB", W, H, 30
        self.n, self.i, self.fail_at, self.result = n, 0, fail_at, result

    def generate(self, size):
        assert size == W * H * 3
        if self.i == self.fail_at:
            raise ValueError("bad frame %d" % self.i)
        if self.result is not None:
            return self.result
        if self.i >= self.n:
            return Buffer()
        self.i += 1
        return as_tensor(np.full((H, W, 3), self.i, np.uint8), "HWC").wrap(ColorFormat.RGB)


class Collect(BufferRetriever):
    def __init__(self, answer=1, stop_after=None):
        super().__init__()
        self.values, self.buffers, self.answer, self.stop_after = [], [], answer, stop_after

    def consume(self, buffer):
        self.values.append(int(np.asarray(buffer.extract(0)).flat[0]))
        self.buffers.append(buffer)
        if self.stop_after and len(self.values) >= self.stop_after:
            return -1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def graph(provider, retriever, name="t", middle=()):
    p = Pipeline(name)
    p.add("appsrc", "src")
    for i, (factory, props) in enumerate(middle):
        p.add(factory, f"m{i}", props)
    p.add("appsink", "sink", {"sync": False})
    p.link("src", *[f"m{i}" for i in range(len(middle))], "sink")
    feeder, receiver = Feeder("feeder", provider), Receiver("receiver", retriever)
    p.attach("src", feeder, tips="need-data/enough-data")
    p.attach("sink", receiver, tips="new-sample")
    return p, feeder, receiver


def test_provider_to_retriever_in_order():
    p, feeder, receiver = graph(Frames(20), Collect())
    assert p.start() is p
    p.wait()
    assert receiver.retriever.values == list(range(1, 21))
    assert feeder.pushed == 20 and receiver.consumed == 20 and receiver.errors == 0
    assert p.state == "NULL"
    del p  # the counts stay readable after the pipeline went
    gc.collect()
    assert feeder.pushed == 20 and receiver.received == 20


def test_property_values_and_get():
    p = Pipeline("props")
    p.add("videotestsrc", "src", {"num-buffers": 5, "is-live": False, "pattern": "ball"})
    p.add("capsfilter", "caps", {"caps": "video/x-raw,width=32,height=24"})
    p.add("fakesink", "sink", {"sync": True, "ts-offset": 0})
    p.set("sink", {"sync": False})
    assert p.get("src", "num-buffers") == 5 and p.get("src", "pattern") == "ball"
    assert p.get("sink", "sync") is False
    assert "width=(int)32" in p.get("caps", "caps")
    assert [e[0] for e in p.elements] == ["src", "caps", "sink"]
    p.link("src", "caps", "sink")
    p.run()


def test_bad_inputs_raise_clear_errors():
    p = Pipeline("bad")
    with pytest.raises(vidflow.Error, match="nosuchelement") as e:
        p.add("nosuchelement", "x")
    assert e.value.code == vidflow.ErrorCode.NOT_FOUND
    with pytest.raises(vidflow.Error, match="no-such-prop") as e:
        p.add("fakesink", "s", {"no-such-prop": 1})
    assert e.value.code == vidflow.ErrorCode.PROPERTY
    with pytest.raises(TypeError, match="property 'sync'"):
        p.add("fakesink", "s2", {"sync": [1]})
    p.add("fakesink", "sink")
    p.add("videotestsrc", "src")
    with pytest.raises(vidflow.Error, match="nowhere"):
        p.link("src", "nowhere")
    with pytest.raises(vidflow.Error, match="src_9"):
        p.link(("src", "sink"), ("src_9", ""))
    with pytest.raises(TypeError, match="two element names"):
        p.link("src")
    with pytest.raises(vidflow.Error, match="appsrc"):
        p.attach("sink", Feeder("f", Frames(1)))
    with pytest.raises(TypeError, match="Feeder"):
        p.attach("sink", Frames(1))
    with pytest.raises(vidflow.Error, match="nosuch"):
        p.attach("sink", "nosuch.object")
    with pytest.raises(TypeError, match="generate"):
        Feeder("f", object())
    with pytest.raises(TypeError, match="consume"):
        Receiver("r", object())
    with pytest.raises(TypeError, match="handle_buffer"):
        Probe("p", object())
    bad_rate = Frames(1)
    bad_rate.framerate = "fast"
    with pytest.raises(ValueError, match="framerate"):
        Feeder("f", bad_rate)
    gpu = Frames(1)
    gpu.device = "gpu"
    p2 = Pipeline("gpu")
    p2.add("appsrc", "src")
    with pytest.raises(vidflow.Error, match="CUDA"):
        p2.attach("src", Feeder("f", gpu))
    with pytest.raises(vidflow.Error, match="Service Maker|no such file|cannot"):
        Pipeline("yaml", "/nonexistent/graph.yaml")


def test_a_feeder_attaches_once():
    p = Pipeline("twice")
    p.add("appsrc", "a")
    p.add("appsrc", "b")
    f = Feeder("f", Frames(1))
    p.attach("a", f)
    with pytest.raises(ValueError, match="attached already"):
        p.attach("b", f)


def test_exception_in_generate_ends_the_stream_with_its_error(caplog):
    p, feeder, receiver = graph(Frames(50, fail_at=5), Collect())
    with caplog.at_level(logging.ERROR, logger="vidflow"):
        with pytest.raises(vidflow.Error, match=r"generate\(\).*ValueError: bad frame 5"):
            p.start().wait()
    assert feeder.exceptions == 1
    assert "Traceback" in caplog.text and "bad frame 5" in caplog.text
    assert len(receiver.retriever.values) <= 5  # an error stops at once: nothing after it


def test_generate_must_return_a_buffer():
    class Nothing(Frames):
        def generate(self, size):
            return None  # forgot the return: an error, not a silent end of stream

    p, _, _ = graph(Nothing(5), Collect())
    with pytest.raises(vidflow.Error, match="returned None"):
        p.start().wait()
    p2, _, _ = graph(Frames(5, result=42), Collect(), name="t2")
    p3, feeder3, _ = graph(Frames(5, result=Buffer(bytes(10))), Collect(), name="t3")
    with pytest.raises(vidflow.Error, match="returned int"):
        p2.start().wait()
    with pytest.raises(vidflow.Error, match="needs 9216 bytes.*got 10"):
        p3.start().wait()  # Buffer(data) takes the provider's format: the size must fit


def test_buffer_of_bytes_and_lists_takes_the_providers_format():
    class Lists(Frames):
        def generate(self, size):
            if self.i >= self.n:
                return Buffer()
            self.i += 1
            return Buffer([self.i] * size) if self.i % 2 else Buffer(bytes([self.i]) * size)

    p, _, receiver = graph(Lists(6), Collect())
    p.run()
    assert receiver.retriever.values == [1, 2, 3, 4, 5, 6]


def test_exception_in_consume_is_logged_counted_and_the_pipeline_goes_on(caplog):
    p, _, receiver = graph(Frames(10), Collect(answer=RuntimeError("consumer broke")))
    with caplog.at_level(logging.ERROR, logger="vidflow"):
        p.run()
    assert receiver.exceptions == 10 and receiver.errors == 10 and receiver.consumed == 10
    assert caplog.text.count("consumer broke") == 10 and "Traceback" in caplog.text


def test_consume_answers():
    p, _, receiver = graph(Frames(30), Collect(stop_after=5))
    p.run()  # -1 ends the pipeline cleanly
    assert receiver.retriever.values == [1, 2, 3, 4, 5] and receiver.consumed == 5
    p, _, receiver = graph(Frames(4), Collect(answer=0), name="zero")
    p.run()
    assert receiver.errors == 4
    p, _, receiver = graph(Frames(4), Collect(answer=None), name="none")
    with pytest.warns(RuntimeWarning, match="returned None"):
        p.run()
    assert receiver.errors == 0


def test_retriever_buffers_may_be_kept():
    p, _, receiver = graph(Frames(6), Collect())
    p.run()
    del p
    gc.collect()
    kept = receiver.retriever.buffers
    assert [int(np.asarray(b.extract(0)).flat[0]) for b in kept] == [1, 2, 3, 4, 5, 6]


class DropOdd(BufferOperator):
    def __init__(self):
        super().__init__()
        self.seen = 0
        self.kept_buffer = None
        self.kept_frame = None

    def handle_buffer(self, buffer):
        self.seen += 1
        self.kept_buffer = buffer
        self.kept_frame = buffer.extract(0)
        return self.seen % 2 == 0


def test_buffer_operator_drops_and_lent_buffers_expire():
    op = DropOdd()
    p, _, receiver = graph(Frames(10), Collect())
    probe = Probe("drop", op)
    p.attach("src", probe)
    p.run()
    assert receiver.retriever.values == [2, 4, 6, 8, 10]
    assert probe.seen == 10 and probe.dropped == 5
    with pytest.raises(vidflow.ExpiredError, match="only valid during the callback"):
        op.kept_buffer.extract(0)
    with pytest.raises(vidflow.ExpiredError):
        op.kept_buffer.batch_size
    assert int(np.asarray(op.kept_frame).flat[0]) == 10  # a view taken inside stays valid


class Annotate(BatchMetadataOperator):
    def __init__(self):
        super().__init__()
        self.kept = []
        self.counts = []

    def handle_metadata(self, batch_meta):
        self.counts.append(batch_meta.n_frames)
        for frame in batch_meta.frame_items:
            obj = ObjectMetadata(class_id=frame.frame_number % 3, confidence=0.5,
                                 rect=(1, 2, 30, 40), label="Thing")
            frame.append(obj)
            self.kept.append((batch_meta, frame, obj, list(frame.object_items)))


def mux_graph(provider, retriever, op):
    p = Pipeline("mux")
    p.add("appsrc", "src")
    p.add("vfmux", "mux", {"batch-size": 1, "width": W, "height": H, "format": "RGB"})
    p.add("appsink", "sink", {"sync": False})
    p.link(("src", "mux"), ("", "sink_%u"))
    p.link("mux", "sink")
    p.attach("src", Feeder("feeder", provider))
    p.attach("sink", Receiver("receiver", retriever))
    p.attach("mux", Probe("annotate", op))
    return p


def test_metadata_kept_after_its_callback_raises_never_crashes():
    op = Annotate()
    kept_meta = []

    class Read(BufferRetriever):
        def consume(self, buffer):
            meta = buffer.batch_meta
            frame = next(meta.frame_items)
            kept_meta.append((meta, frame))
            return 1

    p = mux_graph(Frames(6), Read(), op)
    p.run()
    assert op.counts == [1] * 6
    batch, frame, obj, objects = op.kept[2]
    with pytest.raises(vidflow.ExpiredError, match="handle_metadata"):
        batch.n_frames
    with pytest.raises(vidflow.ExpiredError):
        list(batch.frame_items)
    with pytest.raises(vidflow.ExpiredError):
        frame.frame_number
    with pytest.raises(vidflow.ExpiredError):
        frame.object_items
    assert not batch.valid and not frame.valid
    # objects hold a reference: still readable, no longer writable
    assert obj.class_id == 2 and obj.label == "Thing" and tuple(obj.rect) == (1, 2, 30, 40)
    assert objects[0] == obj and abs(objects[0].confidence - 0.5) < 1e-6
    with pytest.raises(vidflow.ExpiredError):
        obj.class_id = 5
    # a retriever's buffer keeps its metadata: valid as long as the Buffer, read-only
    meta, frame = kept_meta[4]
    assert meta.valid and meta.n_frames == 1 and frame.frame_number == 4
    assert frame.n_objects == 1 and next(frame.object_items).class_id == 1
    with pytest.raises(ValueError, match="read-only"):
        frame.append(ObjectMetadata())
    with pytest.raises(ValueError, match="read-only"):
        next(frame.object_items).confidence = 1.0


def test_wait_releases_the_gil():
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    p = Pipeline("live")
    p.add("videotestsrc", "src", {"num-buffers": 15, "is-live": True})
    p.add("fakesink", "sink", {"sync": True})
    p.link("src", "sink")
    t = threading.Thread(target=tick)
    t.start()
    p.start().wait()  # 15 frames at 30 fps: half a second in wait()
    stop.set()
    t.join()
    assert len(ticks) > 50  # the other thread ran all along


def run_script(body, timeout=60, signal_after=None):
    script = textwrap.dedent(body)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    if signal_after is not None:
        for line in proc.stdout:  # wait until the pipeline runs
            if "running" in line:
                break
        time.sleep(signal_after)
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def test_ctrl_c_interrupts_wait():
    t0 = time.monotonic()
    code, out, err = run_script("""
        import vidflow, time
        p = vidflow.Pipeline("long")
        p.add("videotestsrc", "src", {"is-live": True})
        p.add("fakesink", "sink", {"sync": True})
        p.link("src", "sink")
        p.start()
        print("running", flush=True)
        try:
            p.wait()
        except KeyboardInterrupt:
            print("interrupted", p.state, flush=True)
            raise
    """, signal_after=0.3)
    assert "interrupted NULL" in (out or "") and "KeyboardInterrupt" in err
    assert code != 0 and time.monotonic() - t0 < 30


def test_exit_with_a_running_pipeline_is_clean():
    code, out, err = run_script("""
        import vidflow, numpy as np
        class P(vidflow.BufferProvider):
            def __init__(self):
                super().__init__()
                self.format, self.width, self.height, self.framerate = "RGB", 32, 24, 30
            def generate(self, size):
                return vidflow.Buffer(bytes(size))
        p = vidflow.Pipeline("left-running")
        p.add("appsrc", "src")
        p.add("fakesink", "sink", {"sync": True})
        p.link("src", "sink")
        p.attach("src", vidflow.Feeder("f", P()))
        p.start()
        print("running", flush=True)
    """)
    assert code == 0, err
    assert "running" in out


def test_attach_by_name(workdir):
    out = workdir / "counts.txt"
    p = Pipeline("named")
    p.add("videotestsrc", "src", {"num-buffers": 12})
    p.add("fakesink", "sink")
    p.link("src", "sink")
    p.attach("src", "sample.counter", "counter", output=str(out))
    p.attach("sink", "measure_fps_probe", "fps", pad="sink")
    with pytest.raises(TypeError, match="parameters"):
        p.attach("src", Probe("x", DropOdd()), output="y")
    with pytest.raises(vidflow.Error, match="drop-every"):
        p.attach("src", "sample.counter", drop_every=-1)
    p.run()
    del p
    gc.collect()
    assert "buffers 12" in out.read_text()


def test_pipeline_from_yaml(workdir, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(workdir))
    p = Pipeline("yaml", str(SOURCE_DIR / "pipelines" / "provider-retriever.yaml"))
    assert ("pattern", "appsrc") in p.elements
    p.run()
    del p
    gc.collect()
    assert "frames 120" in (workdir / "vidflow-checksum.txt").read_text()


def test_pause_resume_and_state():
    p = Pipeline("pause")
    p.add("videotestsrc", "src", {"is-live": True, "num-buffers": 20})
    p.add("fakesink", "sink", {"sync": True})
    p.link("src", "sink")
    with pytest.raises(vidflow.Error, match="not running"):
        p.pause()
    p.start()
    assert p.state == "PLAYING"
    p.pause()
    assert p.state == "PAUSED"
    p.resume()
    p.wait()
    assert p.state == "NULL"
    p.start()
    p.stop()
    assert p.state == "NULL"


def test_no_leaks_and_cycles_are_collected():
    provider = Frames(3)
    retriever = Collect()
    ref_p, ref_r = weakref.ref(provider), weakref.ref(retriever)
    p, feeder, receiver = graph(provider, retriever)
    provider.pipeline = p  # a cycle through C: provider -> pipeline -> feeder -> provider
    p.run()
    del p, provider, retriever, feeder, receiver
    gc.collect()
    assert ref_p() is None and ref_r() is None
    # every frame's memory is let go: the array's references come back to what they were
    a = np.zeros((H, W, 3), np.uint8)
    base = sys.getrefcount(a)

    class Same(Frames):
        def generate(self, size):
            self.i += 1
            return as_tensor(a, "HWC").wrap(ColorFormat.RGB) if self.i <= 3 else Buffer()

    for _ in range(3):
        p = Pipeline("refs")
        p.add("appsrc", "src")
        p.add("fakesink", "sink")
        p.link("src", "sink")
        p.attach("src", Feeder("f", Same(3)))
        p.attach("sink", Probe("look", DropOdd()), pad="sink")
        p.run()
        del p
    gc.collect()
    assert sys.getrefcount(a) == base


def test_help_is_useful():
    import inspect
    for cls, methods in [(Pipeline, ["add", "link", "attach", "start", "wait", "stop"]),
                         (vidflow.Flow, ["capture", "inject", "batch_capture", "infer", "render",
                                         "encode", "retrieve", "fork", "decode", "attach"]),
                         (vidflow.Buffer, ["extract", "clone"]),
                         (vidflow.Tensor, ["clone", "wrap", "__dlpack__"])]:
        assert len(cls.__doc__) > 200, cls
        for name in methods:
            method = getattr(cls, name)
            assert len(method.__doc__) > 30 and inspect.signature(method), (cls, name)
    assert str(inspect.signature(Pipeline.add)) == "(factory, name, properties=None)"
    assert "GIL" in vidflow.__doc__ and "HWC" in vidflow.as_tensor.__doc__
    stub = pathlib.Path(vidflow.__file__).with_name("__init__.pyi")
    assert "class Pipeline" in stub.read_text()
