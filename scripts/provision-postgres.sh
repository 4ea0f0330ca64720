#!/usr/bin/env bash
# provision-postgres.sh installs PostgreSQL 15 with the pgvector extension on Debian bookworm.
#
# pgvector is not packaged for bookworm, so the script builds Debian trixie's *source* package
# (pgvector 0.8.x) against postgresql-server-dev-15. It is idempotent: every step checks whether
# its work is already done. Run it as root (or with sudo available).
#
# Users who run PostgreSQL elsewhere do not need this script: any PostgreSQL >= 13 with pgvector
# >= 0.5 works, for example the pgvector/pgvector:pg16 container image. Point DATABASE_URL at it.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

log() { printf 'provision-postgres: %s\n' "$*" >&2; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

need=()
for p in "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" postgresql-common build-essential dpkg-dev; do
  have_pkg "$p" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

pg_config="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
[ -x "$pg_config" ] || pg_config="$(command -v pg_config)"
sharedir="$("$pg_config" --sharedir)"
if [ -f "$sharedir/extension/vector.control" ]; then
  log "pgvector already installed ($(grep default_version "$sharedir/extension/vector.control"))"
  exit 0
fi

src_list=/etc/apt/sources.list.d/trixie-src.list
if ! grep -qs "trixie" "$src_list"; then
  log "adding a deb-src line for trixie (source packages only; nothing is installed from it)"
  echo "deb-src http://deb.debian.org/debian trixie main" | $SUDO tee "$src_list" >/dev/null
  $SUDO apt-get update -qq
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
log "fetching pgvector source"
apt-get source -qq --download-only pgvector >/dev/null
dpkg-source -x --no-check ./pgvector_*.dsc src >/dev/null
cd src
log "building pgvector against PostgreSQL $PG_MAJOR"
make -s PG_CONFIG="$pg_config" OPTFLAGS="" >/dev/null
$SUDO make -s PG_CONFIG="$pg_config" install >/dev/null
log "pgvector installed ($(grep default_version "$sharedir/extension/vector.control"))"
