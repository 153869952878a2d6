// The caom2 settings, defined when the library loads (_PG_init):
//   obsmeta.caom2_xsd     (superuser) CAOM-2.4.xsd file that imported documents are validated against;
//   obsmeta.caom2_import  (read-only) on while caom2.import_observation_xml writes a document's
//                         rows. The rubin triggers on caom2.plane / caom2.chunk
//                         (48_rubin_into_caom2.sql) leave those rows as the document gives them.
// Defined at load, not on first use, so that no placeholder a session set beforehand can stand in
// for obsmeta.caom2_import.
#pragma once

namespace obsmeta::caom2 {

void define_settings();

}  // namespace obsmeta::caom2
