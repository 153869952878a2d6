// obsmeta.registry_resync(schema): translates every row of an attached registry (attach_registry
// calls it for the rows already there; a DBA after TRUNCATE or a bulk load with triggers off).
#include "pg/datum.hpp"
#include "pg/spi.hpp"
#include "registry_sql/pending_keys.hpp"
#include "registry_sql/tables.hpp"

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_registry_resync) {
    const std::string schema = NameStr(*PG_GETARG_NAME(0));
    {
        pg::SpiConnection spi;
        std::string quoted = pg::call([&] { return quote_identifier(schema.c_str()); });
        registry_sql::SchemaKeys& keys = registry_sql::pending_keys()[schema];
        keys.collections_changed = true;
        for (const auto& t : registry_sql::dimension_tables()) {
            std::string columns;
            for (const auto& c : t.key) columns += (columns.empty() ? "" : ", ") + c.name + "::text";
            std::string sql = "SELECT " + columns + " FROM " + quoted + "." + t.registry_table;
            const char* text = sql.c_str();
            int rc = pg::call([=] { return SPI_execute(text, true, 0); });
            if (rc != SPI_OK_SELECT) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: cannot read " + sql);
            auto& set = keys.dimensions[t.registry_table];
            for (uint64 i = 0; i < SPI_processed; ++i) {
                registry_sql::Key key;
                for (std::size_t j = 0; j < t.key.size(); ++j) key.push_back(pg::result_text(i, static_cast<int>(j) + 1));
                set.insert(std::move(key));
            }
        }
        std::string sql = "SELECT id::text FROM " + quoted + ".dataset";
        const char* text = sql.c_str();
        if (pg::call([=] { return SPI_execute(text, true, 0); }) != SPI_OK_SELECT)
            throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: cannot read " + sql);
        for (uint64 i = 0; i < SPI_processed; ++i) keys.datasets.insert(pg::result_text(i, 1));
    }
    return Int64GetDatum(registry_sql::translate_pending());
}
