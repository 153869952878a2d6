// Full XML-schema validation of a document against a CAOM-2.4.xsd file (libxml2's validator). The
// parsed schema is kept per path for the life of the process.
#include "caom2/xml.hpp"
#include "caom2/xml_errors.hpp"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <map>
#include <memory>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {
namespace {

xmlSchema* load_schema(const std::string& path) {
    static std::map<std::string, xmlSchema*> cache;  // kept: parsed once per process
    auto it = cache.find(path);
    if (it != cache.end()) return it->second;
    XmlErrorScope errors;
    xmlSchemaParserCtxt* pctxt = xmlSchemaNewParserCtxt(path.c_str());
    if (pctxt == nullptr) throw std::runtime_error("cannot read XML schema " + path);
    xmlSchema* schema = xmlSchemaParse(pctxt);
    xmlSchemaFreeParserCtxt(pctxt);
    if (schema == nullptr)
        throw std::runtime_error("cannot load XML schema " + path +
                                 (errors.messages().empty() ? std::string() : ": " + errors.messages().front()));
    cache.emplace(path, schema);
    return schema;
}

}  // namespace

std::vector<std::string> validate_xsd(std::string_view xml, const std::string& xsd_path) {
    xmlSchema* schema = load_schema(xsd_path);
    XmlErrorScope errors;
    std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "observation.xml", nullptr, XML_PARSE_NONET), xmlFreeDoc);
    if (!doc) {
        std::vector<std::string> out = errors.messages();
        if (out.empty()) out.push_back("not well-formed XML");
        return out;
    }
    std::unique_ptr<xmlSchemaValidCtxt, void (*)(xmlSchemaValidCtxt*)> vctxt(xmlSchemaNewValidCtxt(schema),
                                                                             xmlSchemaFreeValidCtxt);
    const int rc = xmlSchemaValidateDoc(vctxt.get(), doc.get());
    std::vector<std::string> out = errors.messages();
    if (rc != 0 && out.empty()) out.push_back("document does not validate against " + xsd_path);
    return out;
}

}  // namespace obsmeta::caom2
