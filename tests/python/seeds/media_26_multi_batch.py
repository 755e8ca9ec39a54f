# Seed: Media Extractor / Frame Selector guide, Part 2, extraction from multi-stream batches
# (block 26).
# Adapted: imports from vidflow (the block has none: the guide's); nvurisrcbin -> vfurisrcbin,
# nvstreammux -> vfmux. The converter after the muxer needs a batch-aware converter that is not
# there yet: the muxer makes RGB itself ("format": "RGB") and links to the sink.
from vidflow import Pipeline, BufferRetriever, Receiver
import torch
class MultiBatchRetriever(BufferRetriever):
    def __init__(self, num_streams):
        super().__init__()
        self.num_streams = num_streams
        self.frame_counts = [0] * num_streams
    def consume(self, buffer):
        # Extract all streams in batch
        for stream_idx in range(self.num_streams):
            try:
                tensor = buffer.extract(stream_idx).clone()
                torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
                # Process each stream
                print(f"Stream {stream_idx}, Frame {self.frame_counts[stream_idx]}")
                self.frame_counts[stream_idx] += 1
            except Exception as e:
                print(f"Error extracting stream {stream_idx}: {e}")
        return 1
def multi_stream_extraction(video_uris):
    pipeline = Pipeline("multi-stream-extract")
    # Add sources
    for i, uri in enumerate(video_uris):
        pipeline.add("vfurisrcbin", f"src{i}", {"uri": uri})
    # Muxer for batching
    pipeline.add("vfmux", "mux", {
        "batch-size": len(video_uris),
        "width": 1280,
        "height": 720,
        "format": "RGB"
    })
    # Convert and extract
    pipeline.add("appsink", "sink", {"emit-signals": True, "sync": False})
    # Link sources to muxer
    for i in range(len(video_uris)):
        pipeline.link((f"src{i}", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "sink")
    # Attach multi-batch retriever
    retriever = MultiBatchRetriever(len(video_uris))
    pipeline.attach("sink", Receiver("receiver", retriever), tips="new-sample")
    pipeline.start().wait()
