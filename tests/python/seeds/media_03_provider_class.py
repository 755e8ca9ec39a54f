# Seed: Media Extractor / Frame Selector guide, Part 1, BufferProvider API example (block 3).
# Adapted: import from vidflow; device='cpu' and no .cuda() (CPU build).
from vidflow import BufferProvider, as_tensor, ColorFormat, Buffer
import torch # pip install torch torchvision (not in base DS container)
class MyBufferProvider(BufferProvider):
    def __init__(self, video_source):
        super().__init__()
        self.source = video_source
        self.format = "RGB"
        self.width = 1920
        self.height = 1080
        self.framerate = 30
        self.device = 'cpu'
        self.frame_count = 0
    def generate(self, size):
        # Get frame from your custom source
        frame = self.source.get_next_frame()
        if frame is None:
            # Signal end of stream
            return Buffer()
        # Convert to torch tensor (on GPU if needed)
        torch_tensor = torch.from_numpy(frame)
        # Convert to DeepStream tensor format
        ds_tensor = as_tensor(torch_tensor, "HWC") # Height, Width, Channels
        # Wrap in buffer with color format
        buffer = ds_tensor.wrap(ColorFormat.RGB)
        self.frame_count += 1
        return buffer
