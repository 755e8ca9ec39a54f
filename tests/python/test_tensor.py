"""Tensor, as_tensor and Buffer: zero-copy both ways through DLPack (torch, numpy), the buffer
protocol, pickling, and the bad inputs."""

import gc
import pickle
import sys

import numpy as np
import pytest
import torch

import vidflow
from vidflow import Buffer, ColorFormat, as_tensor


def test_numpy_to_tensor_is_zero_copy():
    a = np.arange(2 * 4 * 3, dtype=np.uint8).reshape(2, 4, 3)
    t = as_tensor(a, "HWC")
    assert t.shape == (2, 4, 3) and t.strides == (12, 3, 1) and t.layout == "HWC"
    assert t.dtype == "uint8" and t.device == "cpu" and t.data_ptr == a.ctypes.data
    a[1, 2, 0] = 200  # the tensor sees the array's memory
    assert np.asarray(t)[1, 2, 0] == 200


def test_torch_both_ways_zero_copy():
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    t = as_tensor(x)
    assert t.dtype == "float32" and t.shape == (3, 4) and t.data_ptr == x.data_ptr()
    back = torch.utils.dlpack.from_dlpack(t)
    assert back.data_ptr() == x.data_ptr()
    back[0, 0] = 42.0
    assert x[0, 0].item() == 42.0
    n = np.from_dlpack(t)
    assert n.ctypes.data == x.data_ptr() and n[0, 0] == 42.0


def test_strided_views_keep_their_strides():
    a = np.arange(60, dtype=np.int16).reshape(6, 10)[::2, 1::3]
    t = as_tensor(a)
    assert t.shape == a.shape and t.strides == (20, 3) and not t.is_contiguous
    assert np.array_equal(np.from_dlpack(t), a)
    assert np.array_equal(np.asarray(t.clone()), a) and t.clone().is_contiguous


def test_any_dlpack_object_and_buffer_protocol():
    class Producer:
        def __init__(self):
            self.a = np.ones((2, 3), np.float64)

        def __dlpack__(self, stream=None):
            return self.a.__dlpack__()

        def __dlpack_device__(self):
            return (1, 0)

    assert as_tensor(Producer()).dtype == "float64"
    ro = np.zeros((4, 5), np.uint8)
    ro.flags.writeable = False  # numpy's DLPack refuses read-only arrays: viewed instead
    t = as_tensor(ro)
    assert t.readonly and t.data_ptr == ro.ctypes.data
    assert memoryview(t).readonly
    assert as_tensor(bytearray(b"abc")).shape == (3,)


def test_memory_stays_alive_and_is_released():
    a = np.zeros((100, 100, 3), np.uint8)
    before = sys.getrefcount(a)
    t = as_tensor(a, "HWC")
    buf = t.wrap(ColorFormat.RGB)
    del t
    frame = buf.extract(0)
    del buf
    assert np.asarray(frame).shape == (100, 100, 3)  # the view keeps everything alive
    del frame
    gc.collect()
    assert sys.getrefcount(a) == before  # ... and lets go when the last view goes


def test_extract_is_a_read_only_view_and_clone_copies():
    a = np.full((8, 6, 3), 9, np.uint8)
    buf = as_tensor(a, "HWC").wrap(ColorFormat.RGB)
    view = buf.extract(0)
    assert view.readonly and view.color_format == ColorFormat.RGB and view.width == 6
    assert memoryview(view).readonly and not np.asarray(view).flags.writeable
    copy = view.clone()
    assert not copy.readonly and copy.data_ptr != view.data_ptr
    a[0, 0, 0] = 1
    assert np.asarray(view)[0, 0, 0] == 1 and np.asarray(copy)[0, 0, 0] == 9


def test_writable_request_on_a_view_is_refused():
    view = as_tensor(np.zeros((4, 4, 3), np.uint8), "HWC").wrap(ColorFormat.RGB).extract(0)
    import ctypes
    with pytest.raises((BufferError, TypeError), match="writable|read-only"):
        (ctypes.c_char * 48).from_buffer(view)


