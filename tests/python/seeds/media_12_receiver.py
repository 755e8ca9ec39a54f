# Seed: Media Extractor / Frame Selector guide, Part 2, Receiver constructor (block 12).
# Adapted: import from vidflow. buffer_retriever_instance is given by the test.
from vidflow import Receiver
receiver = Receiver("receiver-name", buffer_retriever_instance)
