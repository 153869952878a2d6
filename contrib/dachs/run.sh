#!/usr/bin/env bash
# Serves obsmeta's ivoa.obscore over TAP with GAVO DaCHS (Debian 12's gavodachs2-server): a public
# service (anonymous, database role in obsmeta_reader) on 127.0.0.1:8080 and a staff service
# (HTTP basic authentication, database role in obsmeta_staff) on 127.0.0.1:8081; queries both with
# pyvo, shows holds taking effect on both without a restart and the DataLink service descriptors,
# and runs stilts taplint over all its stages and datalinklint.
# Run as root: bash contrib/dachs/run.sh [--recreate] [--stop] [--dali-polygon]
#   --recreate      drop and recreate obsmeta in database gavo even when it holds data (else refused)
#   --stop          stop both DaCHS servers at the end (default: they keep running)
#   --dali-polygon  publish s_region (and s_region_spoly) as DALI polygons (double[*], xtype
#                   polygon, unit deg) instead of STC-S (adql:REGION): stilts 3.4.7's taplint
#                   then reports errors, so run.sh fails at its end (doc/tap.md: "s_region as
#                   a DALI polygon")
# What it changes on the machine and why: README.md, "Serving ObsCore over TAP".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
recreate=no stop=no s_region_form=stcs
for a in "$@"; do
  case "$a" in
    --recreate) recreate=yes ;;
    --stop) stop=yes ;;
    --dali-polygon) s_region_form=polygon ;;
    *) echo "usage: $0 [--recreate] [--stop] [--dali-polygon]" >&2; exit 2 ;;
  esac
