// Checksum mismatches as the rows of a set-returning SQL function
// (entity text, id uuid, which text, stored text, computed text): caom2.verify_checksums and
// caom2.check_observation_xml return them the same way.
#pragma once

#include "caom2/checksum.hpp"
#include "pg/postgres.hpp"

#include <vector>

namespace obsmeta::caom2 {

void return_mismatches(FunctionCallInfo fcinfo, const std::vector<Mismatch>& mismatches);

}  // namespace obsmeta::caom2
