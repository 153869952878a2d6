-- obsmeta install script, part 77: the database side of IVOA DataLink 1.1 for ivoa.obscore.
-- obsmeta.datalink_links (a view) and obsmeta.datalink(did) (the same for one identifier, with bad
-- input rejected) give the rows of the DataLink {links} table for every obs_publisher_did the
-- caller may see. Both run as the caller (security_invoker): row-level security on ivoa.obscore,
-- caom2 and the EFD values decides, so an embargoed dataset yields no row to a reader, nor does a
-- related product or EFD value that is embargoed. A DataLink service (contrib/dachs/q.rd) turns
-- "no row" into the standard NotFoundFault, the same for unknown and embargoed identifiers.
--
-- Rows for one dataset (one ivoa.obscore row):
--   #this        its file(s): obscore_config.direct_url_template (set it to the HTTP file URL),
--                content type and length from caom2.artifact;
--   #progenitor  the ObsCore datasets its plane was made from (caom2.provenance_input), the same
--                detector where both have detectors: a visit_image's raw;
--   #derivation  the datasets made from it (a raw's visit_image);
--   #auxiliary   the reduced EFD values of its exposure and visit (datalink_config.efd_url_template),
--                and the plane's other files that are not science files;
--   #cutout      a service descriptor row (service_def = datalink_config.cutout_service_def) for the
--                cutout service whose endpoint is datalink_config.cutout_url, for datasets with a
--                footprint; obsmeta.datalink_cutout_service() gives that descriptor's parameters.
-- Related products link to their own DataLink document when ObsCore is in DataLink mode, else to
-- their file.

CREATE TABLE obsmeta.datalink_config (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- a cutout (IVOA SODA sync) endpoint: NULL for no service descriptor
    cutout_url          text DEFAULT 'https://localhost/api/cutout/sync',
    cutout_standard_id  text NOT NULL DEFAULT 'ivo://ivoa.net/std/SODA#sync-1.0',
    cutout_service_def  text NOT NULL DEFAULT 'cutout' CHECK (cutout_service_def ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
    -- the reduced EFD values of an exposure or visit: {kind} (exposure, visit), {instrument}, {id}
    -- and {obs_publisher_did_encoded}; NULL for no #auxiliary EFD link
    efd_url_template    text DEFAULT 'https://localhost/api/efd/{kind}/{instrument}/{id}',
    CHECK (cutout_url IS NULL OR cutout_url ~ '^https?://'),
    CHECK (efd_url_template IS NULL OR efd_url_template ~ '^https?://')
);
INSERT INTO obsmeta.datalink_config DEFAULT VALUES;
COMMENT ON TABLE obsmeta.datalink_config IS
  'DataLink links of ivoa.obscore datasets: the cutout service (SODA) endpoint and the URL template of the reduced EFD values (one row)';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.datalink_config', '');
-- The links, the config trigger and the cutout service descriptor: 77_datalink_links.rerunnable.sql.
-- the links are made as the caller: the templates they use are readable (nothing else of the configuration)
GRANT SELECT ON obsmeta.datalink_config TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
GRANT SELECT (direct_url_template) ON obsmeta.obscore_config TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
