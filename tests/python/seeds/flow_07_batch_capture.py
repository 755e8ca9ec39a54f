# Seed: Introduction to Flow APIs, Batched Capture (block 7).
# Adapted: import from vidflow (the page's); the video path -> VIDEO (given by the test).
from vidflow import Flow, Pipeline
uri_list=[VIDEO]*4
# playback 4 mp4 videos at the same time
Flow(Pipeline("playback")).batch_capture(uri_list).render()()
