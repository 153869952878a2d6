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

int source_column(TupleDesc src, const char* name) {
    const int col = SPI_fnumber(src, name);
    if (col <= 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta: new_files lacks column ") + name);
    return col;
}

pg::Uuid uuid_at(HeapTuple row, TupleDesc src, int col) {
    bool isnull = false;
    const Datum d = SPI_getbinval(row, src, col, &isnull);
    if (isnull) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: a new file's id is NULL");
    return pg::uuid_value(d);
}

}  // namespace

// How one table's rows are formed from the source rows: checked once, in the constructor, so
// that write() never falls back half-way.
struct NewFiles::Target {
    Fired fired;
    std::vector<std::pair<int, int>> map;  // (table column index, source column) of every column written
    int last_modified = -1, max_last_modified = -1;
    int key_col = 0, parent_col = 0;
};

NewFiles::NewFiles(Datum datasets, bool with_patches) {
    if (!bulk_write_enabled() || !pg::call([] { return superuser(); })) return;
    if (!caom2::batch_open()) return;
    for (const Table& t : kTables) {
        tables_.push_back(std::make_unique<pg::BulkInsert>("caom2", t.name));
        targets_.push_back(Target{fired(*tables_.back(), t), {}, -1, -1, 0, 0});
        if (!targets_.back().fired.known) return;
    }
    // ObsCore records the artifacts of all three tables' rows: one call for the three triggers.
    obscore_ = targets_[2].fired.obscore;
    if (targets_[0].fired.obscore != obscore_ || targets_[1].fired.obscore != obscore_) return;
    rubin_ = targets_[0].fired.rubin;

    const uint64 n = statements::new_files(with_patches).execute({datasets});
    rows_ = SPI_tuptable;
    TupleDesc src = rows_->tupdesc;
    const int existed = source_column(src, "existed");
    for (uint64 i = 0; i < n; ++i) {
        bool isnull = false;
        if (DatumGetBool(SPI_getbinval(rows_->vals[i], src, existed, &isnull))) return;
    }
    if (SPI_gettypeid(src, source_column(src, "lsst_detector")) != INT4OID) return;
    for (std::size_t ti = 0; ti < std::size(kTables); ++ti) {
        const Table& t = kTables[ti];
        Target& target = targets_[ti];
        const pg::BulkInsert& table = *tables_[ti];
        TupleDesc desc = table.desc();
        // the columns and defaults of the statement's INSERT: the rest NULL, the two timestamps now()
        for (const auto& [to, from] : t.columns) {
            const int att = table.column(to);
            const int col = source_column(src, from);
            if (att < 0 || TupleDescAttr(desc, att)->atttypid != SPI_gettypeid(src, col)) return;
            target.map.emplace_back(att, col);
        }
        target.last_modified = table.column("last_modified");
        target.max_last_modified = table.column("max_last_modified");
        if (target.last_modified < 0 || target.max_last_modified < 0) return;
        target.key_col = source_column(src, t.key);
        target.parent_col = source_column(src, t.columns[1].second);
    }
    ready_ = true;
}

NewFiles::~NewFiles() = default;

NewFiles::Footprints NewFiles::footprints() const {
    if (!ready_) return {Datum(0), Datum(0), Datum(0), Datum(0), true};
    TupleDesc src = rows_->tupdesc;
    const int plane_col = source_column(src, "plane_id"), artifact_col = source_column(src, "artifact_id");
    const int detector_col = source_column(src, "lsst_detector"), footprint_col = source_column(src, "footprint");
    std::vector<pg::Uuid> planes, artifacts;
    std::vector<Datum> footprints;
    std::vector<int32_t> detectors;
    std::vector<bool> no_detector;
    for (uint64 i = 0; i < rows_->numvals; ++i) {
        HeapTuple row = rows_->vals[i];
        bool isnull = false;
        const Datum footprint = SPI_getbinval(row, src, footprint_col, &isnull);
        if (isnull) continue;
        footprints.push_back(footprint);
        planes.push_back(uuid_at(row, src, plane_col));
        artifacts.push_back(uuid_at(row, src, artifact_col));
        const Datum detector = SPI_getbinval(row, src, detector_col, &isnull);
        detectors.push_back(isnull ? 0 : DatumGetInt32(detector));
        no_detector.push_back(isnull);
    }
    Datum detector_array = pg::int4_array(detectors);
    // (a detector may be NULL: it sorts last, as in the plane's array_agg over its chunks)
    if (std::find(no_detector.begin(), no_detector.end(), true) != no_detector.end()) {
        std::vector<Datum> elems;
        std::vector<char> nulls;
        for (std::size_t i = 0; i < detectors.size(); ++i) {
            elems.push_back(Int32GetDatum(detectors[i]));
            nulls.push_back(no_detector[i]);
        }
        detector_array = pg::call([&] {
            int dims[1] = {static_cast<int>(elems.size())};
            int lbs[1] = {1};
            return PointerGetDatum(construct_md_array(elems.data(), reinterpret_cast<bool*>(nulls.data()), 1, dims, lbs,
                                                      INT4OID, 4, true, TYPALIGN_INT));
        });
    }
    return {pg::uuid_array(planes), pg::array_of(footprints, SPI_gettypeid(src, footprint_col)), detector_array,
            pg::uuid_array(artifacts), false};
}