done
export DEBIAN_FRONTEND=noninteractive
public_url=http://127.0.0.1:8080 staff_url=http://127.0.0.1:8081
staff_rc=/etc/gavo-staff.rc staff_root=/var/gavo-staff
staff_user=${OBSMETA_DACHS_STAFF_USER:-staff} staff_secret_file=/var/gavo-staff/etc/obsmeta-staff-http-password
psql_db() { local db=$1; shift; runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
psql_gavo() { psql_db gavo "$@"; }
dachs_staff() { (cd / && GAVOSETTINGS=$staff_rc dachs "$@"); }
rd=
# at the end, also when a check fails: the temporary RD goes; with --stop, both servers stop
finish() {
  [ -z "$rd" ] || rm -f "$rd"
  if [ "$stop" = yes ]; then
    (cd / && dachs serve stop) >/dev/null 2>&1 || true; dachs_staff serve stop >/dev/null 2>&1 || true
    echo "== both DaCHS servers stopped (--stop)"
  fi
}
trap finish EXIT

echo "== 1. PostgreSQL 15 main (port 5432), pg_sphere fix + obsmeta into the system PostgreSQL (scripts/setup.sh)"
bash "$repo/scripts/setup.sh"
if ! pg_lsclusters -h | awk '$1 == 15 && $2 == "main" {print $4}' | grep -q online; then
  pg_ctlcluster 15 main start
fi
pg_lsclusters

echo "== 2. DaCHS, pyvo, stilts; /etc/gavo.rc (kept if present)"
if [ ! -e /etc/gavo.rc ]; then
  cat > /etc/gavo.rc <<'EOF'
[web]
bindAddress: 127.0.0.1
serverPort: 8080
serverURL: http://127.0.0.1:8080
EOF
  echo "wrote /etc/gavo.rc (loopback only, port 8080)"
else
  echo "keeping the existing /etc/gavo.rc:"; sed 's/^/  /' /etc/gavo.rc
fi
# the package's post-install step needs the 5432 cluster up (started above)
apt-get -o DPkg::Lock::Timeout=600 install -y -qq gavodachs2-server python3-pyvo stilts >/dev/null || dpkg --configure -a
dpkg-query -W gavodachs2-server python3-pyvo stilts

echo "== 3. obsmeta in database gavo"
have_ext=$(psql_gavo -Atc "SELECT extversion FROM pg_extension WHERE extname = 'obsmeta'")
tree_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$repo/obsmeta.control")
n_obs=0
[ -n "$have_ext" ] && n_obs=$(psql_gavo -Atc "SELECT count(*) FROM caom2.observation")
load=no
if [ -z "$have_ext" ]; then
  psql_gavo -c "CREATE EXTENSION obsmeta CASCADE"; load=yes
elif [ "$n_obs" = 0 ] || [ "$recreate" = yes ]; then
  echo "dropping obsmeta $have_ext ($n_obs observations) and creating it afresh from this tree"
  psql_gavo -c "DROP EXTENSION obsmeta CASCADE" -c "CREATE EXTENSION obsmeta CASCADE"; load=yes
else
  [ "$have_ext" = "$tree_version" ] || psql_gavo -c "ALTER EXTENSION obsmeta UPDATE"
  # what this recipe needs of the schema: the geometry-typed s_region and the DataLink view
  if [ "$(psql_gavo -Atc "SELECT format_type(atttypid, atttypmod) = 'spoly' AND to_regclass('obsmeta.datalink_descriptors') IS NOT NULL
                            FROM pg_attribute WHERE attrelid = 'ivoa.obscore'::regclass AND attname = 's_region'")" != t ]; then
    echo "run.sh: database gavo holds $n_obs observations in an obsmeta $have_ext whose schema is not this tree's;" >&2
    echo "        refusing to drop them. Upgrade it, or run again with --recreate to drop and reload." >&2
    exit 1
  fi
  echo "keeping obsmeta $have_ext and its $n_obs observations (--recreate drops them)"
fi
if [ "$load" = yes ]; then
  if [ ! -x "$repo/build/obsmeta-sample-night" ]; then
    cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$repo/build" -j2 --target obsmeta-sample-night >/dev/null
  fi
  runuser -u postgres -- "$repo/build/obsmeta-sample-night" --exposures 12 --conninfo "dbname=gavo" --copy
fi
# The demo hold: one science exposure with a footprint, so the embargo shows in a spatial query.
psql_gavo -Atc "SELECT obsmeta.hold(o.caom_obs_id, 'DaCHS demo: held science exposure')
                  FROM (SELECT caom_obs_id FROM ivoa.obscore
                         WHERE calib_level = 1 AND dataproduct_type = 'image' AND s_region IS NOT NULL
                           AND visible_from <= now() AND lsst_exposure IS NOT NULL
                         ORDER BY obs_id LIMIT 1) o
                 WHERE NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.reason = 'DaCHS demo: held science exposure')" >/dev/null
psql_gavo -Atc "SELECT 'ivoa.obscore rows: ' || count(*) || ', public now: ' || count(*) FILTER (WHERE visible_from <= now())
                       || ', held science rows: ' || count(*) FILTER (WHERE caom_obs_id IN (SELECT obs_id FROM obsmeta.embargo_hold))
                  FROM ivoa.obscore"
psql_gavo -Atc "SELECT 'obsmeta.verify_obscore() rows (must be 0): ' || count(*) FROM obsmeta.verify_obscore()"

# DataLink mode: ObsCore's access_url is this server's DataLink service (q.rd, service dl); its
# #this links use direct_url_template, here a placeholder for a deployment's file server
psql_gavo -c "UPDATE obsmeta.obscore_config
                 SET access_mode = 'datalink',
                     datalink_url_template = '$public_url/obsmeta/q/dl/dlmeta?ID={obs_publisher_did_encoded}',
                     direct_url_template = 'https://files.example.invalid/{path}'
               WHERE (access_mode, datalink_url_template, direct_url_template)
                     IS DISTINCT FROM ('datalink', '$public_url/obsmeta/q/dl/dlmeta?ID={obs_publisher_did_encoded}',
                                       'https://files.example.invalid/{path}')"

