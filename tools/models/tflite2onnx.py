#!/usr/bin/python3
"""Convert the SSD-MobileNetV2 (OpenImages, 24 classes) TFLite model to ONNX, and write its anchors.

usage: /usr/bin/python3 tflite2onnx.py MODEL.tflite OUT.onnx [OUT.anchors]

Needs only Debian's python3-onnx (1.12) and python3-numpy. Handles the six op types
this model uses: DEQUANTIZE (float16 weights, folded to float32 here), CONV_2D,
DEPTHWISE_CONV_2D, ADD, RESHAPE, CONCATENATION; anything else is refused loudly.

ONNX model:  input  "input"  float32 [batch,300,300,3] NHWC, values in [-1,1]
             output "boxes"  float32 [batch,1917,4]   raw box encodings (ty,tx,th,tw)
             output "scores" float32 [batch,1917,24]  raw class logits: the TFLite graph
                             ends at the class-predictor convs (no LOGISTIC op), so apply
                             a sigmoid yourself; class 0 ("???") is background.
Internally activations are NCHW (one Transpose after the input); they go back to
NHWC only where a RESHAPE/CONCATENATION needs TFLite's element order.

Anchors (OUT.anchors): 1917 x [ycenter, xcenter, h, w] float32 little-endian, normalised
to [0,1], same order as the model's 1917 rows. Box decode (TF FasterRcnnBoxCoder with
scales y=10, x=10, h=5, w=5), for encoding (ty,tx,th,tw) and anchor (ya,xa,ha,wa):
    yc = ty/10*ha + ya    xc = tx/10*wa + xa    h = exp(th/5)*ha    w = exp(tw/5)*wa
    box = (ymin,xmin,ymax,xmax) = (yc-h/2, xc-w/2, yc+h/2, xc+w/2)     (normalised)
"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite_fb import Model  # noqa: E402

OUTPUT_NAMES = ["boxes", "scores"]  # TFLite outputs in order: box_encodings, class_predictions


def ssd_anchors(input_size=300, strides=(16, 32, 64, 128, 256, 512), min_scale=0.2,
                max_scale=0.95, aspect_ratios=(1.0, 2.0, 0.5, 3.0, 1.0 / 3.0),
                interpolated_ratio=1.0, offset=0.5):
    """TF object-detection multiple_grid_anchor_generator (= MediaPipe SsdAnchorsCalculator)
    with reduce_boxes_in_lowest_layer. Returns float32 [N,4] (ycenter, xcenter, h, w)."""
    n = len(strides)
    scales = [min_scale + (max_scale - min_scale) * i / (n - 1) for i in range(n)] + [1.0]
    out = []
    for layer, stride in enumerate(strides):
        fm = math.ceil(input_size / stride)  # 19, 10, 5, 3, 2, 1
        s, s_next = scales[layer], scales[layer + 1]
        if layer == 0:  # lowest layer: 3 boxes only, the first one small (scale 0.1)
            specs = [(0.1, 1.0), (s, 2.0), (s, 0.5)]
        else:
            specs = [(s, ar) for ar in aspect_ratios] + [(math.sqrt(s * s_next), interpolated_ratio)]
        for y in range(fm):  # row-major over the grid, boxes innermost: matches the
            for x in range(fm):  # NHWC reshape order of the box predictor outputs
                for scale, ar in specs:
                    out.append(((y + offset) / fm, (x + offset) / fm,
                                scale / math.sqrt(ar), scale * math.sqrt(ar)))
    return np.array(out, dtype=np.float32)


def same_pads(in_hw, k_hw, stride, dil):
    """TFLite SAME padding as explicit ONNX pads [top, left, bottom, right] (extra goes after)."""
    before, after = [], []
    for n, k, s, d in zip(in_hw, k_hw, stride, dil):
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        before.append(total // 2)
        after.append(total - total // 2)
    return before + after


def convert(tfl_path):
    m = Model(tfl_path)
    T = m.tensors
    nodes, inits = [], []
    const = {}   # tensor index -> float32 numpy (weights after DEQUANTIZE folding)
    name = {}    # tensor index -> ONNX value name
    nchw = set()  # ONNX value names that hold a 4-D activation in NCHW
    counter = [0]
    clip = {}

    def fresh(base):
        counter[0] += 1
        return f"{base}_{counter[0]}"

    def init(arr, base):
        n = fresh(base)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def as_nhwc(i):  # the value of tensor i in TFLite layout
        v = name[i]
        if v in nchw:
            out = fresh("to_nhwc")
            nodes.append(helper.make_node("Transpose", [v], [out], perm=[0, 2, 3, 1]))
            return out
        return v

    def activation(v, act, base):
        if act == "NONE":
            return v
        out = fresh(base + "_act")
        if act == "RELU6":
            if "relu6" not in clip:  # one pair of bound initializers shared by all Clips
                clip["relu6"] = [init(np.float32(0), "zero"), init(np.float32(6), "six")]
            nodes.append(helper.make_node("Clip", [v] + clip["relu6"], [out]))
        elif act == "RELU":
            nodes.append(helper.make_node("Relu", [v], [out]))
        else:
            raise NotImplementedError(f"fused activation {act}")
        return out

    (inp,) = m.inputs
    name[inp] = fresh("input_nchw")
    nodes.append(helper.make_node("Transpose", ["input"], [name[inp]], perm=[0, 3, 1, 2]))
    nchw.add(name[inp])
    for i, t in enumerate(T):  # constant tensors that feed ops directly (e.g. reshape shapes)
        if t["data"] is not None and t["dtype"] == np.float32:
            const[i] = t["data"]

    for k, op in enumerate(m.ops):
        kind, ins, outs, o = op["op"], op["inputs"], op["outputs"], op["opts"]
        base = f"{kind.lower()}_{k}"
        if kind == "DEQUANTIZE":  # float16 weights: fold now, never emitted as a node
            src = T[ins[0]]
            if src["data"] is None or src["quant"] is not None:
                raise NotImplementedError("DEQUANTIZE of a non-constant or int8 tensor")
            const[outs[0]] = src["data"].astype(np.float32)
            continue
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            x = name[ins[0]]
            assert x in nchw, "conv input expected in NCHW"
            w = const[ins[1]]  # CONV: [O,kh,kw,I]   DEPTHWISE: [1,kh,kw,C*mult]
            b = const[ins[2]] if len(ins) > 2 and ins[2] >= 0 else np.zeros(w.shape[0] if kind == "CONV_2D" else w.shape[3], np.float32)
            if kind == "CONV_2D":
                w_onnx, group = w.transpose(0, 3, 1, 2), 1          # -> [O,I,kh,kw]
            else:
                w_onnx, group = w.transpose(3, 0, 1, 2), T[ins[0]]["shape"][3]  # -> [C*mult,1,kh,kw]
            kh, kw = w.shape[1], w.shape[2]
            stride, dil = [o["stride_h"], o["stride_w"]], [o["dilation_h"], o["dilation_w"]]
            in_hw = T[ins[0]]["shape"][1:3]
            pads = same_pads(in_hw, (kh, kw), stride, dil) if o["padding"] == "SAME" else [0, 0, 0, 0]
            y = fresh(base)
            nodes.append(helper.make_node("Conv", [x, init(w_onnx, base + "_w"), init(b, base + "_b")], [y],
                                          kernel_shape=[kh, kw], strides=stride, dilations=dil,
                                          pads=pads, group=group))
            y = activation(y, o["act"], base)
            nchw.add(y)
        elif kind == "ADD":
            a, b = name[ins[0]], name[ins[1]]
            if (a in nchw) != (b in nchw):
                raise NotImplementedError("ADD mixing layouts")
            y = fresh(base)
            nodes.append(helper.make_node("Add", [a, b], [y]))
            y = activation(y, o["act"], base)
            if a in nchw:
                nchw.add(y)
        elif kind == "RESHAPE":
            # TFLite shapes were written for batch 1: make dim 0 "copy the input's batch" (0).
            shape = o.get("new_shape") or [int(v) for v in T[ins[1]]["data"]]
            assert shape[0] == 1 and T[ins[0]]["shape"][0] == 1, "reshape must keep the batch dim first"
            shape = [0] + list(shape[1:])
            y = fresh(base)
            nodes.append(helper.make_node("Reshape", [as_nhwc(ins[0]), init(np.array(shape, np.int64), "shape")], [y]))
        elif kind == "CONCATENATION":
            if all(name[i] in nchw for i in ins):
                axis = [0, 2, 3, 1][o["axis"] % 4]  # NHWC axis -> NCHW axis
                srcs = [name[i] for i in ins]
            else:
                axis, srcs = o["axis"], [as_nhwc(i) for i in ins]
            y = fresh(base)
            nodes.append(helper.make_node("Concat", srcs, [y], axis=axis))
            y = activation(y, o["act"], base)
            if all(name[i] in nchw for i in ins):
                nchw.add(y)
        else:
            raise NotImplementedError(f"TFLite op {kind} (op #{k})")
        name[outs[0]] = y

    outputs = []
    for out_name, i in zip(OUTPUT_NAMES, m.outputs):
        nodes.append(helper.make_node("Identity", [as_nhwc(i)], [out_name]))
        shp = T[i]["shape"]
        outputs.append(helper.make_tensor_value_info(out_name, TensorProto.FLOAT, ["batch"] + shp[1:]))
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch"] + T[inp]["shape"][1:])]
    graph = helper.make_graph(nodes, "ssd_mobilenet_v2_oid", inputs, outputs, inits)
    model = helper.make_model(graph, producer_name="vidflow-tflite2onnx",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7  # opset 13 era; readable by any ORT >= 1.6
    onnx.checker.check_model(model)
    return model, m


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    anchors_path = sys.argv[3] if len(sys.argv) == 4 else os.path.splitext(dst)[0] + ".anchors"
    model, m = convert(src)
    anchors = ssd_anchors()
    rows = m.tensors[m.outputs[0]]["shape"][1]
    if anchors.shape[0] != rows:
        sys.exit(f"anchor count {anchors.shape[0]} != model rows {rows}")
    for path, write in ((dst, lambda f: f.write(model.SerializeToString())),
                        (anchors_path, lambda f: f.write(anchors.astype("<f4").tobytes()))):
        tmp = path + ".tmp"  # atomic: a killed run never leaves a half-written file
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    print(f"wrote {dst} ({len(model.graph.node)} nodes, opset 13) and {anchors_path} ({rows} anchors)")


if __name__ == "__main__":
    main()
