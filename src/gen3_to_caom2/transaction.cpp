// When conversion runs: the conversion's step before commit (forgotten on abort), the
// obsmeta.conversion setting, and obsmeta.convert() for an explicit run.
#include "gen3_to_caom2/apply_conversion.hpp"
#include "gen3_to_caom2/config_cache.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/dirty_set.hpp"
#include "gen3_to_caom2/settings.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/transaction_steps.hpp"
#include "registry_sql/apply_translation.hpp"
#include "registry_sql/pending_keys.hpp"
#include "registry_sql/unfollowed_datasets.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

namespace obsmeta::gen3_to_caom2 {

namespace {

DirtySet the_dirty_set;

enum ConversionTiming { kAtCommit, kAtStatementEnd };
int conversion_timing = kAtCommit;
bool bulk_write = true;
const struct config_enum_entry kTimingOptions[] = {
    {"commit", kAtCommit, false}, {"statement", kAtStatementEnd, false}, {nullptr, 0, false}};

// This module's step before commit (pg::PreCommitStep::kConversion; the order of all steps is in
// src/pg/transaction_steps.hpp):
//   1. attached registries' changed rows → gen3 rows (src/registry_sql/translate.cpp); the gen3
//      triggers record those rows like any other gen3 write;
//   2. gen3 → CAOM2 (+ ivoa.obscore) for everything recorded (flush.cpp).
bool has_work() { return !the_dirty_set.empty() || !registry_sql::pending_keys().empty(); }

void convert_before_commit() {
    if (replication::under_apply_worker()) {
        registry_sql::translate_under_apply_worker();  // 1. registry → gen3, failing rows quarantined
        flush_under_apply_worker();                    // 2. gen3 → CAOM2, failing rows quarantined
    } else {
        convert_all();
    }
}

void forget() {
    the_dirty_set.clear();
    registry_sql::pending_keys().clear();
    registry_sql::forget_unfollowed_datasets();
    replication::reset_lenient_acceptances();
}

}  // namespace

DirtySet& dirty() { return the_dirty_set; }

int64_t convert_all() {
    registry_sql::translate_pending();  // 1. registry → gen3
    return flush();                     // 2. gen3 → CAOM2
}

bool convert_at_statement_end() { return conversion_timing == kAtStatementEnd; }
bool bulk_write_enabled() { return bulk_write; }

void define_settings() {
    DefineCustomEnumVariable("obsmeta.conversion",
                             "When gen3 mirror rows are converted to CAOM2: at commit or at the end of each statement.",
                             nullptr, &conversion_timing, kAtCommit, kTimingOptions, PGC_USERSET, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomBoolVariable("obsmeta.conversion_bulk_write",
                             "Whether the conversion writes new datasets' artifacts, parts and chunks without the SQL "
                             "executor (same rows; only for a superuser's conversion)",
                             "Off: they go through one INSERT statement and the tables' triggers.", &bulk_write, true,
                             PGC_SUSET, 0, nullptr, nullptr, nullptr);
    replication::define_settings();
    MarkGUCPrefixReserved("obsmeta");
}

void initialize() {
    define_settings();
    register_configuration_invalidation();
    pg::register_transaction_step(pg::PreCommitStep::kConversion,
                                  {has_work, convert_before_commit, forget, nullptr, nullptr, nullptr, nullptr,
                                   replication::serialize_replicated_commits});
}

}  // namespace obsmeta::gen3_to_caom2

using namespace obsmeta;

// obsmeta.convert(): converts what this transaction has written so far (registry rows first);
// returns CAOM2 rows written.
OBSMETA_FUNCTION(obsmeta_convert) {
    return Int64GetDatum(gen3_to_caom2::convert_all());
}
