-- Parity with Rubin's tools: the HSC registry made by real daf_butler (schema hsc_repo, restored
-- by the suite from ../shared/anchors/rubin/registry/), configured by hsc_config.sql and attached,
-- gives the ivoa.obscore rows real dax_obscore exported from it, column by column: 68 rows with
-- collections HSC/raw/all + HSC/runs/ci_hsc, 35 rows with the test configuration's HSC/runs/ci_hsc.
BEGIN;
SELECT plan(35);
\i test/registry/hsc_config.sql
SELECT lives_ok($$SELECT obsmeta.attach_registry('hsc_repo')$$, 'attach_registry(hsc_repo) after hsc_config.sql');
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT count(*)::int FROM obsmeta.pending), 0, 'nothing waits for a parent');

CREATE TEMP TABLE dax (dataproduct_type text, dataproduct_subtype text, facility_name text, calib_level int,
    target_name text, obs_id text, obs_collection text, obs_publisher_did text, access_url text, access_format text,
    s_resolution float8, s_xel1 bigint, s_xel2 bigint, t_xel bigint, t_min float8, t_max float8, t_exptime float8,
    t_resolution float8, em_xel bigint, em_min float8, em_max float8, em_res_power float8, em_filter_name text,
    o_ucd text, pol_xel bigint, instrument_name text, day_obs int, s_ra float8, s_dec float8, s_fov float8,
    s_region text);

-- Two STC-S polygons with the same vertices, in the same cyclic order, to dax_obscore's printed
-- precision (6 decimals: half a unit is 5e-7 deg).
CREATE FUNCTION pg_temp.same_vertices(a text, b text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    va float8[] := regexp_split_to_array(regexp_replace(a, '^POLYGON ICRS ', ''), ' ')::float8[];
    vb float8[] := regexp_split_to_array(regexp_replace(b, '^POLYGON ICRS ', ''), ' ')::float8[];
    n int := cardinality(va) / 2;
    ok boolean;
BEGIN
    IF a IS NULL OR b IS NULL OR cardinality(va) <> cardinality(vb) THEN RETURN a IS NULL AND b IS NULL; END IF;
    FOR shift IN 0 .. n - 1 LOOP
        ok := true;
        FOR i IN 0 .. n - 1 LOOP
            IF abs(va[2 * i + 1] - vb[2 * ((i + shift) % n) + 1]) > 5.01e-7
               OR abs(va[2 * i + 2] - vb[2 * ((i + shift) % n) + 2]) > 5.01e-7 THEN
                ok := false;
                EXIT;
            END IF;
        END LOOP;
        IF ok THEN RETURN true; END IF;
    END LOOP;
    RETURN false;
END $$;

\set csv obscore_hsc_with_raw.csv
\set rows 68
\i test/registry/compare_obscore.sql

-- dax_obscore's test configuration: collections [HSC/runs/ci_hsc]
UPDATE obsmeta.registry_config SET collections = ARRAY['HSC/runs/ci_hsc'] WHERE registry_schema = 'hsc_repo';
SELECT lives_ok($$SELECT obsmeta.registry_resync('hsc_repo')$$, 'collections changed: the registry is translated again');
SELECT obsmeta.convert() >= 0 AS converted \gset
\set csv obscore_hsc_test.csv
\set rows 35
\i test/registry/compare_obscore.sql

SELECT * FROM finish();
ROLLBACK;
