# Seed: Introduction to Flow APIs, Decode (block 5).
# Adapted: import from vidflow (the page's); the JPEG path -> JPEG_FILE (given by the test: a
# 1280x720 JPEG like the sample's).
from vidflow import Pipeline, Flow, BufferProvider, Buffer
class JpegBufferProvider(BufferProvider):
    def __init__(self,file_path:str):
        super().__init__()
        self._file_path=file_path
        self.format="JPEG"
        self.width=1280
        self.height=720
        self.framerate=0
        self.count=0
        self.expected=255
    def generate(self,size):
        data=[]
        with open(self._file_path,"rb") as f:
            bytes=f.read()
            data=[int(b) for b in bytes]
        if self.count<self.expected:
            self.count+=1
        return Buffer() if self.count==self.expected else Buffer(data)
# decode jpeg from a binary buffer
jpeg_file=JPEG_FILE
Flow(Pipeline("test")).inject([JpegBufferProvider(jpeg_file)]).decode().render()()
