#!/bin/sh
# Installs what vidflow needs on Debian 12 (idempotent: only missing packages are installed), then
# fetches the offline assets (ONNX Runtime, models, footage) into data/.
#   tools/setup.sh            (as root, or with sudo available)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES="build-essential meson ninja-build pkg-config
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  libdlpack-dev libjson-glib-dev libyaml-dev libsoup-3.0-dev curl
  gstreamer1.0-plugins-base-apps
  libpango1.0-dev libcairo2-dev fonts-dejavu-core
  xvfb xfonts-base gstreamer1.0-x
  libmosquitto-dev libhiredis-dev librdkafka-dev mosquitto mosquitto-clients redis-server redis-tools
  python3 python3-onnx python3-numpy python3-scipy
  python3-dev python3-torch python3-pytest python3-opencv python3-requests
  clang-14 libclang-rt-14-dev valgrind"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else
    echo "setup: missing packages:$missing -- run tools/setup.sh as root" >&2; exit 1
  fi
  echo "setup: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/tmp/vidflow-apt.log 2>&1 || {
    cat /tmp/vidflow-apt.log >&2; echo "setup: apt-get install failed (see above)" >&2; exit 1; }
fi
"$ROOT/tools/fetch-assets.sh" "$ROOT/data"
