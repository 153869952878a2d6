#!/bin/sh
# PostgreSQL's C headers are included only under src/pg/ (pg/postgres.hpp and its facility headers,
# which wrap them in extern "C" and undo their printf macros); everything else includes those.
#   test/pg_headers_only_in_src_pg.sh SRC_DIR PG_SERVER_INCLUDE_DIR
src=${1:?src dir} pg=${2:?server include dir}
bad=0
for f in $(find "$src" -name '*.cpp' -o -name '*.hpp' | grep -v "^$src/pg/"); do
  for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$f"); do
    [ -e "$src/$h" ] && continue          # one of ours
    if [ -e "$pg/$h" ]; then echo "$f includes PostgreSQL's $h: include a src/pg/ facility header instead"; bad=1; fi
  done
done
exit $bad
