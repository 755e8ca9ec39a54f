# Seed: Media Extractor / Frame Selector guide, Part 2, BufferRetriever API example (block 11).
# Adapted: import from vidflow.
from vidflow import BufferRetriever
import torch # pip install torch torchvision (not in base DS container)
class MyBufferRetriever(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.frame_count = 0
    def consume(self, buffer):
        # Extract tensor from buffer at index 0
        tensor = buffer.extract(0)
        # Clone to prevent data loss
        tensor_copy = tensor.clone()
        # Convert to PyTorch for processing
        torch_tensor = torch.utils.dlpack.from_dlpack(tensor_copy)
        # Process the frame
        print(f"Received frame {self.frame_count}: shape={torch_tensor.shape}")
        self.frame_count += 1
        return 1 # Success
