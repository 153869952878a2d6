-- obsmeta install script, part 50: rows that wait for their parents.
-- Computed from the mirror itself, so it is never stale: a row is listed exactly while the parent
-- it needs is missing, and converts (and leaves this view) in the transaction that brings it.
CREATE OR REPLACE VIEW obsmeta.pending AS
SELECT 'gen3.exposure'::text AS mirror_table, e.instrument || '/' || e.id AS mirror_key,
       'gen3.physical_filter ' || e.instrument || '/' || e.physical_filter AS waiting_for
  FROM gen3.exposure e
 WHERE NOT EXISTS (SELECT 1 FROM gen3.physical_filter f WHERE f.instrument = e.instrument AND f.name = e.physical_filter)
UNION ALL
SELECT 'gen3.visit', v.instrument || '/' || v.id, 'gen3.physical_filter ' || v.instrument || '/' || v.physical_filter
  FROM gen3.visit v
 WHERE NOT EXISTS (SELECT 1 FROM gen3.physical_filter f WHERE f.instrument = v.instrument AND f.name = v.physical_filter)
UNION ALL
SELECT 'gen3.visit_definition', vd.instrument || '/' || vd.exposure || '/' || vd.visit,
       CASE WHEN NOT EXISTS (SELECT 1 FROM gen3.exposure e WHERE e.instrument = vd.instrument AND e.id = vd.exposure)
            THEN 'gen3.exposure ' || vd.instrument || '/' || vd.exposure
            ELSE 'gen3.visit ' || vd.instrument || '/' || vd.visit END
  FROM gen3.visit_definition vd
 WHERE NOT EXISTS (SELECT 1 FROM gen3.exposure e WHERE e.instrument = vd.instrument AND e.id = vd.exposure)
    OR NOT EXISTS (SELECT 1 FROM gen3.visit v WHERE v.instrument = vd.instrument AND v.id = vd.visit)
UNION ALL
SELECT 'gen3.visit_detector_region', g.instrument || '/' || g.visit || '/' || g.detector,
       'gen3.visit ' || g.instrument || '/' || g.visit
  FROM gen3.visit_detector_region g
 WHERE NOT EXISTS (SELECT 1 FROM gen3.visit v WHERE v.instrument = g.instrument AND v.id = g.visit)
UNION ALL
SELECT 'gen3.dataset', d.id::text,
       CASE t.observation_level
         WHEN 'exposure' THEN 'gen3.exposure ' || d.instrument || '/' || d.exposure
         WHEN 'visit' THEN 'gen3.visit ' || d.instrument || '/' || d.visit
         ELSE 'a complete coadd data ID (skymap, tract, patch, band)' END
  FROM gen3.dataset d
  JOIN obsmeta.dataset_type_config t ON t.dataset_type = d.dataset_type AND t.publish
 WHERE NOT EXISTS (SELECT 1 FROM obsmeta.dataset_plane dp WHERE dp.dataset_id = d.id)
UNION ALL
SELECT 'gen3.file_datastore_record', r.dataset_id || '/' || r.component, 'gen3.dataset ' || r.dataset_id
  FROM gen3.file_datastore_record r
 WHERE NOT EXISTS (SELECT 1 FROM gen3.dataset d WHERE d.id = r.dataset_id);
COMMENT ON VIEW obsmeta.pending IS
  'Mirror rows not (yet) converted because a parent row is missing; each converts when its parent arrives';
