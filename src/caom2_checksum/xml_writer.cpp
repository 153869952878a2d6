// Writes a CAOM-2.4 observation document: elements in XSD order, sets in the order the Java model
// keeps them (sorted), doubles in their shortest round-trip form, dates as yyyy-MM-ddTHH:mm:ss.SSS.
#include "caom2_checksum/xml.hpp"

#include <algorithm>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {
namespace {

void escape(std::string& out, std::string_view s, bool attr) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"':
                if (attr) out += "&quot;";
                else out.push_back(c);
                break;
            case '\r': out += "&#13;"; break;
            case '\t':
                if (attr) out += "&#9;";
                else out.push_back(c);
                break;
            case '\n':
                if (attr) out += "&#10;";
                else out.push_back(c);
                break;
            default:
                // C0 controls are not allowed in XML 1.0: they cannot be written, drop them.
                if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
        }
    }
}

struct Writer {
    std::string out;

    void indent(int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

    std::string scalar_text(const Value& v) const {
        switch (v.kind) {
            case Kind::String:
            case Kind::Uri: return v.text;
            case Kind::Int32:
            case Kind::Int64: return std::to_string(v.integer);
            case Kind::Double: return double_text(v.number);
            case Kind::Bool: return v.integer ? "true" : "false";
            case Kind::Date: return date_text(v.integer);
            default: return {};
        }
    }

    void leaf(int depth, const char* name, const std::string& text) {
        indent(depth);
        out += "<caom2:";
        out += name;
        out += '>';
        escape(out, text, false);
        out += "</caom2:";
        out += name;
        out += ">\n";
    }

    void open(int depth, const char* name, const char* xsi = nullptr) {
        indent(depth);
        out += "<caom2:";
        out += name;
        if (xsi) {
            out += " xsi:type=\"caom2:";
            out += xsi;
            out += '"';
        }
        out += ">\n";
    }
    void close(int depth, const char* name) {
        indent(depth);
        out += "</caom2:";
        out += name;
        out += ">\n";
    }

    void object(int depth, const char* name, const Object& o, bool typed) {
        open(depth, name, typed ? o.type->name : nullptr);
        fields(depth + 1, o, nullptr);
        close(depth, name);
    }

    void list(int depth, const FieldSpec& f, const Value& v) {
        if (v.items.empty()) return;
        std::vector<const Value*> items;
        for (const Value& i : v.items) items.push_back(&i);
        if (f.order == Order::Sorted) {
            std::sort(items.begin(), items.end(), [](const Value* a, const Value* b) { return a->text < b->text; });
            items.erase(std::unique(items.begin(), items.end(), [](auto a, auto b) { return a->text == b->text; }), items.end());
        } else if (f.order == Order::EnumOrdinal) {
            auto ord = [&f](const Value* x) {
                return std::find_if(f.values.begin(), f.values.end(), [x](const char* s) { return x->text == s; }) -
                       f.values.begin();
            };
            std::stable_sort(items.begin(), items.end(), [&](auto a, auto b) { return ord(a) < ord(b); });
            items.erase(std::unique(items.begin(), items.end(), [](auto a, auto b) { return a->text == b->text; }), items.end());
        }
        open(depth, f.xml);
        for (const Value* i : items) {
            if (i->kind == Kind::Object) object(depth + 1, f.item_xml, *i->object, false);
            else leaf(depth + 1, f.item_xml, scalar_text(*i));
        }
        close(depth, f.xml);
    }

    void fields(int depth, const Object& o, const std::vector<Entity>* children) {
        const TypeSpec& t = *o.type;
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            const FieldSpec& f = t.fields[i];
            const Value& v = o.slots[i];
            if (f.kind == Kind::Children) {
                if (children == nullptr || children->empty()) continue;
                open(depth, f.xml);
                for (const Entity& c : *children) entity(depth + 1, f.item_xml, c, nullptr);
                close(depth, f.xml);
                continue;
            }
            if (!v.present()) continue;
            if (v.kind == Kind::Object) object(depth, f.xml, *v.object, std::string_view(f.type) == "Shape");
            else if (v.kind == Kind::List) list(depth, f, v);
            else leaf(depth, f.xml, scalar_text(v));
        }
    }

    void attr(const char* name, const std::string& value) {
        if (value.empty()) return;
        out += " caom2:";
        out += name;
        out += "=\"";
        escape(out, value, true);
        out += '"';
    }

    void entity(int depth, const char* name, const Entity& e, const char* root_attrs) {
        indent(depth);
        out += "<caom2:";
        out += name;
        if (root_attrs) out += root_attrs;
        attr("id", uuid_text(e.id));
        if (e.last_modified) attr("lastModified", date_text(*e.last_modified));
        if (e.max_last_modified) attr("maxLastModified", date_text(*e.max_last_modified));
        attr("metaChecksum", e.meta_checksum);
        attr("accMetaChecksum", e.acc_meta_checksum);
        attr("metaProducer", e.meta_producer);
        out += ">\n";
        fields(depth + 1, e.state, &e.children);
        close(depth, name);
    }
};

}  // namespace

std::string write_observation_xml(const Entity& observation) {
    Writer w;
    w.out.reserve(4096);
    w.out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    const std::string root_attrs = std::string(" xmlns:caom2=\"") + kNamespace + "\" xmlns:xsi=\"" + kXsiNamespace +
                                   "\" xsi:type=\"caom2:" + observation.state.type->name + "\"";
    w.entity(0, "Observation", observation, root_attrs.c_str());
    return std::move(w.out);
}

}  // namespace obsmeta::caom2
