#!/usr/bin/env bash
# Exports the CAOM-2.4 document of every observation in a database (caom2.observation_xml) and
# validates each with xmllint against ../shared/anchors/caom2/CAOM-2.4.xsd. Also checks that the
# stored checksums equal a recomputation (caom2.verify_checksums) and that each document, read back
# by caom2.check_observation_xml, has consistent checksums.
#   test/xml/validate_observations.sh "host=... port=... user=... dbname=..."
# Exit status 0 when every document validates and every checksum matches.
set -euo pipefail
conninfo=${1:?usage: $0 conninfo}
root=$(cd "$(dirname "$0")/../.." && pwd)
xsd=${OBSMETA_CAOM2_XSD:-$root/../shared/anchors/caom2/CAOM-2.4.xsd}
[ -f "$xsd" ] || { echo "CAOM-2.4.xsd not found at $xsd" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql() { command psql "$conninfo" -X -q -v ON_ERROR_STOP=1 "$@"; }

ids=$(psql -At -c "SELECT obs_id FROM caom2.observation ORDER BY collection, observation_id")
n=0; bad=0
for id in $ids; do
  psql -At -c "SELECT caom2.observation_xml('$id')" > "$work/$id.xml"
  if ! xmllint --noout --schema "$xsd" "$work/$id.xml" 2> "$work/$id.err"; then
    bad=$((bad + 1)); echo "INVALID $id:"; head -5 "$work/$id.err"
  fi
  n=$((n + 1))
done
mism=$(psql -At -c "SELECT count(*) FROM caom2.observation o, caom2.verify_checksums(o.obs_id)")
doc_mism=$(psql -At -c "SELECT count(*) FROM caom2.observation o, caom2.check_observation_xml(caom2.observation_xml(o.obs_id)::text)")
echo "documents: $n, XSD-invalid: $bad, stored checksums differing from recomputation: $mism, document checksum mismatches: $doc_mism"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$mism" -eq 0 ] && [ "$doc_mism" -eq 0 ]
