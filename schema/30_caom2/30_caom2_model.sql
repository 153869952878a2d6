-- obsmeta install script, part 30: the CAOM-2.4 model tables (schema caom2).
--
-- One table per CAOM-2.4 entity (Observation, Plane, Artifact, Part, Chunk) plus the two
-- value-list tables (DerivedObservation.members, Plane.provenance.inputs) and the
-- deleted-observation tombstones that harvesters poll.
--
-- Naming: column = snake_case of the CAOM-2.4 attribute path, embedded objects flattened with
-- their role name as prefix (Plane.provenance.runID -> provenance_run_id,
-- Chunk.position.axis.function.refCoord.coord1.pix -> position_axis_function_ref_coord_coord1_pix).
-- The entity id (CaomEntity.id) is <entity>_id (observation: obs_id); the parent's id is the FK.
-- Keyword and group lists are text[] in document order. Dates (IVOA yyyy-MM-dd'T'HH:mm:ss.SSS,
-- UTC) are timestamptz. jsonb is used only for variable-length lists; each jsonb column's
-- shape is given in its COMMENT. Numbers in jsonb are JSON numbers written with the shortest
-- round-trip representation of the double, so they read back bit-identical.
--
-- Geometry: pg_sphere values are derived, for queries only. A degrees -> radians -> degrees round
-- trip is not exact for every double, so every CAOM-2.4 coordinate is also stored exactly
-- (doubles / jsonb) and export and checksums must use the exact columns.
--
-- Columns under "-- obsmeta extension (not CAOM-2.4)" and the DERIVED columns are not CAOM-2.4
-- attributes: they are excluded from metaChecksum / accMetaChecksum and from XML export.
-- CAOM-2.4 attributes not stored: none. (Telescope.trackingMode does not exist in 2.4.)

---------------------------------------------------------------------------------------------------
-- Observation (SimpleObservation / DerivedObservation)
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.observation (
    obs_id                        uuid PRIMARY KEY,
    obs_type                      text NOT NULL
        CHECK (obs_type IN ('SimpleObservation', 'DerivedObservation')),
    collection                    text NOT NULL,
    observation_id                text NOT NULL,
    uri                           text GENERATED ALWAYS AS ('caom:' || collection || '/' || observation_id) STORED,
    meta_release                  timestamptz,
    meta_read_groups              text[],
    sequence_number               integer,
    algorithm_name                text NOT NULL,
    type                          text,
    intent                        text CHECK (intent IN ('science', 'calibration')),
    -- Proposal
    proposal_id                   text,
    proposal_pi                   text,
    proposal_project              text,
    proposal_title                text,
    proposal_keywords             text[],
    -- Target
    target_name                   text,
    target_target_id              text,
    target_type                   text CHECK (target_type IN ('object', 'field')),
    target_standard               boolean,
    target_redshift               double precision,
    target_moving                 boolean,
    target_keywords               text[],
    -- TargetPosition
    target_position_coordsys      text,
    target_position_equinox       double precision,
    target_position_cval1         double precision,
    target_position_cval2         double precision,
    target_position_coordinates   spoint,
    -- Requirements
    requirements_flag             text CHECK (requirements_flag IN ('fail')),
    -- Telescope
    telescope_name                text,
    telescope_geo_location_x      double precision,
    telescope_geo_location_y      double precision,
    telescope_geo_location_z      double precision,
    telescope_keywords            text[],
    -- Instrument
    instrument_name               text,
    instrument_keywords           text[],
    -- Environment
    environment_seeing            double precision,
    environment_humidity          double precision,
    environment_elevation         double precision,
    environment_tau               double precision,
    environment_wavelength_tau    double precision,
    environment_ambient_temp      double precision,
    environment_photometric       boolean,
    -- CaomEntity
    last_modified                 timestamptz NOT NULL DEFAULT now(),
    max_last_modified             timestamptz NOT NULL DEFAULT now(),
    meta_checksum                 text,
    acc_meta_checksum             text,
    meta_producer                 text,
    CONSTRAINT observation_collection_observation_id_key UNIQUE (collection, observation_id),
    CONSTRAINT observation_uri_key UNIQUE (uri),
    CONSTRAINT observation_target_position_check
        CHECK ((target_position_cval1 IS NULL) = (target_position_cval2 IS NULL))
);

CREATE INDEX observation_max_last_modified_idx ON caom2.observation (max_last_modified, obs_id);

COMMENT ON TABLE caom2.observation IS
    'CAOM-2.4 Observation (one row per SimpleObservation or DerivedObservation); written by obsmeta only';
COMMENT ON COLUMN caom2.observation.obs_id IS 'CaomEntity.id of the Observation';
COMMENT ON COLUMN caom2.observation.obs_type IS 'xsi:type of the Observation: SimpleObservation or DerivedObservation';
COMMENT ON COLUMN caom2.observation.uri IS
    'Observation URI caom:{collection}/{observationID}; GENERATED from collection and observation_id (do not insert it)';
