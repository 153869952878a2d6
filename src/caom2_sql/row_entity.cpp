#include "caom2_sql/row_entity.hpp"
#include "pg/types.hpp"

#include "pg/datum.hpp"
#include "pg/error.hpp"

#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>

namespace obsmeta::caom2 {
namespace {

const TableInfo kTables[] = {
    {Level::Chunk, "chunk", "chunk_id", "part_id", "Chunk"},
    {Level::Part, "part", "part_id", "artifact_id", "Part"},
    {Level::Artifact, "artifact", "artifact_id", "plane_id", "Artifact"},
    {Level::Plane, "plane", "plane_id", "obs_id", "Plane"},
    {Level::Observation, "observation", "obs_id", nullptr, "DerivedObservation"},
};

constexpr std::int64_t kUnixEpochInPgMicros = 946684800LL * 1000000;  // 2000-01-01 - 1970-01-01

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Attribute numbers of the mapped columns in one tuple descriptor, cached per (level, natts).
struct Attnums {
    int natts = -1;
    std::vector<int> maps;  // per column_maps() entry: attnum or 0
    int id = 0, meta_producer = 0, last_modified = 0, max_last_modified = 0, meta = 0, acc = 0, obs_type = 0;
};

int attnum(TupleDesc desc, const char* name) {
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute a = TupleDescAttr(desc, i);
        if (!a->attisdropped && std::strcmp(NameStr(a->attname), name) == 0) return i + 1;
    }
    return 0;
}

const Attnums& attnums(TupleDesc desc, Level level, const std::vector<ColumnMap>& maps) {
    static std::map<std::pair<int, const void*>, Attnums> cache;
    Attnums& a = cache[{static_cast<int>(level), &maps}];
    const TableInfo& t = table_info(level);
    if (a.natts == desc->natts && a.id > 0 && attnum(desc, t.id) == a.id) return a;
    a.natts = desc->natts;
    a.maps.clear();
    for (const ColumnMap& m : maps) a.maps.push_back(attnum(desc, m.column.c_str()));
    a.id = attnum(desc, t.id);
    a.meta_producer = attnum(desc, "meta_producer");
    a.last_modified = attnum(desc, "last_modified");
    a.max_last_modified = attnum(desc, "max_last_modified");
    a.meta = attnum(desc, "meta_checksum");
    a.acc = attnum(desc, "acc_meta_checksum");
    a.obs_type = attnum(desc, "obs_type");
    if (a.id == 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta: no column ") + t.id + " in caom2 row");
    return a;
}

Datum get(HeapTuple tuple, TupleDesc desc, int att, bool* isnull) {
    if (att <= 0) {
        *isnull = true;
        return 0;
    }
    return heap_getattr(tuple, att, desc, isnull);
}

std::string text_datum(Datum d) { return pg::text_value(d); }

std::int64_t timestamptz_ms(Datum d) { return floor_div(DatumGetTimestampTz(d) + kUnixEpochInPgMicros, 1000); }

std::vector<std::string> text_array(Datum d) {
    ArrayType* arr = pg::call([d] { return DatumGetArrayTypeP(d); });
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int n = 0;
    pg::call([&] { deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
    std::vector<std::string> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i)
        if (!nulls[i]) out.push_back(text_datum(elems[i]));
    return out;
}

std::string jsonb_text(Datum d) {
    char* s = pg::call([d] {
        Jsonb* jb = DatumGetJsonbP(d);
        return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    });
    std::string out(s);
    pfree(s);
    return out;
}

Value scalar_value(Datum d, Oid type, Kind kind) {
    switch (kind) {
        case Kind::String:
        case Kind::Uri: return Value::of_string(text_datum(d), kind);
        case Kind::Int32:
            return Value::of_int(type == INT8OID ? DatumGetInt64(d) : DatumGetInt32(d), Kind::Int32);
        case Kind::Int64: return Value::of_int(type == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d), Kind::Int64);
        case Kind::Double: return Value::of_double(DatumGetFloat8(d));
        case Kind::Bool: return Value::of_int(DatumGetBool(d) ? 1 : 0, Kind::Bool);
        case Kind::Date: return Value::of_int(timestamptz_ms(d), Kind::Date);
        default: throw pg::Error(ERRCODE_INTERNAL_ERROR, "obsmeta: unexpected column kind");
    }
}

// The slot at `path` (creating the objects on the way; the polymorphic one with its variant type).
Value& slot_at(Object& root, const ColumnMap& m) {
    Object* o = &root;
    for (std::size_t i = 0; i + 1 < m.path.size(); ++i) {
        const bool poly = !m.variant.empty() && i == m.variant_depth;
        o = &o->object(m.path[i], poly ? std::string_view(m.variant) : std::string_view());
    }
    return o->slot(m.path.back());
}

void set_leaf(Object& item, const std::vector<std::string>& leaf, Kind kind, double number) {
    Object* o = &item;
    for (std::size_t i = 0; i + 1 < leaf.size(); ++i) o = &o->object(leaf[i]);
    Value& v = o->slot(leaf.back());
    if (kind == Kind::Double) v = Value::of_double(number);
    else v = Value::of_int(static_cast<std::int64_t>(number), kind);
}

}  // namespace

const TableInfo& table_info(Level level) { return kTables[static_cast<int>(level)]; }

const TableInfo* table_info_by_name(const char* table) {
    for (const TableInfo& t : kTables)
        if (std::strcmp(t.table, table) == 0) return &t;
    return nullptr;
}

std::vector<std::vector<double>> parse_number_arrays(const std::string& json) {
    std::vector<std::vector<double>> out;
    std::size_t i = 0;
    int depth = 0;
    auto fail = [&json]() -> void {
        throw pg::Error(ERRCODE_DATA_CORRUPTED, "obsmeta: malformed CAOM list value in jsonb", json);
    };
    while (i < json.size()) {
        const char c = json[i];
        if (c == '[') {
            ++depth;
            if (depth == 2) out.emplace_back();
            else if (depth > 2) fail();
            ++i;
        } else if (c == ']') {
            --depth;
            ++i;
        } else if (c == ',' || c == ' ' || c == '\n' || c == '\t') {
            ++i;
        } else {
            if (depth != 2) fail();
            std::size_t j = i;
            while (j < json.size() && json[j] != ',' && json[j] != ']' && json[j] != ' ') ++j;
            double v = 0;
            if (!parse_double(json.substr(i, j - i), v)) fail();
            out.back().push_back(v);
            i = j;
        }
    }
    if (depth != 0) fail();
    return out;
}

std::string observation_type(HeapTuple tuple, TupleDesc desc) {
    bool isnull = false;
    const Datum d = get(tuple, desc, attnum(desc, "obs_type"), &isnull);
    if (isnull) return "SimpleObservation";
    const std::string t = text_datum(d);
    return t == "DerivedObservation" ? t : "SimpleObservation";
}

void read_row(Entity& e, HeapTuple tuple, TupleDesc desc, Level level) {
    const std::string type = level == Level::Observation ? std::string("DerivedObservation") : table_info(level).type;
    const auto& maps = column_maps(type);
    const Attnums& a = attnums(desc, level, maps);
    bool isnull = false;
    Datum d = get(tuple, desc, a.id, &isnull);
    if (!isnull) std::memcpy(e.id.data(), DatumGetUUIDP(d)->data, 16);
    d = get(tuple, desc, a.meta_producer, &isnull);
    if (!isnull) e.meta_producer = text_datum(d);
    d = get(tuple, desc, a.last_modified, &isnull);
    if (!isnull) e.last_modified = timestamptz_ms(d);
    d = get(tuple, desc, a.max_last_modified, &isnull);
    if (!isnull) e.max_last_modified = timestamptz_ms(d);
    d = get(tuple, desc, a.meta, &isnull);
    if (!isnull) e.meta_checksum = text_datum(d);
    d = get(tuple, desc, a.acc, &isnull);
    if (!isnull) e.acc_meta_checksum = text_datum(d);

    for (std::size_t i = 0; i < maps.size(); ++i) {
        const ColumnMap& m = maps[i];
        d = get(tuple, desc, a.maps[i], &isnull);
        if (isnull) continue;
        const Oid coltype = TupleDescAttr(desc, a.maps[i] - 1)->atttypid;
        switch (m.shape) {
            case ColumnMap::Shape::Scalar: slot_at(e.state, m) = scalar_value(d, coltype, m.kind); break;
            case ColumnMap::Shape::Array: {
                Value list;
                list.kind = Kind::List;
                for (std::string& s : text_array(d)) list.items.push_back(Value::of_string(std::move(s), m.kind));
                if (!list.items.empty()) slot_at(e.state, m) = std::move(list);
                break;
            }
            case ColumnMap::Shape::JsonList: {
                const auto rows = parse_number_arrays(jsonb_text(d));
                if (rows.empty()) break;
                Value list;
                list.kind = Kind::List;
                for (const auto& r : rows) {
                    if (r.size() != m.item_leaves.size())
                        throw pg::Error(ERRCODE_DATA_CORRUPTED,
                                        "obsmeta: caom2." + std::string(table_info(level).table) + "." + m.column +
                                            " items need " + std::to_string(m.item_leaves.size()) + " numbers");
                    Value item;
                    item.kind = Kind::Object;
                    item.object = std::make_unique<Object>(m.item_type);
                    for (std::size_t k = 0; k < r.size(); ++k) set_leaf(*item.object, m.item_leaves[k], m.item_kinds[k], r[k]);
                    list.items.push_back(std::move(item));
                }
                slot_at(e.state, m) = std::move(list);
                break;
            }
        }
    }
}

namespace {

bool lookup(const Object& root, const ColumnMap& m, const Value*& out) {
    const Object* o = &root;
    for (std::size_t i = 0; i + 1 < m.path.size(); ++i) {
        const Value* v = o->get(m.path[i]);
        if (v == nullptr || v->kind != Kind::Object) return false;
        if (!m.variant.empty() && i == m.variant_depth && m.variant != v->object->type->name) return false;
        o = v->object.get();
    }
    out = o->get(m.path.back());
    return out != nullptr;
}

const Value* leaf_of(const Object& item, const std::vector<std::string>& leaf) {
    const Object* o = &item;
    for (std::size_t i = 0; i + 1 < leaf.size(); ++i) {
        const Value* v = o->get(leaf[i]);
        if (v == nullptr || v->kind != Kind::Object) return nullptr;
        o = v->object.get();
    }
    return o->get(leaf.back());
}

Datum text_datum_of(const std::string& s) {
    return pg::call([&s] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

}  // namespace

std::vector<ColumnValue> row_values(const Entity& e) {
    const std::string type = e.state.type->name;
    const auto& maps = column_maps(type == "SimpleObservation" ? "DerivedObservation" : type);
    std::vector<ColumnValue> out;
    for (const ColumnMap& m : maps) {
        const Value* v = nullptr;
        if (!lookup(e.state, m, v)) continue;
        switch (m.shape) {
            case ColumnMap::Shape::Scalar:
                switch (m.kind) {
                    case Kind::String:
                    case Kind::Uri: out.push_back({m.column, TEXTOID, text_datum_of(v->text)}); break;
                    case Kind::Int32: out.push_back({m.column, INT4OID, Int32GetDatum(static_cast<int32>(v->integer))}); break;
                    case Kind::Int64: out.push_back({m.column, INT8OID, Int64GetDatum(v->integer)}); break;
                    case Kind::Double: out.push_back({m.column, FLOAT8OID, Float8GetDatum(v->number)}); break;
                    case Kind::Bool: out.push_back({m.column, BOOLOID, BoolGetDatum(v->integer != 0)}); break;
                    case Kind::Date:
                        out.push_back({m.column, TIMESTAMPTZOID, TimestampTzGetDatum(v->integer * 1000 - kUnixEpochInPgMicros)});
                        break;
                    default: break;
                }
                break;
            case ColumnMap::Shape::Array: {
                std::vector<std::string> items;
                for (const Value& i : v->items) items.push_back(i.text);
                out.push_back({m.column, TEXTARRAYOID, pg::text_array(items)});
                break;
            }
            case ColumnMap::Shape::JsonList: {
                std::string json = "[";
                for (const Value& item : v->items) {
                    if (json.size() > 1) json += ", ";
                    json += "[";
                    for (std::size_t k = 0; k < m.item_leaves.size(); ++k) {
                        const Value* leaf = leaf_of(*item.object, m.item_leaves[k]);
                        if (k) json += ", ";
                        if (leaf == nullptr) throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "incomplete " + m.item_type);
                        if (leaf->kind == Kind::Double) {
                            if (!std::isfinite(leaf->number))
                                throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
                                                "obsmeta cannot store a non-finite coordinate in " + m.column);
                            json += double_text(leaf->number);
                        } else {
                            json += std::to_string(leaf->integer);
                        }
                    }
                    json += "]";
                }
                json += "]";
                const char* cs = json.c_str();
                out.push_back({m.column, JSONBOID, pg::call([cs] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(cs)); })});
                break;
            }
        }
    }
    return out;
}

}  // namespace obsmeta::caom2
