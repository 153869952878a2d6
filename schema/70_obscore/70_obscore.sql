-- obsmeta install script, part 70: ivoa.obscore (IVOA ObsCore 1.1 + Rubin columns), a stored
-- table derived from CAOM2 (see doc/obscore.md).
--
-- Granularity: one row per detector-level artifact (an artifact whose chunk has lsst_detector:
-- s_region = that detector's footprint, access_url = that file) and one row per plane for
-- products with no detector (coadds), as long as the plane has at least one artifact.
-- obsmeta.obscore_source computes the rows from CAOM2; 72_obscore_maintenance.sql keeps
-- ivoa.obscore equal to it, statement by statement, in the writer's transaction.
CREATE SCHEMA ivoa;
COMMENT ON SCHEMA ivoa IS 'IVOA tables published to TAP servers: obscore (ObsCore 1.1), maintained by obsmeta';
GRANT USAGE ON SCHEMA ivoa TO obsmeta_writer, obsmeta_staff, obsmeta_reader;

-- How ObsCore identifiers and access URLs are made (one row). Templates replace {uri} (the
-- artifact URI), {path} (the URI without scheme://authority/), {dataset_id} (the Butler dataset
-- id, or the plane id for a plane without one), {artifact_id}, {plane_id}, {collection},
-- {obs_id} (ObsCore obs_id), {product_id}, {detector}, and in access URLs also
-- {obs_publisher_did} and {obs_publisher_did_encoded} (percent-encoded for a query string).
CREATE TABLE obsmeta.obscore_config (
    singleton               boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    publisher_did_template  text NOT NULL DEFAULT 'ivo://org.rubinobs/obsmeta?{dataset_id}',
    creator_did_template    text,
    -- 'direct': access_url is the file (direct_url_template), access_format its MIME type;
    -- 'datalink': access_url is a DataLink service (datalink_url_template), access_format the
    -- DataLink MIME type.
    access_mode             text NOT NULL DEFAULT 'direct' CHECK (access_mode IN ('direct', 'datalink')),
    direct_url_template     text NOT NULL DEFAULT '{uri}',
    datalink_url_template   text NOT NULL DEFAULT 'https://localhost/api/datalink/links?ID={obs_publisher_did_encoded}',
    preview_template        text,
    -- facility_name when the instrument is not in obsmeta.instrument_config (e.g. coadds)
    default_facility_name   text NOT NULL DEFAULT 'Rubin-LSST'
);
INSERT INTO obsmeta.obscore_config DEFAULT VALUES;
COMMENT ON TABLE obsmeta.obscore_config IS
  'ivoa.obscore identifiers and access: publisher DID template, direct file or DataLink access_url template, preview template (one row; changing it rebuilds ivoa.obscore)';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.obscore_config', '');
-- pg_restore inserts the dumped row after CREATE EXTENSION inserted the default: it replaces it.
CREATE FUNCTION obsmeta.obscore_config_replace() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.obscore_config;
    RETURN NEW;
END $$;
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.obscore_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.obscore_config_replace();

CREATE FUNCTION obsmeta.url_encode(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(CASE WHEN ch ~ '^[A-Za-z0-9._~-]$' THEN ch
                                    ELSE regexp_replace(upper(encode(convert_to(ch, 'UTF8'), 'hex')), '(..)', '%\1', 'g') END,
                               '' ORDER BY i), '')
      FROM regexp_split_to_table(s, '') WITH ORDINALITY AS t(ch, i) $$;

-- Template expansion: obsmeta.obscore_expand (inlined into obsmeta.obscore_source) is in
-- 70_obscore_source.rerunnable.sql; obscore_expand_did gives the same text for templates that use the
-- publisher DID.
CREATE FUNCTION obsmeta.obscore_expand_did(template text, uri text, dataset_id uuid, artifact_id uuid, plane_id uuid,
                                           collection text, obs_id text, product_id text, detector integer,
                                           publisher_did text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    r text := template;
BEGIN
    IF r IS NULL OR strpos(r, '{') = 0 THEN
        RETURN r;
    END IF;
    IF strpos(r, '{uri}') > 0 THEN r := replace(r, '{uri}', coalesce(uri, '')); END IF;
    IF strpos(r, '{path}') > 0 THEN
        r := replace(r, '{path}', coalesce(regexp_replace(uri, '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*/', ''), ''));
    END IF;
    IF strpos(r, '{dataset_id}') > 0 THEN r := replace(r, '{dataset_id}', coalesce(dataset_id::text, '')); END IF;
    IF strpos(r, '{artifact_id}') > 0 THEN r := replace(r, '{artifact_id}', coalesce(artifact_id::text, '')); END IF;
    IF strpos(r, '{plane_id}') > 0 THEN r := replace(r, '{plane_id}', coalesce(plane_id::text, '')); END IF;
    IF strpos(r, '{collection}') > 0 THEN r := replace(r, '{collection}', coalesce(collection, '')); END IF;
    IF strpos(r, '{obs_id}') > 0 THEN r := replace(r, '{obs_id}', coalesce(obs_id, '')); END IF;
    IF strpos(r, '{product_id}') > 0 THEN r := replace(r, '{product_id}', coalesce(product_id, '')); END IF;
    IF strpos(r, '{detector}') > 0 THEN r := replace(r, '{detector}', coalesce(detector::text, '')); END IF;
    -- percent-encoding is not free: only when the template asks for it
    IF strpos(r, '{obs_publisher_did_encoded}') > 0 THEN
        r := replace(r, '{obs_publisher_did_encoded}', coalesce(obsmeta.url_encode(publisher_did), ''));
    END IF;
    IF strpos(r, '{obs_publisher_did}') > 0 THEN r := replace(r, '{obs_publisher_did}', coalesce(publisher_did, '')); END IF;
    RETURN r;
END $$;

-- The table, from its declaration (70_columns_declared.rerunnable.sql): ObsCore 1.1 mandatory and
-- optional columns, Rubin columns, obsmeta's bookkeeping, s_region_spoly last.
DO $obscore$
BEGIN
    EXECUTE (SELECT format('CREATE TABLE ivoa.obscore (%s)',
                           string_agg(format('%I %s', column_name, definition), ', ' ORDER BY ordinal_position))
               FROM obsmeta.obscore_column);
END
$obscore$;
CREATE INDEX obscore_s_region_idx ON ivoa.obscore USING gist (s_region obsmeta.spoly_gist_ops);
CREATE INDEX obscore_s_center_idx ON ivoa.obscore USING gist (s_center);
CREATE INDEX obscore_caom_plane_id_idx ON ivoa.obscore (caom_plane_id);
CREATE INDEX obscore_caom_obs_id_idx ON ivoa.obscore (caom_obs_id);
CREATE INDEX obscore_obs_id_idx ON ivoa.obscore (obs_id);
CREATE INDEX obscore_obs_publisher_did_idx ON ivoa.obscore (obs_publisher_did);

COMMENT ON TABLE ivoa.obscore IS
  'IVOA ObsCore 1.1 (+ Rubin lsst_* columns): one row per detector image file, one per plane of products without detectors (coadds). Maintained by obsmeta from caom2; row-level security hides embargoed rows';
COMMENT ON COLUMN ivoa.obscore.obs_release_date IS
    'Observation release date (UTC; the plane''s dataRelease). timestamp without time zone, as DALI timestamps and CAOM2 store it: TAP servers serialize it as yyyy-mm-ddThh:mm:ss[.fff] (a timestamptz would come out with a +00:00 offset, which DALI forbids)';
COMMENT ON COLUMN ivoa.obscore.s_region IS
  'Sky region of the data as a pg_sphere spoly (ICRS; GiST-indexed): TAP servers translate ADQL geometry to it and serialize it as a DALI polygon (degrees)';
COMMENT ON COLUMN ivoa.obscore.s_region_stcs IS 'Sky region of the data as ADQL/STC-S text (POLYGON ICRS ra dec ..., degrees): what s_region held in 0.2.0';
COMMENT ON COLUMN ivoa.obscore.s_region_spoly IS 'Deprecated alias of s_region (its 0.2.0 name), generated from it; not indexed: use s_region';
COMMENT ON COLUMN ivoa.obscore.s_center IS 'Central position (s_ra, s_dec) as a pg_sphere spoint (GiST-indexed)';
COMMENT ON COLUMN ivoa.obscore.row_id IS 'obsmeta: the CAOM2 artifact id of a detector row, the plane id of a plane row';
COMMENT ON COLUMN ivoa.obscore.caom_obs_id IS 'obsmeta: caom2.observation.obs_id of the row';
COMMENT ON COLUMN ivoa.obscore.caom_plane_id IS 'obsmeta: caom2.plane.plane_id of the row';
COMMENT ON COLUMN ivoa.obscore.caom_artifact_id IS 'obsmeta: caom2.artifact.artifact_id of a detector row (NULL for plane rows)';
COMMENT ON COLUMN ivoa.obscore.visible_from IS
  'obsmeta: when readers may see the row: the later of the observation''s and plane''s meta_release; infinity while held or without a release date';

COMMENT ON COLUMN ivoa.obscore.dataproduct_subtype IS 'Data product subtype (dax_obscore; obsmeta.dataset_type_config.dataproduct_subtype)';
COMMENT ON COLUMN ivoa.obscore.em_filter_name IS 'Filter (band) name (dax_obscore''s em_filter_name; equals lsst_band)';

-- ObsCore obs_id from a dataset type's obscore_obs_id_template (dax_obscore's obs_id_fmt).
CREATE FUNCTION obsmeta.obscore_obs_id_expand(template text, skymap text, tract integer, patch integer, band text,
                                              instrument text, exposure bigint, visit bigint, detector integer,
                                              obs_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(template,
        '{skymap}', coalesce(skymap, '')), '{tract}', coalesce(tract::text, '')), '{patch}', coalesce(patch::text, '')),
        '{band}', coalesce(band, '')), '{instrument}', coalesce(instrument, '')),
        '{exposure}', coalesce(exposure::text, '')), '{visit}', coalesce(visit::text, '')),
        '{detector}', coalesce(detector::text, '')), '{obs_id}', coalesce(obs_id, '')) $$;

-- obsmeta.obscore_source, the rows ivoa.obscore must hold: 70_obscore_source.rerunnable.sql.
