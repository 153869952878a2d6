#!/usr/bin/env bash
# What the EFD embargo of hidden times costs readers (not a test; prints ratios measured in one run).
# A night of N exposures (tools/sample_night) with mount elevation at 50 Hz over the whole night and
# every 10th exposure held, read as a reader:
#   values:  every row of efd.exposure_value, with the policy of 0.3.0 (no value reduced over a
#            hidden time) against the policy of 0.2.0 (the image's own observation only), swapped in
#            this database for the baseline;
#   samples: efd.samples_for of every exposure with 60 s of padding, as a reader (visibility check,
#            hidden spans, masking) against staff (no masking).
# Medians of R runs of each, wall time of the whole statement.
#   bench/efd_embargo_cost.sh [N=200] [R=5]      (needs build/obsmeta-sample-night, a running cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
n=${1:-200} r=${2:-5} db=obsmeta_bench_efd_embargo
fresh_database $db
build/obsmeta-sample-night --conninfo "$(conninfo $db)" --exposures "$n" --copy >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
INSERT INTO efd.sample (channel, time, value)
SELECT efd.channel_id('lsst.sal.MTMount.elevation', 'actualPosition'), t, 60 + random()
  FROM generate_series((SELECT min(timespan_begin) - interval '5 min' FROM gen3.exposure),
                       (SELECT max(timespan_end) + interval '5 min' FROM gen3.exposure), interval '20 ms') t;
SELECT count(obsmeta.hold(obs_id, 'bench')) AS held
  FROM (SELECT obsmeta.exposure_obs_id(instrument, id) AS obs_id, row_number() OVER (ORDER BY id) AS k FROM gen3.exposure) e
 WHERE k % 10 = 0;
DROP ROLE IF EXISTS bench_efd_reader;
CREATE ROLE bench_efd_reader IN ROLE obsmeta_reader;
GRANT bench_efd_reader TO CURRENT_USER;
VACUUM ANALYZE;
SQL

median_ms() {  # median_ms ROLE SQL: median wall time of R runs (after one warm-up)
  local role=$1 sql=$2
  psql -X -qAt -d $db -c "SET ROLE $role" -c "$sql" >/dev/null
  for _ in $(seq "$r"); do
    psql -X -qAt -d $db -c "SET ROLE $role" -c '\timing on' -c "$sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
  done | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
values_sql="SELECT count(*), count(value) FROM efd.exposure_value"
ids=$(psql -X -qAt -d $db -c "SELECT array_agg(id ORDER BY id) FROM gen3.exposure")  # readers may not read gen3
samples_sql="SELECT count(*) FROM unnest('$ids'::bigint[]) e(id), efd.samples_for('LSSTCam', e.id, efd.channel_id('lsst.sal.MTMount.elevation', 'actualPosition'), '60 s') s"

rows_new=$(psql -X -qAt -d $db -c "SET ROLE bench_efd_reader" -c "$values_sql")
values_new=$(median_ms bench_efd_reader "$values_sql")
policy=$(psql -X -qAt -d $db -c "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'exposure_values_visible'")
psql -X -q -d $db -c "ALTER POLICY exposure_values_visible ON efd.exposure_values USING (obsmeta.observation_visible(obs_id))"
rows_old=$(psql -X -qAt -d $db -c "SET ROLE bench_efd_reader" -c "$values_sql")
values_old=$(median_ms bench_efd_reader "$values_sql")
psql -X -q -d $db -c "ALTER POLICY exposure_values_visible ON efd.exposure_values USING ($policy)"

samples_reader=$(median_ms bench_efd_reader "$samples_sql")
samples_staff=$(median_ms obsmeta_staff "$samples_sql")
n_reader=$(psql -X -qAt -d $db -c "SET ROLE bench_efd_reader" -c "$samples_sql")
n_staff=$(psql -X -qAt -d $db -c "SET ROLE obsmeta_staff" -c "$samples_sql")

echo "exposures: $n, every 10th held; median of $r runs"
echo "reader reads efd.exposure_value:  0.3.0 policy ${values_new} ms (rows|values $rows_new), 0.2.0 policy ${values_old} ms ($rows_old): ratio $(awk -v a="$values_new" -v b="$values_old" 'BEGIN { printf "%.2f", a / b }')"
echo "samples_for (60 s padding) of every exposure: reader ${samples_reader} ms ($n_reader samples), staff ${samples_staff} ms ($n_staff): ratio $(awk -v a="$samples_reader" -v b="$samples_staff" 'BEGIN { printf "%.2f", a / b }')"
psql -X -q -d postgres -c "DROP DATABASE $db"
