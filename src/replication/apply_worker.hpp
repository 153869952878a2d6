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

namespace obsmeta::replication {
// A subscription's initial sync runs several table-sync workers at once (and the apply worker beside
// them): each copies one table in its own transaction and cannot see the others' rows, so a child
// (a dataset) converted in one would miss its parent (an exposure) copied by another and wait in
// obsmeta.pending for a parent that the other transaction, blind to the child, converts alone.
// So under a logical-replication worker the commit's translation and conversion wait for an
// exclusive lock, held until commit, before taking their snapshot: of a parent and its child, the
// one that commits second sees the other and converts both. The lock is an advisory lock of a class
// (field4 = 3) that SQL's pg_advisory_* functions (1 and 2) cannot take: no reader can block it.
// Does nothing in other backends (plain-SQL writers lock the observations they convert).
void serialize_replicated_commits();
}  // namespace obsmeta::replication
