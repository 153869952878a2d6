-- 0.2.0 → 0.3.0, schema/60_efd.sql: the EFD embargo covers the times of hidden images. Readers get
-- no reduced values reduced from a time when an image they may not see was taken (the policies of
-- efd.exposure_values / efd.visit_values); efd.image_samples masks raw samples with
-- efd.hidden_spans (C++).
-- Embargo of telemetry. Readers must not receive samples, or values reduced from samples, of a
-- time when an exposure they may not see (embargoed or held, 45_visibility.sql) was being taken: the
-- mount's position then is where the telescope pointed. These are the hidden times.
-- The exposures whose observation is not public (the negation of obsmeta.observation_public, as a
-- view so that it is planned into the queries below: a window with many images costs an index
-- probe per image, not a function call). Exposures only: a visit is hidden while one of its
-- exposures is (same release time; a hold on an exposure holds its visits), and a visit held on
-- its own shows no sky its public exposures do not. Internal (no grants): read as the efd owner.
CREATE VIEW efd.hidden_image AS
SELECT i.kind, i.instrument, i.id, i.obs_id, i.span
  FROM efd.image i LEFT JOIN caom2.observation o ON o.obs_id = i.obs_id
 WHERE i.kind = 'exposure'
   AND (o.meta_release IS NULL OR o.meta_release > now()
        OR EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = i.obs_id));
COMMENT ON VIEW efd.hidden_image IS
  'Internal: exposures whose observation is not public (embargoed, held or not converted); their spans are hidden times';

-- The hidden times overlapping a range: efd.image_samples (C++) leaves out readers' samples in them.
CREATE FUNCTION efd.hidden_spans(during tstzrange) RETURNS SETOF tstzrange
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT h.span FROM efd.hidden_image h WHERE h.span && $1 $$;
REVOKE EXECUTE ON FUNCTION efd.hidden_spans(tstzrange) FROM PUBLIC;
COMMENT ON FUNCTION efd.hidden_spans(tstzrange) IS
  'Internal: spans of the images overlapping the range whose observation is not public (embargoed, held or not converted)';

-- How far before an image's begin and after its end each reduction reads samples: its window
-- offsets, and the reach of the methods that look outside their window (efd::spec_window,
-- efd::spec_reach). Internal (no grants).
CREATE VIEW efd.reduction_reads AS
SELECT r.output_name, greatest(x.reach - r.window_begin_offset, interval '0') AS before,
       greatest(x.reach + r.window_end_offset, interval '0') AS after
  FROM efd.reduction r
 CROSS JOIN LATERAL (SELECT CASE WHEN r.method IN ('twmean_locf', 'twmean_linear', 'interpolate', 'locf')
                                 THEN r.reach ELSE interval '0' END) x(reach);
COMMENT ON VIEW efd.reduction_reads IS
  'Internal: how far before an image''s begin and after its end each EFD reduction reads samples';

-- An image's reduced values are public when no hidden time lies within what they were reduced
-- from: the image's span widened by the reads of its outputs (the keys of `outputs`). Time-based
-- like every embargo predicate: the values appear when the last hidden image they overlap is
-- released, with no job. false for an image that does not exist (or has no span), as for a hidden
-- one, so a caller learns no more than the policy using it shows. One query, planned once per
-- statement.
CREATE FUNCTION efd.values_public(kind text, instrument text, id bigint, outputs jsonb) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1
          FROM efd.image i
         CROSS JOIN (SELECT coalesce(max(r.before), interval '0'), coalesce(max(r.after), interval '0')
                       FROM efd.reduction_reads r WHERE $4 ? r.output_name) m(before, after)
         WHERE i.kind = $1 AND i.instrument = $2 AND i.id = $3 AND i.span IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM efd.hidden_image h
                            WHERE h.span && tstzrange(lower(i.span) - m.before, upper(i.span) + m.after, '[]'))) $$;
ALTER FUNCTION efd.values_public(text, text, bigint, jsonb) COST 200;
COMMENT ON FUNCTION efd.values_public(text, text, bigint, jsonb) IS
  'true when the EFD values (outputs) of an image were reduced from no time when an image the readers may not see was taken';

ALTER POLICY exposure_values_visible ON efd.exposure_values
    USING ((SELECT obsmeta.sees_everything())
           OR (obsmeta.observation_public(obs_id) AND efd.values_public('exposure', instrument, exposure, "values")));
ALTER POLICY visit_values_visible ON efd.visit_values
    USING ((SELECT obsmeta.sees_everything())
           OR (obsmeta.observation_public(obs_id) AND efd.values_public('visit', instrument, visit, "values")));
