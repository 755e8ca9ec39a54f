#!/bin/sh
# Runs one libFuzzer target of a fuzz build on its corpus for a bounded time.
#
#   fuzz/run.sh BUILD-FUZZ/fuzz/fuzz-NAME fuzz/corpus/NAME SECONDS [libFuzzer options...]
#
# The committed corpus (fuzz/corpus/NAME) is only read; what the run finds goes to
# BUILD-FUZZ/fuzz/work/NAME, crashers to BUILD-FUZZ/fuzz/artifacts/. VF_FUZZ_SECONDS overrides
# SECONDS (make fuzz sets it). Prints one line: executions, seconds, and no crash (exit 0), or
# the crash and the input's path (exit 1).
set -u
exe=$1 corpus=$2 seconds=${VF_FUZZ_SECONDS:-$3}
shift 3
name=$(basename "$exe" | sed 's/^fuzz-//')
build=$(cd "$(dirname "$exe")/.." && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$build/fuzz/work/$name
artifacts=$build/fuzz/artifacts
mkdir -p "$work" "$artifacts"

# The plugin of this build, a registry of its own, no display, no plugins from elsewhere; GLib's
# slice allocator off so LeakSanitizer sees every allocation (the targets abort on criticals).
export GST_PLUGIN_PATH="$build/gst" GST_REGISTRY_1_0="$build/registry.bin" GST_REGISTRY_FORK=no
export GST_PLUGIN_SYSTEM_PATH_1_0="${GST_PLUGIN_SYSTEM_PATH_1_0:-}"
[ -n "$GST_PLUGIN_SYSTEM_PATH_1_0" ] || unset GST_PLUGIN_SYSTEM_PATH_1_0
export G_SLICE=always-malloc GIO_USE_PROXY_RESOLVER=dummy
export VIDFLOW_CUSTOM_PATH= VIDFLOW_DATA_DIR="$root/data"
unset DISPLAY WAYLAND_DISPLAY
# -detect_leaks=0 (libFuzzer's per-input checks off) turns LeakSanitizer's check at exit off too
leaks=1
for a in "$@"; do [ "$a" = -detect_leaks=0 ] && leaks=0; done
# Leaks are found with the fast unwinder (the slow one makes a run ten times slower), whose
# traces stop at GLib (no frame pointers): to see where a reported leak was allocated, run its
# input again with ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=$leaks:allocator_may_return_null=1}"
# At exit LeakSanitizer would report what GLib and GStreamer allocate once at start (their
# frames are invisible to the fast unwinder, so tests/lsan.supp cannot name them): only the
# per-input checks of libFuzzer count (a leak that grows with inputs).
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0:leak_check_at_exit=0"

# The YAML under test is written on tmpfs (a disk write per input is the slowest part of a run
# otherwise), in a folder next to links to data/ and configs/ so that the relative paths of the
# seed flows (../data/footage/vtest.avi) resolve; removed at the end.
tmp=$(mktemp -d "${VF_FUZZ_TMP:-/dev/shm}/vf-fuzz-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/$name"
ln -s "$root/data" "$tmp/data"
ln -s "$root/configs" "$tmp/configs"
ln -s "$root/flows/sources.yaml" "$tmp/$name/sources.yaml"
export VF_FUZZ_DIR="$tmp/$name"

log=$work.log
# The registry is made first, by a run of the target of its own without leak checks (the first
# run of a fresh build, as in CI). A scan in the fuzzing process loads every plugin there and
# GLib's quark table outgrows its array on the way; GLib never frees an outgrown array (lock-free
# readers), and the fast unwinder cannot see the gst_update_registry frame that tests/lsan.supp
# names for it, so libFuzzer's first leak check reported 2 arrays (32 + 48 KiB) no input
# allocated. -runs=0 on an empty folder only starts the target: vf_init() scans, and it exits.
if [ ! -f "$GST_REGISTRY_1_0" ]; then
    mkdir "$tmp/registry"
    ASAN_OPTIONS=detect_leaks=0 "$exe" -runs=0 "$tmp/registry" >"$work.registry.log" 2>&1 ||
        { cat "$work.registry.log"; echo "fuzz-$name: the registry scan failed"; exit 1; }
fi
start=$(date +%s)
"$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$@" "$work" "$corpus" \
    </dev/null >"$log" 2>&1
rc=$?
end=$(date +%s)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" = 0 ]; then
    echo "fuzz-$name: ${runs:-?} executions in $((end - start)) s, no crash (corpus: $corpus + $work)"
    exit 0
fi
tail -n 60 "$log"
echo "fuzz-$name: FAILED (exit $rc) after ${runs:-?} executions; the input is in $artifacts/ (full log: $log)"
exit 1
