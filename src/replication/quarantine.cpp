// Quarantine of rows that cannot be converted under the apply worker (see quarantine.hpp).
#include "pg/catalog.hpp"
#include "pg/gist.hpp"
#include "pg/relation.hpp"
#include "pg/settings.hpp"
#include "pg/transaction.hpp"
#include "replication/quarantine.hpp"

#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

#include <cstdio>
#include <exception>

namespace obsmeta::replication {

namespace {

Failure failure_of(int sqlerrcode, const char* message, const char* detail, const char* hint) {
    Failure f;
    f.sqlstate = unpack_sql_state(sqlerrcode);
    f.message = message ? message : "";
    f.detail = detail ? detail : "";
    f.hint = hint ? hint : "";
    return f;
}

bool is_json_number_type(Oid type) {
    return type == INT2OID || type == INT4OID || type == INT8OID || type == BOOLOID;
}

}  // namespace

Failure failure_of_current_exception() {
    try {
        throw;
    } catch (const pg::PgError& e) {
        ErrorData* d = e.data();
        return failure_of(d->sqlerrcode, d->message, d->detail, d->hint);
    } catch (const pg::Error& e) {
        return failure_of(e.sqlstate(), e.what(), e.detail().c_str(), e.hint().c_str());
    } catch (const std::bad_alloc&) {
        return failure_of(ERRCODE_OUT_OF_MEMORY, "obsmeta: out of memory in C++ code", nullptr, nullptr);
    } catch (const std::exception& e) {
        return failure_of(ERRCODE_INTERNAL_ERROR, e.what(), nullptr, nullptr);
    } catch (...) {
        return failure_of(ERRCODE_INTERNAL_ERROR, "obsmeta internal error: unknown C++ exception", nullptr, nullptr);
    }
}

std::optional<Failure> attempt(const std::function<void()>& body) {
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    pg::call([] { BeginInternalSubTransaction(nullptr); });
    MemoryContextSwitchTo(context);
    std::optional<Failure> failure;
    try {
        body();
    } catch (...) {
        failure = failure_of_current_exception();
    }
    // The catch block has ended: the exception (and any ErrorData it held) is gone before the
    // subtransaction is released or rolled back.
    if (failure) pg::call([] { RollbackAndReleaseCurrentSubTransaction(); });
    else pg::call([] { ReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(context);
    CurrentResourceOwner = owner;
    return failure;
}

bool is_transient(const Failure& f) {
    // Deadlocks, serialization failures, lack of resources, cancel/shutdown, system and internal
    // errors say nothing about the row: the transaction must fail (and be retried) instead.
    if (f.sqlstate.size() != 5) return true;
    std::string cls = f.sqlstate.substr(0, 2);
    return cls == "40" || cls == "53" || cls == "55" || cls == "57" || cls == "58" || cls == "XX";
}

void rethrow_if_transient(const Failure& f) {
    if (!is_transient(f)) return;
    const std::string& s = f.sqlstate.size() == 5 ? f.sqlstate : std::string("XX000");
    throw pg::Error(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]), f.message, f.detail, f.hint);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

namespace {

// The named columns of the slot's row as a JSON object's text (bms members offset as in
// RelationGetIndexAttrBitmap; nullptr: every column).
std::string columns_json(Relation rel, TupleTableSlot* slot, Bitmapset* columns) {
    TupleDesc desc = RelationGetDescr(rel);
    std::string json = "{";
    bool first = true;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        AttrNumber attnum = i + 1;
        if (att->attisdropped) continue;
        if (columns && !bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, columns)) continue;
        bool isnull = false;
        Datum value = pg::call([=, &isnull] { return slot_getattr(slot, attnum, &isnull); });
        std::string text;
        if (!isnull) {
            Oid type = att->atttypid;
            char* out = pg::call([=] {
                Oid output;
                bool varlena;
                getTypeOutputInfo(type, &output, &varlena);
                return OidOutputFunctionCall(output, value);
            });
            text = is_json_number_type(type) ? std::string(out) : json_string(out);
        } else {
            text = "null";
        }
        json += (first ? "" : ", ") + json_string(NameStr(att->attname)) + ": " + text;
        first = false;
    }
    return json + "}";
}

}  // namespace

Bitmapset* key_columns(Relation rel) {
    Bitmapset* columns = pg::call([=] {
        Bitmapset* key = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
        return key ? key : RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_IDENTITY_KEY);
    });
    if (columns == nullptr)
        throw pg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        std::string("relation ") + RelationGetRelationName(rel) + " has no primary key or replica identity",
                        {}, "obsmeta lists rows by their primary key; give the table one.");
    return columns;
}

std::string row_key(Relation rel, TupleTableSlot* slot) { return columns_json(rel, slot, key_columns(rel)); }

std::string row_json(Relation rel, TupleTableSlot* slot) { return columns_json(rel, slot, nullptr); }

