-- 0.3.0: sphgeom's bounding circle for ObsCore s_ra, s_dec, s_fov (schema/05_functions.sql).
CREATE FUNCTION obsmeta.sphgeom_bounding_circle(footprint spoly, OUT center spoint, OUT size_deg double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_sphgeom_bounding_circle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.sphgeom_bounding_circle(spoly) IS
  'lsst.sphgeom''s bounding circle of a convex polygon (area centroid, diameter in deg): ObsCore s_ra, s_dec, s_fov as dax_obscore computes them';
