// Recomputation of efd.exposure_value / efd.visit_value for the dirty images: set-based and
// channel-major. The images are taken in time order, in batches of about an hour; in each batch
// every channel's chunks are read once (decoded straight from the executor's tuples into a reused
// buffer) for all images and reductions that need it, mean/min/max/stddev/count of a channel and
// window share one pass, and each image's jsonb object is built directly (no JSON text to parse)
// and written by one upsert per batch that changes only rows whose values differ. Then CAOM2
// Environment.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "efd/chunk_codec.hpp"
#include "efd/reduction.hpp"
#include "efd_sql/channels.hpp"
#include "efd_sql/chunk_store.hpp"
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

struct Spec {
    int32_t id;
    std::string output_name;
    efd::ReductionSpec spec;
    std::vector<int32_t> channels;  // the channel, then pooled channels
    bool unpivot, for_exposure, for_visit;
    std::vector<std::string> fields;  // per channel: the key of an unpivoted output's value
    uint32_t rank = 0;                // position of output_name in jsonb's key order
    bool applies_to(const std::string& kind) const { return kind == "exposure" ? for_exposure : for_visit; }
};

std::vector<Spec> load_specs() {
    static pg::KeptPlan plan(R"SQL(
SELECT id, output_name, method, array_prepend(channel, pooled_channels)::int4[], unpivot, for_exposure, for_visit,
       (extract(epoch FROM window_begin_offset) * 1e6)::int8, (extract(epoch FROM window_end_offset) * 1e6)::int8,
       anchor, (extract(epoch FROM reach) * 1e6)::int8, ddof, degree, fit_basis,
       coalesce((extract(epoch FROM pre_aggregate) * 1e6)::int8, 0)
  FROM efd.reduction WHERE enabled ORDER BY array_prepend(channel, pooled_channels), id)SQL",
                             {});
    uint64 n = plan.execute({});
    std::vector<Spec> specs;
    for (uint64 i = 0; i < n; ++i) {
        Spec s;
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

// jsonb orders an object's keys by length, then bytes.
bool jsonb_key_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

void name_fields_and_rank(std::vector<Spec>& specs) {
    for (Spec& s : specs) {
        s.fields.clear();
        for (int32_t c : s.channels) {
            const ChannelInfo* info = channels().by_id(c);
            std::string field = info ? info->field : std::to_string(c);
            if (info && info->sal_index && s.channels.size() > 1) field += ":" + std::to_string(*info->sal_index);
            s.fields.push_back(std::move(field));
        }
    }
    std::vector<std::size_t> order(specs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return jsonb_key_less(specs[a].output_name, specs[b].output_name); });
    for (std::size_t r = 0; r < order.size(); ++r) specs[order[r]].rank = static_cast<uint32_t>(r);
}

struct Image {
    ImageKey key;
    int64_t begin, end;
    const DirtyImage* dirt;
};

bool moments_shareable(const efd::ReductionSpec& spec) {
    using efd::Method;
    return spec.pre_aggregate == 0 && (spec.method == Method::Mean || spec.method == Method::Min ||
                                       spec.method == Method::Max || spec.method == Method::Stddev ||
                                       spec.method == Method::Count);
}

std::optional<double> from_moments(const efd::ReductionSpec& spec, const efd::Moments& m) {
    switch (spec.method) {
        case efd::Method::Mean: return m.mean();
        case efd::Method::Min: return m.minimum();
        case efd::Method::Max: return m.maximum();
        case efd::Method::Stddev: return m.stddev(spec.ddof);
        default: return static_cast<double>(m.count);
    }
}

