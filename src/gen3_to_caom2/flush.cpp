// The conversion of one batch of dirty mirror keys: expand, lock, then write CAOM2 top-down.
#include "caom2_sql/checksum_batch.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/dirty_set.hpp"
#include "gen3_to_caom2/mirror_rows.hpp"
#include "gen3_to_caom2/new_files.hpp"
#include "gen3_to_caom2/statements.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <set>
#include <vector>

namespace obsmeta::gen3_to_caom2 {

bool observation_lock_rows_installed() {
    return pg::call([] {
        Oid argtypes[1] = {INT4ARRAYOID};
        return OidIsValid(LookupFuncName(stringToQualifiedNameList("obsmeta.lock_observations"), 1, argtypes, true));
    });
}

namespace {

using pg::Uuid;

struct KeyArrays {  // (instrument, id) pairs as two SQL array parameters
    Datum instruments, ids;
};

KeyArrays arrays_of(const std::set<InstrumentKey>& keys) {
    std::vector<std::string> instruments;
    std::vector<int64_t> ids;
    for (const auto& k : keys) {
        instruments.push_back(k.instrument);
        ids.push_back(k.id);
    }
    return {pg::text_array(instruments), pg::int8_array(ids)};
}

Datum uuid_array_of(const std::set<Uuid>& ids) {
    return pg::uuid_array(std::vector<Uuid>(ids.begin(), ids.end()));
}

// Adds column `col` (uuid) of every result row to `out`.
void collect_uuids(uint64 rows, int col, std::set<Uuid>& out) {
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull = false;
        Datum d = pg::result_value(i, col, &isnull);
        if (!isnull) out.insert(pg::uuid_value(d));
    }
}

void collect_instrument_keys(uint64 rows, int instrument_col, int id_col, std::set<InstrumentKey>& out) {
    for (uint64 i = 0; i < rows; ++i) out.insert({pg::result_text(i, instrument_col), pg::result_int64(i, id_col)});
}

// Takes the per-observation locks, in ascending order (see the statement's comment): row locks
// readers cannot take (obsmeta.lock_observations, schema/05_functions.sql), formerly advisory.
// Returns whether a dataset is of a published coadd type (the statement reads their types anyway).
bool lock_observations(const KeyArrays& exposures, const KeyArrays& visits, Datum datasets) {
    uint64 rows = statements::observation_lock_keys().execute(
        {exposures.instruments, exposures.ids, visits.instruments, visits.ids, datasets});
    std::vector<int32> keys;
    bool coadds = false;
    for (uint64 i = 0; i < rows; ++i) {
        coadds = coadds || pg::result_bool(i, 2);
        bool isnull = false;
        Datum key = pg::result_value(i, 1, &isnull);
        // (a key comes twice when a coadd dataset's observation is also reached another way)
        if (!isnull && (keys.empty() || keys.back() != DatumGetInt32(key))) keys.push_back(DatumGetInt32(key));
    }
    if (keys.empty()) return coadds;
    if (observation_lock_rows_installed()) {
        static pg::KeptPlan lock("SELECT obsmeta.lock_observations($1)", {INT4ARRAYOID});
        lock.execute({pg::int4_array(keys)});
        return coadds;
    }
    constexpr int32 kObsmetaLockClass = 0x6f62736d;  // "obsm"
    for (int32 key : keys) {
        pg::call([=] {
            DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(kObsmetaLockClass), Int32GetDatum(key));
        });
    }
    return coadds;
}

int64_t convert_batch(DirtySet& batch);

// Whether the 0.3.0 schema is installed (gen3.patch, obsmeta.physical_filter_wavelength): a
// library installed before ALTER EXTENSION UPDATE must still convert a 0.2.0 database.
bool schema_0_3() {
    return pg::call([] {
        Oid gen3 = get_namespace_oid("gen3", true);
        return OidIsValid(gen3) && OidIsValid(get_relname_relid("patch", gen3));
    });
}

}  // namespace

