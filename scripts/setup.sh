#!/usr/bin/env bash
# Installs what obsmeta needs on Debian 12 (run as root), fixes pg_sphere's install script for
# PostgreSQL 15.10+, then builds and installs the extension. Safe to run again.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config
  postgresql-15 postgresql-server-dev-15
  postgresql-15-pgsphere postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
  libpq-dev libxml2-dev libxml2-utils libboost-dev libgtest-dev libbenchmark-dev
  libyaml-dev liberfa-dev libssl-dev
  libcurl4-openssl-dev nlohmann-json3-dev   # obsmeta-bench-efd-influxdb (influxd itself only to run it)
  clang-14 libclang-rt-14-dev   # test/fuzz: libFuzzer, ASan, UBSan
  postgresql-15-cron            # pg_cron: the strict embargo mode's release job (optional for obsmeta itself)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pg_sphere 1.2.0's script defines two DaCHS-compatibility operators `@` on smoc whose COMMUTATOR
# clashes with `<@`/`@>`; PostgreSQL 15.10+ rejects it. Upstream pgsphere PR #92 deleted them.
pgs="$(pg_config --sharedir)/extension/pg_sphere--1.2.0.sql"
if grep -qE '^CREATE OPERATOR @ \($' "$pgs" && perl -0ne 'exit(/CREATE OPERATOR @ \(\n\s*LEFTARG\s*=\s*(bigint|spoint),\n\s*RIGHTARG\s*=\s*smoc,/ ? 0 : 1)' "$pgs"; then
  echo "setup: removing pg_sphere's smoc '@' compatibility operators (pgsphere PR #92)"
  perl -0pi -e 's/CREATE OPERATOR @ \(\n\s*LEFTARG\s*=\s*(?:bigint|spoint),\n\s*RIGHTARG\s*=\s*smoc,.*?\);\n//gs' "$pgs"
fi

make -C "$here" -s -j"$(nproc)"
make -C "$here" -s install
