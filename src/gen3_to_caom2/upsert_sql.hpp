// Builds the "write only what differs" statement used for every CAOM2 table the conversion fills.
#pragma once

#include <string>
#include <vector>

namespace obsmeta::gen3_to_caom2 {

// Returns a statement that takes rows from `source` (a SELECT producing `key`, every column of
// `columns` and `group`), updates the rows of `table` whose columns differ (moving last_modified),
// inserts the missing ones, and returns the distinct `group` values of the rows it changed.
// Rows that are already identical are not touched, so converting twice changes nothing.
std::string upsert_statement(const std::string& table, const std::string& key,
                             const std::vector<std::string>& columns, const std::string& source,
                             const std::string& group);

}  // namespace obsmeta::gen3_to_caom2
