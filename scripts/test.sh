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
