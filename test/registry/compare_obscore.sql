-- Compares ivoa.obscore with one dax_obscore export, row by row and column by column (included by
-- t/10_parity.sql with :csv, the CSV under ../shared/anchors/rubin/registry/dax_obscore/, and :rows).
-- 16 tests.
TRUNCATE dax;
\set copy_cmd '\\copy dax FROM ''../shared/anchors/rubin/registry/dax_obscore/' :csv ''' CSV HEADER NULL ''\\N'''
:copy_cmd
SELECT is((SELECT count(*)::int FROM dax), :rows, :'csv' || ': dax_obscore exported ' || :rows || ' rows');
-- rows are matched by obs_publisher_did (both carry the Butler dataset id)
SELECT set_eq('SELECT obs_publisher_did FROM ivoa.obscore', 'SELECT obs_publisher_did FROM dax',
              :'csv' || ': the same rows (obs_publisher_did)');
CREATE OR REPLACE TEMP VIEW pair AS
SELECT d.obs_publisher_did, d AS x, o AS m FROM dax d JOIN ivoa.obscore o USING (obs_publisher_did);
SELECT is_empty($$SELECT obs_publisher_did, (x).obs_id, (m).obs_id FROM pair WHERE (x).obs_id IS DISTINCT FROM (m).obs_id$$,
                :'csv' || ': obs_id (exposure obs_id, visit name, {skymap}-{tract}-{patch} for coadds)');
SELECT is_empty($$SELECT obs_publisher_did FROM pair
                   WHERE ((x).dataproduct_type, (x).dataproduct_subtype, (x).calib_level)
                         IS DISTINCT FROM ((m).dataproduct_type, (m).dataproduct_subtype, (m).calib_level)$$,
                :'csv' || ': dataproduct_type, dataproduct_subtype, calib_level');
SELECT is_empty($$SELECT obs_publisher_did, (x).t_min, (m).t_min, (x).t_max, (m).t_max FROM pair
                   WHERE ((x).t_min IS NULL) <> ((m).t_min IS NULL) OR ((x).t_max IS NULL) <> ((m).t_max IS NULL)
                      OR abs((x).t_min - (m).t_min) * 86400e6 > 1 OR abs((x).t_max - (m).t_max) * 86400e6 > 1$$,
                :'csv' || ': t_min, t_max within 1 µs (TAI timespans to UTC MJD)');
SELECT is_empty($$SELECT obs_publisher_did FROM pair WHERE (x).t_exptime IS DISTINCT FROM (m).t_exptime$$,
                :'csv' || ': t_exptime');
SELECT is_empty($$SELECT obs_publisher_did, (x).em_min, (m).em_min FROM pair
                   WHERE ((x).em_min IS NULL) <> ((m).em_min IS NULL) OR abs((x).em_min - (m).em_min) > 1e-18
                      OR ((x).em_max IS NULL) <> ((m).em_max IS NULL) OR abs((x).em_max - (m).em_max) > 1e-18$$,
                :'csv' || ': em_min, em_max (physical filter ranges before band ranges)');
SELECT is_empty($$SELECT obs_publisher_did FROM pair WHERE (x).em_filter_name IS DISTINCT FROM (m).em_filter_name$$,
                :'csv' || ': em_filter_name');
SELECT is_empty($$SELECT obs_publisher_did, (x).s_region, (m).s_region FROM pair
                   WHERE NOT pg_temp.same_vertices((x).s_region, (m).s_region)$$,
                :'csv' || ': s_region: the same vertices in the same order (dax_obscore prints 6 decimals)');
SELECT is_empty($$SELECT obs_publisher_did, (x).s_ra - (m).s_ra, (x).s_dec - (m).s_dec FROM pair
                   WHERE abs((x).s_ra - (m).s_ra) > 1e-9 OR abs((x).s_dec - (m).s_dec) > 1e-9$$,
                :'csv' || ': s_ra, s_dec within 1e-9 deg (sphgeom''s bounding-circle center)');
SELECT is_empty($$SELECT obs_publisher_did, (x).s_fov - (m).s_fov FROM pair WHERE abs((x).s_fov - (m).s_fov) > 1e-9$$,
                :'csv' || ': s_fov within 1e-9 deg (bounding-circle diameter)');
SELECT is_empty($$SELECT obs_publisher_did, (x).access_url, (m).access_url FROM pair
                   WHERE (x).access_url IS DISTINCT FROM (m).access_url$$,
                :'csv' || ': access_url (DataLink by obs_id; coadds by dataset id)');
SELECT is_empty($$SELECT obs_publisher_did FROM pair
                   WHERE ((x).facility_name, (x).instrument_name, (x).obs_collection)
                         IS DISTINCT FROM ((m).facility_name, (m).instrument_name, (m).obs_collection)$$,
                :'csv' || ': facility_name, instrument_name, obs_collection');
SELECT is_empty($$SELECT obs_publisher_did FROM pair WHERE (x).target_name IS DISTINCT FROM (m).target_name$$,
                :'csv' || ': target_name');
-- columns dax_obscore's test configuration leaves empty are empty in obsmeta too
SELECT is_empty($$SELECT obs_publisher_did FROM pair
                   WHERE ((x).s_resolution, (x).s_xel1, (x).s_xel2, (x).t_resolution, (x).t_xel, (x).em_xel,
                          (x).em_res_power, (x).o_ucd, (x).pol_xel)
                         IS DISTINCT FROM ((m).s_resolution, (m).s_xel1, (m).s_xel2, (m).t_resolution, (m).t_xel,
                          (m).em_xel, (m).em_res_power, (m).o_ucd, (m).pol_xel)$$,
                :'csv' || ': s_resolution, s_xel1/2, t_resolution, t_xel, em_xel, em_res_power, o_ucd, pol_xel');
-- the coadds: obs_id from skymap/tract/patch, footprint = the patch region (checked above); one row per band
SELECT is((SELECT count(DISTINCT (m).em_filter_name)::int FROM pair WHERE (x).calib_level = 3), 2,
          :'csv' || ': a coadd row per band of patch discrete/ci_hsc 0/69');
