# Seed: Media Extractor / Frame Selector guide, Part 1, Pattern 2: synthetic frame generation
# (block 6).
# Adapted: import from vidflow; device='cpu' and no .cuda() (CPU build); caps without
# memory:NVMM; nvvideoconvert -> videoconvert; nvv4l2h264enc -> x264enc, whose bitrate is in
# kbit/s (4000000 bit/s -> 4000).
from vidflow import Pipeline, BufferProvider, Feeder, as_tensor, ColorFormat, Buffer
import torch # pip install torch torchvision (not in base DS container)
import numpy as np
class SyntheticFrameProvider(BufferProvider):
    def __init__(self, num_frames=100, width=1280, height=720, fps=30):
        super().__init__()
        self.format = "RGB"
        self.width = width
        self.height = height
        self.framerate = fps
        self.device = 'cpu'
        self.num_frames = num_frames
        self.frame_idx = 0
    def generate(self, size):
        if self.frame_idx >= self.num_frames:
            return Buffer()
        # Generate synthetic frame (moving gradient)
        x = np.linspace(0, 255, self.width, dtype=np.uint8)
        y = np.linspace(0, 255, self.height, dtype=np.uint8)
        offset = (self.frame_idx * 5) % 255
        frame = np.zeros((self.height, self.width, 3), dtype=np.uint8)
        frame[:, :, 0] = (x + offset) % 255 # Red channel
        frame[:, :, 1] = (y + offset) % 255 # Green channel
        frame[:, :, 2] = 128 # Blue channel
        # Convert to torch and move to GPU
        torch_tensor = torch.from_numpy(frame)
        ds_tensor = as_tensor(torch_tensor, "HWC")
        self.frame_idx += 1
        return ds_tensor.wrap(ColorFormat.RGB)
def generate_test_video():
    pipeline = Pipeline("synthetic-video")
    provider = SyntheticFrameProvider(num_frames=300, width=1280, height=720, fps=30)
    caps = f"video/x-raw, format=RGB, width={provider.width}, height={provider.height}, framerate={provider.framerate}/1"
    pipeline.add("appsrc", "src", {"caps": caps, "do-timestamp": True})
    pipeline.add("videoconvert", "convert")
    pipeline.add("x264enc", "encoder", {"bitrate": 4000})
    pipeline.add("h264parse", "parser")
    pipeline.add("mp4mux", "mux")
    pipeline.add("filesink", "sink", {"location": "synthetic_output.mp4"})
    pipeline.link("src", "convert", "encoder", "parser", "mux", "sink")
    pipeline.attach("src", Feeder("feeder", provider), tips="need-data/enough-data")
    pipeline.start().wait()
