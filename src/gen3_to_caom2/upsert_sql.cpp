#include "gen3_to_caom2/upsert_sql.hpp"

namespace obsmeta::gen3_to_caom2 {

namespace {
std::string joined(const std::vector<std::string>& columns, const std::string& prefix) {
    std::string out;
    for (const auto& c : columns) {
        if (!out.empty()) out += ", ";
        out += prefix + c;
    }
    return out;
}
}  // namespace

std::string upsert_statement(const std::string& table, const std::string& key,
                             const std::vector<std::string>& columns, const std::string& source,
                             const std::string& returning) {
    return "INSERT INTO " + table + " AS t (" + key + ", " + joined(columns, "") + ")\n" +
           "SELECT s." + key + ", " + joined(columns, "s.") + " FROM (" + source + ") s ORDER BY s." + key + "\n" +
           "ON CONFLICT (" + key + ") DO UPDATE SET (" + joined(columns, "") +
           ", last_modified, max_last_modified) = ROW(" + joined(columns, "EXCLUDED.") + ", now(), now())\n" +
           "WHERE ROW(" + joined(columns, "t.") + ") IS DISTINCT FROM ROW(" + joined(columns, "EXCLUDED.") + ")\n" +
           "RETURNING t." + returning;
}

}  // namespace obsmeta::gen3_to_caom2
