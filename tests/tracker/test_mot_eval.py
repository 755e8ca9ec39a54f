#!/usr/bin/python3
"""Tests of mot_eval.py against small cases computed by hand (the numbers in the comments).

  test_mot_eval.py        (prints TAP; exit status 0 when every case passes)"""
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import mot_eval  # noqa: E402
except ImportError as e:  # numpy or scipy missing
    print(f"1..0 # SKIP {e}: apt-get install python3-numpy python3-scipy (tools/setup.sh)")
    sys.exit(0)

B = (0.0, 0.0, 10.0, 10.0)
FAR = (100.0, 0.0, 10.0, 10.0)


def metrics(gt, res):
    return mot_eval.combine([mot_eval.evaluate(gt, res)])


def close(a, b, tol=1e-6):
    return abs(a - b) <= tol


def case_perfect():
    gt = {t: [(1, B), (2, FAR)] for t in (1, 2, 3)}
    res = {t: [(10, B), (11, FAR)] for t in (1, 2, 3)}
    m = metrics(gt, res)
    assert m["TP"] == 6 and m["FN"] == 0 and m["FP"] == 0 and m["IDSW"] == 0, m
    assert close(m["MOTA"], 1) and close(m["MOTP"], 1) and close(m["IDF1"], 1), m
    assert close(m["HOTA"], 1) and m["Frag"] == 0 and m["MT"] == 2, m


def case_id_switch():
    # one object, 4 frames; the tracker calls it 7, then 8
    gt = {t: [(1, B)] for t in (1, 2, 3, 4)}
    res = {1: [(7, B)], 2: [(7, B)], 3: [(8, B)], 4: [(8, B)]}
    m = metrics(gt, res)
    assert m["IDSW"] == 1 and m["TP"] == 4 and m["Frag"] == 0, m
    assert close(m["MOTA"], 0.75), m                  # 1 - 1/4
    assert close(m["IDF1"], 0.5), m                   # IDTP 2, IDFN 2, IDFP 2: 4 / 8
    assert close(m["DetA"], 1) and close(m["AssA"], 0.5), m  # 2 * 2/4 over 4 TP
    assert close(m["HOTA"], math.sqrt(0.5)), m


def case_fragment():
    # one object, 5 frames; tracked with one id, missed in frame 3
    gt = {t: [(1, B)] for t in range(1, 6)}
    res = {t: [(3, B)] for t in (1, 2, 4, 5)}
    m = metrics(gt, res)
    assert m["TP"] == 4 and m["FN"] == 1 and m["IDSW"] == 0 and m["Frag"] == 1, m
    assert close(m["MOTA"], 0.8), m                   # 1 - 1/5
    assert close(m["IDF1"], 8 / 9), m                 # IDTP 4, IDFN 1, IDFP 0
    assert close(m["DetA"], 0.8) and close(m["AssA"], 0.8), m  # 4 / (5 + 4 - 4)
    assert close(m["HOTA"], 0.8), m


def case_overlap_and_false_positive():
    # IoU 100/120 and a false positive far away, one frame
    gt = {1: [(1, B)]}
    res = {1: [(5, (0.0, 0.0, 10.0, 12.0)), (6, FAR)]}
    m = metrics(gt, res)
    assert m["TP"] == 1 and m["FP"] == 1 and m["FN"] == 0, m
    assert close(m["MOTA"], 0) and close(m["MOTP"], 100 / 120), m
    assert close(m["IDF1"], 2 / 3), m                 # IDTP 1, IDFP 1
    # alphas 0.05..0.80 (16 of 19) match: DetA 1/2, AssA 1; 0.85..0.95 do not
    assert close(m["HOTA"], 16 * math.sqrt(0.5) / 19), m


def case_continuity():
    # frame 2: the boxes swap their best overlaps, but last frame's pairs still overlap >= 0.5
    g2 = (2.0, 0.0, 10.0, 10.0)  # IoU with B: 80/120
    gt = {1: [(1, B), (2, FAR)], 2: [(1, B), (2, g2)]}
    res = {1: [(7, B), (8, FAR)], 2: [(7, g2), (8, B)]}
    m = metrics(gt, res)
    assert m["IDSW"] == 0 and m["TP"] == 4, m
    assert close(m["MOTP"], (1 + 1 + 2 * 80 / 120) / 4), m


def case_identity_swap():
    # two objects 4 frames; from frame 3 the tracker swaps their ids
    gt = {t: [(1, B), (2, FAR)] for t in (1, 2, 3, 4)}
    res = {t: [(7, B), (8, FAR)] if t < 3 else [(7, FAR), (8, B)] for t in (1, 2, 3, 4)}
    m = metrics(gt, res)
    assert m["IDSW"] == 2, m
    assert close(m["MOTA"], 0.75), m                  # 1 - 2/8
    assert close(m["IDF1"], 0.5), m                   # best pairing agrees on 2 frames each
    # every (object, id) pair agrees on 2 frames of the 4 + 4 - 2 either has: AssA 1/3
    assert close(m["AssA"], 1 / 3) and close(m["HOTA"], math.sqrt(1 / 3)), m


def case_mostly_lost():
    gt = {t: [(1, B)] for t in range(1, 11)}
    res = {1: [(4, B)]}
    m = metrics(gt, res)
    assert m["ML"] == 1 and m["MT"] == 0 and m["PT"] == 0 and m["FN"] == 9, m
    assert close(m["MOTA"], 0.1), m


def case_combine_two_sequences():
    a = mot_eval.evaluate({1: [(1, B)], 2: [(1, B)]}, {1: [(1, B)], 2: [(2, B)]})
    b = mot_eval.evaluate({1: [(1, B)], 2: [(1, B)]}, {1: [(1, B)], 2: [(1, B)]})
    m = mot_eval.combine([a, b])
    assert m["IDSW"] == 1 and m["GT"] == 4 and close(m["MOTA"], 0.75), m
    assert close(m["IDF1"], (2 * 1 + 2 * 2) / 8), m   # IDTP 1 + 2, of 4 + 4 boxes


def case_bad_input():
    try:
        metrics({1: [(1, B), (1, FAR)]}, {})
    except ValueError as e:
        assert "twice" in str(e)
    else:
        raise AssertionError("an id twice in a frame was accepted")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("1, 2, 3\n")
    try:
        mot_eval.read_mot(f.name)
    except ValueError as e:
        assert ":1:" in str(e), e
    else:
        raise AssertionError("a short line was accepted")
    finally:
        os.unlink(f.name)


CASES = [case_perfect, case_id_switch, case_fragment, case_overlap_and_false_positive,
         case_continuity, case_identity_swap, case_mostly_lost, case_combine_two_sequences,
         case_bad_input]


def main():
    print(f"1..{len(CASES)}")
    failed = 0
    for n, case in enumerate(CASES, 1):
        try:
            case()
            print(f"ok {n} {case.__name__}")
        except AssertionError as e:
            failed += 1
            print(f"not ok {n} {case.__name__}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
