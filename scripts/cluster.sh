#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the sample job and the tests.
#   scripts/cluster.sh start   initdb (if needed) and start; prints nothing else on success
#   scripts/cluster.sh stop    stop and delete it
# The server refuses to run as root, so as root it runs as the `postgres` user.
# Connection: host $OBSMETA_SOCKET_DIR (default /tmp/obsmeta-socket), port $OBSMETA_PORT (default 5444), user postgres.
set -euo pipefail
bindir=$(pg_config --bindir)
data=${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}
sock=${OBSMETA_SOCKET_DIR:-/tmp/obsmeta-socket}
port=${OBSMETA_PORT:-5444}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "${1:-}" in
  start)
    mkdir -p "$sock"
    [ "$(id -u)" = 0 ] && chown postgres "$sock"
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"
      [ "$(id -u)" = 0 ] && chown postgres "$data"
      as_postgres "'$bindir/initdb' -D '$data' -U postgres -A trust --no-sync >/dev/null"
      cat >> "$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 1GB
max_connections = 60
max_locks_per_transaction = 256
jit = off
# Every throwaway cluster can publish to another (logical replication tests and benchmarks).
wal_level = logical
CONF
      # pg_cron, where installed, runs the strict embargo mode's release job (test/strict_embargo_cron.sh):
      # its jobs live in database postgres and run in any (cron.schedule_in_database), as background
      # workers (the cluster listens on no TCP port).
      if [ -f "$(pg_config --pkglibdir)/pg_cron.so" ]; then
        printf "%s\n" "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'postgres'" \
          "cron.use_background_workers = on" "max_worker_processes = 16" >> "$data/postgresql.conf"
      fi
    fi
    if ! as_postgres "'$bindir/pg_ctl' -D '$data' status >/dev/null 2>&1"; then
      as_postgres "'$bindir/pg_ctl' -D '$data' -l '$data/server.log' -w start >/dev/null"
    fi
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ]; then
      as_postgres "'$bindir/pg_ctl' -D '$data' -m fast -w stop >/dev/null 2>&1" || true
      rm -rf "$data"
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
