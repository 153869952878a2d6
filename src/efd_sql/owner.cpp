#include "efd_sql/owner.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"

namespace obsmeta::efd_sql {

namespace {

Oid efd_owner() {
    // Looked up each time: cheap (syscache), and correct after ALTER EXTENSION ... OWNER changes.
    return pg::call([]() -> Oid {
        Oid nsp = get_namespace_oid("efd", false);
        HeapTuple tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for schema efd");
        Oid owner = reinterpret_cast<Form_pg_namespace>(GETSTRUCT(tuple))->nspowner;
        ReleaseSysCache(tuple);
        return owner;
    });
}

}  // namespace

AsEfdOwner::AsEfdOwner() : settings_({{"jit", "off"}}) {
    Oid owner = efd_owner();
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

AsEfdOwner::~AsEfdOwner() { SetUserIdAndSecContext(saved_user_, saved_context_); }

}  // namespace obsmeta::efd_sql
