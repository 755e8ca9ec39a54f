# Seed: Media Extractor / Frame Selector guide, quick start, injection (block 1).
# Adapted: import from vidflow; caps without memory:NVMM; device='cpu' and no .cuda() (CPU
# build). Filled in: get_custom_frame() (the reader's function, given by the test) and the
# "# ... add more elements ..." placeholder (a fakesink).
from vidflow import Pipeline, BufferProvider, Feeder, as_tensor, ColorFormat, Buffer
import torch # pip install torch torchvision (not in base DS container)
class MyProvider(BufferProvider):
    def __init__(self):
        super().__init__()
        self.format = "RGB"
        self.width = 1280
        self.height = 720
        self.framerate = 30
        self.device = 'cpu'
    def generate(self, size):
        # Your custom frame generation logic
        frame = get_custom_frame() # Your function
        if frame is None:
            return Buffer() # EOS
        torch_tensor = torch.from_numpy(frame)
        ds_tensor = as_tensor(torch_tensor, "HWC")
        return ds_tensor.wrap(ColorFormat.RGB)
pipeline = Pipeline("inject-pipeline")
caps = "video/x-raw, format=RGB, width=1280, height=720, framerate=30/1"
pipeline.add("appsrc", "src", {"caps": caps, "do-timestamp": True})
# ... add more elements ...
pipeline.add("fakesink", "sink")  # (filled in)
pipeline.link("src", "sink")  # (filled in)
pipeline.attach("src", Feeder("feeder", MyProvider()), tips="need-data/enough-data")
pipeline.start().wait()
