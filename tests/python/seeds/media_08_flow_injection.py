# Seed: Media Extractor / Frame Selector guide, Part 1, Flow API injection (block 8).
# Adapted: import from vidflow; device='cpu' and no .cuda() (CPU build); the model
# configuration "/path/to/config.yml" -> CONFIG (given by the test).
from vidflow import Pipeline, Flow, BufferProvider, ColorFormat, as_tensor, Buffer
import torch # pip install torch torchvision (not in base DS container)
import cv2 # pip install opencv-python-headless (not in base DS container)
class SimpleVideoProvider(BufferProvider):
    def __init__(self, video_path):
        super().__init__()
        self.cap = cv2.VideoCapture(video_path)
        self.format = "RGB"
        self.width = int(self.cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self.cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.framerate = int(self.cap.get(cv2.CAP_PROP_FPS))
        self.device = 'cpu'
    def generate(self, size):
        ret, frame = self.cap.read()
        if not ret:
            return Buffer()
        frame_rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        torch_tensor = torch.from_numpy(frame_rgb)
        ds_tensor = as_tensor(torch_tensor, "HWC")
        return ds_tensor.wrap(ColorFormat.RGB)
def flow_api_injection(video_path):
    pipeline = Pipeline("flow-injection")
    provider = SimpleVideoProvider(video_path)
    # Flow API: inject() -> infer() -> render()
    flow = Flow(pipeline)
    flow.inject([provider]) # Pass list of providers
    flow.infer(CONFIG) # Optional: add inference
    flow.render() # Add renderer
    flow() # Execute
