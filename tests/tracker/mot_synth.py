#!/usr/bin/python3
"""Synthetic multi-object sequences with known trajectories, and detections made from them, for
measuring trackers against ground truth (tests/tracker, bench/tracker).

A sequence is a 1280x720 street seen from above at an angle, 30 frames per second: people walk
at depths that set their size (farther is smaller), enter and leave at the edges, change speed
and direction (stop, accelerate, turn), cross each other in pairs at the same depth (the box of
one covers the other's), and pass behind pillars (static occluders, several seconds of partial
to full occlusion). The ground truth is every person at least 30% visible (pillars and nearer
people hide the farther ones) with at least half its box inside the frame, box clipped to it.

Detections are made from the ground truth at a difficulty level: each visible person is missed
with a probability that grows with occlusion; boxes are jittered; confidences are high, except
for a fraction of low-confidence true detections (more of them when occluded); false positives
(random boxes, mostly low confidence) and duplicate boxes are added.

  mot_synth.py OUT_DIR LEVEL [--sequences N] [--frames T] [--seed S]

writes OUT_DIR/seqK/gt.txt and det.txt (MOTChallenge text: frame from 1, id, left, top, width,
height, confidence, class, visibility) for K = 0..N-1. Levels: easy, medium, hard. The same
arguments always give the same files (numpy's seeded generator)."""
import argparse
import os
import sys

import numpy as np

W, H = 1280, 720
HORIZON = 0.30 * H  # feet of the farthest people
MIN_VISIBLE = 0.3
MIN_INSIDE = 0.5

LEVELS = {
    # people: how many walk through a sequence; crossings: pairs made to cross; pillars
    # miss: base probability of a missed detection; jitter: box noise, fraction of its size
    # low: fraction of true detections with a low confidence; fp: false positives per frame
    # dup: probability of a duplicate box on a person; turns: chance of a speed/direction change
    "easy": dict(people=10, crossings=2, pillars=1, miss=0.03, jitter=0.02, low=0.05, fp=0.2,
                 dup=0.0, turns=0.3),
    "medium": dict(people=18, crossings=4, pillars=1, miss=0.08, jitter=0.04, low=0.15, fp=0.5,
                   dup=0.02, turns=0.6),
    "hard": dict(people=28, crossings=6, pillars=3, miss=0.20, jitter=0.07, low=0.30, fp=2.0,
                 dup=0.05, turns=1.0),
}


def height_at(foot_y):
    """Box height of a person whose feet are at foot_y (perspective)."""
    f = np.clip((foot_y - HORIZON) / (H - HORIZON), 0.0, 1.0)
    return 50.0 + 150.0 * f


class Person:
    def __init__(self, start, positions):
        self.start = start          # first frame (0-based)
        self.pos = positions        # [n, 2] foot positions (x, y), one per frame from start

    def box(self, t):
        i = t - self.start
        if i < 0 or i >= len(self.pos):
            return None
        x, y = self.pos[i]
        h = height_at(y)
        w = 0.4 * h
        return np.array([x - w / 2, y - h, w, h])


def walk(rng, start_xy, velocity, frames, turns):
    """Foot positions of a walk: velocity changes at random times (stop, speed up, turn), each
    change blended over 10 frames."""
    pos = np.zeros((frames, 2))
    p = np.array(start_xy, dtype=float)
    v = np.array(velocity, dtype=float)
    target = v.copy()
    next_change = rng.integers(40, 120)
    for i in range(frames):
        pos[i] = p
        if turns > 0 and i == next_change:
            if rng.random() < turns:
                speed = rng.choice([0.0, rng.uniform(0.5, 2.0), rng.uniform(2.0, 6.0)])
                angle = np.arctan2(v[1], v[0]) + rng.uniform(-1.0, 1.0)
                target = speed * np.array([np.cos(angle), 0.5 * np.sin(angle)])
            next_change = i + rng.integers(40, 120)
        v += (target - v) * 0.1
        # people farther away move fewer pixels
        p = p + v * (height_at(p[1]) / 200.0)
        if not (-200 < p[0] < W + 200 and HORIZON - 50 < p[1] < H + 250):
            return pos[: i + 1]
    return pos


def entering(rng, frames):
    """A person walking in from the left or right edge (or already in view)."""
    foot = rng.uniform(HORIZON + 40, H - 10)
    speed = rng.uniform(1.5, 4.5)
    if rng.random() < 0.5:
        x, vx = -30.0, speed
    else:
        x, vx = W + 30.0, -speed
    vy = rng.uniform(-0.4, 0.4)
    return np.array([x, foot]), np.array([vx, vy])


def crossing_pair(rng, frames):
    """Two people at one depth walking at each other: (start frame, start, velocity) each, so
    that both reach the crossing point at the same frame."""
    foot = rng.uniform(HORIZON + 120, H - 20)
    cx = rng.uniform(0.3 * W, 0.7 * W)
    tc = int(rng.integers(60, max(61, frames - 60)))
    pair = []
    for sign in (1, -1):
        speed = rng.uniform(2.0, 4.0) * height_at(foot) / 200.0
        lead = int(rng.integers(40, 90))
        start = max(0, tc - lead)
        x0 = cx - sign * speed * (tc - start)
        dy = rng.uniform(-3, 3)  # a little depth offset: one passes in front
        pair.append((start, np.array([x0, foot + dy]), np.array([sign * speed * 200.0 /
                                                                height_at(foot), 0.0])))
    return pair