// Time ranges of one channel to load: the windows (with reach) of its tasks, merged when close.
std::vector<std::pair<int64_t, int64_t>> merged_ranges(std::vector<std::pair<int64_t, int64_t>> ranges, int64_t gap) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const auto& r : ranges) {
        if (!out.empty() && r.first <= out.back().second + gap) {
            out.back().second = std::max(out.back().second, r.second);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

// --- one batch's outputs, and their jsonb objects --------------------------------------------------

// The output of one spec for one image of the batch.
struct Cell {
    double value = 0;
    uint32_t nested = 0;  // Nested: index into Outputs::nested_ranges
    enum Kind : uint8_t { Absent, None, Number, Nested } kind = Absent;  // Absent: not recomputed
};

struct NestedEntry {
    uint32_t field;  // index into the spec's fields
    double value;
};

struct Outputs {
    std::size_t n_specs = 0;
    std::vector<Cell> cells;  // [image * n_specs + spec]
    std::vector<NestedEntry> nested;
    std::vector<std::vector<uint32_t>> nested_ranges;  // per unpivoted value: its entries, in jsonb key order
    Cell& at(std::size_t image, std::size_t spec) { return cells[image * n_specs + spec]; }
};

// A double as jsonb's numeric: the shortest decimal that reads back exactly (as JSON text written
// with std::to_chars and parsed by jsonb_in would give), built without text parsing.
Numeric numeric_of(double v) {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);  // d.ddde±XX
    int64_t digits = 0;
    int ndigits = 0;
    bool negative = false;
    const char* p = buf;
    if (*p == '-') negative = true, ++p;
    for (; p < r.ptr && *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9') digits = digits * 10 + (*p - '0'), ++ndigits;
    int exponent = 0;
    if (p < r.ptr) std::from_chars(p + 1 + (p[1] == '+'), r.ptr, exponent);
    // value = digits × 10^(exponent − (ndigits − 1))
    return int64_div_fast_to_numeric(negative ? -digits : digits, (ndigits - 1) - exponent);
}

void set_string(JsonbValue& jv, const char* s, std::size_t len) {
    jv.type = jbvString;
    jv.val.string.len = static_cast<int>(len);
    jv.val.string.val = const_cast<char*>(s);
}

void set_string(JsonbValue& jv, const std::string& s) { set_string(jv, s.data(), s.size()); }

void set_number(JsonbValue& jv, double v) {
    // Non-finite values are strings, as in the JSON text obsmeta wrote before.
    if (std::isnan(v)) {
        set_string(jv, "NaN", 3);
    } else if (std::isinf(v)) {
        set_string(jv, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
    } else {
        jv.type = jbvNumeric;
        jv.val.numeric = numeric_of(v);
    }
}

// Builds the jsonb object of each image of the batch (palloc'd in CurrentMemoryContext), keys in
// jsonb's order (by_rank). Runs inside one pg::call: it owns no C++ objects and only reads what the
// caller prepared.
struct JsonbBuild {
    const std::vector<Spec>* specs;
    const std::vector<uint32_t>* by_rank;  // spec indices in jsonb key order
    Outputs* outs;
    std::size_t n_images;
    Datum* result;  // one jsonb per image
};

void build_jsonb(const JsonbBuild& b) {
    const std::vector<Spec>& specs = *b.specs;
    const std::vector<uint32_t>& by_rank = *b.by_rank;
    Outputs& outs = *b.outs;
    for (std::size_t i = 0; i < b.n_images; ++i) {
        int present = 0;
        for (std::size_t s = 0; s < outs.n_specs; ++s) {
            Cell::Kind k = outs.at(i, s).kind;
            present += k == Cell::Number || k == Cell::Nested;
        }
        JsonbValue obj;
        obj.type = jbvObject;
        obj.val.object.nPairs = present;
        obj.val.object.pairs = static_cast<JsonbPair*>(palloc(sizeof(JsonbPair) * std::max(present, 1)));
        int k = 0;
        for (uint32_t s : by_rank) {
            const Cell& c = outs.at(i, s);
            if (c.kind != Cell::Number && c.kind != Cell::Nested) continue;
            JsonbPair& pair = obj.val.object.pairs[k];
            pair.order = static_cast<uint32>(k);
            ++k;
            const Spec& spec = specs[s];
            set_string(pair.key, spec.output_name);
            if (c.kind == Cell::Number) {
                set_number(pair.value, c.value);
                continue;
            }
            const std::vector<uint32_t>& entries = outs.nested_ranges[c.nested];
            JsonbValue& inner = pair.value;
            inner.type = jbvObject;
            inner.val.object.nPairs = static_cast<int>(entries.size());
            inner.val.object.pairs =
                static_cast<JsonbPair*>(palloc(sizeof(JsonbPair) * std::max<std::size_t>(entries.size(), 1)));
            for (std::size_t j = 0; j < entries.size(); ++j) {
                const NestedEntry& n = outs.nested[entries[j]];
                JsonbPair& np = inner.val.object.pairs[j];
                np.order = static_cast<uint32>(j);
                set_string(np.key, spec.fields[n.field]);
                set_number(np.value, n.value);
            }
        }
        b.result[i] = PointerGetDatum(JsonbValueToJsonb(&obj));
    }
}

// An unpivoted value's entries [from, to) of outs.nested in jsonb key order; a field name given twice
// keeps its last value, as jsonb_in would.
std::vector<uint32_t> nested_in_key_order(const Spec& spec, const Outputs& outs, uint32_t from, uint32_t to) {
    std::vector<uint32_t> order;
    for (uint32_t j = from; j < to; ++j) order.push_back(j);
    auto field = [&](uint32_t j) -> const std::string& { return spec.fields[outs.nested[j].field]; };
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return jsonb_key_less(field(x), field(y)); });
    std::vector<uint32_t> unique;
    for (std::size_t j = 0; j < order.size(); ++j)
        if (j + 1 == order.size() || field(order[j]) != field(order[j + 1])) unique.push_back(order[j]);
    return unique;
}

void lock_images(const std::vector<Image>& images) {
    // Read-merge-write of each image's object; the images are locked (advisory, in key order) so
    // that two sessions recomputing different outputs of one image do not lose each other's.
    std::vector<int64_t> keys;
    keys.reserve(images.size());
    for (const Image& im : images)
        keys.push_back(static_cast<int64_t>(std::hash<std::string>{}(im.key.kind + '\x1f' + im.key.instrument) * 31 +
                                            static_cast<uint64_t>(im.key.id)));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (int64_t key : keys) pg::call([key] { DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(key)); });
}

