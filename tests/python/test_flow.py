"""Flow: every operation, kwargs as overrides, and the orders and arguments it refuses."""

import numpy as np
import pytest

import vidflow
from vidflow import Buffer, BufferProvider, BufferRetriever, Flow, Pipeline, RenderMode
from conftest import CONFIG, CLIP_FRAMES


class Count(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.frames, self.shapes = 0, set()

    def consume(self, buffer):
        self.frames += buffer.batch_size
        self.shapes.add(buffer.extract(0).shape)
        return 1


class Gray(BufferProvider):
    def __init__(self, n=5):
        super().__init__()
        self.format, self.width, self.height, self.framerate, self.n = "RGB", 32, 24, 30, n

    def generate(self, size):
        self.n -= 1
        return Buffer(bytes([self.n]) * size) if self.n >= 0 else Buffer()


def test_capture_with_overrides_and_retrieve(media):
    r = Count()
    f = Flow(Pipeline("f")).capture([str(media.clip)], file_loop=False).retrieve(r)
    f()
    assert r.frames == CLIP_FRAMES and r.shapes == {(576, 768, 3)}
    assert f.pipeline.name == "f"


def test_batch_infer_attach_and_counts(media):
    seen = []

    class Objects(vidflow.BatchMetadataOperator):
        def handle_metadata(self, batch_meta):
            seen.append(sum(f.n_objects for f in batch_meta.frame_items))

    r = Count()
    (Flow().batch_capture([media.clip, media.clip], width=640, height=360, format="RGB")
     .infer(CONFIG, interval=0).attach(Objects(), "objects")
     .attach("measure_fps_probe", "fps").retrieve(r)())
    assert r.frames == 2 * CLIP_FRAMES and r.shapes == {(360, 640, 3)}
    assert len(seen) == CLIP_FRAMES and sum(seen) > 0


def test_inject_decode_encode_fork(workdir, media):
    flow = Flow(Pipeline("t")).inject([Gray(6)]).fork()
    a = flow.encode(str(workdir / "a.mp4"), profile=2, bitrate=500000)
    b = flow.render(RenderMode.DISCARD)
    assert a is not flow and b is not flow  # branch handles
    flow()
    assert (workdir / "a.mp4").stat().st_size > 0


def test_refused_orders_and_arguments(media):
    with pytest.raises(vidflow.Error, match="render") as e:
        Flow().capture([str(media.clip)]).render(RenderMode.DISCARD).render(RenderMode.DISCARD)
    assert e.value.code == vidflow.ErrorCode.STATE
    with pytest.raises(vidflow.Error, match="no_such_property|no-such-property"):
        Flow().capture([str(media.clip)], no_such_property=3)
    with pytest.raises(vidflow.Error, match="does not exist"):
        Flow().capture([str(media.clip)]).infer("/nowhere/model.yaml")
    with pytest.raises(vidflow.Error, match="decoded video already"):
        Flow().capture([str(media.clip)]).decode()
    with pytest.raises(vidflow.Error, match="port"):
        Flow().capture([str(media.clip)]).encode("rtsp://localhost")
    with pytest.raises(TypeError, match="positional"):
        Flow().capture([str(media.clip)]).fork(1)
    with pytest.raises(TypeError, match="BufferRetriever|consume"):
        Flow().capture([str(media.clip)]).retrieve(object())
    with pytest.raises(TypeError, match="generate"):
        Flow().inject([object()])
    with pytest.raises(TypeError, match="property 'width_override'"):
        Flow().capture([str(media.clip)]).batch(width_override=[1])
    with pytest.raises(vidflow.Error, match="ends after"):
        Flow().capture([str(media.clip)])()
    p = Pipeline("once")
    first = Flow(p)
    with pytest.raises(ValueError, match="one Flow per Pipeline"):
        Flow(p)
    with pytest.raises(ValueError, match="at most 32"):
        Flow().capture([str(media.clip)], **{f"k{i}": 1 for i in range(33)})


def test_plain_operations_come_from_one_table():
    # the operations taking only overrides are generated from one list (flow.c); adding one
    # (track, when it lands) is one line there
    import inspect
    assert Flow.decode.__doc__.startswith("A decoder") and Flow.fork.__doc__.startswith("Fork")
    assert str(inspect.signature(Flow.decode)) == "(**overrides)"
