-- obsmeta install script, part 70: the columns of ivoa.obscore, declared once (70_columns.sql).
-- Adding a column is a row here, last (ordinal_position after every other; ivoa.obscore gains
-- columns only at its end), nullable, with its value as an expression over x and cfg (the sources
-- of obsmeta.obscore_source: 70_obscore_source.rerunnable.sql). Nothing else: an update applies
-- these rows again, and obsmeta.obscore_rebuild() (74_obscore_rebuild.rerunnable.sql) adds the
-- column to ivoa.obscore (and released.obscore), regenerates obsmeta.obscore_source and
-- obsmeta.obscore_apply, and fills the column by obsmeta.refresh_obscore(). schema/README.md
-- ("Adding an ObsCore column") says what else a column may need (a source, an index).
INSERT INTO obsmeta.obscore_column
    (ordinal_position, column_name, definition, value_expression, written, compared,
     column_index, datatype, arraysize, xtype, unit, ucd, utype, principal, std, description) VALUES
    -- ObsCore 1.1 mandatory columns
    (1, 'dataproduct_type', 'text', 'x.dataproduct_type', true, true,
     1, 'char', '*', NULL, NULL, 'meta.code.class', 'obscore:ObsDataset.dataProductType', 1, 1, 'Data product (file content) primary type'),
    (2, 'calib_level', 'integer', 'x.calib_level', true, true,
     2, 'int', NULL, NULL, NULL, 'meta.code;obs.calib', 'obscore:ObsDataset.calibLevel', 1, 1, 'Calibration level of the observation: in {0, 1, 2, 3, 4}'),
    (3, 'obs_collection', 'text NOT NULL', 'x.obs_collection', true, true,
     3, 'char', '*', NULL, NULL, 'meta.id', 'obscore:DataID.collection', 1, 1, 'Name of the data collection'),
    (4, 'obs_id', 'text NOT NULL', 'x.obs_id', true, true,
     4, 'char', '*', NULL, NULL, 'meta.id', 'obscore:DataID.observationID', 1, 1, 'Internal ID given by the ObsTAP service'),
    (5, 'obs_publisher_did', 'text NOT NULL', 'x.obs_publisher_did', true, true,
     5, 'char', '*', NULL, NULL, 'meta.ref.ivoid', 'obscore:Curation.publisherDID', 1, 1, 'ID for the Dataset given by the publisher'),
    (6, 'access_url', 'text',
     'obsmeta.obscore_expand_any(x.url_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                x.obs_collection, x.obs_id, x.product_id, x.lsst_detector, x.obs_publisher_did)',
     true, true,
     6, 'char', '*', NULL, NULL, 'meta.ref.url', 'obscore:Access.reference', 1, 1, 'URL used to access dataset'),
    (7, 'access_format', 'text', $v$CASE cfg.access_mode WHEN 'direct' THEN x.content_type ELSE 'application/x-votable+xml;content=datalink' END$v$, true, true,
     7, 'char', '*', NULL, NULL, 'meta.code.mime', 'obscore:Access.format', 1, 1, 'Content format of the dataset'),
    (8, 'access_estsize', 'bigint', '(x.content_length + 1023) / 1024', true, true,
     8, 'long', NULL, NULL, 'kbyte', 'phys.size;meta.file', 'obscore:Access.size', 1, 1, 'Estimated size of dataset: in kilobytes'),
    (9, 'target_name', 'text', 'x.target_name', true, true,
     9, 'char', '*', NULL, NULL, 'meta.id;src', 'obscore:Target.name', 1, 1, 'Object of interest'),
    (10, 's_ra', 'double precision', 'degrees(long(x.center))', true, true,
     10, 'double', NULL, NULL, 'deg', 'pos.eq.ra', 'obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1', 1, 1, 'Central Spatial Position in ICRS; Right ascension'),
    (11, 's_dec', 'double precision', 'degrees(lat(x.center))', true, true,
     11, 'double', NULL, NULL, 'deg', 'pos.eq.dec', 'obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2', 1, 1, 'Central Spatial Position in ICRS; Declination'),
    (12, 's_fov', 'double precision', 'x.size_deg', true, true,
     12, 'double', NULL, NULL, 'deg', 'phys.angSize;instr.fov', 'obscore:Char.SpatialAxis.Coverage.Bounds.Extent.diameter', 1, 1, 'Estimated size of the covered region as the diameter of a containing circle'),
    (13, 's_region', 'spoly', 'x.region', true, false,  -- pg_sphere: what TAP servers map ADQL geometry to
     13, 'double', '*', 'polygon', 'deg', 'pos.outline;obs.field', 'obscore:Char.SpatialAxis.Coverage.Support.Area', 1, 1, 'Sky region covered by the data product (expressed in ICRS frame)'),
    (14, 's_resolution', 'double precision', 'x.s_resolution', true, true,
     14, 'double', NULL, NULL, 'arcsec', 'pos.angResolution', 'obscore:Char.SpatialAxis.Resolution.Refval.value', 1, 1, 'Spatial resolution of data as FWHM of PSF'),
    (15, 's_xel1', 'bigint', 'x.s_xel1', true, true,
     15, 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.SpatialAxis.numBins1', 1, 1, 'Number of elements along the first coordinate of the spatial axis'),
    (16, 's_xel2', 'bigint', 'x.s_xel2', true, true,
     16, 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.SpatialAxis.numBins2', 1, 1, 'Number of elements along the second coordinate of the spatial axis'),
    (17, 't_min', 'double precision', 'x.t_min', true, true,
     17, 'double', NULL, NULL, 'd', 'time.start;obs.exposure', 'obscore:Char.TimeAxis.Coverage.Bounds.Limits.StartTime', 1, 1, 'Start time in MJD'),
    (18, 't_max', 'double precision', 'x.t_max', true, true,
     18, 'double', NULL, NULL, 'd', 'time.end;obs.exposure', 'obscore:Char.TimeAxis.Coverage.Bounds.Limits.StopTime', 1, 1, 'Stop time in MJD'),
    (19, 't_exptime', 'double precision', 'x.t_exptime', true, true,
     19, 'double', NULL, NULL, 's', 'time.duration;obs.exposure', 'obscore:Char.TimeAxis.Coverage.Support.Extent', 1, 1, 'Total exposure time'),
    (20, 't_resolution', 'double precision', 'x.t_resolution', true, true,
     20, 'double', NULL, NULL, 's', 'time.resolution', 'obscore:Char.TimeAxis.Resolution.Refval.value', 1, 1, 'Temporal resolution FWHM'),
    (21, 't_xel', 'bigint', 'x.t_xel', true, true,
     21, 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.TimeAxis.numBins', 1, 1, 'Number of elements along the time axis'),
    (22, 'em_min', 'double precision', 'x.em_min', true, true,
     22, 'double', NULL, NULL, 'm', 'em.wl;stat.min', 'obscore:Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit', 1, 1, 'start in spectral coordinates'),
    (23, 'em_max', 'double precision', 'x.em_max', true, true,
     23, 'double', NULL, NULL, 'm', 'em.wl;stat.max', 'obscore:Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit', 1, 1, 'stop in spectral coordinates'),
    (24, 'em_res_power', 'double precision', 'x.em_res_power', true, true,
     24, 'double', NULL, NULL, NULL, 'spect.resolution', 'obscore:Char.SpectralAxis.Resolution.ResolPower.refVal', 1, 1, 'Value of the resolving power along the spectral axis (R)'),
    (25, 'em_xel', 'bigint', 'x.em_xel', true, true,
     25, 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.SpectralAxis.numBins', 1, 1, 'Number of elements along the spectral axis'),
    (26, 'o_ucd', 'text', 'x.o_ucd', true, true,
     26, 'char', '*', NULL, NULL, 'meta.ucd', 'obscore:Char.ObservableAxis.ucd', 1, 1, 'Nature of the observable axis'),
    (27, 'pol_states', 'text', 'x.pol_states', true, true,
     27, 'char', '*', NULL, NULL, 'meta.code;phys.polarization', 'obscore:Char.PolarizationAxis.stateList', 1, 1, 'List of polarization states present in the data file'),
    (28, 'pol_xel', 'bigint', 'x.pol_xel', true, true,
     28, 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.PolarizationAxis.numBins', 1, 1, 'Number of elements along the polarization axis'),
    (29, 'facility_name', 'text', 'coalesce(x.facility_name, cfg.default_facility_name)', true, true,
     29, 'char', '*', NULL, NULL, 'meta.id;instr.tel', 'obscore:Provenance.ObsConfig.Facility.name', 1, 1, 'The name of the facility, telescope, or space craft used for the observation'),
    (30, 'instrument_name', 'text', 'x.instrument_name', true, true,
     30, 'char', '*', NULL, NULL, 'meta.id;instr', 'obscore:Provenance.ObsConfig.Instrument.name', 1, 1, 'The name of the instrument used for the observation'),
    -- ObsCore 1.1 optional columns
    (31, 'obs_release_date', 'timestamp', 'x.obs_release_date', true, true,  -- UTC (DALI timestamp: no zone); see the comment below
     31, 'char', '*', 'timestamp', NULL, 'time.release', 'obscore:Curation.releaseDate', 1, 1, 'Observation release date (ISO 8601)'),
    (32, 'obs_creator_did', 'text',
     'obsmeta.obscore_expand(cfg.creator_did_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                              x.obs_collection, x.obs_id, x.product_id, x.lsst_detector)',
     true, true,
     32, 'char', '*', NULL, NULL, 'meta.id', 'obscore:DataID.creatorDID', 0, 1, 'IVOA dataset identifier given by the creator'),
    (33, 'preview', 'text',
     'obsmeta.obscore_expand_any(cfg.preview_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                x.obs_collection, x.obs_id, x.product_id, x.lsst_detector, x.obs_publisher_did)',
     true, true,
     33, 'char', '*', NULL, NULL, 'meta.ref.url;meta.preview', NULL, 0, 1, 'URL of a preview (low-resolution quick-look) image of the dataset'),
    -- Rubin columns
    (34, 'lsst_visit', 'bigint', 'x.lsst_visit', true, true,
     34, 'long', NULL, NULL, NULL, 'meta.id;obs', NULL, 1, 0, 'Rubin: Butler visit id of the dataset (NULL for raws and coadds)'),
    (35, 'lsst_exposure', 'bigint', 'x.lsst_exposure', true, true,
     35, 'long', NULL, NULL, NULL, 'meta.id;obs', NULL, 1, 0, 'Rubin: Butler exposure id of the dataset (raws)'),
    (36, 'lsst_detector', 'integer', 'x.lsst_detector', true, true,
     36, 'int', NULL, NULL, NULL, 'meta.id;instr.det', NULL, 1, 0, 'Rubin: detector id of this image (NULL for products without detector)'),
    (37, 'lsst_band', 'text', 'x.lsst_band', true, true,
     37, 'char', '*', NULL, NULL, 'instr.bandpass', NULL, 1, 0, 'Rubin: abstract filter band (u, g, r, i, z, y)'),
    (38, 'lsst_physical_filter', 'text', 'x.lsst_physical_filter', true, true,
     38, 'char', '*', NULL, NULL, 'instr.filter', NULL, 1, 0, 'Rubin: physical filter used for the observation'),
    (39, 'lsst_tract', 'integer', 'x.lsst_tract', true, true,
     39, 'int', NULL, NULL, NULL, 'meta.id', NULL, 1, 0, 'Rubin: skymap tract of a coadd'),
    (40, 'lsst_patch', 'integer', 'x.lsst_patch', true, true,
     40, 'int', NULL, NULL, NULL, 'meta.id', NULL, 1, 0, 'Rubin: skymap patch (within its tract) of a coadd'),
    -- s_region as ADQL/STC-S text; the centre as a pg_sphere point for ADQL geometry
    (41, 's_region_stcs', 'text', 'obsmeta.spoly_to_stcs(x.region)', true, true,
     41, 'char', '*', NULL, NULL, 'pos.outline;obs.field', NULL, 0, 0, 'Sky region covered by the data product as STC-S text (POLYGON ICRS ra dec ..., degrees)'),
    (42, 's_center', 'spoint', 'x.center', true, false,
     42, 'double', '2', 'point', 'deg', 'pos.eq;meta.main', NULL, 0, 0, 'Central position (s_ra, s_dec) as a point (pg_sphere spoint; GiST-indexed) for ADQL geometry'),
    -- obsmeta bookkeeping (not ObsCore; not in TAP_SCHEMA)
    (43, 'row_id', 'uuid PRIMARY KEY', 'x.row_id', false, false,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (44, 'caom_obs_id', 'uuid NOT NULL', 'x.caom_obs_id', true, true,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (45, 'caom_plane_id', 'uuid NOT NULL', 'x.caom_plane_id', true, true,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (46, 'caom_artifact_id', 'uuid', 'x.caom_artifact_id', true, true,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (47, 'visible_from', 'timestamptz NOT NULL', 'x.visible_from', true, true,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    -- as dax_obscore exports them: ObsCore 1.1's optional dataproduct_subtype (per dataset type)
    -- and the band as em_filter_name
    (48, 'dataproduct_subtype', 'text', 'x.dataproduct_subtype', true, true,
     44, 'char', '*', NULL, NULL, 'meta.code.class', 'obscore:ObsDataset.dataProductSubtype', 1, 1, 'Data product specific type'),
    (49, 'em_filter_name', 'text', 'x.lsst_band', true, true,
     45, 'char', '*', NULL, NULL, 'instr.filter', NULL, 1, 0, 'Filter (band) name, as dax_obscore exports it'),
    -- 0.2.0's name of the geometry, for TAP servers and queries written then (not indexed;
    -- deprecated: use s_region). Generated from s_region: not in obsmeta.obscore_source.
    (50, 's_region_spoly', 'spoly GENERATED ALWAYS AS (s_region) STORED', NULL, false, false,
     43, 'double', '*', 'polygon', 'deg', 'pos.outline;obs.field', NULL, 0, 0, 'Deprecated alias of s_region (its name in obsmeta 0.2.0); not indexed: use s_region')
ON CONFLICT (column_name) DO UPDATE SET
    (ordinal_position, definition, value_expression, written, compared, column_index, datatype, arraysize, xtype, unit, ucd, utype,
     principal, std, description)
  = (EXCLUDED.ordinal_position, EXCLUDED.definition, EXCLUDED.value_expression, EXCLUDED.written, EXCLUDED.compared, EXCLUDED.column_index,
     EXCLUDED.datatype, EXCLUDED.arraysize, EXCLUDED.xtype, EXCLUDED.unit, EXCLUDED.ucd, EXCLUDED.utype,
     EXCLUDED.principal, EXCLUDED.std, EXCLUDED.description);

-- ObsCore 1.1 (IVOA REC, table 6 / Rubin's ObsCore-v1.1 tables), optional and Rubin columns, as
-- obsmeta.register_tap_schema publishes them.
CREATE OR REPLACE VIEW obsmeta.obscore_column_meta AS
SELECT column_name, column_index, datatype, arraysize, xtype, unit, ucd, utype, principal, std, description
  FROM obsmeta.obscore_column
 WHERE column_index IS NOT NULL;
COMMENT ON VIEW obsmeta.obscore_column_meta IS 'TAP_SCHEMA metadata of the public columns of ivoa.obscore (used by obsmeta.register_tap_schema)';
