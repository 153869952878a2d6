#include "efd_sql/owner.hpp"
#include "pg/catalog.hpp"
#include "pg/settings.hpp"

#include "pg/guard.hpp"

#include <exception>

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

AsEfdOwner::AsEfdOwner() {
    Oid owner = efd_owner();
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    guc_level_ = NewGUCNestLevel();
    pg::call([] { (void)set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false); });
    SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

AsEfdOwner::~AsEfdOwner() {
    SetUserIdAndSecContext(saved_user_, saved_context_);
    if (std::uncaught_exceptions() == 0) AtEOXact_GUC(true, guc_level_);  // on error, abort restores it
}

}  // namespace obsmeta::efd_sql
