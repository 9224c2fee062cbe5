#!/usr/bin/env bash
# Runs the Capstan server on the embedded default (SQLite in ./data, self-signed TLS on 9443).
# Extra arguments go to `capstan server` (see `npm start -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-deps.sh
ensure_npm_deps
# The bundled agent that join commands download from this server (packages/agent/dist/capstan-agent.js).
node packages/agent/scripts/bundle.ts
exec capstan server "$@"
