"""Type hints of the vidflow package (the module is python/vidflow/*.c + __init__.py)."""

import enum
import os
from typing import Any, Iterator, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

PathLike = Union[str, "os.PathLike[str]"]
PropertyValue = Union[bool, int, float, str, PathLike]

class ColorFormat(enum.IntEnum):
    RGB = 1
    RGBA = 2
    BGR = 3
    BGRA = 4
    GRAY8 = 5
    GRAY = 5
    NV12 = 6
    I420 = 7
    JPEG = 8
    H264 = 9

class RenderMode(enum.IntEnum):
    DISPLAY = 0
    DISCARD = 1
    STREAM = 2

class ErrorCode(enum.IntEnum):
    FAILED = 0
    NOT_FOUND = 1
    PROPERTY = 2
    VALUE = 3
    LINK = 4
    STATE = 5
    STREAM = 6
    FORMAT = 7
    SIZE = 8
    ARGUMENT = 9
    UNSUPPORTED = 10
    INTERRUPTED = 11

class Error(RuntimeError):
    code: ErrorCode

class ExpiredError(Error): ...

class Rect(NamedTuple):
    left: float
    top: float
    width: float
    height: float

class Classification(NamedTuple):
    component_id: int
    class_id: int
    label: Optional[str]
    confidence: float

ColorFormatLike = Union[ColorFormat, str, int]

class Tensor:
    shape: Tuple[int, ...]
    strides: Tuple[int, ...]
    ndim: int
    dtype: str
    device: str
    device_id: int
    layout: Optional[str]
    color_format: Optional[ColorFormat]
    width: int
    height: int
    nbytes: int
    data_ptr: int
    readonly: bool
    is_contiguous: bool
    def clone(self) -> Tensor: ...
    def wrap(self, color_format: ColorFormatLike) -> Buffer: ...
    def save(self, path: PathLike, quality: int = 90) -> None: ...
    def __dlpack__(self, *, stream: Optional[int] = None) -> Any: ...
    def __dlpack_device__(self) -> Tuple[int, int]: ...

def as_tensor(data: Any, layout: Optional[str] = None) -> Tensor: ...

class Buffer:
    def __init__(self, data: Union[bytes, bytearray, memoryview, Sequence[int], None] = None,
                 format: Optional[ColorFormatLike] = None, width: int = 0, height: int = 0) -> None: ...
    batch_meta: Optional[BatchMetadata]
    batch_size: int
    format: Optional[ColorFormat]
    width: int
    height: int
    pts: Optional[int]
    empty: bool
    size: int
    def extract(self, index: int) -> Tensor: ...
    def clone(self) -> Buffer: ...

class ObjectMetadata:
    def __init__(self, **fields: Any) -> None: ...
    class_id: int
    label: Optional[str]
    confidence: float
    rect: Rect
    tracker_rect: Rect
    tracker_confidence: float
    object_id: Optional[int]
    component_id: int
    parent: Optional[ObjectMetadata]
    classifications: list[Classification]

class FrameMetadata:
    frame_number: int
    source_id: int
    pad_index: int
    batch_id: int
    buffer_pts: Optional[int]
    duration: Optional[int]
    running_time: Optional[int]
    source_width: int
    source_height: int
    width: int
    height: int
    n_objects: int
    sensor_id: Optional[str]
    sensor_name: Optional[str]
    content_rect: Rect
    object_items: Iterator[ObjectMetadata]
    valid: bool
    def append(self, obj: ObjectMetadata) -> None: ...
    def remove(self, obj: ObjectMetadata) -> None: ...

class BatchMetadata:
    frame_items: Iterator[FrameMetadata]
    n_frames: int
    max_frames: int
    valid: bool
    def frame(self, index: int) -> FrameMetadata: ...

class BufferProvider:
    format: Optional[Union[str, ColorFormat]]
    width: int
    height: int
    framerate: Union[int, float, str, Tuple[int, int]]
    device: str
    def generate(self, size: int) -> Buffer: ...

class BufferRetriever:
    def consume(self, buffer: Buffer) -> int: ...

class BufferOperator:
    def handle_buffer(self, buffer: Buffer) -> bool: ...

class BatchMetadataOperator:
    def handle_metadata(self, batch_meta: BatchMetadata) -> None: ...

class Feeder:
    def __init__(self, name: str, provider: BufferProvider, max_buffers: int = 4) -> None: ...
    name: str
    provider: BufferProvider
    pushed: int
    exceptions: int

class Receiver:
    def __init__(self, name: str, retriever: BufferRetriever, max_buffers: int = 4,
                 drop_oldest: bool = False) -> None: ...
    name: str
    retriever: BufferRetriever
    received: int
    consumed: int
    errors: int
    dropped: int
    exceptions: int

