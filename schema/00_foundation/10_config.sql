-- obsmeta install script, part 10: configuration (per instrument, per dataset type, per band).
-- Rubin defaults are inserted here; DBAs edit the rows. All three tables are dumped by pg_dump
-- (pg_extension_config_dump) so that a DBA's edits survive dump/restore.

CREATE TABLE obsmeta.instrument_config (
    instrument            text PRIMARY KEY,
    collection            text NOT NULL,
    facility_name         text NOT NULL,
    telescope_name        text NOT NULL,
    -- geocentric (ITRF) position of the telescope in metres, as CAOM2 Telescope.geoLocation{X,Y,Z}
    geo_location_x        double precision,
    geo_location_y        double precision,
    geo_location_z        double precision,
    embargo_period        interval NOT NULL DEFAULT interval '80 hours',
    -- {path} {instrument} {dataset_id} {run} {dataset_type} are replaced
    artifact_uri_template text NOT NULL DEFAULT 'butler://embargo/{path}',
    CONSTRAINT instrument_config_embargo CHECK (embargo_period >= interval '0')
);
COMMENT ON TABLE obsmeta.instrument_config IS
  'One row per instrument obsmeta converts: CAOM2 collection, telescope and location, embargo period, artifact URI template';

-- Cerro Pachon, WGS84 lon -70.749417, lat -30.244639, height 2663 m, as geocentric XYZ.
INSERT INTO obsmeta.instrument_config
    (instrument, collection, facility_name, telescope_name, geo_location_x, geo_location_y, geo_location_z)
VALUES
    ('LSSTCam',    'LSSTCam',    'Rubin-LSST', 'Rubin:Simonyi', 1818938.943, -5208470.951, -3195172.084),
    ('LSSTComCam', 'LSSTComCam', 'Rubin-LSST', 'Rubin:Simonyi', 1818938.943, -5208470.951, -3195172.084),
    ('LATISS',     'LATISS',     'Rubin-LSST', 'Rubin:1.2m',    1818938.943, -5208470.951, -3195172.084);

CREATE TABLE obsmeta.dataset_type_config (
    dataset_type      text PRIMARY KEY,
    -- false: rows of this type are mirrored but not converted (not an error)
    publish           boolean NOT NULL DEFAULT true,
    product_id        text,
    calibration_level integer,
    -- which CAOM2 observation a dataset of this type belongs to
    observation_level text,
    data_product_type text NOT NULL DEFAULT 'image',
    product_type      text NOT NULL DEFAULT 'science',
    -- CAOM2 collection of coadd observations (exposure/visit products use the instrument's)
    collection        text,
    -- ObsCore only (dax_obscore's per-dataset-type settings): dataproduct_subtype; obs_id made
    -- from {skymap} {tract} {patch} {band} {instrument} {exposure} {visit} {detector} {obs_id}
    -- (NULL: the CAOM2 observation's name); access_url template replacing obscore_config's for
    -- this type (its placeholders). A change needs obsmeta.refresh_obscore().
    dataproduct_subtype     text,
    obscore_obs_id_template text,
    access_url_template     text,
    CONSTRAINT dataset_type_config_level CHECK (observation_level IN ('exposure', 'visit', 'coadd')),
    CONSTRAINT dataset_type_config_calib CHECK (calibration_level BETWEEN -1 AND 4),
    CONSTRAINT dataset_type_config_published CHECK
        (NOT publish OR (product_id IS NOT NULL AND calibration_level IS NOT NULL AND observation_level IS NOT NULL)),
    CONSTRAINT dataset_type_config_coadd CHECK (observation_level IS DISTINCT FROM 'coadd' OR collection IS NOT NULL)
);
COMMENT ON TABLE obsmeta.dataset_type_config IS
  'Dataset types obsmeta knows: published ones become CAOM2 planes (product, calibration level, observation level); a type missing here is rejected';

INSERT INTO obsmeta.dataset_type_config
    (dataset_type, publish, product_id, calibration_level, observation_level, collection) VALUES
    ('raw',              true, 'raw',              1, 'exposure', NULL),
    ('visit_image',      true, 'visit_image',      2, 'visit',    NULL),
    ('calexp',           true, 'visit_image',      2, 'visit',    NULL),
    ('difference_image', true, 'difference_image', 3, 'visit',    NULL),
    ('deep_coadd',       true, 'deep_coadd',       3, 'coadd',    'LSST');

-- Spectral range of each band (metres), CAOM2 Plane.energy.bounds and ObsCore em_min/em_max.
-- Rubin values as in dax_obscore's USDF configuration.
CREATE TABLE obsmeta.band_wavelength (
    band     text PRIMARY KEY,
    em_min_m double precision,
    em_max_m double precision,
    CONSTRAINT band_wavelength_order CHECK (em_min_m IS NULL OR em_max_m IS NULL OR (em_min_m > 0 AND em_min_m < em_max_m))
);
INSERT INTO obsmeta.band_wavelength VALUES
    ('u', 330.0e-9, 400.0e-9), ('g', 402.0e-9, 552.0e-9), ('r', 552.0e-9, 691.0e-9),
    ('i', 691.0e-9, 818.0e-9), ('z', 818.0e-9, 922.0e-9), ('y', 922.0e-9, 1060.0e-9),
    ('white', NULL, NULL), ('unknown', NULL, NULL);

-- Spectral range of a physical filter (metres): taken before its band's, as dax_obscore's
-- spectral_ranges are looked up by physical_filter first, then by band.
CREATE TABLE obsmeta.physical_filter_wavelength (
    instrument      text NOT NULL,
    physical_filter text NOT NULL,
    em_min_m        double precision NOT NULL,
    em_max_m        double precision NOT NULL,
    PRIMARY KEY (instrument, physical_filter),
    CONSTRAINT physical_filter_wavelength_order CHECK (em_min_m > 0 AND em_min_m < em_max_m)
);
COMMENT ON TABLE obsmeta.physical_filter_wavelength IS
  'Spectral range of a physical filter (m), used instead of its band''s (obsmeta.band_wavelength); reconvert after a change';

SELECT pg_catalog.pg_extension_config_dump('obsmeta.instrument_config', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.physical_filter_wavelength', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.dataset_type_config', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.band_wavelength', '');
