#!/bin/sh
# tools/test-summary.py on a made-up meson log: skipped TAP subtests are counted and listed with
# their reasons, skipped programs and pytest's skips and xfails too, a failure fails it.
# usage: check-test-summary.sh SOURCE_ROOT
set -eu
summary="/usr/bin/python3 $1/tools/test-summary.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cat > "$work/log.json" <<'LOG'
{"name": "a", "result": "OK", "stdout": "1..3\nok 1 /a/one\nok 2 /a/two # SKIP no Xvfb\nok 3 /a/three # skip no data\n"}
{"name": "b", "result": "SKIP", "stdout": "1..0 # SKIP data/ missing\n"}
{"name": "c", "result": "OK", "stdout": "PASS: c\n"}
{"name": "p", "result": "OK", "stdout": "..s.x\nSKIPPED [2] tests/t.py:12: no GPU\nXFAIL tests/t.py::test_x - known\n3 passed, 2 skipped, 1 xfailed\n"}
LOG
out=$($summary label "$work/log.json") || fail "a log without failures failed: $out"
echo "$out"
echo "$out" | tail -n 1 | grep -qx "label: 3 passed, 0 failed, 1 skipped, 5 subtests skipped" \
  || fail "closing line: $(echo "$out" | tail -n 1)"
echo "$out" | grep -q "skipped: a /a/two: no Xvfb" || fail "subtest skip not listed"
echo "$out" | grep -q "skipped: b: data/ missing" || fail "program skip not listed"
echo "$out" | grep -q "skipped: p tests/t.py:12: no GPU" || fail "pytest skip not listed"
echo "$out" | grep -q "expected to fail: p tests/t.py::test_x: known" || fail "pytest xfail not listed"
printf '%s\n' '{"name": "d", "result": "FAIL", "stdout": "not ok 1 /d\n"}' >> "$work/log.json"
if $summary label "$work/log.json" > "$work/out"; then fail "a failure passed"; fi
tail -n 1 "$work/out" | grep -q "1 failed" || fail "failure not counted: $(tail -n 1 "$work/out")"
echo "PASS: test-summary"