def test_pickle_round_trip_frames_and_tensors():
    frame = as_tensor(np.arange(48, dtype=np.uint8).reshape(4, 4, 3), "HWC").wrap(
        ColorFormat.RGB).extract(0)
    again = pickle.loads(pickle.dumps(frame))
    assert again.color_format == ColorFormat.RGB and again.shape == (4, 4, 3)
    assert np.array_equal(np.asarray(again), np.asarray(frame))
    nv12 = vidflow.Buffer(bytes(range(24)), format=ColorFormat.NV12, width=4, height=4).extract(0)
    again = pickle.loads(pickle.dumps(nv12))
    assert again.shape == (6, 4) and bytes(np.asarray(again).tobytes()) == bytes(range(24))
    f = as_tensor(np.linspace(0, 1, 10, dtype=np.float32))
    assert np.array_equal(np.asarray(pickle.loads(pickle.dumps(f))), np.asarray(f))


def test_wrap_bad_inputs():
    with pytest.raises(vidflow.Error, match="uint8"):
        as_tensor(np.zeros((4, 4, 3), np.float32), "HWC").wrap(ColorFormat.RGB)
    with pytest.raises(vidflow.Error, match="CHW"):
        as_tensor(np.zeros((3, 4, 4), np.uint8), "CHW").wrap(ColorFormat.RGB)
    with pytest.raises(ValueError, match="unknown colour format"):
        as_tensor(np.zeros((4, 4, 3), np.uint8), "HWC").wrap("YUV9")
    with pytest.raises(ValueError, match="HWC"):
        as_tensor(np.zeros((4, 4, 3), np.uint8), "WHC")
    with pytest.raises(vidflow.Error, match="3-D"):
        as_tensor(np.zeros((4, 4), np.uint8), "HWC")
    with pytest.raises(TypeError, match="as_tensor"):
        as_tensor(object())
    with pytest.raises(vidflow.Error, match="dtype"):
        as_tensor(np.zeros(3, np.uint64))  # through DLPack: vidflow has no uint64
    with pytest.raises(ValueError, match="element type"):
        as_tensor(memoryview(np.zeros(3, np.uint64)))  # through the buffer protocol


def test_error_codes():
    with pytest.raises(vidflow.Error) as info:
        as_tensor(np.zeros((4, 4, 3), np.float32), "HWC").wrap(ColorFormat.RGB)
    assert info.value.code == vidflow.ErrorCode.FORMAT


def test_buffer_forms():
    eos = Buffer()
    assert eos.empty and eos.batch_size == 0
    with pytest.raises(IndexError, match="0 frames"):
        eos.extract(0)
    b = Buffer([1, 2, 3])
    assert b.size == 3 and not b.empty
    with pytest.raises(ValueError, match="no format yet"):
        b.extract(0)
    rgb = Buffer(bytes(12), format=ColorFormat.RGB, width=2, height=2)
    assert rgb.format == ColorFormat.RGB and rgb.width == 2 and rgb.batch_size == 1
    with pytest.raises(IndexError):
        rgb.extract(1)
    with pytest.raises(vidflow.Error, match="needs 12 bytes"):
        Buffer(bytes(5), format="RGB", width=2, height=2)
    with pytest.raises(TypeError, match="list of ints"):
        Buffer(3.5)
    with pytest.raises(ValueError, match="range"):
        Buffer([1000])
    clone = rgb.clone()
    assert clone.extract(0).data_ptr != rgb.extract(0).data_ptr


def test_cuda_tensors():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device (this machine has no GPU): the kDLCUDA path of as_tensor / "
                    "__dlpack_device__ is exercised on a GPU machine only")
    x = torch.zeros((4, 4, 3), dtype=torch.uint8, device="cuda")
    t = as_tensor(x, "HWC")
    assert t.device == "cuda" and t.__dlpack_device__() == (2, x.device.index or 0)
    back = torch.utils.dlpack.from_dlpack(t)
    assert back.data_ptr() == x.data_ptr()
