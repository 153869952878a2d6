#include "efd_sql/chunk_store.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <set>
#include <string>

#include "efd/chunk_codec.hpp"
#include "efd/kernels.hpp"
#include "efd_sql/channels.hpp"
#include "efd_sql/pg_values.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"

namespace obsmeta::efd_sql {

namespace {

constexpr int64_t kDayUs = 86400LL * 1000000;
constexpr std::size_t kBatchSamples = 4'000'000;  // samples merged per statement batch
constexpr std::size_t kBatchChunks = 20'000;

std::set<int64_t> days_with_partition;  // this transaction

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

struct Piece {
    int32_t channel;
    int64_t start;
    efd::Series incoming;
    efd::Series stored;
};

void lock_chunk(int32_t channel, int64_t start) {
    // One advisory lock per chunk serialises concurrent loaders' read-merge-write of that chunk.
    int64_t key = (static_cast<int64_t>(channel) << 40) ^ floor_div(start, 1000000);
    pg::call([key] { DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(key)); });
}

// Creates the partitions every piece needs before any chunk is locked: a creator waits for
// another creator (efd.ensure_partition), so it must not hold chunk locks that one may wait for.
void ensure_partitions(const std::vector<Piece>& pieces) {
    static pg::KeptPlan plan("SELECT efd.ensure_partition(t) FROM unnest($1::timestamptz[]) t", {TIMESTAMPTZARRAYOID});
    std::vector<int64_t> days;
    for (const Piece& p : pieces) {
        int64_t day = floor_div(p.start, kDayUs) * kDayUs;
        if (days_with_partition.insert(day).second) days.push_back(day);
    }
    if (!days.empty()) plan.execute({pg::timestamptz_array(days)});
}

void fetch_stored(std::vector<Piece>& pieces, std::size_t from, std::size_t to) {
    static pg::KeptPlan plan(
        "SELECT k.ord::int8, c.data FROM unnest($1::int4[], $2::timestamptz[]) WITH ORDINALITY AS k(channel, start, ord) "
        "JOIN efd.chunk c ON c.channel = k.channel AND c.chunk_start = k.start",
        {INT4ARRAYOID, TIMESTAMPTZARRAYOID});
    std::vector<int32_t> ch;
    std::vector<int64_t> st;
    for (std::size_t i = from; i < to; ++i) {
        ch.push_back(pieces[i].channel);
        st.push_back(pieces[i].start);
    }
    uint64 n = plan.execute({pg::int4_array(ch), pg::timestamptz_array(st)});
    for (uint64 r = 0; r < n; ++r) {
        std::size_t idx = from + static_cast<std::size_t>(pg::result_int64(r, 1)) - 1;
        bool isnull = false;
        Datum d = pg::result_value(r, 2, &isnull);
        decode_bytea(d, pieces[idx].stored);
    }
}

void upsert(const std::vector<Piece*>& changed) {
    static pg::KeptPlan plan(
        "INSERT INTO efd.chunk (channel, chunk_start, first_time, last_time, n_samples, data, "
        "                       n_valid, v_min, v_max, v_shift, v_sum, v_sum_sq) "
        "SELECT * FROM unnest($1::int4[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::int4[], $6::bytea[], "
        "                     $7::int4[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[]) "
        "ON CONFLICT (channel, chunk_start) DO UPDATE SET first_time = EXCLUDED.first_time, "
        "last_time = EXCLUDED.last_time, n_samples = EXCLUDED.n_samples, data = EXCLUDED.data, "
        "n_valid = EXCLUDED.n_valid, v_min = EXCLUDED.v_min, v_max = EXCLUDED.v_max, v_shift = EXCLUDED.v_shift, "
        "v_sum = EXCLUDED.v_sum, v_sum_sq = EXCLUDED.v_sum_sq",
        {INT4ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, INT4ARRAYOID, BYTEAARRAYOID,
         INT4ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID});
    std::vector<int32_t> ch, counts, valid;
    std::vector<int64_t> starts, firsts, lasts;
    std::vector<double> mins, maxs, shifts, sums, sums_sq;
    std::vector<Datum> blobs;
    std::vector<uint8_t> buf;
    for (const Piece* p : changed) {
        ch.push_back(p->channel);
        starts.push_back(p->start);
        firsts.push_back(p->stored.t.front());
        lasts.push_back(p->stored.t.back());
        counts.push_back(static_cast<int32_t>(p->stored.size()));
        buf.clear();
        efd::encode_chunk(p->stored.view(), buf);
        blobs.push_back(pg::bytea_value(buf.data(), buf.size()));
        efd::Moments m = efd::moments_of(p->stored.v.data(), p->stored.size());
        valid.push_back(static_cast<int32_t>(m.count));
        mins.push_back(m.min);
        maxs.push_back(m.max);
        shifts.push_back(m.shift);
        sums.push_back(m.sum);
        sums_sq.push_back(m.sum_sq);
    }
    plan.execute({pg::int4_array(ch), pg::timestamptz_array(starts), pg::timestamptz_array(firsts), pg::timestamptz_array(lasts),
                  pg::int4_array(counts), pg::bytea_array(blobs), pg::int4_array(valid), pg::float8_array(mins),
                  pg::float8_array(maxs), pg::float8_array(shifts), pg::float8_array(sums), pg::float8_array(sums_sq)});
}

}  // namespace