COMMENT ON COLUMN caom2.observation.meta_release IS 'metaRelease (UTC): when the metadata become public';
COMMENT ON COLUMN caom2.observation.meta_read_groups IS 'metaReadGroups: group URIs (ivo://authority/service?group) allowed to read the metadata before meta_release';
COMMENT ON COLUMN caom2.observation.type IS 'Observation.type (e.g. FITS OBSTYPE: science, bias, flat, dark, field, ...)';
COMMENT ON COLUMN caom2.observation.target_target_id IS 'Target.targetID (URI)';
COMMENT ON COLUMN caom2.observation.target_position_cval1 IS 'TargetPosition.coordinates.cval1 (degrees, exact value as stored in CAOM)';
COMMENT ON COLUMN caom2.observation.target_position_cval2 IS 'TargetPosition.coordinates.cval2 (degrees, exact value as stored in CAOM)';
COMMENT ON COLUMN caom2.observation.target_position_coordinates IS
    'DERIVED (query helper): spoint of (target_position_cval1, target_position_cval2); export uses the cval columns';
COMMENT ON COLUMN caom2.observation.telescope_geo_location_x IS 'Telescope.geoLocationX: geocentric X (metres)';
COMMENT ON COLUMN caom2.observation.telescope_geo_location_y IS 'Telescope.geoLocationY: geocentric Y (metres)';
COMMENT ON COLUMN caom2.observation.telescope_geo_location_z IS 'Telescope.geoLocationZ: geocentric Z (metres)';
COMMENT ON COLUMN caom2.observation.environment_seeing IS 'Environment.seeing: FWHM (arcsec)';
COMMENT ON COLUMN caom2.observation.environment_humidity IS 'Environment.humidity (fraction, 0..1)';
COMMENT ON COLUMN caom2.observation.environment_elevation IS 'Environment.elevation: telescope elevation (degrees)';
COMMENT ON COLUMN caom2.observation.environment_tau IS 'Environment.tau: zenith optical depth';
COMMENT ON COLUMN caom2.observation.environment_wavelength_tau IS 'Environment.wavelengthTau: wavelength at which tau was measured (metres)';
COMMENT ON COLUMN caom2.observation.environment_ambient_temp IS 'Environment.ambientTemp (degrees Celsius)';
COMMENT ON COLUMN caom2.observation.last_modified IS 'CaomEntity.lastModified: last change of this row''s CAOM attributes';
COMMENT ON COLUMN caom2.observation.max_last_modified IS 'CaomEntity.maxLastModified: max last_modified over the observation and all its children (harvesting cursor)';
COMMENT ON COLUMN caom2.observation.meta_checksum IS 'CaomEntity.metaChecksum, e.g. md5:<hex>';
COMMENT ON COLUMN caom2.observation.acc_meta_checksum IS 'CaomEntity.accMetaChecksum (this entity and all children), e.g. md5:<hex>';
COMMENT ON COLUMN caom2.observation.meta_producer IS 'CaomEntity.metaProducer: URI of the software that produced the metadata';

---------------------------------------------------------------------------------------------------
-- DerivedObservation.members
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.observation_member (
    composite_id  uuid NOT NULL REFERENCES caom2.observation (obs_id) ON DELETE CASCADE,
    member_uri    text NOT NULL CHECK (member_uri LIKE 'caom:%/%'),
    PRIMARY KEY (composite_id, member_uri)
);

CREATE INDEX observation_member_member_uri_idx ON caom2.observation_member (member_uri);

COMMENT ON TABLE caom2.observation_member IS
    'CAOM-2.4 DerivedObservation.members: one row per member ObservationURI of a composite (derived) observation';
COMMENT ON COLUMN caom2.observation_member.composite_id IS 'obs_id of the DerivedObservation';
COMMENT ON COLUMN caom2.observation_member.member_uri IS
    'member ObservationURI caom:{collection}/{observationID} (matches caom2.observation.uri of the member when it is stored here)';

