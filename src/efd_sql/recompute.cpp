// Recomputation of efd.exposure_value / efd.visit_value for the dirty images, the SQL-facing part:
// the enabled reductions, the dirty images and their spans, efd.chunk as the ChunkSource of the
// computation (efd/batch_compute: pure C++, unit-tested), and each batch's cells written as jsonb
// objects (encoded in C++ on the machine's cores, efd/jsonb_object: no JSON text to parse, no
// palloc) by one upsert per batch that changes only rows whose values differ. Then CAOM2 Environment.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "efd/batch_compute.hpp"
#include "efd/chunk_codec.hpp"
#include "efd/jsonb_object.hpp"
#include "efd/parallel.hpp"
#include "efd/reduction.hpp"
#include "efd_sql/channels.hpp"
#include "efd_sql/chunk_store.hpp"
#include "efd_sql/loader_locks.hpp"
#include "efd_sql/owner.hpp"
#include "efd_sql/pg_values.hpp"
#include "efd_sql/state.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"
#include "pg/types.hpp"

namespace obsmeta::efd_sql {

namespace {

// Images per batch: their telemetry (for the general path, decoded into buffers) and their outputs
// are in memory together.
constexpr int64_t kBatchSpanUs = 6 * 3600LL * 1000000;
constexpr std::size_t kBatchImages = 5000;
constexpr std::size_t kBatchCells = 4'000'000;
// Images whose jsonb objects are written by one statement, encoded at a time (on several threads
// when there are at least kEncodeImagesPerThread per thread).
constexpr std::size_t kWriteImages = 25;
constexpr std::size_t kEncodeImages = 200;
constexpr std::size_t kEncodeImagesPerThread = 8;
constexpr std::size_t kKeptObjectBytes = 256 * 1024;
// Samples of decoding buffers kept between recomputations (16 bytes each).
constexpr std::size_t kKeptBufferSamples = 4'000'000;
constexpr std::size_t kKeptCells = 1'000'000;

std::vector<efd::OutputSpec> load_specs() {
    static pg::KeptPlan plan(R"SQL(
SELECT id, output_name, method, array_prepend(channel, pooled_channels)::int4[], unpivot, for_exposure, for_visit,
       (extract(epoch FROM window_begin_offset) * 1e6)::int8, (extract(epoch FROM window_end_offset) * 1e6)::int8,
       anchor, (extract(epoch FROM reach) * 1e6)::int8, ddof, degree, fit_basis,
       coalesce((extract(epoch FROM pre_aggregate) * 1e6)::int8, 0)
  FROM efd.reduction WHERE enabled ORDER BY array_prepend(channel, pooled_channels), id)SQL",
                             {});
    uint64 n = plan.execute({});
    std::vector<efd::OutputSpec> specs;
    for (uint64 i = 0; i < n; ++i) {
        efd::OutputSpec s;
        bool isnull = false;
        s.id = DatumGetInt32(pg::result_value(i, 1, &isnull));
        s.output_name = pg::result_text(i, 2);
        s.spec.method = efd::method_from_name(pg::result_text(i, 3)).value_or(efd::Method::Mean);
        ArrayType* arr = DatumGetArrayTypeP(pg::result_value(i, 4, &isnull));
        int nch = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
        const int32_t* ch = reinterpret_cast<const int32_t*>(ARR_DATA_PTR(arr));
        s.channels.assign(ch, ch + nch);
        s.unpivot = DatumGetBool(pg::result_value(i, 5, &isnull));
        s.for_exposure = DatumGetBool(pg::result_value(i, 6, &isnull));
        s.for_visit = DatumGetBool(pg::result_value(i, 7, &isnull));
        s.spec.begin_offset = pg::result_int64(i, 8);
        s.spec.end_offset = pg::result_int64(i, 9);
        s.spec.anchor = efd::anchor_from_name(pg::result_text(i, 10)).value_or(efd::Anchor::Middle);
        s.spec.reach = pg::result_int64(i, 11);
        s.spec.ddof = DatumGetInt32(pg::result_value(i, 12, &isnull));
        s.spec.degree = DatumGetInt32(pg::result_value(i, 13, &isnull));
        s.spec.fit_basis = pg::result_text(i, 14) == "time" ? efd::FitBasis::Time : efd::FitBasis::Index;
        s.spec.pre_aggregate = pg::result_int64(i, 15);
        specs.push_back(std::move(s));
    }
    return specs;
}

// Each channel's key in an unpivoted output's object: its field, with :salIndex when pooled.
void name_fields(std::vector<efd::OutputSpec>& specs) {
    for (efd::OutputSpec& s : specs) {
        s.fields.clear();
        for (int32_t c : s.channels) {
            const ChannelInfo* info = channels().by_id(c);
            std::string field = info ? info->field : std::to_string(c);
            if (info && info->sal_index && s.channels.size() > 1) field += ":" + std::to_string(*info->sal_index);
            s.fields.push_back(std::move(field));
        }
    }
}

struct Image {
    ImageKey key;
    int64_t begin, end;
    const DirtyImage* dirt;
};

void lock_images(const std::vector<Image>& images) {
    // Read-merge-write of each image's object; the images are locked (efd.loader_lock rows, in one
    // call) so that two sessions recomputing different outputs of one image do not lose each other's.
    // A key's low 14 bits are its slot: the id plus a per-(kind, instrument) offset keeps a night's
    // consecutive images on one or two pages of efd.loader_lock (schema/60_efd/66_efd_loader_locks.sql).
    std::vector<int64_t> keys;
    keys.reserve(images.size());
    for (const Image& im : images)
        keys.push_back(static_cast<int64_t>(std::hash<std::string>{}(im.key.kind + '\x1f' + im.key.instrument) * 31 +
                                            static_cast<uint64_t>(im.key.id)));
    lock_loader_keys(LoaderLock::image, std::move(keys));
}

// The objects as a jsonb[] (what construct_array builds) in `buf`, which keeps its memory from
// statement to statement and between recomputations: no fresh pages to fault in.
Datum jsonb_array_in(std::vector<uint64_t>& buf, const std::vector<const std::vector<uint8_t>*>& objects) {
    std::size_t total = ARR_OVERHEAD_NONULLS(1);
    for (const auto* object : objects) total += INTALIGN(object->size());
    buf.resize((total + 7) / 8);
    auto* array = reinterpret_cast<ArrayType*>(buf.data());
    SET_VARSIZE(array, total);
    array->ndim = 1;
    array->dataoffset = 0;
    array->elemtype = JSONBOID;
    ARR_DIMS(array)[0] = static_cast<int>(objects.size());
    ARR_LBOUND(array)[0] = 1;
    char* at = ARR_DATA_PTR(array);
    for (const auto* object : objects) {
        const std::size_t len = object->size(), padded = INTALIGN(len);
        // Written by efd::encode_image_object with a 4-byte varlena header: check it as PostgreSQL reads it.
        if (VARATT_IS_EXTENDED(object->data()) || VARSIZE(object->data()) != len)
            throw pg::Error(ERRCODE_INTERNAL_ERROR, "EFD values object has a bad varlena header");
        std::memcpy(at, object->data(), len);
        std::memset(at + len, 0, padded - len);
        at += padded;
    }
    return PointerGetDatum(array);
}

// Writes the batch's objects of one kind. When every image is recomputed whole (new or changed
// images, efd.recompute) the objects replace the stored ones; otherwise (late samples) the
// recomputed outputs are merged into the stored object and outputs without a value removed. The
// objects are taken from their array by subscript (unnest would first copy them all into a
// tuplestore, spilling to disk beyond work_mem).
void write_values(const std::string& kind, const std::vector<const Image*>& images, Datum jsonb_array,
                  const std::vector<std::string>& removed) {
    static const char* kReplaceSql = R"SQL(
INSERT INTO efd.%1$s_values AS v (instrument, %1$s, obs_id, "values")
SELECT k.instrument, k.id, obsmeta.%1$s_obs_id(k.instrument, k.id), $3[k.ord]
  FROM unnest($1::text[], $2::int8[]) WITH ORDINALITY AS k(instrument, id, ord)
ON CONFLICT (instrument, %1$s) DO UPDATE SET "values" = EXCLUDED."values", computed_at = now()
  WHERE v."values" IS DISTINCT FROM EXCLUDED."values")SQL";
    static const char* kMergeSql = R"SQL(
INSERT INTO efd.%1$s_values AS v (instrument, %1$s, obs_id, "values")
SELECT k.instrument, k.id, obsmeta.%1$s_obs_id(k.instrument, k.id),
       CASE WHEN k.replace OR cur."values" IS NULL THEN $3[k.ord]
            ELSE (cur."values" - coalesce(string_to_array(k.removed, chr(31)), '{}')) || $3[k.ord] END
  FROM unnest($1::text[], $2::int8[], $4::bool[], $5::text[]) WITH ORDINALITY AS k(instrument, id, replace, removed, ord)
  LEFT JOIN efd.%1$s_values cur ON cur.instrument = k.instrument AND cur.%1$s = k.id
ON CONFLICT (instrument, %1$s) DO UPDATE SET "values" = EXCLUDED."values", computed_at = now()
  WHERE v."values" IS DISTINCT FROM EXCLUDED."values")SQL";
    auto make = [](const char* sql_template, const char* k) {
        std::string sql = sql_template, out;
        for (std::size_t p = 0; p < sql.size(); ++p) {
            if (sql.compare(p, 4, "%1$s") == 0) {
                out += k;
                p += 3;
            } else {
                out += sql[p];
            }
        }
        return out;
    };
    static const std::vector<Oid> replace_types = {TEXTARRAYOID, INT8ARRAYOID, JSONBARRAYOID};
    static const std::vector<Oid> merge_types = {TEXTARRAYOID, INT8ARRAYOID, JSONBARRAYOID, BOOLARRAYOID, TEXTARRAYOID};
    constexpr auto generic = pg::KeptPlan::Planning::Generic;
    static pg::KeptPlan exposure_replace(make(kReplaceSql, "exposure"), replace_types, generic);
    static pg::KeptPlan visit_replace(make(kReplaceSql, "visit"), replace_types, generic);
    static pg::KeptPlan exposure_merge(make(kMergeSql, "exposure"), merge_types, generic);
    static pg::KeptPlan visit_merge(make(kMergeSql, "visit"), merge_types, generic);
    std::vector<std::string> instruments;
    std::vector<int64_t> ids;
    std::vector<bool> replace;
    bool all_replace = true;
    for (const Image* im : images) {
        instruments.push_back(im->key.instrument);
        ids.push_back(im->key.id);
        replace.push_back(im->dirt->all);
        all_replace = all_replace && im->dirt->all;
    }
    if (all_replace) {
        pg::KeptPlan& plan = kind == "exposure" ? exposure_replace : visit_replace;
        plan.execute({pg::text_array(instruments), pg::int8_array(ids), jsonb_array});
    } else {
        pg::KeptPlan& plan = kind == "exposure" ? exposure_merge : visit_merge;
        plan.execute({pg::text_array(instruments), pg::int8_array(ids), jsonb_array, pg::bool_array(replace),
                      pg::text_array(removed)});
    }
}

