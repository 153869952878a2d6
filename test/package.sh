#!/usr/bin/env bash
# Debian packaging: builds postgresql-15-obsmeta from a copy of this tree with dpkg-buildpackage
# (debian/, pg_buildext), installs it with apt-get, and checks that the installed files are the
# package's and that CREATE EXTENSION obsmeta CASCADE works from them. Run as root (CI is).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$here/obsmeta.control")
work=$(mktemp -d /tmp/obsmeta-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

export DEBIAN_FRONTEND=noninteractive
need=()
for p in debhelper postgresql-server-dev-all fakeroot; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The tracked files as they are in the work tree (no build products).
src="$work/obsmeta-$version"
mkdir -p "$src"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src" 2>/dev/null || true)
# The objects `make` built in this tree, when they are up to date (scripts/test.sh runs make first):
# the package's build compiles the same sources with the same compiler and flags (PGXS; Debian's
# CFLAGS reach only C code and the link, through COPT), so it takes them and only links, installs
# and packages (-nc: no clean first, which would delete them; checkcontrol is part of that clean).
# Alone, or with a changed source, this test compiles everything.
clean=()
if make -C "$here" -q obsmeta.so 2>/dev/null; then
  (cd "$here" && find src -name '*.o' -o -name '*.d') | (cd "$here" && xargs cp --parents -t "$src")
  find "$src/src" -name '*.o' -exec touch {} +
  clean=(-nc)
  (cd "$src" && pg_buildext checkcontrol) >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  echo "# reusing the objects make built in $here"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b "${clean[@]}" -j"$(nproc)" >>"$work/build.log" 2>&1) || { tail -40 "$work/build.log"; exit 1; }
deb=$(ls "$work"/postgresql-15-obsmeta_"$version"_*.deb)
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends --reinstall "$deb" >/dev/null

fails=0 n=0
check() {  # check DESCRIPTION COMMAND...: one TAP line
  n=$((n + 1))
  if "${@:2}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
libdir=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)
sharedir=$(/usr/lib/postgresql/15/bin/pg_config --sharedir)
owned_by_package() { [ "$(dpkg-query -S "$1" 2>/dev/null | cut -d: -f1)" = postgresql-15-obsmeta ]; }
check "package $(basename "$deb") installed" dpkg-query -W postgresql-15-obsmeta
check "obsmeta.so is the package's" owned_by_package "$libdir/obsmeta.so"
check "obsmeta.control is the package's" owned_by_package "$sharedir/extension/obsmeta.control"
check "the install script of $version is the package's" owned_by_package "$sharedir/extension/obsmeta--$version.sql"
previous=$(awk -F'\t' -v v="$version" '!/^#/ && $1 != "version" && $1 != v { last = $1 } END { print last }' "$here/upgrade/releases.tsv")
check "the upgrade step $previous → $version is the package's" owned_by_package "$sharedir/extension/obsmeta--$previous--$version.sql"
# CREATE EXTENSION from the package's files, in a cluster of Debian's own server binaries.
created() {
  PATH=/usr/lib/postgresql/15/bin:$PATH OBSMETA_CLUSTER_DIR=$work/cluster OBSMETA_SOCKET_DIR=$work/socket \
    OBSMETA_PORT=$((OBSMETA_PORT + 20)) bash "$here/scripts/cluster.sh" start
  local v
  v=$(psql -X -qAt -h "$work/socket" -p $((OBSMETA_PORT + 20)) -d postgres \
        -c "CREATE EXTENSION obsmeta CASCADE" -c "SELECT extversion FROM pg_extension WHERE extname = 'obsmeta'" 2>&1 | tail -1)
  PATH=/usr/lib/postgresql/15/bin:$PATH OBSMETA_CLUSTER_DIR=$work/cluster bash "$here/scripts/cluster.sh" stop
  [ "$v" = "$version" ]
}
chmod 755 "$work"
check "CREATE EXTENSION obsmeta CASCADE from the package gives $version" created
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
