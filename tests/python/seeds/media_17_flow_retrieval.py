# Seed: Media Extractor / Frame Selector guide, Part 2, Flow API retrieval (block 17).
# Adapted: import from vidflow. batch_capture() batches with vfmux, whose frames keep the
# source's format (I420) by default; the RGB the block expects needs the batch-aware converter
# that is not there yet, so the muxer makes RGB itself: batch_capture([video_uri],
# format="RGB") (an override of vfmux's format).
from vidflow import Pipeline, Flow, BufferRetriever
import torch # pip install torch torchvision (not in base DS container)
import cv2 # pip install opencv-python-headless (not in base DS container)
import numpy as np
class SimpleFrameRetriever(BufferRetriever):
    def __init__(self, save_path="output.jpg"):
        super().__init__()
        self.save_path = save_path
        self.count = 0
    def consume(self, buffer):
        if self.count == 0: # Save first frame only
            tensor = buffer.extract(0).clone()
            torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
            frame_np = torch_tensor.cpu().numpy()
            frame_bgr = cv2.cvtColor(frame_np, cv2.COLOR_RGB2BGR)
            cv2.imwrite(self.save_path, frame_bgr)
            print(f"Saved frame to {self.save_path}")
        self.count += 1
        return 1
def flow_api_retrieval(video_uri):
    pipeline = Pipeline("flow-retrieval")
    retriever = SimpleFrameRetriever("output_frame.jpg")
    # Flow API: batch_capture() -> retrieve()
    flow = Flow(pipeline)
    flow.batch_capture([video_uri], format="RGB")
    flow.retrieve(retriever)
    flow()
