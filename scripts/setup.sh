#!/usr/bin/env bash
# Pre-step for `npm start`, `npm test` and `npm run bench`: make a fresh Debian machine ready.
#  1. capabilities: every program, ffmpeg encoder/filter/muxer and GStreamer element the code and
#     the tests use (the table below), each checked for itself; what is missing is installed with
#     apt-get when root, otherwise the exact `sudo apt-get install` line is printed (exit 1)
#  2. `npm ci` when node_modules is missing or older than package-lock.json
#  3. build (TypeScript + UI) when any source is newer than the last build
# Usage: scripts/setup.sh [start|test|bench]   (default: test, which needs everything)
#        scripts/setup.sh table [start|test]    print every capability with ok/MISSING, change nothing
set -euo pipefail
cd "$(dirname "$0")/.."

# need:    run = the daemon itself (`npm start`); dev = tests and benches only.
# kind:    cmd (a program on PATH, or an absolute path) · encoder decoder filter muxer demuxer bsf
#          protocol (from `ffmpeg -encoders`, `-filters`, ...) · element (GStreamer, found with
#          Gst.ElementFactory.find) · typelib (GObject introspection, for /usr/bin/python3) · pymod
# name:    a|b|c = any one of them is enough (the package column provides the first).
# package: the Debian package that provides it. test/unit/setup/capabilities.test.ts scans the
#          sources and fails when something they use is missing here.
CAPABILITIES=$(cat <<'TABLE'
# need kind     name                       package                     used by
run   cmd       ffmpeg                     ffmpeg                      recorder, clips, exports, inbox
run   cmd       ffprobe                    ffmpeg                      probe, inbox, tests
run   encoder   libx264                    ffmpeg                      exports, simulated camera, inbox transcode
run   encoder   aac                        ffmpeg                      exports with audio, inbox, simulated camera
run   encoder   mjpeg                      ffmpeg                      thumbnails
run   decoder   h264                       ffmpeg                      motion detection, thumbnails, exports
run   decoder   hevc                       ffmpeg                      H.265 cameras
run   decoder   aac                        ffmpeg                      exports with audio
run   decoder   mjpeg                      ffmpeg                      inbox: old MJPEG cameras
run   decoder   pcm_mulaw                  ffmpeg                      inbox: G.711 audio
run   decoder   pcm_alaw                   ffmpeg                      inbox: G.711 audio
run   filter    fps                        ffmpeg                      motion detection
run   filter    scale                      ffmpeg                      motion detection, thumbnails, redaction
run   filter    format                     ffmpeg                      motion detection
run   filter    split                      ffmpeg                      redaction
run   filter    crop                       ffmpeg                      redaction
run   filter    overlay                    ffmpeg                      redaction
run   filter    null                       ffmpeg                      redaction without regions
run   filter    drawbox                    ffmpeg                      MQTT snapshot privacy masks
run   filter    testsrc2                   ffmpeg                      simulated camera
run   filter    sine                       ffmpeg                      simulated camera
run   filter    pad                        ffmpeg                      detection frames (letterbox)
run   muxer     segment                    ffmpeg                      recorder ring
run   muxer     mpegts                     ffmpeg                      recorder segments
run   muxer     mp4                        ffmpeg                      clips, exports, inbox
run   muxer     mjpeg                      ffmpeg                      thumbnails
run   muxer     rawvideo                   ffmpeg                      motion detection frames
run   demuxer   rtsp                       ffmpeg                      cameras
run   demuxer   concat                     ffmpeg                      clip assembly
run   demuxer   lavfi                      ffmpeg                      simulated camera
run   demuxer   mpegts                     ffmpeg                      ring segments, inbox .ts
run   demuxer   mov                        ffmpeg                      clips, inbox .mp4/.mov
run   demuxer   matroska                   ffmpeg                      inbox .mkv
run   demuxer   avi                        ffmpeg                      inbox .avi
run   demuxer   h264                       ffmpeg                      inbox: raw H.264 (demuxer allow-list)
run   demuxer   hevc                       ffmpeg                      inbox: raw H.265 (demuxer allow-list)
run   bsf       filter_units               ffmpeg                      exports: SEI removal
run   bsf       hevc_mp4toannexb           ffmpeg                      H.265 exports: SEI out of hvcC
run   protocol  tcp                        ffmpeg                      RTSP over TCP
run   protocol  file                       ffmpeg                      everything
run   protocol  pipe                       ffmpeg                      segment list, frames, progress
dev   encoder   pcm_s16le                  ffmpeg                      inbox test videos
dev   encoder   libx265                    ffmpeg                      H.265 export tests
dev   bsf       trace_headers              ffmpeg                      H.265 export tests: NAL types
dev   filter    hue                        ffmpeg                      test videos
dev   filter    drawgrid                   ffmpeg                      review tests, export bench
dev   filter    ssim                       ffmpeg                      review tests
dev   filter    color                      ffmpeg                      detection frame tests
dev   filter    concat                     ffmpeg                      detection frame tests
dev   filter    noise                      ffmpeg                      tracked-blur tests
dev   muxer     null                       ffmpeg                      decode checks in tests
dev   muxer     framemd5                   ffmpeg                      recording timeline tests
dev   muxer     md5                        ffmpeg                      H.265 export tests: same pictures
dev   muxer     matroska                   ffmpeg                      inbox test videos
dev   muxer     avi                        ffmpeg                      inbox test videos
dev   muxer     mov                        ffmpeg                      inbox test videos
dev   bsf       h264_metadata              ffmpeg                      inbox tests: a marker inside the video stream
dev   cmd       mosquitto                  mosquitto                   MQTT tests
dev   cmd       mosquitto_passwd           mosquitto                   MQTT auth tests
dev   cmd       mosquitto_sub              mosquitto-clients           MQTT tests
dev   cmd       mosquitto_pub              mosquitto-clients           MQTT tests
dev   cmd       /usr/bin/chromium          chromium                    UI tests (playwright-core)
dev   cmd       openssl                    openssl                     MQTT TLS tests
dev   cmd       ps                         procps                      child-process checks
dev   cmd       mount                      mount                       disk-full tests (tmpfs)
dev   cmd       umount                     mount                       disk-full tests (tmpfs)
dev   cmd       stdbuf                     coreutils                   mosquitto_sub line buffering
dev   cmd       sleep                      coreutils                   orphan tests
dev   cmd       mkdir                      coreutils                   packaging tests
dev   cmd       cat                        coreutils                   detection worker tests
dev   cmd       script                     bsdutils                    installer tests (a TTY)
dev   cmd       bash                       bash                        installer tests
dev   cmd       /usr/bin/python3           python3                     RTSP test camera
dev   cmd       gst-inspect-1.0            gstreamer1.0-tools          looking into GStreamer by hand
dev   pymod     gi                         python3-gi                  RTSP test camera
dev   pymod     jinja2                     python3-jinja2              Home Assistant availability templates (MQTT tests)
dev   typelib   Gst-1.0                    gir1.2-gstreamer-1.0        RTSP test camera
dev   typelib   GstRtsp-1.0                gir1.2-gst-plugins-base-1.0 RTSP test camera (auth)
dev   typelib   GstRtspServer-1.0          gir1.2-gst-rtsp-server-1.0  RTSP test camera
dev   element   videotestsrc               gstreamer1.0-plugins-base   test camera picture
dev   element   audiotestsrc               gstreamer1.0-plugins-base   test camera sound
dev   element   audioconvert               gstreamer1.0-plugins-base   test camera sound
dev   element   audioresample              gstreamer1.0-plugins-base   test camera sound
dev   element   appsink                    gstreamer1.0-plugins-base   RTSP server (RTP over TCP)
dev   element   appsrc                     gstreamer1.0-plugins-base   RTSP server
dev   element   timeoverlay                gstreamer1.0-x              test camera --overlay-time (pango)
dev   element   x264enc                    gstreamer1.0-plugins-ugly   test camera H.264
dev   element   h264parse                  gstreamer1.0-plugins-bad    test camera H.264
dev   element   avenc_aac|voaacenc|fdkaacenc gstreamer1.0-libav        test camera AAC
dev   element   aacparse                   gstreamer1.0-plugins-good   test camera AAC
dev   element   rtph264pay                 gstreamer1.0-plugins-good   test camera RTP
dev   element   rtpmp4gpay                 gstreamer1.0-plugins-good   test camera RTP
dev   element   rtpbin                     gstreamer1.0-plugins-good   RTSP server
dev   element   udpsrc                     gstreamer1.0-plugins-good   RTSP server
dev   element   multiudpsink               gstreamer1.0-plugins-good   RTSP server
dev   element   capsfilter                 libgstreamer1.0-0           pipeline caps
dev   element   queue                      libgstreamer1.0-0           RTSP server
dev   element   tee                        libgstreamer1.0-0           RTSP server
dev   element   funnel                     libgstreamer1.0-0           RTSP server
TABLE
)

