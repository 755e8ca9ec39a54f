"""Sources: sources of a vfmux added and removed while the pipeline runs, their state, their
errors, and smart recording, from Python (Pipeline.attach_sources, vidflow.Sources)."""

import threading

import pytest

import vidflow
from conftest import opencv_frames
from vidflow import BatchMetadataOperator, Pipeline, Probe

WAIT_S = 30  # generous: the suite runs under AddressSanitizer on two busy cores


class SeenSources(BatchMetadataOperator):
    """Counts the frames of each source id at vfmux's output, and wakes whoever waits for a
    count (a condition variable: no polling)."""

    def __init__(self):
        super().__init__()
        self.frames = {}
        self.cond = threading.Condition()

    def handle_metadata(self, batch_meta):
        with self.cond:
            for frame in batch_meta.frame_items:
                self.frames[frame.source_id] = self.frames.get(frame.source_id, 0) + 1
            self.cond.notify_all()

    def count(self, source_id):
        with self.cond:
            return self.frames.get(source_id, 0)

    def wait(self, source_id, frames):
        with self.cond:
            ok = self.cond.wait_for(lambda: self.frames.get(source_id, 0) >= frames, WAIT_S)
        assert ok, f"source {source_id}: {self.count(source_id)} frames, waited for {frames}"


def live_pipeline(name, **config):
    """vfmux (live) into a syncing fakesink, its sources managed; the frames of each source
    counted at vfmux's output."""
    p = Pipeline(name)
    p.add("vfmux", "mux", {"live-source": True, "width": 320, "height": 240})
    p.add("fakesink", "sink", {"sync": True, "async": False})
    p.link("mux", "sink")
    seen = SeenSources()
    p.attach("mux", Probe("seen", seen))
    return p, p.attach_sources("mux", **config), seen


def test_add_list_remove_while_running(media):
    p, sources, seen = live_pipeline("sources", keep_running=True, max_sources=2,
                                     source_properties={"file-loop": True})
    assert isinstance(sources, vidflow.Sources)
    assert sources.add(media.clip, "cam0", "Front door") == 0
    assert len(sources) == 1
    p.start()
    seen.wait(0, 5)
    assert sources.add(str(media.clip), "cam1") == 1  # while it runs
    seen.wait(1, 5)

    infos = sources.list()
    assert [i.sensor_id for i in infos] == ["cam0", "cam1"]
    assert [i.source_id for i in infos] == [0, 1]
    cam0 = sources.info("cam0")
    assert isinstance(cam0, vidflow.SourceInfo)
    assert cam0.sensor_name == "Front door" and infos[1].sensor_name is None
    assert cam0.state == "RUNNING" and cam0.frames >= 5
    assert cam0.uri.endswith("clip.mp4") and cam0.element

    # bad input: an error saying what is wrong, nothing changes
    with pytest.raises(vidflow.Error, match="cam0"):
        sources.add(media.clip, "cam0")  # the sensor id is taken
    with pytest.raises(vidflow.Error, match="max_sources"):
        sources.add(media.clip, "cam2")
    with pytest.raises(vidflow.Error) as missing:
        sources.remove("nobody")
    assert missing.value.code == vidflow.ErrorCode.NOT_FOUND
    with pytest.raises(vidflow.Error):
        sources.info("nobody")
    with pytest.raises(TypeError):
        sources.add(None, "cam3")
    assert len(sources) == 2

    sources.remove("cam1")
    assert len(sources) == 1 and [i.sensor_id for i in sources.list()] == ["cam0"]
    with pytest.raises(vidflow.Error, match="exist|no such|not found|No such"):
        sources.add("/no/such/file.mp4", "cam4")
    # drained and gone within the drain timeout (3 s): then no frame of it any more, while the
    # other source goes on
    seen.wait(0, seen.count(0) + 40)
    after_removal = seen.count(1)
    seen.wait(0, seen.count(0) + 10)
    assert seen.count(1) == after_removal
    # the sensor id is free again
    assert sources.add(media.clip, "cam1") == 2
    seen.wait(2, 3)
    p.send_eos()
    p.wait()


def test_stream_ends_with_the_last_source(media):
    """Without keep_running, the stream ends when the last source ended: wait() returns."""
    p, sources, seen = live_pipeline("last")
    sources.add(media.short_clip, "cam")
    p.start()
    p.wait()
    assert seen.count(0) >= 1


def test_attach_errors(media):
    p = Pipeline("bad")
    p.add("vfmux", "mux").add("fakesink", "sink")
    p.link("mux", "sink")
    with pytest.raises(vidflow.Error, match="nosuch"):
        p.attach_sources("nosuch")
    with pytest.raises(vidflow.Error, match="sink"):
        p.attach_sources("sink")  # not a vfmux
    with pytest.raises(vidflow.Error, match="no-such-property"):
        p.attach_sources("mux", source_properties={"no-such-property": 1})
    with pytest.raises(TypeError):
        p.attach_sources("mux", 3)  # the settings are keywords
    sources = p.attach_sources("mux")
    with pytest.raises(vidflow.Error):
        p.attach_sources("mux")  # one per muxer
    with pytest.raises(vidflow.Error):
        sources.add("", "cam")
    with pytest.raises(vidflow.Error):
        sources.add(media.clip, "")
    assert len(sources) == 0 and sources.list() == []


def test_sources_keep_their_pipeline(media):
    """A Sources keeps its Pipeline alive: usable after the last other reference went."""
    p, sources, _ = live_pipeline("kept")
    del p
    assert sources.add(media.clip, "cam") == 0
    assert len(sources) == 1


def test_smart_recording(media, tmp_path):
    p, sources, seen = live_pipeline(
        "record", keep_running=True,
        source_properties={"file-loop": True, "smart-record": 1, "smart-rec-cache": 3,
                           "smart-rec-dir-path": str(tmp_path)})
    sources.add(media.clip, "cam0")
    p.start()
    seen.wait(0, 20)
    session = sources.start_recording("cam0", seconds_before=1, duration=30)
    assert session > 0
    seen.wait(0, seen.count(0) + 15)
    sources.stop_recording("cam0", session)  # ends it early
    with pytest.raises(vidflow.Error):
        sources.start_recording("nobody", 1, 1)
    with pytest.raises(vidflow.Error):
        sources.stop_recording("nobody")
    p.send_eos()
    p.wait()
    clips = sorted(tmp_path.iterdir())
    assert len(clips) == 1, clips
    # read by OpenCV (FFmpeg), not by vidflow: at least the 1.5 s recorded, at 10 fps
    assert len(opencv_frames(clips[0])) >= 15
