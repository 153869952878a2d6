// Recomputation of efd.exposure_value / efd.visit_value for the dirty images: set-based and
// channel-major (each channel's samples are decoded once for all images and reductions that need
// them), then one upsert per batch that writes only values that changed, and CAOM2 Environment.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "efd/reduction.hpp"
#include "efd_sql/channels.hpp"
#include "efd_sql/chunk_store.hpp"
#include "efd_sql/owner.hpp"
#include "efd_sql/pg_values.hpp"
#include "efd_sql/state.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"

namespace obsmeta::efd_sql {

namespace {


struct Spec {
    int32_t id;
    std::string output_name;
    efd::ReductionSpec spec;
    std::vector<int32_t> channels;  // the channel, then pooled channels
    bool unpivot, for_exposure, for_visit;
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

struct Task {
    std::size_t image;  // index into images
    std::size_t spec;   // index into specs
};

struct Image {
    ImageKey key;
    int64_t begin, end;
};

const efd::Moments& shared_moments(std::map<std::tuple<std::size_t, int64_t, int64_t>, efd::Moments>& cache,
                                   const Spec& spec, const std::vector<efd::SeriesView>& views, std::size_t image,
                                   const Image& im) {
    efd::Window w = efd::spec_window(spec.spec, im.begin, im.end);
    auto key = std::make_tuple(image, w.begin, w.end);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    efd::Moments m;
    for (const auto& v : views) m.merge(efd::moments(v, w));
    return cache.emplace(key, m).first->second;
}

// One image's new values, as a jsonb object text, and the outputs that no longer have a value.
struct ImageOut {
    std::vector<std::pair<std::string, std::string>> entries;  // output name → value as JSON
    std::vector<std::string> removed;  // outputs without a value now
    bool replace = false;              // every output recomputed: the object replaces the stored one
};

void json_string(std::string& out, const std::string& s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            continue;
        }
        out += c;
    }
    out += '"';
}

void json_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "\"NaN\"";
    } else if (std::isinf(v)) {
        out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
        out.append(buf, r.ptr);
    }
}

// The object's text with keys in jsonb's own order (length, then bytes), so that jsonb_in's sort
// finds them sorted.
std::string object_text(std::vector<std::pair<std::string, std::string>>& entries) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
    });
    std::string out = "{";
    for (const auto& [name, value] : entries) {
        if (out.size() > 1) out += ", ";
        json_string(out, name);
        out += ": ";
        out += value;
    }
    out += "}";
    return out;
}

void write_values(const std::string& kind, const std::vector<ImageKey>& keys, std::vector<ImageOut>& outs) {
    // Read-merge-write of each image's object; the images are locked (advisory, in key order) so
    // that two sessions recomputing different outputs of one image do not lose each other's.
    static const char* kSqlSimple = R"SQL(
INSERT INTO efd.%1$s_values AS v (instrument, %1$s, obs_id, "values")
SELECT k.instrument, k.id, obsmeta.%1$s_obs_id(k.instrument, k.id),
       CASE WHEN k.replace OR cur."values" IS NULL THEN k.vals::jsonb
            ELSE (cur."values" - coalesce(string_to_array(k.removed, chr(31)), '{}')) || k.vals::jsonb END
  FROM unnest($1::text[], $2::int8[], $3::text[], $4::bool[], $5::text[]) AS k(instrument, id, vals, replace, removed)
  LEFT JOIN efd.%1$s_values cur ON cur.instrument = k.instrument AND cur.%1$s = k.id
 ORDER BY 1, 2
ON CONFLICT (instrument, %1$s) DO UPDATE SET "values" = EXCLUDED."values", computed_at = now()
  WHERE v."values" IS DISTINCT FROM EXCLUDED."values")SQL";
    auto make = [](const char* k) {
        std::string sql = kSqlSimple, out;
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
    static const std::initializer_list<Oid> types = {TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, BOOLARRAYOID, TEXTARRAYOID};
    static pg::KeptPlan exposure_plan(make("exposure"), types);
    static pg::KeptPlan visit_plan(make("visit"), types);
    pg::KeptPlan& plan = kind == "exposure" ? exposure_plan : visit_plan;
    std::vector<std::size_t> order(keys.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto lock_key = [&](std::size_t i) {
        return static_cast<int64_t>(std::hash<std::string>{}(kind + '\x1f' + keys[i].instrument) * 31 +
                                    static_cast<uint64_t>(keys[i].id));
    };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lock_key(a) < lock_key(b); });
    for (std::size_t i : order) {
        int64_t key = lock_key(i);
        pg::call([key] { DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(key)); });
    }
    constexpr std::size_t kBatch = 2000;
    for (std::size_t from = 0; from < keys.size(); from += kBatch) {
        std::size_t to = std::min(keys.size(), from + kBatch);
        std::vector<std::string> instruments, vals, removed;
        std::vector<int64_t> ids;
        std::vector<bool> replace;
        for (std::size_t i = from; i < to; ++i) {
            instruments.push_back(keys[i].instrument);
            ids.push_back(keys[i].id);
            vals.push_back(object_text(outs[i].entries));
            replace.push_back(outs[i].replace);
            std::string r;
            for (const auto& name : outs[i].removed) {
                if (!r.empty()) r += '\x1f';
                r += name;
            }
            removed.push_back(r);
        }
        plan.execute({pg::text_array(instruments), pg::int8_array(ids), pg::text_array(vals), pg::bool_array(replace),
                      pg::text_array(removed)});
    }
}

