// Builds the "write only what differs" statement used for every CAOM2 table the conversion fills.
#pragma once

#include <string>
#include <vector>

namespace obsmeta::gen3_to_caom2 {

enum class Returned { Changed, UpdatedOnly };

// Returns a statement that inserts the rows of `from_item` (a CTE's name, producing `key` and
// every column of `columns`, one row per key) into `table`, or, where the key exists, updates the row only if a
// column differs (moving last_modified and max_last_modified), and returns `returning` (a column
// of `table`) of every row it inserted or changed. Identical rows are not touched, so converting
// twice changes nothing. Rows are written in key order: with the conversion's per-observation
// locks, concurrent conversions cannot deadlock on them.
std::string upsert_from(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
                        const std::string& from_item, const std::string& returning,
                        Returned returned = Returned::Changed);

// Inserts the rows of `from_item` whose key is not in `table` yet and returns `returning` of each
// row inserted. Unlike the upsert, it never updates, so the table's UPDATE statement triggers do
// not fire (with ON CONFLICT DO UPDATE they fire once per statement even when nothing changed).
std::string insert_new_from(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
                            const std::string& from_item, const std::string& returning);

// The same with `source` a SELECT statement.
std::string upsert_statement(const std::string& table, const std::string& key,
                             const std::vector<std::string>& columns, const std::string& source,
                             const std::string& returning, Returned returned = Returned::Changed);

// The insert-only step of an upsert with `source` a SELECT statement: returns `returning` of each
// row inserted, then one NULL if any source row already existed (the caller then runs the upsert).
std::string insert_new_statement(const std::string& table, const std::string& key,
                                 const std::vector<std::string>& columns, const std::string& source,
                                 const std::string& returning);

}  // namespace obsmeta::gen3_to_caom2
