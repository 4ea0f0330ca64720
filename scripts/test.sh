#!/usr/bin/env bash
# test.sh runs the whole test suite the way CI does: it installs what the tests need on a
# Debian machine with Go (PostgreSQL 15 + pgvector, Chromium for the page tests), then runs
# `go vet` and `go test` against a throwaway PostgreSQL cluster (pg_virtualenv).
#
# Extra arguments go to `go test` (default: ./...), e.g. scripts/test.sh -run TestAsk ./assistant
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
log() { printf 'test.sh: %s\n' "$*" >&2; }

scripts/provision-postgres.sh

if ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium for the browser tests"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
fi

# axe-core (from npm) checks the chat page's accessibility in the browser tests.
AXE_VERSION=4.14.1
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/trolyao/axe-core-$AXE_VERSION"
if [ -z "${AXE_CORE_JS:-}" ]; then
  if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    if command -v npm >/dev/null 2>&1; then
      log "installing axe-core $AXE_VERSION for the accessibility checks"
      npm install --prefix "$AXE_DIR" --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null
    else
      log "npm not found: the accessibility checks will be skipped (they fail under CI=true)"
    fi
  fi
  if [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    export AXE_CORE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"
  fi
fi

if [ ! -d ../shared/corpus ]; then
  log "../shared/corpus not found: the tests that measure retrieval on the shared corpus will be skipped"
fi

args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(./...); fi

log "go vet"
go vet ./...

# The tests reach the fresh cluster through the libpq variables pg_virtualenv sets (PGHOST,
# PGPORT, PGUSER, PGPASSWORD); each test creates and drops a database of its own.
log "go test ${args[*]} (PostgreSQL 15 via pg_virtualenv)"
pg_virtualenv -v 15 go test -count=1 "${args[@]}"
