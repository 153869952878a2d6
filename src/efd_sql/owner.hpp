// Runs a C++ scope as the owner of the efd schema (the extension's owner), like a SECURITY
// DEFINER function: EFD loaders need INSERT on efd.sample only, readers only EXECUTE on
// efd.samples_for, while chunks, reduced values and CAOM2 Environment are written by obsmeta.
// Leaving the scope restores the caller's identity; an error does too (transaction abort resets it).
// The scope also turns JIT off: obsmeta's statements are small and set-based, and JIT compilation
// (triggered by high cost estimates over array parameters) costs far more than it saves.
#pragma once

#include "pg/postgres.hpp"
#include "pg/settings.hpp"

namespace obsmeta::efd_sql {

class AsEfdOwner {
public:
    AsEfdOwner();
    ~AsEfdOwner();
    AsEfdOwner(const AsEfdOwner&) = delete;
    AsEfdOwner& operator=(const AsEfdOwner&) = delete;

private:
    pg::SettingsScope settings_;  // jit off; restored after the identity (members go last)
    Oid saved_user_;
    int saved_context_;
};

}  // namespace obsmeta::efd_sql
