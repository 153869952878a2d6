// Reads a CAOM-2.4 observation document with libxml2's parser into an Entity, checking the document
// against the model description (schema.hpp) as it goes.
#include "caom2/xml.hpp"
#include "caom2/xml_errors.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {
namespace {

using R = XmlError::Reason;

struct DocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct CtxtFree {
    void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

[[noreturn]] void invalid(const xmlNode* n, const std::string& message) {
    throw XmlError(R::Invalid, message, n ? static_cast<int>(xmlGetLineNo(n)) : 0);
}

bool is_caom(const xmlNode* n) {
    return n->ns != nullptr && n->ns->href != nullptr && std::strcmp(reinterpret_cast<const char*>(n->ns->href), kNamespace) == 0;
}

std::string name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string text_of(const xmlNode* n) {
    std::string s;
    for (const xmlNode* c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content) s += reinterpret_cast<const char*>(c->content);
        } else if (c->type == XML_ELEMENT_NODE) {
            invalid(c, "element <" + name_of(c) + "> not allowed inside <" + name_of(n) + ">");
        }
    }
    return s;
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The element children of `n`; text between them must be whitespace.
std::vector<const xmlNode*> elements(const xmlNode* n) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (!is_caom(c))
                invalid(c, "element <" + name_of(c) + "> is not in the CAOM-2.4 namespace " + std::string(kNamespace));
            out.push_back(c);
        } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content && !trimmed(reinterpret_cast<const char*>(c->content)).empty())
                invalid(c, "unexpected text in <" + name_of(n) + ">");
        }
    }
    return out;
}

std::string attribute(const xmlNode* n, const char* name, const char* ns) {
    xmlChar* v = xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(ns));
    if (v == nullptr) return {};
    std::string s = reinterpret_cast<const char*>(v);
    xmlFree(v);
    return s;
}
bool has_attribute(const xmlNode* n, const char* name, const char* ns) {
    return xmlHasNsProp(n, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(ns)) != nullptr;
}

// The local name of an xsi:type QName whose prefix must denote the CAOM-2.4 namespace.
std::string xsi_type(const xmlNode* n) {
    const std::string qname = trimmed(attribute(n, "type", kXsiNamespace));
    if (qname.empty()) return {};
    const auto colon = qname.find(':');
    const std::string prefix = colon == std::string::npos ? std::string() : qname.substr(0, colon);
    const std::string local = colon == std::string::npos ? qname : qname.substr(colon + 1);
    xmlNs* ns = xmlSearchNs(n->doc, const_cast<xmlNode*>(n),
                            prefix.empty() ? nullptr : reinterpret_cast<const xmlChar*>(prefix.c_str()));
    if (ns == nullptr || ns->href == nullptr || std::strcmp(reinterpret_cast<const char*>(ns->href), kNamespace) != 0)
        invalid(n, "xsi:type " + qname + " is not a CAOM-2.4 type");
    return local;
}

Value scalar(const xmlNode* n, Kind kind, const FieldSpec& f) {
    const std::string raw = text_of(n);
    const std::string t = trimmed(raw);
    Value v;
    v.kind = kind;
    auto bad = [&](const char* what) { invalid(n, "<" + name_of(n) + "> is not " + what + ": '" + t + "'"); };
    switch (kind) {
        case Kind::String:
        case Kind::Uri:
            v.text = kind == Kind::Uri ? t : raw;
            if (kind == Kind::Uri && t.empty()) bad("a URI");
            break;
        case Kind::Int32:
        case Kind::Int64:
            if (!parse_integer(t, v.integer)) bad("an integer");
            if (kind == Kind::Int32 && (v.integer < INT32_MIN || v.integer > INT32_MAX)) bad("a 32-bit integer");
            break;
        case Kind::Double:
            if (!parse_double(t, v.number)) bad("a double");
            break;
        case Kind::Bool:
            if (t == "true" || t == "1") v.integer = 1;
            else if (t == "false" || t == "0") v.integer = 0;
            else bad("a boolean");
            break;
        case Kind::Date:
            if (!parse_date(t, v.integer)) bad("a date (yyyy-MM-ddTHH:mm:ss.SSS)");
            break;
        default: invalid(n, "internal: not a scalar kind");
    }
    if (!f.values.empty()) {
        const std::string check = kind == Kind::Int32 ? std::to_string(v.integer) : t;
        bool ok = false;
        for (const char* allowed : f.values) ok = ok || check == allowed;
        if (!ok) invalid(n, "<" + name_of(n) + "> value '" + t + "' is not one of the CAOM-2.4 values");
    }
    return v;
}

void read_object(const xmlNode* n, Object& o);
void read_entity(const xmlNode* n, Entity& e);

std::size_t min_items(const FieldSpec& f) {
    const std::string item = f.item_xml ? f.item_xml : "";
    if (item == "point" || item == "vertex") return 3;
    if (item == "sample" || item == "state") return 1;
    return 0;
}

