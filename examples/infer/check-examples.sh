#!/bin/sh
# Runs one inference example on the first frames of the sample footage and checks what it wrote.
# usage: check-examples.sh NAME EXAMPLES_DIR SOURCE_ROOT; exits 77 (skipped) without data/.
set -eu
name=$1 bin=$2 root=$3
data=${VIDFLOW_DATA_DIR:-$root/data}
for f in footage/vtest.avi footage/Megamind.avi models/ssd_mobilenet_v2_oid.onnx \
         models/blazeface_128.onnx; do
  [ -s "$data/$f" ] || { echo "$data/$f missing: run tools/fetch-assets.sh"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
py() { /usr/bin/python3 - "$@"; }
# the sample configs with their data paths pointing at $data
for c in ssd_mobilenet_v2_oid blazeface; do
  sed "s|\.\./data/|$data/|g" "$root/configs/$c.yaml" > "$work/$c.yaml"
done
ssd=$work/ssd_mobilenet_v2_oid.yaml vtest=$data/footage/vtest.avi

# detect-json on RGB frames, the reference the other checks compare with
reference() { # frames
  "$bin/detect-json" --config "$ssd" --format RGB --max-frames "$1" --output "$work/ref.jsonl" \
    "$vtest" || fail "detect-json (reference)"
}

case $name in
detect-json)
  "$bin/detect-json" --config "$ssd" --max-frames 40 --output "$work/out.jsonl" "$vtest"
  py "$work/out.jsonl" "$root/tests/data/vtest-persons.txt" <<'EOF' || fail "detect-json output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 40, f"{len(lines)} lines, not 40"
assert [l["frame"] for l in lines] == list(range(40)), "frame numbers not 0..39"
assert all(l["source"] == 0 for l in lines)
assert all(abs(l["pts"] - 0.1 * l["frame"]) < 1e-3 for l in lines), "pts not 0.1 s apart"
people = [sum(o["label"] == "Person" for o in l["objects"]) for l in lines]
assert all(p >= 1 for p in people), f"frames without people: {people}"
ref = {int(r.split()[0]): int(r.split()[1]) for r in open(sys.argv[2])
       if r.strip() and not r.startswith("#")}
assert abs(people[0] - ref[0]) <= 1, f"frame 0: {people[0]} people, counted by eye {ref[0]}"
for l in lines:
    for o in l["objects"]:
        x, y, w, h = o["bbox"]
        assert 0 <= x and 0 <= y and x + w <= 768.1 and y + h <= 576.1 and o["confidence"] >= 0.4
print(f"40 frames, {sum(people)} people, frame 0: {people[0]}")
EOF
  # two sources in one batch: the same video twice gives the same objects for both
  "$bin/detect-json" --config "$ssd" --max-frames 10 --output "$work/two.jsonl" "$vtest" "$vtest"
  py "$work/two.jsonl" <<'EOF' || fail "detect-json with two sources"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 20, f"{len(lines)} lines, not 20"
by = {(l["source"], l["frame"]): l["objects"] for l in lines}
assert sorted(by) == [(s, f) for s in (0, 1) for f in range(10)], sorted(by)
for f in range(10):
    assert by[(0, f)] == by[(1, f)], f"frame {f}: sources differ"
print("two sources batched: identical detections")
EOF
  ;;
ipc-transfer)
  # the detections the consumer process got with the frames are those of a one-process run
  reference 30
  "$bin/ipc-transfer" --config "$ssd" --max-frames 30 --output "$work/out.mp4" \
    --log "$work/got.jsonl" "$vtest"
  py "$work/ref.jsonl" "$work/got.jsonl" <<'EOF' || fail "ipc-transfer output"
import json, sys
ref = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == 30, f"{len(got)} frames reached the consumer, not 30"
assert [g["frame"] for g in got] == [r["frame"] for r in ref], "frame numbers differ"
n = 0
for r, g in zip(ref, got):
    assert len(r["objects"]) == len(g["objects"]), \
        f"frame {r['frame']}: {len(g['objects'])} objects, not {len(r['objects'])}"
    key = lambda o: o["bbox"]
    for a, b in zip(sorted(r["objects"], key=key), sorted(g["objects"], key=key)):
        assert a["label"] == b["label"] and all(abs(x - y) < 0.5 for x, y in zip(a["bbox"], b["bbox"])), \
            f"frame {r['frame']}: {a} vs {b}"
    n += len(g["objects"])
assert n > 0, "no detections: the check proves nothing"
print(f"30 frames, {n} detections arrived in the other process")
EOF
  [ -s "$work/out.mp4" ] || fail "the consumer wrote no MP4" ;;