void fill_environment(const std::vector<ImageKey>& images) {
    static pg::KeptPlan plan(
        "SELECT efd.fill_environment(array_agg(i.obs_id)) FROM unnest($1::text[], $2::text[], $3::int8[]) AS k(kind, instrument, id) "
        "JOIN efd.image i ON i.kind = k.kind AND i.instrument = k.instrument AND i.id = k.id",
        {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID});
    std::vector<std::string> kinds, instruments;
    std::vector<int64_t> ids;
    for (const auto& key : images) {
        kinds.push_back(key.kind);
        instruments.push_back(key.instrument);
        ids.push_back(key.id);
    }
    plan.execute({pg::text_array(kinds), pg::text_array(instruments), pg::int8_array(ids)});
}

// efd.chunk as the computation's ChunkSource.
class StoredChunks : public efd::ChunkSource {
public:
    int64_t chunk_width(int32_t channel) override {
        const ChannelInfo* info = channels().by_id(channel);
        return info ? info->chunk_us : 0;
    }
    std::vector<efd::ChunkSummary> summaries(int32_t channel, int64_t from, int64_t to) override {
        return chunk_stats(channel, from, to);
    }
    void read_range(int32_t channel, int64_t from, int64_t to, efd::WindowMerge& merge) override {
        ToMerge sink(merge);
        scan_chunks(channel, from, to, sink);
    }
    void read_at(int32_t channel, const std::vector<int64_t>& starts, efd::WindowMerge& merge) override {
        ToMerge sink(merge);
        scan_chunks_at(channel, starts, sink);
    }
    void load_series(int32_t channel, int64_t from, int64_t to, efd::SampleBuffer& out) override {
        efd_sql::load_series(channel, from, to, out);
    }

private:
    class ToMerge : public ChunkSink {
    public:
        explicit ToMerge(efd::WindowMerge& merge) : merge_(merge) {}
        void chunk(const uint8_t* data, std::size_t size, int64_t first_time, int64_t) override {
            merge_.encoded_chunk(first_time, data, size);
        }

