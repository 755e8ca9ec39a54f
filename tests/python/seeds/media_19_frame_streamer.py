# Seed: Media Extractor / Frame Selector guide, Part 2, streaming frames to an external system
# (block 19).
# Adapted: import from vidflow; nvurisrcbin -> vfurisrcbin, nvstreammux -> vfmux. The converter
# after the muxer needs a batch-aware converter that is not there yet: the muxer makes RGB
# itself ("format": "RGB") and links to the sink.
from vidflow import Pipeline, BufferRetriever, Receiver
import torch # pip install torch torchvision (not in base DS container)
import cv2 # pip install opencv-python-headless (not in base DS container)
import numpy as np
import base64
import requests
class FrameStreamer(BufferRetriever):
    def __init__(self, endpoint_url, stream_interval=1):
        super().__init__()
        self.endpoint_url = endpoint_url
        self.stream_interval = stream_interval
        self.frame_count = 0
    def consume(self, buffer):
        # Stream every Nth frame
        if self.frame_count % self.stream_interval == 0:
            tensor = buffer.extract(0).clone()
            torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
            frame_np = torch_tensor.cpu().numpy()
            # Encode as JPEG
            frame_bgr = cv2.cvtColor(frame_np, cv2.COLOR_RGB2BGR)
            _, jpeg_buffer = cv2.imencode('.jpg', frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
            # Encode as base64
            jpeg_base64 = base64.b64encode(jpeg_buffer).decode('utf-8')
            # Send to endpoint
            try:
                response = requests.post(
                    self.endpoint_url,
                    json={
                        "frame_number": self.frame_count,
                        "image": jpeg_base64
                    },
                    timeout=1
                )
                if response.status_code == 200:
                    print(f"Streamed frame {self.frame_count}")
            except Exception as e:
                print(f"Failed to stream frame {self.frame_count}: {e}")
        self.frame_count += 1
        return 1
def stream_frames(video_uri, endpoint_url):
    pipeline = Pipeline("frame-streamer")
    pipeline.add("vfurisrcbin", "src", {"uri": video_uri})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1280, "height": 720, "format": "RGB"})
    pipeline.add("appsink", "sink", {"emit-signals": True, "sync": False})
    pipeline.link(("src", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "sink")
    streamer = FrameStreamer(endpoint_url, stream_interval=10)
    pipeline.attach("sink", Receiver("receiver", streamer), tips="new-sample")
    pipeline.start().wait()
