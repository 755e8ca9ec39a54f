#!/bin/sh
# with-xvfb.sh COMMAND [ARGS...]: run COMMAND with DISPLAY set to a private Xvfb server (Debian
# package xvfb). Xvfb picks a free display number itself (-displayfd), so parallel tests never
# collide. Without Xvfb the command runs as is (the Flow examples then render with DISCARD and
# say so). The exit status is the command's.
if ! command -v Xvfb >/dev/null 2>&1; then
    echo "with-xvfb: Xvfb is not installed (apt-get install xvfb): running without a display" >&2
    unset DISPLAY
    exec "$@"
fi
dir=$(mktemp -d) || exit 1
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp 3>"$dir/display" 2>"$dir/log" &
xvfb=$!
i=0
while [ ! -s "$dir/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$dir/display" ]; then
    echo "with-xvfb: Xvfb did not start:" >&2
    cat "$dir/log" >&2
    kill $xvfb 2>/dev/null
    rm -rf "$dir"
    exit 1
fi
DISPLAY=:$(cat "$dir/display")
export DISPLAY
"$@"
status=$?
kill $xvfb 2>/dev/null
wait $xvfb 2>/dev/null
rm -rf "$dir"
exit $status
