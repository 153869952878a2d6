// The translation of an attached registry's changed rows into gen3 rows, set-based, before the
// gen3 → CAOM2 conversion (transaction.cpp runs the two in that order at commit). Every statement
// re-reads the registry for the recorded keys: inserts, updates, deletes, repeats and rows out of
// order are all "make gen3 equal to the registry for these keys".
#include "gen3_to_caom2/conversion.hpp"
#include "pg/datum.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "registry_sql/pending_keys.hpp"
#include "registry_sql/tables.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace obsmeta::registry_sql {

namespace {

constexpr Oid kText = TEXTARRAYOID, kInt8 = INT8ARRAYOID;

// Statements depend on the schema and its tags tables, so they are kept per text. Generic plans:
// their parameters are key arrays, which a custom plan would fold in and plan again at every
// commit (a quarter of the translation's time under the apply worker); the generic plan probes
// the keys' indexes, whatever their number.
pg::KeptPlan& plan_for(const std::string& sql, std::initializer_list<Oid> types) {
    static std::map<std::string, std::unique_ptr<pg::KeptPlan>> plans;
    auto& slot = plans[sql];
    if (!slot) slot = std::make_unique<pg::KeptPlan>(sql, types, pg::KeptPlan::Planning::Generic);
    return *slot;
}

std::string quote_ident(const std::string& s) {
    return pg::call([&] { return ::quote_identifier(s.c_str()); });
}

std::string joined(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
    return out;
}

std::vector<std::string> text_values(Datum arr) {
    ArrayType* a = DatumGetArrayTypeP(arr);
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    pg::call([&] { deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count); });
    std::vector<std::string> out;
    for (int j = 0; j < count; ++j) out.push_back(nulls[j] ? std::string() : pg::text_value(elems[j]));
    return out;
}

// What this schema looks like now: its tags tables (with the dimension columns each has), the
// type of dataset.ingest_date, the datastore records table, the selected collections.
struct Layout {
    std::string schema;  // quoted
    std::vector<std::pair<std::string, std::vector<std::string>>> tags_tables;
    bool ingest_date_is_tai_ns = true;
    std::string records_table;  // quoted, empty when it does not exist (yet)
};

Layout read_layout(const std::string& schema) {
    static pg::KeptPlan tables(R"SQL(
SELECT c.relname::text, array_agg(a.attname::text ORDER BY a.attnum)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname ~ '^dataset_tags_[0-9]+$'
 GROUP BY c.relname ORDER BY 1)SQL",
                                {TEXTOID});
    static pg::KeptPlan facts(R"SQL(
SELECT (SELECT a.atttypid = 'int8'::pg_catalog.regtype FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident($1) || '.dataset') AND a.attname = 'ingest_date'),
       (SELECT pg_catalog.quote_ident(r.datastore_records_table) FROM obsmeta.registry_config r
         WHERE r.registry_schema = $1
           AND pg_catalog.to_regclass(pg_catalog.quote_ident($1) || '.' || pg_catalog.quote_ident(r.datastore_records_table)) IS NOT NULL))SQL",
                               {TEXTOID});
    Layout layout;
    layout.schema = quote_ident(schema);
    Datum name = pg::call([&] { return CStringGetTextDatum(schema.c_str()); });
    uint64 n = tables.execute({name}, true);
    for (uint64 i = 0; i < n; ++i) {
        bool isnull = false;
        layout.tags_tables.emplace_back(pg::result_text(i, 1), text_values(pg::result_value(i, 2, &isnull)));
    }
    facts.execute({name}, true);
    bool isnull = false;
    Datum tai = pg::result_value(0, 1, &isnull);
    layout.ingest_date_is_tai_ns = isnull || DatumGetBool(tai);
    layout.records_table = pg::result_text(0, 2);
    return layout;
}

