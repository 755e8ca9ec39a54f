"""vidflow: video-analytics pipelines on GStreamer, from Python.

The names and semantics of NVIDIA DeepStream Service Maker's Python API (pyservicemaker) over
libvidflow's C API: a Pipeline built element by element, the Flow API, frames injected with a
BufferProvider + Feeder and taken out with a BufferRetriever + Receiver, probes over batch /
frame / object metadata, and zero-copy tensors that cross into torch and numpy through DLPack.

    from vidflow import Pipeline, BufferRetriever, Receiver

    class Count(BufferRetriever):
        def __init__(self):
            super().__init__()
            self.frames = 0

        def consume(self, buffer):
            frame = buffer.extract(0)          # a read-only Tensor, no copy
            self.frames += 1
            return 1                           # 0: error, go on; -1: stop

    p = Pipeline("count")
    p.add("videotestsrc", "src", {"num-buffers": 30})
    p.add("appsink", "sink", {"sync": False})
    p.link("src", "sink")
    p.attach("sink", Receiver("receiver", Count()), tips="new-sample")
    p.start().wait()

Threads: generate(), consume() and the operators run on vidflow's threads, holding the GIL only
while Python code runs; Pipeline.wait() releases it and Ctrl-C interrupts it. An exception in a
callback is logged with its traceback on the "vidflow" logger and counted (Feeder.exceptions,
Receiver.exceptions, Probe.exceptions); in generate() it ends the stream with an error.
"""

from ._vidflow import (  # noqa: F401 (the public API)
    BatchMetadata,
    Buffer,
    Classification,
    ColorFormat,
    Error,
    ErrorCode,
    ExpiredError,
    Feeder,
    Flow,
    FrameMetadata,
    ObjectMetadata,
    Pipeline,
    Probe,
    Receiver,
    Rect,
    RenderMode,
    SourceInfo,
    Sources,
    Tensor,
    as_tensor,
    version,
)

__all__ = [
    "BatchMetadata", "BatchMetadataOperator", "Buffer", "BufferOperator", "BufferProvider",
    "BufferRetriever", "Classification", "ColorFormat", "Error", "ErrorCode", "ExpiredError",
    "Feeder", "Flow", "FrameMetadata", "ObjectMetadata", "Pipeline", "Probe", "Receiver", "Rect",
    "RenderMode", "SourceInfo", "Sources", "Tensor", "as_tensor", "version",
]


class BufferProvider:
    """Makes the buffers a Feeder pushes into an appsrc (the seed's BufferProvider).

    Set ``format`` ("RGB", "RGBA", "NV12", "GRAY", "I420", "JPEG", ...), ``width``, ``height``,
    ``framerate`` (30, 29.97, "30000/1001") and ``device`` ('cpu'; 'gpu' once CUDA frames are
    supported) before making the Feeder; fields left unset come from the appsrc's caps.
    ``generate(size)`` runs on the feeder's thread and returns a Buffer: a frame
    (``as_tensor(array, "HWC").wrap(ColorFormat.RGB)``, ``Buffer(bytes)``), or ``Buffer()`` to end
    the stream. An exception ends the stream with an error naming it.
    """

    def __init__(self):
        self.format = None
        self.width = 0
        self.height = 0
        self.framerate = 0
        self.device = "cpu"

    def generate(self, size):
        """Return the next Buffer (``size``: bytes of one frame of the negotiated caps)."""
        raise NotImplementedError("a BufferProvider implements generate(size)")


class BufferRetriever:
    """Receives the buffers reaching an appsink through a Receiver (the seed's BufferRetriever).

    ``consume(buffer)`` runs on the receiver's thread and returns 1 (ok), 0 (error, go on) or -1
    (stop the pipeline cleanly). The Buffer may be kept; ``buffer.extract(i)`` views frame i
    without copying, ``.clone()`` copies it.
    """

    def __init__(self):
        pass

    def consume(self, buffer):
        """Handle one buffer; return 1, 0 or -1."""
        raise NotImplementedError("a BufferRetriever implements consume(buffer)")


class BufferOperator:
    """A probe's buffer operator: ``handle_buffer(buffer)`` sees every buffer leaving the element
    (on its streaming thread) and returns False to drop it. The buffer is lent: valid during the
    call only."""

    def __init__(self):
        pass

    def handle_buffer(self, buffer):
        """Inspect or change the buffer; return False to drop it."""
        return True


class BatchMetadataOperator:
    """A probe's metadata operator: ``handle_metadata(batch_meta)`` sees the BatchMetadata of
    every batch leaving the element. ``batch_meta.frame_items`` iterates the frames,
    ``frame_meta.object_items`` the objects; ``n_frames`` / ``n_objects`` count without iterating.
    The batch and frame metadata are lent: valid during the call only (afterwards they raise
    ExpiredError); ObjectMetadata stays valid."""

    def __init__(self):
        pass

    def handle_metadata(self, batch_meta):
        """Read or change the batch's metadata."""
        raise NotImplementedError("a BatchMetadataOperator implements handle_metadata(batch_meta)")
