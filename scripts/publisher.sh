# Sourced after scripts/env.sh: a second throwaway cluster that publishes to the first one
# (logical replication tests, the sample job, the replication benchmark). It listens on
# $OBSMETA_PORT + 10, socket $OBSMETA_SOCKET_DIR-pub, data in $OBSMETA_CLUSTER_DIR-pub, so that
# clusters of parallel runs (and CI's 5444/5454) never collide.
export OBSMETA_PUB_PORT=${OBSMETA_PUB_PORT:-$((OBSMETA_PORT + 10))}
export OBSMETA_PUB_SOCKET_DIR=${OBSMETA_PUB_SOCKET_DIR:-$OBSMETA_SOCKET_DIR-pub}
export OBSMETA_PUB_CLUSTER_DIR=${OBSMETA_PUB_CLUSTER_DIR:-${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}-pub}

publisher_cluster() {  # publisher_cluster start|stop
  OBSMETA_CLUSTER_DIR=$OBSMETA_PUB_CLUSTER_DIR OBSMETA_SOCKET_DIR=$OBSMETA_PUB_SOCKET_DIR \
    OBSMETA_PORT=$OBSMETA_PUB_PORT "$(dirname "${BASH_SOURCE[0]}")/cluster.sh" "$1"
}
pub_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$OBSMETA_PUB_SOCKET_DIR" -p "$OBSMETA_PUB_PORT" -U postgres "$@"; }
pub_conninfo() { echo "host=$OBSMETA_PUB_SOCKET_DIR port=$OBSMETA_PUB_PORT user=postgres dbname=$1"; }

# The subscriber (this cluster) is restarted without losing its data (cluster.sh stop deletes it).
subscriber_restart() {
  local bindir; bindir=$(pg_config --bindir)
  local data=${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "'$bindir/pg_ctl' -D '$data' -m fast -w restart >/dev/null"
  else "$bindir/pg_ctl" -D "$data" -m fast -w restart >/dev/null; fi
}

# wait_for_catchup PUBDB SUBSCRIPTION [SECONDS]: until the subscriber has applied (and committed,
# conversion included) everything the publisher's database wrote so far. The apply worker reports
# as flushed only what it has committed, and everything received once nothing is pending.
wait_for_catchup() {
  local pubdb=$1 sub=$2 limit=${3:-120} target i
  target=$(pub_psql -At -d "$pubdb" -c "SELECT pg_current_wal_lsn()")
  for ((i = 0; i < limit * 10; i++)); do
    [ "$(pub_psql -At -d "$pubdb" -c "SELECT coalesce(bool_or(flush_lsn >= '$target'), false)
                                        FROM pg_stat_replication WHERE application_name = '$sub'")" = t ] && return 0
    sleep 0.1
  done
  echo "subscription $sub did not catch up with $pubdb ($target) in ${limit}s" >&2
  return 1
}

# settled DB SQL WANT: SQL's answer in the subscriber's DB once it equals WANT (polled up to 30 s),
# else its last answer. Catch-up (above) is confirmed by the flushed position, which the publisher
# may see just before the applied commit is visible to a new snapshot: a bounded wait, not a read.
settled() {
  local db=$1 sql=$2 want=$3 got i
  for ((i = 0; i < 300; i++)); do
    got=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$sql"); [ "$got" = "$want" ] && break; sleep 0.1
  done
  echo "$got"
}

# wait_for_sync DB SUBSCRIPTION: until the initial copy of every table of the subscription is done.
wait_for_sync() {
  local db=$1 sub=$2 i
  for ((i = 0; i < 1200; i++)); do
    [ "$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid
                                 WHERE s.subname = '$sub' AND r.srsubstate NOT IN ('r', 's')")" = 0 ] && return 0
    sleep 0.1
  done
  echo "subscription $sub: initial table sync not done in 120s" >&2
  return 1
}
