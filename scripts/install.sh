#!/usr/bin/env bash
# Install or upgrade clipgate as a systemd service on Raspberry Pi OS / Debian (64-bit).
# Idempotent: run it again after `git pull` to upgrade; config and data are never overwritten.
#   sudo bash scripts/install.sh
set -euo pipefail

APP_DIR=/opt/clipgate
CONF_DIR=/etc/clipgate
DATA_DIR=/var/lib/clipgate
SRC_DIR="$(cd "$(dirname "$0")/.." && pwd)"
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = "0" ] || die "run as root (sudo bash scripts/install.sh)"
command -v apt-get >/dev/null || die "this installer needs apt-get (Debian, Raspberry Pi OS, Ubuntu)"

node_ok() {
  command -v node >/dev/null || return 1
  local v major minor
  v=$(node -p 'process.versions.node')
  major=${v%%.*}; minor=$(echo "$v" | cut -d. -f2)
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

say "installing system packages (ffmpeg)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends ffmpeg ca-certificates >/dev/null

if ! node_ok; then
  say "Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR not found; trying the distribution's nodejs"
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || true
  node_ok || die "Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR is required (found: $(node --version 2>/dev/null || echo none)).
Install Node.js 22 LTS (for example from NodeSource's Debian packages), then run this script again."
fi

if ! id clipgate >/dev/null 2>&1; then
  say "creating system user clipgate"
  useradd --system --home-dir "$DATA_DIR" --shell /usr/sbin/nologin clipgate
fi

say "building clipgate in a staging directory"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tar -C "$SRC_DIR" --exclude=node_modules --exclude=dist --exclude=data --exclude=data-demo --exclude=.git -cf - . | tar -C "$stage" -xf -
(cd "$stage" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build && npm prune --omit=dev --loglevel=error)

say "installing to $APP_DIR"
mkdir -p "$APP_DIR"
rm -rf "$APP_DIR.new" && mkdir -p "$APP_DIR.new"
cp -a "$stage/package.json" "$stage/node_modules" "$stage/dist" "$stage/config" "$stage/README.md" "$APP_DIR.new/"
rm -rf "$APP_DIR.old"
[ -d "$APP_DIR" ] && mv "$APP_DIR" "$APP_DIR.old"
mv "$APP_DIR.new" "$APP_DIR"
rm -rf "$APP_DIR.old"

mkdir -p "$CONF_DIR" "$DATA_DIR"
if [ ! -f "$CONF_DIR/clipgate.yml" ]; then
  say "writing a config skeleton to $CONF_DIR/clipgate.yml (edit it, then: systemctl restart clipgate)"
  cat > "$CONF_DIR/clipgate.yml" <<'YAML'
# See /opt/clipgate/config/clipgate.example.yml for every option.
dataDir: /var/lib/clipgate
cacheDir: /run/clipgate
web: { host: 0.0.0.0, port: 8080 }
cameras: []
YAML
fi
if [ ! -f "$CONF_DIR/clipgate.env" ]; then
  printf '# KEY=value secrets referenced as ${KEY} in clipgate.yml\n' > "$CONF_DIR/clipgate.env"
fi
chown -R root:clipgate "$CONF_DIR"
chmod 0750 "$CONF_DIR"; chmod 0640 "$CONF_DIR/clipgate.yml"; chmod 0640 "$CONF_DIR/clipgate.env"
chown clipgate:clipgate "$DATA_DIR"; chmod 0750 "$DATA_DIR"

install -m 0644 "$SRC_DIR/scripts/clipgate.service" /etc/systemd/system/clipgate.service
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable clipgate.service >/dev/null
  systemctl restart clipgate.service
  say "clipgate is running: systemctl status clipgate; journalctl -u clipgate -f"
else
  say "systemd is not running here; start it with: node $APP_DIR/dist/src/main.js start --config $CONF_DIR/clipgate.yml"
fi
say "set the owner password: sudo -u clipgate CLIPGATE_CONFIG=$CONF_DIR/clipgate.yml node $APP_DIR/dist/src/main.js passwd"
