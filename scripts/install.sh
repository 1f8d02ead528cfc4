#!/usr/bin/env bash
# Install or upgrade clipgate as a systemd service on Raspberry Pi OS or Debian (12 Bookworm,
# 13 Trixie). Idempotent: run it again after `git pull` to upgrade; config and data are kept.
#   sudo bash scripts/install.sh [--yes]
# Node.js: the first `node` on PATH that is new enough (package.json engines) and outside home
# directories; else the distribution's nodejs when new enough; else Node.js 22 LTS from
# NodeSource's apt repository, after asking (--yes: without asking). Build tools (python3 make
# g++) are installed only when better-sqlite3's prebuilt binary cannot be used. The unit's
# ExecStart uses the resolved node path.
# CLIPGATE_INSTALL_ROOT prefixes every path written (like DESTDIR); the installer's tests set it
# and put stand-ins for apt-get, systemctl, node, npm ... on PATH.
set -euo pipefail

ROOT="${CLIPGATE_INSTALL_ROOT:-}"
SRC_DIR="$(cd "$(dirname "$0")/.." && pwd)"
SELF="$SRC_DIR/scripts/install.sh"
NODE_SERIES=22
KEY_URL=https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
KEYRING=/etc/apt/keyrings/nodesource.gpg
REPO_LIST=/etc/apt/sources.list.d/nodesource.list
REPO_PIN=/etc/apt/preferences.d/nodesource
ASSUME_YES=0
NODE=""
REPO=none          # decision record, printed at the end: none | added | present
BUILD_TOOLS=no     # no | installed

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }
apt_install() { apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
# $1 >= $2 as dotted versions
ver_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }
# Debian version -> upstream: 1:18.19.0+dfsg-6~deb12u2 -> 18.19.0
upstream() { local v="${1#*:}"; printf '%s' "${v%%[-+~]*}"; }

usage() {
  cat <<EOF
usage: sudo bash scripts/install.sh [--yes]
  --yes, -y   when Node.js >= $NODE_MIN must come from NodeSource's apt repository, add it without asking
EOF
}

read_engine() {
  NODE_MIN=$(sed -n 's/.*"node": *">= *\([0-9][0-9.]*\)".*/\1/p' "$SRC_DIR/package.json" | head -n1)
  [ -n "$NODE_MIN" ] || die "cannot read engines.node (\">=X.Y\") from $SRC_DIR/package.json"
}

