# Sourced by scripts/sample.sh: a second cluster publishes a pipeline's plain gen3 tables; a
# subscription feeds obsmeta_replica on the first, where the apply worker's rows convert; one bad
# row is quarantined and the subscription keeps streaming.
. scripts/publisher.sh
echo
echo "== Logical replication: publisher cluster on port $OBSMETA_PUB_PORT (plain gen3 tables, no obsmeta) → obsmeta_replica"
publisher_cluster start
psql -X -q -d obsmeta_replica -c "DROP SUBSCRIPTION IF EXISTS obsmeta_sample_sub" >/dev/null 2>&1 || true
fresh_database obsmeta_replica 2>/dev/null
pub_psql -d postgres -c "DROP DATABASE IF EXISTS pipeline" -c "CREATE DATABASE pipeline" 2>/dev/null
psql -X -q -At -d obsmeta_replica -f test/replication/gen3_publisher_tables.sql | pub_psql -d pipeline
pub_psql -d pipeline -c "CREATE PUBLICATION obsmeta_gen3 FOR TABLES IN SCHEMA gen3"
build/obsmeta-sample-night --conninfo "$(pub_conninfo pipeline)" --exposures 14 --no-convert >/dev/null
psql -X -q -d postgres -c "ALTER SYSTEM RESET max_sync_workers_per_subscription" -c "SELECT pg_reload_conf()" >/dev/null  # the default: parallel table sync
psql -X -q -d obsmeta_replica -c "CREATE SUBSCRIPTION obsmeta_sample_sub CONNECTION '$(pub_conninfo pipeline)' PUBLICATION obsmeta_gen3" 2>/dev/null
wait_for_sync obsmeta_replica obsmeta_sample_sub && wait_for_catchup pipeline obsmeta_sample_sub
echo "-- a second night streamed, then a region the pipeline wrote wrong"
build/obsmeta-sample-night --conninfo "$(pub_conninfo pipeline)" --exposures 14 --seed 7 --first-seq 100 --reuse-static --no-convert >/dev/null
pub_psql -d pipeline -c "UPDATE gen3.visit_detector_region SET region = '\x7100ff'
                          WHERE (visit, detector) = (SELECT visit, detector FROM gen3.visit_detector_region ORDER BY 1 DESC, 2 LIMIT 1)"
wait_for_catchup pipeline obsmeta_sample_sub
psql -X -d obsmeta_replica -P pager=off \
  -c "SELECT (SELECT count(*) FROM gen3.dataset) AS replicated_datasets, (SELECT count(*) FROM caom2.artifact) AS caom2_artifacts,
             (SELECT count(*) FROM ivoa.obscore) AS obscore_rows, (SELECT count(*) FROM obsmeta.pending) AS pending" \
  -c "SELECT relation, row_key, stage, sqlstate, attempts, left(message, 70) AS message FROM obsmeta.quarantine" \
  -c "SELECT subname, pid IS NOT NULL AS streaming, received_lsn, latest_end_lsn FROM pg_stat_subscription"
echo "Publisher: psql -h $OBSMETA_PUB_SOCKET_DIR -p $OBSMETA_PUB_PORT -U postgres pipeline"
echo "Remove it: DROP SUBSCRIPTION in obsmeta_replica, then OBSMETA_CLUSTER_DIR=$OBSMETA_PUB_CLUSTER_DIR OBSMETA_SOCKET_DIR=$OBSMETA_PUB_SOCKET_DIR scripts/cluster.sh stop"
