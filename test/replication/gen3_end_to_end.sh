#!/usr/bin/env bash
# End to end over a real logical-replication subscription between two clusters, gen3 form:
# a publisher with plain gen3-shaped tables (a pipeline's database, no obsmeta, so it accepts bad
# rows) and a subscriber with obsmeta. Every change is also written with plain SQL into a reference
# database with obsmeta on the subscriber's cluster; the subscriber's CAOM2, ObsCore and
# obsmeta.pending must equal the reference's at every step (rows applied by the apply worker convert
# like rows written by SQL). Covers: initial table sync, streamed nights, out-of-order arrival,
# updates, pruned datasets and a removed run, bad rows (quarantined, subscription keeps streaming,
# converted once fixed), and a subscriber restart.
# Needs: the extension installed, the subscriber cluster running (scripts/env.sh), build/obsmeta-sample-night.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
. scripts/env.sh
. scripts/publisher.sh

pubdb=obsmeta_pub_gen3 subdb=obsmeta_sub_gen3 refdb=obsmeta_ref_gen3 sub=obsmeta_sub_gen3
failures=0 checks=0
ok() {  # ok CONDITION-RESULT DESCRIPTION: "t" passes
  checks=$((checks + 1))
  if [ "$1" = t ]; then echo "ok $checks - $2"; else failures=$((failures + 1)); echo "not ok $checks - $2 (got: $1)"; fi
}
is() {  # is GOT WANT DESCRIPTION
  checks=$((checks + 1))
  if [ "$1" = "$2" ]; then echo "ok $checks - $3"; else failures=$((failures + 1)); echo "not ok $checks - $3"; echo "#   got:  $1"; echo "#   want: $2"; fi
}
sub_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$subdb" -c "$1"; }
ref_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$refdb" -c "$1"; }
pub_q() { pub_psql -At -d "$pubdb" -c "$1"; }
both() {  # both SQL: the same write on the publisher and, with plain SQL, on the reference
  pub_psql -d "$pubdb" -c "$1" >/dev/null && psql -X -q -v ON_ERROR_STOP=1 -d "$refdb" -c "$1" >/dev/null
}
load_night() {  # load_night ARGS...: the same generated night into the publisher and the reference
  build/obsmeta-sample-night --conninfo "$(pub_conninfo "$pubdb")" --no-convert "$@" >/dev/null &&
    build/obsmeta-sample-night --conninfo "$(conninfo "$refdb")" "$@" >/dev/null
}
catch_up() { wait_for_catchup "$pubdb" "$sub"; }
# What obsmeta made, without what depends on when it was made (entity ids and checksums are
# deterministic; lastModified is not, and the checksums leave it out as CAOM-2.4 does).
fingerprint() {  # fingerprint DB
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL' || echo "fingerprint of $1 failed"
SELECT 'observations ' || count(*) || ' ' || md5(coalesce(string_agg(obs_id || meta_checksum || coalesce(acc_meta_checksum, ''), ',' ORDER BY obs_id), '')) FROM caom2.observation;
SELECT 'planes ' || count(*) || ' ' || md5(coalesce(string_agg(plane_id || meta_checksum || coalesce(acc_meta_checksum, ''), ',' ORDER BY plane_id), '')) FROM caom2.plane;
SELECT 'artifacts ' || count(*) || ' ' || md5(coalesce(string_agg(artifact_id || meta_checksum || coalesce(acc_meta_checksum, ''), ',' ORDER BY artifact_id), '')) FROM caom2.artifact;
SELECT 'chunks ' || count(*) || ' ' || md5(coalesce(string_agg(chunk_id || meta_checksum, ',' ORDER BY chunk_id), '')) FROM caom2.chunk;
SELECT 'obscore ' || count(*) || ' ' || md5(coalesce(string_agg((to_jsonb(o) - 'row_id' - 's_region_spoly' - 's_center')::text, ',' ORDER BY o.obs_publisher_did, o.access_url), '')) FROM ivoa.obscore o;
SELECT 'tombstones ' || count(*) FROM caom2.deleted_observation;
SQL
}
pending() { psql -X -q -At -d "$1" -c "SELECT mirror_table, mirror_key, waiting_for FROM obsmeta.pending ORDER BY 1, 2"; }
same_as_reference() {  # same_as_reference WHAT
  is "$(fingerprint "$subdb")" "$(fingerprint "$refdb")" "$1: CAOM2 and ObsCore equal those of the same rows written with SQL"
  is "$(sub_q "SELECT count(*) FROM obsmeta.verify_obscore()")" 0 "$1: verify_obscore() is empty"
}
streaming() { sub_q "SELECT coalesce(bool_and(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = '$sub'"; }

