# Seed: Media Extractor / Frame Selector guide, Part 1, best practices: error handling in a
# provider (block 10).
# Adapted: import from vidflow (the block has no imports: the guide's); device='cpu' and no
# .cuda() (CPU build).
from vidflow import BufferProvider, as_tensor, ColorFormat, Buffer
import torch
class SafeBufferProvider(BufferProvider):
    def __init__(self, source):
        super().__init__()
        self.source = source
        self.format = "RGB"
        self.width = 1280
        self.height = 720
        self.framerate = 30
        self.device = 'cpu'
    def generate(self, size):
        try:
            frame = self.source.get_frame()
            if frame is None:
                return Buffer()
            torch_tensor = torch.from_numpy(frame)
            ds_tensor = as_tensor(torch_tensor, "HWC")
            return ds_tensor.wrap(ColorFormat.RGB)
        except Exception as e:
            print(f"Error generating buffer: {e}")
            return Buffer() # Signal EOS on error