usage() { echo "usage: scripts/setup.sh [start|test|bench] | scripts/setup.sh table [start|test]" >&2; exit 2; }

mode=install
purpose="${1:-test}"
if [ "$purpose" = "table" ]; then mode=table; purpose="${2:-test}"; fi
case "$purpose" in start|test|bench) ;; *) usage ;; esac

# The rows this purpose needs, without comments: "need kind name package".
needed_rows() {
  local need kind name package _
  while read -r need kind name package _; do
    case "$need" in ''|'#'*) continue ;; esac
    if [ "$purpose" = "start" ] && [ "$need" != "run" ]; then continue; fi
    printf '%s %s %s\n' "$kind" "$name" "$package"
  done <<< "$CAPABILITIES"
}

# ---- checks: each prints the names (one per line) of the capabilities it could not find --------

check_cmds() {
  local name
  for name in "$@"; do
    if [ "${name#/}" != "$name" ]; then [ -x "$name" ] || echo "$name"
    elif ! command -v "$name" >/dev/null 2>&1; then echo "$name"
    fi
  done
}

# ffmpeg prints one list per invocation; the lists are read in parallel (each takes ~0.1 s).
declare -A FF_HAVE=()
load_ffmpeg_lists() {
  local dir kind
  command -v ffmpeg >/dev/null 2>&1 || return 0
  dir=$(mktemp -d)
  for kind in "$@"; do ffmpeg -hide_banner "-${kind}s" > "$dir/$kind" 2>/dev/null & done
  wait
  for kind in "$@"; do
    # encoders/decoders/filters/muxers/demuxers: flags column, then the name (demuxers list
    # aliases as "mov,mp4,m4a"); bsfs and protocols: one name per line.
    while read -r name; do FF_HAVE["$kind:$name"]=1; done < <(
      case "$kind" in
        bsf|protocol) awk 'NF == 1 { print $1 }' "$dir/$kind" ;;
        *) awk 'NF >= 2 && $1 !~ /=/ { n = split($2, a, ","); for (i = 1; i <= n; i++) print a[i] }' "$dir/$kind" ;;
      esac)
  done
  rm -rf "$dir"
}

