-- obsmeta install script, part 61: EFD functions — reductions over a channel and time range,
-- aggregates, raw samples, recomputation and CAOM2 Environment.

-- One reduction over one or several pooled channels and a window [window_begin, window_end]
-- (both included). Methods and their exact semantics: doc/efd.md.
CREATE OR REPLACE FUNCTION efd.reduce(channels integer[], method text, window_begin timestamptz, window_end timestamptz,
                           reach interval DEFAULT '10 minutes', anchor text DEFAULT 'middle', ddof integer DEFAULT 1,
                           degree integer DEFAULT 1, fit_basis text DEFAULT 'index', pre_aggregate interval DEFAULT NULL)
    RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_reduce' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION efd.reduce(integer[], text, timestamptz, timestamptz, interval, text, integer, integer, text, interval) IS
  'EFD reduction (mean, min, max, stddev, count, first, last, most_recent_value, twmean_locf, twmean_linear, interpolate, locf, rms_from_polynomial_fit) of channels over [window_begin, window_end]';

CREATE OR REPLACE FUNCTION efd.mean(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'mean', window_begin, window_end) $$;
CREATE OR REPLACE FUNCTION efd.min(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'min', window_begin, window_end) $$;
CREATE OR REPLACE FUNCTION efd.max(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'max', window_begin, window_end) $$;
CREATE OR REPLACE FUNCTION efd.stddev(channel integer, window_begin timestamptz, window_end timestamptz, ddof integer DEFAULT 1)
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT efd.reduce(ARRAY[channel], 'stddev', window_begin, window_end, ddof => ddof) $$;
CREATE OR REPLACE FUNCTION efd.count(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'count', window_begin, window_end)::bigint $$;
CREATE OR REPLACE FUNCTION efd.first(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'first', window_begin, window_end) $$;
CREATE OR REPLACE FUNCTION efd.last(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'last', window_begin, window_end) $$;
CREATE OR REPLACE FUNCTION efd.twmean(channel integer, window_begin timestamptz, window_end timestamptz,
                           interpolation text DEFAULT 'locf', reach interval DEFAULT '10 minutes')
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT efd.reduce(ARRAY[channel], CASE interpolation WHEN 'linear' THEN 'twmean_linear' WHEN 'locf' THEN 'twmean_locf'
                                       ELSE 'twmean_' || interpolation END, window_begin, window_end, reach => reach) $$;
CREATE OR REPLACE FUNCTION efd.interpolate(channel integer, at timestamptz, reach interval DEFAULT '10 minutes')
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT efd.reduce(ARRAY[channel], 'interpolate', at, at, reach => reach, anchor => 'begin') $$;
CREATE OR REPLACE FUNCTION efd.locf(channel integer, at timestamptz, reach interval DEFAULT '10 minutes')
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT efd.reduce(ARRAY[channel], 'locf', at, at, reach => reach, anchor => 'begin') $$;

-- A channel's id by name.
CREATE OR REPLACE FUNCTION efd.channel_id(topic text, field text, sal_index integer DEFAULT NULL) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id FROM efd.channel c WHERE c.topic = $1 AND c.field = $2 AND c.sal_index IS NOT DISTINCT FROM $3 $$;

