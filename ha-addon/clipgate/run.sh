#!/usr/bin/with-contenv bash
# clipgate add-on start: the add-on options and Home Assistant's MQTT service become
# /data/clipgate.yml (`clipgate addon-config`, unit-tested in TypeScript), then the daemon runs.
# The MQTT answer carries a password: it goes through a pipe, never a command line.
set -euo pipefail
umask 077

main=/opt/clipgate/node_modules/clipgate/dist/src/main.js
options=/data/options.json
config=/data/clipgate.yml

if mqtt=$(curl -fsS --max-time 10 -H "Authorization: Bearer ${SUPERVISOR_TOKEN:-}" http://supervisor/services/mqtt 2>/dev/null); then
  echo "[clipgate] using Home Assistant's MQTT broker"
  printf '%s' "$mqtt" | node "$main" addon-config --options "$options" --mqtt - --out "$config"
else
  echo "[clipgate] Home Assistant has no MQTT broker (install Mosquitto for entities); nothing is published"
  node "$main" addon-config --options "$options" --out "$config"
fi
unset mqtt

exec node "$main" start --config "$config"
