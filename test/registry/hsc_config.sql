-- obsmeta configuration for dax_obscore's HSC test export (../shared/anchors/rubin/registry/):
-- the equivalent of dax_obscore/obscore_test_config.yaml, run after CREATE EXTENSION obsmeta and
-- before SELECT obsmeta.attach_registry('hsc_repo').

-- instrument (facility_name: Subaru; collection: dax_obscore's obs_collection)
INSERT INTO obsmeta.instrument_config
    (instrument, collection, facility_name, telescope_name, geo_location_x, geo_location_y, geo_location_z,
     embargo_period, artifact_uri_template)
VALUES ('HSC', 'obs-collection', 'Subaru', 'Subaru', -5464301.77, -2493489.88, 2151085.16, interval '0',
        'butler://hsc_repo/{path}');

-- dataset types, calibration levels and dax_obscore's subtypes and obs_id formats
INSERT INTO obsmeta.dataset_type_config
    (dataset_type, product_id, calibration_level, observation_level, collection)
VALUES ('raw',             'raw',        1, 'exposure', NULL),
       ('_mock_calexp',    'calexp',     2, 'visit',    NULL),
       ('_mock_deepCoadd', 'deepCoadd',  3, 'coadd',    'obs-collection');

-- which collections of the registry are exported (dax_obscore `collections`)
INSERT INTO obsmeta.registry_config (registry_schema, collections)
VALUES ('hsc_repo', ARRAY['HSC/raw/all', 'HSC/runs/ci_hsc']);