---------------------------------------------------------------------------------------------------
-- Plane
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.plane (
    plane_id                              uuid PRIMARY KEY,
    obs_id                                uuid NOT NULL REFERENCES caom2.observation (obs_id) ON DELETE CASCADE,
    product_id                            text NOT NULL,
    creator_id                            text,
    meta_release                          timestamptz,
    meta_read_groups                      text[],
    data_release                          timestamptz,
    data_read_groups                      text[],
    data_product_type                     text,
    calibration_level                     integer CHECK (calibration_level BETWEEN -1 AND 4),
    -- Provenance (inputs: caom2.provenance_input)
    provenance_name                       text,
    provenance_version                    text,
    provenance_project                    text,
    provenance_producer                   text,
    provenance_run_id                     text,
    provenance_reference                  text,
    provenance_last_executed              timestamptz,
    provenance_keywords                   text[],
    -- Observable
    observable_ucd                        text,
    -- Metrics
    metrics_source_number_density         double precision,
    metrics_background                    double precision,
    metrics_background_stddev             double precision,
    metrics_flux_density_limit            double precision,
    metrics_mag_limit                     double precision,
    metrics_sample_snr                    double precision,
    -- DataQuality
    quality_flag                          text CHECK (quality_flag IN ('junk')),
    -- Position
    position_bounds_points                jsonb,
    position_bounds_samples               jsonb,
    position_bounds_circle_center_cval1   double precision,
    position_bounds_circle_center_cval2   double precision,
    position_bounds_circle_radius         double precision,
    position_bounds                       spoly,
    position_bounds_circle                scircle,
    position_dimension_naxis1             bigint,
    position_dimension_naxis2             bigint,
    position_resolution                   double precision,
    position_resolution_bounds_lower      double precision,
    position_resolution_bounds_upper      double precision,
    position_sample_size                  double precision,
    position_time_dependent               boolean,
    position_center                       spoint,
    position_area_deg2                    double precision,
    position_size_deg                     double precision,
    -- Energy
    energy_bounds_lower                   double precision,
    energy_bounds_upper                   double precision,
    energy_bounds_samples                 jsonb,
    energy_dimension                      bigint,
    energy_resolving_power                double precision,
    energy_resolving_power_bounds_lower   double precision,
    energy_resolving_power_bounds_upper   double precision,
    energy_sample_size                    double precision,
    energy_bandpass_name                  text,
    energy_energy_bands                   text[],
    energy_rest_wav                       double precision,
    energy_transition_species             text,
    energy_transition_transition          text,
    -- Time
    time_bounds_lower                     double precision,
    time_bounds_upper                     double precision,
    time_bounds_samples                   jsonb,
    time_dimension                        bigint,
    time_resolution                       double precision,
    time_resolution_bounds_lower          double precision,
    time_resolution_bounds_upper          double precision,
    time_sample_size                      double precision,
    time_exposure                         double precision,
    -- Polarization
    polarization_states                   text[],
    polarization_dimension                bigint,
    -- CustomAxis
    custom_ctype                          text,
    custom_bounds_lower                   double precision,
    custom_bounds_upper                   double precision,
    custom_bounds_samples                 jsonb,
    custom_dimension                      bigint,
    -- CaomEntity
    last_modified                         timestamptz NOT NULL DEFAULT now(),
    max_last_modified                     timestamptz NOT NULL DEFAULT now(),
    meta_checksum                         text,
    acc_meta_checksum                     text,
    meta_producer                         text,
    CONSTRAINT plane_obs_id_product_id_key UNIQUE (obs_id, product_id),
    CONSTRAINT plane_position_bounds_one_shape CHECK (
        position_bounds_points IS NULL OR position_bounds_circle_radius IS NULL),
    CONSTRAINT plane_position_bounds_circle_complete CHECK (
        (position_bounds_circle_radius IS NULL) = (position_bounds_circle_center_cval1 IS NULL)
        AND (position_bounds_circle_radius IS NULL) = (position_bounds_circle_center_cval2 IS NULL)),
    CONSTRAINT plane_position_bounds_pgsphere_one_shape CHECK (
        position_bounds IS NULL OR position_bounds_circle IS NULL),
    CONSTRAINT plane_position_circle_radius_check CHECK (position_bounds_circle_radius >= 0),
    CONSTRAINT plane_energy_bounds_check CHECK (energy_bounds_lower <= energy_bounds_upper),
    CONSTRAINT plane_energy_bounds_complete CHECK (
        (energy_bounds_lower IS NULL) = (energy_bounds_upper IS NULL)),
    CONSTRAINT plane_energy_resolving_power_bounds_check CHECK (
        energy_resolving_power_bounds_lower <= energy_resolving_power_bounds_upper),
    CONSTRAINT plane_energy_bands_check CHECK (energy_energy_bands <@ ARRAY[
        'Radio', 'Millimeter', 'Infrared', 'Optical', 'UV', 'EUV', 'X-ray', 'Gamma-ray']::text[]),
    CONSTRAINT plane_time_bounds_check CHECK (time_bounds_lower <= time_bounds_upper),
    CONSTRAINT plane_time_bounds_complete CHECK (
        (time_bounds_lower IS NULL) = (time_bounds_upper IS NULL)),
    CONSTRAINT plane_time_resolution_bounds_check CHECK (
        time_resolution_bounds_lower <= time_resolution_bounds_upper),
    CONSTRAINT plane_position_resolution_bounds_check CHECK (
        position_resolution_bounds_lower <= position_resolution_bounds_upper),
    CONSTRAINT plane_custom_bounds_check CHECK (custom_bounds_lower <= custom_bounds_upper),
    CONSTRAINT plane_polarization_states_check CHECK (polarization_states <@ ARRAY[
        'I', 'Q', 'U', 'V', 'RR', 'LL', 'RL', 'LR', 'XX', 'YY', 'XY', 'YX',
        'POLI', 'FPOLI', 'EPOLI', 'CPOLI', 'NPOLI']::text[])
);

-- plane (obs_id) is covered by the unique index plane_obs_id_product_id_key.
CREATE INDEX plane_position_bounds_idx ON caom2.plane USING gist (position_bounds obsmeta.spoly_gist_ops);
CREATE INDEX plane_position_bounds_circle_idx ON caom2.plane USING gist (position_bounds_circle);
CREATE INDEX plane_position_center_idx ON caom2.plane USING gist (position_center);

COMMENT ON TABLE caom2.plane IS
    'CAOM-2.4 Plane: one product of one observation (e.g. the raw of an exposure, the visit_image of a visit)';
