#include "pg/transaction_steps.hpp"

#include "pg/guard.hpp"
#include "pg/transaction.hpp"

#include <array>
#include <stdexcept>

namespace obsmeta::pg {

namespace {

constexpr int kSteps = static_cast<int>(PreCommitStep::kCount);
std::array<TransactionStep, kSteps> steps{};
bool installed = false;

bool any_work() {
    for (const TransactionStep& s : steps)
        if (s.has_work != nullptr && s.has_work()) return true;
    return false;
}

// No SQL-callable guard is on the stack in a transaction callback: this is the guard. A failure
// aborts the transaction, as a failing deferred constraint would.
void run_before_commit() {
    if (!any_work()) return;
    guard([]() -> Datum {
        for (const TransactionStep& s : steps)
            if (s.before_snapshot != nullptr && s.has_work != nullptr && s.has_work()) s.before_snapshot();
        call([] { PushActiveSnapshot(GetTransactionSnapshot()); });
        // In order: a step sees what the steps before it wrote (step 1's gen3 writes mark the
        // images step 2 recomputes).
        for (const TransactionStep& s : steps)
            if (s.has_work != nullptr && s.has_work()) s.before_commit();
        call([] { PopActiveSnapshot(); });
        return Datum(0);
    });
}

void forget_all() {
    for (const TransactionStep& s : steps)
        if (s.forget != nullptr) s.forget();
}

void on_transaction_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            run_before_commit();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PREPARE:
            forget_all();
            break;
        default:
            break;
    }
}

void on_subtransaction_event(SubXactEvent event, SubTransactionId id, SubTransactionId, void*) {
    for (const TransactionStep& s : steps) {
        switch (event) {
            case SUBXACT_EVENT_START_SUB:
                if (s.subtransaction_started != nullptr) s.subtransaction_started(id);
                break;
            case SUBXACT_EVENT_COMMIT_SUB:
                if (s.subtransaction_committed != nullptr) s.subtransaction_committed(id);
                break;
            case SUBXACT_EVENT_ABORT_SUB:
                if (s.forget_subtransaction != nullptr) s.forget_subtransaction();
                if (s.subtransaction_aborted != nullptr) s.subtransaction_aborted(id);
                break;
            default:
                break;
        }
    }
}

}  // namespace

void register_transaction_step(PreCommitStep step, const TransactionStep& callbacks) {
    TransactionStep& slot = steps.at(static_cast<std::size_t>(step));
    if (slot.before_commit != nullptr) throw std::logic_error("transaction step registered twice");
    slot = callbacks;
}

void install_transaction_callbacks() {
    if (installed) return;
    RegisterXactCallback(on_transaction_event, nullptr);
    RegisterSubXactCallback(on_subtransaction_event, nullptr);
    installed = true;
}

}  // namespace obsmeta::pg
