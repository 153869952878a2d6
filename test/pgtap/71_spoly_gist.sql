-- obsmeta.spoly_gist_ops: the spoly GiST operator class whose compress function computes pg_sphere's
-- keys with the axis tests done once. Its keys must equal pg_sphere's bit for bit (footprints,
-- plane-sized and hemisphere-sized polygons, polygons around the poles and the axis points), the
-- planner must use it for the ADQL operators TAP servers emit, and index scans must return what a
-- sequential scan returns.
BEGIN;
SELECT plan(11);
SET LOCAL obsmeta.conversion = 'statement';

CREATE FUNCTION pg_temp.try_spoly(t text) RETURNS spoly LANGUAGE plpgsql AS $$
BEGIN RETURN t::spoly; EXCEPTION WHEN others THEN RETURN NULL; END $$;
-- quadrilaterals of 0.2 to 89 degrees all over the sky (pg_sphere rejects the few degenerate ones)
CREATE TEMP TABLE polygon AS
SELECT p FROM (SELECT pg_temp.try_spoly(format('{(%sd,%sd),(%sd,%sd),(%sd,%sd),(%sd,%sd)}',
                      ra, dec, ra + w, dec, ra + w, least(dec + w, 90), ra, least(dec + w, 90))) AS p
                 FROM generate_series(0, 359, 13) ra, generate_series(-89, 80, 13) dec,
                      unnest(ARRAY[0.2, 1, 5, 20, 44.5, 60, 89]) w) x
 WHERE p IS NOT NULL;
-- around each pole and axis point, tiny ones on them, and triangles
INSERT INTO polygon SELECT t::spoly FROM unnest(ARRAY[
    '{(0d,85d),(120d,85d),(240d,85d)}', '{(0d,-85d),(240d,-85d),(120d,-85d)}', '{(0d,89.99d),(120d,89.99d),(240d,89.99d)}',
    '{(-10d,-5d),(10d,-5d),(10d,5d),(-10d,5d)}', '{(80d,-5d),(100d,-5d),(100d,5d),(80d,5d)}',
    '{(170d,-5d),(190d,-5d),(190d,5d),(170d,5d)}', '{(260d,-5d),(280d,-5d),(280d,5d),(260d,5d)}',
    '{(359.99d,-0.01d),(0.01d,-0.01d),(0.01d,0.01d),(359.99d,0.01d)}', '{(0d,0d),(0.001d,0d),(0d,0.001d)}',
    '{(89.99d,0d),(90.01d,0d),(90d,0.01d)}', '{(10d,10d),(50d,12d),(30d,40d)}']) t;

SELECT cmp_ok((SELECT count(*) FROM polygon), '>', 800::bigint, 'a sky full of test polygons');
SELECT is((SELECT count(*) FROM polygon WHERE obsmeta.spoly_gist_key(p) IS DISTINCT FROM obsmeta.spoly_gist_key(p, true)), 0::bigint,
          'obsmeta.spoly_gist_ops keys equal pg_sphere''s spherepoly_gen_key for every polygon');
SELECT cmp_ok((SELECT count(*) FROM polygon WHERE 1073741823 = ANY (obsmeta.spoly_gist_key(p))
                                               OR -1073741823 = ANY (obsmeta.spoly_gist_key(p))), '>', 100::bigint,
              'many of them contain an axis point (their keys reach the sphere''s extreme)');

\ir fixtures/lsstcam_visit.psql
SELECT is((SELECT count(*) FROM (SELECT footprint AS p FROM caom2.chunk WHERE footprint IS NOT NULL
                                  UNION ALL SELECT position_bounds FROM caom2.plane WHERE position_bounds IS NOT NULL) x
            WHERE obsmeta.spoly_gist_key(p) IS DISTINCT FROM obsmeta.spoly_gist_key(p, true)), 0::bigint,
          'and for the converted detector footprints and plane bounds');