COMMENT ON COLUMN caom2.plane.plane_id IS 'CaomEntity.id of the Plane';
COMMENT ON COLUMN caom2.plane.obs_id IS 'owning Observation';
COMMENT ON COLUMN caom2.plane.creator_id IS 'creatorID: IVOA publisher DID of the product (ivo://authority/path?productID)';
COMMENT ON COLUMN caom2.plane.meta_release IS 'metaRelease (UTC)';
COMMENT ON COLUMN caom2.plane.meta_read_groups IS 'metaReadGroups: group URIs';
COMMENT ON COLUMN caom2.plane.data_release IS 'dataRelease (UTC): when the data (artifacts) become public';
COMMENT ON COLUMN caom2.plane.data_read_groups IS 'dataReadGroups: group URIs';
COMMENT ON COLUMN caom2.plane.data_product_type IS 'dataProductType (open vocabulary: image, cube, spectrum, ...)';
COMMENT ON COLUMN caom2.plane.calibration_level IS 'calibrationLevel: -1 planned, 0 raw instrumental, 1 raw standard, 2 calibrated, 3 product, 4 analysis product';
COMMENT ON COLUMN caom2.plane.provenance_run_id IS 'Provenance.runID (for obsmeta: the Butler RUN collection)';
COMMENT ON COLUMN caom2.plane.provenance_reference IS 'Provenance.reference (URI)';
COMMENT ON COLUMN caom2.plane.provenance_last_executed IS 'Provenance.lastExecuted (UTC)';
COMMENT ON COLUMN caom2.plane.observable_ucd IS 'Observable.ucd: UCD of the observable quantity (e.g. phot.count)';
COMMENT ON COLUMN caom2.plane.metrics_source_number_density IS 'Metrics.sourceNumberDensity (sources per square degree)';
COMMENT ON COLUMN caom2.plane.metrics_background IS 'Metrics.background (Jy/pix)';
COMMENT ON COLUMN caom2.plane.metrics_background_stddev IS 'Metrics.backgroundStddev (Jy/pix)';
COMMENT ON COLUMN caom2.plane.metrics_flux_density_limit IS 'Metrics.fluxDensityLimit (Jy)';
COMMENT ON COLUMN caom2.plane.metrics_mag_limit IS 'Metrics.magLimit (AB mag)';
COMMENT ON COLUMN caom2.plane.metrics_sample_snr IS 'Metrics.sampleSNR';
COMMENT ON COLUMN caom2.plane.quality_flag IS 'DataQuality.flag (only value: junk)';
COMMENT ON COLUMN caom2.plane.position_bounds_points IS
    'Position.bounds when xsi:type=caom2:Polygon: the Polygon points, exact (degrees, ICRS). jsonb shape: [[cval1, cval2], ...] (>= 3, document order). NULL for circles.';
COMMENT ON COLUMN caom2.plane.position_bounds_samples IS
    'Position.bounds (Polygon) samples: the MultiPolygon vertices, exact. jsonb shape: [[cval1, cval2, type], ...] in document order; type is the SegmentType code as in CAOM-2.4 documents: 0 = CLOSE, 1 = LINE, 2 = MOVE. NULL for circles.';
COMMENT ON COLUMN caom2.plane.position_bounds_circle_center_cval1 IS 'Position.bounds when xsi:type=caom2:Circle: center.cval1 (degrees, exact)';
COMMENT ON COLUMN caom2.plane.position_bounds_circle_center_cval2 IS 'Position.bounds when xsi:type=caom2:Circle: center.cval2 (degrees, exact)';
COMMENT ON COLUMN caom2.plane.position_bounds_circle_radius IS 'Position.bounds when xsi:type=caom2:Circle: radius (degrees, exact)';
COMMENT ON COLUMN caom2.plane.position_bounds IS
    'DERIVED (query helper): the Polygon bounds points as a pg_sphere spoly; NULL for circles. Export uses position_bounds_points.';
COMMENT ON COLUMN caom2.plane.position_bounds_circle IS
    'DERIVED (query helper): the Circle bounds as a pg_sphere scircle; NULL for polygons. Export uses the position_bounds_circle_* doubles.';
COMMENT ON COLUMN caom2.plane.position_dimension_naxis1 IS 'Position.dimension.naxis1 (pixels)';
COMMENT ON COLUMN caom2.plane.position_dimension_naxis2 IS 'Position.dimension.naxis2 (pixels)';
COMMENT ON COLUMN caom2.plane.position_resolution IS 'Position.resolution (arcsec)';
COMMENT ON COLUMN caom2.plane.position_resolution_bounds_lower IS 'Position.resolutionBounds.lower (arcsec)';
COMMENT ON COLUMN caom2.plane.position_resolution_bounds_upper IS 'Position.resolutionBounds.upper (arcsec)';
COMMENT ON COLUMN caom2.plane.position_sample_size IS 'Position.sampleSize: pixel size (arcsec)';
COMMENT ON COLUMN caom2.plane.position_time_dependent IS 'Position.timeDependent';
COMMENT ON COLUMN caom2.plane.position_center IS
    'DERIVED by obsmeta for ObsCore/TAP (not CAOM-2.4): center of the bounds (spoint)';
COMMENT ON COLUMN caom2.plane.position_area_deg2 IS
    'DERIVED by obsmeta for ObsCore/TAP (not CAOM-2.4): area of the bounds (square degrees)';
COMMENT ON COLUMN caom2.plane.position_size_deg IS
    'DERIVED by obsmeta for ObsCore/TAP (not CAOM-2.4): diameter of the bounding circle (degrees), ObsCore s_fov';
