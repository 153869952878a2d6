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

std::string upsert_from(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
                        const std::string& from_item, const std::string& returning, Returned returned) {
    return "INSERT INTO " + table + " AS t (" + key + ", " + joined(columns, "") + ")\n" +
           "SELECT s." + key + ", " + joined(columns, "s.") + " FROM " + from_item + " s ORDER BY s." + key + "\n" +
           "ON CONFLICT (" + key + ") DO UPDATE SET (" + joined(columns, "") +
           ", last_modified, max_last_modified) = ROW(" + joined(columns, "EXCLUDED.") + ", now(), now())\n" +
           "WHERE ROW(" + joined(columns, "t.") + ") IS DISTINCT FROM ROW(" + joined(columns, "EXCLUDED.") + ")\n" +
           // xmax = 0 only on a freshly inserted row version (an ON CONFLICT update locks the row first)
           (returned == Returned::Changed ? "RETURNING t." + returning
                                          : "RETURNING CASE WHEN t.xmax <> '0'::xid THEN t." + returning + " END AS " + returning);
}

std::string insert_new_from(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
                            const std::string& from_item, const std::string& returning) {
    return "INSERT INTO " + table + " AS t (" + key + ", " + joined(columns, "") + ")\n" +
           "SELECT s." + key + ", " + joined(columns, "s.") + " FROM " + from_item + " s ORDER BY s." + key + "\n" +
           "ON CONFLICT (" + key + ") DO NOTHING RETURNING t." + returning;
}

std::string insert_new_statement(const std::string& table, const std::string& key,
                                 const std::vector<std::string>& columns, const std::string& source,
                                 const std::string& returning) {
    return "WITH s AS MATERIALIZED (" + source + "),\nins AS (" + insert_new_from(table, key, columns, "s", returning) +
           ")\nSELECT " + returning + " FROM ins\nUNION ALL SELECT NULL WHERE (SELECT count(*) FROM ins) < (SELECT count(*) FROM s)";
}

std::string upsert_statement(const std::string& table, const std::string& key,
                             const std::vector<std::string>& columns, const std::string& source,
                             const std::string& returning, Returned returned) {
    return upsert_from(table, key, columns, "(" + source + ")", returning, returned);
}

}  // namespace obsmeta::gen3_to_caom2
