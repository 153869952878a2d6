// PostgreSQL's headers for SQL data types beyond the core: arrays, ranges, jsonb, numeric. Only
// src/pg/ includes PostgreSQL's C headers; the rest of the extension includes them through these
// facility headers (CTest pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/rangetypes.h"
}