void reset_chunk_store() { days_with_partition.clear(); }

std::vector<ChangedRange> write_samples(std::unordered_map<int32_t, efd::Series>& pending) {
    std::vector<int32_t> ids;
    for (auto& [id, s] : pending) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    std::vector<ChangedRange> changes;
    pg::SpiConnection spi;
    // Split each channel's samples into chunk-aligned pieces, in (channel, start) order.
    std::vector<Piece> pieces;
    for (int32_t id : ids) {
        efd::Series& s = pending[id];
        efd::sort_unique_last_wins(s);
        const ChannelInfo* info = channels().by_id(id);
        int64_t width = info ? info->chunk_us : 300LL * 1000000;
        std::size_t i = 0;
        while (i < s.size()) {
            int64_t start = floor_div(s.t[i], width) * width;
            std::size_t j = s.view().lower(start + width);
            Piece p{id, start, {}, {}};
            p.incoming.t.assign(s.t.begin() + static_cast<long>(i), s.t.begin() + static_cast<long>(j));
            p.incoming.v.assign(s.v.begin() + static_cast<long>(i), s.v.begin() + static_cast<long>(j));
            pieces.push_back(std::move(p));
            i = j;
        }
        s = efd::Series{};  // release memory early
    }
    pending.clear();
    ensure_partitions(pieces);
    std::size_t from = 0;
    while (from < pieces.size()) {
        std::size_t to = from, samples = 0;
        while (to < pieces.size() && to - from < kBatchChunks && (samples < kBatchSamples || to == from))
            samples += pieces[to++].incoming.size();
        for (std::size_t i = from; i < to; ++i) lock_chunk(pieces[i].channel, pieces[i].start);
        fetch_stored(pieces, from, to);
        std::vector<Piece*> changed;
        for (std::size_t i = from; i < to; ++i) {
            Piece& p = pieces[i];
            if (!efd::merge_into(p.stored, p.incoming)) continue;
            changed.push_back(&p);
            if (!changes.empty() && changes.back().channel == p.channel) {
                changes.back().to = p.incoming.t.back();
            } else {
                changes.push_back({p.channel, p.incoming.t.front(), p.incoming.t.back()});
            }
        }
        if (!changed.empty()) upsert(changed);
        for (std::size_t i = from; i < to; ++i) pieces[i] = Piece{};
        from = to;
    }
    return changes;
}

namespace {

// The DestReceiver that hands each chunk row to a ChunkSink as the executor produces it.
// PostgreSQL calls receive_chunk from C frames: that function owns no C++ objects (a PostgreSQL
// error may longjmp through it), and a C++ exception from the sink stops the scan (receiveSlot
// returns false) and is rethrown after it.
struct ChunkReceiver {
    DestReceiver pub;  // first member: PostgreSQL sees a DestReceiver*
    ChunkSink* sink;
    ChunkScan scan;
    int64_t last_time;
    std::exception_ptr error;
};

bool hand_to_sink(ChunkReceiver* r, const uint8_t* bytes, std::size_t size, int64_t first, int64_t last) noexcept {
    try {
        if (r->scan.chunks > 0 && first <= r->last_time) r->scan.overlapping = true;
        r->last_time = std::max(r->scan.chunks > 0 ? r->last_time : last, last);
        ++r->scan.chunks;
        r->sink->chunk(bytes, size, first, last);
        return true;
    } catch (...) {
        r->error = std::current_exception();
        return false;
    }
}

bool receive_chunk(TupleTableSlot* slot, DestReceiver* self) {
    auto* r = reinterpret_cast<ChunkReceiver*>(self);
    bool isnull = false, first_null = false, last_null = false;
    Datum d = slot_getattr(slot, 1, &isnull);
    Datum first = slot_getattr(slot, 2, &first_null);
    Datum last = slot_getattr(slot, 3, &last_null);
    if (isnull || first_null || last_null) return true;
    auto* raw = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
    struct varlena* plain = pg_detoast_datum_packed(raw);  // the tuple's own bytes unless toasted
    bool ok = hand_to_sink(r, reinterpret_cast<const uint8_t*>(VARDATA_ANY(plain)), VARSIZE_ANY_EXHDR(plain),
                           DatumGetTimestampTz(first), DatumGetTimestampTz(last));
    if (plain != raw) pfree(plain);
    return ok;
}

void receiver_startup(DestReceiver*, int, TupleDesc) {}
void receiver_shutdown(DestReceiver*) {}
void receiver_destroy(DestReceiver*) {}

// Decodes every chunk into a SampleBuffer.
class DecodeSink : public ChunkSink {
public:
    explicit DecodeSink(efd::SampleBuffer& out) : out_(out) {}
    void chunk(const uint8_t* data, std::size_t size, int64_t, int64_t) override { efd::decode_chunk(data, size, out_); }

private:
    efd::SampleBuffer& out_;
};

}  // namespace

