// The work obsmeta defers to the end of a transaction, registered in one place and run in one
// explicit order. PostgreSQL calls transaction callbacks newest-registered first, so two callbacks
// of their own would run in whatever order the session happened to register them (and a callback
// registered while PostgreSQL is calling them is skipped): this is the one callback.
#pragma once

namespace obsmeta::pg {

// The steps before commit (and before PREPARE TRANSACTION), in the order they run.
enum class PreCommitStep : int {
    // Attached registries' changed rows → gen3 rows → CAOM2 → ivoa.obscore (gen3_to_caom2/transaction.cpp).
    kConversion = 0,
    // Buffered EFD samples → efd.chunk; images changed by them or by step 1 (its gen3 writes mark
    // exposures and visits) → reduced values → CAOM2 Environment (efd_sql/transaction.cpp).
    kEfdReductions = 1,
    // Coverage buckets grown by the steps before (or by the transaction's statements): their
    // pieces merged (coverage_sql/compaction.cpp). Last: what it locks is held only until the commit.
    kCoverageCompaction = 2,
    kCount
};

struct TransactionStep {
    bool (*has_work)();            // cheap: is there anything to do before commit?
    void (*before_commit)();       // runs under pg::guard with an active snapshot; may raise (the commit fails)
    void (*forget)();              // after commit, prepare or abort: drop this transaction's state
    void (*forget_subtransaction)();  // a subtransaction aborted (may be null)
    // Subtransaction boundaries with PostgreSQL's SubTransactionId (each may be null): a step that
    // buffers rows drops, when a subtransaction aborts, only what was buffered since it started.
    void (*subtransaction_started)(unsigned id);
    void (*subtransaction_committed)(unsigned id);
    void (*subtransaction_aborted)(unsigned id);
    // Runs, for a step with work, before the snapshot all steps share is taken (may be null): a
    // lock taken here makes that snapshot see everything its previous holder committed.
    void (*before_snapshot)();
};

// Registers a step (once per backend, from _PG_init). Throws std::logic_error if the step is taken.
void register_transaction_step(PreCommitStep step, const TransactionStep& callbacks);

// Called once from _PG_init: installs the transaction and subtransaction callbacks.
void install_transaction_callbacks();

}  // namespace obsmeta::pg
