-- Geometry: detector footprints (chunk), plane bounds / center / area / size, with synthetic
-- boxes (exact expectations) and real LSSTCam regions (anchors/rubin/lsstcam-subset.yaml: visit
-- 2025120200439, detectors 10 and 11, whose footprints must lie inside the visit's own region).
--
-- Containment note: the plane bounds is the convex hull of the footprints, so footprint edges lie
-- ON the hull boundary. pg_sphere's `<@` for polygons is decided with its EPSILON (1e-9 rad)
-- tolerance; besides `c.footprint <@ p.position_bounds` we therefore also check every footprint
-- vertex with `spoint <@ spoly` (also EPSILON-tolerant), which is the property that matters: no
-- part of any detector lies outside the plane's bounds.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql

-- pg_sphere 1.2 has no vertex accessor: read the vertices back from the text form (radians,
-- 15 significant digits: ~1e-15 rad, far below pg_sphere's 1e-9 EPSILON).
SELECT set_sphere_output('RAD');
CREATE FUNCTION pg_temp.vertices(p spoly) RETURNS SETOF spoint LANGUAGE sql IMMUTABLE AS
  $$ SELECT spoint(m[1]::float8, m[2]::float8)
       FROM regexp_matches(p::text, '\(([-+0-9.e]+) , ([-+0-9.e]+)\)', 'g') AS m $$;

SELECT plan(26);

-- spoly <-> sphgeom round trip (the helper the other tests rely on)
SELECT ok(obsmeta.sphgeom_to_spoly(obsmeta.spoly_to_sphgeom('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly))
          = '{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly, 'spoly -> sphgeom -> spoly round trip');
SELECT is(get_byte(obsmeta.spoly_to_sphgeom('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly), 0), ascii('p'),
          'encoding is a sphgeom ConvexPolygon (type byte p)');
SELECT is(length(obsmeta.spoly_to_sphgeom('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly)), 1 + 4 * 24,
          'ConvexPolygon encoding: 1 type byte + 3 doubles per vertex');

-- Chunk footprints
SELECT ok((SELECT bool_and(c.footprint = obsmeta.sphgeom_to_spoly(g.region))
             FROM caom2.chunk c JOIN caom2.part p USING (part_id) JOIN caom2.artifact a USING (artifact_id)
             JOIN gen3.dataset d ON d.id = a.lsst_dataset_id
             JOIN gen3.visit_detector_region g ON g.instrument = d.instrument AND g.detector = d.detector
                  AND g.visit = 2025120100123),
          'each chunk footprint is its detector''s visit_detector_region (raw via visit_definition, visit_image via visit)');
SELECT ok((SELECT c.footprint = '{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly
             FROM caom2.chunk c WHERE c.chunk_id = obsmeta.chunk_id(obsmeta.artifact_id('a0000000-0000-4000-8000-000000000010', '__NULL_STRING__'))),
          'raw detector 10 footprint is the 0.2 deg box given');

-- Plane bounds of the raw plane (two adjacent boxes)
SELECT ok((SELECT bool_and(c.footprint <@ p.position_bounds)
             FROM caom2.plane p JOIN caom2.artifact a USING (plane_id) JOIN caom2.part USING (artifact_id)
             JOIN caom2.chunk c USING (part_id)),
          'every chunk footprint <@ its plane bounds');
SELECT ok((SELECT bool_and(v <@ p.position_bounds)
             FROM caom2.plane p JOIN caom2.artifact a USING (plane_id) JOIN caom2.part USING (artifact_id)
             JOIN caom2.chunk c USING (part_id) CROSS JOIN LATERAL pg_temp.vertices(c.footprint) v),
          'every footprint vertex lies inside or on its plane bounds');
SELECT ok((SELECT p.position_bounds <@ '{(9.99d,-30.01d),(10.41d,-30.01d),(10.41d,-29.79d),(9.99d,-29.79d)}'::spoly
             FROM caom2.plane p WHERE p.product_id = 'raw'),
          'raw plane bounds are no bigger than the union of the two boxes (within 0.01 deg)');
SELECT ok((SELECT jsonb_array_length(position_bounds_points) = npoints(position_bounds)
                  AND position_bounds = (SELECT spoly(spoint(radians((pt->>0)::float8), radians((pt->>1)::float8)) ORDER BY i)
                                           FROM jsonb_array_elements(position_bounds_points) WITH ORDINALITY AS e(pt, i))
             FROM caom2.plane WHERE product_id = 'raw'),
          'position_bounds_points (degrees) are the vertices of position_bounds');
SELECT ok((SELECT position_center <@ position_bounds FROM caom2.plane WHERE product_id = 'raw'),
          'plane center lies inside the bounds');
SELECT ok((SELECT abs(p.position_area_deg2 - s.total) < 1e-6 * s.total
             FROM caom2.plane p,
                  (SELECT sum(area(c.footprint)) * (180 / pi()) ^ 2 AS total
                     FROM caom2.artifact a JOIN caom2.part USING (artifact_id) JOIN caom2.chunk c USING (part_id)
                    WHERE a.plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw')) s
            WHERE p.product_id = 'raw'),
          'raw plane area = sum of its footprint areas (deg^2, relative 1e-6)');
SELECT ok((SELECT abs(position_area_deg2 - 2 * 0.2 * 0.2 * cos(radians(29.9))) < 0.01 * position_area_deg2
             FROM caom2.plane WHERE product_id = 'raw'),
          'raw plane area is two 0.2 x 0.2 deg boxes at dec -29.9 (within 1 %)');
SELECT ok((SELECT abs(position_area_deg2 - area('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly) * (180 / pi()) ^ 2) < 1e-6
             FROM caom2.plane WHERE product_id = 'visit_image'),
          'visit_image plane (one detector) area = that detector''s area');
-- size_deg is ObsCore s_fov: a circle of that diameter around the center must cover the bounds,
-- and it can be no smaller than the largest distance between two vertices.
SELECT ok((SELECT bool_and(degrees(v <-> p.position_center) <= p.position_size_deg / 2 + 1e-9)
             FROM caom2.plane p CROSS JOIN LATERAL pg_temp.vertices(p.position_bounds) v WHERE p.product_id = 'raw'),
          'the circle (center, size_deg / 2) covers every bounds vertex');
SELECT ok((SELECT p.position_size_deg >= max(degrees(a <-> b)) - 1e-9
             FROM caom2.plane p CROSS JOIN LATERAL pg_temp.vertices(p.position_bounds) a
             CROSS JOIN LATERAL pg_temp.vertices(p.position_bounds) b WHERE p.product_id = 'raw' GROUP BY p.position_size_deg),
          'size_deg >= the bounds'' largest vertex-to-vertex distance');
-- The two boxes together span RA 10..10.4, Dec -30..-29.8: their area centroid is (10.2, ~-29.9).
-- A center biased by how many vertices the hull happens to have on one side would be off by ~0.02 deg.
SELECT ok((SELECT degrees(position_center <-> spoint(radians(10.2), radians(-29.9))) < 0.005
             FROM caom2.plane WHERE product_id = 'raw'),
          'raw plane center is the middle of the two boxes (10.2, -29.9) within 0.005 deg');

-- Real LSSTCam regions: visit 2025120200439, detectors 10 and 11 (from the Butler export)
INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'z_20', 'z');
INSERT INTO gen3.visit (instrument, id, physical_filter, day_obs, name, seq_num, exposure_time, region, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120200439, 'z_20', 20251202, 'MC_O_20251202_000439', 439, 30.0,
        '\x709f2616dbe950cbbfd1695e3d4c3fe63fec1e82d2d2f6e5bfd2b5f450bb59cbbfc947227f0f40e63f0132ed675df5e5bf0e2bc2a2ffc4cbbf810ce8d04b49e63f79c1356b8ee3e5bf55733b8d76efcbbf55bb2b0eff65e63f00319fe5c9c2e5bf5293160b3013ccbfe00ef1748288e63f20e6025c269ce5bf9472e2dae725ccbfd6bf6c4ecca6e63fd893dbc5dc7ae5bf059a6d18e7dacbbffbc59646b1bce63f3cd6c18ed069e5bfe3682cba03d6cbbf7f2a664f1dbee63f4cdc89a5b368e5bf8f31700ad460cabfad34b2ed0629e73fce2af391f212e5bfb93570b2ea14cabfbb3cbfc3553ee73f65cda55c5d01e5bfaa95285be60fcabf44c68b02bd3fe73f725765643300e5bfd596a360e4c8c9bf1aa7c5df8853e73fe49dfa9eb3efe4bfc3bf8f38dec3c9bfdcc9f542ee54e73f8ad7cc5188eee4bf52449e14bc77c9bffd8e0bf9026ae73fc28a1e74c9dce4bfaa653f44f1cac8bfb4471a597377e73f23f99718b2dae4bfcfca446b61ffc7bf205883b3a484e73ffac60081b7dae4bf1b7f26ebfc4fc7bf107e39bbbd8de73fe8b6a209e2dce4bf8c96310e80e4c6bf3dfb007d9184e73fe8547f02a4eee4bf2d91e593aadbc6bfb878a25fcf83e73f25065d8018f0e4bff8203259e278c6bf2a924e25497be73f16ae16315200e5bfc705f6580a70c6bfc58bd9bc847ae73fd6abe006c501e5bf98864073840cc6bfc66970b9d671e73ff758c57c0612e5bfb05a4f834d04c6bf5070965b1e71e73f2c52e1025d13e5bf3c02ecaab0a0c5bf453834035768e73f2b811be68a23e5bf50d30993d497c5bfb61542168e67e73f0191603efa24e5bff63e7ed0c734c5bf40444235bc5ee73fbf4b6f7ef934e5bff0a3512aea2bc5bf6968a312f15de73ffaf8b3046736e5bfa540b9392ac8c4bf54da11e0f754e73f2b2d1ad76b46e5bfef445af3eebfc4bfd51888583954e73fbfbdad49bd47e5bf8d81e404235cc4bf3722beca274be73fbcb56ac4ac57e5bfd8746d3b4353c4bfb0fd2f50584ae73f1edb5a7c1659e5bf1f7d83b312f0c3bf76c248b33d41e73f09c34601d668e5bf76ddad5832e7c3bf98b9361a6c40e73f66e74ac03d6ae5bf126d08c51c7bc3bf4bc9844c6636e73fe7fcf5ad4c7be5bff79a2522cb50c3bf1912e0baed19e73fd89d11c4479ce5bf796b0bce112dc3bf31834f7c6af7e63f23360174ebc2e5bf9da79734d019c3bfac3b3634e0d8e63fae06ac0707e4e5bf37d035bea165c3bfae03c050c4c3e63f0e8ce6e9d2f5e5bfdbb43449a36ac3bf739a64845ec2e63fcc7ed4f5fef6e5bfa68433606db1c3bfd37828ad8daee63f7cfdfbc18707e6bfd8bafc6c6eb6c3bfcaeb562326ade63f829a4d42b208e6bfe7c6c2eca2fdc3bfc929ecac1c99e63fe8f5377f3f19e6bfeb14be8f3002c4bf258586cfd397e63fabc8abcc4d1ae6bf523822005a49c4bf5c9555a7b283e63fb7ed541bc42ae6bf246f067e594ec4bf311eacc64782e63fc3065e60eb2be6bf461132970295c4bf33eda92b306ee63f932f23b12f3ce6bffcaf3307019ac4bfa81b84b4c36ce63feb3d5e49553de6bf71e1f9600ce1c4bf4a9842387558e63f8e794ec69b4de6bf6ecaeb2197e5c4bf12c2b7022857e63fbbc9727ea54ee6bf4e987c9b8f2cc5bfe98f9e0dc442e63f45eb8440d35ee6bf893587628b31c5bf71a0d58f5441e63f9fe5875cf55fe6bff1b4af1efc77c5bf289d5cd6fc2ce63f66f284d0ef6fe6bf9e46544df67cc5bfbff75aeb8b2be63f0e0af51f1071e6bf5d01f29e47c8c5bf120a4e20ae15e63f9b669d500f82e6bfa7a8216b5075c6bfba85f16f7908e63fb5d518915f84e6bf0134dd6de040c7bff039bd3d48fbe53f4a55034f5a84e6bf29eb578f1ff0c7bfdfddfc60f4f1e53ff1ba880ff981e6bf12b7fda96d5cc8bf857c661beafbe53ff688b825f770e6bfbbd9e9085265c8bf5ecd1890bafce53fada16b53906fe6bfb05d8e01a9c8c8bf3e19603eca05e63fdcbb5fa8d95fe6bfcf3f55a88bd1c8bf266160e89806e63f93764a99705ee6bf495d8b527135c9bf3e0c8624a30fe63fa0078f0b874ee6bf5a6c6d30ae3dc9bf03ca26386110e63fb9eed4f6354de6bfaec07aff7aa1c9bfa3fd86c15619e63fbc3e491b343de6bf49d4893759aac9bf8ef5a0ba211ae63f8c02a4b6c63be6bfc27a35f8650dcabf3ee6bf9bf322e63f794f9576c72be6bf044adf7d4116cabfc67e3cb2bc23e63ffccfb0fc572ae6bf6ca90674d179cabfd3c60eb4872ce63f3a2c9c22271ae6bf9be124cc0682cabf05f2d685402de63f9dbca63ed018e6bfe80d50f272e5cabfe14523dbf535e63ff795c0db8808e6bf4ce6e51448eecabfaac32b14bb36e63f7fb91b5d1507e6bf'::bytea, '2025-12-03 07:58:30.425+00', '2025-12-03 07:59:01.355+00');
INSERT INTO gen3.visit_detector_region VALUES
  ('LSSTCam', 2025120200439, 10, '\x70aec07aff7aa1c9bfa3fd86c15619e63fbc3e491b343de6bf044adf7d4116cabfc67e3cb2bc23e63ffccfb0fc572ae6bfcc8d75f09fc6c9bf028d3797543be63faedbfdf98518e6bf0d0ea2dbce51c9bf8d5d2fb5ed30e63fc2eb4fce632be6bf'::bytea),
  ('LSSTCam', 2025120200439, 11, '\x70495d8b527135c9bf3e0c8624a30fe63fa0078f0b874ee6bf49d4893759aac9bf8ef5a0ba211ae63f8c02a4b6c63be6bfcb9e2ad7ad5ac9bf110bf8c3b831e63fcde15146f629e6bffd38b867bce5c8bf7e0f9ee33827e63ff8f84889b83ce6bf'::bytea);
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, visit, detector, physical_filter, band) VALUES
  ('b0000000-0000-4000-8000-000000043910', 'visit_image', 'LSSTCam/runs/DM-1', 'LSSTCam', 2025120200439, 10, 'z_20', 'z'),
  ('b0000000-0000-4000-8000-000000043911', 'visit_image', 'LSSTCam/runs/DM-1', 'LSSTCam', 2025120200439, 11, 'z_20', 'z');
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES
  ('b0000000-0000-4000-8000-000000043910', 'LSSTCam/runs/DM-1/visit_image_439_R02_S01.fits', 100),
  ('b0000000-0000-4000-8000-000000043911', 'LSSTCam/runs/DM-1/visit_image_439_R02_S02.fits', 100);

SELECT is((SELECT count(*)::int FROM caom2.chunk c JOIN caom2.part USING (part_id) JOIN caom2.artifact a USING (artifact_id)
            WHERE a.plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image') AND c.footprint IS NOT NULL),
          2, 'real regions: both detectors have a footprint');
SELECT ok((SELECT bool_and(v <@ obsmeta.sphgeom_to_spoly(vi.region))
             FROM caom2.artifact a JOIN caom2.part USING (artifact_id) JOIN caom2.chunk c USING (part_id)
             CROSS JOIN LATERAL pg_temp.vertices(c.footprint) v
             JOIN gen3.visit vi ON vi.instrument = 'LSSTCam' AND vi.id = 2025120200439
            WHERE a.plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')),
          'real regions: every detector footprint vertex lies inside the visit''s region');
SELECT ok((SELECT bool_and(v <@ obsmeta.sphgeom_to_spoly(vi.region))
             FROM caom2.plane p CROSS JOIN LATERAL pg_temp.vertices(p.position_bounds) v
             JOIN gen3.visit vi ON vi.instrument = 'LSSTCam' AND vi.id = 2025120200439
            WHERE p.plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')),
          'real regions: the plane bounds (hull of two detectors) lie inside the convex visit region');
SELECT ok((SELECT bool_and(v <@ p.position_bounds)
             FROM caom2.plane p JOIN caom2.artifact a USING (plane_id) JOIN caom2.part USING (artifact_id)
             JOIN caom2.chunk c USING (part_id) CROSS JOIN LATERAL pg_temp.vertices(c.footprint) v
            WHERE p.plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')),
          'real regions: every footprint vertex inside or on the plane bounds');
SELECT ok((SELECT abs(p.position_area_deg2 - sum(area(c.footprint)) * (180 / pi()) ^ 2) < 1e-6 * p.position_area_deg2
             FROM caom2.plane p JOIN caom2.artifact a USING (plane_id) JOIN caom2.part USING (artifact_id)
             JOIN caom2.chunk c USING (part_id)
            WHERE p.plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')
            GROUP BY p.position_area_deg2),
          'real regions: area = sum of the two detector areas');
-- An LSSTCam CCD is 4k x 4k 0.2" pixels (~0.225 deg square, 0.05 deg^2); Butler detector regions
-- are padded, these are ~0.25 deg squares: two of them cover 0.08 .. 0.16 deg^2.
SELECT ok((SELECT position_area_deg2 BETWEEN 0.08 AND 0.16 FROM caom2.plane
            WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')),
          'real regions: two (padded) LSSTCam CCD regions cover 0.08 .. 0.16 deg^2');

-- No region -> no footprint, no bounds (and no error)
DELETE FROM gen3.visit_detector_region WHERE visit = 2025120200439;
SELECT ok((SELECT bool_and(c.footprint IS NULL) FROM caom2.artifact a JOIN caom2.part USING (artifact_id) JOIN caom2.chunk c USING (part_id)
            WHERE a.plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')),
          'regions deleted: chunk footprints are NULL');
SELECT ok((SELECT position_bounds IS NULL AND position_bounds_points IS NULL AND position_center IS NULL
                  AND position_area_deg2 IS NULL AND position_size_deg IS NULL
             FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120200439), 'visit_image')),
          'regions deleted: plane position is all NULL');

-- a detector's center and size (ObsCore's detector rows) are its plane-summary values, bit for bit
SELECT is_empty($$
    SELECT f FROM (VALUES ('{(10d,-5d),(10.2d,-5d),(10.2d,-4.8d),(10d,-4.8d)}'::spoly),
                          ('{(359.9d,0d),(0.1d,0d),(0.1d,0.2d),(359.9d,0.2d)}'::spoly),
                          ('{(45d,89.5d),(165d,89.5d),(285d,89.5d)}'::spoly)) AS v(f)
     CROSS JOIN LATERAL obsmeta.footprint_summary(ARRAY[f]) s
     CROSS JOIN LATERAL obsmeta.footprint_center_size(f) t
     WHERE NOT (s.center = t.center) OR s.size_deg IS DISTINCT FROM t.size_deg OR t.size_deg IS NULL$$,
    'footprint_center_size equals footprint_summary''s center and size for one footprint (also across RA 0 and near the pole)');
SELECT ok((obsmeta.footprint_center_size(NULL)).center IS NULL, 'footprint_center_size(NULL) is NULL');
SELECT * FROM finish();
ROLLBACK;
