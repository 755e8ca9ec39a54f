#!/usr/bin/env python3
"""End-to-end CPU figure of issue 8: file -> decode -> vfmux -> vfinfer -> fakesink against
min(decode-only fps, bare ONNX Runtime fps at the same batch size and threads), single stream
(batch 1) and 4 streams (batch 4).

Each round runs bench-pipeline (decode, infer, decode x4, infer x4 batch 4) and bench-infer (the
bare ORT loop at batch 1 and 4, same intra-op threads) back to back, alternating which goes first;
a round's ratio is end-to-end fps / min(decode fps, 1000 / bare ms per frame) of that round. The
figure is the median of the rounds' ratios, with their range; goal >= 0.85.

  e2e-ratio.py BENCH_PIPELINE BENCH_INFER [rounds] [threads]"""
import re
import statistics
import subprocess
import sys


def bench(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^BENCH (\S+) (\S+)", out, re.M)}


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    pipeline, infer = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    threads = sys.argv[4] if len(sys.argv) > 4 else "2"
    cmd_p = [pipeline, "-r", "1", "-t", threads, "-p", "decode,infer,decode_x4,infer_x4_b4"]
    cmd_i = [infer, "-r", "1", "-t", threads]
    r1, r4 = [], []
    print(f"e2e-ratio: {rounds} rounds, {threads} threads")
    print(f"{'round':>5} {'decode':>8} {'bare b1':>8} {'infer':>8} {'ratio':>7}   "
          f"{'dec x4':>8} {'bare b4':>8} {'inf x4':>8} {'ratio':>7}")
    for r in range(rounds):
        if r % 2 == 0:
            p, i = bench(cmd_p), bench(cmd_i)
        else:
            i, p = bench(cmd_i), bench(cmd_p)
        bare1, bare4 = 1000 / i["infer-bare-b1"], 1000 / i["infer-bare-b4"]
        a = p["pipeline_infer_fps"] / min(p["pipeline_decode_fps"], bare1)
        b = p["pipeline_infer_x4_b4_fps"] / min(p["pipeline_decode_x4_fps"], bare4)
        r1.append(a)
        r4.append(b)
        print(f"{r:5d} {p['pipeline_decode_fps']:8.1f} {bare1:8.1f} {p['pipeline_infer_fps']:8.1f} "
              f"{a:6.3f}x   {p['pipeline_decode_x4_fps']:8.1f} {bare4:8.1f} "
              f"{p['pipeline_infer_x4_b4_fps']:8.1f} {b:6.3f}x", flush=True)
    for name, v in (("1stream_b1", r1), ("4streams_b4", r4)):
        print(f"{name}: median {statistics.median(v):.3f}x, range {min(v):.3f}..{max(v):.3f}")
        print(f"BENCH e2e_{name}_vs_min_decode_bare_ort {statistics.median(v):.3f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
