#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs (npm dependencies with Node 24,
# Debian's postgresql, docker.io, busybox-static, iptables, docker-registry, apache2-utils, git, docker-compose and chromium when missing), then types, lint, unit and integration tests.
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
# A real private registry with htpasswd (bcrypt) auth for the registries tests.
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
# Git stacks: the server runs git; the tests serve repositories with git daemon and git http-backend.
command -v git >/dev/null 2>&1 || need+=(git)
# The compose fidelity test compares what Capstan creates with what Debian's docker-compose 1.29 creates.
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# The web UI's end-to-end test drives Debian's Chromium through playwright-core (no downloaded browser).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
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

echo "==> web build (and its initial-JS budget check)"
(cd packages/web && vite build --logLevel warn && node scripts/size-check.ts)

echo "==> typecheck"
tsc -p tsconfig.json --noEmit
tsc -p packages/web/tsconfig.json --noEmit
echo "==> lint"
eslint .
echo "==> tests"
vitest run "$@"
