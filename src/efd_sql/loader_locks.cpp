#include "efd_sql/loader_locks.hpp"

#include <algorithm>

#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"

namespace obsmeta::efd_sql {

namespace {

bool loader_lock_rows_installed() {
    return pg::call([] {
        Oid argtypes[2] = {CHAROID, INT8ARRAYOID};
        return OidIsValid(LookupFuncName(stringToQualifiedNameList("efd.lock_loader_keys"), 2, argtypes, true));
    });
}

}  // namespace

void lock_loader_keys(LoaderLock kind, std::vector<int64_t> keys) {
    if (keys.empty()) return;
    if (loader_lock_rows_installed()) {
        static pg::KeptPlan lock("SELECT efd.lock_loader_keys($1, $2)", {CHAROID, INT8ARRAYOID});
        lock.execute({CharGetDatum(static_cast<char>(kind)), pg::int8_array(keys)});
        return;
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (int64_t key : keys) pg::call([key] { DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(key)); });
}

}  // namespace obsmeta::efd_sql
