# Seed: Media Extractor / Frame Selector guide, Part 2, frames with metadata for analysis
# (block 18).
# Adapted: import from vidflow; nvurisrcbin -> vfurisrcbin, nvstreammux -> vfmux, nvinfer ->
# vfinfer. The converter after the muxer needs a batch-aware converter that is not there yet:
# the muxer makes RGB itself ("format": "RGB") and the chain links infer to the sink.
from vidflow import Pipeline, BufferRetriever, Receiver, BatchMetadataOperator, Probe
import torch # pip install torch torchvision (not in base DS container)
import json
from datetime import datetime
class FrameAnalyzer(BufferRetriever):
    def __init__(self, log_file="frame_analysis.json"):
        super().__init__()
        self.log_file = log_file
        self.frame_count = 0
        self.metadata_cache = {}
    def set_metadata(self, frame_num, metadata):
        """Called by metadata probe"""
        self.metadata_cache[frame_num] = metadata
    def consume(self, buffer):
        tensor = buffer.extract(0).clone()
        torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
        # Calculate frame statistics
        mean_intensity = torch_tensor.float().mean().item()
        std_intensity = torch_tensor.float().std().item()
        # Get metadata if available
        metadata = self.metadata_cache.get(self.frame_count, {})
        # Log analysis
        analysis = {
            "frame_number": self.frame_count,
            "timestamp": datetime.now().isoformat(),
            "mean_intensity": mean_intensity,
            "std_intensity": std_intensity,
            "shape": list(torch_tensor.shape),
            "objects_detected": metadata.get("object_count", 0),
            "object_classes": metadata.get("classes", [])
        }
        with open(self.log_file, "a") as f:
            f.write(json.dumps(analysis) + "\n")
        # Clear cached metadata
        if self.frame_count in self.metadata_cache:
            del self.metadata_cache[self.frame_count]
        self.frame_count += 1
        return 1
class MetadataExtractor(BatchMetadataOperator):
    def __init__(self, frame_analyzer):
        super().__init__()
        self.frame_analyzer = frame_analyzer
    def handle_metadata(self, batch_meta):
        for frame_meta in batch_meta.frame_items:
            # Note: object_items is an ITERATOR - convert to list if you need
            # to access it multiple times or use len()
            objects = list(frame_meta.object_items)
            metadata = {
                "object_count": len(objects),
                "classes": [obj.class_id for obj in objects],
                "confidences": [obj.confidence for obj in objects]
            }
            self.frame_analyzer.set_metadata(frame_meta.frame_number, metadata)
def analyze_frames(video_uri, config_path):
    pipeline = Pipeline("frame-analyzer")
    # Source
    pipeline.add("vfurisrcbin", "src", {"uri": video_uri})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1920, "height": 1080, "format": "RGB"})
    # Inference
    pipeline.add("vfinfer", "infer", {"config-file-path": config_path})
    # Convert and extract
    pipeline.add("appsink", "sink", {"emit-signals": True, "sync": False})
    # Link
    pipeline.link(("src", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "infer", "sink")
    # Attach analyzer
    analyzer = FrameAnalyzer("analysis_log.json")
    pipeline.attach("sink", Receiver("receiver", analyzer), tips="new-sample")
    # Attach metadata extractor
    extractor = MetadataExtractor(analyzer)
    pipeline.attach("infer", Probe("extractor", extractor))
    pipeline.start().wait()
