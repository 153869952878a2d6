// Keeps libxml2's error reporting local to one scope: while alive, libxml2 errors are collected here
// instead of going to its global handler (stderr, or whatever PostgreSQL's xml support installed).
#pragma once

#include <libxml/xmlerror.h>

#include <string>
#include <vector>

namespace obsmeta::caom2 {

class XmlErrorScope {
public:
    XmlErrorScope();
    ~XmlErrorScope();
    XmlErrorScope(const XmlErrorScope&) = delete;
    XmlErrorScope& operator=(const XmlErrorScope&) = delete;

    const std::vector<std::string>& messages() const { return messages_; }
    int first_line() const { return first_line_; }
    static void collect(void* self, xmlErrorPtr error);

private:
    xmlStructuredErrorFunc saved_func_;
    void* saved_ctx_;
    xmlGenericErrorFunc saved_generic_;
    void* saved_generic_ctx_;
    std::vector<std::string> messages_;
    int first_line_ = 0;
};

}  // namespace obsmeta::caom2
