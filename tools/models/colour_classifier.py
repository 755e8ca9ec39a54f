#!/usr/bin/python3
"""Writes the colour classifier vidflow's test2 flow runs as its secondary model: the colour of
the middle of an object's box (a person's upper body, a car's body) as one of 8 named colours.

It is not trained: a small ONNX graph (python3-onnx) that averages the crop's pixels over the
rows 20%..55% and columns 25%..75% of the box (where a standing person's torso is) and scores
each named colour by minus its squared RGB distance to that mean, times 40; vfinfer's classifier
parser turns the scores into confidences with a softmax. What it says is what a person would
call the dominant colour there, within the crudeness of an RGB mean under the scene's light.

Input 'image' [batch, 3, 32, 32] float, RGB, pixel/255 (NCHW); output 'scores' [batch, 8].

  colour_classifier.py OUT.onnx OUT.labels"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# name: RGB in [0, 1], as these colours look on video (muted, not the pure primaries)
COLOURS = [
    ("black", (0.08, 0.08, 0.08)),
    ("grey", (0.45, 0.45, 0.45)),
    ("white", (0.85, 0.85, 0.85)),
    ("red", (0.65, 0.12, 0.12)),
    ("yellow", (0.80, 0.70, 0.15)),
    ("green", (0.15, 0.45, 0.20)),
    ("blue", (0.15, 0.25, 0.60)),
    ("brown", (0.40, 0.27, 0.15)),
]
SIZE = 32
ROWS = (int(0.20 * SIZE), int(0.55 * SIZE))
COLS = (int(0.25 * SIZE), int(0.75 * SIZE))
SHARPNESS = 40.0


def build():
    protos = np.array([c for _, c in COLOURS], dtype=np.float32)[np.newaxis]  # [1, K, 3]
    init = [
        numpy_helper.from_array(np.array([ROWS[0], COLS[0]], dtype=np.int64), "starts"),
        numpy_helper.from_array(np.array([ROWS[1], COLS[1]], dtype=np.int64), "ends"),
        numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "unsq"),
        numpy_helper.from_array(protos, "protos"),
        numpy_helper.from_array(np.array(-SHARPNESS, dtype=np.float32), "neg_k"),
    ]
    nodes = [
        helper.make_node("Slice", ["image", "starts", "ends", "axes"], ["middle"]),
        helper.make_node("ReduceMean", ["middle"], ["mean"], axes=[2, 3], keepdims=0),  # [N, 3]
        helper.make_node("Unsqueeze", ["mean", "unsq"], ["mean3"]),                      # [N, 1, 3]
        helper.make_node("Sub", ["mean3", "protos"], ["diff"]),                          # [N, K, 3]
        helper.make_node("Mul", ["diff", "diff"], ["sq"]),
        helper.make_node("ReduceSum", ["sq", "axes_c"], ["dist"], keepdims=0),           # [N, K]
        helper.make_node("Mul", ["dist", "neg_k"], ["scores"]),
    ]
    init.append(numpy_helper.from_array(np.array([2], dtype=np.int64), "axes_c"))
    graph = helper.make_graph(
        nodes, "colour",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", len(COLOURS)])],
        initializer=init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    onnx.save(build(), argv[0])
    with open(argv[1], "w") as f:
        f.write("".join(name + "\n" for name, _ in COLOURS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
