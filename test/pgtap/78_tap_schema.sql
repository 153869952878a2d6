-- obsmeta.register_tap_schema(): a TAP_SCHEMA 1.1 with ivoa.obscore (ObsCore 1.1 metadata), the
-- caom2 tables and their keys; created when absent, rewritten (not duplicated) when run again.
BEGIN;
SELECT plan(19);

SELECT ok(obsmeta.register_tap_schema('oc_tap_schema_test') >= 9, 'register_tap_schema() registers ivoa.obscore and the caom2 tables');
SELECT has_table('oc_tap_schema_test', t, 'TAP_SCHEMA 1.1 table ' || t) FROM unnest(ARRAY['schemas', 'tables', 'columns', 'keys', 'key_columns']) t;
SELECT set_has($$SELECT column_name::text FROM oc_tap_schema_test.columns WHERE table_name = 'ivoa.obscore'$$,
               $$VALUES ('dataproduct_type'), ('calib_level'), ('obs_collection'), ('obs_id'), ('obs_publisher_did'),
                        ('access_url'), ('access_format'), ('access_estsize'), ('target_name'), ('s_ra'), ('s_dec'),
                        ('s_fov'), ('s_region'), ('s_resolution'), ('s_xel1'), ('s_xel2'), ('t_min'), ('t_max'),
                        ('t_exptime'), ('t_resolution'), ('t_xel'), ('em_min'), ('em_max'), ('em_res_power'), ('em_xel'),
                        ('o_ucd'), ('pol_states'), ('pol_xel'), ('facility_name'), ('instrument_name'),
                        ('obs_release_date'), ('obs_creator_did'), ('preview'), ('lsst_visit'), ('lsst_exposure'),
                        ('lsst_detector'), ('lsst_band'), ('lsst_physical_filter'), ('lsst_tract'), ('lsst_patch')$$,
               'ivoa.obscore: the 30 mandatory, the optional and the Rubin columns');
SELECT is_empty($$SELECT column_name FROM oc_tap_schema_test.columns WHERE table_name = 'ivoa.obscore'
                   AND column_name IN ('row_id', 'caom_obs_id', 'caom_plane_id', 'caom_artifact_id', 'visible_from')$$,
                'obsmeta''s bookkeeping columns are not published');
SELECT results_eq($$SELECT datatype, arraysize, xtype, unit, ucd, utype FROM oc_tap_schema_test.columns
                     WHERE table_name = 'ivoa.obscore' AND column_name = 's_region'$$,
                  $$VALUES ('double'::text, '*'::text, 'polygon'::text, 'deg'::text, 'pos.outline;obs.field'::text,
                            'obscore:Char.SpatialAxis.Coverage.Support.Area'::text)$$,
                  's_region: a DALI polygon (double[*], xtype polygon, deg), ObsCore UCD and utype');
SELECT is(format_type(atttypid, atttypmod), 'spoly', 's_region is stored as the pg_sphere spoly that TAP servers map ADQL geometry to')
  FROM pg_attribute WHERE attrelid = 'ivoa.obscore'::regclass AND attname = 's_region';
SELECT is_empty($$SELECT m.column_name, m.datatype, m.arraysize, m.xtype, d.*
                    FROM oc_tap_schema_test.columns m
                    LEFT JOIN pg_attribute a ON a.attrelid = 'ivoa.obscore'::regclass AND a.attname = m.column_name AND NOT a.attisdropped
                    LEFT JOIN LATERAL obsmeta.tap_datatype(a.atttypid::regtype) d ON true
                   WHERE m.table_name = 'ivoa.obscore'
                     AND (a.attname IS NULL OR (m.datatype, m.arraysize, m.xtype) IS DISTINCT FROM (d.datatype, d.arraysize, d.xtype))$$,
                'every TAP_SCHEMA column of ivoa.obscore is a column of the table, with the VOTable type of its PostgreSQL type');
SELECT results_eq($$SELECT datatype, arraysize, xtype, indexed FROM oc_tap_schema_test.columns
                     WHERE table_name = 'ivoa.obscore' AND column_name IN ('s_region_stcs', 's_region_spoly') ORDER BY column_name$$,
                  $$VALUES ('double'::text, '*'::text, 'polygon'::text, 0), ('char', '*', NULL, 0)$$,
                  'the 0.2.0 columns stay published: s_region_spoly (the geometry, unindexed alias), s_region_stcs (the STC-S text)');
SELECT results_eq($$SELECT column_name::text, unit::text FROM oc_tap_schema_test.columns
                     WHERE table_name = 'ivoa.obscore' AND unit IS NOT NULL AND std = 1 ORDER BY column_index$$,
                  $$VALUES ('access_estsize', 'kbyte'), ('s_ra', 'deg'), ('s_dec', 'deg'), ('s_fov', 'deg'), ('s_region', 'deg'),
                           ('s_resolution', 'arcsec'), ('t_min', 'd'), ('t_max', 'd'), ('t_exptime', 's'),
                           ('t_resolution', 's'), ('em_min', 'm'), ('em_max', 'm')$$, 'ObsCore units');
SELECT results_eq($$SELECT datatype, ucd, utype FROM oc_tap_schema_test.columns WHERE table_name = 'ivoa.obscore' AND column_name = 'access_estsize'$$,
                  $$VALUES ('long'::text, 'phys.size;meta.file'::text, 'obscore:Access.size'::text)$$, 'access_estsize: long, UCD, utype');
SELECT is((SELECT utype FROM oc_tap_schema_test.tables WHERE table_name = 'ivoa.obscore'), 'ivo://ivoa.net/std/ObsCore#table-1.1',
          'ivoa.obscore declares the ObsCore 1.1 table utype');
SELECT is((SELECT indexed FROM oc_tap_schema_test.columns WHERE table_name = 'ivoa.obscore' AND column_name = 's_region'), 1,
          's_region is flagged as indexed');
SELECT set_has($$SELECT k.from_table, k.target_table, c.from_column, c.target_column
                   FROM oc_tap_schema_test.keys k JOIN oc_tap_schema_test.key_columns c USING (key_id)$$,
               $$VALUES ('caom2.plane'::text, 'caom2.observation'::text, 'obs_id'::text, 'obs_id'::text),
                        ('caom2.artifact', 'caom2.plane', 'plane_id', 'plane_id'), ('caom2.chunk', 'caom2.part', 'part_id', 'part_id')$$,
               'keys: plane → observation, artifact → plane, chunk → part');
SELECT is((SELECT description FROM oc_tap_schema_test.columns WHERE table_name = 'caom2.observation' AND column_name = 'meta_release'),
          col_description('caom2.observation'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'caom2.observation'::regclass AND attname = 'meta_release')),
          'caom2 columns carry their comments as descriptions');
SELECT obsmeta.register_tap_schema('oc_tap_schema_test');
SELECT is((SELECT count(*)::int FROM oc_tap_schema_test.columns WHERE table_name = 'ivoa.obscore'), 43, 'running it again rewrites, no duplicates');

SELECT * FROM finish();
ROLLBACK;
