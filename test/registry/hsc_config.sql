-- obsmeta configuration for dax_obscore's HSC test export (../shared/anchors/rubin/registry/): the
-- equivalent of its dax_obscore/obscore_test_config.yaml. Run after CREATE EXTENSION obsmeta and
-- before SELECT obsmeta.attach_registry('hsc_repo').

-- facility_name Subaru, obs_collection obs-collection; raw access through the Butler datastore
INSERT INTO obsmeta.instrument_config
    (instrument, collection, facility_name, telescope_name, geo_location_x, geo_location_y, geo_location_z,
     embargo_period, artifact_uri_template)
VALUES ('HSC', 'obs-collection', 'Subaru', 'Subaru', -5464301.77, -2493489.88, 2151085.16, interval '0',
        'butler://hsc_repo/{path}');

-- dataset_types: calib_level, dataproduct_type/subtype, obs_id_fmt, datalink_url_fmt
INSERT INTO obsmeta.dataset_type_config
    (dataset_type, product_id, calibration_level, observation_level, collection, data_product_type,
     dataproduct_subtype, obscore_obs_id_template, access_url_template)
VALUES ('raw',             'raw',       1, 'exposure', NULL,             'image', 'lsst.raw',       NULL, NULL),
       ('_mock_calexp',    'calexp',    2, 'visit',    NULL,             'image', 'lsst.calexp',    NULL, NULL),
       ('_mock_deepCoadd', 'deepCoadd', 3, 'coadd',    'obs-collection', 'image', 'lsst.deepCoadd',
        '{skymap}-{tract}-{patch}', 'http://datalink.org/{dataset_id}');

-- obs_publisher_did_fmt; access_url is DataLink ({obs_id}: the exposure obs_id or the visit name)
UPDATE obsmeta.obscore_config
   SET publisher_did_template = 'ivo://org.rubinobs/usdac/lsst-dp1?repo=dp1&id={dataset_id}',
       access_mode = 'datalink', datalink_url_template = 'http://datalink.org/{obs_id}',
       default_facility_name = 'Subaru';

-- spectral_ranges: by physical filter first, then by band
INSERT INTO obsmeta.physical_filter_wavelength (instrument, physical_filter, em_min_m, em_max_m)
VALUES ('HSC', 'HSC-R', 543.0e-9, 693.0e-9), ('HSC', 'HSC-I', 690.0e-9, 842.0e-9);
INSERT INTO obsmeta.band_wavelength (band, em_min_m, em_max_m)
VALUES ('r', 552.0e-9, 691.0e-9), ('i', 691.0e-9, 818.0e-9);

-- collections: HSC/runs/ci_hsc is the test configuration's; HSC/raw/all adds the raws
INSERT INTO obsmeta.registry_config (registry_schema, collections)
VALUES ('hsc_repo', ARRAY['HSC/raw/all', 'HSC/runs/ci_hsc']);
