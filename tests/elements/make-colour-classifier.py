#!/usr/bin/python3
"""A tiny ONNX classifier for the element tests: the dominant colour of an image.

Input 'image' [1, 3, 16, 16] float (NCHW, RGB, pixel/255); output 'scores' [1, 3]: the mean of
each channel times 10 (softmax in the config turns them into confidences). Labels: red, green,
blue. Written with python3-onnx: usage make-colour-classifier.py OUT.onnx OUT.labels"""
import sys

import onnx
from onnx import TensorProto, helper

out_model, out_labels = sys.argv[1], sys.argv[2]
nodes = [
    helper.make_node("ReduceMean", ["image"], ["mean"], axes=[2, 3], keepdims=0),
    helper.make_node("Mul", ["mean", "ten"], ["scores"]),
]
graph = helper.make_graph(
    nodes, "colour",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 16, 16])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 3])],
    initializer=[helper.make_tensor("ten", TensorProto.FLOAT, [], [10.0])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, out_model)
with open(out_labels, "w") as f:
    f.write("red\ngreen\nblue\n")
