# Seed: Media Extractor / Frame Selector guide, Part 2, best practices (blocks 20-25, one
# after the other as the guide gives them). Each snippet is a function here so the test can run
# it in context: retriever snippets are consume() methods or classes, pipeline snippets take the
# pipeline they configure and the retriever they attach (the guide's context).
# Adapted: import from vidflow (the guide's).
from vidflow import BufferRetriever, Receiver
import torch

# block 20: always clone
def consume_clone(self, buffer):
    # ALWAYS clone to prevent data corruption
    tensor = buffer.extract(0).clone()
    # Now safe to use asynchronously
    return 1  # (the snippet ends at the comment; a consume() returns its status)

# block 21: new-sample and emit-signals (the guide attaches before adding; in a pipeline the
# appsink comes first, as the second line)
def attach_receiver(pipeline, retriever):
    # Enable signal emission on appsink
    pipeline.add("appsink", "sink", {"emit-signals": True})
    # Always use "new-sample" signal for appsink
    pipeline.attach("sink", Receiver("receiver", retriever), tips="new-sample")

# block 22: sync for extraction / for real time
def add_extraction_sink(pipeline):
    # For extraction, usually disable sync
    pipeline.add("appsink", "sink", {
        "emit-signals": True,
        "sync": False # Don't block on frame rate
    })

def add_realtime_sink(pipeline):
    # For real-time processing, enable sync
    pipeline.add("appsink", "sink", {
        "emit-signals": True,
        "sync": True # Maintain real-time pacing
    })

# block 23: error handling
def consume_errors(self, buffer):
    try:
        # Process buffer
        tensor = buffer.extract(0).clone()
        # ... processing ...
        return 1 # Success, continue processing
    except Exception as e:
        print(f"Error: {e}")
        return 0 # Error, but continue
        # return -1 # Fatal error, stop pipeline

# block 24: bounded buffering
class EfficientRetriever(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.frame_buffer = []
        self.max_buffer_size = 100
    def consume(self, buffer):
        tensor = buffer.extract(0).clone()
        # Limit buffer size to prevent memory issues
        if len(self.frame_buffer) >= self.max_buffer_size:
            self.frame_buffer.pop(0) # Remove oldest
        self.frame_buffer.append(tensor)
        return 1

# block 25: thread safety
import threading
class ThreadSafeRetriever(BufferRetriever):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.frame_count = 0
    def consume(self, buffer):
        with self.lock:
            tensor = buffer.extract(0).clone()
            # Safe concurrent access
            self.frame_count += 1
        return 1
