// The conversion's statements, one per step, prepared once per backend. Array parameters carry the
// dirty keys; see flush.cpp for the order in which they run.
#pragma once

#include "pg/datum.hpp"
#include "pg/spi.hpp"

#include <set>
#include <string>
#include <vector>

namespace obsmeta::gen3_to_caom2::statements {

// An upsert run in two steps: the insert of the rows not there yet (ON CONFLICT DO NOTHING), and,
// only if a row was there already, the upsert proper. A batch of new rows then fires only the
// table's INSERT statement triggers: an INSERT ... ON CONFLICT DO UPDATE fires its UPDATE
// statement triggers too, even when it updates nothing.
struct Upsert {
    Upsert(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
           const std::string& source, const std::string& returning, std::initializer_list<Oid> argtypes);
    // The same, but the insert of new rows writes `insert_columns` (the columns and more) from `insert_source`.
    Upsert(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
           const std::string& source, const std::vector<std::string>& insert_columns, const std::string& insert_source,
           const std::string& returning, const std::vector<Oid>& argtypes);
    // Adds the returned column (a uuid) of every row written to `returned`; returns how many rows.
    uint64 execute(const std::vector<Datum>& args, std::set<pg::Uuid>& returned, const std::string& nulls = {});
    pg::KeptPlan insert_new, upsert;
};

// Expanding dirty keys to everything that depends on them.
pg::KeptPlan& filter_users();           // ($1 instr, $2 filter) → (kind 'e'|'v', instrument, id)
pg::KeptPlan& visits_of_exposures();    // ($1, $2 exposures) → (instrument, visit)
pg::KeptPlan& datasets_of_keys();       // (regions $1-$3, exposures $4-$5, visits $6-$7) → dataset id
pg::KeptPlan& datasets_of_patches();    // ($1 skymap, $2 tract, $3 patch) → dataset id
pg::KeptPlan& observation_lock_keys();  // (exposures, visits, datasets) → sorted (int4 lock key, whether
                                        // from a dataset of a published coadd type)

// Writing CAOM2; each returns the ids of the parents whose children changed.
Upsert& upsert_exposure_observations();  // ($1, $2) → obs_id
Upsert& upsert_visit_observations();     // ($1, $2) → obs_id
Upsert& upsert_coadd_observations();     // ($1 datasets) → obs_id
pg::KeptPlan& delete_observations();           // ($1..$4 exposures, visits) → obs_id (tombstoned)
pg::KeptPlan& clear_tombstones();              // ($1 observations written) → none
pg::KeptPlan& sync_members();                  // ($1, $2 visits) → obs_id
pg::KeptPlan& map_datasets_to_planes();        // ($1 datasets) → plane_id (old and new)
pg::KeptPlan& map_new_datasets_to_planes();    // ($1 datasets, insert-only batch) → plane_id
pg::KeptPlan& planes_of_observations();        // ($1..$4 exposures, visits) → plane_id
Upsert& upsert_planes(bool with_filter_ranges);  // ($1 planes; $2-$5 new files' plane, footprint, detector,
                                                 // artifact: new planes' positions, or NULLs) → obs_id
pg::KeptPlan& existing_planes();               // ($1 planes) → those that exist
pg::KeptPlan& delete_planes();                 // ($1 planes) → obs_id
pg::KeptPlan& delete_empty_coadds();           // ($1 observations that lost planes) → tombstoned id
pg::KeptPlan& upsert_files(bool with_patches);  // ($1 datasets) → (kind, parent id) of changed artifacts/parts/chunks
pg::KeptPlan& insert_new_files(bool with_patches);  // ($1 datasets) → (kind, plane_id or NULL) of new rows; a
                                                    // ('conflict', NULL) row if a chunk, part or artifact existed
pg::KeptPlan& new_files(bool with_patches);  // ($1 datasets) → the source rows of their files, and `existed`
pg::KeptPlan& record_obscore_artifacts();     // ($1 artifacts, $2 their planes): ObsCore's INSERT trigger work
pg::KeptPlan& rubin_new_chunks();             // ($1 planes, $2 detectors of new chunks): rubin's chunk trigger work
pg::KeptPlan& delete_artifacts();              // ($1 datasets) → plane_id
pg::KeptPlan& update_plane_positions();        // ($1 planes) → obs_id
pg::KeptPlan& touch_parts();                   // ($1 parts) → artifact_id
pg::KeptPlan& touch_artifacts();               // ($1 artifacts) → plane_id
pg::KeptPlan& touch_planes();                  // ($1 planes) → obs_id
pg::KeptPlan& touch_observations();            // ($1 observations) → none

// ObsCore maintenance for the whole batch at its end (schema/70_obscore/72_obscore_maintenance.sql).
pg::KeptPlan& defer_obscore();
pg::KeptPlan& flush_obscore();

// Every statement above, each variant and both halves of an Upsert, by name: what
// obsmeta.check_conversion_statements() prepares (check_statements.cpp).
struct Named {
    std::string name;
    pg::KeptPlan* plan;
};
std::vector<Named> all();

}  // namespace obsmeta::gen3_to_caom2::statements
