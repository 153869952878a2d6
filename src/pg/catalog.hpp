// PostgreSQL's headers for catalog look-ups: namespaces, types, functions, syscache. Only src/pg/
// includes PostgreSQL's C headers; the rest of the extension includes them through these facility
// headers (CTest pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}
