// caom2.import_observation_xml(doc, on_mismatch, replace) loads one CAOM-2.4 document into the caom2
// tables; caom2.check_observation_xml(doc) only reads it and reports its checksums.
//
// The document is parsed and checked completely before anything is written (libxml2, then the
// CAOM-2.4 structure: namespace, element order, required elements, types, enumerations; optionally
// full XSD validation when obsmeta.caom2_xsd names a CAOM-2.4.xsd file). Its stored checksums are
// recomputed; a mismatch is an error (on_mismatch 'reject', the default) or a WARNING per entity
// ('report'). The rows are then written in one go under the observation's advisory lock; the
// checksum triggers compute the stored checksums from the rows, and the function checks that they
// equal the document's recomputed ones (so export after import gives the same checksums). Any
// error aborts the statement: nothing is half-written.
//
// The rows are stored exactly as the document gives them: while they are written,
// obsmeta.caom2_import is on (at a GUC nest level of its own, popped when the import returns or
// by the abort of its (sub)transaction), and the rubin triggers on caom2.plane / caom2.chunk, which
// would otherwise rewrite a visit_image's Metrics and chunk WCS from rubin.* results, do nothing.
// The results stay in rubin.* and apply again at the next event that re-decides them.
#include "caom2/checksum.hpp"
#include "caom2/xml.hpp"
#include "caom2_sql/mismatch_rows.hpp"
#include "caom2_sql/row_entity.hpp"
#include "caom2_sql/settings.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "pg/datum.hpp"
#include "pg/input_limits.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/types.hpp"

#include <algorithm>
#include <cstring>
#include <map>

using namespace obsmeta;
using namespace obsmeta::caom2;