    private:
        efd::WindowMerge& merge_;
    };
};

efd::Outputs& batch_outputs() {
    static efd::Outputs outs;
    return outs;
}

// The images' jsonb objects, encoded before they are written.
std::vector<std::vector<uint8_t>>& encoded_objects() {
    static std::vector<std::vector<uint8_t>> objects;
    return objects;
}

void trim_outputs() {
    efd::Outputs& outs = batch_outputs();
    if (outs.cells.capacity() > kKeptCells) outs = efd::Outputs{};
    for (auto& object : encoded_objects())
        if (object.capacity() > kKeptObjectBytes) object = std::vector<uint8_t>{};
}

// One batch of images (time-ordered): computes their outputs and writes them. Returns the number of
// (image, output) values computed.
int64_t recompute_batch(const std::vector<efd::OutputSpec>& specs, const std::vector<uint32_t>& by_rank,
                        const std::map<int32_t, std::size_t>& spec_index, const std::vector<const Image*>& images,
                        efd::BufferPool& pool, MemoryContext batch_cxt) {
    const std::size_t n_images = images.size();
    std::vector<efd::BatchImage> batch;
    batch.reserve(n_images);
    for (const Image* im : images) batch.push_back({&im->key.kind, im->begin, im->end, im->dirt->all, &im->dirt->reductions});
    // The cells keep their memory between batches and recomputations (up to kKeptCells).
    efd::Outputs& outs = batch_outputs();
    StoredChunks source;
    int64_t computed = efd::compute_batch(specs, spec_index, batch, source, pool, outs);

    // The jsonb objects, then one upsert per kind.
    std::vector<std::string> removed(n_images);
    for (std::size_t i = 0; i < n_images; ++i)
        for (uint32_t s : by_rank) {
            if (outs.at(i, s).kind != efd::Cell::None) continue;
            if (!removed[i].empty()) removed[i] += '\x1f';
            removed[i] += specs[s].output_name;
        }
    // The objects are encoded (pure C++, efd/jsonb_object) kEncodeImages at a time on the
    // machine's cores, into buffers kept between batches and recomputations; then written
    // kWriteImages at a time.
    std::vector<std::vector<uint8_t>>& encoded = encoded_objects();
    for (const char* kind : {"exposure", "visit"}) {
        std::vector<uint32_t> of_kind;
        for (std::size_t i = 0; i < n_images; ++i)
            if (images[i]->key.kind == kind) of_kind.push_back(static_cast<uint32_t>(i));
        for (std::size_t from = 0; from < of_kind.size(); from += kEncodeImages) {
            const std::size_t count = std::min(kEncodeImages, of_kind.size() - from);
            if (encoded.size() < count) encoded.resize(count);
            const uint32_t* which = of_kind.data() + from;
            efd::parallel_for(count, efd::threads_for(count, kEncodeImagesPerThread), [&](std::size_t k) {
                efd::encode_image_object(specs, by_rank, outs, which[k], encoded[k]);
            });
            for (std::size_t w = 0; w < count; w += kWriteImages) {
                const std::size_t n = std::min(kWriteImages, count - w);
                std::vector<const Image*> some;
                std::vector<std::string> some_removed;
                std::vector<const std::vector<uint8_t>*> objects;
                for (std::size_t k = w; k < w + n; ++k) {
                    some.push_back(images[which[k]]);
                    some_removed.push_back(removed[which[k]]);
                    objects.push_back(&encoded[k]);
                }
                MemoryContext old = MemoryContextSwitchTo(batch_cxt);
                try {
                    static std::vector<uint64_t> array_memory;
                    write_values(kind, some, jsonb_array_in(array_memory, objects), some_removed);
                } catch (...) {
                    MemoryContextSwitchTo(old);
                    throw;
                }
                MemoryContextSwitchTo(old);
                MemoryContextReset(batch_cxt);
            }
        }
    }
    return computed;
}

}  // namespace

