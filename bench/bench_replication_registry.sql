-- bench/bench_replication.sh, on the publisher: a generated night (gen3 form, schema staging,
-- written by obsmeta-sample-night) written into a Butler registry (hsc_repo, daf_butler's own
-- tables from ../shared/anchors/rubin/registry) as a Butler writes it. Not part of the tests.
--
-- A visit's per-detector products: the generator makes raws and visit_image; a Butler's nightly
-- processing writes more of them per detector, so each visit_image gets eight siblings (the same
-- data ID and run, their own dataset type and file): difference_image, which obsmeta publishes by
-- default, and seven that it does not follow (dax_obscore would not export them either).
CREATE FUNCTION staging.extra_products() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['difference_image', 'preliminary_visit_image', 'preliminary_visit_image_background',
                 'preliminary_visit_mask', 'visit_image_background', 'single_visit_star_unstandardized',
                 'difference_kernel', 'template_detector'] $$;

-- TAI ns of a UTC time (the registry's instants): 37 leap seconds since 2017, the generator's nights
CREATE FUNCTION staging.tai_ns(t timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT (extract(epoch FROM t) * 1000000)::bigint * 1000 + 37000000000 $$;
CREATE FUNCTION staging.timespan(b timestamptz, e timestamptz) RETURNS int8range LANGUAGE sql IMMUTABLE AS $$
    SELECT int8range(staging.tai_ns(b), staging.tai_ns(e)) $$;
CREATE FUNCTION staging.region(r bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(encode(r, 'base64'), E'\n', '') $$;

-- The registry's static rows for the generator's instrument, runs and dataset types (once).
CREATE FUNCTION staging.registry_static() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hsc_repo.dimension_graph_key (id) VALUES (1), (3) ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.instrument (name, visit_max, visit_system, exposure_max, detector_max, class_name)
    SELECT name, visit_max, 0, exposure_max, detector_max, class_name FROM staging.instrument ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.physical_filter (instrument, name, band)
    SELECT instrument, name, band FROM staging.physical_filter ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.detector (instrument, id, full_name, name_in_raft, raft, purpose)
    SELECT instrument, id, full_name, name_in_raft, raft, purpose FROM staging.detector ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.collection (collection_id, name, type)
    VALUES (10, 'LSSTCam/raw/all', 1), (11, 'LSSTCam/runs/nightlyValidation/20251202', 1) ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.run (collection_id) VALUES (10), (11) ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.dataset_type (id, name, storage_class, dimensions_key, tag_association_table)
    SELECT * FROM (VALUES (10, 'raw', 'Exposure', 3, 'dataset_tags_00000003'),
                          (11, 'visit_image', 'ExposureF', 1, 'dataset_tags_00000001')) v
     WHERE NOT EXISTS (SELECT FROM hsc_repo.dataset_type t WHERE t.name = v.column2);
    INSERT INTO hsc_repo.dataset_type (id, name, storage_class, dimensions_key, tag_association_table)
    SELECT 11 + i, name, 'ExposureF', 1, 'dataset_tags_00000001'
      FROM unnest(staging.extra_products()) WITH ORDINALITY AS x(name, i)
     WHERE NOT EXISTS (SELECT FROM hsc_repo.dataset_type t WHERE t.name = x.name);
    INSERT INTO hsc_repo.collection_summary_instrument (collection_id, instrument)
    VALUES (10, 'LSSTCam'), (11, 'LSSTCam') ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.collection_summary_dataset_type (collection_id, dataset_type_id)
    SELECT CASE WHEN t.name = 'raw' THEN 10 ELSE 11 END, t.id FROM hsc_repo.dataset_type t
     WHERE t.name = 'raw' OR t.name = 'visit_image' OR t.name = ANY (staging.extra_products()) ON CONFLICT DO NOTHING;
END $$;

-- The staged night's visit_image rows get their siblings (once per generated night).
CREATE FUNCTION staging.add_products() RETURNS void LANGUAGE sql AS $$
    INSERT INTO staging.dataset (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band,
                                 day_obs, ingest_date)
    SELECT md5(d.id::text || x.name)::uuid, x.name, d.run, d.instrument, d.exposure, d.visit, d.detector,
           d.physical_filter, d.band, d.day_obs, d.ingest_date
      FROM staging.dataset d CROSS JOIN unnest(staging.extra_products()) AS x(name)
     WHERE d.dataset_type = 'visit_image'
    ON CONFLICT DO NOTHING;
    INSERT INTO staging.file_datastore_record (dataset_id, component, path, formatter, storage_class, checksum, file_size)
    SELECT md5(r.dataset_id::text || x.name)::uuid, r.component, replace(r.path, 'visit_image', x.name), r.formatter,
           r.storage_class, r.checksum, r.file_size / 4
      FROM staging.file_datastore_record r JOIN staging.dataset d ON d.id = r.dataset_id AND d.dataset_type = 'visit_image'
     CROSS JOIN unnest(staging.extra_products()) AS x(name)
    ON CONFLICT DO NOTHING;
$$;

-- Writes the staged visits (their exposures, and the datasets of both) and the other exposures
-- named (calibrations: no visit) into the registry, in the order a Butler does (dimension records,
-- then datasets, tags rows, datastore records), in the caller's transaction. Returns the registry
-- rows written.
CREATE FUNCTION staging.publish_visits(visits bigint[], other_exposures bigint[] DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint := 0;
    k bigint;
BEGIN
    CREATE TEMP TABLE exposures ON COMMIT DROP AS
        SELECT instrument, exposure AS id FROM staging.visit_definition WHERE visit = ANY (visits)
        UNION SELECT instrument, id FROM staging.exposure WHERE id = ANY (other_exposures);
    CREATE TEMP TABLE datasets ON COMMIT DROP AS
        SELECT d.* FROM staging.dataset d
         WHERE d.visit = ANY (visits) OR (d.visit IS NULL AND d.exposure IN (SELECT id FROM exposures));
    INSERT INTO hsc_repo.day_obs (instrument, id, timespan)
    SELECT instrument, id, staging.timespan(timespan_begin, timespan_end) FROM staging.day_obs ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo."group" (instrument, name)
    SELECT DISTINCT e.instrument, e."group" FROM staging.exposure e JOIN exposures x USING (instrument, id)
    ON CONFLICT DO NOTHING;
    INSERT INTO hsc_repo.exposure (instrument, id, day_obs, "group", physical_filter, obs_id, exposure_time, dark_time,
        observation_type, observation_reason, seq_num, seq_start, seq_end, target_name, science_program, tracking_ra,
        tracking_dec, sky_angle, azimuth, zenith_angle, has_simulated, can_see_sky, timespan)
    SELECT e.instrument, e.id, e.day_obs, e."group", e.physical_filter, e.obs_id, e.exposure_time, e.dark_time,
           e.observation_type, e.observation_reason, e.seq_num, e.seq_start, e.seq_end, e.target_name, e.science_program,
           e.tracking_ra, e.tracking_dec, e.sky_angle, e.azimuth, e.zenith_angle, e.has_simulated, e.can_see_sky,
           staging.timespan(e.timespan_begin, e.timespan_end)
      FROM staging.exposure e JOIN exposures x USING (instrument, id);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.visit (instrument, id, day_obs, physical_filter, name, seq_num, exposure_time, target_name,
        observation_reason, science_program, azimuth, zenith_angle, region, timespan)
    SELECT instrument, id, day_obs, physical_filter, name, seq_num, exposure_time, target_name, observation_reason,
           science_program, azimuth, zenith_angle, staging.region(region), staging.timespan(timespan_begin, timespan_end)
      FROM staging.visit WHERE id = ANY (visits);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.visit_definition (instrument, exposure, visit)
    SELECT instrument, exposure, visit FROM staging.visit_definition WHERE visit = ANY (visits);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.visit_detector_region (instrument, detector, visit, region)
    SELECT instrument, detector, visit, staging.region(region) FROM staging.visit_detector_region WHERE visit = ANY (visits);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.dataset (id, dataset_type_id, ingest_date, run_id)
    SELECT d.id, t.id, staging.tai_ns(d.ingest_date), c.collection_id
      FROM datasets d JOIN hsc_repo.dataset_type t ON t.name = d.dataset_type JOIN hsc_repo.collection c ON c.name = d.run;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.dataset_tags_00000003 (dataset_type_id, dataset_id, collection_id, instrument, detector, exposure)
    SELECT t.id, d.id, c.collection_id, d.instrument, d.detector, d.exposure
      FROM datasets d JOIN hsc_repo.dataset_type t ON t.name = d.dataset_type JOIN hsc_repo.collection c ON c.name = d.run
     WHERE d.visit IS NULL;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.dataset_tags_00000001 (dataset_type_id, dataset_id, collection_id, instrument, detector, visit)
    SELECT t.id, d.id, c.collection_id, d.instrument, d.detector, d.visit
      FROM datasets d JOIN hsc_repo.dataset_type t ON t.name = d.dataset_type JOIN hsc_repo.collection c ON c.name = d.run
     WHERE d.visit IS NOT NULL;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.dataset_location (datastore_name, dataset_id) SELECT 'FileDatastore@<butlerRoot>', id FROM datasets;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    INSERT INTO hsc_repo.file_datastore_records (dataset_id, path, formatter, storage_class, component, checksum, file_size)
    SELECT r.dataset_id, r.path, r.formatter, r.storage_class, r.component, r.checksum, r.file_size
      FROM staging.file_datastore_record r JOIN datasets d ON d.id = r.dataset_id;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    RETURN n;
END $$;
