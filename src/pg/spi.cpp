#include "pg/spi.hpp"

#include <cstring>
#include <exception>

namespace obsmeta::pg {

SpiConnection::SpiConnection() : uncaught_at_entry_(std::uncaught_exceptions()) {
    int rc = call([] { return SPI_connect(); });
    if (rc != SPI_OK_CONNECT) throw Error(ERRCODE_INTERNAL_ERROR, "obsmeta: SPI_connect failed");
}

SpiConnection::~SpiConnection() {
    if (std::uncaught_exceptions() > uncaught_at_entry_) return;  // abort processing cleans up SPI
    SPI_finish();
}

void KeptPlan::check_arity(const std::vector<Datum>& args, const std::string& nulls) const {
    if (args.size() != argtypes_.size() || (!nulls.empty() && nulls.size() != args.size()))
        throw Error(ERRCODE_INTERNAL_ERROR, "obsmeta: wrong number of parameters for a kept plan", sql_);
}

SPIPlanPtr KeptPlan::prepared() {
    if (plan_ == nullptr) {
        const char* sql = sql_.c_str();
        int nargs = static_cast<int>(argtypes_.size());
        Oid* types = argtypes_.data();
        int options = planning_ == Planning::Generic ? CURSOR_OPT_GENERIC_PLAN : 0;
        SPIPlanPtr plan = call([=] { return SPI_prepare_cursor(sql, nargs, types, options); });
        if (plan == nullptr)
            throw Error(ERRCODE_INTERNAL_ERROR, "obsmeta: SPI_prepare failed", SPI_result_code_string(SPI_result));
        call([=] { SPI_keepplan(plan); });
        plan_ = plan;
    }
    return plan_;
}

void KeptPlan::check() const {
    const char* sql = sql_.c_str();
    int nargs = static_cast<int>(argtypes_.size());
    Oid* types = const_cast<Oid*>(argtypes_.data());
    call([=] {
        SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
        if (plan == nullptr)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SPI_prepare failed: %s",
                                                                    SPI_result_code_string(SPI_result))));
        // The generic plan (no parameter values): planned as a first execution would plan it.
        CachedPlan* generic = SPI_plan_get_cached_plan(plan);
        if (generic == nullptr)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("not a single planned statement")));
        ReleaseCachedPlan(generic, nullptr);
        SPI_freeplan(plan);
    });
}

uint64 KeptPlan::execute(const std::vector<Datum>& args, bool read_only, const std::string& nulls) {
    check_arity(args, nulls);
    SPIPlanPtr plan = prepared();
    Datum* values = const_cast<Datum*>(args.data());
    const char* null_flags = nulls.empty() ? nullptr : nulls.c_str();
    int rc = call([=] { return SPI_execute_plan(plan, values, null_flags, read_only, 0); });
    if (rc < 0) throw Error(ERRCODE_INTERNAL_ERROR, "obsmeta: SPI_execute_plan failed", SPI_result_code_string(rc));
    return SPI_processed;
}

uint64 KeptPlan::execute_to(DestReceiver* dest, const std::vector<Datum>& args, const std::string& nulls) {
    check_arity(args, nulls);
    SPIPlanPtr plan = prepared();
    const std::vector<Oid>& types = argtypes_;
    int rc = call([&] {
        ParamListInfo params = makeParamList(static_cast<int>(args.size()));
        for (std::size_t i = 0; i < args.size(); ++i)
            params->params[i] = {args[i], !nulls.empty() && nulls[i] == 'n', PARAM_FLAG_CONST, types[i]};
        SPIExecuteOptions options;
        memset(&options, 0, sizeof options);
        options.params = params;
        options.dest = dest;
        return SPI_execute_plan_extended(plan, &options);
    });
    if (rc < 0) throw Error(ERRCODE_INTERNAL_ERROR, "obsmeta: SPI_execute_plan failed", SPI_result_code_string(rc));
    return SPI_processed;
}

Datum result_value(uint64 row, int col, bool* isnull) {
    HeapTuple tuple = SPI_tuptable->vals[row];
    TupleDesc desc = SPI_tuptable->tupdesc;
    return SPI_getbinval(tuple, desc, col, isnull);
}

int64_t result_int64(uint64 row, int col) {
    bool isnull = false;
    Datum d = result_value(row, col, &isnull);
    return isnull ? 0 : DatumGetInt64(d);
}

bool result_bool(uint64 row, int col) {
    bool isnull = false;
    Datum d = result_value(row, col, &isnull);
    return !isnull && DatumGetBool(d);
}

std::string result_text(uint64 row, int col) {
    bool isnull = false;
    Datum d = result_value(row, col, &isnull);
    if (isnull) return {};
    text* t = DatumGetTextPP(d);  // detoasting of small values from SPI results does not fail
    return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

}  // namespace obsmeta::pg