# One Debian python3 process answers for every GStreamer element, typelib and module (a
# gst-inspect-1.0 call per element would take seconds). Args: kind:name ...; prints missing names.
check_gst() {
  if [ ! -x /usr/bin/python3 ]; then printf '%s\n' "${@#*:}"; return 0; fi
  /usr/bin/python3 - "$@" <<'PY' 2>/dev/null || printf '%s\n' "${@#*:}"
import importlib, sys
items = [a.split(":", 1) for a in sys.argv[1:]]
try:
    import gi
except ImportError:
    print("\n".join(name for _, name in items)); sys.exit(0)
have_gst = False
for kind, name in items:
    if kind == "pymod":
        try: importlib.import_module(name)
        except ImportError: print(name)
    elif kind == "typelib":
        ns, ver = name.rsplit("-", 1)
        try:
            gi.require_version(ns, ver)
            importlib.import_module("gi.repository." + ns)
            have_gst = have_gst or ns == "Gst"
        except (ImportError, ValueError): print(name)
if any(kind == "element" for kind, _ in items):
    if have_gst:
        from gi.repository import Gst
        Gst.init(None)
    for kind, name in items:
        if kind == "element" and not (have_gst and any(Gst.ElementFactory.find(n) for n in name.split("|"))):
            print(name)
PY
}

