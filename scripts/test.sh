#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs (npm dependencies with Node 24,
# Debian's postgresql, docker.io, busybox-static and iptables when missing), then types, lint, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-deps.sh

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# The multi-host rig (e2e/rig): a registry-free test image from busybox, firewalls inside host namespaces.
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)  # static: it runs alone in an image
command -v iptables >/dev/null 2>&1 || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (install them, or run as root to let this script do it)" >&2
    exit 1
  fi
  echo "==> installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts a packaged cluster on install; the tests start their own throwaway one instead.

ensure_npm_deps
node --version

echo "==> agent bundle"
node packages/agent/scripts/bundle.ts

echo "==> typecheck"
tsc -p tsconfig.json --noEmit
echo "==> lint"
eslint .
echo "==> tests"
vitest run "$@"
