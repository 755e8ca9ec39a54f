# Seed: Introduction to Flow APIs, Batch (block 6).
# Adapted: import from vidflow (the page's); the video path -> VIDEO (given by the test).
from vidflow import Flow, Pipeline
uri_list=[VIDEO]*4
# playback all the source in a tiled display
Flow(Pipeline("playback")).capture(uri_list).batch().render()()