void NewFiles::write(std::set<pg::Uuid>& changed_planes, int64_t& written) {
    if (!ready_) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: new files written without their rows");
    const uint64 n = rows_->numvals;
    if (n == 0) return;
    TupleDesc src = rows_->tupdesc;
    const Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    const int plane_col = source_column(src, "plane_id"), artifact_col = source_column(src, "artifact_id");
    const int detector_col = source_column(src, "lsst_detector");
    std::vector<pg::Uuid> artifacts;
    std::vector<pg::Uuid> rubin_planes;
    std::vector<int32_t> rubin_detectors;
    std::set<pg::Uuid> planes;
    for (uint64 i = 0; i < n; ++i) {
        HeapTuple row = rows_->vals[i];
        artifacts.push_back(uuid_at(row, src, artifact_col));
        planes.insert(uuid_at(row, src, plane_col));
        bool isnull = false;
        const Datum detector = SPI_getbinval(row, src, detector_col, &isnull);
        if (!isnull) {
            rubin_planes.push_back(uuid_at(row, src, plane_col));
            rubin_detectors.push_back(DatumGetInt32(detector));
        }
    }

    for (std::size_t ti = 0; ti < std::size(kTables); ++ti) {
        const Table& t = kTables[ti];
        const Target& target = targets_[ti];
        pg::BulkInsert& table = *tables_[ti];
        TupleDesc desc = table.desc();
        std::vector<std::pair<pg::Uuid, uint64>> order;  // the statement inserts by key
        for (uint64 i = 0; i < n; ++i) order.emplace_back(uuid_at(rows_->vals[i], src, target.key_col), i);
        std::sort(order.begin(), order.end());
        std::set<pg::Uuid> ids, parents;
        std::vector<Datum> values(desc->natts, Datum(0));
        std::vector<bool> nulls(desc->natts, true);
        for (const auto& [id, i] : order) {
            HeapTuple row = rows_->vals[i];
            std::fill(nulls.begin(), nulls.end(), true);
            for (const auto& [att, col] : target.map) {
                bool isnull = false;
                values[att] = SPI_getbinval(row, src, col, &isnull);
                nulls[att] = isnull;
            }
            values[target.last_modified] = values[target.max_last_modified] = now;
            nulls[target.last_modified] = nulls[target.max_last_modified] = false;
            HeapTuple tuple = table.form(values, nulls);
            if (target.fired.checksum_row) tuple = caom2::batch_inserted_row(tuple, desc, t.name);
            table.add(tuple);
            ids.insert(id);
            parents.insert(uuid_at(row, src, target.parent_col));
        }
        table.finish();
        if (target.fired.checksum_statement) caom2::batch_inserted_statement(t.name, ids, parents);
        written += static_cast<int64_t>(n);
    }
    if (obscore_)
        statements::record_obscore_artifacts().execute(
            {pg::uuid_array(artifacts), pg::uuid_array(std::vector<pg::Uuid>(planes.begin(), planes.end()))});
    if (rubin_ && !rubin_planes.empty())
        statements::rubin_new_chunks().execute({pg::uuid_array(rubin_planes), pg::int4_array(rubin_detectors)});
    changed_planes.insert(planes.begin(), planes.end());
}

}  // namespace obsmeta::gen3_to_caom2
