// Checksum maintenance on caom2.observation / plane / artifact / part / chunk.
//
//  * caom2.checksum_row(): BEFORE INSERT OR UPDATE FOR EACH ROW. Sets meta_checksum from the row
//    (plus, for observations, the members and, for planes, the provenance inputs); for a chunk, which
//    has no children, also acc_meta_checksum. A non-chunk row keeps its previous acc_meta_checksum
//    (it is derived: the statement trigger recomputes it).
//  * caom2.checksum_propagate(): AFTER INSERT OR UPDATE OR DELETE FOR EACH STATEMENT, with transition
//    tables. Recomputes, set-based and bottom-up, acc_meta_checksum of the written rows whose
//    metaChecksum changed and of every ancestor whose children changed, writing only rows whose
//    value differs. On observation_member / provenance_input it first recomputes the metaChecksum
//    of the observations / planes concerned.
// The UPDATEs the propagation makes fire these triggers again; while it runs they return at once,
// so the chain costs one UPDATE per level and converges. Inside a ChecksumBatch (checksum_batch.hpp)
// the statement trigger only records the ids, and the batch recomputes them once at its end.
#include "caom2/checksum.hpp"
#include "caom2_sql/checksum_batch.hpp"
#include "caom2_sql/load_observation.hpp"
#include "caom2_sql/row_entity.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <set>

using namespace obsmeta;
using namespace obsmeta::caom2;

