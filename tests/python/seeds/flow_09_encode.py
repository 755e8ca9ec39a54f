# Seed: Introduction to Flow APIs, Encode (block 9).
# Adapted: import from vidflow (the page's); the video path -> VIDEO (given by the test).
from vidflow import Flow, Pipeline
# streaming a udp stream via rtsp
pipeline=Pipeline("test")
video_file=VIDEO
Flow(pipeline).capture([video_file]).encode("output.mp4",sync=True)()
