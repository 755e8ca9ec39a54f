# Seed: Media Extractor / Frame Selector guide, quick start, extraction (block 2).
# Adapted: import from vidflow. Filled in: process_frame() (the reader's function, given by the
# test) and the "# ... add source and processing elements ..." placeholder (vfurisrcbin on
# VIDEO_URI, given by the test, then videoconvert to RGB, linked to the sink).
from vidflow import Pipeline, BufferRetriever, Receiver
import torch # pip install torch torchvision (not in base DS container)
class MyRetriever(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.count = 0
    def consume(self, buffer):
        tensor = buffer.extract(0).clone() # Always clone!
        torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
        # Your custom processing logic
        process_frame(torch_tensor) # Your function
        self.count += 1
        return 1 # Success
pipeline = Pipeline("extract-pipeline")
# ... add source and processing elements ...
pipeline.add("vfurisrcbin", "src", {"uri": VIDEO_URI})  # (filled in)
pipeline.add("videoconvert", "convert")  # (filled in)
pipeline.add("capsfilter", "caps", {"caps": "video/x-raw, format=RGB"})  # (filled in)
pipeline.add("appsink", "sink", {"emit-signals": True, "sync": False})
pipeline.link("src", "convert", "caps", "sink")  # (filled in)
pipeline.attach("sink", Receiver("receiver", MyRetriever()), tips="new-sample")
pipeline.start().wait()
