#!/usr/bin/python3
"""Reference numpy interpreter for the SSD TFLite graph: the converter's independent check.

usage: /usr/bin/python3 tflite_reference.py MODEL.tflite INPUT.f32 OUTDIR
  INPUT.f32: raw float32, N x 300 x 300 x 3 (NHWC). Writes OUTDIR/boxes.f32 and
  OUTDIR/scores.f32 (raw float32, N x 1917 x 4 and N x 1917 x 24).

Runs the TFLite ops as TFLite defines them, in NHWC, straight from the TFLite tensors;
it shares only the flatbuffer reader (tflite_fb.py) with tflite2onnx.py. It computes
in float64 so that it is a better answer than either float32 runtime, and one image
at a time (TFLite's RESHAPE shapes are written for batch 1).
"""
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite_fb import Model  # noqa: E402


def pad_same(x, k, s, d):
    """Zero-pad an HWC image the TFLite SAME way (extra row/col at the end)."""
    pads = []
    for n, kk, ss, dd in zip(x.shape[:2], k, s, d):
        out = -(-n // ss)
        total = max((out - 1) * ss + (kk - 1) * dd + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, pads + [(0, 0)])


def conv(x, w, b, o, depthwise):
    """x: [H,W,C]. CONV_2D w: [O,kh,kw,I]. DEPTHWISE w: [1,kh,kw,C*mult]. Sum over taps."""
    kh, kw = w.shape[1:3]
    s, d = (o["stride_h"], o["stride_w"]), (o["dilation_h"], o["dilation_w"])
    if o["padding"] == "SAME":
        xp = pad_same(x, (kh, kw), s, d)
        oh, ow = -(-x.shape[0] // s[0]), -(-x.shape[1] // s[1])
    else:
        xp = x
        oh = (x.shape[0] - (kh - 1) * d[0] - 1) // s[0] + 1
        ow = (x.shape[1] - (kw - 1) * d[1] - 1) // s[1] + 1
    if depthwise:
        mult = o["depth_multiplier"]
        xp = np.repeat(xp, mult, axis=2) if mult > 1 else xp  # out channel c*mult+m reads in c
    y = np.zeros((oh, ow, w.shape[0] if not depthwise else w.shape[3]))
    for i in range(kh):
        for j in range(kw):
            tap = xp[i * d[0]: i * d[0] + (oh - 1) * s[0] + 1: s[0],
                     j * d[1]: j * d[1] + (ow - 1) * s[1] + 1: s[1]]
            y += tap * w[0, i, j] if depthwise else tap @ w[:, i, j, :].T
    return y + b


def act(x, a):
    if a == "NONE":
        return x
    if a == "RELU6":
        return np.clip(x, 0, 6)
    if a == "RELU":
        return np.maximum(x, 0)
    raise NotImplementedError(a)


def run(m, image):
    """image: [1,300,300,3] -> list of output arrays in model output order."""
    v = {i: t["data"] for i, t in enumerate(m.tensors) if t["data"] is not None}
    v[m.inputs[0]] = image.astype(np.float64)
    for op in m.ops:
        k, ins, outs, o = op["op"], op["inputs"], op["outputs"], op["opts"]
        x = v[ins[0]]
        if k == "DEQUANTIZE":
            y = x.astype(np.float64)  # float16 -> float (int8 would need scale/zero_point)
            assert m.tensors[ins[0]]["quant"] is None
        elif k in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            b = v[ins[2]] if len(ins) > 2 and ins[2] >= 0 else 0.0
            y = act(conv(x[0], v[ins[1]], b, o, k == "DEPTHWISE_CONV_2D"), o["act"])[None]
        elif k == "ADD":
            y = act(x + v[ins[1]], o["act"])
        elif k == "RESHAPE":
            y = x.reshape(o.get("new_shape") or [int(s) for s in v[ins[1]]])
        elif k == "CONCATENATION":
            y = act(np.concatenate([v[i] for i in ins], axis=o["axis"]), o["act"])
        else:
            raise NotImplementedError(k)
        v[outs[0]] = y
    return [v[i] for i in m.outputs]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    m = Model(sys.argv[1])
    shape = m.tensors[m.inputs[0]]["shape"]  # [1,300,300,3]
    x = np.fromfile(sys.argv[2], dtype="<f4").reshape([-1] + shape[1:])
    outs = [run(m, x[n:n + 1]) for n in range(x.shape[0])]
    os.makedirs(sys.argv[3], exist_ok=True)
    for k, name in enumerate(("boxes", "scores")):
        np.concatenate([o[k] for o in outs]).astype("<f4").tofile(os.path.join(sys.argv[3], name + ".f32"))


if __name__ == "__main__":
    main()