echo "== 4. database roles: the public service's role is a reader, never staff"
# DaCHS's roles (gavo: trusted queries and imports' reads, gavoadmin: DaCHS's own tables,
# untrusted: every TAP query) read ObsCore as obsmeta_reader: row-level security shows them public
# rows only. A membership in obsmeta_staff/obsmeta_writer left by an older demo is removed.
psql_gavo -c "GRANT obsmeta_reader TO gavo, gavoadmin, untrusted"
for r in untrusted gavo gavoadmin; do
  for s in obsmeta_staff obsmeta_writer; do
    if [ "$(psql_gavo -Atc "SELECT pg_has_role('$r', '$s', 'MEMBER')")" = t ]; then
      psql_gavo -c "REVOKE $s FROM $r"
    fi
  done
done
psql_gavo -Atc "SELECT 'public roles in obsmeta_staff or obsmeta_writer (must be 0): ' || count(*)
                  FROM unnest(ARRAY['untrusted', 'gavo', 'gavoadmin']) r
                 WHERE pg_has_role(r, 'obsmeta_staff', 'MEMBER') OR pg_has_role(r, 'obsmeta_writer', 'MEMBER')"

echo "== 5. public service: import q.rd (metadata only, s_region as $s_region_form) and (re)start DaCHS on 8080"
# the RD both servers import: q.rd, or with --dali-polygon its geometry columns as DALI polygons
rd=$(mktemp --suffix=.rd); chmod 644 "$rd"
if [ "$s_region_form" = polygon ]; then
  sed -e 's|<column original="//obscore#ObsCore.s_region"/>|<column original="//obscore#ObsCore.s_region" xtype="polygon" unit="deg"/>|' \
      -e 's|<column name="s_region_spoly" type="spoly" xtype="adql:REGION"|<column name="s_region_spoly" type="spoly" xtype="polygon" unit="deg"|' \
      "$here/q.rd" > "$rd"
  [ "$(grep -c 'xtype="polygon" unit="deg"' "$rd")" = 2 ] || { echo "run.sh: could not declare s_region as a DALI polygon" >&2; exit 1; }
else
  cp "$here/q.rd" "$rd"
fi
mkdir -p /var/gavo/inputs/obsmeta/res
cp "$rd" /var/gavo/inputs/obsmeta/q.rd
cp "$here/res/obsmeta_datalink.py" /var/gavo/inputs/obsmeta/res/
chown -R dachsroot:gavo /var/gavo/inputs/obsmeta 2>/dev/null || true
(cd /var/gavo/inputs/obsmeta && dachs imp -m q && dachs pub q)
if curl -sf "$public_url/tap/availability" >/dev/null; then dachs serve restart; else dachs serve start; fi
for _ in $(seq 60); do curl -sf "$public_url/tap/availability" >/dev/null && break; sleep 1; done

echo "== 6. staff service: a second DaCHS ($staff_rc, $staff_root, database gavo_staff, port 8081)"
. "$here/staff.sh"
staff_setup
if curl -sf -u "$staff_user:$(cat "$staff_secret_file")" "$staff_url/tap/availability" >/dev/null; then
  dachs_staff serve restart
else
  dachs_staff serve start
fi
for _ in $(seq 60); do curl -sf -o /dev/null -u "$staff_user:$(cat "$staff_secret_file")" "$staff_url/tap/availability" && break; sleep 1; done

echo "== 7. pyvo: public and staff, the demo hold, holds and releases without a restart"
/usr/bin/python3 "$here/queries.py" --public "$public_url/tap" --staff "$staff_url/tap" \
  --staff-user "$staff_user" --staff-password-file "$staff_secret_file"

