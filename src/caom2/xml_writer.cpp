// Writes a CAOM-2.4 observation document with libxml2's xmlTextWriter: elements in XSD order, sets
// in the order the Java model keeps them (sorted), doubles in their shortest round-trip form, dates
// as yyyy-MM-ddTHH:mm:ss.SSS, two spaces of indentation per level. libxml2 does the escaping.
#include "caom2/xml.hpp"

#include <libxml/entities.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <memory>
#include <new>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// XML 1.0 cannot represent the C0 controls other than tab, newline and carriage return (not even as
// character references): they are dropped.
std::string xml_chars(const std::string& s) {
    auto bad = [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r'; };
    if (std::none_of(s.begin(), s.end(), bad)) return s;
    std::string out;
    std::remove_copy_if(s.begin(), s.end(), std::back_inserter(out), bad);
    return out;
}

// The document's bytes, appended by libxml2's output buffer (a C callback: nothing may escape it).
int append_output(void* context, const char* buffer, int len) noexcept {
    try {
        static_cast<std::string*>(context)->append(buffer, static_cast<std::size_t>(len));
        return len;
    } catch (...) {
        return -1;
    }
}

struct FreeWriter {
    void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
};
struct FreeDoc {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct FreeChars {
    void operator()(xmlChar* s) const { xmlFree(s); }
};

class Writer {
public:
    explicit Writer(std::string& out) {
        xmlOutputBufferPtr buffer = xmlOutputBufferCreateIO(append_output, nullptr, &out, nullptr);
        if (buffer == nullptr) throw std::bad_alloc();
        writer_.reset(xmlNewTextWriter(buffer));  // owns the buffer from here on, even when it fails
        // Element text is escaped by libxml2's xmlEncodeEntitiesReentrant, which needs a document
        // that declares its encoding to leave UTF-8 as it is (attributes: the writer's own document).
        escaping_.reset(xmlNewDoc(x("1.0")));
        if (!writer_ || !escaping_) throw std::bad_alloc();
        escaping_->encoding = xmlStrdup(x("UTF-8"));
        if (escaping_->encoding == nullptr) throw std::bad_alloc();
        check(xmlTextWriterSetIndent(writer_.get(), 1));
        check(xmlTextWriterSetIndentString(writer_.get(), x("  ")));
    }

    // <?xml version="1.0" encoding="UTF-8"?> and the root element (its namespace declarations first).
    void start_document(const char* observation_type) {
        check(xmlTextWriterStartDocument(writer_.get(), "1.0", "UTF-8", nullptr));
        start("Observation");
        check(xmlTextWriterWriteAttribute(writer_.get(), x("xmlns:caom2"), x(kNamespace)));
        check(xmlTextWriterWriteAttribute(writer_.get(), x("xmlns:xsi"), x(kXsiNamespace)));
        xsi_type(observation_type);
    }
    void end_document() {
        check(xmlTextWriterEndDocument(writer_.get()));
        check(xmlTextWriterFlush(writer_.get()));
    }

    void start(const char* name) {
        check(xmlTextWriterStartElementNS(writer_.get(), x("caom2"), x(name), nullptr));
        ++depth_;
        empty_ = true;
    }
    // An element without content keeps its end tag on a line of its own, as obsmeta always wrote it
    // (libxml2 would write <caom2:x/>): exported documents stay byte for byte what they were.
    void end() {
        --depth_;
        if (empty_) {
            const std::string line_break = "\n" + std::string(2 * static_cast<std::size_t>(depth_), ' ');
            check(xmlTextWriterWriteRaw(writer_.get(), x(line_break.c_str())));
        }
        check(xmlTextWriterEndElement(writer_.get()));
        empty_ = false;
    }
    void xsi_type(const char* type) {
        const std::string value = std::string("caom2:") + type;
        check(xmlTextWriterWriteAttribute(writer_.get(), x("xsi:type"), x(value.c_str())));
    }
    void attribute(const char* name, const std::string& value) {
        if (value.empty()) return;
        const std::string chars = xml_chars(value);
        check(xmlTextWriterWriteAttributeNS(writer_.get(), x("caom2"), x(name), nullptr, x(chars.c_str())));
    }
    // <caom2:name>text</caom2:name> on one line.
    void leaf(const char* name, const std::string& text) {
        start(name);
        const std::string chars = xml_chars(text);
        std::unique_ptr<xmlChar, FreeChars> escaped(xmlEncodeEntitiesReentrant(escaping_.get(), x(chars.c_str())));
        if (!escaped) throw std::bad_alloc();
        check(xmlTextWriterWriteRaw(writer_.get(), escaped.get()));
        empty_ = false;
        end();
    }

private:
    static void check(int rc) {
        if (rc < 0) throw std::runtime_error("libxml2 could not write the CAOM-2.4 document");
    }
    std::unique_ptr<xmlTextWriter, FreeWriter> writer_;
    std::unique_ptr<xmlDoc, FreeDoc> escaping_;
    int depth_ = 0;      // elements open
    bool empty_ = false;  // the innermost open element has no content yet
};

std::string scalar_text(const Value& v) {
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

struct Document {
    Writer& w;

    void object(const char* name, const Object& o, bool typed) {
        w.start(name);
        if (typed) w.xsi_type(o.type->name);
        fields(o, nullptr);
        w.end();
    }

    void list(const FieldSpec& f, const Value& v) {
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
        w.start(f.xml);
        for (const Value* i : items) {
            if (i->kind == Kind::Object) object(f.item_xml, *i->object, false);
            else w.leaf(f.item_xml, scalar_text(*i));
        }
        w.end();
    }

    void fields(const Object& o, const std::vector<Entity>* children) {
        const TypeSpec& t = *o.type;
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            const FieldSpec& f = t.fields[i];
            const Value& v = o.slots[i];
            if (f.kind == Kind::Children) {
                if (children == nullptr || children->empty()) continue;
                w.start(f.xml);
                for (const Entity& c : *children) entity(f.item_xml, c);
                w.end();
                continue;
            }
            if (!v.present()) continue;
            if (v.kind == Kind::Object) object(f.xml, *v.object, std::string_view(f.type) == "Shape");
            else if (v.kind == Kind::List) list(f, v);
            else w.leaf(f.xml, scalar_text(v));
        }
    }

    void entity_attributes(const Entity& e) {
        w.attribute("id", uuid_text(e.id));
        if (e.last_modified) w.attribute("lastModified", date_text(*e.last_modified));
        if (e.max_last_modified) w.attribute("maxLastModified", date_text(*e.max_last_modified));
        w.attribute("metaChecksum", e.meta_checksum);
        w.attribute("accMetaChecksum", e.acc_meta_checksum);
        w.attribute("metaProducer", e.meta_producer);
    }

    void entity(const char* name, const Entity& e) {
        w.start(name);
        entity_attributes(e);
        fields(e.state, &e.children);
        w.end();
    }
};

}  // namespace

std::string write_observation_xml(const Entity& observation) {
    std::string out;
    out.reserve(4096);
    {
        Writer w(out);
        Document doc{w};
        w.start_document(observation.state.type->name);
        doc.entity_attributes(observation);
        doc.fields(observation.state, &observation.children);
        w.end_document();
    }  // the writer is freed (and its buffer flushed) before `out` is returned
    return out;
}

}  // namespace obsmeta::caom2
