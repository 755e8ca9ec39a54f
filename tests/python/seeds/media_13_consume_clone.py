# Seed: Media Extractor / Frame Selector guide, Part 2, Buffer methods example (block 13): a
# consume() method on its own (the test makes it a BufferRetriever's). torch is the guide's.
import torch
def consume(self, buffer):
    # Extract and clone in one step
    tensor = buffer.extract(0).clone()
    # Now safe to use tensor asynchronously
    torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
    return 1
