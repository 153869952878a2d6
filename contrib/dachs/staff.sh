# Sourced by run.sh: the staff TAP service, a second DaCHS installation beside the public one.
#
# Why a second installation and a second database: DaCHS keeps its users, its TAP_SCHEMA and its
# async jobs (tap_schema.tapjobs, $stateDir/uwsjobs) in its own database and root directory, and
# runs every query as one database role. Two DaCHS servers on one database would share the job
# table (anonymous users of the public server could list and read staff users' jobs). So:
#   - /etc/gavo-staff.rc: rootDir /var/gavo-staff, port 8081 on 127.0.0.1 (DaCHS reads it when
#     GAVOSETTINGS points at it);
#   - database gavo_staff with DaCHS's tables, owned and queried by its own roles staff_gavoadmin,
#     staff_gavo, staff_untrusted (DaCHS's profiles in /var/gavo-staff/etc);
#   - ivoa.obscore there is a view of a postgres_fdw foreign table over database gavo's
#     ivoa.obscore (obsmeta_remote.obscore), read by the login role obsmeta_tap_staff (member of
#     obsmeta_staff): staff see held and embargoed rows, holds and releases are live (every query
#     reads gavo), pg_sphere's operators are shipped to gavo (server option extensions
#     'pg_sphere') where the GiST index answers them; the view points DataLink access_urls at
#     this server. obsmeta.datalink_links and obsmeta.datalink_descriptors are foreign tables over gavo's views;
#   - every DaCHS service that can read tables (TAP, the ADQL form, the sitewide SIAP2) is
#     limited to DaCHS group "staff" (HTTP basic authentication): overrides of the system RDs in
#     /var/gavo-staff/inputs/__system__/ with limitTo="staff".
staff_pw() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }

