// Pure computation spread over the machine's cores from inside a PostgreSQL backend. The tasks
// must not call PostgreSQL (no palloc, no ereport, no catalog or buffer access): only the calling
// thread may. The other threads start with every signal blocked (PostgreSQL's handlers — cancel,
// timeouts, latches — must run on the backend's own thread), and all of them are joined before
// parallel_for returns. An exception thrown by a task stops the remaining ones and is rethrown on
// the calling thread (the first one, when several threw).
#pragma once

#include <cstddef>
#include <functional>

namespace obsmeta::efd {

// Threads worth using for `tasks` tasks of similar size: 1 for few tasks, else the machine's
// cores (at most 8).
unsigned threads_for(std::size_t tasks, std::size_t min_tasks_per_thread);

// Runs task(i) for every i in [0, n), on `threads` threads of which the caller is one; tasks are
// taken in index order as threads become free.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& task);

}  // namespace obsmeta::efd
