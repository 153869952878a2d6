-- obsmeta install script, part 06 (re-runnable): the functions of obsmeta.spoly_gist_ops
-- (06_spoly_gist.sql, which this file precedes: the operator class names its compress function).
CREATE OR REPLACE FUNCTION obsmeta.spoly_gist_compress(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_gist_compress' LANGUAGE C STRICT;
CREATE OR REPLACE FUNCTION obsmeta.spoly_gist_key(polygon spoly, pg_sphere_own boolean DEFAULT false) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_gist_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.spoly_gist_key(spoly, boolean) IS
  'The GiST key (3-D box, six int32) of a polygon as obsmeta.spoly_gist_ops computes it, or with pg_sphere_own as pg_sphere''s spherepoly_gen_key does: the two are equal';
