-- Who sees the rubin results (issue 3, point 1): prompt rows with their image's embargo, Data
-- Release rows from the release's public date, retracted releases never (staff always); the
-- current views follow what the caller may see; writers insert with plain SQL; releases are
-- managed by obsmeta_release_manager. Roles are created inside the transaction (rolled back).
BEGIN;
SELECT plan(31);
SET LOCAL obsmeta.conversion = 'statement';

CREATE ROLE rr_test_reader IN ROLE obsmeta_reader;
CREATE ROLE rr_test_staff IN ROLE obsmeta_staff;
CREATE ROLE rr_test_writer IN ROLE obsmeta_writer;
CREATE ROLE rr_test_manager IN ROLE obsmeta_release_manager;

\ir fixtures/lsstcam_visit.psql
-- a second visit, observed an hour ago: under embargo (80 h)
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, can_see_sky, tracking_ra, tracking_dec,
                           zenith_angle, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2026112400001, 'r_57', 'MC_O_20261124_000001', 'science', true, 50.0, -20.0, 20.0,
        now() - interval '1 hour', now() - interval '1 hour' + interval '30 s');
INSERT INTO gen3.visit (instrument, id, physical_filter, name, zenith_angle, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2026112400001, 'r_57', 'MC_O_20261124_000001', 20.0, now() - interval '1 hour', now() - interval '1 hour' + interval '30 s');
INSERT INTO gen3.visit_definition VALUES ('LSSTCam', 2026112400001, 2026112400001);
INSERT INTO gen3.detector (instrument, id) VALUES ('LSSTCam', 10);

INSERT INTO obsmeta.release (name, kind, public_date) VALUES
    ('dr1', 'data_release', now() - interval '10 days'),
    ('dr2', 'data_release', now() + interval '10 days'),
    ('dr3', 'data_release', now() - interval '5 days');

-- Pipelines write with plain SQL as obsmeta_writer
SET LOCAL ROLE rr_test_writer;
SELECT lives_ok($$INSERT INTO rubin.detector_visit_result (instrument, visit, detector, release, psf_sigma, pixel_scale, zero_point)
                  VALUES ('LSSTCam', 2025120100123, 10, 'prompt', 1.8, 0.2, 31.0),
                         ('LSSTCam', 2025120100123, 10, 'dr1', 1.6, 0.2, 31.1),
                         ('LSSTCam', 2025120100123, 10, 'dr2', 1.5, 0.2, 31.2),
                         ('LSSTCam', 2025120100123, 10, 'dr3', 1.4, 0.2, 31.3),
                         ('LSSTCam', 2026112400001, 10, 'prompt', 1.9, 0.2, 30.9),
                         ('LSSTCam', 2026112400001, 10, 'dr1', 1.7, 0.2, 30.8)$$,
                'obsmeta_writer inserts per-detector results with plain SQL');
SELECT lives_ok($$INSERT INTO rubin.visit_result (instrument, visit, release, psf_sigma_median, pixel_scale_median)
                  VALUES ('LSSTCam', 2025120100123, 'prompt', 1.8, 0.2), ('LSSTCam', 2025120100123, 'dr2', 1.5, 0.2),
                         ('LSSTCam', 2026112400001, 'prompt', 1.9, 0.2)
                  ON CONFLICT (instrument, visit, release) DO UPDATE SET psf_sigma_median = EXCLUDED.psf_sigma_median$$,
                'and per-visit results (ON CONFLICT DO UPDATE works)');
SELECT throws_ok($$INSERT INTO obsmeta.release (name, kind) VALUES ('dr9', 'data_release')$$, '42501', NULL,
                 'writers cannot register releases');
SELECT throws_ok($$SELECT obsmeta.publish_release('dr2')$$, '42501', NULL, 'nor publish them');
RESET ROLE;
SELECT obsmeta.retract_release('dr3', 'test retraction') \g /dev/null

-- Readers
SET LOCAL ROLE rr_test_reader;
SELECT set_eq($$SELECT visit, release FROM rubin.detector_visit_result$$,
              $$VALUES (2025120100123::bigint, 'prompt'), (2025120100123, 'dr1')$$,
              'reader: prompt and public-DR rows of the public image only');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE visit = 2026112400001), 0,
          'reader: nothing of the embargoed image (prompt or DR), not even in a count');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE release = 'dr2'), 0,
          'reader: a Data Release before its public date is invisible');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE release = 'dr3'), 0,
          'reader: a retracted release is invisible');
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE visit = 2025120100123), 'dr1',
          'reader''s current best: the latest public release (dr1)');
