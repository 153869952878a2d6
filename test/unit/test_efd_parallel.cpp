// Unit tests for src/efd/parallel: every task runs once, an exception of a task reaches the caller,
// and the helper threads run with every signal blocked (PostgreSQL's handlers stay on the backend's
// thread).
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "efd/parallel.hpp"

using namespace obsmeta::efd;

TEST(EfdParallel, EveryTaskOnce) {
    std::vector<std::atomic<int>> runs(1000);
    parallel_for(runs.size(), 4, [&](std::size_t i) { ++runs[i]; });
    for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
}

TEST(EfdParallel, TaskErrorReachesTheCaller) {
    EXPECT_THROW(parallel_for(100, 3,
                              [](std::size_t i) {
                                  if (i == 57) throw std::runtime_error("corrupt chunk");
                              }),
                 std::runtime_error);
}

TEST(EfdParallel, HelpersBlockSignalsTheCallerKeepsItsMask) {
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    const std::thread::id caller = std::this_thread::get_id();
    std::atomic<int> helper_tasks{0}, unblocked{0};
    parallel_for(64, 2, [&](std::size_t) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));  // leaves tasks to the helper
        if (std::this_thread::get_id() == caller) return;
        ++helper_tasks;
        sigset_t mine;
        pthread_sigmask(SIG_SETMASK, nullptr, &mine);
        if (!sigismember(&mine, SIGINT) || !sigismember(&mine, SIGALRM) || !sigismember(&mine, SIGUSR1)) ++unblocked;
    });
    EXPECT_GT(helper_tasks.load(), 0);
    EXPECT_EQ(unblocked.load(), 0);
    sigset_t after;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    EXPECT_EQ(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
}

TEST(EfdParallel, ThreadsForFewTasksIsOne) {
    EXPECT_EQ(threads_for(3, 8), 1u);
    EXPECT_GE(threads_for(1000, 8), 1u);
    EXPECT_LE(threads_for(1000, 8), 8u);
}
