# Seed: Introduction to Flow APIs, Capture (block 2).
# Adapted: import from vidflow (the page's); the video path -> VIDEO (given by the test).
from vidflow import Flow, Pipeline
# Flow for playback a mp4 video
video_file=VIDEO
Flow(Pipeline("playback")).capture([video_file]).render()()
