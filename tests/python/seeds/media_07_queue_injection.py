# Seed: Media Extractor / Frame Selector guide, Part 1, Pattern 3: frame queue injection
# (block 7).
# Adapted: import from vidflow; device='cpu' (CPU build); caps without memory:NVMM;
# nvvideoconvert -> videoconvert (nvbuf-memory-type, an NVIDIA memory property, dropped with it),
# nvstreammux -> vfmux, nveglglessink -> fakesink.
# As written, the block links convert to caps and then convert to the muxer again: a converter
# has one source pad, so the second link fails (the test checks the error says so, then runs
# the graph the block means, caps -> mux, with pipeline_with_queue_injection_linked below).
from vidflow import Pipeline, BufferProvider, Feeder, as_tensor, ColorFormat, Buffer
from queue import Queue, Empty
import torch # pip install torch torchvision (not in base DS container)
class QueuedBufferProvider(BufferProvider):
    def __init__(self, frame_queue, width=1280, height=720):
        super().__init__()
        self.queue = frame_queue
        self.format = "RGB"
        self.width = width
        self.height = height
        self.framerate = 30
        self.device = 'cpu'
    def generate(self, size):
        try:
            # Wait up to 2 seconds for frame
            tensor = self.queue.get(timeout=2)
            # Convert DLPack tensor to PyTorch
            torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
            # Convert to DeepStream tensor
            ds_tensor = as_tensor(torch_tensor, "HWC")
            return ds_tensor.wrap(ColorFormat.RGB)
        except Empty:
            # Queue is empty, signal EOS
            print("Queue empty, ending stream")
            return Buffer()
def pipeline_with_queue_injection(frame_queue):
    pipeline = Pipeline("queue-injection")
    provider = QueuedBufferProvider(frame_queue, width=1280, height=720)
    caps = f"video/x-raw, format=RGB, width={provider.width}, height={provider.height}, framerate={provider.framerate}/1"
    pipeline.add("appsrc", "src", {"caps": caps, "do-timestamp": True})
    pipeline.add("videoconvert", "convert", {})
    pipeline.add("capsfilter", "caps", {"caps": "video/x-raw, format=NV12"})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1280, "height": 720})
    pipeline.add("fakesink", "sink", {"sync": False})
    pipeline.link("src", "convert", "caps")
    pipeline.link(("convert", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "sink")
    pipeline.attach("src", Feeder("feeder", provider), tips="need-data/enough-data")
    pipeline.start().wait()
# (not in the seed: the same with the muxer linked after the caps filter)
def pipeline_with_queue_injection_linked(frame_queue):
    pipeline = Pipeline("queue-injection")
    provider = QueuedBufferProvider(frame_queue, width=1280, height=720)
    caps = f"video/x-raw, format=RGB, width={provider.width}, height={provider.height}, framerate={provider.framerate}/1"
    pipeline.add("appsrc", "src", {"caps": caps, "do-timestamp": True})
    pipeline.add("videoconvert", "convert", {})
    pipeline.add("capsfilter", "caps", {"caps": "video/x-raw, format=NV12"})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1280, "height": 720})
    pipeline.add("fakesink", "sink", {"sync": False})
    pipeline.link("src", "convert", "caps")
    pipeline.link(("caps", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "sink")
    pipeline.attach("src", Feeder("feeder", provider), tips="need-data/enough-data")
    pipeline.start().wait()