// A kept statement that is always planned generically: its parameters are large arrays (a batch's
// jsonb objects), which a custom plan would copy and fold as constants at every execution.
class GenericPlan {
public:
    GenericPlan(std::string sql, std::vector<Oid> types) : sql_(std::move(sql)), types_(std::move(types)) {}
    void execute(const std::vector<Datum>& args) {
        if (plan_ == nullptr) {
            const char* sql = sql_.c_str();
            int n = static_cast<int>(types_.size());
            Oid* types = types_.data();
            SPIPlanPtr prepared = pg::call([=] { return SPI_prepare_cursor(sql, n, types, CURSOR_OPT_GENERIC_PLAN); });
            if (prepared == nullptr)
                throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: SPI_prepare failed", SPI_result_code_string(SPI_result));
            pg::call([=] { SPI_keepplan(prepared); });
            plan_ = prepared;
        }
        SPIPlanPtr plan = plan_;
        Datum* values = const_cast<Datum*>(args.data());
        int rc = pg::call([=] { return SPI_execute_plan(plan, values, nullptr, false, 0); });
        if (rc < 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: SPI_execute_plan failed", SPI_result_code_string(rc));
    }

private:
    std::string sql_;
    std::vector<Oid> types_;
    SPIPlanPtr plan_ = nullptr;
};

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
    static GenericPlan exposure_replace(make(kReplaceSql, "exposure"), replace_types);
    static GenericPlan visit_replace(make(kReplaceSql, "visit"), replace_types);
    static GenericPlan exposure_merge(make(kMergeSql, "exposure"), merge_types);
    static GenericPlan visit_merge(make(kMergeSql, "visit"), merge_types);
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
        GenericPlan& plan = kind == "exposure" ? exposure_replace : visit_replace;
        plan.execute({pg::text_array(instruments), pg::int8_array(ids), jsonb_array});
    } else {
        GenericPlan& plan = kind == "exposure" ? exposure_merge : visit_merge;
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

// Buffers to decode channels into, reused across channels and batches (their memory stays).
class BufferPool {
public:
    std::unique_ptr<efd::SampleBuffer> take() {
        if (free_.empty()) return std::make_unique<efd::SampleBuffer>();
        auto b = std::move(free_.back());
        free_.pop_back();
        b->clear();
        return b;
    }
    void give(std::unique_ptr<efd::SampleBuffer> b) { free_.push_back(std::move(b)); }

private:
    std::vector<std::unique_ptr<efd::SampleBuffer>> free_;
};

// Moments of one window offset pair of a channel set: the windows of the images that need it
// (ascending image index = ascending window begin), and their moments so far.
struct WindowSet {
    int64_t begin_offset, end_offset;
    std::vector<uint32_t> images;
    std::vector<efd::Window> windows;
    std::vector<efd::Moments> moments;
    std::vector<int32_t> position;  // per batch image: index into images, or -1
    std::size_t lo = 0;             // windows before lo end before every later chunk
};

// Merges one channel's chunks into the window sets' moments: a merge of time-sorted chunks with
// begin-sorted windows, in two phases. First the chunks' spans and stored moments (from the primary
// key's index): a chunk inside every window it touches adds its moments to them as they are. Then
// the other chunks that touch a window are read and decoded: whole and sliced at the windows'
// bounds, or (inside but without stored moments) their values alone.
class WindowMoments : public ChunkSink {
public:
    explicit WindowMoments(std::vector<WindowSet>& sets) : sets_(sets) {}

    // Phase 1 over the chunks of one range, in chunk_start order. Returns false when chunks overlap
    // (chunk_seconds changed after samples were stored): the caller then takes the general path.
    bool plan(const std::vector<ChunkStats>& chunks) {
        for (const ChunkStats& c : chunks) {
            if (any_chunk_ && c.first_time <= last_time_) return false;
            any_chunk_ = true;
            last_time_ = c.last_time;
            const uint32_t from = static_cast<uint32_t>(hits_.size());
            bool inside = true;
            for (std::size_t k = 0; k < sets_.size(); ++k) {
                WindowSet& ws = sets_[k];
                while (ws.lo < ws.windows.size() && ws.windows[ws.lo].end < c.first_time) ++ws.lo;
                for (std::size_t j = ws.lo; j < ws.windows.size() && ws.windows[j].begin <= c.last_time; ++j) {
                    const efd::Window& w = ws.windows[j];
                    if (w.end < c.first_time || w.end < w.begin) continue;
                    hits_.push_back({static_cast<uint32_t>(k), static_cast<uint32_t>(j)});
                    inside = inside && w.begin <= c.first_time && c.last_time <= w.end;
                }
            }
            const uint32_t to = static_cast<uint32_t>(hits_.size());
            if (to == from) continue;
            if (inside && c.has_moments) {
                for (uint32_t h = from; h < to; ++h) sets_[hits_[h].first].moments[hits_[h].second].merge(c.moments);
                hits_.resize(from);
                continue;
            }
            pending_.push_back({c.first_time, inside, from, to});
            starts_.push_back(c.start);
        }
        return true;
    }
    const std::vector<int64_t>& to_read() const { return starts_; }

    // Phase 2: a chunk of to_read().
    void chunk(const uint8_t* data, std::size_t size, int64_t first, int64_t) override {
        auto it = std::lower_bound(pending_.begin(), pending_.end(), first,
                                   [](const Pending& p, int64_t t) { return p.first_time < t; });
        if (it == pending_.end() || it->first_time != first) return;  // not one we asked for
        std::size_t n = efd::chunk_sample_count(data, size);
        if (v_.size() < n) {
            v_.resize(n);
            t_.resize(n);
        }
        if (it->inside) {
            efd::decode_chunk_values(data, size, v_.data());
            efd::Moments m = efd::moments_of(v_.data(), n);
            for (uint32_t h = it->hits_from; h < it->hits_to; ++h) sets_[hits_[h].first].moments[hits_[h].second].merge(m);
            return;
        }
        efd::decode_chunk_to(data, size, t_.data(), v_.data());
        efd::SeriesView view{t_.data(), v_.data(), n};
        for (uint32_t h = it->hits_from; h < it->hits_to; ++h) {
            auto [k, j] = hits_[h];
            sets_[k].moments[j].merge(efd::moments(view, sets_[k].windows[j]));
        }
    }

private:
    struct Pending {
        int64_t first_time;
        bool inside;
        uint32_t hits_from, hits_to;
    };
    std::vector<WindowSet>& sets_;
    std::vector<std::pair<uint32_t, uint32_t>> hits_;  // (window set, window) of the pending chunks
    std::vector<Pending> pending_;                     // ordered by first_time
    std::vector<int64_t> starts_;
    bool any_chunk_ = false;
    int64_t last_time_ = 0;
    std::vector<int64_t> t_;
    std::vector<double> v_;
};

// One batch of images (time-ordered): computes their outputs and writes them. Returns the number of
// (image, output) values computed.
int64_t recompute_batch(std::vector<Spec>& specs, const std::vector<uint32_t>& by_rank,
                        const std::map<int32_t, std::size_t>& spec_index, const std::vector<const Image*>& images,
                        BufferPool& pool, MemoryContext batch_cxt) {
    const std::size_t n_images = images.size();
    // Tasks: the batch's images of each spec.
    std::vector<std::vector<uint32_t>> tasks_of_spec(specs.size());
    for (std::size_t i = 0; i < n_images; ++i) {
        const Image& im = *images[i];
        auto add = [&](std::size_t s) {
            if (specs[s].applies_to(im.key.kind)) tasks_of_spec[s].push_back(static_cast<uint32_t>(i));
        };
        if (im.dirt->all) {
            for (std::size_t s = 0; s < specs.size(); ++s) add(s);
        } else {
            for (int32_t rid : im.dirt->reductions)
                if (auto it = spec_index.find(rid); it != spec_index.end()) add(it->second);
        }
    }
    Outputs outs;
    outs.n_specs = specs.size();
    outs.cells.assign(n_images * specs.size(), Cell{});
    int64_t computed = 0;

    // Groups of specs over the same channels (specs are ordered by their channels).
    for (std::size_t g0 = 0; g0 < specs.size();) {
        std::size_t g1 = g0 + 1;
        while (g1 < specs.size() && specs[g1].channels == specs[g0].channels) ++g1;
        const std::vector<int32_t>& chans = specs[g0].channels;
        bool any = false, streamable = true;
        for (std::size_t s = g0; s < g1; ++s) {
            if (tasks_of_spec[s].empty()) continue;
            any = true;
            streamable = streamable && !specs[s].unpivot && moments_shareable(specs[s].spec);
        }
        if (!any) {
            g0 = g1;
            continue;
        }

        bool done = false;
        if (streamable) {
            // mean/min/max/stddev/count: one streaming pass per channel for all windows.
            std::vector<WindowSet> sets;
            std::vector<std::size_t> set_of(g1 - g0);
            for (std::size_t s = g0; s < g1; ++s) {
                if (tasks_of_spec[s].empty()) continue;
                const efd::ReductionSpec& rs = specs[s].spec;
                std::size_t k = 0;
                while (k < sets.size() && (sets[k].begin_offset != rs.begin_offset || sets[k].end_offset != rs.end_offset)) ++k;
                if (k == sets.size()) {
                    sets.push_back({rs.begin_offset, rs.end_offset, {}, {}, {}, std::vector<int32_t>(n_images, -1), 0});
                }
                set_of[s - g0] = k;
                for (uint32_t i : tasks_of_spec[s]) sets[k].position[i] = 0;  // needed; numbered below
            }
            std::vector<std::pair<int64_t, int64_t>> ranges;
            for (auto& ws : sets) {
                for (std::size_t i = 0; i < n_images; ++i) {
                    if (ws.position[i] < 0) continue;
                    ws.position[i] = static_cast<int32_t>(ws.images.size());
                    ws.images.push_back(static_cast<uint32_t>(i));
                    ws.windows.push_back({images[i]->begin + ws.begin_offset, images[i]->end + ws.end_offset});
                    ranges.push_back({ws.windows.back().begin, ws.windows.back().end});
                }
                ws.moments.assign(ws.images.size(), efd::Moments{});
            }
            bool overlapping = false;
            for (int32_t c : chans) {
                const ChannelInfo* info = channels().by_id(c);
                int64_t gap = info ? 2 * info->chunk_us : 0;
                for (auto& ws : sets) ws.lo = 0;
                WindowMoments merge(sets);
                std::vector<std::pair<int64_t, int64_t>> channel_ranges = merged_ranges(ranges, gap);
                std::size_t chunks = 0;
                for (const auto& [from, to] : channel_ranges) {
                    std::vector<ChunkStats> stats = chunk_stats(c, from, to);
                    chunks += stats.size();
                    if (!merge.plan(stats)) overlapping = true;
                }
                if (overlapping) break;
                // The chunks to read by key (one index descent each), or, when they are most of the
                // channel's chunks (a slow channel: every chunk holds a window bound), by range.
                if (merge.to_read().size() * 4 >= chunks * 3) {
                    for (const auto& [from, to] : channel_ranges) scan_chunks(c, from, to, merge);
                } else {
                    scan_chunks_at(c, merge.to_read(), merge);
                }
            }
            if (!overlapping) {  // else (chunk_seconds changed after samples were stored): the general path below
                for (std::size_t s = g0; s < g1; ++s) {
                    const WindowSet& ws = sets[set_of[s - g0]];
                    for (uint32_t i : tasks_of_spec[s]) {
                        Cell& cell = outs.at(i, s);
                        auto v = from_moments(specs[s].spec, ws.moments[static_cast<std::size_t>(ws.position[i])]);
                        ++computed;
                        cell.kind = v ? Cell::Number : Cell::None;
                        if (v) cell.value = *v;
                    }
                }
                done = true;
            }
        }
        if (!done) {
            // The general path: the channels' samples (windows ± reach) decoded into buffers.
            std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> wanted;
            for (std::size_t s = g0; s < g1; ++s) {
                int64_t reach = efd::spec_reach(specs[s].spec);
                for (uint32_t i : tasks_of_spec[s]) {
                    efd::Window w = efd::spec_window(specs[s].spec, images[i]->begin, images[i]->end);
                    for (int32_t c : chans) wanted[c].push_back({w.begin - reach, w.end + reach});
                }
            }
            std::vector<std::unique_ptr<efd::SampleBuffer>> bufs;
            std::vector<efd::SeriesView> views;
            for (int32_t c : chans) {
                bufs.push_back(pool.take());
                const ChannelInfo* info = channels().by_id(c);
                int64_t gap = info ? 2 * info->chunk_us : 0;
                for (const auto& [from, to] : merged_ranges(wanted[c], gap)) load_series(c, from, to, *bufs.back());
                views.push_back(bufs.back()->view());
            }
            // mean, min, max, stddev and count of the same window share one pass.
            std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<bool, efd::Moments>>> moment_cache;
            for (std::size_t s = g0; s < g1; ++s) {
                const Spec& spec = specs[s];
                const bool shared = !spec.unpivot && moments_shareable(spec.spec);
                std::vector<std::pair<bool, efd::Moments>>* cache = nullptr;
                if (shared) {
                    cache = &moment_cache[{spec.spec.begin_offset, spec.spec.end_offset}];
                    if (cache->empty()) cache->resize(n_images);
                }
                for (uint32_t i : tasks_of_spec[s]) {
                    const Image& im = *images[i];
                    Cell& cell = outs.at(i, s);
                    cell.kind = Cell::None;
                    if (spec.unpivot) {
                        uint32_t from = static_cast<uint32_t>(outs.nested.size());
                        for (std::size_t k = 0; k < views.size(); ++k) {
                            auto v = efd::evaluate(spec.spec, {views[k]}, im.begin, im.end);
                            ++computed;
                            if (v) outs.nested.push_back({static_cast<uint32_t>(k), *v});
                        }
                        uint32_t to = static_cast<uint32_t>(outs.nested.size());
                        if (to > from) {
                            cell.kind = Cell::Nested;
                            cell.nested = static_cast<uint32_t>(outs.nested_ranges.size());
                            outs.nested_ranges.push_back(nested_in_key_order(spec, outs, from, to));
                        }
                        continue;
                    }
                    std::optional<double> v;
                    if (shared) {
                        auto& [have, m] = (*cache)[i];
                        if (!have) {
                            efd::Window w = efd::spec_window(spec.spec, im.begin, im.end);
                            for (const auto& view : views) m.merge(efd::moments(view, w));
                            have = true;
                        }
                        v = from_moments(spec.spec, m);
                    } else {
                        v = efd::evaluate(spec.spec, views, im.begin, im.end);
                    }
                    ++computed;
                    if (v) cell.kind = Cell::Number, cell.value = *v;
                }
            }
            for (auto& b : bufs) pool.give(std::move(b));
        }
        g0 = g1;
    }

    // The jsonb objects, then one upsert per kind.
    std::vector<std::string> removed(n_images);
    for (std::size_t i = 0; i < n_images; ++i)
        for (uint32_t s : by_rank) {
            if (outs.at(i, s).kind != Cell::None) continue;
            if (!removed[i].empty()) removed[i] += '\x1f';
            removed[i] += specs[s].output_name;
        }
    MemoryContext old = MemoryContextSwitchTo(batch_cxt);
    try {
        std::vector<Datum> objects(n_images);
        JsonbBuild build{&specs, &by_rank, &outs, n_images, objects.data()};
        const JsonbBuild* bp = &build;
        pg::call([bp] { build_jsonb(*bp); });
        for (const char* kind : {"exposure", "visit"}) {
            std::vector<const Image*> of_kind;
            std::vector<Datum> values;
            std::vector<std::string> kind_removed;
            for (std::size_t i = 0; i < n_images; ++i) {
                if (images[i]->key.kind != kind) continue;
                of_kind.push_back(images[i]);
                values.push_back(objects[i]);
                kind_removed.push_back(removed[i]);
            }
            if (of_kind.empty()) continue;
            Datum* data = values.data();
            int n = static_cast<int>(values.size());
            Datum array = PointerGetDatum(pg::call([=] { return construct_array(data, n, JSONBOID, -1, false, TYPALIGN_INT); }));
            write_values(kind, of_kind, array, kind_removed);
        }
    } catch (...) {
        MemoryContextSwitchTo(old);
        throw;
    }
    MemoryContextSwitchTo(old);
    MemoryContextReset(batch_cxt);
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
    std::vector<Spec> specs = load_specs();
    name_fields_and_rank(specs);

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
        const std::size_t max_images = std::max<std::size_t>(1, std::min(kBatchImages, kBatchCells / std::max<std::size_t>(1, specs.size())));
        MemoryContext batch_cxt =
            pg::call([] { return AllocSetContextCreate(CurrentMemoryContext, "EFD recompute batch", ALLOCSET_DEFAULT_SIZES); });
        BufferPool pool;
        for (std::size_t from = 0; from < ordered.size();) {
            std::size_t to = from + 1;
            while (to < ordered.size() && to - from < max_images && ordered[to]->begin - ordered[from]->begin <= kBatchSpanUs)
                ++to;
            std::vector<const Image*> batch(ordered.begin() + static_cast<long>(from), ordered.begin() + static_cast<long>(to));
            computed += recompute_batch(specs, by_rank, spec_index, batch, pool, batch_cxt);
            from = to;
        }
        MemoryContextDelete(batch_cxt);
    }
    fill_environment(all);
    return computed;
}

void flush_samples() {
    EfdState& st = state();
    if (st.pending.empty()) return;
    AsEfdOwner owner;
    std::vector<ChangedRange> changes = write_samples(st.pending);
    st.pending_samples = 0;
    if (changes.empty()) return;

    // Images whose reductions over a changed channel may now differ: windows (with offsets and
    // reach) overlapping the changed time ranges.
    pg::SpiConnection spi;
    std::vector<Spec> specs = load_specs();
    std::map<int32_t, std::vector<const Spec*>> by_channel;
    for (const auto& s : specs)
        for (int32_t c : s.channels) by_channel[c].push_back(&s);
    std::vector<int64_t> lo, hi;
    std::vector<const ChangedRange*> ranges;
    for (const auto& ch : changes) {
        auto it = by_channel.find(ch.channel);
        if (it == by_channel.end()) continue;
        int64_t before = 0, after = 0;
        for (const Spec* s : it->second) {
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
        for (const Spec* s : by_channel[ch->channel])
            if (s->applies_to(key.kind)) d.reductions.insert(s->id);
    }
}

}  // namespace obsmeta::efd_sql
