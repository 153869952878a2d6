#include "caom2/xml_errors.hpp"

#include <libxml/globals.h>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::caom2 {
namespace {
void ignore_generic(void*, const char*, ...) {}
}  // namespace

XmlErrorScope::XmlErrorScope()
    : saved_func_(xmlStructuredError),
      saved_ctx_(xmlStructuredErrorContext),
      saved_generic_(xmlGenericError),
      saved_generic_ctx_(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(this, &XmlErrorScope::collect);
    xmlSetGenericErrorFunc(nullptr, ignore_generic);
}

XmlErrorScope::~XmlErrorScope() {
    xmlSetStructuredErrorFunc(saved_ctx_, saved_func_);
    xmlSetGenericErrorFunc(saved_generic_ctx_, saved_generic_);
}

void XmlErrorScope::collect(void* self, xmlErrorPtr error) {
    auto* scope = static_cast<XmlErrorScope*>(self);
    if (error == nullptr || scope->messages_.size() >= 20) return;
    std::string m = error->message ? error->message : "XML error";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    if (error->line > 0) m = "line " + std::to_string(error->line) + ": " + m;
    if (scope->first_line_ == 0) scope->first_line_ = error->line;
    scope->messages_.push_back(std::move(m));
}

}  // namespace obsmeta::caom2
