// The CAOM-2.4 XML reader (xml_import): any bytes end in XmlError or an observation; an observation
// read is written back, and the written document reads again to the same checksums, is a fixed
// point of write(read(.)), and validates against CAOM-2.4.xsd (libxml2's validator) when the input did.
#include <cstdint>
#include <string>
#include <string_view>
#include <optional>

#include <sanitizer/lsan_interface.h>

#include "caom2/checksum.hpp"
#include "caom2/xml.hpp"
#include "check.hpp"

using namespace obsmeta::caom2;

namespace {
const std::string kXsd = std::string(OBSMETA_SHARED_DIR) + "/anchors/caom2/CAOM-2.4.xsd";
}

// validate_xsd parses the schema once per process and keeps it; libxml2's parsed schema is a cycle
// LeakSanitizer reports at exit. Loading it here, with leak checking off, leaves every later
// allocation checked.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
    __lsan_disable();
    (void)validate_xsd("<x/>", kXsd);
    __lsan_enable();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    std::optional<Entity> read;
    try {
        read.emplace(read_observation_xml(xml));
    } catch (const XmlError&) {
        return 0;
    }
    const std::string written = write_observation_xml(*read);
    std::optional<Entity> again;
    try {
        again.emplace(read_observation_xml(written));
    } catch (const XmlError& e) {
        FUZZ_CHECK(false, "the written document does not read back: %s\n%s", e.what(), written.c_str());
    }
    FUZZ_CHECK(write_observation_xml(*again) == written, "write(read(written)) differs from written");
    FUZZ_CHECK(meta_checksum(*read) == meta_checksum(*again), "metaChecksum changed through XML");
    FUZZ_CHECK(acc_meta_checksum(*read) == acc_meta_checksum(*again), "accMetaChecksum changed through XML");
    // The reader checks structure and types, not every XSD facet (obsmeta.caom2_xsd adds the full
    // validation on import), so only a valid input must give a valid output.
    if (validate_xsd(xml, kXsd).empty()) {
        const std::vector<std::string> errors = validate_xsd(written, kXsd);
        FUZZ_CHECK(errors.empty(), "a valid document was written as invalid CAOM-2.4: %s\n%s", errors.front().c_str(),
                   written.c_str());
    }
    return 0;
}