SELECT is((SELECT release FROM rubin.visit_current WHERE visit = 2025120100123), 'prompt',
          'reader''s current visit values: prompt (dr2 not public yet)');
SELECT is((SELECT count(*)::int FROM rubin.visit_current), 1, 'reader: no current row for the embargoed visit');
SELECT is(obsmeta.visible_releases(), ARRAY['dr1', 'prompt'], 'visible_releases(): dr1 and prompt');
SELECT set_eq($$SELECT exposure_id FROM rubin.exposure$$, ARRAY[2025120100123::bigint], 'reader: rubin.exposure shows the public exposure only');
SELECT set_eq($$SELECT visit_id FROM rubin.visit$$, ARRAY[2025120100123::bigint], 'reader: rubin.visit shows the public visit only');
SELECT throws_ok($$INSERT INTO rubin.visit_result (instrument, visit, release) VALUES ('LSSTCam', 1, 'prompt')$$, '42501', NULL,
                 'readers cannot write results');
SELECT throws_ok($$UPDATE obsmeta.release SET public_date = now() WHERE name = 'dr2'$$, '42501', NULL,
                 'readers cannot publish a release');
RESET ROLE;

-- Staff
SET LOCAL ROLE rr_test_staff;
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result), 6, 'staff: every row, embargoed, unpublished and retracted');
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE visit = 2025120100123), 'dr2',
          'staff''s current best includes a loaded, not yet public release (dr2), never a retracted one (dr3)');
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE visit = 2026112400001), 'dr1', 'staff: embargoed image''s current');
SELECT is((SELECT count(*)::int FROM rubin.visit), 2, 'staff: rubin.visit shows both visits');
SELECT is((SELECT round(airmass::numeric, 4) FROM rubin.visit WHERE visit_id = 2026112400001), 1.0637,
          'rubin.visit: airmass at zenith distance 20 deg (Kasten & Young: 1.0637, sec z = 1.0642)');
RESET ROLE;

-- CAOM2 carries the public best only
SELECT is((SELECT position_resolution FROM caom2.plane
            WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image')),
          (SELECT psf_fwhm_median FROM rubin.visit_result WHERE visit = 2025120100123 AND release = 'prompt'),
          'CAOM2 plane: prompt''s PSF FWHM while dr2 is not public');

-- Holds hide an image's results from readers
INSERT INTO obsmeta.embargo_hold (obs_id, reason, held_by) VALUES (obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'test', 'test');
SET LOCAL ROLE rr_test_reader;
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result), 0, 'reader: a held image''s results disappear');
SELECT is((SELECT count(*)::int FROM rubin.exposure), 1, 'rubin.exposure: the (unheld) exposure of the held visit stays');
RESET ROLE;
DELETE FROM obsmeta.embargo_hold;

-- Time-based release: dr2's date passes (no job needed for the rubin tables)
SET LOCAL ROLE rr_test_manager;
SELECT lives_ok($$SELECT obsmeta.publish_release('dr2', now() - interval '1 second')$$, 'the release manager publishes dr2');
SELECT lives_ok($$INSERT INTO obsmeta.release (name, kind) VALUES ('dr4', 'data_release')$$, 'and registers dr4');
SELECT throws_ok($$INSERT INTO obsmeta.release (name, kind) VALUES ('dr4', 'data_release')$$, '23505', NULL,
                 'registering a name twice is an error');
RESET ROLE;
SET LOCAL ROLE rr_test_reader;
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE visit = 2025120100123), 'dr2', 'reader: dr2 is current once public');
SELECT is((SELECT release FROM rubin.visit_current WHERE visit = 2025120100123), 'dr2', 'reader: per-visit too');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE visit = 2025120100123), 3,
          'reader: prompt, dr1 and dr2 stay queryable side by side');
RESET ROLE;
SELECT is((SELECT position_resolution FROM caom2.plane
            WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image')),
          (SELECT psf_fwhm_median FROM rubin.visit_result WHERE visit = 2025120100123 AND release = 'dr2'),
          'CAOM2 plane: dr2''s PSF FWHM once published');

SELECT * FROM finish();
ROLLBACK;
