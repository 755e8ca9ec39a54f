"""Seed Part 1 Pattern 3, multi_pipeline_transfer(use_multiprocessing=True), over ipc:// instead
of multiprocessing.Queue: two Python processes (multiprocessing.Process). The first decodes and
detects, and sends each frame with its detections to ipc://NAME; the second captures ipc://NAME
and gets every frame with the detections made in the first, then encodes it (or discards it).
Nothing is pickled: the frames cross in shared memory, the detections as vidflow metadata, and
the first process waits for the second (no frame is sent to nobody).

Each process writes the detections it sees, a JSON line per frame, to LOG_DIR/source.jsonl and
LOG_DIR/destination.jsonl (the first line of each: its process id), so the two can be compared.

usage: PYTHONPATH=build/python python3 examples/python/ipc_transfer.py CONFIG VIDEO LOG_DIR
       [--output OUT.mp4]
"""

import argparse
import json
import multiprocessing
import os
import sys

from vidflow import BatchMetadataOperator, Flow, Pipeline, RenderMode

# how long each side waits for the other to appear, in ms
PEER_WAIT_MS = 30000


class DetectionLog(BatchMetadataOperator):
    """Writes every frame's detections as a JSON line (runs on the pipeline's thread)."""

    def __init__(self, path):
        super().__init__()
        self.file = open(path, "w")
        self.file.write(json.dumps({"pid": os.getpid()}) + "\n")

    def handle_metadata(self, batch_meta):
        for frame in batch_meta.frame_items:
            objects = [{"label": o.label, "class_id": o.class_id, "confidence": o.confidence,
                        "bbox": list(o.rect)} for o in frame.object_items]
            self.file.write(json.dumps({"frame": frame.frame_number, "objects": objects}) + "\n")
        self.file.flush()


def source_pipeline(config, video, name, log_dir):
    """Decode and detect; frames and detections to ipc://name (waits for the consumer)."""
    Flow(Pipeline("source-pipeline")).capture([video]).infer(config) \
        .attach(DetectionLog(os.path.join(log_dir, "source.jsonl"))) \
        .retrieve(f"ipc://{name}", wait_consumers=1, wait_timeout=PEER_WAIT_MS)()


def destination_pipeline(name, log_dir, output):
    """Frames and the detections made in the other process, from ipc://name."""
    flow = Flow(Pipeline("dest-pipeline")).capture([f"ipc://{name}"],
                                                   connect_timeout=PEER_WAIT_MS) \
        .attach(DetectionLog(os.path.join(log_dir, "destination.jsonl")))
    if output:
        flow.encode(output)()
    else:
        flow.render(RenderMode.DISCARD)()


def multi_pipeline_transfer(config, video, log_dir, output=None):
    """Run the two pipelines in two processes; True when both ended well."""
    name = f"vidflow-py-ipc-{os.getpid()}"
    # spawn: each process starts its own GStreamer (no fork of a threaded parent)
    ctx = multiprocessing.get_context("spawn")
    proc1 = ctx.Process(target=source_pipeline, args=(config, video, name, log_dir))
    proc2 = ctx.Process(target=destination_pipeline, args=(name, log_dir, output))
    proc1.start()
    proc2.start()
    proc2.join()
    proc1.join()
    return proc1.exitcode == 0 and proc2.exitcode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config")
    parser.add_argument("video")
    parser.add_argument("log_dir")
    parser.add_argument("--output", help="MP4 the second process writes (default: discard)")
    args = parser.parse_args()
    if not multi_pipeline_transfer(args.config, args.video, args.log_dir, args.output):
        print("ipc_transfer: a pipeline process failed (its error is above)", file=sys.stderr)
        return 1
    print("ipc_transfer: both processes ended")
    return 0


if __name__ == "__main__":
    sys.exit(main())
