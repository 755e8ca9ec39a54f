"""The seed's multiprocess transfer between two Python processes over ipc:// (issue 13 with the
transport of issue 15): examples/python/ipc_transfer.py runs decode + detect in one process and
receives in another; every frame and its detections must arrive, and the encoded output must
hold every frame."""

import os
import subprocess
import sys

import pytest

from conftest import CLIP_FRAMES, CONFIG, SOURCE_DIR, VTEST, opencv_frames, read_json_lines

EXAMPLE = SOURCE_DIR / "examples" / "python" / "ipc_transfer.py"


@pytest.fixture
def needs_footage():
    if not VTEST.exists():
        pytest.skip(f"{VTEST} missing: run tools/fetch-assets.sh")


def run_example(*args, env=None):
    return subprocess.run([sys.executable, str(EXAMPLE), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300)


def test_frames_and_detections_cross(needs_footage, media, tmp_path):
    out = tmp_path / "out.mp4"
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    r = run_example(CONFIG, media.clip, tmp_path, "--output", out, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    source = read_json_lines(tmp_path / "source.jsonl")
    dest = read_json_lines(tmp_path / "destination.jsonl")
    # two real processes, neither of them this one
    pids = {source[0]["pid"], dest[0]["pid"]}
    assert len(pids) == 2 and os.getpid() not in pids
    source, dest = source[1:], dest[1:]
    assert len(source) == CLIP_FRAMES
    assert sum(len(f["objects"]) for f in source) > 0  # the detector found something
    # every frame arrived, in order, with exactly the detections made in the other process
    assert dest == source
    assert len(opencv_frames(out)) == CLIP_FRAMES


def test_no_producer_is_a_clear_error(tmp_path):
    """The receiving side alone: the error names the endpoint, no hang."""
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    code = ("import ipc_transfer, vidflow\n"
            "ipc_transfer.PEER_WAIT_MS = 200\n"
            "try:\n"
            "    ipc_transfer.destination_pipeline('nobody-here', '.', None)\n"
            "except vidflow.Error as e:\n"
            "    print('ERROR:', e)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=dict(
        env, PYTHONPATH=os.pathsep.join([str(EXAMPLE.parent), env.get("PYTHONPATH", "")])),
        capture_output=True, text=True, timeout=120)
    assert "ERROR:" in r.stdout, r.stdout + r.stderr
    assert "nobody-here" in r.stdout
