#!/usr/bin/env bash
# The sample job: installs and builds obsmeta, starts a throwaway cluster, loads a generated
# LSSTCam night into the gen3 mirror and shows what obsmeta made of it. The cluster keeps running
# afterwards so that you can look around (psql command printed at the end);
# `scripts/cluster.sh stop` removes it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
. scripts/env.sh
build_tools "$here" obsmeta-sample-night
scripts/cluster.sh start
fresh_database obsmeta_sample 2>/dev/null

echo
echo "== Loading a night: 50 LSSTCam exposures x 189 detectors into gen3 (COPY), converted at commit"
build/obsmeta-sample-night --conninfo "$(conninfo obsmeta_sample)" --exposures 50 --copy

q() { psql -X -d obsmeta_sample -P pager=off -c "$1"; }
echo
echo "== CAOM-2.4: what the night became"
q "SELECT o.obs_type, o.intent, count(DISTINCT o.obs_id) AS observations, count(DISTINCT p.plane_id) AS planes,
          count(a.artifact_id) AS artifacts
     FROM caom2.observation o LEFT JOIN caom2.plane p USING (obs_id) LEFT JOIN caom2.artifact a USING (plane_id)
    GROUP BY 1, 2 ORDER BY 1, 2"
echo "== A few observations"
q "SELECT observation_id, obs_type, type, intent, target_name, sequence_number, meta_release
     FROM caom2.observation ORDER BY observation_id LIMIT 8"
echo "== A visit (DerivedObservation) and its members"
q "SELECT o.observation_id, m.member_uri FROM caom2.observation o JOIN caom2.observation_member m ON m.composite_id = o.obs_id
    WHERE o.obs_id IN (SELECT composite_id FROM caom2.observation_member GROUP BY 1 HAVING count(*) = 2 LIMIT 1)"
echo "== Planes: time (MJD), energy (m) and position from 189 detector footprints"
q "SELECT o.observation_id, p.product_id, p.calibration_level AS calib, round(p.time_bounds_lower::numeric, 5) AS t_min,
          p.energy_bandpass_name AS filter, p.energy_bounds_lower AS em_min, p.energy_bounds_upper AS em_max,
          round(p.position_area_deg2::numeric, 3) AS area_deg2, round(p.position_size_deg::numeric, 3) AS size_deg,
          round(degrees(long(p.position_center))::numeric, 4) AS ra, round(degrees(lat(p.position_center))::numeric, 4) AS dec
     FROM caom2.plane p JOIN caom2.observation o USING (obs_id)
    WHERE p.position_bounds IS NOT NULL ORDER BY 1, 2 LIMIT 6"
echo "== Artifacts of one plane (first 3 of 189)"
q "SELECT a.uri, a.content_type, a.content_length, c.lsst_detector, obsmeta.spoly_to_stcs(c.footprint) AS footprint
     FROM caom2.artifact a JOIN caom2.part USING (artifact_id) JOIN caom2.chunk c USING (part_id)
    WHERE c.footprint IS NOT NULL ORDER BY a.uri LIMIT 3"

echo "== Out-of-order arrival: a datastore record before its dataset waits, then converts"
psql -X -q -d obsmeta_sample <<'SQL'
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size)
SELECT '11111111-2222-3333-4444-555555555555', 'late/visit_image_R22_S11.fits', 123456789;
SQL
q "SELECT * FROM obsmeta.pending"
psql -X -q -d obsmeta_sample <<'SQL'
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, visit, detector, physical_filter, band)
SELECT '11111111-2222-3333-4444-555555555555', 'difference_image', 'LSSTCam/runs/late', instrument, id, 94, physical_filter, 'r'
  FROM gen3.visit ORDER BY id LIMIT 1;
SQL
q "SELECT count(*) AS pending_after_parent_arrived FROM obsmeta.pending"
q "SELECT p.product_id, p.calibration_level, a.uri FROM caom2.artifact a JOIN caom2.plane p USING (plane_id)
    WHERE a.lsst_dataset_id = '11111111-2222-3333-4444-555555555555'"

for extra in scripts/sample.d/*.sh; do [ -e "$extra" ] && . "$extra"; done

echo
echo "The cluster is still running. Explore:  psql -h $PGHOST -p $PGPORT -U postgres obsmeta_sample"
echo "Remove it:                             scripts/cluster.sh stop"
