#include "pg/logical_replication.hpp"
#include "replication/apply_worker.hpp"

#include "pg/postgres.hpp"

namespace obsmeta::replication {

namespace {
bool strict = false;
int accepted = 0;  // per backend; reset when a transaction ends (quarantine.cpp)
}  // namespace

bool under_apply_worker() { return IsLogicalWorker(); }

bool lenient_checks() { return !strict && under_apply_worker(); }
void note_lenient_acceptance() { ++accepted; }
int lenient_acceptances() { return accepted; }
void forget_lenient_acceptance() {
    if (accepted > 0) --accepted;
}

StrictChecks::StrictChecks() : previous_(strict) { strict = true; }
StrictChecks::~StrictChecks() { strict = previous_; }

}  // namespace obsmeta::replication

namespace obsmeta::replication {
void reset_lenient_acceptances() { accepted = 0; }
}  // namespace obsmeta::replication

namespace obsmeta::replication {
OriginRole::OriginRole() : saved_(SessionReplicationRole) { SessionReplicationRole = SESSION_REPLICATION_ROLE_ORIGIN; }
OriginRole::~OriginRole() { SessionReplicationRole = saved_; }
}  // namespace obsmeta::replication
