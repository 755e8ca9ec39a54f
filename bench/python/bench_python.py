"""bench: 1080p RGB frames per second through a Python BufferProvider -> Python BufferRetriever,
against the same graph (appsrc -> queue -> appsink, one feeder thread, one receiver thread) with
the provider and retriever in C (the pybench plugin: a ring of frames wrapped without copying,
and a retriever that views frame 0 and reads a byte), in the same process; rounds alternate
the order; the figure is the median of per-round ratios (its range in the table).

The Python side is what a user writes: frames are numpy arrays wrapped zero-copy with
as_tensor(frame, "HWC").wrap(ColorFormat.RGB); consume() views frame 0 with extract(0).

Second figure: the cost of one Python callback, a BufferOperator on an identity element
(returning True) between a C provider and a C retriever of small frames, against the same
pipeline without it; microseconds per buffer."""

import statistics
import sys
import time

import numpy as np

import vidflow
from vidflow import (Buffer, BufferOperator, BufferProvider, BufferRetriever, ColorFormat,
                     Feeder, Pipeline, Probe, Receiver, as_tensor)

W, H, FRAMES, ROUNDS = 1920, 1080, 3000, 7
SMALL, SMALL_FRAMES = (64, 48), 20000


class Ring(BufferProvider):
    def __init__(self, frames, width, height):
        super().__init__()
        self.format, self.width, self.height, self.framerate = "RGB", width, height, 30
        self.ring = [np.zeros((height, width, 3), np.uint8) for _ in range(8)]
        self.left = frames

    def generate(self, size):
        if self.left == 0:
            return Buffer()
        self.left -= 1
        return as_tensor(self.ring[self.left % 8], "HWC").wrap(ColorFormat.RGB)


class Touch(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.sum = 0

    def consume(self, buffer):
        self.sum += memoryview(buffer.extract(0))[0, 0, 0]
        return 1


class Pass(BufferOperator):
    def handle_buffer(self, buffer):
        return True


def run(python, frames=FRAMES, size=(W, H), probe=False):
    p = Pipeline("bench")
    p.add("appsrc", "src")
    p.add("identity", "id", {"silent": True})
    p.add("queue", "queue")
    p.add("appsink", "sink", {"sync": False})
    p.link("src", "id", "queue", "sink")
    if python:
        p.attach("src", Feeder("feeder", Ring(frames, *size)))
        p.attach("sink", Receiver("receiver", Touch()))
    else:
        p.attach("src", "pybench.ring", "ring", frames=frames, width=size[0], height=size[1])
        p.attach("sink", "pybench.touch", "touch")
    if probe:
        p.attach("id", Probe("pass", Pass()))
    t0 = time.perf_counter()
    p.start().wait()
    return time.perf_counter() - t0


def main():
    run(True, 50)  # warm up: registry, plugins, first allocations
    run(False, 50)
    ratios, c_fps, py_fps = [], [], []
    for r in range(ROUNDS):
        order = (False, True) if r % 2 == 0 else (True, False)
        t = {python: run(python) for python in order}
        c_fps.append(FRAMES / t[False])
        py_fps.append(FRAMES / t[True])
        ratios.append(py_fps[-1] / c_fps[-1])
    costs = []
    for r in range(ROUNDS):
        order = (False, True) if r % 2 == 0 else (True, False)
        t = {probe: run(False, SMALL_FRAMES, SMALL, probe) for probe in order}
        costs.append((t[True] - t[False]) / SMALL_FRAMES * 1e6)
    print(f"{'round':>5} {'C fps':>10} {'Python fps':>11} {'ratio':>7} {'probe us':>9}")
    for r in range(ROUNDS):
        print(f"{r:>5} {c_fps[r]:>10.0f} {py_fps[r]:>11.0f} {ratios[r]:>7.3f} {costs[r]:>9.2f}")
    print(f"ratio median {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")
    print(f"BENCH python-provider-retriever-1080p {statistics.median(py_fps):.0f} fps")
    print(f"BENCH c-provider-retriever-1080p {statistics.median(c_fps):.0f} fps")
    print(f"BENCH python-vs-c-provider-retriever-1080p {statistics.median(ratios):.3f} x")
    print(f"BENCH python-probe-callback {statistics.median(costs):.2f} us")


if __name__ == "__main__":
    sys.exit(main())