// The conversion's statements are planned with fixed settings (below) and parsed with a fixed
// search_path: pg_catalog and pg_sphere's schema. The writer's own search_path (pg_restore's is empty; a user's may hold look-alike
// functions) must change neither what the statements mean nor the plans kept for them.
// In force while the returned scope lives (popped on success; on error the abort restores them).
pg::SettingsScope conversion_settings() {
    static pg::KeptPlan pgsphere_schema(
        "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
        " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_sphere'",
        {});
    std::string path = "pg_catalog";
    {
        pg::SpiConnection spi;
        if (pgsphere_schema.execute({}, true) == 1) path += ", " + pg::result_text(0, 1);
    }
    // Every statement of the conversion reaches its rows by key. Left to itself the planner
    // (default costs, statistics that lag behind a night's writes) hashes whole tables for a
    // few hundred keys, so each commit would cost time proportional to the archive's size;
    // parallel workers and the JIT cost more to start than these index probes take.
    return pg::SettingsScope({{"search_path", path.c_str()},
                              {"enable_seqscan", "off"},
                              {"max_parallel_workers_per_gather", "0"},
                              {"jit", "off"}});
}

int64_t flush() {
    if (dirty().empty()) return 0;
    // Take the batch; rows written below are CAOM2 rows, which record nothing new.
    DirtySet batch = std::move(dirty());
    dirty().clear();

    try {
        replication::OriginRole origin;  // CAOM2's own triggers fire for the conversion's writes
        pg::SettingsScope settings = conversion_settings();
        return convert_batch(batch);
    } catch (...) {
        // The error aborts the statement (or subtransaction), not necessarily the transaction:
        // keep the keys, so that after ROLLBACK TO SAVEPOINT the rows written before still convert.
        dirty().merge(std::move(batch));
        throw;
    }
}

