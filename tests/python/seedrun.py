"""Runs the seed documents' Python blocks (tests/python/seeds/*.py) as they are written, and
counts what reaches their pipelines.

The blocks import Pipeline and Flow from vidflow; while one runs, those names are subclasses that
put a tap (a probe) on every sink (its sink pad) and every vfinfer (its output) when the pipeline
starts, and record what the taps saw when it ends: buffers, frames, objects, labels, the first
byte of each frame. That is how a test checks a block's effect without changing the block.
Pipelines in child processes (multiprocessing) write their records to $VFPY_TAP_DIR.

Run as a program, it runs one block in a fresh process (for the multiprocessing blocks, which
must not fork a process whose GStreamer thread pools other tests have used):
    seedrun.py SEED.py FUNCTION [ARG...]     (call one of the block's functions)
    seedrun.py SEED.py --main [ARG...]       (run the block as __main__ with sys.argv[1:] = ARGs)
"""

import contextlib
import json
import os
import pathlib
import runpy
import sys

import numpy as np

import vidflow

SEEDS = pathlib.Path(__file__).resolve().parent / "seeds"
def display_sink():
    """The sink render(DISPLAY) shows with (vf_display_sink_choose's rule, never autovideosink)."""
    return os.environ.get("VIDFLOW_DISPLAY_SINK") or (
        "waylandsink" if os.environ.get("WAYLAND_DISPLAY") else "ximagesink")


SINKS = {"fakesink", "filesink", "appsink", "autovideosink", "ximagesink", "xvimagesink",
         "waylandsink", "glimagesink", "multifilesink"}
# Tapped at their input too: before a window's quality-of-service drops late frames, every
# frame passes there.
CONVERTERS = {"videoconvert"}
RECORDS = []  # one dict per finished pipeline of this process
_SOURCE = pathlib.Path(os.environ.get("VIDFLOW_SOURCE_DIR", SEEDS.parent.parent.parent))
# What every block may use for the seed's paths: the model configuration.
DEFAULT_GLOBALS = {"CONFIG": str(_SOURCE / "configs" / "ssd_mobilenet_v2_oid.yaml")}


class Tap(vidflow.BufferOperator):
    def __init__(self, element, factory):
        super().__init__()
        self.element = element
        self.factory = factory
        self.buffers = 0
        self.frames = 0
        self.max_batch = 0
        self.objects = 0
        self.labels = set()
        self.tracked = 0  # objects with a tracker id
        self.tracks = set()  # (source, tracker id) pairs
        self.objects_per_frame = []
        self.first_bytes = []
        self.size = None

    def reset(self):
        self.__init__(self.element, self.factory)

    def handle_buffer(self, buffer):
        self.buffers += 1
        self.frames += max(buffer.batch_size, 1)
        self.max_batch = max(self.max_batch, buffer.batch_size)
        meta = buffer.batch_meta
        if meta is not None:
            for frame in meta.frame_items:
                n = frame.n_objects
                self.objects += n
                self.objects_per_frame.append(n)
                for o in frame.object_items:
                    self.labels.add(o.label)
                    if o.object_id is not None:
                        self.tracked += 1
                        self.tracks.add((frame.source_id, o.object_id))
        try:
            t = buffer.extract(0)
            self.size = (t.width, t.height)
            self.first_bytes.append(int(np.asarray(t).flat[0]))
        except (vidflow.Error, IndexError, ValueError, BufferError):
            pass  # encoded data, or a format tensors do not describe (BGRx at a window)
        return True

    def record(self):
        return {"element": self.element, "factory": self.factory, "buffers": self.buffers,
                "frames": self.frames, "max_batch": self.max_batch, "objects": self.objects,
                "labels": sorted(self.labels), "tracked": self.tracked, "tracks": len(self.tracks),
                "objects_per_frame": self.objects_per_frame, "first_bytes": self.first_bytes,
                "size": self.size}


def add_taps(pipeline):
    taps = []
    for name, factory in pipeline.elements:
        if factory in SINKS or factory in CONVERTERS:
            pad = "sink"
        elif factory in ("vfinfer", "vfmux"):
            pad = None  # what leaves them: batches and their detections
        else:
            continue
        tap = Tap(name, factory)
        pipeline.attach(name, vidflow.Probe("tap-" + name, tap), pad=pad)
        taps.append(tap)
    return taps


def _record(pipeline, taps):
    record = {"pipeline": pipeline.name, "pid": os.getpid(),
              "taps": {t.element: t.record() for t in taps}}
    RECORDS.append(record)
    folder = os.environ.get("VFPY_TAP_DIR")
    if folder:
        path = pathlib.Path(folder) / f"{os.getpid()}-{len(RECORDS)}-{pipeline.name}.json"
        path.write_text(json.dumps(record))


class TappedPipeline(vidflow.Pipeline):
    def start(self):
        self._taps = add_taps(self)
        return super().start()

    def wait(self):
        try:
            return super().wait()
        finally:
            _record(self, getattr(self, "_taps", []))


# Now and then (a few runs in a hundred, with many X clients at once on a loaded machine)
# ximagesink cannot open a display that Xvfb has announced: the machine's flake, not the
# block's; such a run is tried again, at most twice more, and said so (as with-xvfb.sh does).
X_FLAKE = "Could not initialise X output"


class TappedFlow(vidflow.Flow):
    def __call__(self):
        pipeline = self.pipeline
        taps = add_taps(pipeline)
        try:
            for attempt in range(3):
                try:
                    return super().__call__()
                except vidflow.Error as e:
                    if X_FLAKE not in str(e) or attempt == 2:
                        raise
                    print(f"seedrun: {e}: once more", file=sys.stderr)
                    for t in taps:
                        t.reset()
        finally:
            _record(pipeline, taps)


@contextlib.contextmanager
def tapped():
    """vidflow.Pipeline/Flow are the tapped subclasses inside the block."""
    saved = vidflow.Pipeline, vidflow.Flow
    vidflow.Pipeline, vidflow.Flow = TappedPipeline, TappedFlow
    try:
        yield RECORDS
    finally:
        vidflow.Pipeline, vidflow.Flow = saved


def run(seed, globals_=None, main=False, argv=None):
    """Execute seeds/<seed> (its module level; as __main__ when main) with `globals_` defined for
    it (the functions a block leaves to its reader); returns its namespace."""
    path = SEEDS / seed
    saved_argv = sys.argv
    if argv is not None:
        sys.argv = [str(path)] + [str(a) for a in argv]
    try:
        with tapped():
            return runpy.run_path(str(path), init_globals={**DEFAULT_GLOBALS, **(globals_ or {})},
                                  run_name="__main__" if main else "seed")
    finally:
        sys.argv = saved_argv


def records_of(name, records=None):
    """The records of the pipelines called `name`."""
    return [r for r in (RECORDS if records is None else records) if r["pipeline"] == name]


def read_tap_dir(folder):
    return [json.loads(p.read_text()) for p in sorted(pathlib.Path(folder).glob("*.json"))]


def tap(record, factory, last=False):
    """The first (or last) tap on an element of `factory` in a record."""
    found = [t for t in record["taps"].values() if t["factory"] == factory]
    if not found:
        raise AssertionError(f"no {factory} in {list(record['taps'])}")
    return found[-1] if last else found[0]


if __name__ == "__main__":
    seed, what, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if what == "--main":
        run(seed, main=True, argv=args)
    else:
        namespace = run(seed)
        with tapped():
            namespace[what](*args)
