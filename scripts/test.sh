#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Python deps, npm MCP servers, Debian chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s setup
# Debian packages the e2e tests drive (real browser, real curl, redis-server). Needs root, as on CI.
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v curl >/dev/null || need+=(curl)
# shared-state tests (tests/state, tests/envoy) start a real redis-server
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "warning: apt-get install ${need[*]} failed" >&2
fi
# Reference MCP servers from npm (pinned in tests/node/package-lock.json).
if [ -f tests/node/package.json ] && [ ! -d tests/node/node_modules ]; then
  (cd tests/node && npm ci --silent --no-audit --no-fund) || echo "warning: npm ci failed" >&2
fi
exec .venv/bin/python -m pytest -n 2 -q -p no:cacheprovider "$@"
