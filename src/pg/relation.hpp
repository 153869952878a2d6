// PostgreSQL's headers for relations, tuples and the executor. Only src/pg/ includes PostgreSQL's C
// headers; the rest of the extension includes them through these facility headers (CTest
// pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "access/detoast.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "utils/rel.h"
#include "utils/relcache.h"
}
