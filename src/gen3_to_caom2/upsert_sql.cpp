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
                             const std::string& group) {
    const std::string cols = joined(columns, "");
    return "WITH src AS MATERIALIZED (" + source + "),\n"
           "changed AS (UPDATE " + table + " t SET (" + cols + ", last_modified, max_last_modified) = ROW(" +
           joined(columns, "s.") + ", now(), now())\n"
           "  FROM src s WHERE t." + key + " = s." + key + " AND ROW(" + joined(columns, "t.") +
           ") IS DISTINCT FROM ROW(" + joined(columns, "s.") + ")\n"
           "  RETURNING t." + key + " AS k),\n"
           "added AS (INSERT INTO " + table + " (" + key + ", " + cols + ")\n"
           "  SELECT s." + key + ", " + joined(columns, "s.") + " FROM src s\n"
           "  WHERE NOT EXISTS (SELECT 1 FROM " + table + " t WHERE t." + key + " = s." + key + ")\n"
           "  ORDER BY s." + key + "\n"
           "  RETURNING " + key + " AS k)\n"
           "SELECT DISTINCT s." + group + " FROM src s JOIN (SELECT k FROM changed UNION ALL SELECT k FROM added) x"
           " ON x.k = s." + key;
}

}  // namespace obsmeta::gen3_to_caom2
