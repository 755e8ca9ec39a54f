#!/usr/bin/python3
"""Helpers for test_converter.sh (run with /usr/bin/python3). Each subcommand prints what it
measured and exits non-zero when its check fails.

  signature MODEL.onnx                         checker, opset, names, symbolic batch dims
  inputs DOG.rgb OUT.f32                       seeded random [-1,1] image + dog, batch of 2
  compare TOL REFDIR ORTDIR [SAMPLE]           max abs error per output (ORT batch vs reference)
  detect DIR SAMPLE ANCHORS LABELS W H THR CLASS...   decode + NMS, assert CLASS... found
"""
import sys

import numpy as np
import onnx

ROWS, CLASSES, SIDE = 1917, 24, 300


def signature(path):
    m = onnx.load(path)
    onnx.checker.check_model(m)
    opset = {o.domain: o.version for o in m.opset_import}[""]

    def dims(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    got = {v.name: dims(v) for v in list(m.graph.input) + list(m.graph.output)}
    want = {"input": ["batch", SIDE, SIDE, 3], "boxes": ["batch", ROWS, 4],
            "scores": ["batch", ROWS, CLASSES]}
    print(f"opset {opset}, io {got}, {len(m.graph.node)} nodes,",
          "ops", sorted({n.op_type for n in m.graph.node}))
    return opset == 13 and got == want


def inputs(dog_rgb, out):
    rng = np.random.default_rng(1234)
    rand = rng.uniform(-1, 1, (SIDE, SIDE, 3))
    dog = np.fromfile(dog_rgb, np.uint8).reshape(SIDE, SIDE, 3) / 127.5 - 1.0  # [0,255] -> [-1,1]
    np.stack([rand, dog]).astype("<f4").tofile(out)
    return True


def load(d, name, cols):
    return np.fromfile(f"{d}/{name}.f32", "<f4").reshape(-1, ROWS, cols)


def compare(tol, ref, got, sample=None):
    ok = True
    for name, cols in (("boxes", 4), ("scores", CLASSES)):
        r, g = load(ref, name, cols), load(got, name, cols)
        if sample is not None:
            r = r[int(sample):int(sample) + 1]
        if r.shape != g.shape:
            print(f"{name}: shape {g.shape} != reference {r.shape}")
            ok = False
            continue
        for n in range(r.shape[0]):
            err = float(np.abs(r[n] - g[n]).max())
            print(f"{name}[{n}]: max abs error {err:.3g} (|ref| max {np.abs(r[n]).max():.3g}, tol {tol})")
            ok &= err <= float(tol)
    return ok


def decode(enc, anchors):
    """TF FasterRcnnBoxCoder decode, scales (y,x,h,w) = (10,10,5,5) -> (ymin,xmin,ymax,xmax)."""
    ya, xa, ha, wa = anchors.T
    yc = enc[:, 0] / 10 * ha + ya
    xc = enc[:, 1] / 10 * wa + xa
    h = np.exp(enc[:, 2] / 5) * ha
    w = np.exp(enc[:, 3] / 5) * wa
    return np.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], axis=1)


def iou(a, b):
    y0, x0 = np.maximum(a[0], b[:, 0]), np.maximum(a[1], b[:, 1])
    y1, x1 = np.minimum(a[2], b[:, 2]), np.minimum(a[3], b[:, 3])
    inter = np.clip(y1 - y0, 0, None) * np.clip(x1 - x0, 0, None)
    area = lambda r: (r[..., 2] - r[..., 0]) * (r[..., 3] - r[..., 1])  # noqa: E731
    return inter / (area(a) + area(b) - inter + 1e-12)


def detect(d, sample, anchors, labels, width, height, thr, *want):
    boxes = decode(load(d, "boxes", 4)[int(sample)], np.fromfile(anchors, "<f4").reshape(ROWS, 4))
    probs = 1 / (1 + np.exp(-load(d, "scores", CLASSES)[int(sample)].astype(np.float64)))
    names = open(labels).read().splitlines()
    found = []
    for c in range(1, CLASSES):  # class 0 "???" is background
        idx = np.where(probs[:, c] > float(thr))[0]
        idx = idx[np.argsort(-probs[idx, c])]
        while len(idx):  # greedy per-class NMS, IoU 0.5
            best, idx = idx[0], idx[1:]
            found.append((probs[best, c], names[c], boxes[best]))
            idx = idx[iou(boxes[best], boxes[idx]) <= 0.5]
    W, H = int(width), int(height)
    for p, name, b in sorted(found, key=lambda f: -f[0]):
        b = np.clip(b, 0, 1)
        print(f"  {name:12s} {p:.3f}  norm ymin,xmin,ymax,xmax = {b[0]:.3f},{b[1]:.3f},{b[2]:.3f},{b[3]:.3f}"
              f"  px x,y,w,h = {b[1]*W:.0f},{b[0]*H:.0f},{(b[3]-b[1])*W:.0f},{(b[2]-b[0])*H:.0f}")
    missing = [w for w in want if w not in {f[1] for f in found}]
    if missing:
        print("missing:", ", ".join(missing))
    return not missing


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("signature", "inputs", "compare", "detect"):
        sys.exit(__doc__)
    sys.exit(0 if globals()[sys.argv[1]](*sys.argv[2:]) else 1)