int64_t recompute_dirty() {
    EfdState& st = state();
    if (st.dirty.empty()) return 0;
    std::map<ImageKey, DirtyImage> dirty;
    dirty.swap(st.dirty);
    AsEfdOwner owner;
    pg::SpiConnection spi;
    std::vector<efd::OutputSpec> specs = load_specs();
    name_fields(specs);
    efd::rank_outputs(specs);

    // The dirty images that still exist, with their spans.
    static pg::KeptPlan span_times(
        "SELECT k.ord::int8, lower(i.span), upper(i.span) "
        "FROM unnest($1::text[], $2::text[], $3::int8[]) WITH ORDINALITY AS k(kind, instrument, id, ord) "
        "JOIN efd.image i ON i.kind = k.kind AND i.instrument = k.instrument AND i.id = k.id WHERE i.span IS NOT NULL",
        {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID});
    std::vector<const std::pair<const ImageKey, DirtyImage>*> entries;
    std::vector<std::string> kinds, instruments;
    std::vector<int64_t> ids;
    std::vector<ImageKey> all;  // every dirty image gets Environment, even without a timespan
    for (const auto& e : dirty) {
        entries.push_back(&e);
        kinds.push_back(e.first.kind);
        instruments.push_back(e.first.instrument);
        ids.push_back(e.first.id);
        all.push_back(e.first);
    }
    uint64 n = span_times.execute({pg::text_array(kinds), pg::text_array(instruments), pg::int8_array(ids)});
    std::vector<Image> images;
    images.reserve(n);
    for (uint64 r = 0; r < n; ++r) {
        std::size_t idx = static_cast<std::size_t>(pg::result_int64(r, 1)) - 1;
        bool isnull = false;
        int64_t b = DatumGetTimestampTz(pg::result_value(r, 2, &isnull));
        int64_t e = DatumGetTimestampTz(pg::result_value(r, 3, &isnull));
        images.push_back({entries[idx]->first, b, e, &entries[idx]->second});
    }
    int64_t computed = 0;
    if (!images.empty()) {
        lock_images(images);
        std::map<int32_t, std::size_t> spec_index;
        for (std::size_t s = 0; s < specs.size(); ++s) spec_index[specs[s].id] = s;
        std::vector<const Image*> ordered;
        for (const Image& im : images) ordered.push_back(&im);
        std::stable_sort(ordered.begin(), ordered.end(), [](const Image* a, const Image* b) { return a->begin < b->begin; });
        std::vector<uint32_t> by_rank(specs.size());
        for (std::size_t s = 0; s < specs.size(); ++s) by_rank[specs[s].rank] = static_cast<uint32_t>(s);
        // Batches: consecutive images within kBatchSpanUs, at most kBatchImages, and at most
        // kBatchCells (image, output) cells.
        const std::size_t max_images = std::min(kBatchImages, kBatchCells / std::max<std::size_t>(1, specs.size()));
        MemoryContext batch_cxt =
            pg::call([] { return AllocSetContextCreate(CurrentMemoryContext, "EFD recompute batch", ALLOCSET_DEFAULT_SIZES); });
        // Decoding buffers stay with the backend: no fresh pages to fault in at each recomputation.
        static efd::BufferPool pool;
        std::vector<int64_t> begins;
        for (const Image* im : ordered) begins.push_back(im->begin);
        for (auto [from, to] : efd::batch_bounds(begins, max_images, kBatchSpanUs)) {
            std::vector<const Image*> batch(ordered.begin() + static_cast<long>(from), ordered.begin() + static_cast<long>(to));
            computed += recompute_batch(specs, by_rank, spec_index, batch, pool, batch_cxt);
        }
        MemoryContextDelete(batch_cxt);
        pool.trim(kKeptBufferSamples);
        trim_outputs();
    }
    fill_environment(all);
    return computed;
}

