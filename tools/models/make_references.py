#!/usr/bin/python3
"""Accuracy references for tests/infer/test-accuracy.c, made without vidflow's inference code.

usage: /usr/bin/python3 tools/models/make_references.py DATA OUTDIR
  DATA: the data/ folder (tools/fetch-assets.sh). Writes OUTDIR/dog-expected.txt and
  OUTDIR/megamind-faces.txt (commit them in tests/data/), and prints what it found.
  tests/models/test_converter.sh runs it and checks it remakes the committed files.

Shared with vidflow: only GStreamer decoding the picture/video to RGB (gst-launch-1.0, the same
elements the test uses), and the model files. Everything else is written here, from the models'
specifications, in numpy (float64):

  dog.jpg, SSD-MobileNetV2 OpenImages: the ORIGINAL TFLite graph run by the numpy reference
  interpreter (tflite_reference.py, not the ONNX model vidflow runs), on the frame stretched to
  300x300 (bilinear, pixel-centre aligned as OpenCV's INTER_LINEAR), x/127.5 - 1. Anchors
  generated here from the TF multiple_grid_anchor_generator spec (not the converter's anchors
  file: it is only compared), boxes decoded with the FasterRcnnBoxCoder (10, 10, 5, 5), sigmoid,
  thresholds 0.5 (Person 0.4), greedy per-class NMS at IoU 0.5: what configs/
  ssd_mobilenet_v2_oid.yaml asks for.

  Megamind.avi frames 30, 120, 210, BlazeFace front 128x128: ONNX Runtime's raw outputs
  (tools/models/ort_run.c, ORT's C API, no vidflow code) on the frame letterboxed to 128x128
  (centred, pad 0, bilinear), x/127.5 - 1; MediaPipe's SSD anchors (4 layers, strides 8, 16,
  16, 16, fixed size), decode at scale 128, sigmoid, threshold 0.75, greedy NMS at IoU 0.3,
  boxes mapped back through the letterbox: what configs/blazeface.yaml asks for.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def decode_rgb(path, frames, width, height):
    """Frames (indices) of a picture or video as uint8 [H, W, 3] RGB, through GStreamer."""
    count = max(frames) + 1  # identity's eos-after=N ends the stream instead of buffer N
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "frames.rgb")
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={path}", "!", "decodebin",
                        "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "identity",
                        f"eos-after={count + 1}", "!", "filesink", f"location={raw}"], check=True)
        data = np.fromfile(raw, np.uint8)
    size = width * height * 3
    assert data.size >= count * size, f"{path}: {data.size // size} frames, wanted {count}"
    return [data[i * size:(i + 1) * size].reshape(height, width, 3) for i in frames]


def resize_bilinear(img, out_w, out_h):
    """[H, W, C] -> [out_h, out_w, C] float64, src = (dst + 0.5) * in / out - 0.5, clamped."""
    h, w = img.shape[:2]

    def taps(n_out, n_in):
        s = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i0 = np.floor(s).astype(int)
        return i0, np.minimum(i0 + 1, n_in - 1), s - i0

    y0, y1, wy = taps(out_h, h)
    x0, x1, wx = taps(out_w, w)
    f = img.astype(np.float64)
    rows = f[y0] * (1 - wy)[:, None, None] + f[y1] * wy[:, None, None]
    return rows[:, x0] * (1 - wx)[None, :, None] + rows[:, x1] * wx[None, :, None]


def iou(a, b):
    """a: [4], b: [N, 4], boxes as (y0, x0, y1, x1)."""
    y0, x0 = np.maximum(a[0], b[:, 0]), np.maximum(a[1], b[:, 1])
    y1, x1 = np.minimum(a[2], b[:, 2]), np.minimum(a[3], b[:, 3])
    inter = np.clip(y1 - y0, 0, None) * np.clip(x1 - x0, 0, None)
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area - inter, 1e-12)


def nms(boxes, scores, thr, iou_thr):
    """Indices kept by greedy NMS, best first."""
    idx = np.where(scores > thr)[0]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    keep = []
    while len(idx):
        best, idx = idx[0], idx[1:]
        keep.append(best)
        idx = idx[iou(boxes[best], boxes[idx]) <= iou_thr]
    return keep


# ---- SSD-MobileNetV2 OpenImages on dog.jpg ----

def ssd_anchors():
    """TF object detection's multiple_grid_anchor_generator for a 300x300 SSD: 6 layers, feature
    maps 19..1, scales linear 0.2..0.95, ratios 1, 2, 1/2, 3, 1/3 and one extra box of scale
    sqrt(s * s_next) at ratio 1; the first layer only (0.1, 1), (0.2, 2), (0.2, 1/2).
    Rows (ycenter, xcenter, h, w) in the model's order: cell by cell, boxes within a cell."""
    fms, n = [19, 10, 5, 3, 2, 1], 6
    scales = [0.2 + (0.95 - 0.2) * i / (n - 1) for i in range(n)] + [1.0]
    rows = []
    for layer, fm in enumerate(fms):
        if layer == 0:
            boxes = [(0.1, 1.0), (scales[0], 2.0), (scales[0], 0.5)]
        else:
            boxes = [(scales[layer], r) for r in (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)]
            boxes.append((np.sqrt(scales[layer] * scales[layer + 1]), 1.0))
        for y in range(fm):
            for x in range(fm):
                for s, r in boxes:
                    rows.append(((y + 0.5) / fm, (x + 0.5) / fm, s / np.sqrt(r), s * np.sqrt(r)))
    return np.array(rows)


