#include "gen3_to_caom2/config_cache.hpp"
#include "pg/transaction.hpp"

#include "pg/spi.hpp"

namespace obsmeta::gen3_to_caom2 {

namespace {
Configuration cached;
bool cache_valid = false;

void on_relcache_invalidation(Datum, Oid) {
    // Any relcache invalidation may concern a configuration table; reloading is cheap.
    cache_valid = false;
}
}  // namespace

void register_configuration_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, PointerGetDatum(nullptr));
}

const Configuration& configuration() {
    if (cache_valid) return cached;
    static pg::KeptPlan instruments("SELECT instrument FROM obsmeta.instrument_config", {});
    static pg::KeptPlan types(
        "SELECT dataset_type, publish, coalesce(observation_level, '') FROM obsmeta.dataset_type_config", {});
    Configuration loaded;
    {
        pg::SpiConnection spi;
        uint64 rows = instruments.execute({}, true);
        for (uint64 i = 0; i < rows; ++i) loaded.instruments.insert(pg::result_text(i, 1));
        rows = types.execute({}, true);
        for (uint64 i = 0; i < rows; ++i) {
            bool isnull = false;
            bool publish = DatumGetBool(pg::result_value(i, 2, &isnull));
            loaded.dataset_types[pg::result_text(i, 1)] = {publish, pg::result_text(i, 3)};
        }
    }
    cached = std::move(loaded);
    cache_valid = true;
    return cached;
}

}  // namespace obsmeta::gen3_to_caom2
