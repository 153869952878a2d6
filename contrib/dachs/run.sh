#!/usr/bin/env bash
# Publish obsmeta's ivoa.obscore through GAVO DaCHS (Debian 12's gavodachs2-server), query it with
# pyvo as the public and as staff, run stilts taplint, then stop everything this script started.
# Run as root from anywhere: bash contrib/dachs/run.sh. Safe to run again.
#
# Choices (see /work/shared/design/TAP_NOTES.md):
# - obsmeta lives in DaCHS's own database `gavo` (Debian's default cluster, port 5432). obsmeta
#   creates and owns schema `ivoa` and table ivoa.obscore; q.rd declares that existing table
#   (`<resource schema="ivoa">`) and is imported with `dachs imp -m` (metadata only). DaCHS's own
#   //obscore is never imported here (it would take ivoa.obscore over).
# - obsmeta's s_region is STC-S text, so q.rd declares it as text; ADQL geometry (INTERSECTS,
#   CONTAINS on regions) goes to the published pg_sphere columns s_region_spoly / s_center.
# - DaCHS runs every TAP query as one database role (`untrusted`), whoever asks: row-level security
#   then shows the public rows. "As staff" is shown by granting obsmeta_staff to that role for the
#   duration of the staff queries (and revoking it), a stand-in for a staff-only TAP service.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive
psql_gavo() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d gavo "$@"; }

echo "== 1. PostgreSQL 15 main (5432), pg_sphere fix + obsmeta (scripts/setup.sh)"
bash "$repo/scripts/setup.sh"
started_pg=no
if ! pg_lsclusters -h | awk '$1 == 15 && $2 == "main" {print $4}' | grep -q online; then
  pg_ctlcluster 15 main start && started_pg=yes
fi
dachs_started=no
cleanup() {
  if [ "$dachs_started" = yes ]; then echo "== stopping DaCHS"; dachs serve stop || true; fi
  if [ "$started_pg" = yes ]; then echo "== stopping PostgreSQL 15 main"; pg_ctlcluster 15 main stop || true; fi
  pg_lsclusters
}
trap cleanup EXIT
pg_lsclusters

echo "== 2. /etc/gavo.rc (loopback only) and packages"
cat > /etc/gavo.rc <<'EOF'
[web]
bindAddress: 127.0.0.1
serverPort: 8080
serverURL: http://127.0.0.1:8080
EOF
apt-get install -y -qq gavodachs2-server python3-pyvo stilts >/dev/null || dpkg --configure -a
dpkg-query -W gavodachs2-server python3-pyvo stilts

echo "== 3. obsmeta (created afresh from this tree) and a sample night in database gavo"
# A previous run's extension would keep that run's schema (same version number): recreate it.
# This drops ivoa.obscore with it; DaCHS's metadata for it is rewritten by `dachs imp -m` below.
psql_gavo -c "DROP EXTENSION IF EXISTS obsmeta CASCADE" -c "CREATE EXTENSION obsmeta CASCADE"
if [ ! -x "$repo/build/obsmeta-sample-night" ]; then
  cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$repo/build" -j"$(nproc)" --target obsmeta-sample-night >/dev/null
fi
runuser -u postgres -- "$repo/build/obsmeta-sample-night" --exposures 12 --conninfo "dbname=gavo" --copy
# One observation held (embargoed) so that public and staff differ.
psql_gavo -Atc "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold)
                  THEN obsmeta.hold((SELECT caom_obs_id FROM ivoa.obscore WHERE lsst_exposure IS NOT NULL
                                     ORDER BY obs_id LIMIT 1), 'DaCHS demo: held') END" >/dev/null
psql_gavo -c "GRANT USAGE ON SCHEMA ivoa TO gavoadmin, gavo, untrusted;
              GRANT SELECT ON ivoa.obscore TO gavoadmin, gavo, untrusted;"
psql_gavo -Atc "SELECT 'ivoa.obscore rows (superuser): ' || count(*) || ', visible to the public: '
                       || count(*) FILTER (WHERE visible_from <= now()) FROM ivoa.obscore"
psql_gavo -Atc "SELECT 'obsmeta.verify_obscore() rows (must be 0): ' || count(*) FROM obsmeta.verify_obscore()"