def visibility(box, nearer, pillars):
    """Fraction of box not covered by the nearer boxes and the pillars (sampled on a grid)."""
    gx = box[0] + (np.arange(8) + 0.5) / 8 * box[2]
    gy = box[1] + (np.arange(16) + 0.5) / 16 * box[3]
    X, Y = np.meshgrid(gx, gy)
    hidden = np.zeros(X.shape, dtype=bool)
    for o in list(nearer) + list(pillars):
        hidden |= (X >= o[0]) & (X < o[0] + o[2]) & (Y >= o[1]) & (Y < o[1] + o[3])
    return 1.0 - hidden.mean()


def clip(box):
    x0, y0 = max(box[0], 0.0), max(box[1], 0.0)
    x1, y1 = min(box[0] + box[2], W), min(box[1] + box[3], H)
    if x1 <= x0 or y1 <= y0:
        return None, 0.0
    c = np.array([x0, y0, x1 - x0, y1 - y0])
    return c, (c[2] * c[3]) / (box[2] * box[3])


def make_sequence(rng, level, frames):
    p = LEVELS[level]
    people = []
    for _ in range(p["crossings"]):
        for start, xy, v in crossing_pair(rng, frames):
            people.append(Person(start, walk(rng, xy, v, frames - start, 0.0)))
    while len(people) < p["people"]:
        start = 0 if rng.random() < 0.3 else int(rng.integers(0, int(0.7 * frames)))
        xy, v = entering(rng, frames)
        if start == 0:
            xy = np.array([rng.uniform(100, W - 100), xy[1]])
        people.append(Person(start, walk(rng, xy, v, frames - start, p["turns"])))
    pillars = []
    for k in range(p["pillars"]):
        pw = rng.uniform(50, 110)
        px = (k + 0.5) / p["pillars"] * W + rng.uniform(-150, 150)
        pillars.append(np.array([px, HORIZON - 60, pw, H - HORIZON + 60]))

    gt, det = [], []
    for t in range(frames):
        boxes = [(i, b) for i, b in ((i, q.box(t)) for i, q in enumerate(people)) if b is not None]
        # nearer people (feet lower in the picture) hide farther ones
        feet = {i: b[1] + b[3] for i, b in boxes}
        visible = []
        for i, b in boxes:
            nearer = [c for j, c in boxes if feet[j] > feet[i]]
            vis = visibility(b, nearer, pillars)
            c, inside = clip(b)
            if c is None or inside < MIN_INSIDE or vis < MIN_VISIBLE:
                continue
            gt.append((t + 1, i + 1, c, vis))
            visible.append((c, vis))
        for c, vis in visible:
            p_det = (1 - p["miss"]) * min(1.0, (vis - 0.15) / 0.35)
            if rng.random() >= p_det:
                continue
            for dup in (False, True):
                if dup and rng.random() >= p["dup"]:
                    break
                j = p["jitter"] * (2.0 if dup else 1.0)
                cx = c[0] + c[2] / 2 + rng.normal(0, j * c[2])
                cy = c[1] + c[3] / 2 + rng.normal(0, j * c[3])
                bw = c[2] * np.exp(rng.normal(0, j))
                bh = c[3] * np.exp(rng.normal(0, j))
                b, _ = clip(np.array([cx - bw / 2, cy - bh / 2, bw, bh]))
                if b is None:
                    continue
                low = rng.random() < p["low"] or (vis < 0.7 and rng.random() < 0.5)
                conf = rng.uniform(0.12, 0.5) if low else rng.uniform(0.55, 0.98)
                det.append((t + 1, b, conf * (0.6 if dup else 1.0)))
        for _ in range(rng.poisson(p["fp"])):
            h = rng.uniform(40, 180)
            w = h * rng.uniform(0.3, 0.6)
            b, _ = clip(np.array([rng.uniform(0, W - w), rng.uniform(0, H - h), w, h]))
            if b is None:
                continue
            conf = rng.uniform(0.1, 0.45) if rng.random() < 0.75 else rng.uniform(0.45, 0.75)
            det.append((t + 1, b, conf))
    return gt, det


def write(out_dir, gt, det):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "gt.txt"), "w") as f:
        for t, i, b, vis in gt:
            f.write(f"{t},{i},{b[0]:.2f},{b[1]:.2f},{b[2]:.2f},{b[3]:.2f},1,1,{vis:.3f}\n")
    with open(os.path.join(out_dir, "det.txt"), "w") as f:
        for t, b, conf in det:
            f.write(f"{t},-1,{b[0]:.2f},{b[1]:.2f},{b[2]:.2f},{b[3]:.2f},{conf:.4f},1,1\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("level", choices=sorted(LEVELS))
    ap.add_argument("--sequences", type=int, default=4)
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--seed", type=int, default=10)
    a = ap.parse_args(argv)
    for k in range(a.sequences):
        rng = np.random.default_rng([a.seed, sorted(LEVELS).index(a.level), k])
        gt, det = make_sequence(rng, a.level, a.frames)
        write(os.path.join(a.out_dir, f"seq{k}"), gt, det)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
