// The insert face efd.sample: a BEFORE ROW trigger buffers each row in backend memory and returns
// NULL (nothing is stored in efd.sample), a statement-level AFTER trigger merges the buffer into
// efd.chunk. Works the same for INSERT, multi-row INSERT, COPY and logical replication. Bad rows
// are rejected with the offending value and a hint; the statement's other rows are then dropped
// with it (the transaction aborts), nothing earlier is lost.
#include <cmath>
#include <optional>
#include <string>

#include "efd_sql/channels.hpp"
#include "efd_sql/state.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/input_limits.hpp"
#include "pg/relation.hpp"

namespace obsmeta::efd_sql {

namespace {

constexpr std::size_t kFlushEvery = 4'000'000;  // bound the buffer's memory within one COPY

struct FaceColumns {
    Oid relid = InvalidOid;
    int channel = 0, time = 0, value = 0, topic = 0, field = 0, sal_index = 0;
};

FaceColumns columns_of(Relation rel) {
    static FaceColumns cols;
    if (cols.relid == RelationGetRelid(rel)) return cols;
    TupleDesc desc = RelationGetDescr(rel);
    auto find = [desc](const char* name) {
        int n = SPI_fnumber(desc, name);
        if (n <= 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("efd.sample has no column ") + name);
        return n;
    };
    FaceColumns c;
    c.channel = find("channel");
    c.time = find("time");
    c.value = find("value");
    c.topic = find("topic");
    c.field = find("field");
    c.sal_index = find("sal_index");
    c.relid = RelationGetRelid(rel);
    cols = c;
    return cols;
}

std::string time_text(TimestampTz t) {
    return pg::call([t] { return timestamptz_to_str(t); });
}

const char* kRegisterHint =
    "Register the channel first, e.g. INSERT INTO efd.channel (topic, field, sal_index, unit, kind) "
    "VALUES ('lsst.sal.ESS.temperature', 'temperatureItem0', 301, 'deg_C', 'slow').";

// The row's channel: its id, or its (topic, field, sal_index) name.
const ChannelInfo& resolve_channel(HeapTuple tuple, TupleDesc desc, const FaceColumns& c) {
    bool isnull = false;
    Datum d = heap_getattr(tuple, c.channel, desc, &isnull);
    if (!isnull) {
        int32_t id = DatumGetInt32(d);
        const ChannelInfo* info = channels().by_id(id);
        if (!info)
            throw pg::Error(ERRCODE_FOREIGN_KEY_VIOLATION, "unknown EFD channel id " + std::to_string(id),
                            "efd.sample rows must name a channel registered in efd.channel.", kRegisterHint);
        return *info;
    }
    bool topic_null = false, field_null = false, sal_null = false;
    Datum topic = heap_getattr(tuple, c.topic, desc, &topic_null);
    Datum field = heap_getattr(tuple, c.field, desc, &field_null);
    Datum sal = heap_getattr(tuple, c.sal_index, desc, &sal_null);
    if (topic_null || field_null)
        throw pg::Error(ERRCODE_NOT_NULL_VIOLATION, "EFD sample has no channel",
                        "Neither channel nor both topic and field are set.",
                        "Write channel (an efd.channel id) or topic and field (and sal_index for an indexed topic).");
    std::string t = pg::text_value(topic), f = pg::text_value(field);
    std::optional<int32_t> s;
    if (!sal_null) s = DatumGetInt32(sal);
    const ChannelInfo* info = channels().by_name(t, f, s);
    if (!info) {
        std::string name = t + " / " + f + (s ? " (salIndex " + std::to_string(*s) + ")" : std::string());
        throw pg::Error(ERRCODE_FOREIGN_KEY_VIOLATION, "unknown EFD channel " + name,
                        "efd.sample rows must name a channel registered in efd.channel.", kRegisterHint);
    }
    return *info;
}

}  // namespace

}  // namespace obsmeta::efd_sql

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_efd_sample_buffer) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "efd.sample_buffer: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
        !TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "efd.sample_buffer must be a BEFORE INSERT ... FOR EACH ROW trigger");
    const efd_sql::FaceColumns c = efd_sql::columns_of(trigger->tg_relation);
    HeapTuple tuple = trigger->tg_trigtuple;
    TupleDesc desc = RelationGetDescr(trigger->tg_relation);

    const efd_sql::ChannelInfo& channel = efd_sql::resolve_channel(tuple, desc, c);
    bool isnull = false;
    Datum td = heap_getattr(tuple, c.time, desc, &isnull);
    if (isnull)
        throw pg::Error(ERRCODE_NOT_NULL_VIOLATION, "EFD sample time is missing (channel " + std::to_string(channel.id) + ")",
                        {}, "Every sample needs its time (timestamptz, UTC).");
    TimestampTz t = DatumGetTimestampTz(td);
    if (TIMESTAMP_NOT_FINITE(t))
        throw pg::Error(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE,
                        "EFD sample time must be finite, not " + efd_sql::time_text(t) + " (channel " +
                            std::to_string(channel.id) + ")",
                        {}, "Write the time the sample was taken; drop samples without one.");
    pg::limits::check_time(t, "EFD sample time (channel " + std::to_string(channel.id) + ")");
    Datum vd = heap_getattr(tuple, c.value, desc, &isnull);
    double v = isnull ? std::nan("") : DatumGetFloat8(vd);
    if (std::isinf(v))
        throw pg::Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
                        std::string("EFD sample value must be finite or NaN, not ") + (v > 0 ? "Infinity" : "-Infinity") +
                            " (channel " + std::to_string(channel.id) + ", time " + efd_sql::time_text(t) + ")",
                        {}, "Write NULL or NaN for a missing value.");

    auto& st = efd_sql::state();
    st.pending[channel.id].push(t, v);
    if (++st.pending_samples >= efd_sql::kFlushEvery) efd_sql::flush_samples();
    return PointerGetDatum(nullptr);  // nothing is stored in efd.sample
}

OBSMETA_FUNCTION(obsmeta_efd_sample_flush) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "efd.sample_flush: not called as a trigger");
    efd_sql::flush_samples();
    efd_sql::channels().invalidate();  // the next statement sees channels registered meanwhile
    if (efd_sql::work_at_statement_end()) efd_sql::recompute_dirty();
    return PointerGetDatum(nullptr);
}
