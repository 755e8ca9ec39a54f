#!/usr/bin/python3
"""Tracking on real footage: vtest.avi (795 frames, 10 fps) through the SSD detector of configs/
and vftracker, once with bytetrack and once with iou (`vidflow detect --track --no-video`, the
same detections on both sides), and what the ids look like:

- person ids: distinct ids given to Person objects over the whole clip (fewer is better while
  every person is tracked: each extra id is a person who lost theirs);
- median track length: frames in which an id is on a detected Person, median over the ids;
- ids in frames 0-100: ids seen on Persons there. That stretch was checked by eye (docs/tracker.md):
  7 people are tracked in it, so ids / 7 is the ids per person.

Prints a table and BENCH lines. Exits 77 (skipped) without the footage or the model.

  vtest-tracks.py VIDFLOW_BINARY SOURCE_ROOT WORK_DIR"""
import json
import os
import statistics
import subprocess
import sys

PEOPLE_IN_STRETCH = 7  # frames 0-100 of vtest.avi, counted by eye
STRETCH = 100


def run(vidflow, root, work, name, config):
    out = os.path.join(work, name)
    cmd = [vidflow, "detect", "--track", "--no-video", "--quiet", "--tracker-config", config,
           "--output-dir", out]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}:\n{r.stdout}")
    frames = {}  # id -> frames with a detection
    stretch = set()
    n_frames = 0
    with open(os.path.join(out, "detections.jsonl")) as f:
        for line in f:
            rec = json.loads(line)
            n_frames += 1
            for o in rec["objects"]:
                if o.get("label") != "Person" or o.get("id") is None:
                    continue
                if o["confidence"] > 0:  # detected (predicted objects have confidence 0)
                    frames[o["id"]] = frames.get(o["id"], 0) + 1
                if rec["frame"] <= STRETCH:
                    stretch.add(o["id"])
    if not frames:
        sys.exit(f"FAIL: {name}: no tracked person in {n_frames} frames")
    return {"frames": n_frames, "ids": len(frames), "median": statistics.median(frames.values()),
            "stretch": len(stretch)}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    vidflow, root, work = argv
    data = os.environ.get("VIDFLOW_DATA_DIR", os.path.join(root, "data"))
    for f in ("footage/vtest.avi", "models/ssd_mobilenet_v2_oid.onnx"):
        path = os.path.join(data, f)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            print(f"SKIP: {data}/{f} missing: run tools/fetch-assets.sh")
            return 77
    os.makedirs(work, exist_ok=True)
    results = {}
    for name in ("bytetrack", "iou"):
        results[name] = run(vidflow, root, work, name,
                            os.path.join(root, "configs", f"tracker_{name}.yaml"))
    print(f"vtest.avi, {results['bytetrack']['frames']} frames, SSD detector (configs/), "
          f"Person objects; frames 0-{STRETCH}: {PEOPLE_IN_STRETCH} people (by eye)")
    print(f"{'tracker':10} {'person ids':>10} {'median track (frames)':>22} "
          f"{'ids in 0-' + str(STRETCH):>12} {'ids per person':>15}")
    for name, r in results.items():
        print(f"{name:10} {r['ids']:>10} {r['median']:>22g} {r['stretch']:>12} "
              f"{r['stretch'] / PEOPLE_IN_STRETCH:>15.2f}")
    for name, r in results.items():
        print(f"BENCH tracker_vtest_{name}_person_ids {r['ids']} ids")
        print(f"BENCH tracker_vtest_{name}_median_track {r['median']:g} frames")
        print(f"BENCH tracker_vtest_{name}_ids_per_person_0_{STRETCH} "
              f"{r['stretch'] / PEOPLE_IN_STRETCH:.2f} x")
    b, i = results["bytetrack"], results["iou"]
    print(f"BENCH tracker_vtest_iou_vs_bytetrack_person_ids {i['ids'] / b['ids']:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