namespace {

// Runs `plan` (data, first_time, last_time rows) with `args`, handing each row to `sink`.
ChunkScan run_into_sink(int32_t channel, pg::KeptPlan& plan, const std::vector<Datum>& args, ChunkSink& sink) {
    ChunkReceiver receiver{};
    receiver.pub.receiveSlot = receive_chunk;
    receiver.pub.rStartup = receiver_startup;
    receiver.pub.rShutdown = receiver_shutdown;
    receiver.pub.rDestroy = receiver_destroy;
    receiver.pub.mydest = DestNone;
    receiver.sink = &sink;
    plan.execute_to(&receiver.pub, args);
    if (receiver.error) {
        try {
            std::rethrow_exception(receiver.error);
        } catch (const efd::ChunkFormatError& e) {
            throw pg::Error(ERRCODE_DATA_CORRUPTED, std::string("corrupt EFD chunk: ") + e.what(),
                            "EFD channel " + std::to_string(channel));
        }
    }
    return receiver.scan;
}

}  // namespace

ChunkScan scan_chunks(int32_t channel, int64_t from, int64_t to, ChunkSink& sink) {
    static pg::KeptPlan plan(
        "SELECT data, first_time, last_time FROM efd.chunk "
        "WHERE channel = $1 AND chunk_start > $2 AND chunk_start <= $3 ORDER BY chunk_start",
        {INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID});
    const ChannelInfo* info = channels().by_id(channel);
    int64_t width = info ? info->chunk_us : kDayUs;
    pg::SpiConnection spi;
    return run_into_sink(channel, plan, {Int32GetDatum(channel), TimestampTzGetDatum(from - width), TimestampTzGetDatum(to)},
                         sink);
}

ChunkScan scan_chunks_at(int32_t channel, const std::vector<int64_t>& starts, ChunkSink& sink) {
    if (starts.empty()) return {};
    static pg::KeptPlan plan("SELECT data, first_time, last_time FROM efd.chunk WHERE channel = $1 AND chunk_start = ANY ($2)",
                             {INT4OID, TIMESTAMPTZARRAYOID});
    pg::SpiConnection spi;
    return run_into_sink(channel, plan, {Int32GetDatum(channel), pg::timestamptz_array(starts)}, sink);
}

std::vector<ChunkStats> chunk_stats(int32_t channel, int64_t from, int64_t to) {
    static pg::KeptPlan plan(
        "SELECT chunk_start, first_time, last_time, n_valid, v_min, v_max, v_shift, v_sum, v_sum_sq FROM efd.chunk "
        "WHERE channel = $1 AND chunk_start > $2 AND chunk_start <= $3 ORDER BY chunk_start",
        {INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID});
    const ChannelInfo* info = channels().by_id(channel);
    int64_t width = info ? info->chunk_us : kDayUs;
    pg::SpiConnection spi;
    uint64 n = plan.execute({Int32GetDatum(channel), TimestampTzGetDatum(from - width), TimestampTzGetDatum(to)});
    std::vector<ChunkStats> out(n);
    for (uint64 r = 0; r < n; ++r) {
        ChunkStats& c = out[r];
        bool isnull = false;
        c.start = DatumGetTimestampTz(pg::result_value(r, 1, &isnull));
        c.first_time = DatumGetTimestampTz(pg::result_value(r, 2, &isnull));
        c.last_time = DatumGetTimestampTz(pg::result_value(r, 3, &isnull));
        Datum count = pg::result_value(r, 4, &isnull);
        c.has_moments = !isnull;
        if (!c.has_moments) continue;
        c.moments.count = DatumGetInt32(count);
        double* fields[5] = {&c.moments.min, &c.moments.max, &c.moments.shift, &c.moments.sum, &c.moments.sum_sq};
        for (int k = 0; k < 5; ++k) {
            Datum d = pg::result_value(r, 5 + k, &isnull);
            if (isnull) c.has_moments = false;
            else *fields[k] = DatumGetFloat8(d);
        }
    }
    return out;
}

void load_series(int32_t channel, int64_t from, int64_t to, efd::SampleBuffer& out) {
    const std::size_t base = out.size();
    DecodeSink sink(out);
    ChunkScan scan;
    try {
        scan = scan_chunks(channel, from, to, sink);
    } catch (...) {
        out.truncate(base);
        throw;
    }
    // Chunks never overlap unless chunk_seconds changed after samples were stored; stay correct then.
    bool sorted = !scan.overlapping;
    if (sorted && base > 0 && out.size() > base) sorted = out.times()[base - 1] < out.times()[base];
    if (!sorted) {
        efd::Series s;
        efd::SeriesView v = out.view();
        s.t.assign(v.t, v.t + v.n);
        s.v.assign(v.v, v.v + v.n);
        efd::sort_unique_last_wins(s);
        out.clear();
        std::size_t at = out.extend(s.size());
        std::copy(s.t.begin(), s.t.end(), out.times() + at);
        std::copy(s.v.begin(), s.v.end(), out.values() + at);
    }
}

}  // namespace obsmeta::efd_sql
