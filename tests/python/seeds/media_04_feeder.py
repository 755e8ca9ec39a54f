# Seed: Media Extractor / Frame Selector guide, Part 1, Feeder constructor (block 4).
# Adapted: import from vidflow. buffer_provider_instance is given by the test.
from vidflow import Feeder
feeder = Feeder("feeder-name", buffer_provider_instance)
