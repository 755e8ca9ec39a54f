# Seed: Media Extractor / Frame Selector guide, Part 2, Pattern 2: frame queue transfer between
# two pipelines, in threads or in processes (block 15).
# Adapted: import from vidflow; device='cpu' (CPU build); caps without memory:NVMM;
# nvurisrcbin -> vfurisrcbin, nvstreammux -> vfmux, nvvideoconvert -> videoconvert
# (nvbuf-memory-type dropped with it), nvinfer -> vfinfer with CONFIG (given by the test),
# nvosdbin -> vfosd, nveglglessink -> fakesink. In source_pipeline the converter after the muxer
# needs a batch-aware converter that is not there yet: the muxer makes RGB itself
# ("format": "RGB") and links to the sink.
# As written, destination_pipeline links convert to caps2 and then convert to the muxer again,
# which fails (one source pad); the test checks that error and runs the transfer with
# destination_pipeline_linked (caps2 -> mux), appended below.
from vidflow import Pipeline, BufferRetriever, Receiver, BufferProvider, Feeder
import torch # pip install torch torchvision (not in base DS container)
from queue import Queue, Empty # Use for THREADING only!
# from multiprocessing import Queue # Use this for MULTIPROCESSING!
import threading
class QueuedRetriever(BufferRetriever):
    def __init__(self, frame_queue):
        super().__init__()
        self.queue = frame_queue
        self.count = 0
    def consume(self, buffer):
        # Extract and clone
        tensor = buffer.extract(0).clone()
        # Put in queue for other pipeline
        self.queue.put(tensor)
        self.count += 1
        print(f"Queued frame {self.count}")
        return 1
class QueuedProvider(BufferProvider):
    def __init__(self, frame_queue, width=1280, height=720):
        super().__init__()
        self.queue = frame_queue
        self.format = "RGB"
        self.width = width
        self.height = height
        self.framerate = 30
        self.device = 'cpu'
    def generate(self, size):
        try:
            tensor = self.queue.get(timeout=2)
            torch_tensor = torch.utils.dlpack.from_dlpack(tensor)
            from vidflow import as_tensor, ColorFormat
            ds_tensor = as_tensor(torch_tensor, "HWC")
            return ds_tensor.wrap(ColorFormat.RGB)
        except Empty:
            from vidflow import Buffer
            return Buffer()
def source_pipeline(uri, queue):
    """Extract frames from source and queue them"""
    pipeline = Pipeline("source-pipeline")
    pipeline.add("vfurisrcbin", "src", {"uri": uri})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1280, "height": 720, "format": "RGB"})
    pipeline.add("appsink", "sink", {"emit-signals": True, "sync": False})
    pipeline.link(("src", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "sink")
    retriever = QueuedRetriever(queue)
    pipeline.attach("sink", Receiver("receiver", retriever), tips="new-sample")
    pipeline.start().wait()
def destination_pipeline(queue):
    """Consume frames from queue and process"""
    pipeline = Pipeline("dest-pipeline")
    provider = QueuedProvider(queue, width=1280, height=720)
    caps = "video/x-raw, format=RGB, width=1280, height=720, framerate=30/1"
    pipeline.add("appsrc", "src", {"caps": caps, "do-timestamp": True})
    pipeline.add("videoconvert", "convert", {})
    pipeline.add("capsfilter", "caps2", {"caps": "video/x-raw, format=NV12"})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1280, "height": 720})
    pipeline.add("vfinfer", "infer", {"config-file-path": CONFIG})
    pipeline.add("vfosd", "osd")
    pipeline.add("fakesink", "sink")
    pipeline.link("src", "convert", "caps2")
    pipeline.link(("convert", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "infer", "osd", "sink")
    pipeline.attach("src", Feeder("feeder", provider), tips="need-data/enough-data")
    pipeline.start().wait()
def multi_pipeline_transfer(video_uri, use_multiprocessing=False):
    """
    Transfer frames between pipelines.
    IMPORTANT: Queue type must match execution model:
    - Threading: use queue.Queue
    - Multiprocessing: use multiprocessing.Queue
    Args:
    video_uri: Video source URI
    use_multiprocessing: If True, use processes (requires multiprocessing.Queue)
    """
    if use_multiprocessing:
        from multiprocessing import Queue as MPQueue, Process
        queue = MPQueue(maxsize=10) # MUST use multiprocessing.Queue!
        # Run pipelines in separate processes
        proc1 = Process(target=source_pipeline, args=(video_uri, queue))
        proc2 = Process(target=destination_pipeline, args=(queue,))
        proc1.start()
        proc2.start()
        proc2.join()
        proc1.join()
    else:
        # Threading approach - queue.Queue works fine here
        queue = Queue(maxsize=10)
        # Run both pipelines in threads (same process, shared memory)
        thread1 = threading.Thread(target=source_pipeline, args=(video_uri, queue))
        thread2 = threading.Thread(target=destination_pipeline, args=(queue,))
        thread1.start()
        thread2.start()
        thread2.join()
        thread1.join()
# (not in the seed: destination_pipeline with the muxer linked after caps2, and the transfer
# with it)
def destination_pipeline_linked(queue):
    pipeline = Pipeline("dest-pipeline")
    provider = QueuedProvider(queue, width=1280, height=720)
    caps = "video/x-raw, format=RGB, width=1280, height=720, framerate=30/1"
    pipeline.add("appsrc", "src", {"caps": caps, "do-timestamp": True})
    pipeline.add("videoconvert", "convert", {})
    pipeline.add("capsfilter", "caps2", {"caps": "video/x-raw, format=NV12"})
    pipeline.add("vfmux", "mux", {"batch-size": 1, "width": 1280, "height": 720})
    pipeline.add("vfinfer", "infer", {"config-file-path": CONFIG})
    pipeline.add("vfosd", "osd")
    pipeline.add("fakesink", "sink")
    pipeline.link("src", "convert", "caps2")
    pipeline.link(("caps2", "mux"), ("", "sink_%u"))
    pipeline.link("mux", "infer", "osd", "sink")
    pipeline.attach("src", Feeder("feeder", provider), tips="need-data/enough-data")
    pipeline.start().wait()
def multi_pipeline_transfer_linked(video_uri, use_multiprocessing=False):
    global destination_pipeline
    destination_pipeline = destination_pipeline_linked
    multi_pipeline_transfer(video_uri, use_multiprocessing == "mp" or use_multiprocessing is True)