namespace {

bool g_propagating = false;

// Ids whose acc_meta_checksum the last chain recomputed, valid while nothing has been written since:
// same transaction and same command id after CommandCounterIncrement(), which advances the command
// id only when the current one was used by a write. The AFTER triggers of one statement that wrote
// several caom2 tables (the conversion writes artifacts, parts and chunks in one statement) then
// share one bottom-up pass instead of repeating it per table.
struct Recomputed {
    TransactionId xid = InvalidTransactionId;
    CommandId cid = InvalidCommandId;
    std::set<pg::Uuid> done[5];
};
Recomputed g_recomputed;

void begin_chain() {
    pg::call([] { CommandCounterIncrement(); });
    const TransactionId xid = GetTopTransactionIdIfAny();
    const CommandId cid = GetCurrentCommandId(false);
    if (xid != g_recomputed.xid || cid != g_recomputed.cid || xid == InvalidTransactionId) {
        for (auto& d : g_recomputed.done) d.clear();
        g_recomputed.xid = xid;
    }
}
void end_chain() {
    pg::call([] { CommandCounterIncrement(); });
    g_recomputed.xid = GetTopTransactionIdIfAny();
    g_recomputed.cid = GetCurrentCommandId(false);
}

struct Propagating {
    Propagating() { g_propagating = true; }
    ~Propagating() { g_propagating = false; }
    Propagating(const Propagating&) = delete;
    Propagating& operator=(const Propagating&) = delete;
};

// What an open ChecksumBatch has recorded: per level, the rows whose accMetaChecksum must be
// recomputed, and (observations, planes) the owners whose metaChecksum must be recomputed first.
// `written`: the accMetaChecksum of every chunk, part and artifact row the batch inserted, by parent
// (index: the parent's level). A part or artifact inserted after its children (the conversion
// writes chunks, then parts, then artifacts) takes its accMetaChecksum from them at once, so the
// recomputation at the end finds it right and writes nothing; if it missed a child, it rewrites it.
// `settled`: parts and artifacts whose accMetaChecksum their own insert computed from children
// written before it; `inserted`: the rows the INSERT transition tables show were really inserted
// (not turned into an ON CONFLICT update); `unsettled`: rows written again afterwards, or whose
// children were (a child inserted after its parent, updated, moved or deleted). A row settled and
// inserted and not unsettled has the right accMetaChecksum already: finish() skips it, sparing an
// UPDATE that would find every such row unchanged (the conversion inserts chunks, parts,
// artifacts bottom-up in one statement, so for new files that is every part and artifact).
struct Pending {
    int depth = 0;
    std::set<pg::Uuid> acc[5];
    std::set<pg::Uuid> meta[5];
    std::map<Uuid, std::map<Uuid, Digest>> written[5];
    std::set<Uuid> settled[5], inserted[5], unsettled[5];
    void clear() {
        for (auto& s : acc) s.clear();
        for (auto& s : meta) s.clear();
        for (auto& s : written) s.clear();
        for (auto& s : settled) s.clear();
        for (auto& s : inserted) s.clear();
        for (auto& s : unsettled) s.clear();
    }
    bool is_settled(int level, const Uuid& id) const {
        return settled[level].count(id) != 0 && inserted[level].count(id) != 0 && unsettled[level].count(id) == 0;
    }
};
Pending g_pending;

// accMetaChecksum of a row inserted in a batch, from the children the batch wrote before it.
Digest acc_from_written(Level level, const Uuid& id, const Digest& meta) {
    std::vector<std::pair<Uuid, Digest>> children;
    if (level != Level::Chunk) {
        const auto it = g_pending.written[static_cast<int>(level)].find(id);
        if (it != g_pending.written[static_cast<int>(level)].end())
            children.assign(it->second.begin(), it->second.end());
    }
    return acc_checksum(meta, children);
}

TriggerData* trigger_data(FunctionCallInfo fcinfo, bool row_level) {
    if (!CALLED_AS_TRIGGER(fcinfo)) throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta: not called as a trigger");
    auto* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    if ((TRIGGER_FIRED_FOR_ROW(td->tg_event) != 0) != row_level)
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta: checksum trigger fired at the wrong level");
    return td;
}

Datum text_of(const std::string& s) {
    return pg::call([&s] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

pg::Uuid to_pg(const Uuid& u) {
    pg::Uuid out;
    std::memcpy(out.data(), u.data(), 16);
    return out;
}

// metaChecksum of one stored row (for observations and planes the member / input rows are read).
Entity entity_of_row(HeapTuple tuple, TupleDesc desc, Level level) {
    Entity e(level == Level::Observation ? observation_type(tuple, desc) : table_info(level).type);
    read_row(e, tuple, desc, level);
    if (level == Level::Observation && std::strcmp(e.state.type->name, "DerivedObservation") == 0) {
        pg::SpiConnection spi;
        Value members = load_members(e.id, false);
        if (members.present()) e.state.slot("members") = std::move(members);
    } else if (level == Level::Plane) {
        pg::SpiConnection spi;
        Value inputs = load_inputs(e.id, false);
        if (inputs.present()) e.state.object("provenance").slot("inputs") = std::move(inputs);
    }
    return e;
}

std::vector<pg::Uuid> uuids_of_result(uint64 n) {
    std::vector<pg::Uuid> out;
    out.reserve(n);
    for (uint64 i = 0; i < n; ++i) {
        bool isnull = false;
        Datum d = pg::result_value(i, 1, &isnull);
        if (!isnull) out.push_back(pg::uuid_value(d));
    }
    return out;
}

void add_all(std::set<pg::Uuid>& to, const std::vector<pg::Uuid>& from) { to.insert(from.begin(), from.end()); }

// Recomputes acc_meta_checksum of `ids` at `level`; returns the parents of the rows that changed.
// `children_changed`: the ids come from changed children, so an earlier result in this chain is
// stale and they are recomputed anyway; otherwise ids recomputed earlier in the chain are skipped.
std::vector<pg::Uuid> recompute_acc(Level level, const std::set<pg::Uuid>& ids, bool children_changed) {
    static pg::KeptPlan* plans[5] = {};
    const int li = static_cast<int>(level);
    if (plans[li] == nullptr) {
        const TableInfo& t = table_info(level);
        std::string sql;
        if (level == Level::Chunk) {
            sql = "UPDATE caom2.chunk t SET acc_meta_checksum = caom2.acc_checksum(t.meta_checksum, '{}') "
                  "WHERE t.chunk_id = ANY ($1) AND t.acc_meta_checksum IS DISTINCT FROM caom2.acc_checksum(t.meta_checksum, '{}') "
                  "RETURNING t.part_id";
        } else {
            const TableInfo& c = table_info(static_cast<Level>(li - 1));
            // (the children through their parent's index, then sorted: ordered by the child key
            // alone, the planner may walk the child's whole primary key filtering by parent)
            sql = std::string("WITH x AS (SELECT t.") + t.id + " AS id, caom2.acc_checksum(t.meta_checksum, ARRAY(SELECT c.acc" +
                  " FROM (SELECT c." + c.id + " AS id, c.acc_meta_checksum AS acc FROM caom2." + c.table + " c WHERE c." +
                  c.parent + " = t." + t.id + " OFFSET 0) c ORDER BY c.id)) AS acc FROM caom2." + t.table + " t WHERE t." +
                  t.id + " = ANY ($1)) " + "UPDATE caom2." +
                  t.table + " t SET acc_meta_checksum = x.acc FROM x WHERE t." + t.id + " = x.id AND t." + t.id +
                  " = ANY ($1) AND t.acc_meta_checksum IS DISTINCT FROM x.acc RETURNING t." + (t.parent ? t.parent : t.id);
            // (the second key condition: without it the join hashes x and scans the whole target table)
        }
        plans[li] = new pg::KeptPlan(sql, {UUIDARRAYOID});
    }
    std::vector<pg::Uuid> v;
    for (const pg::Uuid& id : ids)
        if (g_recomputed.done[li].insert(id).second || children_changed) v.push_back(id);
    if (v.empty()) return {};
    const uint64 n = plans[li]->execute({pg::uuid_array(v)});
    if (level == Level::Observation) return {};
    return uuids_of_result(n);
}

// Recomputes meta_checksum of observations or planes (after their members / inputs changed);
// returns the ids whose value changed.
std::vector<pg::Uuid> recompute_meta(Level level, const std::set<pg::Uuid>& ids) {
    static pg::KeptPlan read_obs("SELECT o.* FROM caom2.observation o WHERE o.obs_id = ANY ($1)", {UUIDARRAYOID});
    static pg::KeptPlan read_plane("SELECT p.* FROM caom2.plane p WHERE p.plane_id = ANY ($1)", {UUIDARRAYOID});
    pg::KeptPlan& read = level == Level::Observation ? read_obs : read_plane;
    const std::vector<pg::Uuid> v(ids.begin(), ids.end());
    const uint64 n = read.execute({pg::uuid_array(v)}, false);
    SPITupleTable* tt = SPI_tuptable;
    std::vector<pg::Uuid> keys;
    std::vector<std::string> metas;
    for (uint64 i = 0; i < n; ++i) {
        Entity e = entity_of_row(tt->vals[i], tt->tupdesc, level);
        keys.push_back(to_pg(e.id));
        metas.push_back(md5_uri(meta_checksum(e)));
    }
    if (keys.empty()) return {};
    static pg::KeptPlan write_obs(
        "UPDATE caom2.observation t SET meta_checksum = k.m FROM unnest($1::uuid[], $2::text[]) AS k(id, m) "
        "WHERE t.obs_id = k.id AND t.meta_checksum IS DISTINCT FROM k.m RETURNING t.obs_id",
        {UUIDARRAYOID, TEXTARRAYOID});
    static pg::KeptPlan write_plane(
        "UPDATE caom2.plane t SET meta_checksum = k.m FROM unnest($1::uuid[], $2::text[]) AS k(id, m) "
        "WHERE t.plane_id = k.id AND t.meta_checksum IS DISTINCT FROM k.m RETURNING t.plane_id",
        {UUIDARRAYOID, TEXTARRAYOID});
    pg::KeptPlan& write = level == Level::Observation ? write_obs : write_plane;
    const uint64 m = write.execute({pg::uuid_array(keys), pg::text_array(metas)});
    return uuids_of_result(m);
}

// Ids from the transition tables: `sql` is run with old_rows / new_rows registered.
std::vector<pg::Uuid> select_ids(const std::string& sql) {
    const char* q = sql.c_str();
    const int rc = pg::call([q] { return SPI_execute(q, true, 0); });
    if (rc != SPI_OK_SELECT) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: checksum trigger query failed", sql);
    return uuids_of_result(SPI_processed);
}

Uuid uuid_of(const pg::Uuid& p) {
    Uuid u;
    std::memcpy(u.data(), p.data(), 16);
    return u;
}

// Inside a batch, what a row write means for the rows settled at their insert (see Pending): an
// update unsettles the row itself and its old and new parent; an insert unsettles its parent if
// that was inserted before it (its accMetaChecksum could not include this child).
// `old_tuple`: the row before an update, nullptr for an insert.
void note_batch_write(HeapTuple old_tuple, HeapTuple tuple, TupleDesc desc, const TableInfo& t, const Uuid& id) {
    const bool update = old_tuple != nullptr;
    const int li = static_cast<int>(t.level);
    if (update) g_pending.unsettled[li].insert(id);
    if (t.parent == nullptr || li + 1 > static_cast<int>(Level::Observation)) return;
    const int parent_att = SPI_fnumber(desc, t.parent);
    auto parent_of = [&](HeapTuple row, std::function<void(const Uuid&)> f) {
        bool isnull = false;
        const Datum parent = heap_getattr(row, parent_att, desc, &isnull);
        if (!isnull) f(uuid_of(pg::uuid_value(parent)));
    };
    if (update) {
        auto unsettle = [li](const Uuid& p) { g_pending.unsettled[li + 1].insert(p); };
        parent_of(old_tuple, unsettle);
        parent_of(tuple, unsettle);
    } else {
        parent_of(tuple, [li](const Uuid& p) {
            if (g_pending.settled[li + 1].count(p) != 0) g_pending.unsettled[li + 1].insert(p);
        });
    }
}

// What caom2.checksum_row does to a row being inserted (old_tuple nullptr) or updated: the row
// with its meta_checksum (and acc_meta_checksum where the row's insert or level decides it).
HeapTuple row_with_checksums(HeapTuple old_tuple, HeapTuple tuple, TupleDesc desc, const TableInfo& t) {
    const bool update = old_tuple != nullptr;
    const Entity e = entity_of_row(tuple, desc, t.level);
    const Digest meta = meta_checksum(e);
    int cols[2];
    Datum values[2];
    bool nulls[2] = {false, false};
    int ncols = 0;
    const int meta_att = SPI_fnumber(desc, "meta_checksum");
    const int acc_att = SPI_fnumber(desc, "acc_meta_checksum");
    cols[ncols] = meta_att;
    values[ncols++] = text_of(md5_uri(meta));
    const bool batch_insert = g_pending.depth > 0 && !update && t.level <= Level::Artifact;
    if (g_pending.depth > 0) note_batch_write(old_tuple, tuple, desc, t, e.id);
    if (batch_insert) {
        const Digest acc = acc_from_written(t.level, e.id, meta);
        cols[ncols] = acc_att;
        values[ncols++] = text_of(md5_uri(acc));
        if (t.level != Level::Chunk) g_pending.settled[static_cast<int>(t.level)].insert(e.id);
        bool isnull = false;
        const Datum parent = heap_getattr(tuple, SPI_fnumber(desc, t.parent), desc, &isnull);
        if (!isnull) {
            const pg::Uuid p = pg::uuid_value(parent);
            Uuid key;
            std::memcpy(key.data(), p.data(), 16);
            g_pending.written[static_cast<int>(t.level) + 1][key][e.id] = acc;
        }
    } else if (t.level == Level::Chunk) {
        std::vector<std::pair<Uuid, Digest>> none;
        cols[ncols] = acc_att;
        values[ncols++] = text_of(md5_uri(acc_checksum(meta, none)));
    } else if (update) {
        bool isnull = false;
        Datum old_acc = heap_getattr(old_tuple, acc_att, desc, &isnull);
        cols[ncols] = acc_att;
        values[ncols] = old_acc;
        nulls[ncols++] = isnull;
    }
    return pg::call([&] { return heap_modify_tuple_by_cols(tuple, desc, ncols, cols, values, nulls); });
}

// What checksum_propagate records, inside a batch, for the rows an INSERT wrote: `self` (not for
// chunks) and the parents of the rows.
void record_batch_insert(Level level, const std::set<pg::Uuid>& self, const std::set<pg::Uuid>& parents) {
    const int li = static_cast<int>(level);
    for (const pg::Uuid& id : self) g_pending.inserted[li].insert(uuid_of(id));
    g_pending.acc[li].insert(self.begin(), self.end());
    if (li + 1 <= static_cast<int>(Level::Observation)) g_pending.acc[li + 1].insert(parents.begin(), parents.end());
}

}  // namespace

OBSMETA_FUNCTION(obsmeta_caom2_checksum_row) {
    {
        TriggerData* td = trigger_data(fcinfo, true);
        const bool update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
        HeapTuple tuple = update ? td->tg_newtuple : td->tg_trigtuple;
        if (g_propagating) return PointerGetDatum(tuple);
        const TableInfo* t = table_info_by_name(RelationGetRelationName(td->tg_relation));
        if (t == nullptr) throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta: checksum_row on an unknown table");
        return PointerGetDatum(
            row_with_checksums(update ? td->tg_trigtuple : nullptr, tuple, RelationGetDescr(td->tg_relation), *t));
    }
}

OBSMETA_FUNCTION(obsmeta_caom2_checksum_propagate) {
    {
        TriggerData* td = trigger_data(fcinfo, false);
        if (g_propagating) return PointerGetDatum(nullptr);
        const std::string table = RelationGetRelationName(td->tg_relation);
        const bool ins = TRIGGER_FIRED_BY_INSERT(td->tg_event), del = TRIGGER_FIRED_BY_DELETE(td->tg_event),
                   upd = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
        pg::SpiConnection spi;
        pg::call([td] { SPI_register_trigger_data(td); });
        const bool has_new = td->tg_newtable != nullptr, has_old = td->tg_oldtable != nullptr;

        std::set<pg::Uuid> self, parents;
        Level level;
        if (table == "observation_member" || table == "provenance_input") {
            // A member / input changed: the owner's metaChecksum, then its acc, then up.
            level = table == "observation_member" ? Level::Observation : Level::Plane;
            const char* key = table == "observation_member" ? "composite_id" : "plane_id";
            std::set<pg::Uuid> owners;
            if (has_new) add_all(owners, select_ids(std::string("SELECT DISTINCT ") + key + " FROM new_rows"));
            if (has_old) add_all(owners, select_ids(std::string("SELECT DISTINCT ") + key + " FROM old_rows"));
            if (owners.empty()) return PointerGetDatum(nullptr);
            if (g_pending.depth > 0) {
                g_pending.meta[static_cast<int>(level)].insert(owners.begin(), owners.end());
                return PointerGetDatum(nullptr);
            }
            Propagating guard;
            begin_chain();
            for (auto& d : g_recomputed.done) d.clear();
            add_all(self, recompute_meta(level, owners));
            if (self.empty()) return PointerGetDatum(nullptr);
            if (level == Level::Plane) add_all(parents, recompute_acc(level, self, true));
            else recompute_acc(level, self, true);
            self.clear();
        } else {
            const TableInfo* t = table_info_by_name(table.c_str());
            if (t == nullptr) throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta: checksum_propagate on " + table);
            level = t->level;
            const std::string id = t->id;
            const std::string parent = t->parent ? t->parent : "";
            if (ins && has_new) {
                if (level != Level::Chunk) add_all(self, select_ids("SELECT " + id + " FROM new_rows"));
                if (!parent.empty()) add_all(parents, select_ids("SELECT DISTINCT " + parent + " FROM new_rows"));
            } else if (del && has_old) {
                if (!parent.empty()) add_all(parents, select_ids("SELECT DISTINCT " + parent + " FROM old_rows"));
            } else if (upd && has_new && has_old) {
                if (level != Level::Chunk)
                    add_all(self, select_ids("SELECT n." + id + " FROM new_rows n JOIN old_rows o USING (" + id +
                                             ") WHERE n.meta_checksum IS DISTINCT FROM o.meta_checksum"));
                if (!parent.empty()) {
                    add_all(parents, select_ids("SELECT DISTINCT n." + parent + " FROM new_rows n JOIN old_rows o USING (" + id +
                                                ") WHERE n.acc_meta_checksum IS DISTINCT FROM o.acc_meta_checksum OR n." +
                                                parent + " IS DISTINCT FROM o." + parent));
                    add_all(parents, select_ids("SELECT DISTINCT o." + parent + " FROM new_rows n JOIN old_rows o USING (" + id +
                                                ") WHERE n." + parent + " IS DISTINCT FROM o." + parent));
                }
            }
            if (self.empty() && parents.empty()) return PointerGetDatum(nullptr);
            if (g_pending.depth > 0) {
                const int li = static_cast<int>(level);
                if (ins) {
                    record_batch_insert(level, self, parents);
                    return PointerGetDatum(nullptr);
                }
                if (del && li + 1 <= static_cast<int>(Level::Observation))
                    for (const pg::Uuid& p : parents) g_pending.unsettled[li + 1].insert(uuid_of(p));
                if (del && level != Level::Chunk && !g_pending.settled[li].empty())  // deleted, maybe inserted again
                    for (const pg::Uuid& gone : select_ids("SELECT " + id + " FROM old_rows"))
                        g_pending.unsettled[li].insert(uuid_of(gone));
                g_pending.acc[li].insert(self.begin(), self.end());
                if (li + 1 <= static_cast<int>(Level::Observation)) g_pending.acc[li + 1].insert(parents.begin(), parents.end());
                return PointerGetDatum(nullptr);
            }
        }
        Propagating guard;
        begin_chain();
        if (!self.empty()) {
            const auto up = recompute_acc(level, self, false);
            parents.insert(up.begin(), up.end());
        }
        for (int l = static_cast<int>(level) + 1; l <= static_cast<int>(Level::Observation) && !parents.empty(); ++l) {
            const auto up = recompute_acc(static_cast<Level>(l), parents, true);
            parents = std::set<pg::Uuid>(up.begin(), up.end());
        }
        end_chain();
        return PointerGetDatum(nullptr);
    }
}

namespace obsmeta::caom2 {

ChecksumBatch::ChecksumBatch() { ++g_pending.depth; }

// The outermost batch forgets everything at its end: after finish() what is left is the children's
// checksums it wrote (which must not outlive the batch), after an error also what it recorded.
ChecksumBatch::~ChecksumBatch() {
    if (--g_pending.depth == 0) g_pending.clear();
}

void ChecksumBatch::finish() {
    if (g_pending.depth > 1) return;  // the outermost batch recomputes
    Pending work;
    for (int l = 0; l < 5; ++l) {
        work.acc[l].swap(g_pending.acc[l]);
        work.meta[l].swap(g_pending.meta[l]);
    }
    Propagating guard;
    begin_chain();
    for (int l = static_cast<int>(Level::Chunk); l <= static_cast<int>(Level::Observation); ++l) {
        const Level level = static_cast<Level>(l);
        if (!work.meta[l].empty()) {
            const auto changed = recompute_meta(level, work.meta[l]);
            work.acc[l].insert(changed.begin(), changed.end());
        }
        if (level == Level::Chunk || work.acc[l].empty()) continue;  // a chunk's acc is set by its row trigger
        for (auto it = work.acc[l].begin(); it != work.acc[l].end();)
            it = g_pending.is_settled(l, uuid_of(*it)) && work.meta[l].count(*it) == 0 ? work.acc[l].erase(it) : std::next(it);
        if (work.acc[l].empty()) continue;
        const auto up = recompute_acc(level, work.acc[l], true);
        if (l + 1 <= static_cast<int>(Level::Observation)) work.acc[l + 1].insert(up.begin(), up.end());
    }
    end_chain();
}

}  // namespace obsmeta::caom2

namespace obsmeta::caom2 {

bool batch_open() { return g_pending.depth > 0; }

HeapTuple batch_inserted_row(HeapTuple tuple, TupleDesc desc, const char* table) {
    const TableInfo* t = table_info_by_name(table);
    if (t == nullptr || g_pending.depth == 0 || g_propagating)
        throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta: batch checksums of a row of ") + table + " outside a batch");
    return row_with_checksums(nullptr, tuple, desc, *t);
}

void batch_inserted_statement(const char* table, const std::set<pg::Uuid>& ids, const std::set<pg::Uuid>& parents) {
    const TableInfo* t = table_info_by_name(table);
    if (t == nullptr || g_pending.depth == 0 || g_propagating)
        throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta: batch checksums of rows of ") + table + " outside a batch");
    if (ids.empty() && parents.empty()) return;
    record_batch_insert(t->level, t->level == Level::Chunk ? std::set<pg::Uuid>{} : ids, parents);
}

}  // namespace obsmeta::caom2