void fill_environment(const std::vector<Image>& images) {
    static pg::KeptPlan plan(
        "SELECT efd.fill_environment(array_agg(i.obs_id)) FROM unnest($1::text[], $2::text[], $3::int8[]) AS k(kind, instrument, id) "
        "JOIN efd.image i ON i.kind = k.kind AND i.instrument = k.instrument AND i.id = k.id",
        {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID});
    std::vector<std::string> kinds, instruments;
    std::vector<int64_t> ids;
    for (const auto& im : images) {
        kinds.push_back(im.key.kind);
        instruments.push_back(im.key.instrument);
        ids.push_back(im.key.id);
    }
    plan.execute({pg::text_array(kinds), pg::text_array(instruments), pg::int8_array(ids)});
}

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

}  // namespace

int64_t recompute_dirty() {
    EfdState& st = state();
    if (st.dirty.empty()) return 0;
    std::map<ImageKey, DirtyImage> dirty;
    dirty.swap(st.dirty);
    AsEfdOwner owner;
    pg::SpiConnection spi;
    std::vector<Spec> specs = load_specs();

    // The dirty images that still exist, with their spans.
    static pg::KeptPlan span_times(
        "SELECT k.ord::int8, lower(i.span), upper(i.span) "
        "FROM unnest($1::text[], $2::text[], $3::int8[]) WITH ORDINALITY AS k(kind, instrument, id, ord) "
        "JOIN efd.image i ON i.kind = k.kind AND i.instrument = k.instrument AND i.id = k.id WHERE i.span IS NOT NULL",
        {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID});
    std::vector<const std::pair<const ImageKey, DirtyImage>*> entries;
    std::vector<std::string> kinds, instruments;
    std::vector<int64_t> ids;
    for (const auto& e : dirty) {
        entries.push_back(&e);
        kinds.push_back(e.first.kind);
        instruments.push_back(e.first.instrument);
        ids.push_back(e.first.id);
    }
    uint64 n = span_times.execute({pg::text_array(kinds), pg::text_array(instruments), pg::int8_array(ids)});
    std::vector<Image> images;
    std::vector<const DirtyImage*> image_dirt;
    for (uint64 r = 0; r < n; ++r) {
        std::size_t idx = static_cast<std::size_t>(pg::result_int64(r, 1)) - 1;
        bool isnull = false;
        int64_t b = DatumGetTimestampTz(pg::result_value(r, 2, &isnull));
        int64_t e = DatumGetTimestampTz(pg::result_value(r, 3, &isnull));
        images.push_back({entries[idx]->first, b, e});
        image_dirt.push_back(&entries[idx]->second);
    }
    // Every dirty image gets Environment, even without a timespan (elevation from the zenith angle).
    std::vector<Image> all;
    for (const auto* e : entries) all.push_back({e->first, 0, 0});
    if (images.empty()) {
        fill_environment(all);
        return 0;
    }

    // Tasks, grouped by the reductions' channel sets (specs are ordered by them).
    std::map<int32_t, std::size_t> spec_index;
    for (std::size_t s = 0; s < specs.size(); ++s) spec_index[specs[s].id] = s;
    std::vector<std::vector<std::size_t>> tasks_of_spec(specs.size());
    for (std::size_t i = 0; i < images.size(); ++i) {
        const DirtyImage& d = *image_dirt[i];
        auto add = [&](std::size_t s) {
            if (specs[s].applies_to(images[i].key.kind)) tasks_of_spec[s].push_back(i);
        };
        if (d.all) {
            for (std::size_t s = 0; s < specs.size(); ++s) add(s);
        } else {
            for (int32_t rid : d.reductions)
                if (auto it = spec_index.find(rid); it != spec_index.end()) add(it->second);
        }
    }
    // Per channel: the ranges to load, and the last spec that needs it (to free it after).
    std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> wanted;
    std::map<int32_t, std::size_t> last_use;
    for (std::size_t s = 0; s < specs.size(); ++s) {
        if (tasks_of_spec[s].empty()) continue;
        int64_t reach = efd::spec_reach(specs[s].spec);
        for (std::size_t i : tasks_of_spec[s]) {
            efd::Window w = efd::spec_window(specs[s].spec, images[i].begin, images[i].end);
            for (int32_t c : specs[s].channels) wanted[c].push_back({w.begin - reach, w.end + reach});
        }
        for (int32_t c : specs[s].channels) last_use[c] = s;
    }

    std::vector<ImageOut> outs(images.size());
    for (std::size_t i = 0; i < images.size(); ++i) outs[i].replace = image_dirt[i]->all;
    std::map<int32_t, efd::Series> loaded;
    int64_t computed = 0;
    std::string value_json;
    // mean, min, max, stddev and count of the same channels and window share one pass.
    std::map<std::tuple<std::size_t, int64_t, int64_t>, efd::Moments> moment_cache;
    std::vector<int32_t> moment_channels;
    for (std::size_t s = 0; s < specs.size(); ++s) {
        const Spec& spec = specs[s];
        if (tasks_of_spec[s].empty()) continue;
        std::vector<efd::SeriesView> views;
        std::vector<std::string> fields;
        if (spec.channels != moment_channels) {
            moment_cache.clear();
            moment_channels = spec.channels;
        }
        for (int32_t c : spec.channels) {
            auto it = loaded.find(c);
            if (it == loaded.end()) {
                efd::Series series;
                const ChannelInfo* info = channels().by_id(c);
                int64_t gap = info ? 2 * info->chunk_us : 0;
                for (const auto& [from, to] : merged_ranges(wanted[c], gap)) load_series(c, from, to, series);
                it = loaded.emplace(c, std::move(series)).first;
            }
            views.push_back(it->second.view());
            const ChannelInfo* info = channels().by_id(c);
            std::string field = info ? info->field : std::to_string(c);
            if (info && info->sal_index && spec.channels.size() > 1) field += ":" + std::to_string(*info->sal_index);
            fields.push_back(field);
        }
        for (std::size_t i : tasks_of_spec[s]) {
            const Image& im = images[i];
            ImageOut& out = outs[i];
            value_json.clear();
            if (spec.unpivot) {
                for (std::size_t k = 0; k < views.size(); ++k) {
                    auto v = efd::evaluate(spec.spec, {views[k]}, im.begin, im.end);
                    ++computed;
                    if (!v) continue;
                    value_json += value_json.empty() ? "{" : ", ";
                    json_string(value_json, fields[k]);
                    value_json += ": ";
                    json_number(value_json, *v);
                }
                if (!value_json.empty()) value_json += "}";
            } else {
                auto v = moments_shareable(spec.spec)
                             ? from_moments(spec.spec, shared_moments(moment_cache, spec, views, i, im))
                             : efd::evaluate(spec.spec, views, im.begin, im.end);
                ++computed;
                if (v) json_number(value_json, *v);
            }
            if (value_json.empty()) {
                out.removed.push_back(spec.output_name);
            } else {
                out.entries.emplace_back(spec.output_name, value_json);
            }
        }
        // Free channels no later spec needs.
        for (int32_t c : spec.channels)
            if (last_use[c] == s) loaded.erase(c);
    }
    for (const char* kind : {"exposure", "visit"}) {
        std::vector<ImageKey> keys;
        std::vector<ImageOut> kind_outs;
        for (std::size_t i = 0; i < images.size(); ++i) {
            if (images[i].key.kind != kind) continue;
            keys.push_back(images[i].key);
            kind_outs.push_back(std::move(outs[i]));
        }
        if (!keys.empty()) write_values(kind, keys, kind_outs);
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
