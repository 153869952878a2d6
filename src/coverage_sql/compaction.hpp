// The coverage buckets' pieces merged just before commit (pg::PreCommitStep::kCoverageCompaction).
#pragma once

namespace obsmeta::coverage_sql {

// Registers the step (once per backend, from _PG_init).
void initialize();

}  // namespace obsmeta::coverage_sql
