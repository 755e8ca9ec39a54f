# Seed: Introduction to Flow APIs, Infer (block 10).
# Adapted: import from vidflow (the page's); the video path -> VIDEO, the model configuration
# -> CONFIG (both given by the test: configs/ssd_mobilenet_v2_oid.yaml).
from vidflow import Flow, Pipeline
pgie_config=CONFIG
# object detection using resnet18 for 4 streams
uri_list=[VIDEO]*4
Flow(Pipeline("infer")).batch_capture(uri_list).infer(pgie_config).render()()
