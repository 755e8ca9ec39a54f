#!/usr/bin/python3
"""Prints one closing line for a meson test log: 'N passed, N failed, N skipped'.
usage: test-summary.py LABEL TESTLOG.json [TESTLOG.json...]"""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{sys.argv[1]}: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
