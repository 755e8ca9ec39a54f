# Seed: Introduction to Flow APIs, Retrieve (block 4).
# Adapted: import from vidflow; the video path -> VIDEO (given by the test).
# Read the decoded video buffers from a sample mp4 file
from vidflow import Pipeline,Flow,BufferRetriever
class MyBufferRetriever(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.frames=0
    def consume(self,buffer):
        tensor=buffer.extract(0)
        assert len(tensor.shape)==3
        self.frames+=1
        return 1
video_file=VIDEO
Flow(Pipeline("retrieve")).capture([video_file]).retrieve(MyBufferRetriever())()
