# Seed: Media Extractor / Frame Selector guide, Part 1, injection from several sources (block 9).
# Adapted: import from vidflow; device='cpu' and no .cuda() (CPU build); caps without
# memory:NVMM; nvvideoconvert -> videoconvert (nvbuf-memory-type dropped with it), nvstreammux ->
# vfmux, nvinfer -> vfinfer with CONFIG (given by the test), nvmultistreamtiler -> vftiler,
# nvosdbin -> vfosd, nveglglessink -> fakesink.
from vidflow import Pipeline, BufferProvider, Feeder, as_tensor, ColorFormat, Buffer
import cv2 # pip install opencv-python-headless (not in base DS container)
import torch # pip install torch torchvision (not in base DS container)
class MultiSourceProvider(BufferProvider):
    def __init__(self, source_id, video_path):
        super().__init__()
        self.source_id = source_id
        self.cap = cv2.VideoCapture(video_path)
        self.format = "RGB"
        self.width = 1280
        self.height = 720
        self.framerate = 30
        self.device = 'cpu'
    def generate(self, size):
        ret, frame = self.cap.read()
        if not ret:
            return Buffer()
        # Resize to common size
        frame = cv2.resize(frame, (self.width, self.height))
        frame_rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        torch_tensor = torch.from_numpy(frame_rgb)
        ds_tensor = as_tensor(torch_tensor, "HWC")
        return ds_tensor.wrap(ColorFormat.RGB)
def multi_source_injection(video_paths):
    pipeline = Pipeline("multi-source-injection")
    # Create multiple appsrc elements
    for i, path in enumerate(video_paths):
        caps = "video/x-raw, format=RGB, width=1280, height=720, framerate=30/1"
        pipeline.add("appsrc", f"src{i}", {"caps": caps, "do-timestamp": True})
        pipeline.add("videoconvert", f"convert{i}", {})
    # Add muxer
    pipeline.add("vfmux", "mux", {
        "batch-size": len(video_paths),
        "width": 1280,
        "height": 720
    })
    # Add inference and display
    pipeline.add("vfinfer", "infer", {"config-file-path": CONFIG})
    pipeline.add("vftiler", "tiler", {"rows": 2, "columns": 2})
    pipeline.add("vfosd", "osd")
    pipeline.add("fakesink", "sink")
    # Link sources to muxer
    for i in range(len(video_paths)):
        pipeline.link(f"src{i}", f"convert{i}")
        pipeline.link((f"convert{i}", "mux"), ("", "sink_%u"))
        # Attach feeder
        provider = MultiSourceProvider(i, video_paths[i])
        pipeline.attach(f"src{i}", Feeder(f"feeder{i}", provider), tips="need-data/enough-data")
    # Link processing chain
    pipeline.link("mux", "infer", "tiler", "osd", "sink")
    pipeline.start().wait()
