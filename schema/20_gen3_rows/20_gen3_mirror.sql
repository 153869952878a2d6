-- obsmeta install script, part 20: the gen3 mirror.
-- Names follow daf_butler's dimension universe. Times are timestamptz (UTC; the loader converts
-- from the Butler's TAI), regions are the lsst.sphgeom encoding as bytea. There are no foreign keys
-- between mirror tables on purpose: rows may arrive in any order, and a child whose parent is
-- missing waits (see obsmeta.pending) until the parent arrives.

CREATE TABLE gen3.instrument (
    name          text PRIMARY KEY,
    visit_max     bigint,
    exposure_max  bigint,
    detector_max  integer,
    class_name    text
);

CREATE TABLE gen3.physical_filter (
    instrument text NOT NULL,
    name       text NOT NULL,
    band       text,
    PRIMARY KEY (instrument, name)
);

CREATE TABLE gen3.detector (
    instrument   text NOT NULL,
    id           integer NOT NULL,
    full_name    text,
    name_in_raft text,
    raft         text,
    purpose      text,
    PRIMARY KEY (instrument, id)
);

CREATE TABLE gen3.day_obs (
    instrument     text NOT NULL,
    id             integer NOT NULL,
    timespan_begin timestamptz,
    timespan_end   timestamptz,
    PRIMARY KEY (instrument, id),
    CONSTRAINT day_obs_timespan CHECK (obsmeta.check_timespan(timespan_begin, timespan_end))
);

CREATE TABLE gen3.exposure (
    instrument         text NOT NULL,
    id                 bigint NOT NULL,
    physical_filter    text NOT NULL,
    obs_id             text NOT NULL,
    exposure_time      double precision,
    dark_time          double precision,
    observation_type   text,
    observation_reason text,
    day_obs            integer,
    seq_num            integer,
    seq_start          integer,
    seq_end            integer,
    "group"            text,
    target_name        text,
    science_program    text,
    tracking_ra        double precision,
    tracking_dec       double precision,
    sky_angle          double precision,
    azimuth            double precision,
    zenith_angle       double precision,
    has_simulated      boolean,
    can_see_sky        boolean,
    timespan_begin     timestamptz,
    timespan_end       timestamptz,
    PRIMARY KEY (instrument, id),
    -- obs_id names the CAOM2 observation: two exposures cannot share one
    CONSTRAINT exposure_obs_id_key UNIQUE (instrument, obs_id),
    CONSTRAINT exposure_obs_id_size CHECK (obsmeta.check_identifier('obs_id', obs_id)),
    CONSTRAINT exposure_timespan CHECK (obsmeta.check_timespan(timespan_begin, timespan_end)),
    CONSTRAINT exposure_times CHECK (obsmeta.check_nonnegative('exposure_time', exposure_time)
                                     AND obsmeta.check_nonnegative('dark_time', dark_time)),
    CONSTRAINT exposure_pointing CHECK (obsmeta.check_sky_position(tracking_ra, tracking_dec)
                                        AND obsmeta.check_angle('zenith_angle', zenith_angle, 0, 180)
                                        AND obsmeta.check_angle('azimuth', azimuth, -360, 360))
);
CREATE INDEX exposure_physical_filter_idx ON gen3.exposure (instrument, physical_filter);