// All tags tables as one relation with every data ID column gen3 has (NULL where a dimension
// group lacks it). Only required dimensions are there; implied ones come from the records.
std::string tags_union(const Layout& layout) {
    static const std::vector<std::pair<std::string, std::string>> wanted = {
        {"instrument", "text"}, {"exposure", "bigint"}, {"visit", "bigint"}, {"detector", "integer"},
        {"physical_filter", "text"}, {"band", "text"}, {"day_obs", "integer"}, {"skymap", "text"},
        {"tract", "integer"}, {"patch", "integer"}};
    std::vector<std::string> parts;
    for (const auto& [table, columns] : layout.tags_tables) {
        std::string select = "SELECT dataset_id, collection_id";
        for (const auto& [column, type] : wanted) {
            bool has = std::find(columns.begin(), columns.end(), column) != columns.end();
            select += ", " + (has ? column + "::" + type : "NULL::" + type) + " AS " + column;
        }
        parts.push_back(select + " FROM " + layout.schema + "." + quote_ident(table));
    }
    if (parts.empty())
        return "SELECT NULL::uuid AS dataset_id, NULL::bigint AS collection_id, NULL::text AS instrument, "
               "NULL::bigint AS exposure, NULL::bigint AS visit, NULL::integer AS detector, NULL::text AS physical_filter, "
               "NULL::text AS band, NULL::integer AS day_obs, NULL::text AS skymap, NULL::integer AS tract, "
               "NULL::integer AS patch WHERE false";
    return joined(parts, "\nUNION ALL ");
}

// "make gen3.<table> equal to the registry table for these keys"
std::string dimension_statement(const Layout& layout, const DimensionTable& t) {
    std::vector<std::string> key_names, key_casts, params, key_match_g, key_match_r, columns, values, excluded, current;
    for (std::size_t i = 0; i < t.key.size(); ++i) {
        const auto& c = t.key[i];
        key_names.push_back(c.name);
        key_casts.push_back("k" + std::to_string(i) + "::" + c.type + " AS " + c.name);
        params.push_back("$" + std::to_string(i + 1) + "::text[]");
        key_match_g.push_back("g." + c.name + " = k." + c.name);
        key_match_r.push_back("r." + c.name + " = k." + c.name);
    }
    std::vector<std::string> unnest_names;
    for (std::size_t i = 0; i < t.key.size(); ++i) unnest_names.push_back("k" + std::to_string(i));
    for (const auto& [column, expr] : t.values) {
        columns.push_back(column);
        values.push_back(expr);
        excluded.push_back("EXCLUDED." + column);
        current.push_back("g." + column);
    }
    // registry keys are bigint where gen3 narrows them: compare in the registry's type
    std::vector<std::string> reg_match;
    for (const auto& c : t.key) reg_match.push_back("r." + c.name + " = k." + c.name);
    const std::string all_columns = joined(key_names, ", ") + (columns.empty() ? "" : ", " + joined(columns, ", "));
    std::vector<std::string> r_keys;
    for (const auto& c : t.key) r_keys.push_back("r." + c.name + (c.type == "integer" ? "::integer" : ""));
    std::string sql =
        "WITH k AS (SELECT DISTINCT " + joined(key_casts, ", ") + " FROM unnest(" + joined(params, ", ") + ") AS k(" +
        joined(unnest_names, ", ") + ")),\n"
        "gone AS (DELETE FROM gen3." + t.gen3_table + " g USING k WHERE " + joined(key_match_g, " AND ") +
        " AND NOT EXISTS (SELECT 1 FROM " + layout.schema + "." + t.registry_table + " r WHERE " +
        joined(reg_match, " AND ") + ") RETURNING 1),\n"
        "put AS (INSERT INTO gen3." + t.gen3_table + " AS g (" + all_columns + ")\n  SELECT " + joined(r_keys, ", ") +
        (values.empty() ? "" : ", " + joined(values, ", ")) + " FROM k JOIN " + layout.schema + "." +
        t.registry_table + " r ON " + joined(reg_match, " AND ") + " ORDER BY " + joined(key_names, ", ") +
        "\n  ON CONFLICT (" + joined(key_names, ", ") + ") " +
        (columns.empty() ? std::string("DO NOTHING")
                         : "DO UPDATE SET (" + joined(columns, ", ") + ") = ROW(" + joined(excluded, ", ") +
                               ") WHERE ROW(" + joined(current, ", ") + ") IS DISTINCT FROM ROW(" +
                               joined(excluded, ", ") + ")") +
        " RETURNING 1)\nSELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put)";
    return sql;
}

std::vector<Datum> key_arrays(const std::set<Key>& keys, std::size_t width) {
    std::vector<std::vector<std::string>> columns(width);
    for (const auto& k : keys)
        for (std::size_t i = 0; i < width; ++i) columns[i].push_back(k[i]);
    std::vector<Datum> out;
    for (const auto& c : columns) out.push_back(pg::text_array(c));
    return out;
}

