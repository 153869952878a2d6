#!/usr/bin/env bash
# pg_dump / pg_restore round trip: a database with a loaded night and edited configuration is
# dumped and restored into a new database; every gen3, caom2, ivoa, efd, rubin and configuration table must come
# back identical, row for row (including lastModified), and conversion must still work after. The
# source's gen3 and caom2 tables are first rewritten in another physical order (CLUSTER on their
# primary key columns reversed), so that the dump's row order, and hence the restored tables',
# differs from the order the rows were written in: nothing obsmeta computes may depend on it.
# The database also holds the real HSC Butler registry, attached (its capture triggers must come back).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
src=obsmeta_dump_src dst=obsmeta_dump_dst dump=$(mktemp /tmp/obsmeta-dump.XXXXXX)
trap 'rm -f "$dump"' EXIT

fresh_database $src
build/obsmeta-sample-night --conninfo "$(conninfo $src)" --exposures 14 --copy >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src <<'SQL'
UPDATE obsmeta.instrument_config SET embargo_period = '72 hours' WHERE instrument = 'LATISS';
INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name) VALUES ('HSC', 'HSC', 'Subaru', 'Subaru');
DELETE FROM gen3.file_datastore_record WHERE dataset_id IN (SELECT id FROM gen3.dataset ORDER BY id LIMIT 3);
-- telemetry (chunked, monthly partitions, per-exposure values), a hold, prompt results
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', e.timespan_begin + i * interval '10 s', 0.7 + i / 100.0
  FROM gen3.exposure e, generate_series(0, 5) i WHERE e.can_see_sky;
SELECT obsmeta.hold(obs_id, 'dump/restore test') FROM caom2.observation ORDER BY obs_id LIMIT 1;
INSERT INTO rubin.visit_result (instrument, visit, release, psf_sigma_median, pixel_scale_median)
SELECT instrument, id, 'prompt', 2.1, 0.2 FROM gen3.visit ORDER BY id LIMIT 2;
SQL
anchors=../shared/anchors/rubin/registry
psql -X -q -v ON_ERROR_STOP=1 -d $src -f $anchors/hsc_registry_schema.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src -f $anchors/hsc_registry_data.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src -f test/registry/hsc_config.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src -c "SELECT obsmeta.attach_registry('hsc_repo')" >/dev/null