namespace {

char* g_xsd_path = nullptr;
bool g_importing = false;

Entity parse_document(const std::string& doc) {
    pg::limits::check(doc.size(), pg::limits::max_xml_bytes, "the CAOM-2.4 document", "bytes", "obsmeta.max_xml_bytes");
    if (g_xsd_path != nullptr && g_xsd_path[0] != '\0') {
        std::vector<std::string> errors;
        try {
            errors = validate_xsd(doc, g_xsd_path);
        } catch (const std::runtime_error& e) {
            throw pg::Error(ERRCODE_CONFIG_FILE_ERROR, e.what(), "", "check obsmeta.caom2_xsd");
        }
        if (!errors.empty()) {
            std::string detail;
            for (const auto& e : errors) detail += e + "\n";
            if (!detail.empty()) detail.pop_back();
            // a document that is not even well-formed is reported as such below
            try {
                (void)read_observation_xml(doc, pg::limits::max_xml_depth);
            } catch (const XmlError& e) {
                if (e.reason() != XmlError::Reason::Invalid) throw;
            }
            throw pg::Error(ERRCODE_INVALID_XML_CONTENT, "CAOM-2.4 document does not validate against the XML schema",
                            detail, std::string("schema: ") + g_xsd_path);
        }
    }
    try {
        return read_observation_xml(doc, pg::limits::max_xml_depth);
    } catch (const XmlError& e) {
        switch (e.reason()) {
            case XmlError::Reason::TooDeep:
                pg::limits::exceeded(std::string("CAOM-2.4 document: ") + e.what(), "obsmeta.max_xml_depth",
                                     pg::limits::max_xml_depth);
            case XmlError::Reason::Malformed: throw pg::Error(ERRCODE_INVALID_XML_DOCUMENT, e.what());
            case XmlError::Reason::Namespace:
                throw pg::Error(ERRCODE_INVALID_XML_DOCUMENT, e.what(), "",
                                std::string("obsmeta reads CAOM-2.4 documents (namespace ") + kNamespace + ")");
            default: throw pg::Error(ERRCODE_INVALID_XML_CONTENT, std::string("invalid CAOM-2.4 document: ") + e.what());
        }
    }
}

Datum text_of(const std::string& s) {
    return pg::call([&s] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}
Datum uuid_of(const Uuid& u) {
    return pg::call([&u] {
        auto* p = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
        std::memcpy(p->data, u.data(), 16);
        return UUIDPGetDatum(p);
    });
}

void exec(const std::string& sql, const std::vector<Oid>& types, const std::vector<Datum>& values) {
    const char* q = sql.c_str();
    const int n = static_cast<int>(types.size());
    Oid* t = const_cast<Oid*>(types.data());
    Datum* v = const_cast<Datum*>(values.data());
    const int rc = pg::call([=] { return SPI_execute_with_args(q, n, t, v, nullptr, false, 0); });
    if (rc < 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: import statement failed", sql);
}

// The rows of one table to insert, grouped by the set of columns they fill, written with one
// multi-row INSERT per group and batch (so the statement triggers run once per batch).
struct PendingRows {
    std::map<std::string, std::vector<std::vector<ColumnValue>>> by_columns;  // key: column list
};

// obsmeta's own columns of the rows a replace deletes (not CAOM-2.4, not in the document), by
// entity id: the Butler links of artifacts (lsst_dataset_id, lsst_component) and chunks
// (lsst_detector, footprint). Rows of the document with the same id get them back, so a replaced
// obsmeta observation keeps its ObsCore rows and its Rubin results (matched by detector).
using Carried = std::map<Uuid, std::vector<ColumnValue>>;

pg::Uuid pg_uuid(const Uuid& u) {
    pg::Uuid out;
    std::memcpy(out.data(), u.data(), 16);
    return out;
}

// Reads the carried columns of the observation `old_id` (columns 2.. of each statement, column 1
// the id), copying the values into `context` (the function's, which outlives SPI).
void read_carried(Carried& out, const Uuid& old_id, MemoryContext context) {
    static pg::KeptPlan artifacts(
        "SELECT a.artifact_id, a.lsst_dataset_id, a.lsst_component FROM caom2.plane p "
        "JOIN caom2.artifact a ON a.plane_id = p.plane_id WHERE p.obs_id = ($1::uuid[])[1]",
        {UUIDARRAYOID});
    static pg::KeptPlan chunks(
        "SELECT c.chunk_id, c.lsst_detector, c.footprint FROM caom2.plane p "
        "JOIN caom2.artifact a ON a.plane_id = p.plane_id JOIN caom2.part t ON t.artifact_id = a.artifact_id "
        "JOIN caom2.chunk c ON c.part_id = t.part_id WHERE p.obs_id = ($1::uuid[])[1]",
        {UUIDARRAYOID});
    for (pg::KeptPlan* plan : {&artifacts, &chunks}) {
        const uint64 n = plan->execute({pg::uuid_array({pg_uuid(old_id)})}, true);
        SPITupleTable* tt = SPI_tuptable;
        for (uint64 r = 0; r < n; ++r) {
            bool isnull = false;
            const pg::Uuid id = pg::uuid_value(pg::result_value(r, 1, &isnull));
            Uuid key;
            std::memcpy(key.data(), id.data(), 16);
            for (int c = 2; c <= tt->tupdesc->natts; ++c) {
                const Datum d = pg::result_value(r, c, &isnull);
                if (isnull) continue;
                Form_pg_attribute attr = TupleDescAttr(tt->tupdesc, c - 1);
                const Datum copy = pg::call([=] {
                    MemoryContext previous = MemoryContextSwitchTo(context);
                    Datum v = datumCopy(d, attr->attbyval, attr->attlen);
                    MemoryContextSwitchTo(previous);
                    return v;
                });
                out[key].push_back({NameStr(attr->attname), attr->atttypid, copy});
            }
        }
    }
}

// A replaced plane's DERIVED position columns (the spoly bounds, center, area, size that ObsCore
// and the Rubin source density use), from its chunks' carried footprints the way the conversion
// derives them, where the footprints give exactly the document's bounds.
void derive_plane_positions(const Uuid& obs_id) {
    static pg::KeptPlan plan(R"SQL(
WITH fp AS (
  SELECT a.plane_id, array_agg(c.footprint ORDER BY c.lsst_detector, a.artifact_id) AS footprints
    FROM caom2.plane p JOIN caom2.artifact a ON a.plane_id = p.plane_id
    JOIN caom2.part t ON t.artifact_id = a.artifact_id JOIN caom2.chunk c ON c.part_id = t.part_id
   WHERE p.obs_id = ($1::uuid[])[1] AND c.footprint IS NOT NULL
   GROUP BY a.plane_id
), pos AS (
  SELECT fp.plane_id, s.bounds, s.points, s.center, s.area_deg2, s.size_deg
    FROM fp CROSS JOIN LATERAL obsmeta.footprint_summary(fp.footprints) s
)
UPDATE caom2.plane p SET (position_bounds, position_center, position_area_deg2, position_size_deg)
     = ROW(pos.bounds, pos.center, pos.area_deg2, pos.size_deg)
  FROM pos
 WHERE p.plane_id = pos.plane_id AND p.position_bounds_points = pos.points)SQL",
                             {UUIDARRAYOID});
    plan.execute({pg::uuid_array({pg_uuid(obs_id)})});
}

void collect(const Entity& e, Level level, const Uuid* parent, const Carried& carried, std::vector<PendingRows>& rows,
             std::vector<std::pair<std::string, std::vector<Datum>>>& links) {
    const TableInfo& t = table_info(level);
    std::vector<ColumnValue> cols = row_values(e);
    if (auto it = carried.find(e.id); it != carried.end()) cols.insert(cols.end(), it->second.begin(), it->second.end());
    cols.push_back({t.id, UUIDOID, uuid_of(e.id)});
    if (parent) cols.push_back({t.parent, UUIDOID, uuid_of(*parent)});
    if (level == Level::Observation) cols.push_back({"obs_type", TEXTOID, text_of(e.state.type->name)});
    if (!e.meta_producer.empty()) cols.push_back({"meta_producer", TEXTOID, text_of(e.meta_producer)});
    std::string key;
    for (const ColumnValue& c : cols) key += c.column + ",";
    rows[static_cast<int>(level)].by_columns[key].push_back(std::move(cols));

    auto uri_rows = [&](const char* table, const char* owner, const char* column, const Value* list) {
        if (list == nullptr) return;
        for (const Value& v : list->items)
            links.push_back({std::string("INSERT INTO caom2.") + table + " (" + owner + ", " + column +
                                 ") VALUES ($1, $2) ON CONFLICT DO NOTHING",
                             {uuid_of(e.id), text_of(v.text)}});
    };
    if (level == Level::Observation && std::strcmp(e.state.type->name, "DerivedObservation") == 0)
        uri_rows("observation_member", "composite_id", "member_uri", e.state.get("members"));
    if (level == Level::Plane) {
        const Value* prov = e.state.get("provenance");
        if (prov) uri_rows("provenance_input", "plane_id", "input_uri", prov->object->get("inputs"));
    }
    for (const Entity& c : e.children)
        collect(c, static_cast<Level>(static_cast<int>(level) - 1), &e.id, carried, rows, links);
}

void insert_rows(Level level, const PendingRows& pending) {
    const TableInfo& t = table_info(level);
    for (const auto& [key, rows] : pending.by_columns) {
        const std::size_t ncols = rows.front().size();
        const std::size_t per_batch = std::max<std::size_t>(1, 30000 / ncols);
        for (std::size_t start = 0; start < rows.size(); start += per_batch) {
            const std::size_t stop = std::min(rows.size(), start + per_batch);
            std::string sql = std::string("INSERT INTO caom2.") + t.table + " (";
            for (std::size_t c = 0; c < ncols; ++c) sql += (c ? ", " : "") + rows.front()[c].column;
            sql += ") VALUES ";
            std::vector<Oid> types;
            std::vector<Datum> values;
            for (std::size_t r = start; r < stop; ++r) {
                sql += r > start ? ", (" : "(";
                for (std::size_t c = 0; c < ncols; ++c) {
                    sql += (c ? ", $" : "$") + std::to_string(values.size() + 1);
                    types.push_back(rows[r][c].type);
                    values.push_back(rows[r][c].value);
                }
                sql += ")";
            }
            exec(sql, types, values);
        }
    }
}

void insert_observation(const Entity& obs, const Carried& carried) {
    std::vector<PendingRows> rows(5);
    std::vector<std::pair<std::string, std::vector<Datum>>> links;
    collect(obs, Level::Observation, nullptr, carried, rows, links);
    for (int l = static_cast<int>(Level::Observation); l >= 0; --l) {
        insert_rows(static_cast<Level>(l), rows[l]);
        if (l == static_cast<int>(Level::Observation) || l == static_cast<int>(Level::Plane)) {
            const char* table = l == static_cast<int>(Level::Observation) ? "observation_member" : "provenance_input";
            for (const auto& [sql, args] : links)
                if (sql.find(table) != std::string::npos) exec(sql, {UUIDOID, TEXTOID}, args);
        }
    }
}

// The stored checksums of the imported rows, by id.
void stored_checksums(std::vector<std::pair<std::string, std::string>>& out, const Entity& e, Level level) {
    const TableInfo& t = table_info(level);
    exec(std::string("SELECT meta_checksum, acc_meta_checksum FROM caom2.") + t.table + " WHERE " + t.id + " = $1",
         {UUIDOID}, {uuid_of(e.id)});
    out.emplace_back(SPI_processed ? pg::result_text(0, 1) : "", SPI_processed ? pg::result_text(0, 2) : "");
    for (const Entity& c : e.children) stored_checksums(out, c, static_cast<Level>(static_cast<int>(level) - 1));
}
void computed_checksums(std::vector<std::pair<std::string, std::string>>& out, const Entity& e) {
    out.emplace_back(e.meta_checksum, e.acc_meta_checksum);
    for (const Entity& c : e.children) computed_checksums(out, c);
}

}  // namespace

void obsmeta::caom2::define_settings() {
    DefineCustomStringVariable("obsmeta.caom2_xsd",
                               "CAOM-2.4.xsd file to validate imported CAOM-2.4 documents against (empty: the "
                               "built-in structural checks only)",
                               nullptr, &g_xsd_path, "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("obsmeta.caom2_import",
                             "On while caom2.import_observation_xml writes a document's rows (read-only)",
                             "The rubin triggers on caom2.plane and caom2.chunk leave those rows as the document "
                             "gives them.",
                             &g_importing, false, PGC_INTERNAL, GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, nullptr,
                             nullptr, nullptr);
}

// caom2.check_observation_xml(doc text) RETURNS TABLE (entity, id, which, stored, computed): the
// document's checksums that do not recompute. Writes nothing.
OBSMETA_FUNCTION(obsmeta_caom2_check_observation_xml) {
    const Entity obs = parse_document(pg::text_value(PG_GETARG_DATUM(0)));
    return_mismatches(fcinfo, verify_checksums(obs));
    return static_cast<Datum>(0);
}

// caom2.import_observation_xml(doc text, on_mismatch text, replace boolean) RETURNS uuid
OBSMETA_FUNCTION(obsmeta_caom2_import_observation_xml) {
    const std::string doc = pg::text_value(PG_GETARG_DATUM(0));
    const std::string on_mismatch = pg::text_value(PG_GETARG_DATUM(1));
    const bool replace = PG_GETARG_BOOL(2);
    if (on_mismatch != "reject" && on_mismatch != "report")
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "on_mismatch must be 'reject' or 'report', not '" + on_mismatch + "'");
    Entity obs = parse_document(doc);
    const std::vector<Mismatch> mismatches = verify_checksums(obs);
    if (!mismatches.empty()) {
        std::string detail;
        for (const Mismatch& m : mismatches)
            detail += m.entity + " " + m.which + ": document " + m.stored + ", recomputed " + m.computed + "\n";
        detail.pop_back();
        if (on_mismatch == "reject")
            throw pg::Error(ERRCODE_DATA_CORRUPTED,
                            std::to_string(mismatches.size()) + " checksum(s) of the CAOM-2.4 document do not match its content",
                            detail, "import with on_mismatch => 'report' to load it anyway (obsmeta stores recomputed checksums)");
        pg::call([&detail, &mismatches] {
            ereport(WARNING, (errmsg("%zu checksum(s) of the CAOM-2.4 document do not match its content; the recomputed ones are stored",
                                     mismatches.size()),
                              errdetail("%s", detail.c_str())));
        });
    }
    compute_checksums(obs);  // what the stored rows must reproduce