namespace {

pg::KeptPlan& record_plan() {
    static pg::KeptPlan plan(
        "INSERT INTO obsmeta.quarantine AS q (relation, row_key, stage, sqlstate, message, detail, hint)"
        " VALUES (CASE WHEN $1 OPERATOR(pg_catalog.~) '^[0-9]+$' THEN $1::pg_catalog.oid::pg_catalog.regclass"
        "              ELSE $1::pg_catalog.regclass END, $2::pg_catalog.jsonb, $3, $4, $5, NULLIF($6, ''),"
        "         NULLIF($7, ''))"
        " ON CONFLICT (relation, row_key) DO UPDATE SET stage = excluded.stage, sqlstate = excluded.sqlstate,"
        "   message = excluded.message, detail = excluded.detail, hint = excluded.hint,"
        "   last_failed = pg_catalog.now(), attempts = q.attempts + 1",
        {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID});
    return plan;
}

// Per transaction: whether the table is known to be empty (probe once; our own inserts reset it).
enum class Known { Unknown, Empty, NotEmpty };
Known known = Known::Unknown;

void forget_at_transaction_end(XactEvent event, void*) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
        known = Known::Unknown;
}

void forget_at_transaction_end_once() {
    static bool registered = false;
    if (!registered) {
        RegisterXactCallback(forget_at_transaction_end, nullptr);
        registered = true;
    }
}

void record(const std::string& relation, const std::string& key_json, const char* stage, const Failure& f) {
    forget_at_transaction_end_once();
    pg::SpiConnection spi;
    std::vector<Datum> args;
    for (const std::string* s : {&relation, &key_json})
        args.push_back(pg::call([s] { return CStringGetTextDatum(s->c_str()); }));
    const std::string stage_text = stage;
    for (const std::string* s : {&stage_text, &f.sqlstate, &f.message, &f.detail, &f.hint})
        args.push_back(pg::call([s] { return CStringGetTextDatum(s->c_str()); }));
    record_plan().execute(args);
    known = Known::NotEmpty;
}

}  // namespace

void quarantine(Oid relation, const std::string& key_json, const char* stage, const Failure& failure) {
    record(std::to_string(relation), key_json, stage, failure);
}

void quarantine(const char* relation, const std::string& key_json, const char* stage, const Failure& failure) {
    record(relation, key_json, stage, failure);
}

namespace {
int retry_interval = 10;
}  // namespace

void define_settings() {
    DefineCustomIntVariable("obsmeta.quarantine_retry_interval",
                            "Seconds after which the apply worker tries quarantined rows again (after a commit's conversion).",
                            nullptr, &retry_interval, 10, 0, 86400 * 365, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr,
                            nullptr);
}

int retry_interval_seconds() { return retry_interval; }

bool anything_quarantined() {
    if (known != Known::Unknown) return known == Known::NotEmpty;
    forget_at_transaction_end_once();
    // A database not yet upgraded to 0.3.0 has no quarantine (this library serves it until then).
    Oid table = pg::call([] {
        Oid schema = get_namespace_oid("obsmeta", true);
        return OidIsValid(schema) ? get_relname_relid("quarantine", schema) : InvalidOid;
    });
    if (!OidIsValid(table)) {
        known = Known::Empty;
        return false;
    }
    static pg::KeptPlan probe("SELECT EXISTS (SELECT FROM obsmeta.quarantine)", {});
    pg::SpiConnection spi;
    probe.execute({}, true);
    bool listed = pg::result_bool(0, 1);
    // Only an empty answer is cached: the retry function or another backend may empty the table.
    known = listed ? Known::Unknown : Known::Empty;
    return listed;
}

void release(const std::vector<std::string>& relations, const std::vector<std::string>& keys, const char* only_stage) {
    if (relations.empty() || !anything_quarantined()) return;
    static pg::KeptPlan plan(
        "DELETE FROM obsmeta.quarantine q USING ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) AS k(rel, key)"
        " WHERE q.relation = CASE WHEN k.rel OPERATOR(pg_catalog.~) '^[0-9]+$' THEN k.rel::pg_catalog.oid::pg_catalog.regclass"
        "                         ELSE k.rel::pg_catalog.regclass END AND q.row_key = k.key::pg_catalog.jsonb"
        "   AND ($3 IS NULL OR q.stage = ANY (pg_catalog.string_to_array($3, ',')))",
        {TEXTARRAYOID, TEXTARRAYOID, TEXTOID});
    pg::SpiConnection spi;
    Datum stage = only_stage ? pg::call([=] { return CStringGetTextDatum(only_stage); }) : Datum(0);
    plan.execute({pg::text_array(relations), pg::text_array(keys), stage}, false, only_stage ? "   " : "  n");
}

}  // namespace obsmeta::replication