long run_count(pg::KeptPlan& plan, const std::vector<Datum>& args) {
    plan.execute(args);
    return static_cast<long>(pg::result_int64(0, 1));
}

void collect_text(uint64 rows, std::set<std::string>& out) {
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull = false;
        pg::result_value(i, 1, &isnull);
        if (!isnull) out.insert(pg::result_text(i, 1));
    }
}

std::vector<int64_t> int8_values(Datum arr) {
    std::vector<int64_t> out;
    ArrayType* a = DatumGetArrayTypeP(arr);
    Datum* elems = nullptr;
    int count = 0;
    pg::call([&] { deconstruct_array(a, INT8OID, 8, true, TYPALIGN_DOUBLE, &elems, nullptr, &count); });
    for (int j = 0; j < count; ++j) out.push_back(DatumGetInt64(elems[j]));
    return out;
}

// The selection a translation of this backend last computed, per schema, with the configured
// collections it came from. It stays right until a collection or chain row changes (the capture
// records that) or registry_config changes (its collections, or selected_collections saved by
// another backend, or rolled back): then it is computed again.
struct Selection {
    std::vector<std::string> collections;
    std::vector<int64_t> selected;
};
std::map<std::string, Selection>& selections() {
    static std::map<std::string, Selection> cache;
    return cache;
}

bool selection_unchanged(const std::string& schema, std::vector<int64_t>& selected) {
    static pg::KeptPlan config(
        "SELECT collections, selected_collections FROM obsmeta.registry_config WHERE registry_schema = $1", {TEXTOID});
    auto cached = selections().find(schema);
    if (cached == selections().end()) return false;
    Datum name = pg::call([&] { return CStringGetTextDatum(schema.c_str()); });
    if (config.execute({name}, true) != 1) return false;
    bool isnull = false;
    Datum collections = pg::result_value(0, 1, &isnull);
    if (isnull) return false;
    std::vector<std::string> patterns = text_values(collections);
    Datum saved = pg::result_value(0, 2, &isnull);
    if (isnull || patterns != cached->second.collections || int8_values(saved) != cached->second.selected) return false;
    selected = cached->second.selected;
    return true;
}

// The collections dax_obscore would search: names or regular expressions (full match), CHAINED
// collections expanded recursively; RUN and TAGGED collections (the tags tables hold both).
// Stores the set and returns the ids that entered or left it since the last translation. Computed
// only when it may have changed (see Selection).
std::vector<int64_t> update_selection(const Layout& layout, const std::string& schema, bool collections_changed,
                                      std::vector<int64_t>& selected) {
    if (!collections_changed && selection_unchanged(schema, selected)) return {};
    pg::KeptPlan& plan = plan_for(R"SQL(
WITH RECURSIVE cfg AS (SELECT collections, selected_collections FROM obsmeta.registry_config WHERE registry_schema = $1),
sel AS (
  SELECT c.collection_id, c.type FROM )SQL" + layout.schema + R"SQL(.collection c, cfg
   WHERE EXISTS (SELECT 1 FROM unnest(cfg.collections) p WHERE c.name = p OR c.name ~ ('^(?:' || p || ')$'))
  UNION
  SELECT ch.collection_id, ch.type FROM sel
    JOIN )SQL" + layout.schema + R"SQL(.collection_chain cc ON cc.parent = sel.collection_id
    JOIN )SQL" + layout.schema + R"SQL(.collection ch ON ch.collection_id = cc.child
), now_selected AS (
  SELECT coalesce(array_agg(DISTINCT collection_id ORDER BY collection_id), '{}') AS ids FROM sel WHERE type IN (1, 2)
), saved AS (
  UPDATE obsmeta.registry_config r SET selected_collections = n.ids FROM now_selected n
   WHERE r.registry_schema = $1 AND r.selected_collections IS DISTINCT FROM n.ids
)
SELECT n.ids, ARRAY(SELECT x FROM unnest(n.ids) x EXCEPT SELECT y FROM unnest(cfg.selected_collections) y
                    UNION
                    (SELECT y FROM unnest(cfg.selected_collections) y EXCEPT SELECT x FROM unnest(n.ids) x)),
       cfg.collections
  FROM now_selected n, cfg)SQL",
                                  {TEXTOID});
    Datum name = pg::call([&] { return CStringGetTextDatum(schema.c_str()); });
    std::vector<int64_t> changed;
    selections().erase(schema);
    if (plan.execute({name}) != 1) return changed;
    bool isnull = false;
    selected = int8_values(pg::result_value(0, 1, &isnull));
    changed = int8_values(pg::result_value(0, 2, &isnull));
    selections()[schema] = Selection{text_values(pg::result_value(0, 3, &isnull)), selected};
    return changed;
}

