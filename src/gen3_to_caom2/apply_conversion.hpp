// The commit's conversion under the logical-replication apply worker (see apply_conversion.cpp).
#pragma once

namespace obsmeta::gen3_to_caom2 {

// Converts the transaction's dirty keys; rows that fail are quarantined instead of raising.
void flush_under_apply_worker();

}  // namespace obsmeta::gen3_to_caom2