# Physical order: every gen3 and caom2 table rewritten in the reverse order of its primary key.
psql -X -q -v ON_ERROR_STOP=1 -d $src <<'SQL'
DO $shuffle$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.conrelid::regclass AS tab, c.connamespace::regnamespace AS nsp,
                    (SELECT string_agg(quote_ident(a.attname) || ' DESC', ', ' ORDER BY k.ord DESC)
                       FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols
               FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid AND r.relkind = 'r'
              WHERE c.contype = 'p' AND c.connamespace IN ('gen3'::regnamespace, 'caom2'::regnamespace) LOOP
        EXECUTE format('CREATE INDEX dump_restore_order ON %s (%s)', t.tab, t.cols);
        EXECUTE format('CLUSTER %s USING dump_restore_order', t.tab);
        EXECUTE format('DROP INDEX %s.dump_restore_order', t.nsp);
    END LOOP;
END
$shuffle$;
SQL

entities() {  # every observation's and plane's checksums and lastModified
  psql -X -At -d "$1" <<'SQL'
SELECT format('observation %s %s %s %s %s', collection, observation_id, meta_checksum, acc_meta_checksum, last_modified)
  FROM caom2.observation
UNION ALL
SELECT format('plane %s %s %s %s', plane_id, meta_checksum, acc_meta_checksum, last_modified) FROM caom2.plane
ORDER BY 1;
SQL
}

fingerprint() {  # one md5 per table over all its rows, in a stable order
  psql -X -At -d "$1" <<'SQL'
SELECT format('%s.%s %s', n.nspname, c.relname,
              (xpath('//m/text()', query_to_xml(format(
                 'SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS m FROM %I.%I t',
                 '|', '', n.nspname, c.relname), false, false, '')))[1]::text)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('gen3', 'caom2', 'obsmeta', 'ivoa', 'efd', 'rubin', 'hsc_repo') AND c.relkind IN ('r', 'p')
 ORDER BY 1;
SQL
}

before=$(fingerprint $src) entities_before=$(entities $src)
pg_dump -Fc -d $src -f "$dump"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst"
bash scripts/restore.sh "$dump" $dst
after=$(fingerprint $dst) entities_after=$(entities $dst)

fails=0
if [ "$before" = "$after" ]; then
  echo "ok 1 - every gen3, caom2, ivoa, efd, rubin, obsmeta and registry table identical after restore ($(echo "$before" | wc -l) tables)"
else
  echo "not ok 1 - tables differ after restore:"; diff <(echo "$before") <(echo "$after") | head -20; fails=$((fails + 1))
fi
changed=$(diff <(echo "$entities_before") <(echo "$entities_after") | grep -c '^>' || true)
if [ "$entities_before" = "$entities_after" ] && [ -n "$entities_before" ]; then
  echo "ok 2 - every observation's and plane's metaChecksum, accMetaChecksum and lastModified unchanged ($(echo "$entities_before" | wc -l) entities)"
else
  echo "not ok 2 - $changed observations/planes changed by the restore:"; diff <(echo "$entities_before") <(echo "$entities_after") | head -10
  fails=$((fails + 1))
fi
n=$(psql -X -At -d $dst -c "SELECT count(*) FROM caom2.observation")
[ "$n" -gt 0 ] && echo "ok 3 - $n observations restored" || { echo "not ok 3 - no observations restored"; fails=$((fails + 1)); }
# Conversion still works in the restored database: a deleted exposure leaves a tombstone.
psql -X -q -v ON_ERROR_STOP=1 -d $dst -c "DELETE FROM gen3.exposure WHERE id = (SELECT min(id) FROM gen3.exposure)"
t=$(psql -X -At -d $dst -c "SELECT count(*) FROM caom2.deleted_observation")
[ "$t" = 1 ] && echo "ok 4 - conversion works after restore (tombstone written)" || { echo "not ok 4 - expected 1 tombstone, got $t"; fails=$((fails + 1)); }
# The restored registry is still attached: a later registry change reaches gen3 and ObsCore.
psql -X -q -v ON_ERROR_STOP=1 -d $dst -c "UPDATE hsc_repo.exposure SET target_name = 'after restore' WHERE id = 903334"
r=$(psql -X -At -d $dst -c "SELECT count(*) FROM ivoa.obscore WHERE lsst_exposure = 903334 AND target_name = 'after restore'")
[ "$r" -gt 0 ] && echo "ok 5 - the attached registry is followed after restore" || { echo "not ok 5 - registry change not converted after restore"; fails=$((fails + 1)); }
# Strict embargo mode (doc/strict_embargo.md) survives a dump and restore: readers' copies equal,
# readers still without SELECT on the full relations, the copying triggers back.
released() {
  psql -X -At -d "$1" <<'SQL'
SELECT format('%s %s', c.relname, (xpath('//m/text()', query_to_xml(format(
         'SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS m FROM released.%I t', '|', '', c.relname),
         false, false, '')))[1]::text)
  FROM pg_class c WHERE c.relnamespace = 'released'::regnamespace AND c.relkind = 'r'
UNION ALL SELECT format('reader reads ivoa.obscore: %s', has_table_privilege('obsmeta_reader', 'ivoa.obscore', 'SELECT'))
UNION ALL SELECT format('strict triggers: %s', count(*)) FROM pg_trigger WHERE tgname LIKE 'strict_embargo_%'
ORDER BY 1;
SQL
}
psql -X -q -At -v ON_ERROR_STOP=1 -d $src -c "SELECT obsmeta.enable_strict_embargo()" >/dev/null
strict_before=$(released $src)
pg_dump -Fc -d $src -f "$dump"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst"
bash scripts/restore.sh "$dump" $dst
strict_after=$(released $dst)
if [ "$strict_before" = "$strict_after" ] && grep -qx 'reader reads ivoa.obscore: f' <<< "$strict_after"; then
  echo "ok 6 - strict embargo mode restored: readers' copies identical, readers still without the full relations"
else
  echo "not ok 6 - strict embargo mode differs after restore:"; diff <(echo "$strict_before") <(echo "$strict_after"); fails=$((fails + 1))
fi
echo "$((6 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
