// See new_files.hpp. What the INSERT ... SELECT of statements::insert_new_files cost was mostly the
// executor's, per row and per trigger (three tables, a BEFORE ROW checksum trigger on each, seven
// AFTER STATEMENT triggers with transition tables); the rows and what the triggers record are the same.
#include "gen3_to_caom2/new_files.hpp"

#include "caom2_sql/checksum_batch.hpp"
#include "gen3_to_caom2/settings.hpp"
#include "gen3_to_caom2/statements.hpp"
#include "pg/bulk_insert.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace obsmeta::gen3_to_caom2 {

namespace {

struct Table {
    const char* name;
    const char* key;                                           // its id column (the source column of the same name)
    std::vector<std::pair<const char*, const char*>> columns;  // (table column, source column), key included
    const char* obscore_trigger;                               // the function of ObsCore's INSERT trigger on it
};

// Bottom-up, the order of the statement's inserts (a part's accMetaChecksum comes from its chunk).
const Table kTables[] = {
    {"chunk", "chunk_id",
     {{"chunk_id", "chunk_id"}, {"part_id", "part_id"}, {"product_type", "product_type"},
      {"lsst_detector", "lsst_detector"}, {"footprint", "footprint"}},
     "obsmeta.obscore_on_part_or_chunk"},
    {"part", "part_id",
     {{"part_id", "part_id"}, {"artifact_id", "artifact_id"}, {"name", "name"}, {"product_type", "product_type"}},
     "obsmeta.obscore_on_part_or_chunk"},
    {"artifact", "artifact_id",
     {{"artifact_id", "artifact_id"}, {"plane_id", "plane_id"}, {"uri", "uri"}, {"product_type", "product_type"},
      {"release_type", "release_type"}, {"content_type", "content_type"}, {"content_length", "content_length"},
      {"content_checksum", "content_checksum"}, {"lsst_dataset_id", "lsst_dataset_id"},
      {"lsst_component", "lsst_component"}},
     "obsmeta.obscore_on_artifact"},
};
constexpr const char* kChecksumRow = "caom2.checksum_row";
constexpr const char* kChecksumStatement = "caom2.checksum_propagate";
constexpr const char* kRubinChunks = "obsmeta.rubin_chunk_arrived";

// Which trigger work an INSERT into the table would do; `known` false when a trigger is not one of these.
struct Fired {
    bool known = true, checksum_row = false, checksum_statement = false, obscore = false, rubin = false;
};

Fired fired(const pg::BulkInsert& table, const Table& t) {
    Fired f;
    for (const std::string& fn : table.insert_trigger_functions()) {
        if (fn == kChecksumRow) f.checksum_row = true;
        else if (fn == kChecksumStatement) f.checksum_statement = true;
        else if (fn == t.obscore_trigger) f.obscore = true;
        else if (fn == kRubinChunks && std::string(t.name) == "chunk") f.rubin = true;
        else f.known = false;
    }
    return f;
}

int source_column(const char* name) {
    const int col = SPI_fnumber(SPI_tuptable->tupdesc, name);
    if (col <= 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta: new_files lacks column ") + name);
    return col;
}

pg::Uuid uuid_at(HeapTuple row, int col) {
    bool isnull = false;
    const Datum d = SPI_getbinval(row, SPI_tuptable->tupdesc, col, &isnull);
    if (isnull) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: a new file's id is NULL");
    return pg::uuid_value(d);
}

}  // namespace

bool insert_new_files(Datum datasets, bool with_patches, std::set<pg::Uuid>& changed_planes, int64_t& written) {
    if (!bulk_write_enabled() || !pg::call([] { return superuser(); })) return false;
    if (!caom2::batch_open()) return false;
    std::vector<std::unique_ptr<pg::BulkInsert>> tables;
    std::vector<Fired> fires;
    for (const Table& t : kTables) {
        tables.push_back(std::make_unique<pg::BulkInsert>("caom2", t.name));
        fires.push_back(fired(*tables.back(), t));
        if (!fires.back().known) return false;
    }
    // ObsCore records the artifacts of all three tables' rows: one call for the three triggers.
    const bool obscore = fires[2].obscore;
    if (fires[0].obscore != obscore || fires[1].obscore != obscore) return false;

    const uint64 n = statements::new_files(with_patches).execute({datasets});
    if (n == 0) return true;
    TupleDesc src = SPI_tuptable->tupdesc;
    const int existed = source_column("existed");
    for (uint64 i = 0; i < n; ++i) {
        bool isnull = false;
        if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], src, existed, &isnull))) return false;
    }

    const Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    const int plane_col = source_column("plane_id"), artifact_col = source_column("artifact_id");
    const int detector_col = source_column("lsst_detector");
    std::vector<pg::Uuid> artifacts;
    std::vector<pg::Uuid> rubin_planes;
    std::vector<int32_t> rubin_detectors;
    std::set<pg::Uuid> planes;
    for (uint64 i = 0; i < n; ++i) {
        HeapTuple row = SPI_tuptable->vals[i];
        artifacts.push_back(uuid_at(row, artifact_col));
        planes.insert(uuid_at(row, plane_col));
        bool isnull = false;
        const Datum detector = SPI_getbinval(row, src, detector_col, &isnull);
        if (!isnull) {
            rubin_planes.push_back(uuid_at(row, plane_col));
            rubin_detectors.push_back(DatumGetInt32(detector));
        }
    }
    if (SPI_gettypeid(src, detector_col) != INT4OID) return false;

    for (std::size_t ti = 0; ti < std::size(kTables); ++ti) {
        const Table& t = kTables[ti];
        pg::BulkInsert& table = *tables[ti];
        TupleDesc desc = table.desc();
        // (table column index, source column) of every column written; the rest NULL, the two
        // timestamps now(): the columns and defaults of the statement's INSERT
        std::vector<std::pair<int, int>> map;
        for (const auto& [to, from] : t.columns) {
            const int att = table.column(to);
            const int col = source_column(from);
            if (att < 0 || TupleDescAttr(desc, att)->atttypid != SPI_gettypeid(src, col)) return false;
            map.emplace_back(att, col);
        }
        const int last_modified = table.column("last_modified"), max_last_modified = table.column("max_last_modified");
        if (last_modified < 0 || max_last_modified < 0) return false;
        const int key_col = source_column(t.key);
        const int parent_col = source_column(t.columns[1].second);
        std::vector<std::pair<pg::Uuid, uint64>> order;  // the statement inserts by key
        for (uint64 i = 0; i < n; ++i) order.emplace_back(uuid_at(SPI_tuptable->vals[i], key_col), i);
        std::sort(order.begin(), order.end());
        std::set<pg::Uuid> ids, parents;
        std::vector<Datum> values(desc->natts, Datum(0));
        std::vector<bool> nulls(desc->natts, true);
        for (const auto& [id, i] : order) {
            HeapTuple row = SPI_tuptable->vals[i];
            std::fill(nulls.begin(), nulls.end(), true);
            for (const auto& [att, col] : map) {
                bool isnull = false;
                values[att] = SPI_getbinval(row, src, col, &isnull);
                nulls[att] = isnull;
            }
            values[last_modified] = values[max_last_modified] = now;
            nulls[last_modified] = nulls[max_last_modified] = false;
            HeapTuple tuple = table.form(values, nulls);
            if (fires[ti].checksum_row) tuple = caom2::batch_inserted_row(tuple, desc, t.name);
            table.add(tuple);
            ids.insert(id);
            parents.insert(uuid_at(row, parent_col));
        }
        table.finish();
        if (fires[ti].checksum_statement) caom2::batch_inserted_statement(t.name, ids, parents);
        written += static_cast<int64_t>(n);
    }
    // (no SPI_tuptable from here on: the calls below replace it)
    if (obscore)
        statements::record_obscore_artifacts().execute(
            {pg::uuid_array(artifacts), pg::uuid_array(std::vector<pg::Uuid>(planes.begin(), planes.end()))});
    if (fires[0].rubin && !rubin_planes.empty())
        statements::rubin_new_chunks().execute({pg::uuid_array(rubin_planes), pg::int4_array(rubin_detectors)});
    changed_planes.insert(planes.begin(), planes.end());
    return true;
}

}  // namespace obsmeta::gen3_to_caom2
