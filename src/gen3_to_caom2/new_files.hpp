// New datasets' files (their artifact, part and chunk rows) written without the SQL executor.
#pragma once

#include "pg/datum.hpp"

#include <cstdint>
#include <set>

namespace obsmeta::gen3_to_caom2 {

// Reads the rows with one statement (statements::new_files), computes their checksums in C++ and
// inserts them with pg::BulkInsert, then does what the tables' INSERT triggers would have done
// (checksums recorded for the batch's end, ObsCore's obscore_maintain, rubin's rubin_apply_chunks),
// calling the same functions. The rows are those the INSERT statement writes.
// Returns false, having written nothing, when the statement must run instead: a row exists already,
// the caller is not a superuser (privileges and row-level security apply to its INSERTs), or an
// INSERT would fire a trigger this path does not know. Otherwise adds the planes of the new
// artifacts to `changed_planes` and the rows written to `written`. Needs an open ChecksumBatch and
// the ObsCore deferral (convert_batch opens both).
bool insert_new_files(Datum datasets, bool with_patches, std::set<pg::Uuid>& changed_planes, int64_t& written);

}  // namespace obsmeta::gen3_to_caom2
