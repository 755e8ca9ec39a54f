# Seed: Media Extractor / Frame Selector guide, Part 2, Pattern 1: frame extraction and saving
# (block 14).
# Adapted: import from vidflow; nvurisrcbin -> vfurisrcbin, nvstreammux -> vfmux. The converter
# after the muxer (nvvideoconvert + capsfilter RGB) needs a batch-aware converter that is not
# there yet: the muxer makes RGB itself ("format": "RGB") and links to the sink.
from vidflow import Pipeline, BufferRetriever, Receiver
import torch # pip install torch torchvision (not in base DS container)
import cv2 # pip install opencv-python-headless (not in base DS container)
import numpy as np
import platform
from multiprocessing import Process
class FrameSaver(BufferRetriever):
    def __init__(self, output_dir="./frames", save_interval=30):
        super().__init__()
        self.output_dir = output_dir
        self.save_interval = save_interval
        self.frame_count = 0
        import os
        os.makedirs(output_dir, exist_ok=True)
    def consume(self, buffer):
        # Extract and clone buffer
        tensor = buffer.extract(0).clone()
        # Save every Nth frame
        if self.frame_count % self.save_interval == 0:
            # Convert to PyTorch tensor
            torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
            # Move to CPU and convert to numpy
            frame_np = torch_tensor.cpu().numpy()
            # Convert RGB to BGR for OpenCV
            frame_bgr = cv2.cvtColor(frame_np, cv2.COLOR_RGB2BGR)
            # Save frame
            filename = f"{self.output_dir}/frame_{self.frame_count:06d}.jpg"
            cv2.imwrite(filename, frame_bgr)
            print(f"Saved: {filename}")
        self.frame_count += 1
        return 1
def extract_frames(video_uri, output_dir):
    pipeline = Pipeline("frame-extractor")
    # Source
    pipeline.add("vfurisrcbin", "src", {"uri": video_uri})
    # Muxer
    pipeline.add("vfmux", "mux", {
        "batch-size": 1,
        "width": 1920,
        "height": 1080,
        "format": "RGB"
    })
    # Sink for extraction
    pipeline.add("appsink", "sink", {
        "emit-signals": True,
        "sync": False
    })
    # Link elements
    pipeline.link(("src", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "sink")
    # Attach retriever
    retriever = FrameSaver(output_dir, save_interval=30)
    pipeline.attach("sink", Receiver("receiver", retriever), tips="new-sample")
    # Run
    pipeline.start().wait()
if __name__ == "__main__":
    import sys
    process = Process(target=extract_frames, args=(sys.argv[1], "./output_frames"))
    try:
        process.start()
        process.join()
    except KeyboardInterrupt:
        process.terminate()