echo "== 4. import the RD (metadata only) and start DaCHS"
mkdir -p /var/gavo/inputs/obsmeta
cp "$here/q.rd" /var/gavo/inputs/obsmeta/q.rd
chown -R gavo:gavo /var/gavo/inputs/obsmeta 2>/dev/null || true
(cd /var/gavo/inputs/obsmeta && dachs imp -m q && dachs pub q)
dachs serve stop >/dev/null 2>&1 || true
dachs serve start
dachs_started=yes
for _ in $(seq 60); do curl -sf http://127.0.0.1:8080/tap/availability >/dev/null && break; sleep 1; done

queries() {
  /usr/bin/python3 - "$1" <<'EOF'
import sys, pyvo
who = sys.argv[1]
tap = pyvo.dal.TAPService("http://127.0.0.1:8080/tap")
def q(label, adql):
    try:
        r = tap.run_sync(adql)
        print(f"[{who}] {label}: {len(r)} row(s)", end="")
        if len(r) and len(r.fieldnames) <= 3:
            print(" ->", [tuple(row[c] for c in r.fieldnames) for row in r][:3], end="")
        print()
    except Exception as e:
        print(f"[{who}] {label}: ERROR {type(e).__name__}: {str(e)[:300]}")
q("count", "SELECT COUNT(*) AS n FROM ivoa.obscore")
try:
    r = tap.run_sync("SELECT TOP 1 s_ra, s_dec FROM ivoa.obscore WHERE s_ra IS NOT NULL ORDER BY obs_publisher_did")
    ra, dec = (float(r[0]["s_ra"]), float(r[0]["s_dec"])) if len(r) else (0.0, 0.0)
except Exception as e:
    print(f"[{who}] position lookup: ERROR {e}"); ra, dec = 0.0, 0.0
q("TOP 5", "SELECT TOP 5 obs_id, obs_publisher_did, dataproduct_type, calib_level, s_region FROM ivoa.obscore")
q("cone CONTAINS(POINT, CIRCLE 0.5 deg)",
  f"SELECT COUNT(*) AS n FROM ivoa.obscore WHERE CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', {ra}, {dec}, 0.5)) = 1")
q("polygon INTERSECTS(s_region_spoly, POLYGON)",
  f"SELECT COUNT(*) AS n FROM ivoa.obscore WHERE INTERSECTS(s_region_spoly, POLYGON('ICRS', {ra-0.3}, {dec-0.3}, {ra+0.3}, {dec-0.3}, {ra+0.3}, {dec+0.3}, {ra-0.3}, {dec+0.3})) = 1")
q("circle INTERSECTS(s_region_spoly, CIRCLE)",
  f"SELECT COUNT(*) AS n FROM ivoa.obscore WHERE INTERSECTS(s_region_spoly, CIRCLE('ICRS', {ra}, {dec}, 0.2)) = 1")
q("obs_release_date (DALI timestamp, UTC)",
  "SELECT TOP 1 obs_release_date FROM ivoa.obscore WHERE obs_release_date IS NOT NULL ORDER BY obs_release_date")
q("TAP_SCHEMA.tables", "SELECT table_name, utype FROM TAP_SCHEMA.tables WHERE table_name LIKE 'ivoa.%'")
q("TAP_SCHEMA.columns of ivoa.obscore", "SELECT column_name FROM TAP_SCHEMA.columns WHERE table_name = 'ivoa.obscore'")
EOF
}

echo "== 5. pyvo as the public"
queries public
echo "== 6. pyvo as staff (obsmeta_staff granted to DaCHS's query role for these queries only)"
psql_gavo -c "GRANT obsmeta_staff TO untrusted"
queries staff || true
psql_gavo -c "REVOKE obsmeta_staff FROM untrusted"

echo "== 7. stilts taplint"
stilts taplint tapurl=http://127.0.0.1:8080/tap stages="TMV TMS CAP QGE QPO OBS" report=EW 2>&1 | tee /tmp/obsmeta-taplint.out | tail -60
echo "== 8. taplint ObsCore stage alone, with INFO and SUMMARY lines (what it checked)"
stilts taplint tapurl=http://127.0.0.1:8080/tap stages="TMS OBS" report=EWIS 2>&1 | grep -E "OBS" | head -40