def dog_reference(data, tmp):

    W, H = 768, 576
    rgb = decode_rgb(os.path.join(data, "images", "dog.jpg"), [0], W, H)[0]
    x = resize_bilinear(rgb, 300, 300) / 127.5 - 1.0
    inp = os.path.join(tmp, "dog.f32")
    x[None].astype("<f4").tofile(inp)
    out = os.path.join(tmp, "ssd")
    os.makedirs(out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "tflite_reference.py"),
                    os.path.join(data, "models", "ssd_mobilenet_v2_oid.tflite"), inp, out],
                   check=True, stdout=subprocess.DEVNULL)
    enc = np.fromfile(os.path.join(out, "boxes.f32"), "<f4").reshape(1917, 4).astype(np.float64)
    logits = np.fromfile(os.path.join(out, "scores.f32"), "<f4").reshape(1917, 24)
    anchors = ssd_anchors()
    shipped = np.fromfile(os.path.join(data, "models", "ssd_mobilenet_v2_oid.anchors"),
                          "<f4").reshape(-1, 4)
    print(f"dog.jpg: anchors generated here vs the converter's file: max difference "
          f"{np.abs(anchors - shipped).max():.2e}")
    ya, xa, ha, wa = anchors.T
    yc, xc = enc[:, 0] / 10 * ha + ya, enc[:, 1] / 10 * wa + xa
    h, w = np.exp(enc[:, 2] / 5) * ha, np.exp(enc[:, 3] / 5) * wa
    boxes = np.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], axis=1)
    probs = 1 / (1 + np.exp(-logits.astype(np.float64)))
    labels = open(os.path.join(data, "models", "ssd_mobilenet_v2_oid.labels")).read().splitlines()
    found = []
    for c in range(1, 24):  # class 0 is background
        thr = 0.4 if labels[c] == "Person" else 0.5
        for i in nms(boxes, probs[:, c], thr, 0.5):
            found.append((probs[i, c], labels[c], np.clip(boxes[i], 0, 1)))
    found.sort(key=lambda f: -f[0])
    lines = [f"{name:9s} {p:.3f}       {b[0]:.3f}  {b[1]:.3f}  {b[2]:.3f}  {b[3]:.3f}"
             for p, name, b in found]
    return lines


# ---- BlazeFace on Megamind.avi ----

def blazeface_anchors():
    """MediaPipe's SsdAnchorsCalculator for face_detection_front: 128x128, 4 layers of strides
    8, 16, 16, 16, two anchors per layer (aspect ratio 1 and the interpolated one), layers of
    one stride merged, fixed anchor size, offset 0.5. Rows (xcenter, ycenter), cell by cell."""
    rows = []
    for stride, per_cell in ((8, 2), (16, 6)):
        fm = 128 // stride
        for y in range(fm):
            for x in range(fm):
                rows += [((x + 0.5) / fm, (y + 0.5) / fm)] * per_cell
    return np.array(rows)


