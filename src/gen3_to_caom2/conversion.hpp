// Gen3 mirror → CAOM-2.4 conversion: what the rest of the extension calls.
//
// Statement-level triggers on the gen3 tables record which mirror keys a statement touched
// (dirty_set.hpp). The conversion itself (flush.cpp) is set-based: it recomputes the CAOM2 rows of
// all recorded keys from the mirror's current state, so it is idempotent, handles updates, deletes
// and out-of-order arrival the same way, and costs a few kept-plan executions per batch whether the
// batch is one row or a million. It runs at the end of each statement or, by default, once at
// commit (obsmeta.conversion = 'commit'), when it takes its row locks in one global order, so that
// concurrent writers of one visit cannot deadlock.
#pragma once

#include "pg/settings.hpp"

#include <cstdint>

namespace obsmeta::gen3_to_caom2 {

// Registers the transaction callbacks, the configuration cache invalidation and the GUCs.
void initialize();

// True once the schema has obsmeta.lock_observations (0.3.0): until ALTER EXTENSION UPDATE, a
// database made by an earlier release keeps its advisory locks with this library.
bool observation_lock_rows_installed();

// Converts everything recorded so far in this transaction; returns the number of CAOM2 rows written.
int64_t flush();

// Translates attached registries' pending rows into gen3, then flush(): the steps before commit.
int64_t convert_all();

// The settings every conversion statement runs with (search_path = pg_catalog + pg_sphere's schema,
// key-driven plans), in force while the returned scope lives.
pg::SettingsScope conversion_settings();

}  // namespace obsmeta::gen3_to_caom2
