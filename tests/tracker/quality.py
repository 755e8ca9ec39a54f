#!/usr/bin/python3
"""Tracking quality against ground truth: iou vs bytetrack per difficulty level.

For each level, mot_synth.py makes the sequences (ground truth and detections), mot-run pushes
them through vftracker (all sequences as the sources of one batch), once per algorithm with the
element's defaults otherwise, and mot_eval.py scores the tracks (MOTChallenge metrics, the
sequences combined). Prints a table, and with --bench one BENCH line per figure.

  quality.py MOT_RUN WORK_DIR [--levels easy,medium,hard] [--sequences N] [--frames T]
             [--seed S] [--check] [--bench]

--check fails (exit 1) unless, on medium, bytetrack's IDF1 is at least 0.9 and it has at most
half the ID switches of iou (the issue's goals). The defaults were tuned on seeds 10 and 11;
the suite and the benchmark use seed 1, which tuning never saw."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import numpy as np  # noqa: E402

    import mot_eval  # noqa: E402
    import mot_synth  # noqa: E402
except ImportError as e:
    print(f"skipped: {e}: apt-get install python3-numpy python3-scipy (tools/setup.sh)")
    sys.exit(77)

ALGORITHMS = ["iou", "bytetrack"]
GOAL_IDF1 = 0.9
GOAL_IDSW_RATIO = 0.5


def detector_stats(seq_dirs):
    """Recall and precision of the raw detections (confidence >= 0.5) at IoU 0.5."""
    gt_n = det_n = hit_gt = hit_det = 0
    for d in seq_dirs:
        gt = mot_eval.read_mot(os.path.join(d, "gt.txt"))
        dets = {}
        with open(os.path.join(d, "det.txt")) as f:
            for line in f:
                v = [float(x) for x in line.split(",")]
                if v[6] >= 0.5:
                    dets.setdefault(int(v[0]), []).append(tuple(v[2:6]))
        for t in set(gt) | set(dets):
            g = [b for _, b in gt.get(t, [])]
            r = dets.get(t, [])
            gt_n += len(g)
            det_n += len(r)
            if g and r:
                hit = mot_eval.iou_matrix(g, r) >= 0.5
                hit_gt += int(hit.any(1).sum())
                hit_det += int(hit.any(0).sum())
    return hit_gt / max(gt_n, 1), hit_det / max(det_n, 1)


def run_level(mot_run, work, level, args):
    seq_root = os.path.join(work, level)
    seq_dirs = [os.path.join(seq_root, f"seq{k}") for k in range(args.sequences)]
    mot_synth.main([seq_root, level, "--sequences", str(args.sequences), "--frames",
                    str(args.frames), "--seed", str(args.seed)])
    recall, precision = detector_stats(seq_dirs)
    rows = {}
    for alg in ALGORITHMS:
        out = os.path.join(work, f"res-{level}-{alg}")
        cmd = [mot_run, "--prop", f"algorithm={alg}", out] + seq_dirs
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"quality: {' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
        counts = [mot_eval.evaluate(mot_eval.read_mot(os.path.join(d, "gt.txt")),
                                    mot_eval.read_mot(os.path.join(out, os.path.basename(d) +
                                                                   ".txt")))
                  for d in seq_dirs]
        rows[alg] = mot_eval.combine(counts)
    return recall, precision, rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mot_run")
    ap.add_argument("work_dir")
    ap.add_argument("--levels", default="easy,medium,hard")
    ap.add_argument("--sequences", type=int, default=4)
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--bench", action="store_true")
    args = ap.parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    levels = args.levels.split(",")
    print(f"{args.sequences} sequences x {args.frames} frames per level (seed {args.seed}), "
          "batched as sources of one vftracker")
    print(f"{'level':7s} {'detector R/P':13s} {'tracker':10s} {'MOTA':>6s} {'MOTP':>6s} "
          f"{'IDF1':>6s} {'HOTA':>6s} {'IDSW':>5s} {'Frag':>5s} {'FP':>6s} {'FN':>6s} "
          f"{'ids':>8s}")
    results = {}
    for level in levels:
        recall, precision, rows = run_level(args.mot_run, args.work_dir, level, args)
        results[level] = rows
        for alg in ALGORITHMS:
            m = rows[alg]
            print(f"{level:7s} {recall:.2f}/{precision:.2f}    {alg:10s} {m['MOTA']:6.3f} "
                  f"{m['MOTP']:6.3f} {m['IDF1']:6.3f} {m['HOTA']:6.3f} {m['IDSW']:5d} "
                  f"{m['Frag']:5d} {m['FP']:6d} {m['FN']:6d} {m['res_ids']:4d}/{m['gt_ids']:<3d}")
            if args.bench:
                for k in ("MOTA", "IDF1", "HOTA"):
                    print(f"BENCH tracker_{level}_{alg}_{k.lower()} {m[k]:.3f} score")
                print(f"BENCH tracker_{level}_{alg}_idsw {m['IDSW']} switches")
        if args.bench:
            ratio = rows["bytetrack"]["IDSW"] / max(rows["iou"]["IDSW"], 1)
            print(f"BENCH tracker_{level}_idsw_bytetrack_vs_iou {ratio:.3f} x")
    with open(os.path.join(args.work_dir, "quality.json"), "w") as f:
        json.dump({lv: {a: {k: (float(v) if isinstance(v, (float, np.floating)) else v)
                            for k, v in m.items() if k in mot_eval.KEYS}
                        for a, m in r.items()} for lv, r in results.items()}, f, indent=1)
    if args.check:
        if "medium" not in results:
            sys.exit("quality: --check needs the medium level")
        bt, iou = results["medium"]["bytetrack"], results["medium"]["iou"]
        problems = []
        if bt["IDF1"] < GOAL_IDF1:
            problems.append(f"bytetrack IDF1 {bt['IDF1']:.3f} < {GOAL_IDF1}")
        if bt["IDSW"] > GOAL_IDSW_RATIO * iou["IDSW"]:
            problems.append(f"bytetrack has {bt['IDSW']} ID switches, iou {iou['IDSW']}: not "
                            f"at most {GOAL_IDSW_RATIO:.0%} of them")
        if problems:
            print("FAIL: " + "; ".join(problems))
            return 1
        print(f"PASS: medium: bytetrack IDF1 {bt['IDF1']:.3f} >= {GOAL_IDF1}, ID switches "
              f"{bt['IDSW']} vs iou {iou['IDSW']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
