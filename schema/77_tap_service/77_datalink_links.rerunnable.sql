-- obsmeta install script, part 77 (re-runnable): DataLink's functions and views (the configuration
-- table and what they do: 77_datalink.sql).

-- pg_restore inserts the dumped row after CREATE EXTENSION inserted the default: it replaces it.
CREATE OR REPLACE FUNCTION obsmeta.datalink_config_replace() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.datalink_config;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.datalink_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.datalink_config_replace();

-- The links of one dataset, given its ivoa.obscore row's keys. Internal: obsmeta.datalink_links
-- calls it for the rows the caller may read.
CREATE OR REPLACE FUNCTION obsmeta.datalink_rows(did text, plane_id uuid, artifact_id uuid, detector integer,
                                      exposure bigint, visit bigint, has_region boolean)
    RETURNS TABLE (access_url text, service_def text, error_message text, description text, semantics text,
                   content_type text, content_length bigint, content_qualifier text, local_semantics text,
                   link_auth text, link_authorized boolean)
    LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
    WITH cfg AS (SELECT c.direct_url_template, d.cutout_url, d.cutout_service_def, d.efd_url_template
                   FROM obsmeta.obscore_config c CROSS JOIN obsmeta.datalink_config d LIMIT 1),
    me AS (SELECT p.plane_id, p.product_id, o.obs_id, o.collection, o.instrument_name, o.uri AS obs_uri
             FROM caom2.plane p JOIN caom2.observation o ON o.obs_id = p.obs_id
            WHERE p.plane_id = $2),
    -- the related ObsCore datasets, the same detector where both have one: the members of a
    -- derived observation (a visit's exposures) and the planes of its provenance are progenitors;
    -- the derived observations it is a member of, and the planes made from it, are derivations
    src AS (
        SELECT '#progenitor'::text AS sem, mo.obs_id AS obs_id, NULL::uuid AS plane_id
          FROM me JOIN caom2.observation_member m ON m.composite_id = me.obs_id
          JOIN caom2.observation mo ON mo.uri = m.member_uri
        UNION ALL
        SELECT '#derivation', m.composite_id, NULL
          FROM me JOIN caom2.observation_member m ON m.member_uri = me.obs_uri
        UNION ALL
        -- a provenance input is caom:{collection}/{observation_id}/{product_id}
        SELECT '#progenitor', NULL, rp.plane_id
          FROM me JOIN caom2.provenance_input pi ON pi.plane_id = me.plane_id
          JOIN caom2.observation ro ON ro.collection = split_part(substr(pi.input_uri, 6), '/', 1)
                                   AND ro.observation_id = split_part(pi.input_uri, '/', 2)
          JOIN caom2.plane rp ON rp.obs_id = ro.obs_id AND rp.product_id = split_part(pi.input_uri, '/', 3)
        UNION ALL
        SELECT '#derivation', NULL, pi.plane_id
          FROM me JOIN caom2.provenance_input pi ON pi.input_uri = me.obs_uri || '/' || me.product_id
    ),
    related AS (
        SELECT DISTINCT ON (r.row_id) src.sem, r.obs_publisher_did, r.obs_id, r.lsst_detector,
               r.access_url, r.access_format, r.access_estsize, rp.product_id
          FROM src
          JOIN ivoa.obscore r ON (src.obs_id IS NOT NULL AND r.caom_obs_id = src.obs_id)
                              OR (src.plane_id IS NOT NULL AND r.caom_plane_id = src.plane_id)
          JOIN caom2.plane rp ON rp.plane_id = r.caom_plane_id
         WHERE ($4 IS NULL OR r.lsst_detector IS NULL OR r.lsst_detector = $4) AND r.caom_plane_id <> $2
         ORDER BY r.row_id, src.sem
    )
    -- #this: the dataset's file (detector rows), or the plane's science files (plane rows)
    SELECT obsmeta.obscore_expand(cfg.direct_url_template, a.uri, coalesce(a.lsst_dataset_id, me.plane_id), a.artifact_id,
                                  me.plane_id, me.collection, NULL, me.product_id, $4),
           NULL::text, NULL::text,
           format('%s file%s', me.product_id, CASE WHEN $4 IS NOT NULL THEN ' of detector ' || $4 ELSE '' END),
           '#this'::text, a.content_type, a.content_length, NULL::text, NULL::text, NULL::text, NULL::boolean
      FROM cfg, me JOIN caom2.artifact a ON a.plane_id = me.plane_id
     WHERE CASE WHEN $3 IS NOT NULL THEN a.artifact_id = $3 ELSE a.product_type = 'science' END
    UNION ALL
    -- the plane's other files (not science, not this dataset's)
    SELECT obsmeta.obscore_expand(cfg.direct_url_template, a.uri, coalesce(a.lsst_dataset_id, me.plane_id), a.artifact_id,
                                  me.plane_id, me.collection, NULL, me.product_id, NULL),
           NULL, NULL, format('%s file (%s)', me.product_id, a.product_type),
           CASE a.product_type WHEN 'preview' THEN '#preview' WHEN 'thumbnail' THEN '#thumbnail'
                               WHEN 'calibration' THEN '#calibration' WHEN 'noise' THEN '#noise'
                               WHEN 'weight' THEN '#weight' ELSE '#auxiliary' END,
           a.content_type, a.content_length, NULL, NULL, NULL, NULL
      FROM cfg, me JOIN caom2.artifact a ON a.plane_id = me.plane_id
     WHERE $3 IS NULL AND a.product_type <> 'science'
    UNION ALL
    SELECT r.access_url, NULL, NULL,
           format('%s %s%s (%s)', CASE r.sem WHEN '#progenitor' THEN 'made from' ELSE 'made into' END, r.product_id,
                  CASE WHEN r.lsst_detector IS NOT NULL THEN ' detector ' || r.lsst_detector ELSE '' END, r.obs_id),
           r.sem, r.access_format, r.access_estsize * 1024, NULL,
           NULL, NULL, NULL
      FROM related r
    UNION ALL
    -- #auxiliary: the reduced EFD values of the exposure and of the visit, when there are any
    SELECT replace(replace(replace(replace(cfg.efd_url_template, '{kind}', v.kind), '{instrument}', v.instrument),
                           '{id}', v.id::text), '{obs_publisher_did_encoded}', obsmeta.url_encode($1)),
           NULL, NULL, format('reduced EFD telemetry of %s %s (%s values)', v.kind, v.id, v.n),
           '#auxiliary', 'application/json', NULL, NULL, 'efd-' || v.kind, NULL, NULL
      FROM cfg, (SELECT 'exposure'::text AS kind, e.instrument, e.exposure AS id, (SELECT count(*) FROM jsonb_object_keys(e."values")) AS n
                   FROM efd.exposure_values e, me WHERE e.exposure = $5 AND e.instrument = me.instrument_name
                 UNION ALL
                 SELECT 'visit', v.instrument, v.visit, (SELECT count(*) FROM jsonb_object_keys(v."values"))
                   FROM efd.visit_values v, me WHERE v.visit = $6 AND v.instrument = me.instrument_name) v
     WHERE cfg.efd_url_template IS NOT NULL AND v.n > 0
    UNION ALL
    -- #cutout: a service descriptor row (the descriptor: obsmeta.datalink_cutout_service())
    SELECT NULL, cfg.cutout_service_def, NULL, 'cutout of this dataset (IVOA SODA: CIRCLE, POLYGON, POS)',
           '#cutout', 'application/fits', NULL, NULL, NULL, NULL, NULL
      FROM cfg
     WHERE cfg.cutout_url IS NOT NULL AND $7