publisher_cluster start || exit 1
trap 'psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1; publisher_cluster stop' EXIT
psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1
fresh_database "$subdb" && fresh_database "$refdb" || exit 1
pub_psql -d postgres -c "DROP DATABASE IF EXISTS $pubdb" -c "CREATE DATABASE $pubdb" || exit 1
# PostgreSQL's default: tables synced in parallel (a dataset and its exposure copied by concurrent
# transactions that do not see each other's rows must still convert)
psql -X -q -d postgres -c "ALTER SYSTEM RESET max_sync_workers_per_subscription" -c "SELECT pg_reload_conf()" >/dev/null || exit 1
is "$(sub_q "SELECT setting FROM pg_settings WHERE name = 'max_sync_workers_per_subscription'")" 2 "(table sync with 2 parallel workers)"
# quarantined rows are retried at every replicated commit (default: each at most every 10 s)
psql -X -q -d "$subdb" -c "ALTER DATABASE $subdb SET obsmeta.quarantine_retry_interval = 0" || exit 1
psql -X -q -At -d "$subdb" -f test/replication/gen3_publisher_tables.sql | pub_psql -d "$pubdb" || exit 1
pub_psql -d "$pubdb" -c "CREATE PUBLICATION obsmeta_gen3 FOR TABLES IN SCHEMA gen3" || exit 1

echo "# a night written before the subscription: the initial table sync converts it"
load_night --exposures 14 --seed 11 || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" \
  -c "CREATE SUBSCRIPTION $sub CONNECTION '$(pub_conninfo "$pubdb")' PUBLICATION obsmeta_gen3" 2>/dev/null || exit 1
wait_for_sync "$subdb" "$sub" && catch_up || exit 1
ok "$(sub_q "SELECT count(*) > 3000 FROM caom2.artifact")" "initial sync: the night's datasets became artifacts"
same_as_reference "initial sync"

echo "# a night streamed through the apply worker"
load_night --exposures 14 --seed 12 --first-seq 100 --reuse-static && catch_up || exit 1
ok "$(sub_q "SELECT count(*) > 6000 FROM caom2.artifact")" "streamed night: its datasets became artifacts"
same_as_reference "streamed night"
is "$(pending "$subdb")" "" "nothing pending"

echo "# out of order: a raw and its file arrive in a transaction before their exposure's"
late_id=aaaaaaaa-0000-4000-8000-000000000001
both "INSERT INTO gen3.dataset SELECT (jsonb_populate_record(d, jsonb_build_object('id', '$late_id', 'exposure', d.exposure + 1000000))).*
        FROM gen3.dataset d WHERE d.dataset_type = 'raw' ORDER BY d.exposure, d.detector LIMIT 1;
      INSERT INTO gen3.file_datastore_record SELECT (jsonb_populate_record(r, jsonb_build_object('dataset_id', '$late_id', 'path', r.path || '.late'))).*
        FROM gen3.file_datastore_record r JOIN gen3.dataset d ON d.id = r.dataset_id
       WHERE d.dataset_type = 'raw' AND d.id <> '$late_id' ORDER BY d.exposure, d.detector LIMIT 1" || exit 1
