#!/usr/bin/env bash
# Restores a pg_dump -Fc archive of an obsmeta database into an existing empty database, in one
# transaction (see README "Dump and restore"):   scripts/restore.sh DUMPFILE DBNAME
# The monthly partitions of efd.chunk are ordinary tables attached to an extension's partitioned
# table: pg_dump writes their primary keys and index attachments separately, but attaching the
# partition already creates them (the parent's key belongs to the extension), so those two kinds
# of entries are left out of the restore list. The instrument and dataset type configuration rows
# are restored before any other table's rows: the gen3 capture triggers check rows against them (a
# dataset type or instrument configured by the DBA must be known when the gen3 rows come back).
# The rest keeps pg_dump's order (obscore_config's rows, restored after gen3 and caom2, rebuild
# ivoa.obscore from both).
set -euo pipefail
dump=${1:?usage: $0 DUMPFILE DBNAME}
db=${2:?usage: $0 DUMPFILE DBNAME}
list=$(mktemp)
trap 'rm -f "$list"' EXIT
pg_restore -l "$dump" | grep -v -E '(CONSTRAINT|INDEX ATTACH) efd chunk_[0-9]{6}' | awk '
  / TABLE DATA obsmeta (instrument_config|dataset_type_config) / { config[++n] = $0; next }
  { rest[++m] = $0 }
  END {
    for (i = 1; i <= m; i++) {
      if (!placed && rest[i] ~ / TABLE DATA /) { for (j = 1; j <= n; j++) print config[j]; placed = 1 }
      print rest[i]
    }
    if (!placed) for (j = 1; j <= n; j++) print config[j]
  }' > "$list"
pg_restore --single-transaction --exit-on-error -L "$list" -d "$db" "$dump"
# Strict embargo mode (doc/strict_embargo.md) keeps triggers and copies pg_dump does not keep:
# re-enabling it after the restore recreates them from the restored rows.
if [ "$(psql -X -At -d "$db" -c "SELECT EXISTS (SELECT FROM obsmeta.strict_embargo)")" = t ]; then
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SELECT obsmeta.enable_strict_embargo()" >/dev/null
fi