COMMENT ON COLUMN caom2.plane.energy_bounds_lower IS 'Energy.bounds.lower: shortest wavelength (metres, barycentric)';
COMMENT ON COLUMN caom2.plane.energy_bounds_upper IS 'Energy.bounds.upper: longest wavelength (metres, barycentric)';
COMMENT ON COLUMN caom2.plane.energy_bounds_samples IS
    'Energy.bounds.samples (SampledInterval samples), wavelength in metres. jsonb shape: [[lower, upper], ...] in document order.';
COMMENT ON COLUMN caom2.plane.energy_dimension IS 'Energy.dimension: number of spectral pixels';
COMMENT ON COLUMN caom2.plane.energy_resolving_power IS 'Energy.resolvingPower (lambda / delta lambda)';
COMMENT ON COLUMN caom2.plane.energy_resolving_power_bounds_lower IS 'Energy.resolvingPowerBounds.lower';
COMMENT ON COLUMN caom2.plane.energy_resolving_power_bounds_upper IS 'Energy.resolvingPowerBounds.upper';
COMMENT ON COLUMN caom2.plane.energy_sample_size IS 'Energy.sampleSize: spectral pixel size (metres)';
COMMENT ON COLUMN caom2.plane.energy_bandpass_name IS 'Energy.bandpassName (e.g. the Rubin band or physical filter)';
COMMENT ON COLUMN caom2.plane.energy_energy_bands IS 'Energy.energyBands: EnergyBand values (Radio, Millimeter, Infrared, Optical, UV, EUV, X-ray, Gamma-ray)';
COMMENT ON COLUMN caom2.plane.energy_rest_wav IS 'Energy.restwav: rest wavelength of the target transition (metres)';
COMMENT ON COLUMN caom2.plane.energy_transition_species IS 'Energy.transition.species';
COMMENT ON COLUMN caom2.plane.energy_transition_transition IS 'Energy.transition.transition';
COMMENT ON COLUMN caom2.plane.time_bounds_lower IS 'Time.bounds.lower: start (MJD, UTC)';
COMMENT ON COLUMN caom2.plane.time_bounds_upper IS 'Time.bounds.upper: end (MJD, UTC)';
COMMENT ON COLUMN caom2.plane.time_bounds_samples IS
    'Time.bounds.samples (SampledInterval samples), MJD. jsonb shape: [[lower, upper], ...] in document order.';
COMMENT ON COLUMN caom2.plane.time_dimension IS 'Time.dimension: number of time samples';
COMMENT ON COLUMN caom2.plane.time_resolution IS 'Time.resolution (days)';
COMMENT ON COLUMN caom2.plane.time_resolution_bounds_lower IS 'Time.resolutionBounds.lower (days)';
COMMENT ON COLUMN caom2.plane.time_resolution_bounds_upper IS 'Time.resolutionBounds.upper (days)';
COMMENT ON COLUMN caom2.plane.time_sample_size IS 'Time.sampleSize (days)';
COMMENT ON COLUMN caom2.plane.time_exposure IS 'Time.exposure: effective exposure time (seconds)';
COMMENT ON COLUMN caom2.plane.polarization_states IS 'Polarization.states: PolarizationState values (I, Q, U, V, RR, ...)';
COMMENT ON COLUMN caom2.plane.polarization_dimension IS 'Polarization.dimension: number of polarization states';
COMMENT ON COLUMN caom2.plane.custom_ctype IS 'CustomAxis.ctype';
COMMENT ON COLUMN caom2.plane.custom_bounds_lower IS 'CustomAxis.bounds.lower (units of custom_ctype)';
COMMENT ON COLUMN caom2.plane.custom_bounds_upper IS 'CustomAxis.bounds.upper (units of custom_ctype)';
COMMENT ON COLUMN caom2.plane.custom_bounds_samples IS
    'CustomAxis.bounds.samples. jsonb shape: [[lower, upper], ...] in document order.';
COMMENT ON COLUMN caom2.plane.custom_dimension IS 'CustomAxis.dimension';
COMMENT ON COLUMN caom2.plane.max_last_modified IS 'max last_modified over the plane and its artifacts, parts and chunks';

---------------------------------------------------------------------------------------------------
-- Plane.provenance.inputs
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.provenance_input (
    plane_id   uuid NOT NULL REFERENCES caom2.plane (plane_id) ON DELETE CASCADE,
    input_uri  text NOT NULL CHECK (input_uri LIKE 'caom:%/%/%'),
    PRIMARY KEY (plane_id, input_uri)
);

CREATE INDEX provenance_input_input_uri_idx ON caom2.provenance_input (input_uri);

COMMENT ON TABLE caom2.provenance_input IS
    'CAOM-2.4 Plane.provenance.inputs: one row per input PlaneURI of a plane''s provenance';
COMMENT ON COLUMN caom2.provenance_input.input_uri IS 'input PlaneURI caom:{collection}/{observationID}/{productID}';

---------------------------------------------------------------------------------------------------
-- Artifact
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.artifact (
    artifact_id           uuid PRIMARY KEY,
    plane_id              uuid NOT NULL,  -- → caom2.plane; see 35_caom2_integrity.rerunnable.sql
    uri                   text NOT NULL,
    product_type          text NOT NULL,
    release_type          text NOT NULL CHECK (release_type IN ('data', 'meta')),
    content_release       timestamptz,
    content_read_groups   text[],
    content_type          text,
    content_length        bigint CHECK (content_length >= 0),
    content_checksum      text,
    -- CaomEntity
    last_modified         timestamptz NOT NULL DEFAULT now(),
    max_last_modified     timestamptz NOT NULL DEFAULT now(),
    meta_checksum         text,
    acc_meta_checksum     text,
    meta_producer         text,
    -- obsmeta extension (not CAOM-2.4)
    lsst_dataset_id       uuid,
    lsst_component        text,
    CONSTRAINT artifact_plane_id_uri_key UNIQUE (plane_id, uri)
);

