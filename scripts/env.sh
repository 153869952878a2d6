# Sourced by the scripts: where the throwaway cluster listens and how to reach it.
export OBSMETA_SOCKET_DIR=${OBSMETA_SOCKET_DIR:-/tmp/obsmeta-socket}
export OBSMETA_PORT=${OBSMETA_PORT:-5444}
export PGHOST=$OBSMETA_SOCKET_DIR PGPORT=$OBSMETA_PORT PGUSER=postgres
conninfo() { echo "host=$PGHOST port=$PGPORT user=postgres dbname=$1"; }
# A fresh database with obsmeta (and anything else named) installed: a copy of
# $OBSMETA_TEMPLATE_DB if set (scripts/test.sh: made once per cluster by template_database, so
# the install script runs once, not once per suite), else made with CREATE EXTENSION.
fresh_database() {
  local db=$1; shift
  if [ -n "${OBSMETA_TEMPLATE_DB:-}" ]; then
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE $OBSMETA_TEMPLATE_DB"
  else
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION obsmeta CASCADE" >/dev/null
  fi
  for ext in "$@"; do psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION $ext" >/dev/null; done
}
template_database() {  # template_database NAME: (re)made with the extension as installed now
  OBSMETA_TEMPLATE_DB= fresh_database "$1"
}
build_tools() {  # build_tools SOURCE_DIR [TARGET...]: the C++ tools and tests (the extension itself is built by make)
  local dir=$1; shift
  cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  if [ $# -gt 0 ]; then cmake --build "$dir/build" -j"$(nproc)" --target "$@" >/dev/null
  else cmake --build "$dir/build" -j"$(nproc)" >/dev/null; fi
}
