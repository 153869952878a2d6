#include "efd/parallel.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

unsigned threads_for(std::size_t tasks, std::size_t min_tasks_per_thread) {
    const unsigned cores = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    const std::size_t useful = std::max<std::size_t>(1, tasks / std::max<std::size_t>(1, min_tasks_per_thread));
    return static_cast<unsigned>(std::min<std::size_t>(cores, useful));
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& task) {
    if (threads <= 1 || n <= 1) {
        for (std::size_t i = 0; i < n; ++i) task(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex m;
    std::exception_ptr error;
    auto work = [&] {
        try {
            for (std::size_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < n;) task(i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(m);
            if (!error) error = std::current_exception();
            failed = true;
        }
    };
    std::vector<std::thread> helpers;
    {
        // New threads inherit the creating thread's signal mask: block everything while creating
        // them, then restore the backend thread's mask.
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        try {
            for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work);
        } catch (...) {
            // No thread (resources): the helpers started so far and this thread do the work.
        }
        pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    }
    work();
    for (auto& h : helpers) h.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace obsmeta::efd
