# Seed: Media Extractor / Frame Selector guide, Part 1, Pattern 1: file-based custom video
# source (block 5).
# Adapted: import from vidflow; device='cpu' and no .cuda() (CPU build); caps without
# memory:NVMM; nvvideoconvert -> videoconvert (its NVIDIA memory properties nvbuf-memory-type and
# compute-hw dropped with it), nvstreammux -> vfmux, nvinfer -> vfinfer with CONFIG (given by the
# test: configs/ssd_mobilenet_v2_oid.yaml), nvosdbin -> vfosd, nv3dsink/nveglglessink ->
# fakesink.
from vidflow import Pipeline, BufferProvider, Feeder, as_tensor, ColorFormat, Buffer
import cv2 # pip install opencv-python-headless (not in base DS container)
import torch # pip install torch torchvision (not in base DS container)
import platform
class CustomVideoFileProvider(BufferProvider):
    def __init__(self, video_path):
        super().__init__()
        self.cap = cv2.VideoCapture(video_path)
        # Set buffer properties
        self.format = "RGB"
        self.width = int(self.cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self.cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.framerate = int(self.cap.get(cv2.CAP_PROP_FPS))
        self.device = 'cpu'
        self.frame_count = 0
    def generate(self, size):
        ret, frame = self.cap.read()
        if not ret:
            # End of video
            self.cap.release()
            return Buffer()
        # Convert BGR to RGB
        frame_rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        # Convert to torch tensor and move to GPU
        torch_tensor = torch.from_numpy(frame_rgb)
        # Convert to DeepStream tensor
        ds_tensor = as_tensor(torch_tensor, "HWC")
        self.frame_count += 1
        print(f"Generated frame {self.frame_count}")
        return ds_tensor.wrap(ColorFormat.RGB)
def main(video_path):
    pipeline = Pipeline("custom-video-source")
    # Create appsrc with appropriate capabilities
    caps = f"video/x-raw, format=RGB, width=1920, height=1080, framerate=30/1"
    pipeline.add("appsrc", "src", {
        "caps": caps,
        "do-timestamp": True,
        "format": 3 # GST_FORMAT_TIME
    })
    # Add processing elements
    pipeline.add("videoconvert", "convert", {
    })
    pipeline.add("capsfilter", "caps", {"caps": "video/x-raw, format=NV12"})
    pipeline.add("vfmux", "mux", {
        "batch-size": 1,
        "width": 1920,
        "height": 1080
    })
    # Add inference (optional)
    pipeline.add("vfinfer", "infer", {
        "config-file-path": CONFIG
    })
    # Add display
    pipeline.add("vfosd", "osd")
    sink_type = "fakesink" if platform.processor() == "aarch64" else "fakesink"
    pipeline.add(sink_type, "sink", {"sync": False})
    # Link elements
    pipeline.link("src", "convert")
    pipeline.link(("convert", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "infer", "osd", "sink")
    # Attach feeder to appsrc
    provider = CustomVideoFileProvider(video_path)
    pipeline.attach("src", Feeder("feeder", provider), tips="need-data/enough-data")
    # Start pipeline
    pipeline.start().wait()
if __name__ == "__main__":
    import sys
    main(sys.argv[1])
