# Seed: Introduction to Flow APIs, kwargs overrides (block 1).
# Adapted: import from vidflow (the page's); the video path -> VIDEO (given by the test).
from vidflow import Flow, Pipeline
video_file = VIDEO
# Create a capture flow on gpu 1
flow=Flow(Pipeline('caputure')).capture([video_file],gpu_id=1)