// Rows recorded by a capture trigger of a schema that is not attached (its obsmeta.registry_config
// row was deleted, or a restore brought the triggers without it) are refused: translating them with
// no collection selection would delete their gen3 rows.
void require_attached(const std::string& schema) {
    static pg::KeptPlan attached(
        "SELECT 1 FROM obsmeta.registry_config WHERE registry_schema = $1 AND attached_at IS NOT NULL", {TEXTOID});
    Datum name = pg::call([&] { return CStringGetTextDatum(schema.c_str()); });
    if (attached.execute({name}, true) == 0)
        throw pg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "registry schema \"" + schema + "\" has obsmeta capture triggers but is not attached",
                        "Its obsmeta.registry_config row is missing or has no attached_at.",
                        "SELECT obsmeta.attach_registry('" + schema + "', collections => ...) to follow it, or drop its "
                        "obsmeta_registry_capture triggers.");
}

long translate_schema(const std::string& schema, SchemaKeys& keys) {
    require_attached(schema);
    long written = 0;
    if (keys.dataset_types_added) {
        static pg::KeptPlan capture("SELECT obsmeta.registry_capture_tables($1)", {NAMEOID});
        Datum name = pg::call([&] { return DirectFunctionCall1(namein, CStringGetDatum(schema.c_str())); });
        capture.execute({name});
    }
    const Layout layout = read_layout(schema);
    const std::string tags = tags_union(layout);

    std::vector<int64_t> selected;
    std::vector<int64_t> changed = update_selection(layout, schema, keys.collections_changed, selected);
    if (!changed.empty())  // datasets in collections that entered or left the selection
        collect_text(plan_for("SELECT DISTINCT u.dataset_id::text FROM (" + tags + ") u WHERE u.collection_id = ANY ($1::int8[])",
                              {kInt8})
                         .execute({pg::int8_array(changed)}),
                     keys.datasets);
    if (!keys.dataset_types.empty())
        collect_text(plan_for("SELECT d.id::text FROM " + layout.schema + ".dataset d WHERE d.dataset_type_id = ANY ($1::text[]::int8[])"
                              " UNION SELECT g.id::text FROM gen3.dataset g WHERE NOT EXISTS (SELECT 1 FROM " +
                                  layout.schema + ".dataset d WHERE d.id = g.id) AND g.run IN (SELECT name FROM " +
                                  layout.schema + ".collection)",
                              {kText})
                         .execute({pg::text_array({keys.dataset_types.begin(), keys.dataset_types.end()})}),
                     keys.datasets);

    // 1. dimension records, parents first
    for (const DimensionTable& t : dimension_tables()) {
        auto found = keys.dimensions.find(t.registry_table);
        if (found == keys.dimensions.end() || found->second.empty()) continue;
        std::vector<Oid> types(t.key.size(), kText);
        std::string sql = dimension_statement(layout, t);
        pg::KeptPlan* plan;
        switch (types.size()) {
            case 1: plan = &plan_for(sql, {kText}); break;
            case 2: plan = &plan_for(sql, {kText, kText}); break;
            default: plan = &plan_for(sql, {kText, kText, kText}); break;
        }
        written += run_count(*plan, key_arrays(found->second, t.key.size()));
    }

    // 2. datasets whose copied implied dimensions (physical_filter, band, day_obs) may have changed
    auto pairs = [&](const char* table, std::vector<std::string>& a, std::vector<std::string>& b) {
        auto found = keys.dimensions.find(table);
        if (found == keys.dimensions.end()) return;
        for (const auto& k : found->second) {
            a.push_back(k[0]);
            b.push_back(k[1]);
        }
    };
    std::vector<std::string> ei, eid, vi, vid, fi, fname;
    pairs("exposure", ei, eid);
    pairs("visit", vi, vid);
    pairs("physical_filter", fi, fname);
    if (!ei.empty() || !vi.empty() || !fi.empty()) {
        static pg::KeptPlan users(R"SQL(
SELECT d.id::text FROM unnest($1::text[], $2::text[]) k(i, e) JOIN gen3.dataset d ON d.instrument = k.i AND d.exposure = k.e::bigint
UNION SELECT d.id::text FROM unnest($3::text[], $4::text[]) k(i, v) JOIN gen3.dataset d ON d.instrument = k.i AND d.visit = k.v::bigint
UNION SELECT d.id::text FROM unnest($5::text[], $6::text[]) k(i, f) JOIN gen3.dataset d ON d.instrument = k.i AND d.physical_filter = k.f)SQL",
                                  {kText, kText, kText, kText, kText, kText}, pg::KeptPlan::Planning::Generic);
        collect_text(users.execute({pg::text_array(ei), pg::text_array(eid), pg::text_array(vi), pg::text_array(vid),
                                    pg::text_array(fi), pg::text_array(fname)}),
                     keys.datasets);
    }
    if (keys.datasets.empty()) return written;
    Datum ids = pg::text_array({keys.datasets.begin(), keys.datasets.end()});
    Datum selection = pg::int8_array(selected);

    // 3. datasets: type and run by id, data ID from the run's tags row, implied dimensions from
    //    the exposure/visit record; only configured dataset types in selected collections.
    const std::string ingest = layout.ingest_date_is_tai_ns ? "obsmeta.tai_ns_to_utc(d.ingest_date)"
                                                            : "d.ingest_date AT TIME ZONE 'UTC'";
    const std::string& s = layout.schema;
    written += run_count(plan_for(R"SQL(
WITH k AS (SELECT DISTINCT id::uuid AS id FROM unnest($1::text[]) AS k(id)),
src AS MATERIALIZED (
  SELECT d.id, dt.name AS dataset_type, c.name AS run, t.instrument, t.exposure, t.visit, t.detector,
         coalesce(t.physical_filter, e.physical_filter, v.physical_filter) AS physical_filter,
         coalesce(t.band, pf.band) AS band, coalesce(t.day_obs, e.day_obs::integer, v.day_obs::integer) AS day_obs,
         t.skymap, t.tract, t.patch, )SQL" + ingest + R"SQL( AS ingest_date
    FROM k JOIN )SQL" + s + R"SQL(.dataset d ON d.id = k.id
    JOIN )SQL" + s + R"SQL(.dataset_type dt ON dt.id = d.dataset_type_id
    JOIN obsmeta.dataset_type_config tc ON tc.dataset_type = dt.name
    JOIN )SQL" + s + R"SQL(.collection c ON c.collection_id = d.run_id
    CROSS JOIN LATERAL (SELECT u.* FROM ()SQL" + tags + R"SQL() u WHERE u.dataset_id = d.id AND u.collection_id = d.run_id LIMIT 1) t
    LEFT JOIN )SQL" + s + R"SQL(.exposure e ON e.instrument = t.instrument AND e.id = t.exposure
    LEFT JOIN )SQL" + s + R"SQL(.visit v ON v.instrument = t.instrument AND v.id = t.visit
    LEFT JOIN )SQL" + s + R"SQL(.physical_filter pf
           ON pf.instrument = t.instrument AND pf.name = coalesce(t.physical_filter, e.physical_filter, v.physical_filter)
   WHERE d.run_id = ANY ($2::int8[])
      OR EXISTS (SELECT 1 FROM ()SQL" + tags + R"SQL() u WHERE u.dataset_id = d.id AND u.collection_id = ANY ($2::int8[]))
),
gone AS (DELETE FROM gen3.dataset g USING k WHERE g.id = k.id AND NOT EXISTS (SELECT 1 FROM src WHERE src.id = k.id) RETURNING 1),
put AS (
  INSERT INTO gen3.dataset AS g (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band,
                                 day_obs, skymap, tract, patch, ingest_date)
  SELECT id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band, day_obs, skymap, tract,
         patch, ingest_date FROM src ORDER BY id
  ON CONFLICT (id) DO UPDATE SET (dataset_type, run, instrument, exposure, visit, detector, physical_filter, band,
                                  day_obs, skymap, tract, patch, ingest_date)
    = ROW(EXCLUDED.dataset_type, EXCLUDED.run, EXCLUDED.instrument, EXCLUDED.exposure, EXCLUDED.visit, EXCLUDED.detector,
          EXCLUDED.physical_filter, EXCLUDED.band, EXCLUDED.day_obs, EXCLUDED.skymap, EXCLUDED.tract, EXCLUDED.patch,
          EXCLUDED.ingest_date)
  WHERE ROW(g.dataset_type, g.run, g.instrument, g.exposure, g.visit, g.detector, g.physical_filter, g.band, g.day_obs,
            g.skymap, g.tract, g.patch, g.ingest_date)
        IS DISTINCT FROM ROW(EXCLUDED.dataset_type, EXCLUDED.run, EXCLUDED.instrument, EXCLUDED.exposure, EXCLUDED.visit,
            EXCLUDED.detector, EXCLUDED.physical_filter, EXCLUDED.band, EXCLUDED.day_obs, EXCLUDED.skymap,
            EXCLUDED.tract, EXCLUDED.patch, EXCLUDED.ingest_date)
  RETURNING 1)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put))SQL",
                                  {kText, kInt8}),
                         {ids, selection});

    // 4. datastore records of the datasets gen3 now holds (the table may not exist yet)
    const std::string records =
        layout.records_table.empty()
            ? "SELECT NULL::uuid AS dataset_id, NULL::text AS component, NULL::text AS path, NULL::text AS formatter, "
              "NULL::text AS storage_class, NULL::text AS checksum, NULL::bigint AS file_size WHERE false"
            : "SELECT r.dataset_id, r.component::text, r.path, r.formatter, r.storage_class, r.checksum, r.file_size FROM " +
                  s + "." + layout.records_table + " r";
    written += run_count(plan_for(R"SQL(
WITH k AS (SELECT DISTINCT id::uuid AS id FROM unnest($1::text[]) AS k(id)),
src AS MATERIALIZED (
  SELECT r.* FROM k CROSS JOIN LATERAL ()SQL" + records + R"SQL( WHERE r.dataset_id = k.id) r
   WHERE EXISTS (SELECT 1 FROM gen3.dataset g WHERE g.id = k.id)
),
gone AS (DELETE FROM gen3.file_datastore_record g USING k WHERE g.dataset_id = k.id
           AND NOT EXISTS (SELECT 1 FROM src WHERE src.dataset_id = g.dataset_id AND src.component = g.component) RETURNING 1),
put AS (
  INSERT INTO gen3.file_datastore_record AS g (dataset_id, component, path, formatter, storage_class, checksum, file_size)
  SELECT dataset_id, component, path, formatter, storage_class, checksum, file_size FROM src ORDER BY 1, 2
  ON CONFLICT (dataset_id, component) DO UPDATE SET (path, formatter, storage_class, checksum, file_size)
    = ROW(EXCLUDED.path, EXCLUDED.formatter, EXCLUDED.storage_class, EXCLUDED.checksum, EXCLUDED.file_size)
  WHERE ROW(g.path, g.formatter, g.storage_class, g.checksum, g.file_size)
        IS DISTINCT FROM ROW(EXCLUDED.path, EXCLUDED.formatter, EXCLUDED.storage_class, EXCLUDED.checksum, EXCLUDED.file_size)
  RETURNING 1)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put))SQL",
                                  {kText}),
                         {ids});
    return written;
}

}  // namespace

long translate_pending() {
    long written = 0;
    while (!pending_keys().empty()) {
        // Take one schema's keys: the statements below fire no registry trigger (they write gen3),
        // but registry_capture_tables may, in principle, be followed by more keys.
        auto node = pending_keys().extract(pending_keys().begin());
        if (node.mapped().empty()) continue;
        try {
            // the writer's search_path must not change what the statements mean (as for the conversion)
            pg::SettingsScope settings = gen3_to_caom2::conversion_settings();
            pg::SpiConnection spi;
            written += translate_schema(node.key(), node.mapped());
        } catch (...) {
            pending_keys().insert(std::move(node));  // kept for a retry after ROLLBACK TO SAVEPOINT
            throw;
        }
    }
    return written;
}

}  // namespace obsmeta::registry_sql
