-- obsmeta install script, part 75: embargo by row-level security, and holds.
--
-- Who sees what (every table below has ROW LEVEL SECURITY enabled; the owner — the superuser
-- that created the extension — and superusers bypass it):
--   obsmeta_staff, obsmeta_writer (and superusers): every row (obsmeta.sees_everything()).
--   everyone else (obsmeta_reader, TAP servers): a row once its release time has passed and no
--   hold is on its observation. Release happens by time alone: the predicates compare with now().
-- ivoa.obscore: one stored column, visible_from (the release time, or infinity while held), so
-- the readers' policy is a plain comparison that costs nothing next to a cone search; staff and
-- writers have a policy of their own (true). Being "staff" there means having the privileges of
-- obsmeta_staff (membership with INHERIT, or SET ROLE), as for any PostgreSQL policy role.
-- caom2: observation by its meta_release, plane by its own meta_release and its observation,
-- artifact/provenance_input by their plane, part by its artifact, chunk by its part,
-- observation_member by its composite observation, deleted_observation never (tombstones may
-- name observations that were never public). These call SECURITY DEFINER functions that answer
-- true only for public rows (an index probe per row: see doc/obscore.md for the cost).

-- The visibility functions of CAOM2 children, obsmeta.enable_embargo and the hold functions:
-- 75_embargo_functions.rerunnable.sql (runs before this file: the policies call them).

---------------------------------------------------------------------------------------------------
-- Policies
---------------------------------------------------------------------------------------------------
-- ivoa.obscore: two policies, chosen by role when a query is planned. Members of obsmeta_staff and
-- obsmeta_writer get USING (true), which the planner folds away (their queries are planned as if
-- there were no policy); everyone else gets one comparison of a stored column with now(), checked
-- on the rows the query's own (GiST) index scan returns. Release by time alone, no function call,
-- no per-query subplan: row-level security costs a TAP cone search nothing measurable.
ALTER TABLE ivoa.obscore ENABLE ROW LEVEL SECURITY;
CREATE POLICY obscore_everything ON ivoa.obscore FOR SELECT TO obsmeta_staff, obsmeta_writer USING (true);
CREATE POLICY obscore_visible ON ivoa.obscore FOR SELECT TO PUBLIC USING (visible_from <= now());

DO $policies$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('observation',        '(meta_release <= now() AND obsmeta.observation_public(obs_id))'),
        ('plane',              '(meta_release <= now() AND obsmeta.observation_public(obs_id))'),
        ('artifact',           'obsmeta.plane_public(plane_id)'),
        ('provenance_input',   'obsmeta.plane_public(plane_id)'),
        ('part',               'obsmeta.artifact_public(artifact_id)'),
        ('chunk',              'obsmeta.part_public(part_id)'),
        ('observation_member', 'obsmeta.observation_public(composite_id)'),
        ('deleted_observation', 'false')) AS v(tab, pred) LOOP
        EXECUTE format('ALTER TABLE caom2.%I ENABLE ROW LEVEL SECURITY', t.tab);
        EXECUTE format('CREATE POLICY %I ON caom2.%I FOR SELECT TO PUBLIC USING ((SELECT obsmeta.sees_everything()) OR %s)',
                       t.tab || '_visible', t.tab, t.pred);
        -- the conversion runs as the writing role: it reads and writes every row
        EXECUTE format('CREATE POLICY %I ON caom2.%I FOR ALL TO obsmeta_writer USING (true) WITH CHECK (true)',
                       t.tab || '_writer', t.tab);
    END LOOP;
END
$policies$;

-- GiST indexes under row-level security: PostgreSQL evaluates a query's own conditions after the
-- policy's unless their functions are LEAKPROOF, and then cannot use an index for them. The
-- pg_sphere containment/overlap predicates on points, circles, polygons and boxes raise no
-- data-dependent errors and return only a boolean, so they are marked LEAKPROOF: a reader's
-- cone search uses the GiST index on ivoa.obscore as staff's does.
DO $leakproof$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT DISTINCT o.oprcode::regprocedure
          FROM pg_operator o
          JOIN pg_depend d ON d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
          JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_sphere'
         WHERE o.oprname IN ('@', '~', '&&', '<@', '@>')
           AND o.oprresult = 'boolean'::regtype
           AND (SELECT bool_and(t.typname IN ('spoint', 'scircle', 'spoly', 'sbox'))
                  FROM pg_type t WHERE t.oid IN (o.oprleft, o.oprright))
    LOOP
        EXECUTE format('ALTER FUNCTION %s LEAKPROOF', f);
    END LOOP;
END
$leakproof$;

---------------------------------------------------------------------------------------------------
-- Holds (the functions: 75_embargo_functions.rerunnable.sql)
---------------------------------------------------------------------------------------------------
GRANT SELECT ON obsmeta.embargo_hold, obsmeta.embargo_log TO obsmeta_staff, obsmeta_embargo_officer;
GRANT USAGE ON SCHEMA obsmeta, caom2 TO obsmeta_embargo_officer;

---------------------------------------------------------------------------------------------------
-- Privileges of ivoa.obscore, and functions that must not answer readers about embargoed rows
---------------------------------------------------------------------------------------------------
GRANT SELECT ON ivoa.obscore TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
-- They read CAOM2 / gen3 as their caller or report counts; staff and writers use them.
REVOKE EXECUTE ON FUNCTION obsmeta.verify_caom2() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.verify_caom2(), obsmeta.verify_obscore() TO obsmeta_staff, obsmeta_writer;
