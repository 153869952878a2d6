// Lets the long loops of the pure geometry code stop when PostgreSQL wants to cancel the statement
// (statement_timeout, pg_cancel_backend) without including PostgreSQL headers or longjmp-ing
// through C++ frames: the extension installs a poll function (reading PostgreSQL's pending-
// interrupt flag); a loop calls poll_interrupt() every few thousand steps, which throws
// Interrupted when the poll says so. The stack unwinds normally, and the SQL entry point's guard
// then lets PostgreSQL process the interrupt (it reports the cancel, not this exception).
#pragma once

#include <cstddef>
#include <stdexcept>

namespace obsmeta::geom {

class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("geometry computation interrupted") {}
};

using InterruptPoll = bool (*)();
void set_interrupt_poll(InterruptPoll poll);  // nullptr: never interrupted (unit tests, tools)
void poll_interrupt();                        // throws Interrupted when the poll says so

// Calls poll_interrupt() once every 4096 steps of a loop.
inline void poll_interrupt_every(std::size_t step) {
    if ((step & 4095) == 4095) poll_interrupt();
}

}  // namespace obsmeta::geom
