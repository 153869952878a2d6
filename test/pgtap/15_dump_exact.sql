-- pg_dump writes pg_sphere polygons as text with 15 significant digits, so a restored footprint can
-- differ from the stored one in its last bits. Everything obsmeta computes from footprints (plane
-- bounds, area, center, size, samples; a detector's center and size; STC-S) must not: otherwise a
-- restore rewrites planes and observations (new checksums and lastModified); nor may the order
-- footprints are read in. Footprints of the
-- shared fixture and of irregular quadrilaterals, against their text round trip.
BEGIN;
SELECT plan(7);
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql

CREATE TEMP TABLE fp ON COMMIT DROP AS
SELECT footprint AS exact, footprint::text::spoly AS restored FROM caom2.chunk WHERE footprint IS NOT NULL
UNION ALL
SELECT p, p::text::spoly
  FROM generate_series(1, 50) g,
       LATERAL (SELECT format('{(%sd,%sd),(%sd,%sd),(%sd,%sd),(%sd,%sd)}', 10 + g / 7.0, -30 - g / 11.0, 10.2 + g / 7.0 + g / 1e7,
                              -30 - g / 11.0, 10.2 + g / 7.0, -29.8 - g / 11.0 + g / 3e7, 10 + g / 7.0 - g / 1e7, -29.8 - g / 11.0)::spoly) s(p);

SELECT ok((SELECT count(*) FROM fp WHERE area(exact) <> area(restored)) > 0,
          'not vacuous: the text round trip changes some footprints (pg_sphere''s own area differs)');
SELECT is((SELECT row(s.area_deg2, s.size_deg, s.points::text, s.samples::text, long(s.center), lat(s.center),
                      obsmeta.spoly_to_sphgeom(s.bounds))::text
             FROM obsmeta.footprint_summary(ARRAY(SELECT exact FROM fp)) s),
          (SELECT row(s.area_deg2, s.size_deg, s.points::text, s.samples::text, long(s.center), lat(s.center),
                      obsmeta.spoly_to_sphgeom(s.bounds))::text
             FROM obsmeta.footprint_summary(ARRAY(SELECT restored FROM fp)) s),
          'plane summary (bounds, area, center, size, samples) identical after the round trip');
SELECT is_empty($$SELECT 1 FROM fp, obsmeta.footprint_summary(ARRAY[exact]) a, obsmeta.footprint_summary(ARRAY[restored]) b
                   WHERE row(a.area_deg2, a.size_deg, a.samples::text, long(a.center), lat(a.center))
                         IS DISTINCT FROM row(b.area_deg2, b.size_deg, b.samples::text, long(b.center), lat(b.center))$$,
                'each footprint''s summary identical after the round trip');
SELECT is_empty($$SELECT 1 FROM fp, obsmeta.footprint_center_size(exact) a, obsmeta.footprint_center_size(restored) b
                   WHERE row(a.size_deg, long(a.center), lat(a.center)) IS DISTINCT FROM row(b.size_deg, long(b.center), lat(b.center))$$,
                'a detector''s center and size identical after the round trip');
SELECT is_empty($$SELECT 1 FROM fp WHERE obsmeta.spoly_to_stcs(exact) <> obsmeta.spoly_to_stcs(restored)$$,
                'STC-S identical after the round trip');
-- Nor may the order the footprints come in (the order chunks are read in).
SELECT is((SELECT row(s.area_deg2, s.size_deg, s.points::text, long(s.center), lat(s.center), obsmeta.spoly_to_sphgeom(s.bounds))::text
             FROM obsmeta.footprint_summary(ARRAY(SELECT exact FROM fp ORDER BY exact::text)) s),
          (SELECT row(s.area_deg2, s.size_deg, s.points::text, long(s.center), lat(s.center), obsmeta.spoly_to_sphgeom(s.bounds))::text
             FROM obsmeta.footprint_summary(ARRAY(SELECT exact FROM fp ORDER BY md5(exact::text))) s),
          'plane bounds, area, center and size do not depend on the footprints'' order');
-- A second round trip changes nothing at all: restored values are their own text form.
SELECT is_empty($$SELECT 1 FROM fp WHERE area(restored) <> area(restored::text::spoly)$$,
                'restored footprints are a fixed point of the text round trip');

SELECT * FROM finish();
ROLLBACK;
