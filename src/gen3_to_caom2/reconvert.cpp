// obsmeta.reconvert(instrument): converts every mirror row of an instrument (or of all) again, for
// after a configuration change (telescope, URI template, embargo period, dataset types), which by
// itself only affects rows converted later. Writes only what differs, like any conversion.
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/dirty_set.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_reconvert) {
    static pg::KeptPlan images(R"SQL(
SELECT 'e'::text, instrument, id FROM gen3.exposure WHERE $1::text IS NULL OR instrument = $1
UNION ALL
SELECT 'v'::text, instrument, id FROM gen3.visit WHERE $1::text IS NULL OR instrument = $1)SQL",
                               {TEXTOID});
    static pg::KeptPlan datasets("SELECT id FROM gen3.dataset WHERE $1::text IS NULL OR instrument = $1", {TEXTOID});

    const std::vector<Datum> instrument = {PG_ARGISNULL(0) ? Datum(0) : PG_GETARG_DATUM(0)};
    const std::string nulls = PG_ARGISNULL(0) ? "n" : " ";
    auto& keys = gen3_to_caom2::dirty();
    {
        pg::SpiConnection spi;
        uint64 rows = images.execute(instrument, true, nulls);
        for (uint64 i = 0; i < rows; ++i) {
            gen3_to_caom2::InstrumentKey key{pg::result_text(i, 2), pg::result_int64(i, 3)};
            (pg::result_text(i, 1) == "e" ? keys.exposures : keys.visits).insert(std::move(key));
        }
        rows = datasets.execute(instrument, true, nulls);
        for (uint64 i = 0; i < rows; ++i) {
            bool isnull = false;
            keys.datasets.insert(pg::uuid_value(pg::result_value(i, 1, &isnull)));
        }
    }
    keys.removals = true;  // a changed configuration can also make rows go (e.g. publish = false)
    return Int64GetDatum(gen3_to_caom2::flush());
}
