// The night's rows as text tables (one text value or NULL per column), the form both COPY and
// text-parameter INSERTs take, and the PostgreSQL COPY text format writer.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sample_night/night.hpp"

namespace obsmeta::sample {

using Field = std::optional<std::string>;  // nullopt = SQL NULL

struct TableText {
    std::string name;  // gen3 table name, unqualified
    std::vector<std::string> columns;
    std::vector<std::vector<Field>> rows;
};

// All ten tables in dependency (parents-first) order: instrument, physical_filter, detector,
// day_obs, exposure, visit, visit_definition, visit_detector_region, dataset, file_datastore_record.
// Values are PostgreSQL input text: bytea as \x hex, timestamptz as "YYYY-MM-DD HH:MM:SS.ffffff+00",
// doubles in shortest round-trip form.
std::vector<TableText> to_tables(const Night& night);

// COPY ... FROM STDIN (FORMAT text) data lines: tab-separated, \N for NULL, backslash escapes.
void write_copy(std::ostream& out, const TableText& table);
std::string copy_text(const TableText& table);

}  // namespace obsmeta::sample
