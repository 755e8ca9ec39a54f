#!/usr/bin/python3
"""Prints what was skipped, then one closing line for meson test logs:
'LABEL: N passed, N failed, N skipped, N subtests skipped'.

A test program counts once (passed, failed or skipped, as meson says). A TAP program that
passed can still have skipped some of its subtests ('ok 3 /path # SKIP reason'): each of those
counts in 'subtests skipped', so a skip never hides inside a pass. Each skip is listed with its
reason above the closing line. pytest programs (run with -rsx) count the same way: each
'SKIPPED [N] where: reason' line of their short summary is N skipped subtests, each 'XFAIL' one.
A failed program's last lines of output are printed too, above the closing line: CI shows only
the tail of what the suite printed, and the failure's reason must be in it.
usage: test-summary.py LABEL TESTLOG.json [TESTLOG.json...]"""
import json
import re
import sys

SKIPPED_SUBTEST = re.compile(r"^ok\s+\d+\s*(.*?)\s*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)
PYTEST_SKIPPED = re.compile(r"^SKIPPED\s+\[(\d+)\]\s*(\S+?(?::\d+)?):\s*(.*)$")
FAILED_TAIL_LINES = 25  # of stdout and of stderr each, per failed program
FAILED_LINE_CHARS = 400
PYTEST_XFAIL = re.compile(r"^XFAIL\s+(\S+)\s*-?\s*(.*)$")
SKIPPED_PLAN = re.compile(r"^1\.\.0\s*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)


def skip_reason(stdout):
    """The reason a skipped program gave (its TAP plan, or its last line)."""
    lines = [l.strip() for l in (stdout or "").splitlines() if l.strip()]
    for line in lines:
        m = SKIPPED_PLAN.match(line)
        if m:
            return m.group(1)
    return lines[-1] if lines else ""


def failure_tail(name, entry):
    """The last lines a failed program printed, indented, each line cut to a readable length."""
    out = [f"  failed: {name} ({entry.get('result', '?')}, exit {entry.get('returncode')})"]
    for stream in ("stdout", "stderr"):
        lines = (entry.get(stream) or "").splitlines()[-FAILED_TAIL_LINES:]
        out += [f"    {stream}| {l[:FAILED_LINE_CHARS]}" for l in lines]
    return out


def main():
    label, paths = sys.argv[1], sys.argv[2:]
    passed = failed = skipped = subtests_skipped = 0
    notes = []
    failures = []
    for path in paths:
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                result = entry.get("result", "")
                name = entry.get("name", "?")
                stdout = entry.get("stdout") or ""
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                    notes.append(f"  skipped: {name}: {skip_reason(stdout)}")
                    continue
                else:
                    failed += 1
                    failures += failure_tail(name, entry)
                for out in stdout.splitlines():
                    m = SKIPPED_SUBTEST.match(out.strip())
                    if m:
                        subtests_skipped += 1
                        notes.append(f"  skipped: {name} {m.group(1)}: {m.group(2)}")
                        continue
                    m = PYTEST_SKIPPED.match(out.strip())
                    if m:
                        subtests_skipped += int(m.group(1))
                        notes.append(f"  skipped: {name} {m.group(2)}: {m.group(3)}")
                        continue
                    m = PYTEST_XFAIL.match(out.strip())
                    if m:
                        subtests_skipped += 1
                        notes.append(f"  expected to fail: {name} {m.group(1)}: {m.group(2)}")
    for note in notes:
        print(note)
    for line in failures:
        print(line)
    print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped, "
          f"{subtests_skipped} subtests skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
