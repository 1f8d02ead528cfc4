#!/usr/bin/python3
"""RTSP test camera for clipgate integration tests (GStreamer RTSP server).

Serves on 127.0.0.1:<port>:
  /main  H.264 (default 1920x1080) + AAC audio (unless --no-audio)
  /sub   H.264 640x360, no audio

Design notes (why, not what):
  * Factories are *shared* and sources are *live*: every client of a mount sees
    the same running pipeline, so two recorders (or a recorder plus a probe)
    cut segments from one consistent timeline, like a real camera.
  * Keyframes every 2 s (key-int-max = fps*2), like typical camera GOPs, so
    segmenters and "wait for keyframe" logic get realistic behaviour.
  * Default picture moves (75% colour bars scrolling sideways) so frame
    differencing sees motion; --static gives a bit-identical still picture for
    no-motion tests (decoded frames differ only by encoder noise at keyframes).
    Note that --overlay-time draws a changing clock, i.e. a small moving area.
  * Prints "READY rtsp://127.0.0.1:PORT/main" on stdout once the socket is bound.

Must run under the Debian /usr/bin/python3 (needs python3-gi + gir GstRtspServer).
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--fps", type=int, default=15)
    p.add_argument("--width", type=int, default=1920, help="main stream width")
    p.add_argument("--height", type=int, default=1080, help="main stream height")
    p.add_argument("--bitrate-kbps", type=int, default=4000, help="main stream bitrate")
    p.add_argument("--sub-bitrate-kbps", type=int, default=500)
    p.add_argument("--static", action="store_true", help="still picture (no motion)")
    # Not "smpte": its bottom-right block is random noise, so it is never static.
    # Self-animating patterns (ball, snow, ...) also ignore --static.
    p.add_argument("--pattern", default="smpte75", help="videotestsrc pattern name (default smpte75)")
    p.add_argument("--no-audio", action="store_true")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument(
        "--auth-method",
        choices=("digest", "basic"),
        default="digest",
        help="method offered in the 401 challenge (default digest, like most cameras)",
    )
    p.add_argument("--overlay-time", action="store_true", help="draw pipeline running time")
    return p.parse_args()


def pick_aac_encoder():
    # avenc_aac (gst-libav) and voaacenc (gst-plugins-bad) are both common; use what exists.
    for name in ("avenc_aac", "voaacenc", "fdkaacenc"):
        if Gst.ElementFactory.find(name):
            return name
    raise SystemExit("no AAC encoder available (need avenc_aac or voaacenc)")


def video_branch(args, width, height, bitrate_kbps, font_px):
    # Scroll the pattern ~1/64 of the width per frame: big, sharp-edged bars moving
    # that fast still register after a motion detector downscales/blurs the frame.
    speed = 0 if args.static else max(4, width // 64)
    src = (
        f"videotestsrc is-live=true do-timestamp=true pattern={args.pattern} horizontal-speed={speed} "
        f"! video/x-raw,format=I420,width={width},height={height},framerate={args.fps}/1 "
    )
    if args.overlay_time:
        # buffer-time == running time of the live source; readable to ~1 ms.
        src += (
            f"! timeoverlay time-mode=buffer-time halignment=left valignment=top "
            f'font-desc="Sans {font_px}px" shaded-background=true '
        )
    enc = (
        f"! x264enc tune=zerolatency speed-preset=ultrafast bitrate={bitrate_kbps} "
        f"key-int-max={args.fps * 2} threads=1 "
        # Baseline/CAVLC: cheapest decode for the system under test; no B-frames with zerolatency anyway.
        "! video/x-h264,profile=baseline "
        "! h264parse "
        "! rtph264pay name=pay0 pt=96 config-interval=-1 "
    )
    return src + enc


def audio_branch(encoder):
    return (
        "audiotestsrc is-live=true do-timestamp=true wave=sine freq=440 volume=0.2 "
        "! audio/x-raw,rate=48000,channels=1 ! audioconvert ! audioresample "
        f"! {encoder} ! aacparse ! rtpmp4gpay name=pay1 pt=97 "
    )


def make_factory(launch, permissions):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(f"( {launch} )")
    f.set_shared(True)
    if permissions is not None:
        f.set_permissions(permissions)
    return f


def setup_auth(server, user, password, method):
    """Require credentials for every mount."""
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
    auth = GstRtspServer.RTSPAuth()
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    auth.add_digest(user, password, token)
    # The C API takes a bitmask, but GI exposes it as a plain enum (3 is rejected),
    # so only one method can be challenged. Credentials are registered for both.
    auth.set_supported_methods(
        GstRtsp.RTSPAuthMethod.DIGEST if method == "digest" else GstRtsp.RTSPAuthMethod.BASIC
    )
    server.set_auth(auth)

    perms = GstRtspServer.RTSPPermissions()
    # add_permission_for_role creates the role on first use (add_role_empty is not in GI 1.22).
    perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    return perms


def main():
    args = parse_args()
    Gst.init(None)

    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))

    perms = None
    if args.user is not None:
        perms = setup_auth(server, args.user, args.password or "", args.auth_method)

    main_launch = video_branch(args, args.width, args.height, args.bitrate_kbps, max(12, args.height // 24))
    if not args.no_audio:
        main_launch += audio_branch(pick_aac_encoder())
    sub_launch = video_branch(args, 640, 360, args.sub_bitrate_kbps, 14)

    mounts = server.get_mount_points()
    mounts.add_factory("/main", make_factory(main_launch, perms))
    mounts.add_factory("/sub", make_factory(sub_launch, perms))

    if server.attach(None) == 0:
        print(f"ERROR could not bind {args.host}:{args.port}", file=sys.stderr, flush=True)
        sys.exit(2)

    loop = GLib.MainLoop()
    # Exit cleanly on SIGTERM/SIGINT so the test harness sees a normal exit.
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, lambda *_: (loop.quit(), False)[1])

    print(f"READY rtsp://{args.host}:{args.port}/main", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