catch_up || exit 1
ok "$(sub_q "SELECT count(*) = 1 FROM obsmeta.pending WHERE mirror_key = '$late_id'")" "the early raw waits in obsmeta.pending"
is "$(pending "$subdb")" "$(pending "$refdb")" "obsmeta.pending equals the reference's"
both "INSERT INTO gen3.exposure SELECT (jsonb_populate_record(e, jsonb_build_object('id', e.id + 1000000, 'obs_id', e.obs_id || '_late'))).*
        FROM gen3.exposure e WHERE e.id + 1000000 = (SELECT exposure FROM gen3.dataset WHERE id = '$late_id')" || exit 1
catch_up || exit 1
is "$(pending "$subdb")" "" "the raw converted when its exposure arrived"
same_as_reference "out of order"

echo "# updates: a visit's regions, an exposure's metadata fixed later, a physical filter's band"
both "UPDATE gen3.visit_detector_region g SET region = o.region FROM gen3.visit_detector_region o
       WHERE o.instrument = g.instrument AND o.visit = g.visit AND o.detector = (SELECT min(detector) FROM gen3.visit_detector_region)
         AND g.visit = (SELECT min(visit) FROM gen3.visit_detector_region) AND g.detector % 7 = 3;
      UPDATE gen3.visit SET region = (SELECT region FROM gen3.visit_detector_region ORDER BY visit, detector LIMIT 1)
       WHERE id = (SELECT max(id) FROM gen3.visit)" || exit 1
both "UPDATE gen3.exposure SET target_name = 'fixed later', science_program = 'BLOCK-T999' WHERE id = (SELECT max(id) FROM gen3.exposure WHERE observation_type = 'science')" || exit 1
both "UPDATE gen3.physical_filter SET band = 'z' WHERE name = (SELECT physical_filter FROM gen3.exposure WHERE observation_type = 'science' ORDER BY id LIMIT 1)" || exit 1
catch_up || exit 1
ok "$(sub_q "SELECT count(*) > 0 FROM caom2.observation WHERE target_name = 'fixed later'")" "the fixed exposure metadata reached CAOM2"
same_as_reference "updates"

echo "# deletes: pruned datasets, a removed run"
both "DELETE FROM gen3.file_datastore_record WHERE dataset_id IN (SELECT id FROM gen3.dataset WHERE dataset_type = 'raw' ORDER BY id LIMIT 10);
      DELETE FROM gen3.dataset WHERE id IN (SELECT id FROM gen3.dataset d WHERE dataset_type = 'raw'
                                            AND NOT EXISTS (SELECT 1 FROM gen3.file_datastore_record r WHERE r.dataset_id = d.id))" || exit 1
run=$(pub_q "SELECT run FROM gen3.dataset WHERE dataset_type <> 'raw' GROUP BY run ORDER BY count(*) DESC LIMIT 1")
[ -n "$run" ] || run=$(pub_q "SELECT max(run) FROM gen3.dataset")
both "DELETE FROM gen3.file_datastore_record WHERE dataset_id IN (SELECT id FROM gen3.dataset WHERE run = '$run');
      DELETE FROM gen3.dataset WHERE run = '$run'" || exit 1
catch_up || exit 1
is "$(sub_q "SELECT count(*) FROM gen3.dataset WHERE run = '$run'")" 0 "run $run removed on the subscriber"
same_as_reference "deletes"

echo "# bad rows from the publisher (the reference never gets them)"
pub_psql -d "$pubdb" -c "CREATE TABLE public.saved AS
    SELECT 'region'::text AS what, instrument, visit AS id, detector, region, NULL::timestamptz AS t
      FROM gen3.visit_detector_region WHERE (visit, detector) = (SELECT visit, detector FROM gen3.visit_detector_region ORDER BY 1 DESC, 2 LIMIT 1)
    UNION ALL
    SELECT 'polygon', instrument, visit, detector, region, NULL FROM gen3.visit_detector_region
     WHERE (visit, detector) = (SELECT visit, detector FROM gen3.visit_detector_region ORDER BY 1 DESC, 2 OFFSET 100 LIMIT 1)
    UNION ALL
    SELECT 'timespan', instrument, id, NULL, NULL, timespan_end FROM gen3.exposure
     WHERE id = (SELECT id FROM gen3.exposure WHERE observation_type = 'science' ORDER BY id LIMIT 1)" || exit 1
