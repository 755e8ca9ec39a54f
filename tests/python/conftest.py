"""pytest set-up for the vidflow Python module: where the data is, small inputs made once per run
(with GStreamer's own tools, not with the module under test), and the taps that count what
reaches a pipeline's sinks."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_DIR = pathlib.Path(os.environ.get("VIDFLOW_SOURCE_DIR", HERE.parent.parent))
DATA_DIR = pathlib.Path(os.environ.get("VIDFLOW_DATA_DIR", SOURCE_DIR / "data"))
CONFIG = SOURCE_DIR / "configs" / "ssd_mobilenet_v2_oid.yaml"
VTEST = DATA_DIR / "footage" / "vtest.avi"
VTEST_W, VTEST_H, VTEST_FPS = 768, 576, 10
sys.path.insert(0, str(HERE))

# Frames of vtest.avi in the small test clip (10 fps, 768x576, people and parked cars), and in
# the shorter one for blocks that play in real time (a window).
CLIP_FRAMES = 40
SHORT_FRAMES = 8


def gst_launch(description, timeout=120):
    """Run a gst-launch-1.0 pipeline (an independent tool: inputs never come from the module
    under test)."""
    subprocess.run(["gst-launch-1.0", "-q"] + description.split(), check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL)


class Media:
    """Small inputs, made on first use and kept for the session. The first frames of vtest.avi
    are read by OpenCV (FFmpeg) into a raw I420 file, which GStreamer's own tools encode: the
    frame count is exact. (`decodebin ! identity eos-after=N` is not: it lets one random later
    frame through, whose timestamp can even repeat an earlier one.)"""

    def __init__(self, folder):
        self.folder = folder

    def _raw_vtest(self, frames):
        """The first `frames` frames of vtest.avi as raw I420 (768x576); returns its
        rawvideoparse source description."""
        import cv2
        raw = self.folder / f"vtest_{frames}.i420"
        if not raw.exists():
            cap = cv2.VideoCapture(str(VTEST))
            with open(raw, "wb") as out:
                for _ in range(frames):
                    ok, frame = cap.read()
                    assert ok, "cannot read " + str(VTEST)
                    out.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
            cap.release()
        return (f"filesrc location={raw} blocksize={VTEST_W * VTEST_H * 3 // 2} "
                f"! rawvideoparse format=i420 width={VTEST_W} height={VTEST_H} "
                f"framerate={VTEST_FPS}/1")

    def _make(self, name, frames, encode):
        path = self.folder / name
        if not path.exists():
            gst_launch(f"{self._raw_vtest(frames)} ! {encode} ! filesink location={path}")
        return path

    @property
    def clip(self):
        """CLIP_FRAMES frames of vtest.avi as H.264 MP4 (768x576, 10 fps)."""
        return self._make("clip.mp4", CLIP_FRAMES,
                          "x264enc speed-preset=ultrafast ! h264parse ! mp4mux")

    @property
    def short_clip(self):
        """SHORT_FRAMES frames of vtest.avi as H.264 MP4."""
        return self._make("short.mp4", SHORT_FRAMES,
                          "x264enc speed-preset=ultrafast ! h264parse ! mp4mux")

    @property
    def clip_1080p(self):
        """12 frames of vtest.avi scaled to 1920x1080 at 30 fps (what the seed's 1080p input
        looks like), written by OpenCV (MJPEG in AVI)."""
        path = self.folder / "clip_1080p.avi"
        if not path.exists():
            import cv2
            cap = cv2.VideoCapture(str(VTEST))
            out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (1920, 1080))
            for _ in range(12):
                ok, frame = cap.read()
                assert ok, "cannot read " + str(VTEST)
                out.write(cv2.resize(frame, (1920, 1080)))
            out.release()
            cap.release()
        return path

    @property
    def clip_h265(self):
        """SHORT_FRAMES frames of vtest.avi as H.265 MP4, without B-frames (with them the
        decoder repeats the first timestamps, and what vfmux makes of those has no PTS, which
        mp4mux refuses: reported, not the Python module's)."""
        return self._make("clip_h265.mp4", SHORT_FRAMES,
                          "x265enc speed-preset=ultrafast option-string=bframes=0 ! h265parse "
                          "! mp4mux")

    @property
    def jpeg_720p(self):
        """A 1280x720 JPEG of vtest.avi's first frame (what the seed's sample_720p.jpg is)."""
        return self._make("sample_720p.jpg", 1, "videoconvert ! videoscale "
                          "! video/x-raw,width=1280,height=720 ! jpegenc")


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return Media(tmp_path_factory.mktemp("media"))


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in a fresh folder (the seeds write relative paths)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def opencv_frames(path):
    """Decode a video with OpenCV (FFmpeg): a second opinion on what vidflow wrote."""
    import cv2
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def have_display():
    return bool(os.environ.get("DISPLAY")) and shutil.which("Xvfb") is not None


def pytest_report_header(config):
    import vidflow
    return [f"vidflow {vidflow.version()} from {pathlib.Path(vidflow.__file__).parent}",
            f"display: {os.environ.get('DISPLAY') or 'none'}"]


def read_json_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
