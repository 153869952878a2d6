#include "caom2_sql/load_observation.hpp"

#include "caom2_sql/row_entity.hpp"
#include "pg/datum.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"

#include <cstring>
#include <map>

namespace obsmeta::caom2 {
namespace {

constexpr Oid kUuidArray = UUIDARRAYOID;

pg::Uuid pg_uuid(const Uuid& u) {
    pg::Uuid out;
    std::memcpy(out.data(), u.data(), 16);
    return out;
}

Datum uuid_param(const Uuid& u) { return pg::uuid_array({pg_uuid(u)}); }

Uuid uuid_at(uint64 row, int col) {
    bool isnull = false;
    Datum d = pg::result_value(row, col, &isnull);
    Uuid u{};
    if (!isnull) std::memcpy(u.data(), DatumGetUUIDP(d)->data, 16);
    return u;
}

Value uri_list(pg::KeptPlan& plan, const Uuid& id, bool read_only) {
    Value list;
    const uint64 n = plan.execute({uuid_param(id)}, read_only);
    if (n == 0) return list;
    list.kind = Kind::List;
    for (uint64 i = 0; i < n; ++i) list.items.push_back(Value::of_string(pg::result_text(i, 1), Kind::Uri));
    return list;
}

// Reads every row of `plan`'s result as an entity of `level`; column 1 of the query must be the
// parent id and the rest the table's row (`t.*`): returned grouped by parent in result order.
std::map<Uuid, std::vector<Entity>> read_children(pg::KeptPlan& plan, const Uuid& obs_id, Level level) {
    std::map<Uuid, std::vector<Entity>> out;
    const uint64 n = plan.execute({uuid_param(obs_id)}, true);
    SPITupleTable* tt = SPI_tuptable;
    for (uint64 i = 0; i < n; ++i) {
        const Uuid parent = uuid_at(i, 1);
        Entity e(table_info(level).type);
        read_row(e, tt->vals[i], tt->tupdesc, level);
        out[parent].push_back(std::move(e));
    }
    return out;
}

}  // namespace

Value load_members(const Uuid& obs_id, bool read_only) {
    static pg::KeptPlan plan(
        "SELECT member_uri FROM caom2.observation_member WHERE composite_id = ($1::uuid[])[1] ORDER BY member_uri COLLATE \"C\"",
        {kUuidArray});
    return uri_list(plan, obs_id, read_only);
}

Value load_inputs(const Uuid& plane_id, bool read_only) {
    static pg::KeptPlan plan(
        "SELECT input_uri FROM caom2.provenance_input WHERE plane_id = ($1::uuid[])[1] ORDER BY input_uri COLLATE \"C\"",
        {kUuidArray});
    return uri_list(plan, plane_id, read_only);
}

std::optional<Uuid> find_observation(const std::string& collection, const std::string& observation_id) {
    static pg::KeptPlan plan(
        "SELECT obs_id FROM caom2.observation WHERE collection = $1 AND observation_id = $2 "
        "AND obsmeta.observation_visible(obs_id)",
        {TEXTOID, TEXTOID});
    const Datum c = pg::call([&] { return PointerGetDatum(cstring_to_text(collection.c_str())); });
    const Datum o = pg::call([&] { return PointerGetDatum(cstring_to_text(observation_id.c_str())); });
    if (plan.execute({c, o}, true) == 0) return std::nullopt;
    return uuid_at(0, 1);
}

std::optional<Entity> load_observation(const Uuid& obs_id) {
    // Every read below is by key. Statistics that lag behind the archive (a table analyzed when it
    // was small) make a parent key look like it has most of the table's rows, and the planner then
    // scans whole tables: with sequential scans off (and the LATERAL fences below against hash and
    // merge joins) each read is an index probe per key whatever the statistics say, as the
    // conversion reads (gen3_to_caom2/flush.cpp).
    pg::SettingsScope by_key({{"enable_seqscan", "off"}, {"max_parallel_workers_per_gather", "0"}, {"jit", "off"}});
    static pg::KeptPlan obs_plan(
        "SELECT o.* FROM caom2.observation o WHERE o.obs_id = ($1::uuid[])[1] AND obsmeta.observation_visible(o.obs_id)",
        {kUuidArray});
    if (obs_plan.execute({uuid_param(obs_id)}, true) == 0) return std::nullopt;
    SPITupleTable* tt = SPI_tuptable;
    Entity obs(observation_type(tt->vals[0], tt->tupdesc));
    read_row(obs, tt->vals[0], tt->tupdesc, Level::Observation);
    if (std::strcmp(obs.state.type->name, "DerivedObservation") == 0) {
        Value members = load_members(obs_id);
        if (members.present()) obs.state.slot("members") = std::move(members);
    }

    static pg::KeptPlan planes_plan(
        "SELECT p.obs_id, p.* FROM caom2.plane p WHERE p.obs_id = ($1::uuid[])[1] ORDER BY p.product_id COLLATE \"C\"",
        {kUuidArray});
    // Each level is read by its parent's key through LATERAL ... OFFSET 0: a fence the planner
    // cannot flatten into a hash or merge join over the whole child table.
    static pg::KeptPlan artifacts_plan(
        "SELECT a.plane_id, a.* FROM caom2.plane p"
        " CROSS JOIN LATERAL (SELECT * FROM caom2.artifact a WHERE a.plane_id = p.plane_id OFFSET 0) a"
        " WHERE p.obs_id = ($1::uuid[])[1] ORDER BY a.uri COLLATE \"C\"",
        {kUuidArray});
    static pg::KeptPlan parts_plan(
        "SELECT t.artifact_id, t.* FROM caom2.plane p"
        " CROSS JOIN LATERAL (SELECT a.artifact_id FROM caom2.artifact a WHERE a.plane_id = p.plane_id OFFSET 0) a"
        " CROSS JOIN LATERAL (SELECT * FROM caom2.part t WHERE t.artifact_id = a.artifact_id OFFSET 0) t"
        " WHERE p.obs_id = ($1::uuid[])[1] ORDER BY t.name COLLATE \"C\"",
        {kUuidArray});
    static pg::KeptPlan chunks_plan(
        "SELECT c.part_id, c.* FROM caom2.plane p"
        " CROSS JOIN LATERAL (SELECT a.artifact_id FROM caom2.artifact a WHERE a.plane_id = p.plane_id OFFSET 0) a"
        " CROSS JOIN LATERAL (SELECT t.part_id FROM caom2.part t WHERE t.artifact_id = a.artifact_id OFFSET 0) t"
        " CROSS JOIN LATERAL (SELECT * FROM caom2.chunk c WHERE c.part_id = t.part_id OFFSET 0) c"
        " WHERE p.obs_id = ($1::uuid[])[1] ORDER BY c.chunk_id",
        {kUuidArray});

    auto planes = read_children(planes_plan, obs_id, Level::Plane);
    auto artifacts = read_children(artifacts_plan, obs_id, Level::Artifact);
    auto parts = read_children(parts_plan, obs_id, Level::Part);
    auto chunks = read_children(chunks_plan, obs_id, Level::Chunk);
    for (auto& [part_id, list] : parts)
        for (Entity& part : list)
            if (auto it = chunks.find(part.id); it != chunks.end()) part.children = std::move(it->second);
    for (auto& [artifact_id, list] : artifacts)
        for (Entity& artifact : list)
            if (auto it = parts.find(artifact.id); it != parts.end()) artifact.children = std::move(it->second);
    for (Entity& plane : planes[obs_id]) {
        Value inputs = load_inputs(plane.id);
        if (inputs.present()) plane.state.object("provenance").slot("inputs") = std::move(inputs);
        if (auto it = artifacts.find(plane.id); it != artifacts.end()) plane.children = std::move(it->second);
    }
    obs.children = std::move(planes[obs_id]);
    return obs;
}

}  // namespace obsmeta::caom2
