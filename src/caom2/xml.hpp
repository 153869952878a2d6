// CAOM-2.4 observation documents (namespace http://www.opencadc.org/caom2/xml/v2.4) <-> Entity.
// Reading uses libxml2 and is strict: the element order, required elements, enumerations and
// value types of CAOM-2.4.xsd are checked by the reader itself (schema.hpp); full XSD validation
// against a CAOM-2.4.xsd file is available too (validate_xsd).
#pragma once

#include "caom2/model.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace obsmeta::caom2 {

class XmlError : public std::runtime_error {
public:
    enum class Reason { Malformed, Namespace, Invalid, TooDeep };
    XmlError(Reason reason, const std::string& message, int line = 0)
        : std::runtime_error(message), reason_(reason), line_(line) {}
    Reason reason() const { return reason_; }
    int line() const { return line_; }

private:
    Reason reason_;
    int line_;
};

// Parses one caom2:Observation document; throws XmlError. Elements nested deeper than max_depth
// raise XmlError with Reason::TooDeep (libxml2 itself stops at 256 levels).
Entity read_observation_xml(std::string_view xml, int max_depth = 256);

// Writes the document of `observation` (a SimpleObservation or DerivedObservation entity).
std::string write_observation_xml(const Entity& observation);

// Validates `xml` against the XML schema in file `xsd_path`; returns the errors (empty: valid).
// Throws std::runtime_error when the schema itself cannot be loaded.
std::vector<std::string> validate_xsd(std::string_view xml, const std::string& xsd_path);

}  // namespace obsmeta::caom2
