-- obsmeta install script, part 45: the visibility predicates over 45_visibility.sql's holds.

-- true for superusers and members of obsmeta_staff / obsmeta_writer (evaluated as current_user).
-- Policies call it as (SELECT obsmeta.sees_everything()) so that it runs once per query.
CREATE OR REPLACE FUNCTION obsmeta.sees_everything() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.pg_has_role(current_user, 'obsmeta_staff', 'MEMBER')
        OR pg_catalog.pg_has_role(current_user, 'obsmeta_writer', 'MEMBER')
        OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) $$;
COMMENT ON FUNCTION obsmeta.sees_everything() IS
  'true when the current role sees embargoed rows: superusers and members of obsmeta_staff or obsmeta_writer';

-- true when the observation exists, its meta_release has passed and no hold is on it. It reads
-- as its owner, so row-level security policies of the caom2 tables can use it without recursion;
-- it answers true only for what a reader may see anyway (an embargoed, held or missing
-- observation all answer false), so calling it reveals nothing.
CREATE OR REPLACE FUNCTION obsmeta.observation_public(obs_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.observation o
                    WHERE o.obs_id = $1 AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = $1)) $$;
ALTER FUNCTION obsmeta.observation_public(uuid) COST 50;
COMMENT ON FUNCTION obsmeta.observation_public(uuid) IS
  'true when the observation is public: it exists, its meta_release has passed and no hold is on it';

-- The predicate of the per-observation policies (EFD reductions, rubin tables, caom2 children).
CREATE OR REPLACE FUNCTION obsmeta.observation_visible(obs_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT obsmeta.sees_everything() OR obsmeta.observation_public($1) $$;
COMMENT ON FUNCTION obsmeta.observation_visible(uuid) IS
  'true when the current role may see rows of this observation: staff/writers/superusers always, others once it is public (released, not held)';