-- artifact (plane_id) is covered by the unique index artifact_plane_id_uri_key.
CREATE INDEX artifact_lsst_dataset_id_idx ON caom2.artifact (lsst_dataset_id);

COMMENT ON TABLE caom2.artifact IS 'CAOM-2.4 Artifact: one file of a plane (for Rubin: one detector-level dataset file)';
COMMENT ON COLUMN caom2.artifact.artifact_id IS 'CaomEntity.id of the Artifact';
COMMENT ON COLUMN caom2.artifact.uri IS 'Artifact.uri: the file''s URI (from the configured template on the datastore path)';
COMMENT ON COLUMN caom2.artifact.product_type IS 'Artifact.productType (open vocabulary: science, calibration, auxiliary, preview, thumbnail, noise, weight, ...)';
COMMENT ON COLUMN caom2.artifact.release_type IS 'Artifact.releaseType: data (access governed by plane data_release) or meta (by meta_release)';
COMMENT ON COLUMN caom2.artifact.content_release IS 'Artifact.contentRelease (UTC): overrides the plane release for this file';
COMMENT ON COLUMN caom2.artifact.content_read_groups IS 'Artifact.contentReadGroups: group URIs';
COMMENT ON COLUMN caom2.artifact.content_type IS 'Artifact.contentType: MIME type';
COMMENT ON COLUMN caom2.artifact.content_length IS 'Artifact.contentLength (bytes)';
COMMENT ON COLUMN caom2.artifact.content_checksum IS 'Artifact.contentChecksum URI, e.g. md5:<hex>';
COMMENT ON COLUMN caom2.artifact.lsst_dataset_id IS 'obsmeta extension (not CAOM-2.4, not checksummed): the Butler dataset id (gen3.dataset.id) of the file';
COMMENT ON COLUMN caom2.artifact.lsst_component IS 'obsmeta extension (not CAOM-2.4, not checksummed): the datastore component of the file (gen3.file_datastore_record.component)';

---------------------------------------------------------------------------------------------------
-- Part
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.part (
    part_id             uuid PRIMARY KEY,
    artifact_id         uuid NOT NULL,  -- → caom2.artifact; see 35_caom2_integrity.rerunnable.sql
    name                text NOT NULL,
    product_type        text,
    -- CaomEntity
    last_modified       timestamptz NOT NULL DEFAULT now(),
    max_last_modified   timestamptz NOT NULL DEFAULT now(),
    meta_checksum       text,
    acc_meta_checksum   text,
    meta_producer       text,
    CONSTRAINT part_artifact_id_name_key UNIQUE (artifact_id, name)
);

-- part (artifact_id) is covered by the unique index part_artifact_id_name_key.

COMMENT ON TABLE caom2.part IS 'CAOM-2.4 Part: one part of an artifact (e.g. a FITS HDU; name is the HDU number or EXTNAME)';
COMMENT ON COLUMN caom2.part.part_id IS 'CaomEntity.id of the Part';
COMMENT ON COLUMN caom2.part.product_type IS 'Part.productType (open vocabulary, as Artifact.productType)';