pub_psql -d "$pubdb" <<'SQL' || exit 1
-- an instrument obsmeta is not configured for
INSERT INTO gen3.exposure SELECT (jsonb_populate_record(e, '{"instrument": "HSC"}')).* FROM gen3.exposure e ORDER BY id LIMIT 1;
-- an exposure without obs_id (this publisher's table allows NULL where obsmeta needs a value)
ALTER TABLE gen3.exposure ALTER COLUMN obs_id DROP NOT NULL;
INSERT INTO gen3.exposure SELECT (jsonb_populate_record(e, jsonb_build_object('id', (SELECT max(id) + 1 FROM gen3.exposure), 'obs_id', NULL))).*
  FROM gen3.exposure e WHERE instrument = 'LSSTCam' ORDER BY id LIMIT 1;
-- a malformed region
UPDATE gen3.visit_detector_region g SET region = '\x7100ff' FROM public.saved s
 WHERE s.what = 'region' AND (g.instrument, g.visit, g.detector) = (s.instrument, s.id, s.detector);
-- a timespan that ends before it begins
UPDATE gen3.exposure e SET timespan_end = e.timespan_begin - interval '1 hour' FROM public.saved s
 WHERE s.what = 'timespan' AND (e.instrument, e.id) = (s.instrument, s.id);
SQL
# a polygon of 100,000 vertices (lsst.sphgeom encoding: 'p', then unit vectors as little-endian
# doubles), star-shaped: whichever check meets it first (vertex count, convexity), it is refused.
# Without obsmeta.max_region_vertices (issue 13) the convexity check costs N^2 (minutes at 10^5):
# then 3,000 vertices.
vertices=100000
[ "$(sub_q "SELECT obsmeta.check_region(NULL); SELECT count(*) FROM pg_settings WHERE name = 'obsmeta.max_region_vertices'" | tail -1)" = 1 ] ||
  { vertices=3000; echo "# obsmeta.max_region_vertices missing: a $vertices-vertex polygon instead"; }
perl -e '
  my $n = shift; my ($ra, $dec) = (0.18, -0.52); my $hex = "70";
  for my $i (0 .. $n - 1) { my $t = 6.283185307179586 * $i / $n; my $r = $i % 2 ? 0.0002 : 0.0001;
    my ($lon, $lat) = ($ra + $r * cos($t) / cos($dec), $dec + $r * sin($t));
    $hex .= unpack("H*", pack("d<3", cos($lat) * cos($lon), cos($lat) * sin($lon), sin($lat))); }
  print "UPDATE gen3.visit_detector_region g SET region = \x27\\x$hex\x27::bytea FROM public.saved s\n",
        " WHERE s.what = \x27polygon\x27 AND (g.instrument, g.visit, g.detector) = (s.instrument, s.id, s.detector);\n";' "$vertices" \
  > "${TMPDIR:-/tmp}/obsmeta_polygon_$$.sql"
pub_psql -d "$pubdb" -f "${TMPDIR:-/tmp}/obsmeta_polygon_$$.sql" || exit 1
rm -f "${TMPDIR:-/tmp}/obsmeta_polygon_$$.sql"
# and a good row after them
# (an exposure of neither the bad visit nor the bad exposure: rows that depend on a quarantined
# row, such as the datasets of a visit whose region is bad, cannot convert until it is fixed)
good=$(pub_q "SELECT e.id FROM gen3.exposure e WHERE e.observation_type = 'science' AND e.instrument = 'LSSTCam'
                 AND e.id NOT IN (SELECT id FROM public.saved WHERE what = 'timespan')
                 AND e.id NOT IN (SELECT exposure FROM gen3.visit_definition WHERE visit IN (SELECT id FROM public.saved WHERE what <> 'timespan'))
               ORDER BY e.id LIMIT 1")
both "UPDATE gen3.exposure SET target_name = 'after the bad rows' WHERE id = $good" || exit 1
catch_up || exit 1
ok "$(streaming)" "the subscription keeps streaming after the bad rows"
ok "$(sub_q "SELECT count(*) > 0 FROM caom2.observation WHERE target_name = 'after the bad rows'")" "a good row after the bad ones converted"
sub_q "SELECT relation, row_key, stage, sqlstate, attempts, left(message, 100) FROM obsmeta.quarantine ORDER BY 1, 2" | sed 's/^/#   /'
is "$(sub_q "SELECT stage || ' ' || sqlstate FROM obsmeta.quarantine WHERE relation = 'gen3.exposure'::regclass AND row_key->>'instrument' = 'HSC'")" \
   "capture 23503" "unknown instrument: quarantined (23503)"
is "$(sub_q "SELECT q.stage || ' ' || q.sqlstate FROM obsmeta.quarantine q JOIN gen3.visit_detector_region g
               ON q.relation = 'gen3.visit_detector_region'::regclass AND q.row_key = jsonb_build_object('instrument', g.instrument, 'visit', g.visit, 'detector', g.detector)
            WHERE g.region = '\x7100ff'")" "check 22P03" "malformed region: quarantined (22P03)"
is "$(sub_q "SELECT stage || ' ' || sqlstate FROM obsmeta.quarantine WHERE relation = 'gen3.exposure'::regclass
             AND row_key = jsonb_build_object('instrument', 'LSSTCam', 'id', $(pub_q "SELECT id FROM public.saved WHERE what = 'timespan'"))")" \
   "check 22023" "timespan ending before it begins: quarantined (22023)"
is "$(sub_q "SELECT stage || ' ' || sqlstate || ' ' || message FROM obsmeta.quarantine WHERE relation = 'gen3.exposure'::regclass
             AND row_key = jsonb_build_object('instrument', 'LSSTCam', 'id', (SELECT id FROM gen3.exposure WHERE obs_id IS NULL))")" \
   'check 23502 null value in column "obs_id" of relation "exposure" violates not-null constraint' "NULL obs_id: quarantined (23502), not a stopped subscription"
ok "$(sub_q "SELECT count(*) = 1 FROM obsmeta.quarantine q JOIN gen3.visit_detector_region g
               ON q.relation = 'gen3.visit_detector_region'::regclass AND q.row_key = jsonb_build_object('instrument', g.instrument, 'visit', g.visit, 'detector', g.detector)
            WHERE length(g.region) = 1 + 24 * $vertices AND q.sqlstate <> ''")" "$vertices-vertex polygon: quarantined"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine WHERE relation = 'gen3.dataset'::regclass")" 0 \
   "the bad rows were kept out of the conversion: none of their datasets failed with them"
same_as_reference "after the bad rows (what converted before is kept)"
# a plain-SQL writer on the subscriber still gets the error, as before
psql -X -q -d "$subdb" -c "INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, 1, '\x7100ff')" 2>"${TMPDIR:-/tmp}/obsmeta_err_$$" >/dev/null
ok "$(grep -q 'invalid sphgeom region' "${TMPDIR:-/tmp}/obsmeta_err_$$" && echo t || echo f)" "a plain-SQL writer still gets the error (invalid sphgeom region)"
rm -f "${TMPDIR:-/tmp}/obsmeta_err_$$"
is "$(sub_q "SELECT obsmeta.retry_quarantined()")" 0 "retry_quarantined(): nothing is fixed yet, nothing leaves the list"
is "$(sub_q "SELECT min(attempts) FROM obsmeta.quarantine")" 2 "each retry counts an attempt"

echo "# EFD samples applied in the same transaction as a quarantined row are kept"
sub_q "INSERT INTO efd.channel (topic, field, kind) VALUES ('e2e.topic', 'x', 'fast')" >/dev/null || exit 1
pub_psql -d "$pubdb" -c "CREATE SCHEMA efd" \
  -c "CREATE TABLE efd.sample (channel integer, time timestamptz, value double precision, topic text, field text, sal_index integer)" \
  -c "ALTER PUBLICATION obsmeta_gen3 ADD TABLE efd.sample" >/dev/null || exit 1
psql -X -q -d "$subdb" -c "ALTER SUBSCRIPTION $sub REFRESH PUBLICATION" || exit 1
wait_for_sync "$subdb" "$sub" || exit 1
pub_psql -d "$pubdb" <<'SQL' || exit 1
BEGIN;
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'e2e.topic', 'x', '2025-11-30 06:00:00+00'::timestamptz + g * interval '1 s', g FROM generate_series(1, 10) g;
INSERT INTO gen3.exposure SELECT (jsonb_populate_record(e, jsonb_build_object('id', (SELECT max(id) + 1 FROM gen3.exposure), 'obs_id', NULL))).*
  FROM gen3.exposure e WHERE instrument = 'LSSTCam' ORDER BY id LIMIT 1;
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'e2e.topic', 'x', '2025-11-30 06:00:00+00'::timestamptz + g * interval '1 s', g FROM generate_series(11, 20) g;
COMMIT;
SQL
catch_up || exit 1
ok "$(streaming)" "still streaming"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine WHERE relation = 'gen3.exposure'::regclass AND sqlstate = '23502'")" 2 "the transaction's row without obs_id is quarantined"
is "$(sub_q "SELECT count(*) || ' ' || sum(value) FROM efd.samples(efd.channel_id('e2e.topic', 'x'), '2025-11-30 06:00:00+00', '2025-11-30 06:01:00+00')")" \
   "20 210" "all 20 samples of that transaction are stored (those buffered before the quarantined row too)"

echo "# the publisher fixes the rows"
pub_psql -d "$pubdb" <<'SQL' || exit 1
UPDATE gen3.visit_detector_region g SET region = s.region FROM public.saved s
 WHERE s.what IN ('region', 'polygon') AND (g.instrument, g.visit, g.detector) = (s.instrument, s.id, s.detector);
UPDATE gen3.exposure e SET timespan_end = s.t FROM public.saved s WHERE s.what = 'timespan' AND (e.instrument, e.id) = (s.instrument, s.id);
DELETE FROM gen3.exposure WHERE instrument = 'HSC';
DELETE FROM gen3.exposure WHERE obs_id IS NULL;
SQL
catch_up || exit 1
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "fixed rows converted and left the quarantine"
same_as_reference "after the fixes"
is "$(pending "$subdb")" "$(pending "$refdb")" "obsmeta.pending equals the reference's"

echo "# a NULL in a column of obsmeta's primary key (this publisher keys gen3.visit_detector_region differently)"
pub_psql -d "$pubdb" -c "ALTER TABLE gen3.visit_detector_region DROP CONSTRAINT visit_detector_region_pkey" \
  -c "ALTER TABLE gen3.visit_detector_region REPLICA IDENTITY FULL" \
  -c "ALTER TABLE gen3.visit_detector_region ALTER COLUMN detector DROP NOT NULL" >/dev/null || exit 1
pub_psql -d "$pubdb" <<SQL >/dev/null || exit 1
BEGIN;
INSERT INTO gen3.visit_detector_region (instrument, visit, detector, region)
SELECT instrument, visit, NULL, region FROM gen3.visit_detector_region ORDER BY visit, detector LIMIT 1;
UPDATE gen3.exposure SET target_name = 'beside a NULL key' WHERE id = $good;
COMMIT;
SQL
ref_q "UPDATE gen3.exposure SET target_name = 'beside a NULL key' WHERE id = $good" >/dev/null || exit 1
catch_up || exit 1
ok "$(streaming)" "a NULL primary-key value does not stop the subscription"
is "$(sub_q "SELECT stage || ' ' || sqlstate || ' ' || message || ' ' || (row_key->'detector' = 'null')::text FROM obsmeta.quarantine
             WHERE relation = 'gen3.visit_detector_region'::regclass")" \
   'check 23502 null value in column "detector" of relation "visit_detector_region" violates not-null constraint true' \
   "the row is listed: stage, SQLSTATE, PostgreSQL's message, its key with the NULL"
ok "$(sub_q "SELECT detail LIKE '%the row as replication delivered it: {%\"detector\": null, \"region\": \"%' FROM obsmeta.quarantine
             WHERE relation = 'gen3.visit_detector_region'::regclass")" "the whole row as delivered is kept in the entry (nothing lost)"
ok "$(sub_q "SELECT count(*) = 1 FROM caom2.observation WHERE target_name = 'beside a NULL key'")" "the transaction's other row converted"
is "$(sub_q "SELECT obsmeta.retry_quarantined()")" 0 "retry_quarantined(): a row that was never stored stays listed"
is "$(sub_q "SELECT attempts || ' ' || sqlstate || ' ' || (detail LIKE '%delivered it%')::text FROM obsmeta.quarantine
             WHERE relation = 'gen3.visit_detector_region'::regclass")" "2 23502 true" "with its error and row (attempts + 1)"
psql -X -q -d "$subdb" -c "INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, NULL, NULL)" 2>"${TMPDIR:-/tmp}/obsmeta_err_$$" >/dev/null
ok "$(grep -q 'null value in column "detector"' "${TMPDIR:-/tmp}/obsmeta_err_$$" && echo t || echo f)" "a plain-SQL writer still gets PostgreSQL's error"
rm -f "${TMPDIR:-/tmp}/obsmeta_err_$$"
# the publisher drops the row and keys its table as obsmeta does again; the DBA removes the entry
pub_psql -d "$pubdb" -c "DELETE FROM gen3.visit_detector_region WHERE detector IS NULL" \
  -c "ALTER TABLE gen3.visit_detector_region ALTER COLUMN detector SET NOT NULL" \
  -c "ALTER TABLE gen3.visit_detector_region ADD PRIMARY KEY (instrument, visit, detector)" \
  -c "ALTER TABLE gen3.visit_detector_region REPLICA IDENTITY DEFAULT" >/dev/null || exit 1
catch_up || exit 1
sub_q "DELETE FROM obsmeta.quarantine WHERE relation = 'gen3.visit_detector_region'::regclass" >/dev/null
ok "$(streaming)" "still streaming"
same_as_reference "after a NULL key"

echo "# the subscriber restarts while the publisher writes a night"
psql -X -q -d "$subdb" -c "CHECKPOINT" >/dev/null
bindir=$(pg_config --bindir) data=${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
as_pg "'$bindir/pg_ctl' -D '$data' -m immediate -w stop >/dev/null"
build/obsmeta-sample-night --conninfo "$(pub_conninfo "$pubdb")" --no-convert --exposures 14 --seed 13 --first-seq 200 --reuse-static >/dev/null || exit 1
as_pg "'$bindir/pg_ctl' -D '$data' -l '$data/server.log' -w start >/dev/null" || exit 1
build/obsmeta-sample-night --conninfo "$(conninfo "$refdb")" --exposures 14 --seed 13 --first-seq 200 --reuse-static >/dev/null || exit 1
catch_up || exit 1
ok "$(streaming)" "streaming again after the restart"
same_as_reference "after the subscriber's crash and restart"

echo "1..$checks"
[ "$failures" = 0 ] || { echo "# $failures of $checks checks failed"; exit 1; }
