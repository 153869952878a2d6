// PostgreSQL's headers for heavyweight locks (lock tags, LockAcquire). Only src/pg/ includes
// PostgreSQL's C headers; the rest of the extension includes them through these facility headers
// (CTest pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "storage/lock.h"
}