$$;
COMMENT ON FUNCTION obsmeta.datalink_rows(text, uuid, uuid, integer, bigint, bigint, boolean) IS
  'DataLink rows of one ivoa.obscore dataset (internal: read obsmeta.datalink_links or call obsmeta.datalink(did))';

-- Every dataset the caller may see, with its links: DataLink's {links} table (filter on id).
CREATE OR REPLACE VIEW obsmeta.datalink_links WITH (security_invoker = true) AS
SELECT o.obs_publisher_did AS id, l.access_url, l.service_def, l.error_message, l.description, l.semantics,
       l.content_type, l.content_length, l.content_qualifier, l.local_semantics, l.link_auth, l.link_authorized
  FROM ivoa.obscore o
 CROSS JOIN LATERAL obsmeta.datalink_rows(o.obs_publisher_did, o.caom_plane_id, o.caom_artifact_id, o.lsst_detector,
                                          o.lsst_exposure, o.lsst_visit, o.s_region IS NOT NULL) l;
COMMENT ON VIEW obsmeta.datalink_links IS
  'IVOA DataLink 1.1 {links} rows of every ivoa.obscore dataset the caller may see (filter on id = obs_publisher_did; row-level security applies to the caller)';

-- The links of one identifier: its rows of obsmeta.datalink_links; none when the caller may not
-- see the dataset or it does not exist.
CREATE OR REPLACE FUNCTION obsmeta.datalink(did text)
    RETURNS TABLE (id text, access_url text, service_def text, error_message text, description text, semantics text,
                   content_type text, content_length bigint, content_qualifier text, local_semantics text,
                   link_auth text, link_authorized boolean)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
