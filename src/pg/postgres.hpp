// The core of PostgreSQL's C headers for C++; the facility headers beside it (catalog.hpp, relation.hpp,
// settings.hpp, transaction.hpp, types.hpp, ...) add the rest. Only src/pg/ includes PostgreSQL headers.
// PostgreSQL's headers are C; some of their macros and names clash with C++ (e.g. `typename`,
// `restrict`), so they are wrapped here.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

// PostgreSQL defines these as macros; they break the C++ standard library headers included after.
#undef vsnprintf
#undef snprintf
#undef vsprintf
#undef sprintf
#undef vfprintf
#undef fprintf
#undef vprintf
#undef printf
#undef gettext
#undef dgettext
#undef ngettext
#undef dngettext
