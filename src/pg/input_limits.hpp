// Limits on inputs that can grow without bound (issue 13): a value above its limit fails with
// SQLSTATE 54000 (program_limit_exceeded), the value, the limit and a hint naming the setting.
// Every limit is a superuser setting (PGC_SUSET), so a reader or writer cannot raise it for
// themselves; a DBA sets it per database or role (ALTER DATABASE … SET obsmeta.max_… = …).
// The table of limits and their defaults is in README.md ("Limits").
#pragma once

#include <cstddef>
#include <string>

namespace obsmeta::pg::limits {

extern int max_region_vertices;   // obsmeta.max_region_vertices: vertices of one sphgeom polygon or a hull's points
extern int max_region_nesting;    // obsmeta.max_region_nesting: Union/Intersection nesting of a sphgeom region
extern int max_efd_array_length;  // obsmeta.max_efd_array_length: channels pooled by efd.reduce
extern int max_efd_padding_s;     // obsmeta.max_efd_padding: padding of efd.samples_for / samples_for_visit
extern int max_yaml_bytes;        // obsmeta.max_yaml_bytes: size of a consdb YAML configuration
extern int max_yaml_depth;        // obsmeta.max_yaml_depth: nesting of its collections
extern int max_xml_bytes;         // obsmeta.max_xml_bytes: size of a CAOM-2.4 document to import
extern int max_xml_depth;         // obsmeta.max_xml_depth: element nesting of that document

void define_settings();

// Throws pg::Error 54000 when value > limit: "<what> is <value> <unit>, more than <setting> (<limit>)".
void check(std::size_t value, int limit, const char* what, const char* unit, const char* setting);
// Throws pg::Error 54000: "<message> (<setting> = <limit>)" with the same hint.
[[noreturn]] void exceeded(const std::string& message, const char* setting, int limit);

}  // namespace obsmeta::pg::limits
