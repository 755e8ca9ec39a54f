# Seed: Introduction to Flow APIs, Track (block 11).
# Adapted: import from vidflow (the page's); the video path -> VIDEO, the model configuration
# -> CONFIG, the tracker's files -> TRACKER_CONFIG and TRACKER_LIB (given by the test).
from vidflow import Flow, Pipeline
pgie_config=CONFIG
uri_list=[VIDEO]*4
# object detection and tracking using nvmultiobjecttracker for 4 streams
Flow(Pipeline("tracker")).batch_capture(uri_list).infer(pgie_config).track(ll_config_file=TRACKER_CONFIG,ll_lib_file=TRACKER_LIB).render()()
