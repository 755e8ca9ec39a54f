#!/usr/bin/python3
"""MOTChallenge metrics of tracker output against ground truth: CLEAR MOT (MOTA, MOTP, ID
switches, fragmentation, mostly tracked / lost), identity (IDF1, IDP, IDR) and HOTA (with DetA,
AssA, LocA), following the definitions of the MOTChallenge benchmark as TrackEval computes them
(J. Luiten, TrackEval, 2020): Bernardin & Stiefelhagen 2008 (CLEAR), Ristani et al. 2016 (IDF1),
Luiten et al. 2021 (HOTA). Boxes match when their IoU is at least 0.5 (CLEAR, IDF1); HOTA averages
over IoU thresholds 0.05, 0.10, ..., 0.95. MOT17's preprocessing (distractor classes, ignore
regions) is not applied: every ground-truth box counts.

Files are MOTChallenge text: one box per line, "frame, id, left, top, width, height, ..." (frames
from 1; other columns ignored).

  mot_eval.py GT.txt RES.txt [GT2.txt RES2.txt ...]     # prints the metrics, combined
  mot_eval.py --json ...                                # as JSON

Also a module: evaluate(gt, res) with gt/res as {frame: [(id, (x, y, w, h)), ...]}, and combine().
Needs Debian's python3-numpy and python3-scipy (linear_sum_assignment: the Hungarian method)."""
import json
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

THRESHOLD = 0.5
ALPHAS = np.arange(0.05, 0.99, 0.05)
EPS = np.finfo("float").eps


def read_mot(path):
    """{frame: [(id, (x, y, w, h))]} from a MOTChallenge text file."""
    frames = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            v = line.replace(",", " ").split()
            if len(v) < 6:
                raise ValueError(f"{path}:{n}: expected frame, id, left, top, width, height")
            frames.setdefault(int(float(v[0])), []).append(
                (int(float(v[1])), tuple(float(x) for x in v[2:6])))
    return frames


