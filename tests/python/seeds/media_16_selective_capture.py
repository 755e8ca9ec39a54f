# Seed: Media Extractor / Frame Selector guide, Part 2, Pattern 3: selective frame capture
# (block 16).
# Adapted: import from vidflow; nvurisrcbin -> vfurisrcbin, nvstreammux -> vfmux, nvinfer ->
# vfinfer. The converter after the muxer (nvvideoconvert + capsfilter RGB) needs a batch-aware
# converter that is not there yet: the muxer makes RGB itself ("format": "RGB") and the chain
# links infer to the sink.
from vidflow import Pipeline, BufferRetriever, Receiver, BatchMetadataOperator, Probe
import torch # pip install torch torchvision (not in base DS container)
import cv2 # pip install opencv-python-headless (not in base DS container)
import numpy as np
class SelectiveFrameCapture(BufferRetriever):
    def __init__(self, output_dir="./captured", min_objects=1):
        super().__init__()
        self.output_dir = output_dir
        self.min_objects = min_objects
        self.frame_count = 0
        self.saved_count = 0
        self.capture_next = False
        import os
        os.makedirs(output_dir, exist_ok=True)
    def set_capture_flag(self, should_capture):
        """Called by metadata probe to signal capture"""
        self.capture_next = should_capture
    def consume(self, buffer):
        tensor = buffer.extract(0).clone()
        if self.capture_next:
            # Save this frame
            torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
            frame_np = torch_tensor.cpu().numpy()
            frame_bgr = cv2.cvtColor(frame_np, cv2.COLOR_RGB2BGR)
            filename = f"{self.output_dir}/capture_{self.saved_count:06d}.jpg"
            cv2.imwrite(filename, frame_bgr)
            print(f"Captured frame {self.frame_count} with objects -> {filename}")
            self.saved_count += 1
            self.capture_next = False
        self.frame_count += 1
        return 1
class ObjectDetectionTrigger(BatchMetadataOperator):
    def __init__(self, frame_capture, min_objects=1):
        super().__init__()
        self.frame_capture = frame_capture
        self.min_objects = min_objects
    def handle_metadata(self, batch_meta):
        for frame_meta in batch_meta.frame_items:
            # Note: object_items is an ITERATOR - cannot use len() directly
            # Count by iterating
            obj_count = sum(1 for _ in frame_meta.object_items)
            if obj_count >= self.min_objects:
                # Signal frame capture to save this frame
                self.frame_capture.set_capture_flag(True)
                print(f"Detected {obj_count} objects, triggering capture")
def selective_capture(video_uri, config_path, output_dir):
    pipeline = Pipeline("selective-capture")
    # Source and muxer
    pipeline.add("vfurisrcbin", "src", {"uri": video_uri})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1920, "height": 1080, "format": "RGB"})
    # Inference
    pipeline.add("vfinfer", "infer", {"config-file-path": config_path})
    # Sink
    pipeline.add("appsink", "sink", {"emit-signals": True, "sync": False})
    # Link
    pipeline.link(("src", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "infer", "sink")
    # Attach frame capture
    frame_capture = SelectiveFrameCapture(output_dir, min_objects=2)
    pipeline.attach("sink", Receiver("receiver", frame_capture), tips="new-sample")
    # Attach metadata processor to trigger capture
    trigger = ObjectDetectionTrigger(frame_capture, min_objects=2)
    pipeline.attach("infer", Probe("trigger", trigger))
    pipeline.start().wait()
