#include "registry_sql/unfollowed_datasets.hpp"

#include "gen3_to_caom2/config_cache.hpp"
#include "pg/spi.hpp"

#include <map>
#include <memory>
#include <optional>
#include <utility>

namespace obsmeta::registry_sql {

namespace {

// (schema, dataset type id) → its name, or nothing when the registry has no such row
std::map<std::pair<std::string, int64_t>, std::optional<std::string>> type_names;
std::set<pg::Uuid> dropped;

std::optional<std::string> look_up_name(const std::string& schema, int64_t id) {
    static std::map<std::string, std::unique_ptr<pg::KeptPlan>> plans;  // per schema
    auto& plan = plans[schema];
    if (!plan) {
        const char* name = schema.c_str();
        std::string quoted = pg::call([=] { return quote_identifier(name); });
        plan = std::make_unique<pg::KeptPlan>("SELECT name::text FROM " + quoted + ".dataset_type WHERE id = $1",
                                              std::vector<Oid>{INT8OID});
    }
    pg::SpiConnection spi;
    if (plan->execute({Int64GetDatum(id)}, true) == 0) return std::nullopt;
    return pg::result_text(0, 1);
}

}  // namespace

bool dataset_type_followed(const std::string& schema, int64_t dataset_type_id) {
    auto key = std::make_pair(schema, dataset_type_id);
    auto found = type_names.find(key);
    if (found == type_names.end()) found = type_names.emplace(key, look_up_name(schema, dataset_type_id)).first;
    if (!found->second) return true;
    return gen3_to_caom2::configuration().dataset_types.count(*found->second) > 0;
}

void dataset_dropped(const pg::Uuid& id) { dropped.insert(id); }
bool was_dropped(const pg::Uuid& id) { return !dropped.empty() && dropped.count(id) > 0; }
void dataset_recorded(const pg::Uuid& id) {
    if (!dropped.empty()) dropped.erase(id);
}

void dataset_types_changed(const std::string& schema) {
    for (auto it = type_names.begin(); it != type_names.end();)
        it = it->first.first == schema ? type_names.erase(it) : std::next(it);
}

void forget_unfollowed_datasets() {
    type_names.clear();
    dropped.clear();
}

}  // namespace obsmeta::registry_sql
