#include "caom2_sql/column_map.hpp"

#include <cctype>
#include <cstring>
#include <map>

namespace obsmeta::caom2 {

// productID -> product_id, sampleSNR -> sample_snr, geoLocationX -> geo_location_x
std::string snake_case(const std::string& camel) {
    std::string out;
    for (std::size_t i = 0; i < camel.size(); ++i) {
        const char c = camel[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            const bool prev_lower = i > 0 && (std::islower(static_cast<unsigned char>(camel[i - 1])) ||
                                              std::isdigit(static_cast<unsigned char>(camel[i - 1])));
            if (prev_lower) out.push_back('_');
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

namespace {

// Attribute paths whose column name is not the plain snake_case of the path.
const std::map<std::string, std::string>& renames() {
    static const std::map<std::string, std::string> m = {
        {"Chunk:positionAxis1", "position_axis_1"},
        {"Chunk:positionAxis2", "position_axis_2"},
        {"Plane:energy.restwav", "energy_rest_wav"},
        {"Observation:targetPosition.coordinates.cval1", "target_position_cval1"},
        {"Observation:targetPosition.coordinates.cval2", "target_position_cval2"},
    };
    return m;
}

std::string join(const std::vector<std::string>& path, char sep) {
    std::string s;
    for (const auto& p : path) {
        if (!s.empty()) s.push_back(sep);
        s += p;
    }
    return s;
}

// Scalar leaves of one list item, in field order (Interval: lower, upper; CoordRange1D: start.pix,
// start.val, end.pix, end.val; Vertex: cval1, cval2, type).
void item_leaves(const TypeSpec& t, std::vector<std::string> prefix, std::vector<std::vector<std::string>>& out,
                 std::vector<Kind>& kinds) {
    for (const FieldSpec& f : t.fields) {
        auto p = prefix;
        p.push_back(f.xml);
        if (f.kind == Kind::Object) item_leaves(type_spec(f.type), p, out, kinds);
        else {
            out.push_back(p);
            kinds.push_back(f.kind);
        }
    }
}

struct Builder {
    std::string root;  // "Observation", "Plane", ...
    std::vector<ColumnMap> maps;

    void json_list(const std::string& column, std::vector<std::string> path, const FieldSpec& f, const ColumnMap& ctx) {
        ColumnMap m = ctx;
        m.column = column;
        m.path = std::move(path);
        m.shape = ColumnMap::Shape::JsonList;
        m.kind = Kind::List;
        m.field = &f;
        m.item_type = f.type;
        item_leaves(type_spec(f.type), {}, m.item_leaves, m.item_kinds);
        maps.push_back(std::move(m));
    }

    void walk(const TypeSpec& t, std::vector<std::string> path, const std::string& prefix, const ColumnMap& ctx) {
        for (const FieldSpec& f : t.fields) {
            if (f.kind == Kind::Children) continue;
            if (std::strcmp(t.name, "Observation") == 0 && std::string(f.xml) == "members") continue;
            auto p = path;
            p.push_back(f.xml);
            const std::string key = root + ":" + join(p, '.');
            if (key == "Plane:provenance.inputs") continue;  // caom2.provenance_input
            auto it = renames().find(key);
            const std::string column = it != renames().end() ? it->second : (prefix.empty() ? "" : prefix + "_") + snake_case(f.xml);
            if (f.kind == Kind::Object) {
                const std::string ft = f.type;
                if (ft == "Shape") {  // Plane.position.bounds: Polygon (points, samples) or Circle
                    for (const char* variant : {"Polygon", "Circle"}) {
                        ColumnMap c = ctx;
                        c.variant = variant;
                        c.variant_depth = p.size() - 1;
                        walk(type_spec(variant), p, std::string(variant) == "Circle" ? column + "_circle" : column, c);
                    }
                } else if (ft == "MultiPolygon" || ft == "CoordPolygon2D") {
                    const TypeSpec& lt = type_spec(ft);
                    auto lp = p;
                    lp.push_back(lt.fields[0].xml);
                    json_list(column, lp, lt.fields[0], ctx);
                } else {
                    walk(type_spec(ft), p, column, ctx);
                }
            } else if (f.kind == Kind::List) {
                if (f.item == Kind::Object) {
                    json_list(column, p, f, ctx);
                } else {
                    ColumnMap m = ctx;
                    m.column = column;
                    m.path = p;
                    m.kind = f.item;
                    m.shape = ColumnMap::Shape::Array;
                    m.field = &f;
                    maps.push_back(std::move(m));
                }
            } else {
                ColumnMap m = ctx;
                m.column = column;
                m.path = p;
                m.kind = f.kind;
                m.field = &f;
                maps.push_back(std::move(m));
            }
        }
    }
};

std::vector<ColumnMap> build(const std::string& entity_type) {
    Builder b;
    b.root = (entity_type == "SimpleObservation" || entity_type == "DerivedObservation") ? "Observation" : entity_type;
    const TypeSpec& t = type_spec(entity_type);
    // walk() skips members with this name check:
    TypeSpec tmp = t;
    tmp.name = b.root == "Observation" ? "Observation" : t.name;
    b.walk(tmp, {}, "", ColumnMap{});
    // the FieldSpec pointers must point into the registry, not into tmp
    for (ColumnMap& m : b.maps) {
        if (m.path.size() == 1) m.field = &t.fields[t.index_of(m.path[0])];
    }
    return b.maps;
}

}  // namespace

const std::vector<ColumnMap>& column_maps(const std::string& entity_type) {
    static std::map<std::string, std::vector<ColumnMap>> cache;
    auto it = cache.find(entity_type);
    if (it == cache.end()) it = cache.emplace(entity_type, build(entity_type)).first;
    return it->second;
}

}  // namespace obsmeta::caom2
