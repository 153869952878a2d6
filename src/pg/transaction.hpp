// PostgreSQL's headers for transactions: callbacks, snapshots, resource owners, invalidation. Only
// src/pg/ includes PostgreSQL's C headers; the rest of the extension includes them through these
// facility headers (CTest pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/inval.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
}
