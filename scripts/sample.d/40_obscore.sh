# Sourced by scripts/sample.sh: the night in ivoa.obscore, and what the public and staff see.
echo
echo "== ivoa.obscore: one row per detector file"
q "SELECT obs_collection, dataproduct_type, calib_level, count(*) AS rows, count(DISTINCT obs_id) AS obs_ids
     FROM ivoa.obscore GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
q "SELECT obs_id, lsst_visit, lsst_detector, lsst_band, round(s_ra::numeric, 4) AS s_ra, round(s_dec::numeric, 4) AS s_dec,
          round(s_fov::numeric, 3) AS s_fov, t_min, em_min, access_estsize, left(s_region_stcs, 40) || '…' AS s_region_stcs
     FROM ivoa.obscore WHERE lsst_visit IS NOT NULL ORDER BY obs_id, lsst_detector LIMIT 3"

echo "== Embargo: one visit observed just now (released in 80 hours), one held by the embargo officer"
psql -X -q -d obsmeta_sample <<'SQL'
UPDATE gen3.visit SET timespan_begin = now() - interval '40 s', timespan_end = now() - interval '10 s'
 WHERE id = (SELECT max(id) FROM gen3.visit);
SELECT obsmeta.hold(obs_id, 'sample job: satellite trail under review')
  FROM caom2.observation WHERE obs_type = 'DerivedObservation' ORDER BY observation_id LIMIT 1 \gset
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sample_public') THEN CREATE ROLE sample_public LOGIN IN ROLE obsmeta_reader; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sample_staff') THEN CREATE ROLE sample_staff LOGIN IN ROLE obsmeta_staff; END IF;
END $$;
SQL
for who in sample_public sample_staff; do
  echo "-- as $who"
  psql -X -d obsmeta_sample -U "$who" -P pager=off -c "SELECT count(*) AS obscore_rows, count(DISTINCT obs_id) AS observations,
        count(*) FILTER (WHERE obs_release_date > now() AT TIME ZONE 'UTC') AS still_embargoed FROM ivoa.obscore" \
    -c "SELECT count(*) AS caom2_observations FROM caom2.observation"
done
q "SELECT action, observation_id, reason, done_by FROM obsmeta.embargo_log ORDER BY id"
