#include "pg/input_limits.hpp"

#include "pg/error.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace obsmeta::pg::limits {

int max_region_vertices = 10000;
int max_region_nesting = 32;
int max_efd_array_length = 10000;
int max_efd_padding_s = 86400;
int max_yaml_bytes = 16 * 1024 * 1024;
int max_yaml_depth = 64;
int max_xml_bytes = 64 * 1024 * 1024;
int max_xml_depth = 64;

namespace {

void define(const char* name, const char* description, int* variable, int min, int max, int flags = 0) {
    DefineCustomIntVariable(name, description, "A superuser setting; see \"Limits\" in obsmeta's README.", variable,
                            *variable, min, max, PGC_SUSET, flags, nullptr, nullptr, nullptr);
}

}  // namespace

void define_settings() {
    define("obsmeta.max_region_vertices", "Most vertices of a sphgeom polygon or points of a footprint hull",
           &max_region_vertices, 3, 10000000);
    define("obsmeta.max_region_nesting", "Deepest Union/Intersection nesting of a sphgeom region", &max_region_nesting,
           1, 1000);
    define("obsmeta.max_efd_array_length", "Most channels efd.reduce pools in one call", &max_efd_array_length, 1,
           100000000);
    define("obsmeta.max_efd_padding", "Longest padding of efd.samples_for and efd.samples_for_visit",
           &max_efd_padding_s, 0, 20 * 366 * 86400, GUC_UNIT_S);
    define("obsmeta.max_yaml_bytes", "Largest consdb YAML configuration efd.parse_consdb_config reads",
           &max_yaml_bytes, 1, 1024 * 1024 * 1024, GUC_UNIT_BYTE);
    define("obsmeta.max_yaml_depth", "Deepest nesting of YAML collections", &max_yaml_depth, 1, 10000);
    define("obsmeta.max_xml_bytes", "Largest CAOM-2.4 document caom2.import_observation_xml reads", &max_xml_bytes, 1,
           1024 * 1024 * 1024, GUC_UNIT_BYTE);
    // libxml2 refuses documents deeper than 256 levels by itself (without XML_PARSE_HUGE)
    define("obsmeta.max_xml_depth", "Deepest element nesting of a CAOM-2.4 document", &max_xml_depth, 1, 256);
}

namespace {
std::string hint(const char* setting) {
    return std::string("A superuser can raise the limit: SET ") + setting +
           " = … (or ALTER DATABASE … SET); see \"Limits\" in obsmeta's README.";
}
}  // namespace

void check(std::size_t value, int limit, const char* what, const char* unit, const char* setting) {
    if (value <= static_cast<std::size_t>(limit)) return;
    throw Error(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                std::string(what) + " is " + std::to_string(value) + " " + unit + ", more than " + setting + " (" +
                    std::to_string(limit) + ")",
                {}, hint(setting));
}

void exceeded(const std::string& message, const char* setting, int limit) {
    throw Error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, message + " (" + setting + " = " + std::to_string(limit) + ")", {},
                hint(setting));
}

}  // namespace obsmeta::pg::limits
