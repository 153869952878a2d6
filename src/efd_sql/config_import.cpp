// efd.parse_consdb_config(yaml text): Rubin's transformed-EFD configuration as rows, one per
// output column; efd.import_consdb_config (schema/60_efd/63_efd_import.rerunnable.sql) turns them into channels and
// reductions. Parsing is C++ (src/efd/consdb_config); errors name the column and line.
#include <string>
#include <vector>

#include "efd/consdb_config.hpp"
#include "efd/yaml_tree.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/input_limits.hpp"
#include "pg/relation.hpp"
#include "pg/set_returning.hpp"

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_efd_parse_consdb_config) {
    const std::size_t bytes = pg::call([=] { return toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ; });
    pg::limits::check(bytes, pg::limits::max_yaml_bytes, "the configuration", "bytes", "obsmeta.max_yaml_bytes");
    std::string text = pg::text_value(PG_GETARG_DATUM(0));
    efd::ConsdbConfig config;
    try {
        config = efd::parse_consdb_config(text, pg::limits::max_yaml_depth);
    } catch (const efd::yaml::DepthError& e) {
        pg::limits::check(static_cast<std::size_t>(e.limit()) + 1, e.limit(), "the configuration's YAML nesting",
                          "levels or more", "obsmeta.max_yaml_depth");
    } catch (const efd::ConfigError& e) {
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
                        std::string("invalid transformed-EFD configuration: ") + e.what(),
                        "at line " + std::to_string(e.line()),
                        "Pass the text of a consdb transformed_efd config_*.yaml file.");
    }
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pg::call([=] { InitMaterializedSRF(fcinfo, 0); });
    Tuplestorestate* store = rsinfo->setResult;
    TupleDesc desc = rsinfo->setDesc;
    // Columns: ordinal, name, tables[], function, ddof, degree, fit_basis, start_offset_hours,
    // pre_aggregate_seconds, store_unpivoted, subset_field, subset_values[], datatype, unit, ucd,
    // description, topics[] (one per field), fields[], version
    constexpr int kColumns = 19;
    int ordinal = 0;
    for (const auto& c : config.columns) {
        Datum values[kColumns];
        bool nulls[kColumns] = {};
        std::vector<std::string> topics, fields;
        for (const auto& t : c.topics)
            for (const auto& f : t.fields) {
                topics.push_back(t.name);
                fields.push_back(f);
            }
        std::vector<int32_t> subset;
        for (long v : c.subset_values) subset.push_back(static_cast<int32_t>(v));
        auto text_or_null = [&](int i, const std::string& s) {
            if (s.empty()) nulls[i] = true;
            else values[i] = PointerGetDatum(pg::call([&] { return cstring_to_text_with_len(s.data(), static_cast<int>(s.size())); }));
        };
        auto arg = [&](const char* key) -> std::string {
            auto it = c.function_args.find(key);
            return it == c.function_args.end() ? std::string() : it->second;
        };
        values[0] = Int32GetDatum(++ordinal);
        text_or_null(1, c.name);
        values[2] = pg::text_array(c.tables);
        text_or_null(3, c.function);
        std::string ddof = arg("ddof"), degree = arg("degree");
        if (ddof.empty()) nulls[4] = true; else values[4] = Int32GetDatum(std::stoi(ddof));
        if (degree.empty()) nulls[5] = true; else values[5] = Int32GetDatum(std::stoi(degree));
        text_or_null(6, arg("fit_basis"));
        if (c.start_offset_hours) values[7] = Float8GetDatum(*c.start_offset_hours); else nulls[7] = true;
        if (c.pre_aggregate_seconds) values[8] = Float8GetDatum(*c.pre_aggregate_seconds); else nulls[8] = true;
        values[9] = BoolGetDatum(c.store_unpivoted);
        text_or_null(10, c.subset_field);
        values[11] = pg::int4_array(subset);
        text_or_null(12, c.datatype);
        text_or_null(13, c.unit);
        text_or_null(14, c.ucd);
        text_or_null(15, c.description);
        values[16] = pg::text_array(topics);
        values[17] = pg::text_array(fields);
        text_or_null(18, config.version);
        Datum* vp = values;
        bool* np = nulls;
        pg::call([=] { tuplestore_putvalues(store, desc, vp, np); });
    }
    return Datum(0);
}