---------------------------------------------------------------------------------------------------
-- Chunk (with its WCS)
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.chunk (
    chunk_id                                   uuid PRIMARY KEY,
    part_id                                    uuid NOT NULL,  -- → caom2.part; see 35_caom2_integrity.rerunnable.sql
    product_type                               text,
    naxis                                      integer,
    observable_axis                            integer,
    position_axis_1                            integer,
    position_axis_2                            integer,
    energy_axis                                integer,
    time_axis                                  integer,
    polarization_axis                          integer,
    custom_axis                                integer,
    -- observable: ObservableAxis
    observable_dependent_axis_ctype            text,
    observable_dependent_axis_cunit            text,
    observable_dependent_bin                   bigint,
    observable_independent_axis_ctype          text,
    observable_independent_axis_cunit          text,
    observable_independent_bin                 bigint,
    -- position: SpatialWCS (axis: CoordAxis2D)
    position_coordsys                          text,
    position_equinox                           double precision,
    position_resolution                        double precision,
    position_axis_axis1_ctype                  text,
    position_axis_axis1_cunit                  text,
    position_axis_axis2_ctype                  text,
    position_axis_axis2_cunit                  text,
    position_axis_error1_syser                 double precision,
    position_axis_error1_rnder                 double precision,
    position_axis_error2_syser                 double precision,
    position_axis_error2_rnder                 double precision,
    position_axis_range_start_coord1_pix       double precision,
    position_axis_range_start_coord1_val       double precision,
    position_axis_range_start_coord2_pix       double precision,
    position_axis_range_start_coord2_val       double precision,
    position_axis_range_end_coord1_pix         double precision,
    position_axis_range_end_coord1_val         double precision,
    position_axis_range_end_coord2_pix         double precision,
    position_axis_range_end_coord2_val         double precision,
    position_axis_bounds_circle_center_coord1  double precision,
    position_axis_bounds_circle_center_coord2  double precision,
    position_axis_bounds_circle_radius         double precision,
    position_axis_bounds_polygon               jsonb,
    position_axis_function_dimension_naxis1    bigint,
    position_axis_function_dimension_naxis2    bigint,
    position_axis_function_ref_coord_coord1_pix double precision,
    position_axis_function_ref_coord_coord1_val double precision,
    position_axis_function_ref_coord_coord2_pix double precision,
    position_axis_function_ref_coord_coord2_val double precision,
    position_axis_function_cd11                double precision,
    position_axis_function_cd12                double precision,
    position_axis_function_cd21                double precision,
    position_axis_function_cd22                double precision,
    -- energy: SpectralWCS (axis: CoordAxis1D)
    energy_axis_axis_ctype                     text,
    energy_axis_axis_cunit                     text,
    energy_axis_error_syser                    double precision,
    energy_axis_error_rnder                    double precision,
    energy_axis_range_start_pix                double precision,
    energy_axis_range_start_val                double precision,
    energy_axis_range_end_pix                  double precision,
    energy_axis_range_end_val                  double precision,
    energy_axis_bounds_samples                 jsonb,
    energy_axis_function_naxis                 bigint,
    energy_axis_function_delta                 double precision,
    energy_axis_function_ref_coord_pix         double precision,
    energy_axis_function_ref_coord_val         double precision,
    energy_specsys                             text,
    energy_ssysobs                             text,
    energy_ssyssrc                             text,
    energy_restfrq                             double precision,
    energy_restwav                             double precision,
    energy_velosys                             double precision,
    energy_zsource                             double precision,
    energy_velang                              double precision,
    energy_bandpass_name                       text,
    energy_resolving_power                     double precision,
    energy_transition_species                  text,
    energy_transition_transition               text,
    -- time: TemporalWCS (axis: CoordAxis1D)
    time_axis_axis_ctype                       text,
    time_axis_axis_cunit                       text,
    time_axis_error_syser                      double precision,
    time_axis_error_rnder                      double precision,
    time_axis_range_start_pix                  double precision,
    time_axis_range_start_val                  double precision,
    time_axis_range_end_pix                    double precision,
    time_axis_range_end_val                    double precision,
    time_axis_bounds_samples                   jsonb,
    time_axis_function_naxis                   bigint,
    time_axis_function_delta                   double precision,
    time_axis_function_ref_coord_pix           double precision,
    time_axis_function_ref_coord_val           double precision,
    time_timesys                               text,
    time_trefpos                               text,
    time_mjdref                                double precision,
    time_exposure                              double precision,
    time_resolution                            double precision,
    -- polarization: PolarizationWCS (axis: CoordAxis1D)
    polarization_axis_axis_ctype               text,
    polarization_axis_axis_cunit               text,
    polarization_axis_error_syser              double precision,
    polarization_axis_error_rnder              double precision,
    polarization_axis_range_start_pix          double precision,
    polarization_axis_range_start_val          double precision,
    polarization_axis_range_end_pix            double precision,
    polarization_axis_range_end_val            double precision,
    polarization_axis_bounds_samples           jsonb,
    polarization_axis_function_naxis           bigint,
    polarization_axis_function_delta           double precision,
    polarization_axis_function_ref_coord_pix   double precision,
    polarization_axis_function_ref_coord_val   double precision,
    -- custom: CustomWCS (axis: CoordAxis1D)
    custom_axis_axis_ctype                     text,
    custom_axis_axis_cunit                     text,
    custom_axis_error_syser                    double precision,
    custom_axis_error_rnder                    double precision,
    custom_axis_range_start_pix                double precision,
    custom_axis_range_start_val                double precision,
    custom_axis_range_end_pix                  double precision,
    custom_axis_range_end_val                  double precision,
    custom_axis_bounds_samples                 jsonb,
    custom_axis_function_naxis                 bigint,
    custom_axis_function_delta                 double precision,
    custom_axis_function_ref_coord_pix         double precision,
    custom_axis_function_ref_coord_val         double precision,
    -- CaomEntity
    last_modified                              timestamptz NOT NULL DEFAULT now(),
    max_last_modified                          timestamptz NOT NULL DEFAULT now(),
    meta_checksum                              text,
    acc_meta_checksum                          text,
    meta_producer                              text,
    -- obsmeta extension (not CAOM-2.4)
    lsst_detector                              integer,
    footprint                                  spoly,
    CONSTRAINT chunk_position_bounds_one_shape CHECK (
        position_axis_bounds_polygon IS NULL OR position_axis_bounds_circle_radius IS NULL)
);

CREATE INDEX chunk_part_id_idx ON caom2.chunk (part_id);

COMMENT ON TABLE caom2.chunk IS
    'CAOM-2.4 Chunk: the WCS of (a subset of) a part; for Rubin one chunk per detector image, carrying its position WCS';