echo "== 8. the GiST index serves ADQL geometry for the public role and for staff (EXPLAIN of DaCHS's SQL)"
center=$(psql_gavo -Atc "SELECT s_ra || ',' || s_dec FROM ivoa.obscore WHERE s_region IS NOT NULL ORDER BY obs_id LIMIT 1")
for who in untrusted obsmeta_staff; do
  for pred in "(s_region) && (scircle(spoint(RADIANS(${center%,*}), RADIANS(${center#*,})), RADIANS(0.2)))" \
              "(spoint(RADIANS(${center%,*}), RADIANS(${center#*,}))) <@ (s_region)" \
              "(s_region) <@ (scircle(spoint(RADIANS(${center%,*}), RADIANS(${center#*,})), RADIANS(0.3)))"; do
    plan=$(psql_gavo -At -c "SET ROLE $who" -c "EXPLAIN SELECT count(*) FROM ivoa.obscore WHERE $pred" | tr '\n' ' ')
    case "$plan" in *obscore_s_region_idx*) echo "[$who] $pred: GiST index obscore_s_region_idx";;
                    *) echo "[$who] $pred: NO INDEX: $plan"; exit 1;; esac
  done
done

# the staff service's foreign table ships the pg_sphere condition to gavo, where the plan above applies
remote=$(psql_db gavo_staff -At -c "SET ROLE staff_untrusted" \
  -c "EXPLAIN VERBOSE SELECT count(*) FROM ivoa.obscore WHERE (s_region) && (scircle(spoint(RADIANS(${center%,*}), RADIANS(${center#*,})), RADIANS(0.2)))" | grep 'Remote SQL')
case "$remote" in *'&&'*) echo "[staff_untrusted in gavo_staff] shipped to gavo:$remote";;
                  *) echo "the staff foreign table does not ship the geometry condition: $remote"; exit 1;; esac

echo "== 9. stilts taplint, all stages, report=EWFS"
stages="TMV TME TMS TMC CPV CAP AVV QGE QPO QAS UWS MDQ OBS UPL"
stilts taplint tapurl="$public_url/tap" stages="$stages" report=EWFS > /tmp/obsmeta-taplint.out 2>&1 || true
grep -E '^(E|W|F)-' /tmp/obsmeta-taplint.out | sed 's/^/  /' | cut -c1-240 || true
grep -E '^Totals:' /tmp/obsmeta-taplint.out
totals=$(grep -E '^Totals:' /tmp/obsmeta-taplint.out)
if ! [[ "$totals" =~ Errors:\ 0\; ]] || ! [[ "$totals" =~ Failures:\ 0 ]]; then
  echo "run.sh: taplint reports errors or failures (full report: /tmp/obsmeta-taplint.out)" >&2; exit 1
fi

echo "== 10. stilts datalinklint on the links of a public dataset (its #cutout service descriptor)"
did=$(psql_gavo -At -c "SET ROLE untrusted" -c "SELECT obs_publisher_did FROM ivoa.obscore WHERE s_region IS NOT NULL ORDER BY obs_publisher_did LIMIT 1")
did_q=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$did")
stilts datalinklint votable="$public_url/obsmeta/q/dl/dlmeta?ID=$did_q" > /tmp/obsmeta-datalinklint.out 2>&1 || true
grep -E '^(E|W|F)-|^I-(SDDO|SDPR|SDDF|IKSD)' /tmp/obsmeta-datalinklint.out | sed 's/^/  /' | cut -c1-240 || true
grep -E '^Totals:' /tmp/obsmeta-datalinklint.out
# E-RUCD is DaCHS's own (its links table's service_def UCD; doc/tap.md)
if grep -E '^(E|F)-' /tmp/obsmeta-datalinklint.out | grep -vqE '^E-RUCD-'; then
  echo "run.sh: datalinklint reports errors beyond DaCHS's own (full report: /tmp/obsmeta-datalinklint.out)" >&2; exit 1
fi

if [ "$stop" = no ]; then
  echo "== DaCHS keeps running: public $public_url (anonymous), staff $staff_url (user $staff_user, password in $staff_secret_file)"
  echo "   stop: dachs serve stop; GAVOSETTINGS=$staff_rc dachs serve stop"
fi