void flush_samples() {
    EfdState& st = state();
    if (st.pending.empty()) return;
    AsEfdOwner owner;
    std::unordered_map<int32_t, efd::Series> flushable = take_flushable_samples();
    std::vector<ChangedRange> changes = write_samples(flushable);
    if (changes.empty()) return;

    // Images whose reductions over a changed channel may now differ: windows (with offsets and
    // reach) overlapping the changed time ranges.
    pg::SpiConnection spi;
    std::vector<efd::OutputSpec> specs = load_specs();
    std::map<int32_t, std::vector<const efd::OutputSpec*>> by_channel;
    for (const auto& s : specs)
        for (int32_t c : s.channels) by_channel[c].push_back(&s);
    std::vector<int64_t> lo, hi;
    std::vector<const ChangedRange*> ranges;
    for (const auto& ch : changes) {
        auto it = by_channel.find(ch.channel);
        if (it == by_channel.end()) continue;
        int64_t before = 0, after = 0;
        for (const efd::OutputSpec* s : it->second) {
            int64_t r = efd::spec_reach(s->spec);
            before = std::max(before, s->spec.end_offset + r);
            after = std::max(after, r - s->spec.begin_offset);
        }
        lo.push_back(ch.from - before);
        hi.push_back(ch.to + after);
        ranges.push_back(&ch);
    }
    if (ranges.empty()) return;
    static pg::KeptPlan overlapping(
        "SELECT k.ord::int8, i.kind, i.instrument, i.id FROM unnest($1::timestamptz[], $2::timestamptz[]) "
        "WITH ORDINALITY AS k(lo, hi, ord) JOIN efd.image i ON i.span && tstzrange(k.lo, k.hi, '[]')",
        {TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID});
    uint64 n = overlapping.execute({pg::timestamptz_array(lo), pg::timestamptz_array(hi)});
    for (uint64 r = 0; r < n; ++r) {
        const ChangedRange* ch = ranges[static_cast<std::size_t>(pg::result_int64(r, 1)) - 1];
        ImageKey key{pg::result_text(r, 2), pg::result_text(r, 3), pg::result_int64(r, 4)};
        DirtyImage& d = st.dirty[key];
        if (d.all) continue;
        for (const efd::OutputSpec* s : by_channel[ch->channel])
            if (s->applies_to(key.kind)) d.reductions.insert(s->id);
    }
}

}  // namespace obsmeta::efd_sql