SELECT is((SELECT array_agg(indexrelid::regclass::text ORDER BY 1) FROM pg_index i JOIN pg_opclass o ON o.oid = i.indclass[0]
            WHERE o.opcname = 'spoly_gist_ops' AND o.opcnamespace = 'obsmeta'::regnamespace),
          ARRAY['caom2.plane_position_bounds_idx', 'ivoa.obscore_s_region_idx',
                'released.obscore_s_region_idx', 'released.plane_position_bounds_idx'],
          'ivoa.obscore.s_region and caom2.plane.position_bounds are indexed with it (and their strict-mode copies)');

-- the same rows through the index as through a sequential scan, for the operators TAP servers use
CREATE TEMP TABLE indexed (id serial, p spoly);
INSERT INTO indexed (p) SELECT p FROM polygon, generate_series(1, 3);
CREATE INDEX ON indexed USING gist (p obsmeta.spoly_gist_ops);
ANALYZE indexed;
CREATE TEMP TABLE probe AS
SELECT i, scircle(spoint(radians(i * 37 % 360), radians(i * 17 % 170 - 85)), radians(1 + i % 20)) AS c,
       spoint(radians(i * 53 % 360), radians(i * 29 % 178 - 89)) AS pt
  FROM generate_series(1, 40) i;
CREATE FUNCTION pg_temp.matches(index_scan boolean) RETURNS TABLE (op text, i int, n bigint) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('enable_seqscan', (NOT index_scan)::text, true);
    PERFORM set_config('enable_indexscan', index_scan::text, true);
    PERFORM set_config('enable_bitmapscan', index_scan::text, true);
    RETURN QUERY
    SELECT '&& scircle', q.i, (SELECT count(*) FROM indexed t WHERE t.p && q.c) FROM probe q UNION ALL
    SELECT '@> spoint', q.i, (SELECT count(*) FROM indexed t WHERE t.p @> q.pt) FROM probe q UNION ALL
    SELECT '<@ scircle', q.i, (SELECT count(*) FROM indexed t WHERE t.p <@ q.c) FROM probe q UNION ALL
    SELECT '&& spoly', q.i, (SELECT count(*) FROM indexed t WHERE t.p && (SELECT w.p FROM polygon w ORDER BY w.p::text OFFSET q.i * 20 LIMIT 1))
      FROM probe q;
END $$;
SELECT results_eq('SELECT * FROM pg_temp.matches(true) ORDER BY 1, 2', 'SELECT * FROM pg_temp.matches(false) ORDER BY 1, 2',
                  'index scans return what sequential scans return (&&, @>, <@ with circles, points, polygons)');
SELECT cmp_ok((SELECT sum(n) FROM pg_temp.matches(true) WHERE op = '&& scircle'), '>', 100::numeric, 'and the cones find rows');
RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan;

CREATE FUNCTION pg_temp.explain_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN ' || q; END $$;
SET LOCAL enable_seqscan = off;
SELECT ok((SELECT string_agg(l, ' ') FROM (SELECT * FROM pg_temp.explain_lines(
              'SELECT count(*) FROM ivoa.obscore WHERE s_region && scircle(spoint(0.1, 0.2), 0.01)')) e(l))
          LIKE '%obscore_s_region_idx%', 'a cone search on ivoa.obscore uses the index');
RESET enable_seqscan;
SELECT is((SELECT count(*) FROM obsmeta.verify_obscore()), 0::bigint, 'verify_obscore() finds nothing');

-- the index is built (CREATE INDEX) and grown (INSERT) with the same keys: a REINDEX changes no answer
SELECT lives_ok('REINDEX INDEX ivoa.obscore_s_region_idx', 'REINDEX of ivoa.obscore''s spoly index');
SET LOCAL enable_seqscan = off;
SELECT is((SELECT count(*) FROM ivoa.obscore o WHERE o.s_region && scircle(o.s_center, radians(0.01))),
          (SELECT count(*) FROM ivoa.obscore o WHERE o.s_center IS NOT NULL), 'every detector row is found by a cone on its own center');
SELECT * FROM finish();
ROLLBACK;
