// Whether this backend is a logical-replication apply (or table-sync) worker, and the leniency of
// the gen3 CHECK functions there.
//
// Under the apply worker an ERROR stops the subscription, which then retries the same transaction
// forever: one bad row would stall replication. So there, the gen3 CHECK functions accept what
// they would reject (the row is stored, as on the publisher, so later updates and deletes of it
// apply), count the rejection, and the row-level capture trigger re-checks that row strictly and
// quarantines it instead of converting it (src/replication/quarantine.hpp).
#pragma once

namespace obsmeta::replication {

// True in logical-replication apply and table-sync workers. Not merely session_replication_role =
// replica: a session that sets that role by hand is a client that can hear its errors, and only
// the apply worker retries a failed transaction forever.
bool under_apply_worker();

// Whether the CHECK functions must accept a bad value (under the apply worker, outside StrictChecks).
bool lenient_checks();
// A CHECK function accepted a bad value: the capture trigger must re-check its rows strictly.
void note_lenient_acceptance();
// Rejections accepted so far and not yet found again by a strict re-check.
int lenient_acceptances();
void forget_lenient_acceptance();

// While alive, the CHECK functions reject as they do for every other writer.
class StrictChecks {
public:
    StrictChecks();
    ~StrictChecks();
    StrictChecks(const StrictChecks&) = delete;
    StrictChecks& operator=(const StrictChecks&) = delete;

private:
    bool previous_;
};

}  // namespace obsmeta::replication

namespace obsmeta::replication {
// At the end of every transaction: nothing accepted is carried into the next one.
void reset_lenient_acceptances();
}  // namespace obsmeta::replication

namespace obsmeta::replication {
// Under a logical-replication apply worker session_replication_role is replica, so ordinary
// (ENABLE ORIGIN) triggers do not fire: CAOM2's checksums, cascades and harvest tombstones would
// miss what obsmeta itself writes there at commit (the conversion, the EFD's Environment). While
// alive, the role is origin, as for any writer. The variable is set directly, not through the GUC,
// whose assign hook resets every cached plan on each change (for rules enabled by role; obsmeta's
// statements meet none): that would re-plan every kept plan at every replicated commit.
class OriginRole {
public:
    OriginRole();
    ~OriginRole();
    OriginRole(const OriginRole&) = delete;
    OriginRole& operator=(const OriginRole&) = delete;

private:
    int saved_;
};
}  // namespace obsmeta::replication