COMMENT ON COLUMN caom2.chunk.chunk_id IS 'CaomEntity.id of the Chunk';
COMMENT ON COLUMN caom2.chunk.naxis IS 'Chunk.naxis: number of axes of the data array';
COMMENT ON COLUMN caom2.chunk.observable_axis IS 'Chunk.observableAxis: 1-based index of the observable axis in the data array';
COMMENT ON COLUMN caom2.chunk.position_axis_1 IS 'Chunk.positionAxis1: 1-based index of the first spatial axis';
COMMENT ON COLUMN caom2.chunk.position_axis_2 IS 'Chunk.positionAxis2: 1-based index of the second spatial axis';
COMMENT ON COLUMN caom2.chunk.energy_axis IS 'Chunk.energyAxis: 1-based index of the spectral axis (the SpectralWCS is in energy_axis_axis_* etc.)';
COMMENT ON COLUMN caom2.chunk.time_axis IS 'Chunk.timeAxis: 1-based index of the time axis';
COMMENT ON COLUMN caom2.chunk.polarization_axis IS 'Chunk.polarizationAxis: 1-based index of the polarization axis';
COMMENT ON COLUMN caom2.chunk.custom_axis IS 'Chunk.customAxis: 1-based index of the custom axis';
COMMENT ON COLUMN caom2.chunk.observable_dependent_bin IS 'ObservableAxis.dependent.bin (pixel index)';
COMMENT ON COLUMN caom2.chunk.observable_independent_bin IS 'ObservableAxis.independent.bin (pixel index)';
COMMENT ON COLUMN caom2.chunk.position_equinox IS 'SpatialWCS.equinox (Julian years)';
COMMENT ON COLUMN caom2.chunk.position_resolution IS 'SpatialWCS.resolution (arcsec)';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_circle_center_coord1 IS
    'SpatialWCS.axis.bounds when it is a CoordCircle2D: center.coord1 (world coordinates, exact)';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_circle_center_coord2 IS
    'SpatialWCS.axis.bounds when it is a CoordCircle2D: center.coord2';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_circle_radius IS
    'SpatialWCS.axis.bounds when it is a CoordCircle2D: radius';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_polygon IS
    'SpatialWCS.axis.bounds when it is a CoordPolygon2D: the vertices (ValueCoord2D). jsonb shape: [[coord1, coord2], ...] (>= 3, document order).';
COMMENT ON COLUMN caom2.chunk.position_axis_function_dimension_naxis1 IS 'CoordFunction2D.dimension.naxis1 (pixels)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_dimension_naxis2 IS 'CoordFunction2D.dimension.naxis2 (pixels)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord1_pix IS 'CoordFunction2D.refCoord.coord1.pix (CRPIX1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord1_val IS 'CoordFunction2D.refCoord.coord1.val (CRVAL1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord2_pix IS 'CoordFunction2D.refCoord.coord2.pix (CRPIX2)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord2_val IS 'CoordFunction2D.refCoord.coord2.val (CRVAL2)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd11 IS 'CoordFunction2D.cd11 (CD1_1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd12 IS 'CoordFunction2D.cd12 (CD1_2)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd21 IS 'CoordFunction2D.cd21 (CD2_1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd22 IS 'CoordFunction2D.cd22 (CD2_2)';
COMMENT ON COLUMN caom2.chunk.energy_axis_bounds_samples IS
    'SpectralWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.energy_specsys IS 'SpectralWCS.specsys (FITS SPECSYS)';
COMMENT ON COLUMN caom2.chunk.energy_restfrq IS 'SpectralWCS.restfrq (Hz)';
COMMENT ON COLUMN caom2.chunk.energy_restwav IS 'SpectralWCS.restwav (metres)';
COMMENT ON COLUMN caom2.chunk.energy_velosys IS 'SpectralWCS.velosys (m/s)';
COMMENT ON COLUMN caom2.chunk.energy_velang IS 'SpectralWCS.velang (degrees)';
COMMENT ON COLUMN caom2.chunk.time_axis_bounds_samples IS
    'TemporalWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.time_mjdref IS 'TemporalWCS.mjdref (MJD)';
COMMENT ON COLUMN caom2.chunk.time_exposure IS 'TemporalWCS.exposure (seconds)';
COMMENT ON COLUMN caom2.chunk.time_resolution IS 'TemporalWCS.resolution (seconds)';
COMMENT ON COLUMN caom2.chunk.polarization_axis_bounds_samples IS
    'PolarizationWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.custom_axis_bounds_samples IS
    'CustomWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.lsst_detector IS 'obsmeta extension (not CAOM-2.4, not checksummed): the Butler detector id of this image';
COMMENT ON COLUMN caom2.chunk.footprint IS
    'obsmeta extension (not CAOM-2.4, not checksummed): the detector''s sky footprint (from the Butler region) as a pg_sphere spoly';

---------------------------------------------------------------------------------------------------
-- Deleted observations (tombstones)
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.deleted_observation (
    id              uuid PRIMARY KEY,
    collection      text NOT NULL,
    observation_id  text NOT NULL,
    last_modified   timestamptz NOT NULL DEFAULT now(),
    meta_checksum   text
);

CREATE INDEX deleted_observation_last_modified_idx ON caom2.deleted_observation (last_modified, id);

COMMENT ON TABLE caom2.deleted_observation IS
    'Tombstones of deleted CAOM-2.4 observations (CAOM DeletedObservation), for harvesters: poll by (last_modified, id)';
COMMENT ON COLUMN caom2.deleted_observation.id IS 'obs_id of the deleted observation';
COMMENT ON COLUMN caom2.deleted_observation.last_modified IS 'when the observation was deleted';
COMMENT ON COLUMN caom2.deleted_observation.meta_checksum IS 'metaChecksum of the observation when it was deleted';
