// New datasets' files (their artifact, part and chunk rows) written without the SQL executor.
#pragma once

#include "pg/datum.hpp"

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

namespace obsmeta::pg {
class BulkInsert;
}

namespace obsmeta::gen3_to_caom2 {

// Reads the rows with one statement (statements::new_files), computes their checksums in C++ and
// inserts them with pg::BulkInsert, then does what the tables' INSERT triggers would have done
// (checksums recorded for the batch's end, ObsCore's obscore_maintain, rubin's rubin_apply_chunks),
// calling the same functions. The rows are those the INSERT statement writes.
// In two steps: read() after the datasets are mapped to planes, write() once the planes exist; in
// between, the new planes are inserted with positions from footprints() (the new chunks' footprints).
class NewFiles {
public:
    // Reads the source rows. Not ready(), having read nothing or only that, when the statement must
    // run instead: a row exists already, the caller is not a superuser (privileges and row-level
    // security apply to its INSERTs), or an INSERT would fire a trigger this path does not know.
    // Needs an open ChecksumBatch and the ObsCore deferral (convert_batch opens both), and the SPI
    // connection of the batch until write().
    NewFiles(Datum datasets, bool with_patches);
    ~NewFiles();
    NewFiles(const NewFiles&) = delete;
    NewFiles& operator=(const NewFiles&) = delete;

    bool ready() const { return ready_; }

    // The new chunks' (plane, footprint, detector, artifact), as the four array parameters $2-$5 of
    // statements::upsert_planes; NULLs when not ready().
    struct Footprints {
        Datum planes, footprints, detectors, artifacts;
        bool null;
    };
    Footprints footprints() const;

    // Writes the rows (ready() only); adds the planes of the new artifacts to `changed_planes` and
    // the rows written to `written`.
    void write(std::set<pg::Uuid>& changed_planes, int64_t& written);

private:
    struct Target;
    bool ready_ = false;
    SPITupleTable* rows_ = nullptr;  // the source rows (SPI keeps them until the connection ends)
    std::vector<std::unique_ptr<pg::BulkInsert>> tables_;
    std::vector<Target> targets_;
    bool obscore_ = false, rubin_ = false;
};

}  // namespace obsmeta::gen3_to_caom2