CREATE TABLE gen3.visit (
    instrument         text NOT NULL,
    id                 bigint NOT NULL,
    physical_filter    text NOT NULL,
    day_obs            integer,
    name               text NOT NULL,
    seq_num            integer,
    exposure_time      double precision,
    target_name        text,
    observation_reason text,
    science_program    text,
    azimuth            double precision,
    zenith_angle       double precision,
    region             bytea,
    timespan_begin     timestamptz,
    timespan_end       timestamptz,
    PRIMARY KEY (instrument, id),
    CONSTRAINT visit_name_key UNIQUE (instrument, name),
    CONSTRAINT visit_name_size CHECK (obsmeta.check_identifier('name', name)),
    CONSTRAINT visit_timespan CHECK (obsmeta.check_timespan(timespan_begin, timespan_end)),
    CONSTRAINT visit_times CHECK (obsmeta.check_nonnegative('exposure_time', exposure_time)),
    CONSTRAINT visit_region CHECK (obsmeta.check_region(region)),
    CONSTRAINT visit_pointing CHECK (obsmeta.check_angle('zenith_angle', zenith_angle, 0, 180)
                                     AND obsmeta.check_angle('azimuth', azimuth, -360, 360))
);
CREATE INDEX visit_physical_filter_idx ON gen3.visit (instrument, physical_filter);

CREATE TABLE gen3.visit_definition (
    instrument text NOT NULL,
    exposure   bigint NOT NULL,
    visit      bigint NOT NULL,
    PRIMARY KEY (instrument, exposure, visit)
);
CREATE INDEX visit_definition_visit_idx ON gen3.visit_definition (instrument, visit);

CREATE TABLE gen3.visit_detector_region (
    instrument text NOT NULL,
    visit      bigint NOT NULL,
    detector   integer NOT NULL,
    -- required: an upsert with a NULL region would silently drop the detector's footprint
    region     bytea NOT NULL,
    PRIMARY KEY (instrument, visit, detector),
    CONSTRAINT visit_detector_region_region CHECK (obsmeta.check_region(region))
);

-- One row per Butler dataset; the data ID is flattened into nullable columns.
CREATE TABLE gen3.dataset (
    id              uuid PRIMARY KEY,
    dataset_type    text NOT NULL,
    run             text NOT NULL,
    instrument      text,
    exposure        bigint,
    visit           bigint,
    detector        integer,
    physical_filter text,
    band            text,
    day_obs         integer,
    skymap          text,
    tract           integer,
    patch           integer,
    ingest_date     timestamptz
);
-- The conversion finds a data ID's datasets through these (a region is per visit and detector).
CREATE INDEX dataset_exposure_idx ON gen3.dataset (instrument, exposure, detector) WHERE exposure IS NOT NULL;
CREATE INDEX dataset_visit_idx ON gen3.dataset (instrument, visit, detector) WHERE visit IS NOT NULL;

CREATE TABLE gen3.file_datastore_record (
    dataset_id    uuid NOT NULL,
    component     text NOT NULL DEFAULT '__NULL_STRING__',
    path          text NOT NULL,
    formatter     text,
    storage_class text,
    checksum      text,
    file_size     bigint,
    PRIMARY KEY (dataset_id, component),
    CONSTRAINT file_datastore_record_size CHECK (obsmeta.check_nonnegative('file_size', file_size))
);

-- Skymap patches (daf_butler's patch dimension): a coadd's footprint is its patch's region.
CREATE TABLE gen3.patch (
    skymap text NOT NULL,
    tract  integer NOT NULL,
    id     integer NOT NULL,
    region bytea,
    PRIMARY KEY (skymap, tract, id),
    CONSTRAINT patch_region CHECK (obsmeta.check_region(region))
);
CREATE INDEX dataset_patch_idx ON gen3.dataset (skymap, tract, patch) WHERE patch IS NOT NULL;

COMMENT ON TABLE gen3.exposure IS 'Butler exposure dimension records; each becomes a CAOM2 SimpleObservation';
COMMENT ON TABLE gen3.visit IS 'Butler visit dimension records; each becomes a CAOM2 DerivedObservation';
COMMENT ON TABLE gen3.dataset IS 'Butler datasets (data ID flattened); configured dataset types become CAOM2 planes';
COMMENT ON TABLE gen3.file_datastore_record IS 'Butler file datastore records; each becomes a CAOM2 artifact';
COMMENT ON TABLE gen3.patch IS 'Butler skymap patches; a coadd dataset''s footprint is its patch region';
