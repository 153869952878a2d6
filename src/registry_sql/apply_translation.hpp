// The registry translation under the logical-replication apply worker, which must never raise for
// a bad row (the subscription would retry the same transaction forever).
#pragma once

namespace obsmeta::registry_sql {

// translate_pending() in a subtransaction; if it fails, the pending registry rows are halved
// recursively, each part translated in its own subtransaction, down to the single rows that fail:
// those are quarantined (obsmeta.quarantine, stage 'translate', the registry table and its primary
// key); everything else is translated. Rows that translate leave the list ('translate' entries).
// Failures that say nothing about a row (deadlock, cancel, resources) are raised.
void translate_under_apply_worker();

}  // namespace obsmeta::registry_sql
