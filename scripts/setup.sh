#!/usr/bin/env bash
# Pre-step for `npm start`, `npm test` and `npm run bench`: make a fresh Debian machine ready.
#  1. system packages (installed with apt-get when root; otherwise the exact command is printed)
#  2. `npm ci` when node_modules is missing or older than package-lock.json
#  3. build (TypeScript + UI) when any source is newer than the last build
# Usage: scripts/setup.sh [start|test|bench]   (default: test, which needs everything)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"

have() { command -v "$1" >/dev/null 2>&1; }
gst_ok() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer','1.0'); from gi.repository import GstRtspServer" >/dev/null 2>&1; }

missing=()
have ffmpeg || missing+=(ffmpeg)
have ffprobe || missing+=(ffmpeg)
if [ "$purpose" != "start" ]; then
  have mosquitto || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  have mosquitto_sub || missing+=(mosquitto-clients)
  have chromium || [ -x /usr/bin/chromium ] || missing+=(chromium)
  gst_ok || missing+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-base
    gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav)
  have ip || missing+=(iproute2)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  # de-duplicate, keep order
  pkgs=$(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++' | tr '\n' ' ')
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing system packages: $pkgs"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    echo "setup: missing system packages. Install them with:" >&2
    echo "  sudo apt-get install -y $pkgs" >&2
    exit 1
  fi
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.clipgate-lock-sha256
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

build_stamp=dist/.build-stamp
if [ ! -f "$build_stamp" ] || [ -n "$(find src scripts bench config package.json tsconfig.json tsconfig.build.json -newer "$build_stamp" -type f -print -quit 2>/dev/null)" ]; then
  echo "setup: building"
  npm run --silent build
  touch "$build_stamp"
fi
