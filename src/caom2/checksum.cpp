#include "caom2/checksum.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {

// Java String.trim(): strips every char <= U+0020 from both ends.
std::string encode_string(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
    while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
    return std::string(s.substr(b, e - b));
}

// URI.toASCIIString(): non-ASCII characters are percent-encoded as their UTF-8 bytes.
std::string encode_uri(std::string_view s) {
    const std::string t = encode_string(s);
    std::string out;
    out.reserve(t.size());
    static const char* kHex = "0123456789ABCDEF";
    for (unsigned char c : t) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string encode_int64(std::int64_t v) {
    std::string b(8, '\0');
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(u >> (56 - 8 * i));
    return b;
}

std::string encode_int32(std::int32_t v) {
    std::string b(4, '\0');
    const auto u = static_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(u >> (24 - 8 * i));
    return b;
}

std::string encode_double(double v) {
    std::uint64_t bits;
    if (std::isnan(v)) bits = 0x7ff8000000000000ULL;  // Double.doubleToLongBits canonical NaN
    else std::memcpy(&bits, &v, sizeof bits);
    return encode_int64(static_cast<std::int64_t>(bits));
}

std::string encode_bool(bool v) { return std::string(1, v ? '\1' : '\0'); }

std::string encode_date(std::int64_t ms) { return encode_int64(ms / 1000); }  // Java: truncating division

std::string encode_uuid(const Uuid& u) { return std::string(reinterpret_cast<const char*>(u.data()), u.size()); }

namespace {

void hash_scalar(Md5& md5, const Value& v, Kind kind) {
    switch (kind) {
        case Kind::String: md5.update(encode_string(v.text)); break;
        case Kind::Uri: md5.update(encode_uri(v.text)); break;
        case Kind::Int32: md5.update(encode_int32(static_cast<std::int32_t>(v.integer))); break;
        case Kind::Int64: md5.update(encode_int64(v.integer)); break;
        case Kind::Double: md5.update(encode_double(v.number)); break;
        case Kind::Bool: md5.update(encode_bool(v.integer != 0)); break;
        case Kind::Date: md5.update(encode_date(v.integer)); break;
        case Kind::Object:
            if (v.object) hash_object(md5, *v.object);
            break;
        default: break;
    }
}

int ordinal(const FieldSpec& spec, const std::string& text) {
    for (std::size_t i = 0; i < spec.values.size(); ++i)
        if (text == spec.values[i]) return static_cast<int>(i);
    return static_cast<int>(spec.values.size());
}

}  // namespace

void hash_value(Md5& md5, const Value& v, const FieldSpec& spec) {
    if (!v.present()) return;
    if (v.kind != Kind::List) {
        hash_scalar(md5, v, v.kind);
        return;
    }
    if (spec.order == Order::Document) {
        for (const Value& item : v.items) hash_scalar(md5, item, item.kind);
        return;
    }
    std::vector<const Value*> items;
    items.reserve(v.items.size());
    for (const Value& item : v.items) items.push_back(&item);
    if (spec.order == Order::Sorted) {
        std::sort(items.begin(), items.end(), [](const Value* a, const Value* b) { return a->text < b->text; });
        // a TreeSet keeps one of equal items
        items.erase(std::unique(items.begin(), items.end(), [](const Value* a, const Value* b) { return a->text == b->text; }),
                    items.end());
    } else {
        std::stable_sort(items.begin(), items.end(),
                         [&spec](const Value* a, const Value* b) { return ordinal(spec, a->text) < ordinal(spec, b->text); });
        items.erase(std::unique(items.begin(), items.end(), [](const Value* a, const Value* b) { return a->text == b->text; }),
                    items.end());
    }
    for (const Value* item : items) hash_scalar(md5, *item, item->kind);
}

void hash_object(Md5& md5, const Object& o) {
    for (int i : o.type->checksum_order) hash_value(md5, o.slots[i], o.type->fields[i]);
}

Digest meta_checksum(const Entity& e) {
    Md5 md5;
    md5.update(encode_uuid(e.id));
    if (!e.meta_producer.empty()) md5.update(encode_uri(e.meta_producer));
    hash_object(md5, e.state);
    return md5.finish();
}

Digest acc_checksum(const Digest& meta, std::vector<std::pair<Uuid, Digest>>& children) {
    std::sort(children.begin(), children.end(),
              [](const auto& a, const auto& b) { return std::memcmp(a.first.data(), b.first.data(), 16) < 0; });
    Md5 md5;
    md5.update(meta.data(), meta.size());
    for (const auto& c : children) md5.update(c.second.data(), c.second.size());
    return md5.finish();
}

Digest acc_meta_checksum(const Entity& e) {
    std::vector<std::pair<Uuid, Digest>> kids;
    kids.reserve(e.children.size());
    for (const Entity& c : e.children) kids.emplace_back(c.id, acc_meta_checksum(c));
    return acc_checksum(meta_checksum(e), kids);
}

namespace {
Digest compute(Entity& e) {
    std::vector<std::pair<Uuid, Digest>> kids;
    kids.reserve(e.children.size());
    for (Entity& c : e.children) kids.emplace_back(c.id, compute(c));
    const Digest meta = meta_checksum(e);
    const Digest acc = acc_checksum(meta, kids);
    e.meta_checksum = md5_uri(meta);
    e.acc_meta_checksum = md5_uri(acc);
    return acc;
}

Digest verify(const Entity& e, std::vector<Mismatch>& out) {
    std::vector<std::pair<Uuid, Digest>> kids;
    for (const Entity& c : e.children) kids.emplace_back(c.id, verify(c, out));
    const Digest meta = meta_checksum(e);
    const Digest acc = acc_checksum(meta, kids);
    const std::string name = std::string(e.state.type->name) + " " + uuid_text(e.id);
    if (!e.meta_checksum.empty() && e.meta_checksum != md5_uri(meta))
        out.push_back({name, "metaChecksum", e.meta_checksum, md5_uri(meta)});
    if (!e.acc_meta_checksum.empty() && e.acc_meta_checksum != md5_uri(acc))
        out.push_back({name, "accMetaChecksum", e.acc_meta_checksum, md5_uri(acc)});
    return acc;
}
}  // namespace

void compute_checksums(Entity& e) { compute(e); }

std::vector<Mismatch> verify_checksums(const Entity& e) {
    std::vector<Mismatch> out;
    verify(e, out);
    return out;
}

}  // namespace obsmeta::caom2
