# Sourced by scripts: installs npm dependencies when missing or stale.
# Node 24 comes from the `node` devDependency (npm run puts node_modules/.bin first on PATH),
# so a machine with an older system Node needs nothing else.
ensure_npm_deps() {
  if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> installing npm dependencies (Node 24 included)"
    npm install --no-audit --no-fund --loglevel=error
  fi
  export PATH="$PWD/node_modules/.bin:$PATH"
}