staff_setup() {
  local sys=/usr/lib/python3/dist-packages/gavo/resources/inputs/__system__
  if [ ! -e "$staff_rc" ]; then
    cat > "$staff_rc" <<EOF
[general]
rootDir: $staff_root
[web]
bindAddress: 127.0.0.1
serverPort: 8081
serverURL: http://127.0.0.1:8081
sitename: obsmeta staff
EOF
    echo "wrote $staff_rc"
  else
    echo "keeping the existing $staff_rc"
  fi
  mkdir -p "$staff_root/etc"
  chown dachsroot:gavo "$staff_root" "$staff_root/etc"
  # DaCHS's profiles for the staff installation: its own roles (dachs init creates them from these)
  if [ ! -e "$staff_root/etc/dsn" ]; then
    printf 'database = gavo_staff\nhost = localhost\nport = 5432\n' > "$staff_root/etc/dsn"
    printf 'include dsn\nuser = staff_gavoadmin\npassword = %s\n' "$(staff_pw)" > "$staff_root/etc/feed"
    printf 'include dsn\nuser = staff_gavo\npassword = %s\n' "$(staff_pw)" > "$staff_root/etc/trustedquery"
    printf 'include dsn\nuser = staff_untrusted\npassword = %s\n' "$(staff_pw)" > "$staff_root/etc/untrustedquery"
    chown dachsroot:gavo "$staff_root"/etc/*; chmod 640 "$staff_root"/etc/*
  fi
  # gavo_staff holds only DaCHS's own tables (remade by dachs init); one that dachs init did not
  # finish (no job table) is made afresh, as `dachs init` cannot be run twice on one database
  if [ -n "$(runuser -u postgres -- psql -X -Atc "SELECT 1 FROM pg_database WHERE datname = 'gavo_staff'")" ] &&
     [ "$(psql_db gavo_staff -Atc "SELECT to_regclass('tap_schema.tapjobs') IS NOT NULL")" = t ]; then
    staff_initialized=yes
  else
    staff_initialized=no
    runuser -u postgres -- dropdb --if-exists gavo_staff
    runuser -u postgres -- createdb --encoding=UTF-8 --template template0 gavo_staff
  fi
  # only the staff installation's roles may connect to gavo_staff
  psql_db gavo_staff -c "REVOKE CONNECT ON DATABASE gavo_staff FROM PUBLIC" \
    -c "DO \$\$ DECLARE r text; BEGIN
          FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('staff_gavoadmin', 'staff_gavo', 'staff_untrusted') LOOP
            EXECUTE format('GRANT CONNECT ON DATABASE gavo_staff TO %I', r);
          END LOOP; END \$\$"
  if [ "$staff_initialized" = no ]; then
    runuser -u dachsroot -- env GAVOSETTINGS="$staff_rc" sh -c 'cd / && dachs init -d "dbname=gavo_staff"' >/dev/null
  fi
  psql_db gavo_staff -c "GRANT CONNECT ON DATABASE gavo_staff TO staff_gavoadmin, staff_gavo, staff_untrusted"

  # the database login the staff DaCHS reaches obsmeta with (a new password every run)
  local pw; pw=$(staff_pw)
  psql_gavo -c "DO \$\$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_tap_staff') THEN
                    CREATE ROLE obsmeta_tap_staff LOGIN;
                  END IF;
                END \$\$" \
            -c "ALTER ROLE obsmeta_tap_staff LOGIN PASSWORD '$pw'" -c "GRANT obsmeta_staff TO obsmeta_tap_staff"
  psql_db gavo_staff -c "CREATE EXTENSION IF NOT EXISTS postgres_fdw" \
    -c "DROP SERVER IF EXISTS obsmeta_gavo CASCADE" \
    -c "CREATE SERVER obsmeta_gavo FOREIGN DATA WRAPPER postgres_fdw
          OPTIONS (host '127.0.0.1', port '5432', dbname 'gavo', extensions 'pg_sphere', fetch_size '10000')" \
    -c "CREATE USER MAPPING FOR staff_gavoadmin SERVER obsmeta_gavo OPTIONS (user 'obsmeta_tap_staff', password '$pw')" \
    -c "CREATE USER MAPPING FOR staff_gavo SERVER obsmeta_gavo OPTIONS (user 'obsmeta_tap_staff', password '$pw')" \
    -c "CREATE USER MAPPING FOR staff_untrusted SERVER obsmeta_gavo OPTIONS (user 'obsmeta_tap_staff', password '$pw')" \
    -c "CREATE USER MAPPING FOR postgres SERVER obsmeta_gavo OPTIONS (user 'obsmeta_tap_staff', password '$pw')" \
    -c "DROP SCHEMA IF EXISTS obsmeta_remote CASCADE" -c "CREATE SCHEMA obsmeta_remote" \
    -c "IMPORT FOREIGN SCHEMA ivoa LIMIT TO (obscore) FROM SERVER obsmeta_gavo INTO obsmeta_remote" \
    -c "CREATE SCHEMA IF NOT EXISTS obsmeta" \
    -c "DROP FOREIGN TABLE IF EXISTS obsmeta.datalink_links, obsmeta.datalink_descriptors" \
    -c "IMPORT FOREIGN SCHEMA obsmeta LIMIT TO (datalink_links, datalink_descriptors) FROM SERVER obsmeta_gavo INTO obsmeta" \
    -c "CREATE SCHEMA IF NOT EXISTS ivoa"
  # ivoa.obscore: the foreign table as it is, but links into the public server (DataLink mode)
  # lead to this one (staff follow them with their credentials and see held datasets)
  psql_db gavo_staff -c "DO \$\$ BEGIN
      EXECUTE (SELECT 'CREATE OR REPLACE VIEW ivoa.obscore AS SELECT '
                      || string_agg(CASE WHEN attname IN ('access_url', 'preview')
                                         THEN format('replace(%1\$I, %2\$L, %3\$L) AS %1\$I', attname, '$public_url/', '$staff_url/')
                                         ELSE quote_ident(attname) END, ', ' ORDER BY attnum)
                      || ' FROM obsmeta_remote.obscore'
                 FROM pg_attribute WHERE attrelid = 'obsmeta_remote.obscore'::regclass AND attnum > 0 AND NOT attisdropped);
    END \$\$" \
    -c "GRANT USAGE ON SCHEMA ivoa, obsmeta, obsmeta_remote TO staff_gavoadmin, staff_gavo, staff_untrusted" \
    -c "GRANT SELECT ON ivoa.obscore, obsmeta.datalink_links, obsmeta.datalink_descriptors, obsmeta_remote.obscore
          TO staff_gavoadmin, staff_gavo, staff_untrusted"
  if [ -n "${staff_extra_sql:-}" ]; then psql_db gavo_staff -c "$staff_extra_sql"; fi

  # services that read tables: staff only
  mkdir -p "$staff_root/inputs/__system__" "$staff_root/inputs/obsmeta"
  sed 's/<service id="run" /<service id="run" limitTo="staff" /' "$sys/tap.rd" > "$staff_root/inputs/__system__/tap.rd"
  sed 's/<service id="query" /<service id="query" limitTo="staff" /' "$sys/adql.rd" > "$staff_root/inputs/__system__/adql.rd"
  sed 's/<service id="sitewide" /<service id="sitewide" limitTo="staff" /' "$sys/siap2.rd" > "$staff_root/inputs/__system__/siap2.rd"
  for f in tap adql siap2; do
    grep -q 'limitTo="staff"' "$staff_root/inputs/__system__/$f.rd" || { echo "staff.sh: could not limit //$f" >&2; return 1; }
  done
  sed 's/<service id="\([a-z]*\)" /<service id="\1" limitTo="staff" /' "$rd" > "$staff_root/inputs/obsmeta/q.rd"
  mkdir -p "$staff_root/inputs/obsmeta/res"
  cp "$here/res/obsmeta_datalink.py" "$staff_root/inputs/obsmeta/res/"
  chown -R dachsroot:gavo "$staff_root/inputs"
  # the HTTP user (a new password when none is stored)
  if [ ! -s "$staff_secret_file" ]; then staff_pw > "$staff_secret_file"; chmod 600 "$staff_secret_file"; fi
  dachs_staff adm deluser "$staff_user" >/dev/null 2>&1 || true
  dachs_staff adm adduser "$staff_user" "$(cat "$staff_secret_file")" "obsmeta staff (run.sh)" >/dev/null
  (cd "$staff_root/inputs/obsmeta" && GAVOSETTINGS=$staff_rc dachs imp -m q && GAVOSETTINGS=$staff_rc dachs pub q)
}
