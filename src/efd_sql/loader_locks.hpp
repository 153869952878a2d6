// The EFD loaders' locks (a chunk's or an image's read-merge-write): row locks of efd.loader_lock
// that readers cannot take (schema/60_efd/66_efd_loader_locks.sql). A schema older than 0.4.0 (library
// installed before ALTER EXTENSION UPDATE) has no such table: the advisory locks of before then.
#pragma once

#include <cstdint>
#include <vector>

namespace obsmeta::efd_sql {

enum class LoaderLock : char { chunk = 'c', image = 'i' };

// Locks these keys until the end of the transaction (all in one call, in a fixed order).
void lock_loader_keys(LoaderLock kind, std::vector<int64_t> keys);

}  // namespace obsmeta::efd_sql
