-- Registry rows translated at commit reach the EFD reductions of the same commit. The changed
-- exposure's gen3 row is written by the conversion's step before commit; it marks the exposure's
-- EFD image, which the EFD step must recompute in that same commit (before 0.4.0 the EFD step could
-- run first, and the mark was dropped with the transaction: the values stayed those of the old
-- timespan). Unlike 10 and 20 this file commits: it is the last of the suite.
\set ON_ERROR_STOP 1
\i test/registry/hsc_config.sql
SELECT obsmeta.attach_registry('hsc_repo') > 0 AS attached \gset
SELECT plan(5);

-- Elevation 40° around exposure 903334's window, 70° around 903336's (both committed).
SELECT efd.channel_id('lsst.sal.MTMount.elevation', 'actualPosition') AS el \gset
INSERT INTO efd.sample (channel, time, value)
SELECT :el, e.timespan_begin - interval '10 s' + g * interval '1 s', CASE e.id WHEN 903334 THEN 40 ELSE 70 END
  FROM gen3.exposure e, generate_series(0, 60) g WHERE e.instrument = 'HSC' AND e.id IN (903334, 903336);
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 903334 AND output_name = 'mount_elevation_mean'),
          40::float8, 'before: exposure 903334 reduced over its own window');

-- The Butler fixes 903334's timespan (it is 903336's window): one registry UPDATE, committed.
UPDATE hsc_repo.exposure SET timespan = (SELECT timespan FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903336)
 WHERE instrument = 'HSC' AND id = 903334;

SELECT is((SELECT timespan_begin FROM gen3.exposure WHERE instrument = 'HSC' AND id = 903334),
          (SELECT timespan_begin FROM gen3.exposure WHERE instrument = 'HSC' AND id = 903336),
          'the commit translated the registry row into gen3');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 903334 AND output_name = 'mount_elevation_mean'),
          70::float8, 'the same commit recomputed its EFD values over the new window');
SELECT is((SELECT environment_elevation FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('HSC', 903334)),
          70::float8, 'and its CAOM2 Environment');
-- a from-scratch recomputation agrees with what the commit left
CREATE TEMP TABLE at_commit AS SELECT exposure, output_name, value FROM efd.exposure_value WHERE exposure IN (903334, 903336);
SELECT efd.recompute('exposure') >= 0 AS recomputed \gset
SELECT set_eq('SELECT exposure, output_name, value FROM efd.exposure_value WHERE exposure IN (903334, 903336)',
              'SELECT * FROM at_commit', 'a from-scratch efd.recompute() changes nothing');
SELECT * FROM finish();