-- Raw samples of a channel in [from, to], in time order (needs SELECT on efd.chunk: staff, writers).
CREATE OR REPLACE FUNCTION efd.samples(channel integer, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE ("time" timestamptz, value double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_efd_samples' LANGUAGE C STABLE STRICT;

-- Raw samples of a channel over an exposure's / visit's span ± padding, for anyone who may see
-- the image (embargo); nothing for an image one may not see or that does not exist.
CREATE OR REPLACE FUNCTION efd.image_samples(kind text, instrument text, id bigint, channel integer, padding interval)
    RETURNS TABLE ("time" timestamptz, value double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_efd_image_samples' LANGUAGE C STABLE;
CREATE OR REPLACE FUNCTION efd.samples_for(instrument text, exposure bigint, channel integer, padding interval DEFAULT '0')
    RETURNS TABLE ("time" timestamptz, value double precision) LANGUAGE sql STABLE
    AS $$ SELECT * FROM efd.image_samples('exposure', instrument, exposure, channel, padding) $$;
CREATE OR REPLACE FUNCTION efd.samples_for_visit(instrument text, visit bigint, channel integer, padding interval DEFAULT '0')
    RETURNS TABLE ("time" timestamptz, value double precision) LANGUAGE sql STABLE
    AS $$ SELECT * FROM efd.image_samples('visit', instrument, visit, channel, padding) $$;
COMMENT ON FUNCTION efd.samples_for(text, bigint, integer, interval) IS
  'Samples of a channel during an exposure (± padding), in time order; empty when the exposure is unknown or embargoed for the caller';

-- Aggregates over (time, value) rows.
CREATE OR REPLACE FUNCTION efd.agg_add_value(internal, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_value' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_add(internal, timestamptz, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_add_window(internal, timestamptz, double precision, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_window' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_add_at(internal, timestamptz, double precision, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_at' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_add_fit(internal, timestamptz, double precision, integer, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_fit' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_nanmean(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanmean' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_nanmin(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanmin' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_nanmax(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanmax' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_nanstddev(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanstddev' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_twmean_locf(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_twmean_locf' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_twmean_linear(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_twmean_linear' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_interpolate(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_interpolate' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_locf(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_locf' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_most_recent_value(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_most_recent_value' LANGUAGE C PARALLEL SAFE;
CREATE OR REPLACE FUNCTION efd.agg_rms_from_polynomial_fit(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_rms_from_polynomial_fit' LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE efd.nanmean(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanmean);
CREATE OR REPLACE AGGREGATE efd.nanmin(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanmin);
CREATE OR REPLACE AGGREGATE efd.nanmax(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanmax);
CREATE OR REPLACE AGGREGATE efd.nanstddev(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanstddev);
CREATE OR REPLACE AGGREGATE efd.twmean_locf(timestamptz, double precision, timestamptz, timestamptz)
    (SFUNC = efd.agg_add_window, STYPE = internal, FINALFUNC = efd.agg_twmean_locf);
CREATE OR REPLACE AGGREGATE efd.twmean_linear(timestamptz, double precision, timestamptz, timestamptz)
    (SFUNC = efd.agg_add_window, STYPE = internal, FINALFUNC = efd.agg_twmean_linear);
CREATE OR REPLACE AGGREGATE efd.interpolate(timestamptz, double precision, timestamptz)
    (SFUNC = efd.agg_add_at, STYPE = internal, FINALFUNC = efd.agg_interpolate);
CREATE OR REPLACE AGGREGATE efd.locf(timestamptz, double precision, timestamptz)
    (SFUNC = efd.agg_add_at, STYPE = internal, FINALFUNC = efd.agg_locf);
CREATE OR REPLACE AGGREGATE efd.most_recent_value(timestamptz, double precision)
    (SFUNC = efd.agg_add, STYPE = internal, FINALFUNC = efd.agg_most_recent_value);
CREATE OR REPLACE AGGREGATE efd.rms_from_polynomial_fit(timestamptz, double precision, integer, text)
    (SFUNC = efd.agg_add_fit, STYPE = internal, FINALFUNC = efd.agg_rms_from_polynomial_fit);

-- Recomputation.
CREATE OR REPLACE FUNCTION efd.mark_images(kind text, instruments text[], ids bigint[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'obsmeta_efd_mark_images' LANGUAGE C VOLATILE SET jit = off;
COMMENT ON FUNCTION efd.mark_images(text, text[], bigint[]) IS 'Internal: images whose EFD values are recomputed at statement end or commit';
REVOKE EXECUTE ON FUNCTION efd.mark_images(text, text[], bigint[]) FROM PUBLIC;
CREATE OR REPLACE FUNCTION efd.refresh() RETURNS bigint AS 'MODULE_PATHNAME', 'obsmeta_efd_refresh' LANGUAGE C VOLATILE SET jit = off;
COMMENT ON FUNCTION efd.refresh() IS 'Writes buffered samples and recomputes the affected images'' EFD values now (otherwise at commit); returns the number of values computed';
CREATE OR REPLACE FUNCTION efd.recompute(kind text DEFAULT NULL, "from" timestamptz DEFAULT '-infinity', "to" timestamptz DEFAULT 'infinity')
    RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM efd.mark_images(k, array_agg(i.instrument), array_agg(i.id))
       FROM unnest(ARRAY['exposure', 'visit']) AS k
       JOIN efd.image i ON i.kind = k AND i.span && tstzrange("from", "to", '[]')
      WHERE recompute.kind IS NULL OR k = recompute.kind
      GROUP BY k;
    RETURN efd.refresh();
END $$;
COMMENT ON FUNCTION efd.recompute(text, timestamptz, timestamptz) IS
  'Recomputes every EFD value of the images overlapping [from, to] (e.g. after changing efd.reduction); returns the number of values computed';
REVOKE EXECUTE ON FUNCTION efd.recompute(text, timestamptz, timestamptz) FROM PUBLIC;

-- CAOM2 Environment of observations from their images' EFD values (outputs with an environment
-- role), elevation falling back to 90 - zenith angle. Writes only rows whose values change.
CREATE OR REPLACE FUNCTION efd.fill_environment(obs_ids uuid[]) RETURNS integer
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
WITH img AS (SELECT i.* FROM efd.image i WHERE i.obs_id = ANY (obs_ids)),
roles AS (SELECT r.output_name, r.environment, r.environment_scale FROM efd.reduction r
           WHERE r.enabled AND r.environment IS NOT NULL),
vals AS (
    SELECT img.obs_id, roles.environment, (v."values" ->> roles.output_name)::double precision * roles.environment_scale AS value
      FROM img JOIN efd.exposure_values v ON img.kind = 'exposure' AND v.instrument = img.instrument AND v.exposure = img.id
     CROSS JOIN roles WHERE jsonb_typeof(v."values" -> roles.output_name) IN ('number', 'string')
    UNION ALL
    SELECT img.obs_id, roles.environment, (v."values" ->> roles.output_name)::double precision * roles.environment_scale
      FROM img JOIN efd.visit_values v ON img.kind = 'visit' AND v.instrument = img.instrument AND v.visit = img.id
     CROSS JOIN roles WHERE jsonb_typeof(v."values" -> roles.output_name) IN ('number', 'string')),
env AS (
    SELECT img.obs_id,
           max(vals.value) FILTER (WHERE vals.environment = 'seeing') AS seeing,
           max(vals.value) FILTER (WHERE vals.environment = 'humidity') AS humidity,
           coalesce(max(vals.value) FILTER (WHERE vals.environment = 'elevation'), 90 - img.zenith_angle) AS elevation,
           max(vals.value) FILTER (WHERE vals.environment = 'tau') AS tau,
           max(vals.value) FILTER (WHERE vals.environment = 'wavelength_tau') AS wavelength_tau,
           max(vals.value) FILTER (WHERE vals.environment = 'ambient_temp') AS ambient_temp,
           bool_or(vals.value <> 0) FILTER (WHERE vals.environment = 'photometric') AS photometric
      FROM img LEFT JOIN vals ON vals.obs_id = img.obs_id
     GROUP BY img.obs_id, img.zenith_angle),
changed AS (
    UPDATE caom2.observation o
       SET environment_seeing = env.seeing, environment_humidity = env.humidity, environment_elevation = env.elevation,
           environment_tau = env.tau, environment_wavelength_tau = env.wavelength_tau,
           environment_ambient_temp = env.ambient_temp, environment_photometric = env.photometric,
           last_modified = now(), max_last_modified = now()
      FROM env
     WHERE o.obs_id = env.obs_id
       AND (o.environment_seeing, o.environment_humidity, o.environment_elevation, o.environment_tau,
            o.environment_wavelength_tau, o.environment_ambient_temp, o.environment_photometric)
           IS DISTINCT FROM (env.seeing, env.humidity, env.elevation, env.tau, env.wavelength_tau, env.ambient_temp,
                             env.photometric)
    RETURNING 1)
SELECT count(*)::integer FROM changed $$;
REVOKE EXECUTE ON FUNCTION efd.fill_environment(uuid[]) FROM PUBLIC;