void read_field(const xmlNode* n, const FieldSpec& f, Value& v, std::vector<Entity>* children) {
    switch (f.kind) {
        case Kind::Object: {
            std::string type = f.type;
            if (type == "Shape") {
                type = xsi_type(n);
                if (type.empty()) invalid(n, "<" + name_of(n) + "> needs an xsi:type (caom2:Polygon or caom2:Circle)");
                if (!has_type(type) || type_spec(type).base == nullptr || std::strcmp(type_spec(type).base, "Shape") != 0)
                    invalid(n, "xsi:type caom2:" + type + " is not a CAOM-2.4 Shape");
            }
            v.kind = Kind::Object;
            v.object = std::make_unique<Object>(type);
            read_object(n, *v.object);
            return;
        }
        case Kind::List: {
            v.kind = Kind::List;
            for (const xmlNode* c : elements(n)) {
                if (name_of(c) != f.item_xml) invalid(c, "expected <" + std::string(f.item_xml) + "> in <" + f.xml + ">");
                if (f.item == Kind::Object) {
                    Value item;
                    item.kind = Kind::Object;
                    item.object = std::make_unique<Object>(f.type);
                    read_object(c, *item.object);
                    v.items.push_back(std::move(item));
                } else {
                    v.items.push_back(scalar(c, f.item, f));
                }
            }
            if (v.items.size() < min_items(f))
                invalid(n, "<" + std::string(f.xml) + "> needs at least " + std::to_string(min_items(f)) + " <" +
                               f.item_xml + ">");
            return;
        }
        case Kind::Children:
            for (const xmlNode* c : elements(n)) {
                if (name_of(c) != f.item_xml) invalid(c, "expected <" + std::string(f.item_xml) + "> in <" + f.xml + ">");
                children->emplace_back(f.type);
                read_entity(c, children->back());
            }
            return;
        default: v = scalar(n, f.kind, f);
    }
}

void read_fields(const xmlNode* n, Object& o, std::vector<Entity>* children) {
    const TypeSpec& t = *o.type;
    int last = -1;
    for (const xmlNode* c : elements(n)) {
        const std::string name = name_of(c);
        const int i = t.index_of(name);
        if (i < 0) invalid(c, "unexpected element <" + name + "> in " + t.name);
        if (i <= last) invalid(c, "element <" + name + "> repeated or out of order in " + std::string(t.name));
        if (t.choice && last >= 0) invalid(c, std::string(t.name) + " takes exactly one of its elements");
        last = i;
        read_field(c, t.fields[i], o.slots[i], children);
    }
    for (std::size_t i = 0; i < t.fields.size(); ++i)
        if (t.fields[i].required && !o.slots[i].present())
            invalid(n, std::string(t.name) + " <" + name_of(n) + "> lacks required element <" + t.fields[i].xml + ">");
    if (t.choice && last < 0) invalid(n, std::string(t.name) + " needs one of its elements");
}

void read_object(const xmlNode* n, Object& o) { read_fields(n, o, nullptr); }

void read_entity(const xmlNode* n, Entity& e) {
    const std::string id = attribute(n, "id", kNamespace);
    if (id.empty()) invalid(n, "<" + name_of(n) + "> lacks the caom2:id attribute");
    if (!parse_uuid(id, e.id) || id != uuid_text(e.id)) invalid(n, "caom2:id '" + id + "' is not a lower-case UUID");
    auto date_attr = [&](const char* name, std::optional<std::int64_t>& out) {
        if (!has_attribute(n, name, kNamespace)) return;
        std::int64_t ms;
        const std::string s = trimmed(attribute(n, name, kNamespace));
        if (!parse_date(s, ms)) invalid(n, std::string("caom2:") + name + " '" + s + "' is not a date");
        out = ms;
    };
    date_attr("lastModified", e.last_modified);
    date_attr("maxLastModified", e.max_last_modified);
    e.meta_checksum = trimmed(attribute(n, "metaChecksum", kNamespace));
    e.acc_meta_checksum = trimmed(attribute(n, "accMetaChecksum", kNamespace));
    e.meta_producer = trimmed(attribute(n, "metaProducer", kNamespace));
    read_fields(n, e.state, &e.children);
}

// Deepest element nesting below `root`, walked without recursion; stops counting past `limit`.
int element_depth(const xmlNode* root, int limit) {
    int depth = 1, deepest = 1;
    const xmlNode* n = root;
    while (n != nullptr && deepest <= limit) {
        if (n->children != nullptr) {
            n = n->children;
            ++depth;
        } else {
            while (n != root && n->next == nullptr) {
                n = n->parent;
                --depth;
            }
            if (n == root) break;
            n = n->next;
        }
        if (n->type == XML_ELEMENT_NODE && depth > deepest) deepest = depth;
    }
    return deepest;
}

}  // namespace

Entity read_observation_xml(std::string_view xml, int max_depth) {
    XmlErrorScope errors;
    std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
    if (!ctxt) throw XmlError(R::Malformed, "out of memory creating the XML parser");
    // No network, no entity substitution, no DTD loading.
    std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()),
                                                           "observation.xml", nullptr, XML_PARSE_NONET));
    if (!doc) {
        std::string msg = errors.messages().empty() ? "not well-formed XML" : errors.messages().front();
        throw XmlError(R::Malformed, "malformed XML: " + msg, errors.first_line());
    }
    if (doc->intSubset != nullptr) throw XmlError(R::Malformed, "a DOCTYPE is not allowed in a CAOM-2.4 document");
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (root == nullptr) throw XmlError(R::Malformed, "empty XML document");
    if (element_depth(root, max_depth) > max_depth)
        throw XmlError(R::TooDeep, "elements are nested more than " + std::to_string(max_depth) + " levels deep");
    const std::string ns = root->ns && root->ns->href ? reinterpret_cast<const char*>(root->ns->href) : "";
    if (ns != kNamespace)
        throw XmlError(R::Namespace,
                       "unknown namespace '" + ns + "' of <" + name_of(root) + ">: expected " + kNamespace,
                       static_cast<int>(xmlGetLineNo(root)));
    if (name_of(root) != "Observation") invalid(root, "the root element is <" + name_of(root) + ">, not <Observation>");
    const std::string type = xsi_type(root);
    if (type != "SimpleObservation" && type != "DerivedObservation")
        invalid(root, "the Observation's xsi:type must be caom2:SimpleObservation or caom2:DerivedObservation");
    Entity obs(type);
    read_entity(root, obs);
    return obs;
}

}  // namespace obsmeta::caom2