#variable_conflict use_column
BEGIN
    IF $1 IS NULL THEN
        RAISE EXCEPTION 'obsmeta.datalink: the identifier is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass an obs_publisher_did of ivoa.obscore.';
    END IF;
    IF length($1) > 2048 THEN
        RAISE EXCEPTION 'obsmeta.datalink: an identifier of % characters (at most 2048): %...', length($1), left($1, 80)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass an obs_publisher_did of ivoa.obscore.';
    END IF;
    RETURN QUERY SELECT l.* FROM obsmeta.datalink_links l WHERE l.id = $1;
END $$;
COMMENT ON FUNCTION obsmeta.datalink(text) IS
  'IVOA DataLink 1.1 {links} rows of one obs_publisher_did the caller may see (none otherwise); NULL or over-long identifiers are rejected';

-- The cutout service descriptor of DataLink's #cutout rows: the endpoint, its standardID, and
-- the input parameters (name, datatype, arraysize, xtype, unit, ucd, value for fixed ones).
CREATE OR REPLACE FUNCTION obsmeta.datalink_cutout_service()
    RETURNS TABLE (service_def text, access_url text, standard_id text, param_name text, datatype text,
                   arraysize text, xtype text, unit text, ucd text, value_ref text)
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT d.cutout_service_def, d.cutout_url, d.cutout_standard_id, p.*
      FROM obsmeta.datalink_config d
     CROSS JOIN (VALUES ('ID', 'char', '*', NULL, NULL, 'meta.id;meta.main', 'id'),
                        ('CIRCLE', 'double', '3', 'circle', 'deg', 'obs.field', NULL),
                        ('POLYGON', 'double', '*', 'polygon', 'deg', 'obs.field', NULL),
                        ('POS', 'char', '*', NULL, NULL, 'obs.field', NULL)) AS p
     WHERE d.cutout_url IS NOT NULL $$;
COMMENT ON FUNCTION obsmeta.datalink_cutout_service() IS
  'The cutout (SODA) service descriptor of DataLink''s #cutout rows: endpoint, standardID and input parameters (value_ref id: the ID column of the links table)';

GRANT SELECT ON obsmeta.datalink_links TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
GRANT EXECUTE ON FUNCTION obsmeta.datalink(text), obsmeta.datalink_cutout_service() TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

-- obsmeta.datalink_cutout_service()'s descriptors as a view, what a DataLink service reads beside
-- obsmeta.datalink_links (a view, unlike a function, can be a foreign table of another database, as
-- on contrib/dachs's staff server). One row per input parameter of each service a links row names
-- in service_def.
CREATE OR REPLACE VIEW obsmeta.datalink_descriptors WITH (security_invoker = true) AS
SELECT s.service_def, s.access_url, s.standard_id, s.param_name, s.datatype, s.arraysize, s.xtype, s.unit,
       s.ucd, s.value_ref
  FROM obsmeta.datalink_cutout_service() s;
COMMENT ON VIEW obsmeta.datalink_descriptors IS
  'Service descriptors of the services named by service_def in obsmeta.datalink_links: endpoint, standardID, one row per input parameter (value_ref id: the ID column of the links table)';
GRANT SELECT ON obsmeta.datalink_descriptors TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
