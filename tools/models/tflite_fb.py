"""Minimal TFLite flatbuffer reader (only the schema fields vidflow's converters need).

Shared by tflite2onnx.py (converter) and tflite_reference.py (numpy interpreter).
Flatbuffer layout reminder: a table starts with an int32 soffset to its vtable
(vtable = table_pos - soffset); the vtable is [u16 vtable_size, u16 table_size,
u16 field_offset...]; offset 0 or beyond the vtable means "field absent, use the
default". Offsets to vectors/strings/sub-tables are uint32 relative to where
they are stored. Field numbers below follow tensorflow/lite/schema/schema.fbs.
"""
import struct

import numpy as np

# BuiltinOperator values (schema.fbs); only names, unknown ones print as numbers.
OPS = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D",
       4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC",
       17: "MAX_POOL_2D", 18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE",
       23: "RESIZE_BILINEAR", 25: "SOFTMAX", 32: "CUSTOM", 34: "PAD", 39: "TRANSPOSE",
       40: "MEAN", 41: "SUB", 43: "SQUEEZE", 49: "SPLIT", 83: "PACK"}
# TensorType -> numpy dtype
DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64,
          6: np.bool_, 7: np.int16, 9: np.int8}
ACT = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH"}
PADDING = {0: "SAME", 1: "VALID"}


class Table:
    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        self.vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vtsize = struct.unpack_from("<H", buf, self.vt)[0]

    def _field(self, i):
        o = 4 + 2 * i
        if o >= self.vtsize:
            return 0
        off = struct.unpack_from("<H", self.buf, self.vt + o)[0]
        return self.pos + off if off else 0

    def scalar(self, i, fmt, default=0):
        p = self._field(i)
        return struct.unpack_from("<" + fmt, self.buf, p)[0] if p else default

    def _deref(self, i):
        p = self._field(i)
        return p + struct.unpack_from("<I", self.buf, p)[0] if p else 0

    def table(self, i):
        p = self._deref(i)
        return Table(self.buf, p) if p else None

    def vector(self, i, fmt):  # vector of scalars -> numpy array (zero-copy view)
        p = self._deref(i)
        if not p:
            return None
        n = struct.unpack_from("<I", self.buf, p)[0]
        return np.frombuffer(self.buf, dtype=np.dtype("<" + fmt), count=n, offset=p + 4)

    def tables(self, i):  # vector of tables
        p = self._deref(i)
        if not p:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        return [Table(self.buf, p + 4 + 4 * k + struct.unpack_from("<I", self.buf, p + 4 + 4 * k)[0])
                for k in range(n)]

    def string(self, i):
        p = self._deref(i)
        if not p:
            return None
        n = struct.unpack_from("<I", self.buf, p)[0]
        return bytes(self.buf[p + 4:p + 4 + n]).decode()


def _options(op_name, t):
    """Builtin options of the ops we know, decoded by op type (the union type is implied)."""
    if t is None:
        return {}
    if op_name == "CONV_2D":
        return dict(padding=PADDING[t.scalar(0, "b")], stride_w=t.scalar(1, "i"),
                    stride_h=t.scalar(2, "i"), act=ACT[t.scalar(3, "b")],
                    dilation_w=t.scalar(4, "i", 1), dilation_h=t.scalar(5, "i", 1))
    if op_name == "DEPTHWISE_CONV_2D":
        return dict(padding=PADDING[t.scalar(0, "b")], stride_w=t.scalar(1, "i"),
                    stride_h=t.scalar(2, "i"), depth_multiplier=t.scalar(3, "i"),
                    act=ACT[t.scalar(4, "b")],
                    dilation_w=t.scalar(5, "i", 1), dilation_h=t.scalar(6, "i", 1))
    if op_name in ("ADD", "MUL", "SUB"):
        return dict(act=ACT[t.scalar(0, "b")])
    if op_name == "CONCATENATION":
        return dict(axis=t.scalar(0, "i"), act=ACT[t.scalar(1, "b")])
    if op_name == "RESHAPE":
        ns = t.vector(0, "i")
        return dict(new_shape=None if ns is None else [int(v) for v in ns])
    return {}


class Model:
    """model.tensors: list of dicts(name, shape, dtype, data or None, quant)
    model.ops: list of dicts(op, inputs, outputs, opts); model.inputs/outputs: tensor indices."""

    def __init__(self, path):
        with open(path, "rb") as f:
            buf = f.read()
        if buf[4:8] != b"TFL3":
            raise ValueError(f"{path}: not a TFLite file (no TFL3 identifier)")
        root = Table(buf, struct.unpack_from("<I", buf, 0)[0])
        self.version = root.scalar(0, "I")
        buffers = root.tables(4)
        # builtin_code (field 3, int32) superseded deprecated_builtin_code (field 0, int8);
        # old writers fill only the latter, new ones both: take the larger.
        codes = [max(c.scalar(0, "b"), c.scalar(3, "i")) for c in root.tables(1)]
        subgraphs = root.tables(2)
        if len(subgraphs) != 1:
            raise ValueError(f"expected 1 subgraph, found {len(subgraphs)}")
        sg = subgraphs[0]
        self.tensors = []
        for t in sg.tables(0):
            ttype = t.scalar(1, "b")
            shape = t.vector(0, "i")
            b = buffers[t.scalar(2, "I")]
            raw = b.vector(0, "B")
            if b.scalar(2, "Q"):  # data stored outside the flatbuffer (>2 GB models)
                raise ValueError("external buffers not supported")
            q = t.table(4)
            quant = None
            if q is not None and q.vector(2, "f") is not None and len(q.vector(2, "f")):
                quant = dict(scale=q.vector(2, "f"), zero_point=q.vector(3, "q"))
            shp = [] if shape is None else [int(v) for v in shape]
            data = None
            if raw is not None and len(raw):
                data = np.frombuffer(raw.tobytes(), dtype=DTYPES[ttype]).reshape(shp)
            self.tensors.append(dict(name=t.string(3), shape=shp, dtype=DTYPES[ttype],
                                     data=data, quant=quant))
        self.inputs = [int(v) for v in sg.vector(1, "i")]
        self.outputs = [int(v) for v in sg.vector(2, "i")]
        self.ops = []
        for o in sg.tables(3):
            code = codes[o.scalar(0, "I")]
            name = OPS.get(code, f"BUILTIN_{code}")
            self.ops.append(dict(op=name, inputs=[int(v) for v in o.vector(1, "i")],
                                 outputs=[int(v) for v in o.vector(2, "i")],
                                 opts=_options(name, o.table(4))))


if __name__ == "__main__":  # dump: python3 tflite_fb.py model.tflite
    import collections
    import sys
    m = Model(sys.argv[1])
    print("schema version", m.version, "tensors", len(m.tensors), "ops", len(m.ops))
    print("op types:", dict(collections.Counter(o["op"] for o in m.ops)))
    for i in m.inputs + m.outputs:
        t = m.tensors[i]
        print("io", i, t["name"], t["shape"], t["dtype"].__name__)
    if "-v" in sys.argv:
        for o in m.ops:
            print(o["op"], [(m.tensors[i]["name"], m.tensors[i]["shape"]) for i in o["inputs"] if i >= 0],
                  "->", [m.tensors[i]["shape"] for i in o["outputs"]], o["opts"])