def iou_matrix(a, b):
    """IoU of every box of a (n x 4, x y w h) with every box of b (m x 4)."""
    a = np.asarray(a, dtype=float).reshape(-1, 4)
    b = np.asarray(b, dtype=float).reshape(-1, 4)
    ax1, ay1, ax2, ay2 = a[:, 0:1], a[:, 1:2], a[:, 0:1] + a[:, 2:3], a[:, 1:2] + a[:, 3:4]
    bx1, by1, bx2, by2 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2, bx2) - np.maximum(ax1, bx1), 0, None)
    ih = np.clip(np.minimum(ay2, by2) - np.maximum(ay1, by1), 0, None)
    inter = iw * ih
    union = (a[:, 2:3] * a[:, 3:4]) + (b[:, 2] * b[:, 3]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(union > 0, inter / union, 0.0)
    return out


def _timesteps(gt, res):
    """Per frame: gt ids (dense indices), res ids (dense indices), similarity matrix."""
    gt_ids = sorted({i for boxes in gt.values() for i, _ in boxes})
    res_ids = sorted({i for boxes in res.values() for i, _ in boxes})
    gmap = {i: k for k, i in enumerate(gt_ids)}
    rmap = {i: k for k, i in enumerate(res_ids)}
    steps = []
    for t in sorted(set(gt) | set(res)):
        g = gt.get(t, [])
        r = res.get(t, [])
        for boxes, what in ((g, "ground truth"), (r, "results")):
            ids = [i for i, _ in boxes]
            if len(ids) != len(set(ids)):
                raise ValueError(f"frame {t}: an id appears twice in the {what}")
        gi = np.array([gmap[i] for i, _ in g], dtype=int)
        ri = np.array([rmap[i] for i, _ in r], dtype=int)
        sim = iou_matrix([b for _, b in g], [b for _, b in r]) if g and r else \
            np.zeros((len(g), len(r)))
        steps.append((gi, ri, sim))
    return len(gt_ids), len(res_ids), steps


def clear(n_gt, n_res, steps):
    """CLEAR MOT counts."""
    c = dict(GT=0, TP=0, FN=0, FP=0, IDSW=0, MOTP_sum=0.0, Frag=0, MT=0, PT=0, ML=0)
    prev_id = np.full(n_gt, np.nan)           # last matched result id, ever (ID switches)
    prev_step_id = np.full(n_gt, np.nan)      # matched result id in the previous frame
    gt_count = np.zeros(n_gt)
    matched_count = np.zeros(n_gt)
    frag_starts = np.zeros(n_gt)
    for gi, ri, sim in steps:
        c["GT"] += len(gi)
        if len(gi) == 0:
            c["FP"] += len(ri)
            prev_step_id[:] = np.nan
            continue
        gt_count[gi] += 1
        if len(ri) == 0:
            c["FN"] += len(gi)
            prev_step_id[:] = np.nan
            continue
        # keep last frame's pairs where possible (ID continuity first), then the best overlap
        score = 1000.0 * (ri[np.newaxis, :] == prev_step_id[gi][:, np.newaxis]) + sim
        score[sim < THRESHOLD - EPS] = 0
        rows, cols = linear_sum_assignment(-score)
        ok = score[rows, cols] > EPS
        rows, cols = rows[ok], cols[ok]
        mg, mr = gi[rows], ri[cols]
        prev = prev_id[mg]
        c["IDSW"] += int(np.sum(~np.isnan(prev) & (mr != prev)))
        c["TP"] += len(rows)
        c["FN"] += len(gi) - len(rows)
        c["FP"] += len(ri) - len(rows)
        c["MOTP_sum"] += float(np.sum(sim[rows, cols]))
        matched_count[mg] += 1
        was_untracked = np.isnan(prev_step_id)
        prev_id[mg] = mr
        prev_step_id[:] = np.nan
        prev_step_id[mg] = mr
        frag_starts += was_untracked & ~np.isnan(prev_step_id)
    present = gt_count > 0
    ratio = np.divide(matched_count, gt_count, out=np.zeros(n_gt), where=present)
    c["MT"] = int(np.sum(present & (ratio > 0.8)))
    c["ML"] = int(np.sum(present & (ratio < 0.2)))
    c["PT"] = int(np.sum(present)) - c["MT"] - c["ML"]
    c["Frag"] = int(np.sum(frag_starts[frag_starts > 0] - 1))
    return c


def identity(n_gt, n_res, steps):
    """IDF1 counts: the one-to-one match of whole trajectories that maximises the frames both
    agree on (IoU >= 0.5)."""
    together = np.zeros((n_gt, n_res))
    gt_count = np.zeros(n_gt)
    res_count = np.zeros(n_res)
    for gi, ri, sim in steps:
        gt_count[gi] += 1
        res_count[ri] += 1
        if len(gi) and len(ri):
            hit = sim >= THRESHOLD - EPS
            r, k = np.nonzero(hit)
            np.add.at(together, (gi[r], ri[k]), 1)
    idtp = 0.0
    if n_gt and n_res:
        rows, cols = linear_sum_assignment(-together)
        idtp = float(together[rows, cols].sum())
    n_g, n_r = float(gt_count.sum()), float(res_count.sum())
    return dict(IDTP=idtp, IDFN=n_g - idtp, IDFP=n_r - idtp)


def hota(n_gt, n_res, steps):
    """HOTA counts per alpha (TrackEval's algorithm)."""
    na = len(ALPHAS)
    potential = np.zeros((n_gt, n_res))
    gt_count = np.zeros((n_gt, 1))
    res_count = np.zeros((1, n_res))
    for gi, ri, sim in steps:
        gt_count[gi] += 1
        res_count[0, ri] += 1
        if len(gi) and len(ri):
            denom = sim.sum(0)[np.newaxis, :] + sim.sum(1)[:, np.newaxis] - sim
            soft = np.zeros_like(sim)
            mask = denom > EPS
            soft[mask] = sim[mask] / denom[mask]
            potential[gi[:, None], ri[None, :]] += soft
    alignment = potential / np.maximum(EPS, gt_count + res_count - potential)
    tp, fn, fp, loc = np.zeros(na), np.zeros(na), np.zeros(na), np.zeros(na)
    matches = [np.zeros((n_gt, n_res)) for _ in range(na)]
    for gi, ri, sim in steps:
        if len(gi) == 0:
            fp += len(ri)
            continue
        if len(ri) == 0:
            fn += len(gi)
            continue
        score = alignment[gi[:, None], ri[None, :]] * sim
        rows, cols = linear_sum_assignment(-score)
        for a, alpha in enumerate(ALPHAS):
            ok = sim[rows, cols] >= alpha - EPS
            r, k = rows[ok], cols[ok]
            tp[a] += len(r)
            fn[a] += len(gi) - len(r)
            fp[a] += len(ri) - len(r)
            loc[a] += float(np.sum(sim[r, k]))
            matches[a][gi[r], ri[k]] += 1
    ass = np.zeros(na)
    for a in range(na):
        m = matches[a]
        ass_a = m / np.maximum(1, gt_count + res_count - m)
        ass[a] = float(np.sum(m * ass_a))
    return dict(HOTA_TP=tp, HOTA_FN=fn, HOTA_FP=fp, LocA_sum=loc, AssA_sum=ass)


def evaluate(gt, res):
    """Counts of one sequence (combine() turns them into metrics)."""
    n_gt, n_res, steps = _timesteps(gt, res)
    out = clear(n_gt, n_res, steps)
    out.update(identity(n_gt, n_res, steps))
    out.update(hota(n_gt, n_res, steps))
    out["gt_ids"] = n_gt
    out["res_ids"] = n_res
    return out


def combine(counts):
    """Metrics of one or more sequences' counts (summed, as MOTChallenge combines sequences)."""
    s = {}
    for c in counts:
        for k, v in c.items():
            s[k] = s[k] + v if k in s else (v.copy() if isinstance(v, np.ndarray) else v)
    gt = max(s["GT"], 1)
    m = dict(s)
    m["MOTA"] = 1.0 - (s["FN"] + s["FP"] + s["IDSW"]) / gt
    m["MOTP"] = s["MOTP_sum"] / max(s["TP"], 1)
    m["IDF1"] = 2 * s["IDTP"] / max(2 * s["IDTP"] + s["IDFN"] + s["IDFP"], 1)
    m["IDP"] = s["IDTP"] / max(s["IDTP"] + s["IDFP"], 1)
    m["IDR"] = s["IDTP"] / max(s["IDTP"] + s["IDFN"], 1)
    tp, fn, fp = s["HOTA_TP"], s["HOTA_FN"], s["HOTA_FP"]
    det_a = tp / np.maximum(1, tp + fn + fp)
    ass_a = s["AssA_sum"] / np.maximum(1, tp)
    m["DetA"] = float(np.mean(det_a))
    m["AssA"] = float(np.mean(ass_a))
    m["HOTA"] = float(np.mean(np.sqrt(det_a * ass_a)))
    m["LocA"] = float(np.mean(np.maximum(EPS, s["LocA_sum"]) / np.maximum(EPS, tp)))
    for k in ("HOTA_TP", "HOTA_FN", "HOTA_FP", "LocA_sum", "AssA_sum", "MOTP_sum"):
        m.pop(k)
    return m


KEYS = ["MOTA", "MOTP", "IDF1", "IDP", "IDR", "HOTA", "DetA", "AssA", "LocA", "IDSW", "Frag",
        "FP", "FN", "TP", "GT", "MT", "PT", "ML", "gt_ids", "res_ids"]


def main(argv):
    as_json = "--json" in argv
    files = [a for a in argv if a != "--json"]
    if not files or len(files) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    counts = [evaluate(read_mot(files[i]), read_mot(files[i + 1]))
              for i in range(0, len(files), 2)]
    m = combine(counts)
    if as_json:
        print(json.dumps({k: m[k] for k in KEYS}))
    else:
        for k in KEYS:
            v = m[k]
            print(f"{k:8s} {v:.4f}" if isinstance(v, float) else f"{k:8s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
