// obsmeta.check_conversion_statements(): every statement of the Gen3 -> CAOM2 conversion
// (statements.cpp) prepared afresh and planned, each in a subtransaction of its own, one row per
// statement with the error it raised (NULL: it prepares). The statements are strings checked by
// PostgreSQL only when a conversion first runs them; the test suite calls this so that a broken
// one (a renamed column, a wrong type) fails there, by name, for every statement at once.
#include "gen3_to_caom2/statements.hpp"
#include "pg/guard.hpp"
#include "pg/set_returning.hpp"
#include "pg/spi.hpp"
#include "replication/quarantine.hpp"

#include <optional>

using namespace obsmeta;

// obsmeta.check_conversion_statements() RETURNS TABLE (statement text, sqlstate text, error text)
OBSMETA_FUNCTION(obsmeta_check_conversion_statements) {
    struct Outcome {
        std::string name;
        std::optional<replication::Failure> failure;
    };
    std::vector<Outcome> outcomes;
    {
        pg::SpiConnection spi;
        for (const auto& s : gen3_to_caom2::statements::all())
            outcomes.push_back({s.name, replication::attempt([&s] { s.plan->check(); })});
    }
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pg::call([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
    for (const Outcome& o : outcomes) {
        const std::string sqlstate = o.failure ? o.failure->sqlstate : "";
        const std::string error = o.failure ? o.failure->message : "";
        pg::call([&] {
            Datum values[3] = {PointerGetDatum(cstring_to_text(o.name.c_str())), 0, 0};
            bool nulls[3] = {false, !o.failure, !o.failure};
            if (o.failure) {
                values[1] = PointerGetDatum(cstring_to_text(sqlstate.c_str()));
                values[2] = PointerGetDatum(cstring_to_text(error.c_str()));
            }
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
    return static_cast<Datum>(0);
}
