// Rubin's transformed-EFD configuration (lsst-dm/consdb, transformed_efd/config/config_*.yaml):
// the list of output columns, each a function of one or more EFD topic fields. Read with the
// mini YAML reader and checked, so that the importer can turn each column into efd.reduction rows.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace obsmeta::efd {

class ConfigError : public std::runtime_error {
public:
    ConfigError(const std::string& message, int line)
        : std::runtime_error(message), line_(line) {}
    int line() const { return line_; }

private:
    int line_;
};

struct ConsdbTopic {
    std::string name;                 // e.g. lsst.sal.ESS.temperature
    std::vector<std::string> fields;  // e.g. temperatureItem0 (the subset field, if listed, included)
};

struct ConsdbColumn {
    std::string name;
    std::vector<std::string> tables;  // exposure_efd, visit1_efd, *_unpivoted
    std::string function;             // mean, stddev, max, min, most_recent_value, rms_from_polynomial_fit
    std::map<std::string, std::string> function_args;  // e.g. ddof → "1", degree → "4", fit_basis → "index"
    std::optional<double> start_offset_hours;
    std::string pre_aggregate_interval;  // e.g. "1s" (empty: none)
    std::optional<double> pre_aggregate_seconds;
    bool store_unpivoted = false;
    bool packed_series = false;
    std::string subset_field;           // e.g. salIndex (empty: none)
    std::vector<long> subset_values;    // one or several instances
    std::string datatype;
    std::string unit, ucd;              // ivoa
    std::string description;
    std::vector<ConsdbTopic> topics;
    int line = 0;
};

struct ConsdbConfig {
    std::string version;
    std::vector<ConsdbColumn> columns;
};

// Parses and checks the whole file; ConfigError names the column and line of the first problem.
// max_depth bounds the YAML's nesting (yaml::DepthError, not a ConfigError, above it).
ConsdbConfig parse_consdb_config(const std::string& yaml_text, int max_depth = 64);

// "1s", "500ms", "2min", "1h" → seconds (nullopt if not understood).
std::optional<double> parse_duration_seconds(const std::string& text);

}  // namespace obsmeta::efd
