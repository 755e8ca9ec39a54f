#!/bin/sh
# with-xvfb.sh COMMAND [ARGS...]: run COMMAND with DISPLAY set to a private Xvfb server (Debian
# package xvfb). Xvfb picks a free display number itself (-displayfd), so parallel tests never
# collide. Without Xvfb the command runs as is (the Flow examples then render with DISCARD and
# say so). The exit status is the command's.
#
# Now and then (about 1 run in 20 with many servers at once on 2 cores) ximagesink cannot open a
# display that Xvfb has announced; that is the test machine's flake, not the command's: such a
# run is tried again (at most three times in all) on a fresh server, and said so.
if ! command -v Xvfb >/dev/null 2>&1; then
    echo "with-xvfb: Xvfb is not installed (apt-get install xvfb): running without a display" >&2
    unset DISPLAY
    exec "$@"
fi
dir=$(mktemp -d) || exit 1
xvfb=
stop_xvfb() { [ -n "$xvfb" ] && kill $xvfb 2>/dev/null && wait $xvfb 2>/dev/null; xvfb=; }
start_xvfb() {
    : >"$dir/display"
    Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp 3>"$dir/display" 2>"$dir/log" &
    xvfb=$!
    i=0
    while [ ! -s "$dir/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ ! -s "$dir/display" ]; then
        echo "with-xvfb: Xvfb did not start:" >&2
        cat "$dir/log" >&2
        return 1
    fi
    n=$(cat "$dir/display")
    # the number can come a moment before the socket accepts clients: wait for the socket too
    i=0
    while [ ! -S "/tmp/.X11-unix/X$n" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    DISPLAY=:$n
    export DISPLAY
}

status=1
for attempt in 1 2 3; do
    start_xvfb || break
    "$@" 2>"$dir/err"
    status=$?
    cat "$dir/err" >&2
    stop_xvfb
    [ $status != 0 ] && grep -q "Could not initialise X output" "$dir/err" || break
    echo "with-xvfb: the display could not be opened; once more on a fresh Xvfb" >&2
    sleep 0.5
done
stop_xvfb
rm -rf "$dir"
exit $status