    const std::string collection = obs.state.get("collection")->text;
    const std::string observation_id = obs.state.get("observationID")->text;
    MemoryContext call_context = CurrentMemoryContext;
    {
        pg::SpiConnection spi;
        // the conversion's per-observation lock (obsmeta.lock_key): concurrent writers of it wait
        exec(gen3_to_caom2::observation_lock_rows_installed()
                 ? "SELECT obsmeta.lock_observations(ARRAY[obsmeta.lock_key($1)])"
                 : "SELECT pg_advisory_xact_lock(1868723053, obsmeta.lock_key($1))",  // schema before 0.3.0
             {UUIDOID}, {uuid_of(obs.id)});
        exec("SELECT obs_id FROM caom2.observation WHERE obs_id = $1 OR (collection = $2 AND observation_id = $3)",
             {UUIDOID, TEXTOID, TEXTOID}, {uuid_of(obs.id), text_of(collection), text_of(observation_id)});
        Carried carried;
        if (SPI_processed > 0) {
            if (!replace)
                throw pg::Error(ERRCODE_UNIQUE_VIOLATION,
                                "observation caom:" + collection + "/" + observation_id + " already exists",
                                "", "import with replace => true to replace it");
            std::vector<Uuid> old_ids;
            for (uint64 r = 0; r < SPI_processed; ++r) {
                bool isnull = false;
                const pg::Uuid id = pg::uuid_value(pg::result_value(r, 1, &isnull));
                old_ids.emplace_back();
                std::memcpy(old_ids.back().data(), id.data(), 16);
            }
            for (const Uuid& old_id : old_ids) read_carried(carried, old_id, call_context);
            exec("DELETE FROM caom2.observation WHERE obs_id = $1 OR (collection = $2 AND observation_id = $3)",
                 {UUIDOID, TEXTOID, TEXTOID}, {uuid_of(obs.id), text_of(collection), text_of(observation_id)});
        }
        // the import's writes: on success the scope pops it, on error the (sub)transaction's abort does
        pg::SettingsScope importing({{"obsmeta.caom2_import", "on"}}, PGC_INTERNAL);
        insert_observation(obs, carried);
        if (!carried.empty()) derive_plane_positions(obs.id);
        std::vector<std::pair<std::string, std::string>> stored, computed;
        stored_checksums(stored, obs, Level::Observation);
        computed_checksums(computed, obs);
        if (stored != computed) {
            std::string detail;
            for (std::size_t i = 0; i < stored.size() && i < computed.size(); ++i)
                if (stored[i] != computed[i])
                    detail += "entity " + std::to_string(i) + " (pre-order): stored " + stored[i].first + " / " +
                              stored[i].second + ", document " + computed[i].first + " / " + computed[i].second + "\n";
            throw pg::Error(ERRCODE_INTERNAL_ERROR,
                            "obsmeta: the stored rows of caom:" + collection + "/" + observation_id +
                                " do not reproduce the document's checksums",
                            detail);
        }
    }
    return pg::call([&obs] {
        auto* p = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
        std::memcpy(p->data, obs.id.data(), 16);
        return UUIDPGetDatum(p);
    });
}
