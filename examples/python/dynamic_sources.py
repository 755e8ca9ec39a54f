"""Cameras added and removed while the pipeline runs, from Python (vidflow.Sources: DeepStream's
nvmultiurisrcbin; the C version is examples/live/dynamic-sources.c).

Two cameras (here: a video file each) start the pipeline, sources -> vfmux -> fakesink at real
time. Once the first has given 10 frames a third camera is added; once that one has given 10
frames the first is removed: it drains (every frame it decoded still reaches the batches) and
the others never stop. The pipeline ends when the last camera's stream ends. A probe counts the
frames of each source in the batches.

usage: PYTHONPATH=build/python python3 examples/python/dynamic_sources.py VIDEO FRAMES
(FRAMES: how many frames VIDEO has). Exit status 0 when every camera gave what it should: the
removed one fewer than FRAMES, the two others all FRAMES.
"""

import sys
import threading

from vidflow import BatchMetadataOperator, Pipeline, Probe

STEP = 10  # frames of one camera before the next change
WAIT_S = 60


class Counts(BatchMetadataOperator):
    """Frames per source id, on the streaming thread; the main thread waits on the condition."""

    def __init__(self):
        super().__init__()
        self.frames = {}
        self.cond = threading.Condition()

    def handle_metadata(self, batch_meta):
        with self.cond:
            for frame in batch_meta.frame_items:
                self.frames[frame.source_id] = self.frames.get(frame.source_id, 0) + 1
            self.cond.notify_all()

    def wait(self, source_id, frames):
        with self.cond:
            if not self.cond.wait_for(lambda: self.frames.get(source_id, 0) >= frames, WAIT_S):
                raise SystemExit(f"camera {source_id} gave no {frames} frames in {WAIT_S} s")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    video, total = sys.argv[1], int(sys.argv[2])
    p = Pipeline("dynamic-sources")
    p.add("vfmux", "mux", {"width": 320, "height": 240})
    p.add("fakesink", "sink", {"sync": True})
    p.link("mux", "sink")
    counts = Counts()
    p.attach("mux", Probe("counts", counts))
    sources = p.attach_sources("mux")
    first = sources.add(video, "cam-a", "Camera A")
    sources.add(video, "cam-b", "Camera B")
    p.start()

    counts.wait(first, STEP)
    third = sources.add(video, "cam-c", "Camera C")  # while it runs
    print(f"added cam-c as source {third}: {[s.sensor_id for s in sources.list()]}")
    counts.wait(third, STEP)
    sources.remove("cam-a")  # drained, then freed; the others go on
    print(f"removed cam-a: {[s.sensor_id for s in sources.list()]}")
    p.wait()

    got = [counts.frames.get(i, 0) for i in range(3)]
    print(f"frames per camera: {got} (of {total} each)")
    ok = STEP <= got[0] < total and got[1] == total and got[2] == total
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
