// caom2.observation_xml(collection, observation_id) and caom2.observation_xml(obs_id): the CAOM-2.4
// document of one stored observation. Reads with the caller's privileges and only observations the
// caller may see (obsmeta.observation_visible): an embargoed one is "not found", like a missing one.
// The stored checksums are written; an entity stored without them gets freshly computed ones.
#include "caom2/checksum.hpp"
#include "caom2/xml.hpp"
#include "caom2_sql/load_observation.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"

#include <cstring>

using namespace obsmeta;
using namespace obsmeta::caom2;

namespace {

void fill_missing_checksums(Entity& e) {
    bool missing = e.meta_checksum.empty() || e.acc_meta_checksum.empty();
    for (Entity& c : e.children) fill_missing_checksums(c);
    if (missing) {
        if (e.meta_checksum.empty()) e.meta_checksum = md5_uri(meta_checksum(e));
        if (e.acc_meta_checksum.empty()) e.acc_meta_checksum = md5_uri(acc_meta_checksum(e));
    }
}

Datum xml_datum(const std::string& doc) {
    // The xml type's storage is text; the document is well-formed by construction.
    return pg::call([&doc] { return PointerGetDatum(cstring_to_text_with_len(doc.data(), static_cast<int>(doc.size()))); });
}

std::string export_xml(const std::optional<Uuid>& id, const std::string& what) {
    std::optional<Entity> obs;
    {
        pg::SpiConnection spi;
        if (id) obs = load_observation(*id);
    }
    if (!obs)
        throw pg::Error(ERRCODE_NO_DATA_FOUND, "observation " + what + " not found",
                        "", "it does not exist, or it is not released yet");
    fill_missing_checksums(*obs);
    return write_observation_xml(*obs);
}

}  // namespace

OBSMETA_FUNCTION(obsmeta_caom2_observation_xml) {
    const std::string collection = pg::text_value(PG_GETARG_DATUM(0));
    const std::string observation_id = pg::text_value(PG_GETARG_DATUM(1));
    std::optional<Uuid> id;
    {
        pg::SpiConnection spi;
        id = find_observation(collection, observation_id);
    }
    return xml_datum(export_xml(id, "caom:" + collection + "/" + observation_id));
}

OBSMETA_FUNCTION(obsmeta_caom2_observation_xml_by_id) {
    const pg::Uuid key = pg::uuid_value(PG_GETARG_DATUM(0));
    Uuid id;
    std::memcpy(id.data(), key.data(), 16);
    return xml_datum(export_xml(id, pg::uuid_string(key)));
}
