# Seed: Introduction to Flow APIs, Render (block 8).
# Adapted: import from vidflow (the page's); the video path -> VIDEO (given by the test).
from vidflow import Flow, Pipeline, RenderMode
# discard the video frames
video_file=VIDEO
Flow(Pipeline("playback")).capture([video_file]).render(mode=RenderMode.DISCARD)()
