// SQL functions over checksums: caom2.acc_checksum() (the accumulation step the maintenance uses)
// and caom2.verify_checksums() (recompute one stored observation and report every difference).
#include "caom2/checksum.hpp"
#include "caom2_sql/load_observation.hpp"
#include "caom2_sql/mismatch_rows.hpp"
#include "pg/datum.hpp"
#include "pg/set_returning.hpp"
#include "pg/spi.hpp"

#include <cstring>

using namespace obsmeta;
using namespace obsmeta::caom2;

namespace {

Digest digest_of(const std::string& uri, const char* what) {
    Digest d{};
    if (!parse_md5_uri(uri, d))
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, std::string("invalid ") + what + " checksum: '" + uri + "'",
                        "CAOM-2.4 checksums have the form md5:<32 hex digits>");
    return d;
}

}  // namespace

void obsmeta::caom2::return_mismatches(FunctionCallInfo fcinfo, const std::vector<Mismatch>& mismatches) {
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pg::call([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
    for (const Mismatch& m : mismatches) {
        const auto space = m.entity.find(' ');
        const std::string kind = m.entity.substr(0, space), uuid = m.entity.substr(space + 1);
        Datum values[5];
        bool nulls[5] = {false, false, false, false, false};
        pg::call([&] {
            values[0] = PointerGetDatum(cstring_to_text(kind.c_str()));
            values[1] = DirectFunctionCall1(uuid_in, CStringGetDatum(uuid.c_str()));
            values[2] = PointerGetDatum(cstring_to_text(m.which.c_str()));
            values[3] = PointerGetDatum(cstring_to_text(m.stored.c_str()));
            values[4] = PointerGetDatum(cstring_to_text(m.computed.c_str()));
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
}

// caom2.acc_checksum(meta text, child_accs text[]): md5 over the meta digest and the child digests
// in the order given (callers pass them ordered by child id).
OBSMETA_FUNCTION(obsmeta_caom2_acc_checksum) {
    const std::string meta = pg::text_value(PG_GETARG_DATUM(0));
    ArrayType* arr = pg::call([fcinfo] { return PG_GETARG_ARRAYTYPE_P(1); });
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int n = 0;
    pg::call([&] { deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
    const Digest m = digest_of(meta, "meta");
    Md5 md5;
    md5.update(m.data(), m.size());
    for (int i = 0; i < n; ++i) {
        if (nulls[i]) continue;
        const Digest c = digest_of(pg::text_value(elems[i]), "child acc");
        md5.update(c.data(), c.size());
    }
    const std::string out = md5_uri(md5.finish());
    return pg::call([&out] { return PointerGetDatum(cstring_to_text(out.c_str())); });
}

// caom2.verify_checksums(obs_id uuid) RETURNS TABLE (entity text, id uuid, which text, stored text,
// computed text): one row per stored checksum that differs from a recomputation (none: all good).
OBSMETA_FUNCTION(obsmeta_caom2_verify_checksums) {
    pg::Uuid key = pg::uuid_value(PG_GETARG_DATUM(0));
    Uuid id;
    std::memcpy(id.data(), key.data(), 16);
    std::vector<Mismatch> mismatches;
    bool missing = false;
    {
        pg::SpiConnection spi;
        auto obs = load_observation(id);
        if (!obs) missing = true;
        else mismatches = verify_checksums(*obs);
    }
    if (missing)
        throw pg::Error(ERRCODE_NO_DATA_FOUND, "observation " + pg::uuid_string(key) + " not found");
    return_mismatches(fcinfo, mismatches);
    return static_cast<Datum>(0);
}