# Prints "kind name package" for every needed row that is missing.
missing_rows() {
  local rows kind name package cmds=() gst=() ffkinds=() missing
  rows=$(needed_rows)
  while read -r kind name package; do
    case "$kind" in
      cmd) cmds+=("$name") ;;
      encoder|decoder|filter|muxer|demuxer|bsf|protocol) ffkinds+=("$kind") ;;
      element|typelib|pymod) gst+=("$kind:$name") ;;
      *) echo "setup: unknown capability kind '$kind' in the table" >&2; exit 2 ;;
    esac
  done <<< "$rows"
  [ "${#ffkinds[@]}" -eq 0 ] || load_ffmpeg_lists $(printf '%s\n' "${ffkinds[@]}" | sort -u)
  missing=$(
    [ "${#cmds[@]}" -eq 0 ] || check_cmds "${cmds[@]}"
    [ "${#gst[@]}" -eq 0 ] || check_gst "${gst[@]}"
  )
  # Back from names to rows (a name may appear under two kinds, e.g. muxer and demuxer mov).
  local -A gone=()
  while read -r name; do [ -z "$name" ] || gone["$name"]=1; done <<< "$missing"
  while read -r kind name package; do
    case "$kind" in
      encoder|decoder|filter|muxer|demuxer|bsf|protocol)
        [ -n "${FF_HAVE[$kind:$name]:-}" ] || echo "$kind $name $package" ;;
      *) [ -z "${gone[$name]:-}" ] || echo "$kind $name $package" ;;
    esac
  done <<< "$rows"
}

describe() { # stdin: "kind name package" rows
  local kind name package hint
  while read -r kind name package; do
    hint=""
    if [ "$kind" = cmd ] && [ "${name#/}" = "$name" ]; then
      for d in /usr/sbin /sbin; do if [ -x "$d/$name" ]; then hint=" (found $d/$name, but $d is not on PATH)"; fi; done
    fi
    printf '  %-8s %-28s from %s%s\n' "$kind" "$name" "$package" "$hint"
  done
}

if [ "$mode" = table ]; then
  missing=$(missing_rows)
  declare -A gone=()
  while read -r row; do [ -z "$row" ] || gone["$row"]=1; done <<< "$missing"
  printf '%-8s %-28s %-28s %s\n' KIND NAME PACKAGE STATUS
  while read -r kind name package; do
    status=ok
    [ -z "${gone[$kind $name $package]:-}" ] || status=MISSING
    printf '%-8s %-28s %-28s %s\n' "$kind" "$name" "$package" "$status"
  done < <(needed_rows)
  [ -z "$missing" ]; exit
fi

missing=$(missing_rows)
if [ -n "$missing" ]; then
  pkgs=$(awk '{ print $3 }' <<< "$missing" | awk '!seen[$0]++' | paste -sd' ')
  echo "setup: missing for \`$purpose\`:" >&2
  describe <<< "$missing" >&2
  if [ "$(id -u)" != "0" ]; then
    echo "setup: install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends $pkgs" >&2
    exit 1
  fi
  echo "setup: installing system packages: $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  still=$(missing_rows)
  if [ -n "$still" ]; then
    echo "setup: STILL MISSING after installing $pkgs:" >&2
    describe <<< "$still" >&2
    echo "setup: the packages are installed but these are still not there; checked with ffmpeg at $(command -v ffmpeg || echo '(none)') and /usr/bin/python3 (is another ffmpeg first on PATH?)" >&2
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
