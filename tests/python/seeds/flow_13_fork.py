# Seed: Introduction to Flow APIs, Fork (block 13).
# Adapted: import from vidflow (the page's); the video path -> VIDEO_H265 and /tmp/sample.mp4 ->
# SAMPLE_MP4 (given by the test); the RTSP port 8554 -> 0 (any free port: tests run in
# parallel and must not collide).
from vidflow import Flow, Pipeline
# Initiate a pipeline to read a mp4 file
# transcode the video to both a local file and via rtsp
# at the same time, do the playback
pipeline=Pipeline("test")
dest="rtsp://localhost:0"
flow=Flow(pipeline).capture([VIDEO_H265]).batch().fork()
flow.encode(dest,sync=True)
flow.encode(SAMPLE_MP4)
flow.render(sync=True)
flow()
