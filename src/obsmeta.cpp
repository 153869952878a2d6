// Module entry: PostgreSQL's magic block and the one-time set-up of each backend.
#include "pg/postgres.hpp"

#include "caom2_sql/settings.hpp"
#include "coverage_sql/compaction.hpp"
#include "efd_sql/state.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "geom/interrupt.hpp"
#include "pg/input_limits.hpp"
#include "pg/transaction_steps.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
void _PG_init(void) {
    obsmeta::gen3_to_caom2::initialize();
    obsmeta::efd_sql::initialize();
    obsmeta::coverage_sql::initialize();
    obsmeta::pg::install_transaction_callbacks();  // the steps before commit, in order (pg/transaction_steps.hpp)
    obsmeta::caom2::define_settings();
    obsmeta::pg::limits::define_settings();
    // Long pure C++ geometry loops stop (by exception) when a cancel or termination is pending.
    obsmeta::geom::set_interrupt_poll([] { return (QueryCancelPending || ProcDiePending) && INTERRUPTS_CAN_BE_PROCESSED(); });
}
}
