// obsmeta.conversion: when the mirror → CAOM2 conversion runs.
//   'commit'    (default) once per transaction, just before commit: batches everything the
//               transaction wrote and takes its locks in one global order (no deadlocks between
//               concurrent writers of one visit). Call obsmeta.convert() to run it earlier.
//   'statement' at the end of every statement that wrote gen3 rows: CAOM2 is complete in the
//               writer's own transaction right away.
// obsmeta.conversion_bulk_write (superuser, default on): new datasets' artifacts, parts and chunks
// are written without the SQL executor (new_files.hpp); off, by the INSERT statement.
#pragma once

namespace obsmeta::gen3_to_caom2 {

bool convert_at_statement_end();
bool bulk_write_enabled();
void define_settings();

}  // namespace obsmeta::gen3_to_caom2
