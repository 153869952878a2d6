#include "interrupt.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

namespace {
InterruptPoll g_poll = nullptr;
}

void set_interrupt_poll(InterruptPoll poll) { g_poll = poll; }

void poll_interrupt() {
    if (g_poll != nullptr && g_poll()) throw Interrupted();
}

}  // namespace obsmeta::geom
