-- obsmeta install script, part 63: importer of Rubin's transformed-EFD configuration
-- (lsst-dm/consdb transformed_efd/config/config_<instrument>.yaml), parsed in C++.
CREATE OR REPLACE FUNCTION efd.parse_consdb_config(yaml text)
    RETURNS TABLE (ordinal integer, name text, tables text[], function text, ddof integer, degree integer,
                   fit_basis text, start_offset_hours double precision, pre_aggregate_seconds double precision,
                   store_unpivoted boolean, subset_field text, subset_values integer[], datatype text, unit text,
                   ucd text, description text, topics text[], fields text[], version text)
    AS 'MODULE_PATHNAME', 'obsmeta_efd_parse_consdb_config' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION efd.parse_consdb_config(text) IS
  'The output columns of a consdb transformed-EFD config file (YAML text), one row per column; topics[i]/fields[i] list each field';

-- Registers the channels the configuration reads (one per topic, field and salIndex instance) and
-- upserts one efd.reduction per output column (source = p_source); reductions of that source no
-- longer in the file are removed. Returns the number of reductions in the file.
CREATE OR REPLACE FUNCTION efd.import_consdb_config(yaml text, p_source text DEFAULT 'consdb:lsstcam') RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    bad record;
BEGIN
    CREATE TEMP TABLE efd_import ON COMMIT DROP AS SELECT * FROM efd.parse_consdb_config(yaml);
    SELECT * INTO bad FROM efd_import WHERE subset_field IS NOT NULL AND subset_field <> 'salIndex' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'column "%": subset_field "%" is not supported', bad.name, bad.subset_field
            USING ERRCODE = 'feature_not_supported', HINT = 'obsmeta selects sensor instances by salIndex (efd.channel.sal_index).';
    END IF;
    SELECT * INTO bad FROM efd_import WHERE function NOT IN ('mean', 'min', 'max', 'stddev', 'count', 'first', 'last',
        'most_recent_value', 'twmean_locf', 'twmean_linear', 'interpolate', 'locf', 'rms_from_polynomial_fit') LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'column "%": unknown function "%"', bad.name, bad.function USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Each column's input channels, in file order.
    CREATE TEMP TABLE efd_import_channel ON COMMIT DROP AS
    SELECT c.name, f.ord, f.topic, f.field, s.sal_index, s.sord, c.unit
      FROM efd_import c
      CROSS JOIN LATERAL unnest(c.topics, c.fields) WITH ORDINALITY AS f(topic, field, ord)
      CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.subset_values) = 0 THEN ARRAY[NULL::integer]
                                     ELSE c.subset_values END) WITH ORDINALITY AS s(sal_index, sord)
     WHERE f.field IS DISTINCT FROM c.subset_field;

    INSERT INTO efd.channel (topic, field, sal_index, unit, kind)
    SELECT DISTINCT ON (topic, field, sal_index) topic, field, sal_index, nullif(unit, ''),
           CASE WHEN topic ~ '(logevent_|\.ESS\.|\.DIMM\.|\.MTAOS\.)' THEN 'slow' ELSE 'fast' END
      FROM efd_import_channel
     ORDER BY topic, field, sal_index, name
    ON CONFLICT ON CONSTRAINT channel_topic_field_sal_index_key DO NOTHING;

    INSERT INTO efd.reduction AS r (output_name, method, channel, pooled_channels, unpivot, for_exposure, for_visit,
                                    window_begin_offset, ddof, degree, fit_basis, pre_aggregate, unit, ucd, description,
                                    source)
    SELECT c.name, c.function, ch.ids[1], ch.ids[2:], c.store_unpivoted,
           c.tables && ARRAY['exposure_efd', 'exposure_efd_unpivoted'],
           c.tables && ARRAY['visit1_efd', 'visit1_efd_unpivoted'],
           coalesce(c.start_offset_hours, 0) * interval '1 hour', coalesce(c.ddof, 1), coalesce(c.degree, 1),
           coalesce(c.fit_basis, 'index'), c.pre_aggregate_seconds * interval '1 second',
           nullif(c.unit, ''), c.ucd, c.description, p_source
      FROM efd_import c
      CROSS JOIN LATERAL (
          SELECT array_agg(e.id ORDER BY ic.ord, ic.sord) AS ids
            FROM efd_import_channel ic
            JOIN efd.channel e ON e.topic = ic.topic AND e.field = ic.field AND e.sal_index IS NOT DISTINCT FROM ic.sal_index
           WHERE ic.name = c.name) ch
    ON CONFLICT (output_name) DO UPDATE SET
        method = EXCLUDED.method, channel = EXCLUDED.channel, pooled_channels = EXCLUDED.pooled_channels,
        unpivot = EXCLUDED.unpivot, for_exposure = EXCLUDED.for_exposure, for_visit = EXCLUDED.for_visit,
        window_begin_offset = EXCLUDED.window_begin_offset, ddof = EXCLUDED.ddof, degree = EXCLUDED.degree,
        fit_basis = EXCLUDED.fit_basis, pre_aggregate = EXCLUDED.pre_aggregate, unit = EXCLUDED.unit,
        ucd = EXCLUDED.ucd, description = EXCLUDED.description, source = EXCLUDED.source;

    DELETE FROM efd.reduction r WHERE r.source = p_source AND NOT EXISTS (SELECT 1 FROM efd_import c WHERE c.name = r.output_name);
    SELECT count(*) INTO n FROM efd_import;
    DROP TABLE efd_import, efd_import_channel;
    RETURN n;
END $$;
COMMENT ON FUNCTION efd.import_consdb_config(text, text) IS
  'Imports Rubin''s transformed-EFD config (YAML text): channels per topic/field/salIndex and one efd.reduction per output column; run efd.recompute() afterwards for existing images';
REVOKE EXECUTE ON FUNCTION efd.import_consdb_config(text, text) FROM PUBLIC;