namespace {

int64_t convert_batch(DirtySet& batch) {
    pg::SpiConnection spi;
    // The statements below write each level of the tree; checksums and the ivoa.obscore rows are
    // recomputed once, at the end (a failure rolls the deferral back with the writes).
    caom2::ChecksumBatch checksums;
    statements::defer_obscore().execute({});
    const bool flush_obscore = pg::result_bool(0, 1);  // false: the writer deferred it itself
    int64_t written = 0;

    // 1. Expand: a filter's band feeds its exposures and visits; an exposure its visits' members;
    //    regions, exposures and visits their datasets (which may have been waiting for them).
    if (!batch.filters.empty()) {
        std::vector<std::string> instruments, filters;
        for (const auto& f : batch.filters) {
            instruments.push_back(f.instrument);
            filters.push_back(f.physical_filter);
        }
        uint64 rows = statements::filter_users().execute({pg::text_array(instruments), pg::text_array(filters)});
        for (uint64 i = 0; i < rows; ++i) {
            InstrumentKey key{pg::result_text(i, 2), pg::result_int64(i, 3)};
            (pg::result_text(i, 1) == "e" ? batch.exposures : batch.visits).insert(key);
        }
    }
    if (!batch.exposures.empty()) {
        KeyArrays e = arrays_of(batch.exposures);
        uint64 rows = statements::visits_of_exposures().execute({e.instruments, e.ids});
        collect_instrument_keys(rows, 1, 2, batch.visits);
    }
    KeyArrays exposures = arrays_of(batch.exposures);
    KeyArrays visits = arrays_of(batch.visits);
    if (!batch.regions.empty() || !batch.exposures.empty() || !batch.visits.empty()) {
        std::vector<std::string> instruments;
        std::vector<int64_t> region_visits;
        std::vector<int32_t> detectors;
        for (const auto& r : batch.regions) {
            instruments.push_back(r.instrument);
            region_visits.push_back(r.visit);
            detectors.push_back(r.detector);
        }
        uint64 rows = statements::datasets_of_keys().execute(
            {pg::text_array(instruments), pg::int8_array(region_visits), pg::int4_array(detectors),
             exposures.instruments, exposures.ids, visits.instruments, visits.ids});
        collect_uuids(rows, 1, batch.datasets);
    }
    if (!batch.patches.empty()) {  // a patch region is the footprint of the coadds on it
        std::vector<std::string> skymaps;
        std::vector<int32_t> tracts, patches;
        for (const auto& p : batch.patches) {
            skymaps.push_back(p.skymap);
            tracts.push_back(p.tract);
            patches.push_back(p.patch);
        }
        collect_uuids(statements::datasets_of_patches().execute(
                          {pg::text_array(skymaps), pg::int4_array(tracts), pg::int4_array(patches)}),
                      1, batch.datasets);
    }
    Datum datasets = uuid_array_of(batch.datasets);

    // 2. Lock every observation involved, in one global order.
    const bool coadds = lock_observations(exposures, visits, datasets);

    std::set<Uuid> changed_observations;  // whose planes (or members) changed
    std::set<Uuid> changed_planes;        // whose artifacts, parts or chunks changed

    // 3. Observations, then the members of visits (which refer to exposures' observations).
    std::set<Uuid> upserted_observations;
    if (!batch.exposures.empty() || !batch.visits.empty()) {
        if (!batch.exposures.empty())
            statements::upsert_exposure_observations().execute({exposures.instruments, exposures.ids},
                                                               upserted_observations);
        if (!batch.visits.empty())
            statements::upsert_visit_observations().execute({visits.instruments, visits.ids}, upserted_observations);
        if (batch.removals)
            written += statements::delete_observations().execute(
                {exposures.instruments, exposures.ids, visits.instruments, visits.ids});
        if (!batch.visits.empty())
            collect_uuids(statements::sync_members().execute({visits.instruments, visits.ids}), 1, changed_observations);
    }
    // (checked first: even an upsert of no rows fires the observation table's statement triggers)
    if (coadds) statements::upsert_coadd_observations().execute({datasets}, upserted_observations);
    written += static_cast<int64_t>(upserted_observations.size());
    // An observation that comes back (its exposure re-inserted) is no longer deleted for harvesters.
    if (!upserted_observations.empty()) statements::clear_tombstones().execute({uuid_array_of(upserted_observations)});

    // 4. Planes: map datasets to planes, then rewrite every plane whose datasets or observation changed.
    std::set<Uuid> planes;
    if (!batch.datasets.empty()) {
        pg::KeptPlan& map =
            batch.removals ? statements::map_datasets_to_planes() : statements::map_new_datasets_to_planes();
        collect_uuids(map.execute({datasets}), 1, planes);
    }
    if (!batch.exposures.empty() || !batch.visits.empty())
        collect_uuids(statements::planes_of_observations().execute(
                          {exposures.instruments, exposures.ids, visits.instruments, visits.ids}),
                      1, planes);
    // New datasets' files are read now (written in step 5, without the executor when it can, see
    // new_files.hpp), so that new planes are inserted with the positions of their footprints.
    std::unique_ptr<NewFiles> new_files;
    if (!batch.removals && !batch.datasets.empty()) new_files = std::make_unique<NewFiles>(datasets, schema_0_3());
    std::set<Uuid> positioned;  // new planes inserted with their positions
    if (!planes.empty()) {
        Datum plane_ids = uuid_array_of(planes);
        NewFiles::Footprints f =
            new_files ? new_files->footprints() : NewFiles::Footprints{Datum(0), Datum(0), Datum(0), Datum(0), true};
        if (!f.null) {
            std::set<Uuid> existing;
            collect_uuids(statements::existing_planes().execute({plane_ids}), 1, existing);
            std::set_difference(planes.begin(), planes.end(), existing.begin(), existing.end(),
                                std::inserter(positioned, positioned.end()));
        }
        written += static_cast<int64_t>(statements::upsert_planes(schema_0_3()).execute(
            {plane_ids, f.planes, f.footprints, f.detectors, f.artifacts}, changed_observations,
            f.null ? " nnnn" : ""));
        if (batch.removals) {
            std::set<Uuid> emptied;
            uint64 rows = statements::delete_planes().execute({plane_ids});
            written += static_cast<int64_t>(rows);
            collect_uuids(rows, 1, emptied);
            if (!emptied.empty()) {
                written += statements::delete_empty_coadds().execute({uuid_array_of(emptied)});
                changed_observations.insert(emptied.begin(), emptied.end());
            }
        }
    }

    // 5. Artifacts, parts and chunks of the datasets (footprints decoded from sphgeom in C++);
    //    a changed part or chunk makes its ancestors' maxLastModified move.
    if (!batch.datasets.empty()) {
        std::set<Uuid> changed_artifacts, changed_parts;
        // New datasets' files are new rows: inserted without ON CONFLICT DO UPDATE (whose UPDATE
        // statement triggers fire even when nothing is updated); any existing row: the upsert.
        // Without the executor when it can (new_files.hpp), else as one statement.
        uint64 rows = 0;
        bool inserted_all = false;
        if (new_files && new_files->ready()) {
            new_files->write(changed_planes, written);
            inserted_all = true;
        }
        if (!batch.removals && !inserted_all) {
            rows = statements::insert_new_files(schema_0_3()).execute({datasets});
            inserted_all = rows == 0 || pg::result_text(0, 1) != "conflict";
            if (!inserted_all) rows = 0;
        }
        if (!inserted_all) rows = statements::upsert_files(schema_0_3()).execute({datasets});
        written += static_cast<int64_t>(rows);
        for (uint64 i = 0; i < rows; ++i) {
            bool isnull = false;
            Datum id = pg::result_value(i, 2, &isnull);
            if (isnull) continue;  // a new part or chunk, whose artifact is new too
            std::string kind = pg::result_text(i, 1);
            (kind == "artifact" ? changed_planes : kind == "part" ? changed_artifacts : changed_parts)
                .insert(pg::uuid_value(id));
        }
        if (batch.removals) {
            rows = statements::delete_artifacts().execute({datasets});
            written += static_cast<int64_t>(rows);
            collect_uuids(rows, 1, changed_planes);
        }
        if (!changed_parts.empty())
            collect_uuids(statements::touch_parts().execute({uuid_array_of(changed_parts)}), 1, changed_artifacts);
        if (!changed_artifacts.empty())
            collect_uuids(statements::touch_artifacts().execute({uuid_array_of(changed_artifacts)}), 1, changed_planes);
    }

    // 6. Plane positions from their chunks' footprints (but new planes', inserted with them), then
    //    maxLastModified up the tree.
    std::set<Uuid> unpositioned;
    std::set_difference(planes.begin(), planes.end(), positioned.begin(), positioned.end(),
                        std::inserter(unpositioned, unpositioned.end()));
    if (!unpositioned.empty()) {
        uint64 rows = statements::update_plane_positions().execute({uuid_array_of(unpositioned)});
        written += static_cast<int64_t>(rows);
        collect_uuids(rows, 1, changed_observations);
    }
    if (!changed_planes.empty())
        collect_uuids(statements::touch_planes().execute({uuid_array_of(changed_planes)}), 1, changed_observations);
    if (!changed_observations.empty()) statements::touch_observations().execute({uuid_array_of(changed_observations)});

    checksums.finish();
    if (flush_obscore) statements::flush_obscore().execute({});
    // Rows quarantined because they failed to convert (under the apply worker) have now converted.
    if (replication::anything_quarantined()) {
        std::vector<std::string> relations, keys;
        for (const MirrorRow& row : mirror_rows(batch)) {
            relations.push_back(row.relation());
            keys.push_back(row.key_json());
        }
        replication::release(relations, keys, "convert");
    }
    return written;
}

}  // namespace
}  // namespace obsmeta::gen3_to_caom2
