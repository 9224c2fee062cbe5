#!/usr/bin/env bash
# Runs the Capstan server on the embedded default (SQLite in ./data, self-signed TLS on 9443).
# Extra arguments go to `capstan server` (see `npm start -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-deps.sh
ensure_npm_deps
# The bundled agent that join commands download from this server (packages/agent/dist/capstan-agent.js).
node packages/agent/scripts/bundle.ts
# The web UI (packages/web/dist), served by the server on its own origin; rebuilt when its sources changed.
if [ ! -f packages/web/dist/index.html ] || [ -n "$(find packages/web/src packages/web/index.html packages/protocol/src -newer packages/web/dist/index.html -print -quit)" ]; then
  echo "==> building the web UI"
  (cd packages/web && vite build --logLevel warn && node scripts/size-check.ts)
fi
exec capstan server "$@"