class Probe:
    def __init__(self, name: str,
                 operator: Union[BufferOperator, BatchMetadataOperator]) -> None: ...
    name: str
    operator: Union[BufferOperator, BatchMetadataOperator]
    seen: int
    dropped: int
    exceptions: int

class Pipeline:
    def __init__(self, name: str = "pipeline", config_file: Optional[PathLike] = None) -> None: ...
    name: str
    state: str
    elements: list[Tuple[str, Optional[str]]]  # (name, factory); None: no factory
    def add(self, factory: str, name: str,
            properties: Optional[Mapping[str, PropertyValue]] = None) -> Pipeline: ...
    def set(self, element: str, properties: Mapping[str, PropertyValue]) -> Pipeline: ...
    def get(self, element: str, property: str) -> Any: ...
    def link(self, *elements: Union[str, Tuple[str, str]]) -> Pipeline: ...
    def attach(self, element: str, what: Union[Feeder, Receiver, Probe, str],
               name: Optional[str] = None, tips: Optional[str] = None, pad: Optional[str] = None,
               **parameters: PropertyValue) -> Pipeline: ...
    def attach_sources(self, mux: str, *, max_sources: int = 0, keep_running: bool = False,
                       source_properties: Optional[Mapping[str, PropertyValue]] = None,
                       name_prefix: Optional[str] = None) -> Sources: ...
    def start(self) -> Pipeline: ...
    def wait(self) -> Pipeline: ...
    def run(self) -> Pipeline: ...
    def stop(self) -> Pipeline: ...
    def send_eos(self) -> Pipeline: ...
    def pause(self) -> Pipeline: ...
    def resume(self) -> Pipeline: ...

class SourceInfo(NamedTuple):
    sensor_id: str
    sensor_name: Optional[str]
    uri: str
    element: str
    source_id: int
    state: str  # 'STARTING', 'RUNNING' or 'ENDED'
    frames: int

class Sources:
    def add(self, uri: PathLike, sensor_id: str, sensor_name: Optional[str] = None) -> int: ...
    def remove(self, sensor_id: str) -> None: ...
    def list(self) -> list[SourceInfo]: ...
    def info(self, sensor_id: str) -> SourceInfo: ...
    def start_recording(self, sensor_id: str, seconds_before: int = 0,
                        duration: int = 0) -> int: ...
    def stop_recording(self, sensor_id: str, session: int = 0) -> None: ...
    def __len__(self) -> int: ...

class Flow:
    def __init__(self, pipeline: Optional[Pipeline] = None) -> None: ...
    pipeline: Pipeline
    def capture(self, uris: Union[Sequence[PathLike], PathLike],
                **overrides: PropertyValue) -> Flow: ...
    def inject(self, providers: Sequence[Union[BufferProvider, Feeder]],
               **overrides: PropertyValue) -> Flow: ...
    def batch_capture(self, uris_or_source_list: Union[Sequence[PathLike], PathLike],
                      **overrides: PropertyValue) -> Flow: ...
    def batch(self, batch_size: int = 0, width: int = 0, height: int = 0,
              **overrides: PropertyValue) -> Flow: ...
    def decode(self, **overrides: PropertyValue) -> Flow: ...
    def infer(self, config: PathLike, **overrides: PropertyValue) -> Flow: ...
    def track(self, ll_config_file: Optional[PathLike] = None,
              ll_lib_file: Optional[PathLike] = None, **overrides: PropertyValue) -> Flow: ...
    def attach(self, what: Union[Probe, BufferOperator, BatchMetadataOperator, str],
               name: Optional[str] = None, **parameters: PropertyValue) -> Flow: ...
    def fork(self, **overrides: PropertyValue) -> Flow: ...
    def retrieve(self, retriever: Union[BufferRetriever, str], name: Optional[str] = None,
                 **overrides: PropertyValue) -> Flow: ...
    def render(self, mode: RenderMode = RenderMode.DISPLAY,
               **overrides: PropertyValue) -> Flow: ...
    def encode(self, uri: PathLike, profile: int = 0, bitrate: int = 0, iframeinterval: int = 0,
               **overrides: PropertyValue) -> Flow: ...
    def publish(self, msg_broker_proto_lib: Optional[PathLike] = None,
                msg_broker_conn_str: str = ..., topic: Optional[str] = None,
                msg_conv_config: Optional[PathLike] = None,
                **overrides: PropertyValue) -> Flow: ...
    def start(self) -> Flow: ...
    def wait(self) -> Flow: ...
    def stop(self) -> Flow: ...
    def rtsp_url(self, index: int = 0) -> Optional[str]: ...
    def __call__(self) -> None: ...

def version() -> str: ...
