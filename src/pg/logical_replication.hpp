// PostgreSQL's headers for logical replication: is this backend an apply worker. Only src/pg/
// includes PostgreSQL's C headers; the rest of the extension includes them through these facility
// headers (CTest pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "replication/logicalworker.h"
}
