// efd.mark_images(kind, instruments, ids): called by the statement-level triggers on gen3.exposure
// and gen3.visit (schema/60_efd/62_efd_images.sql) after they maintain efd.image: the images' values are
// recomputed at the end of the statement or before commit (obsmeta.conversion).
#include "efd_sql/state.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/types.hpp"

#include <string>

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_efd_mark_images) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) return Int32GetDatum(0);  // nothing to mark
    std::string kind = pg::text_value(PG_GETARG_DATUM(0));
    if (kind != "exposure" && kind != "visit")
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "image kind must be exposure or visit, not \"" + kind + "\"");
    ArrayType* instruments = PG_GETARG_ARRAYTYPE_P(1);
    ArrayType* ids = PG_GETARG_ARRAYTYPE_P(2);
    Datum* inst_values = nullptr;
    Datum* id_values = nullptr;
    bool* inst_nulls = nullptr;
    bool* id_nulls = nullptr;
    int n_inst = 0, n_ids = 0;
    pg::call([&] {
        deconstruct_array(instruments, TEXTOID, -1, false, TYPALIGN_INT, &inst_values, &inst_nulls, &n_inst);
        deconstruct_array(ids, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &id_values, &id_nulls, &n_ids);
    });
    if (n_inst != n_ids) throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "instruments and ids differ in length");
    auto& dirty = efd_sql::state().dirty;
    for (int i = 0; i < n_inst; ++i) {
        if (inst_nulls[i] || id_nulls[i]) continue;
        dirty[{kind, pg::text_value(inst_values[i]), DatumGetInt64(id_values[i])}].all = true;
    }
    if (efd_sql::work_at_statement_end()) efd_sql::recompute_dirty();
    return Int32GetDatum(n_inst);
}