in_home() { case "$1" in "$ROOT"/home/*|"$ROOT"/root/*|"$ROOT"/run/user/*) return 0 ;; *) return 1 ;; esac; }

# Prints the first node on PATH that is new enough and that the service's user may run.
# $1 = loud: say why each other node is passed over.
find_node() {
  local p v real seen=" "
  while IFS= read -r p; do
    case "$p" in /*) ;; *) continue ;; esac
    real=$(readlink -f "$p")
    case "$seen" in *" $real "*) continue ;; esac
    seen="$seen$real "
    v=$("$p" -p 'process.versions.node' 2>/dev/null) || continue
    if ! ver_ge "$v" "$NODE_MIN"; then
      [ "${1:-}" != loud ] || say "passing over $p: Node.js $v is older than $NODE_MIN" >&2
    elif in_home "$p"; then
      [ "${1:-}" != loud ] || say "passing over $p (Node.js $v): it is in a home directory, which the service may not read (ProtectHome=yes)" >&2
    else
      printf '%s\n' "$p"
      return 0
    fi
  done < <(type -aP node 2>/dev/null || true)
  return 1
}

confirm_repository() {
  [ "$ASSUME_YES" = 1 ] && return 0
  if [ ! -t 0 ]; then
    die "not adding a repository without asking, and there is no terminal to ask on. To allow it, run:
  sudo bash $SELF --yes"
  fi
  local answer=""
  read -r -p "Add NodeSource's repository and install Node.js $NODE_SERIES LTS? [y/N] " answer || true
  case "$answer" in
    y|Y|yes|Yes|YES) ;;
    *) die "stopped; nothing was changed. Install Node.js >= $NODE_MIN yourself (the service uses the first suitable node on PATH), or run: sudo bash $SELF --yes" ;;
  esac
}

# NodeSource's documented apt set-up: signing key in /etc/apt/keyrings, a signed-by source line,
# and a pin so its nodejs wins over the distribution's.
add_nodesource() {
  local distro="$1" arch line
  arch=$(dpkg --print-architecture)
  case "$arch" in
    amd64|arm64|armhf) ;;
    *) die "Node.js >= $NODE_MIN is needed and NodeSource has no packages for $arch; install Node.js $NODE_SERIES yourself, then run this again" ;;
  esac
  line="deb [arch=$arch signed-by=$KEYRING] https://deb.nodesource.com/node_${NODE_SERIES}.x nodistro main"
  if [ -s "$ROOT$KEYRING" ] && [ -f "$ROOT$REPO_LIST" ] && [ "$(cat "$ROOT$REPO_LIST")" = "$line" ]; then
    say "NodeSource's repository for Node.js $NODE_SERIES is already set up ($REPO_LIST)"
    REPO=present
  else
    say "clipgate needs Node.js >= $NODE_MIN; this system's nodejs package is ${distro:-not available}."
    say "Node.js $NODE_SERIES LTS can come from NodeSource's apt repository (deb.nodesource.com, node_${NODE_SERIES}.x), the usual way on Raspberry Pi OS."
    say "That adds $REPO_LIST, its signing key $KEYRING and the pin $REPO_PIN."
    confirm_repository
    apt_install ca-certificates curl gnupg
    install -d -m 0755 "$ROOT/etc/apt/keyrings" "$ROOT/etc/apt/sources.list.d" "$ROOT/etc/apt/preferences.d"
    curl -fsSL "$KEY_URL" | gpg --dearmor --yes -o "$ROOT$KEYRING" || die "could not fetch NodeSource's signing key from $KEY_URL"
    chmod 0644 "$ROOT$KEYRING"
    printf '%s\n' "$line" > "$ROOT$REPO_LIST"
    printf 'Package: nodejs\nPin: origin deb.nodesource.com\nPin-Priority: 600\n' > "$ROOT$REPO_PIN"
    say "added NodeSource's repository ($REPO_LIST)"
    REPO=added
  fi
  apt-get update -qq
}

setup_node() {
  local candidate
  if NODE=$(find_node loud); then return 0; fi
  candidate=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n1)
  case "$candidate" in ''|'(none)') candidate="" ;; *) candidate=$(upstream "$candidate") ;; esac
  if [ -n "$candidate" ] && [ ! -f "$ROOT$REPO_LIST" ] && ver_ge "$candidate" "$NODE_MIN"; then
    say "installing the distribution's Node.js $candidate"
  else
    add_nodesource "$candidate"
    say "installing Node.js $NODE_SERIES from NodeSource"
  fi
  apt_install nodejs
  NODE=$(find_node) || die "Node.js >= $NODE_MIN is still not on PATH after installing nodejs"
}

ensure_npm() {
  # npm, node-gyp and the build scripts run `node` from PATH: make that the chosen one.
  if [ "$(command -v node)" != "$NODE" ]; then
    PATH="$(dirname "$NODE"):$PATH"
    export PATH
  fi
  if ! command -v npm >/dev/null 2>&1; then
    say "installing npm"
    apt_install npm
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found next to $NODE or on PATH"
}

native_loads() { "$NODE" -e "const D = require('better-sqlite3'); new D(':memory:').close()" >/dev/null 2>&1; }

# Dependencies are fetched without running install scripts, then the scripts run (better-sqlite3:
# prebuilt binary, else a compile). Only a failed first try installs the compiler.
build_stage() {
  say "building clipgate in a staging directory"
  STAGE=$(mktemp -d)
  trap 'rm -rf "$STAGE"' EXIT
  tar -C "$SRC_DIR" --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./data-demo --exclude=./.git -cf - . | tar -C "$STAGE" -xf -
  cd "$STAGE"
  npm ci --ignore-scripts --include=dev --no-audit --no-fund --loglevel=error || die "npm ci failed (is registry.npmjs.org reachable?)"
  if npm rebuild --loglevel=error >/dev/null 2>&1 && native_loads; then
    say "better-sqlite3's native module loads"
  else
    say "better-sqlite3 has no usable prebuilt binary for Node.js $("$NODE" -v) on $(uname -m) (or it could not be downloaded); installing python3 make g++ to compile it"
    apt_install python3 make g++
    BUILD_TOOLS=installed
    npm rebuild --loglevel=error || die "compiling better-sqlite3 failed (see above)"
    native_loads || die "better-sqlite3 was compiled but does not load with $NODE"
    say "better-sqlite3 compiled"
  fi
  npm run --silent build
  npm prune --omit=dev --loglevel=error
  cd "$SRC_DIR"
}

install_app() {
  local app="$ROOT/opt/clipgate"
  say "installing to /opt/clipgate"
  mkdir -p "$ROOT/opt"
  rm -rf "$app.new" "$app.old"
  mkdir -p "$app.new"
  cp -a "$STAGE/package.json" "$STAGE/node_modules" "$STAGE/dist" "$STAGE/config" "$STAGE/README.md" "$app.new/"
  if [ -d "$app" ]; then mv "$app" "$app.old"; fi
  mv "$app.new" "$app"
  rm -rf "$app.old"
}

ensure_user() {
  if ! id clipgate >/dev/null 2>&1; then
    say "creating system user clipgate"
    useradd --system --user-group --home-dir /var/lib/clipgate --shell /usr/sbin/nologin clipgate
  fi
}

write_config() {
  local conf="$ROOT/etc/clipgate" data="$ROOT/var/lib/clipgate"
  mkdir -p "$conf" "$data"
  if [ ! -f "$conf/clipgate.yml" ]; then
    say "writing a config skeleton to /etc/clipgate/clipgate.yml (edit it, then: systemctl restart clipgate)"
    cat > "$conf/clipgate.yml" <<'YAML'
# See /opt/clipgate/config/clipgate.example.yml for every option.
dataDir: /var/lib/clipgate
cacheDir: /run/clipgate
web: { host: 0.0.0.0, port: 8080 }
cameras: []
YAML
  fi
  if [ ! -f "$conf/clipgate.env" ]; then
    printf '# KEY=value secrets referenced as ${KEY} in clipgate.yml\n' > "$conf/clipgate.env"
  fi
  chown -R root:clipgate "$conf"
  chmod 0750 "$conf"; chmod 0640 "$conf/clipgate.yml" "$conf/clipgate.env"
  chown clipgate:clipgate "$data"; chmod 0700 "$data"
}

# The unit in scripts/ runs /usr/bin/node; the installed copy runs the node chosen above.
install_unit() {
  local unit="$ROOT/etc/systemd/system/clipgate.service" tmp
  case "$NODE" in *[!A-Za-z0-9/._+-]*) die "the node path '$NODE' has characters a unit file line cannot carry; install Node.js under a plain path" ;; esac
  tmp=$(mktemp)
  sed -e "s#^\(ExecStart\(Pre\)\?=\)/usr/bin/node #\1$NODE #" "$SRC_DIR/scripts/clipgate.service" > "$tmp"
  grep -q "^ExecStart=$NODE " "$tmp" || die "scripts/clipgate.service has no 'ExecStart=/usr/bin/node ' line to adapt"
  mkdir -p "$(dirname "$unit")"
  install -m 0644 "$tmp" "$unit"
  rm -f "$tmp"
  say "unit /etc/systemd/system/clipgate.service runs $NODE"
}

# Active on 3 checks in a row, 1 s apart: a daemon that dies during start-up shows as
# activating (auto-restart) or failed instead.
stays_running() {
  local ok=0 _
  for _ in $(seq 1 30); do
    if systemctl is-active --quiet clipgate.service; then
      ok=$((ok + 1))
      if [ "$ok" -ge 3 ]; then return 0; fi
    else
      ok=0
    fi
    sleep 1
  done
  return 1
}

start_service() {
  if ! command -v systemctl >/dev/null 2>&1 || [ ! -d "$ROOT/run/systemd/system" ]; then
    say "systemd is not running here; start clipgate with: $NODE /opt/clipgate/dist/src/main.js start --config /etc/clipgate/clipgate.yml"
    return 0
  fi
  systemctl daemon-reload
  systemctl enable clipgate.service >/dev/null
  systemctl restart clipgate.service
  if ! stays_running; then
    systemctl status clipgate.service --no-pager -l || true
    journalctl -u clipgate.service -n 30 --no-pager || true
    die "clipgate did not stay running; its log is above (config errors are listed by ExecStartPre=check-config)"
  fi
  say "clipgate is running: systemctl status clipgate; journalctl -u clipgate -f"
}

main() {
  local a
  for a in "$@"; do
    case "$a" in
      -y|--yes) ASSUME_YES=1 ;;
      -h|--help) read_engine; usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
    esac
  done
  read_engine
  [ "$(id -u)" = "0" ] || die "run as root: sudo bash $SELF"
  command -v apt-get >/dev/null 2>&1 || die "this installer needs apt-get (Debian, Raspberry Pi OS)"
  export DEBIAN_FRONTEND=noninteractive

  say "installing system packages (ffmpeg)"
  apt-get update -qq
  apt_install ffmpeg ca-certificates
  setup_node
  ensure_npm
  say "using Node.js $("$NODE" -p 'process.versions.node') at $NODE"
  ensure_user
  build_stage
  install_app
  write_config
  install_unit
  start_service
  say "decisions: node=$NODE repository=$REPO build-tools=$BUILD_TOOLS"
  say "set the owner password: sudo -u clipgate CLIPGATE_CONFIG=/etc/clipgate/clipgate.yml $NODE /opt/clipgate/dist/src/main.js passwd"
}

main "$@"
