// The consdb transformed-EFD configuration importer through its public API (consdb_config.hpp),
// whatever YAML parser sits underneath: any text ends in ConfigError, the nesting limit's
// yaml::DepthError (the API's documented refusal above max_depth), or a checked configuration.
#include <cmath>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "efd/consdb_config.hpp"
#include "efd/yaml_tree.hpp"

using namespace obsmeta::efd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (size <= 32) {
        const std::optional<double> s = parse_duration_seconds(text);
        FUZZ_CHECK(!s || std::isfinite(*s), "duration \"%s\" parsed as %g", text.c_str(), *s);
    }
    try {
        const ConsdbConfig config = parse_consdb_config(text);
        for (const ConsdbColumn& c : config.columns) {
            FUZZ_CHECK(!c.name.empty(), "a column without a name was accepted");
            FUZZ_CHECK(!c.topics.empty(), "column %s has no topics", c.name.c_str());
        }
    } catch (const ConfigError& e) {
        FUZZ_CHECK(e.what()[0] != '\0', "empty ConfigError message");
    } catch (const yaml::DepthError& e) {
        FUZZ_CHECK(e.line() >= 1, "nesting limit reported without a line");
    }
    return 0;
}