def faces_reference(data, tmp, frames):
    lib = os.path.join(data, "onnxruntime", "lib", "libonnxruntime.so")
    ort_run = os.path.join(tmp, "ort_run")
    subprocess.run(["cc", "-O2", "-I", os.path.join(data, "onnxruntime", "include"), "-o",
                    ort_run, os.path.join(HERE, "ort_run.c"), "-ldl"], check=True)
    W, H = 720, 528
    anchors = blazeface_anchors()
    lines = []
    for n, rgb in zip(frames, decode_rgb(os.path.join(data, "footage", "Megamind.avi"), frames,
                                         W, H)):
        s = min(128 / W, 128 / H)  # letterbox: centred, the rest padded with 0 (-1 after scaling)
        nw, nh = min(max(round(W * s), 1), 128), min(max(round(H * s), 1), 128)
        ox, oy = (128 - nw) // 2, (128 - nh) // 2
        x = np.full((128, 128, 3), -1.0)
        x[oy:oy + nh, ox:ox + nw] = resize_bilinear(rgb, nw, nh) / 127.5 - 1.0
        inp, out = os.path.join(tmp, f"face{n}.f32"), os.path.join(tmp, f"face{n}")
        os.makedirs(out, exist_ok=True)
        x[None].astype("<f4").tofile(inp)
        subprocess.run([ort_run, "-l", lib, os.path.join(data, "models", "blazeface_128.onnx"),
                        inp, "1", out], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

        def load(name, cols):
            return np.fromfile(os.path.join(out, name + ".f32"), "<f4").reshape(-1, cols)
        scores = np.concatenate([load("Identity:0", 1), load("Identity_1:0", 1)])[:, 0]
        raw = np.concatenate([load("Identity_2:0", 16), load("Identity_3:0", 16)]).astype(float)
        probs = 1 / (1 + np.exp(-np.clip(scores.astype(np.float64), -100, 100)))
        xc, yc = raw[:, 0] / 128 + anchors[:, 0], raw[:, 1] / 128 + anchors[:, 1]
        w, h = raw[:, 2] / 128, raw[:, 3] / 128
        boxes = np.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], axis=1)
        keep = nms(boxes, probs, 0.75, 0.3)
        print(f"Megamind frame {n}: {len(keep)} face(s)", ", ".join(f"{probs[i]:.3f}" for i in keep))
        for i in keep:  # model input (normalised) -> letterbox pixels -> frame pixels
            y0, x0, y1, x1 = boxes[i] * 128
            left, top = (x0 - ox) / (nw / W), (y0 - oy) / (nh / H)
            lines.append(f"{n:<8d} {left:6.1f} {top:6.1f} {(x1 - x0) / (nw / W):6.1f} "
                         f"{(y1 - y0) / (nh / H):6.1f}")
    return lines


DOG_HEADER = """\
# Reference detections of data/images/dog.jpg (darknet's, 768x576) for tests/infer/test-accuracy.c.
#
# Made by tools/models/make_references.py (run it to remake this file), independently of
# vidflow's inference code: the original TFLite model (not the ONNX vidflow runs) through the
# numpy reference interpreter tools/models/tflite_reference.py, on dog.jpg decoded by GStreamer
# and stretched to 300x300 in numpy (bilinear, pixel-centre aligned), x/127.5 - 1; anchors
# generated from the TF anchor-generator spec, FasterRcnnBoxCoder decode (10, 10, 5, 5),
# sigmoid, thresholds 0.5 (Person 0.4), greedy per-class NMS at IoU 0.5, all in numpy.
#
# The test wants each class found with a box of IoU >= 0.7 against these, confidence within 0.1.
#
# label   confidence  ymin   xmin   ymax   xmax   (normalised to the image size)
"""

FACES_HEADER = """\
# Reference faces in frames of data/footage/Megamind.avi (720x528) for tests/infer/test-accuracy.c.
#
# Made by tools/models/make_references.py (run it to remake this file), independently of
# vidflow's inference code: BlazeFace (data/models/blazeface_128.onnx) run by ONNX Runtime
# through tools/models/ort_run.c (its C API, raw float32 in and out), on each frame decoded by
# GStreamer and letterboxed to 128x128 in numpy (centred, bilinear, pad -1 after x/127.5 - 1);
# the raw outputs decoded in numpy: MediaPipe's anchors (strides 8, 16, 16, 16, fixed size),
# scale 128, sigmoid, threshold 0.75, greedy NMS at IoU 0.3, boxes mapped back through the
# letterbox. (As configs/blazeface.yaml asks.)
#
# The test wants exactly one face per frame, IoU >= 0.7 against the box, the eyes inside it.
#
# frame  left   top    width  height  (pixels)
"""


def main(data, outdir):
    with tempfile.TemporaryDirectory() as tmp:
        dog = dog_reference(data, tmp)
        faces = faces_reference(data, tmp, [30, 120, 210])
    print("dog.jpg:", *dog, sep="\n  ")
    with open(os.path.join(outdir, "dog-expected.txt"), "w") as f:
        f.write(DOG_HEADER + "\n".join(dog) + "\n")
    with open(os.path.join(outdir, "megamind-faces.txt"), "w") as f:
        f.write(FACES_HEADER + "\n".join(faces) + "\n")
    return True


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(0 if main(*sys.argv[1:]) else 1)