selective-capture)
  reference 60
  "$bin/selective-capture" --config "$ssd" --min-people 5 --max-frames 60 \
    --output-dir "$work/captured" "$vtest" | tail -1
  py "$work/ref.jsonl" "$work/captured" <<'EOF' || fail "selective-capture output"
import json, os, sys
want = sorted(l["frame"] for l in map(json.loads, open(sys.argv[1]))
              if sum(o["label"] == "Person" for o in l["objects"]) >= 5)
got = sorted(int(f[8:14]) for f in os.listdir(sys.argv[2]) if f.startswith("capture_"))
assert want, "no frame of the first 60 has 5 people: the check proves nothing"
assert got == want, f"captured {got}, frames with >= 5 people {want}"
for f in os.listdir(sys.argv[2]):
    assert open(os.path.join(sys.argv[2], f), "rb").read(3) == b"\xff\xd8\xff", f"{f} not a JPEG"
print(f"{len(got)} of 60 frames captured, exactly those with >= 5 people")
EOF
  ;;
frame-analysis)
  reference 50
  "$bin/frame-analysis" --config "$ssd" --max-frames 50 --log "$work/log.jsonl" "$vtest" | tail -1
  py "$work/log.jsonl" "$work/ref.jsonl" <<'EOF' || fail "frame-analysis output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ref = {l["frame"]: l["objects"] for l in map(json.loads, open(sys.argv[2]))}
assert len(lines) == 50, f"{len(lines)} lines"
for l in lines:
    assert l["shape"] == [576, 768, 3], l["shape"]
    assert 20 < l["mean_intensity"] < 235 and l["std_intensity"] > 5, l
    n = l["objects_detected"]
    assert n == len(l["object_classes"]) == len(l["confidences"]), l
    objs = ref[l["frame_number"]]  # the probe's metadata reached the right frame
    assert n == len(objs), f"frame {l['frame_number']}: {n} objects, reference {len(objs)}"
    assert l["object_classes"] == [o["class_id"] for o in objs]
    assert all(abs(a - o["confidence"]) < 2e-3 for a, o in zip(l["confidences"], objs))
print(f"50 frames; object counts and classes match the reference frame by frame")
EOF
  ;;
faces)
  # people (SSD) then faces inside them (BlazeFace, secondary)
  "$bin/faces" --detector "$ssd" --faces "$work/blazeface.yaml" --max-frames 220 \
    --log "$work/secondary.jsonl" --save-dir "$work/frames" --save-frames 210 \
    "$data/footage/Megamind.avi" | tail -1
  # BlazeFace alone on whole frames
  "$bin/faces" --primary-faces --faces "$work/blazeface.yaml" --max-frames 211 \
    --log "$work/primary.jsonl" "$data/footage/Megamind.avi" | tail -1
  [ -s "$work/frames/faces_000210.png" ] || fail "annotated frame 210 not saved"
  py "$work/secondary.jsonl" "$work/primary.jsonl" "$root/tests/data/megamind-faces.txt" <<'EOF' \
    || fail "faces output"
import json, sys
def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    i = max(0, x1 - x0) * max(0, y1 - y0)
    return i / (a[2] * a[3] + b[2] * b[3] - i)
ref = {int(r.split()[0]): [float(v) for v in r.split()[1:]] for r in open(sys.argv[3])
       if r.strip() and not r.startswith("#")}
sec = {l["frame"]: l for l in map(json.loads, open(sys.argv[1]))}
pri = {l["frame"]: l for l in map(json.loads, open(sys.argv[2]))}
assert len(sec) == 220 and len(pri) == 211
with_people = [f for f, l in sec.items() if l["people"]]
assert len(with_people) >= 10, f"people found in {with_people}"
for f in with_people:  # every person seen gets its face, as a child of the person
    faces = sec[f]["faces"]
    assert faces and all(x["parent"] == "Person" for x in faces), (f, sec[f])
for f, l in sec.items():
    assert l["people"] or not l["faces"], f"frame {f}: faces without a person"
face = sec[210]["faces"][0]
assert iou(face["bbox"], ref[210]) >= 0.7, (face, ref[210])
for f, box in ref.items():  # primary: exactly the reference face
    faces = pri[f]["faces"]
    assert len(faces) == 1 and iou(faces[0]["bbox"], box) >= 0.7, (f, faces, box)
    x, y, w, h = faces[0]["bbox"]
    for ex, ey in faces[0]["keypoints"][:2]:  # the eyes inside the face
        assert x <= ex <= x + w and y <= ey <= y + h
print(f"secondary: faces of people in {len(with_people)} frames; primary: frames 30, 120, 210 "
      f"match the reference")
EOF
  ;;
*) fail "unknown example $name" ;;
esac
echo "PASS: $name"
