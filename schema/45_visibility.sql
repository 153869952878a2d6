-- obsmeta install script, part 45: who may see an observation's rows (embargo).
-- Staff, writers and superusers see everything at once; everyone else sees an observation when
-- its meta_release has passed. Row-level security policies on caom2, rubin and efd tables call
-- this. (Holds and Data Release dates extend it in later versions.)
CREATE FUNCTION obsmeta.sees_everything() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_has_role(current_user, 'obsmeta_staff', 'MEMBER')
        OR pg_has_role(current_user, 'obsmeta_writer', 'MEMBER')
        OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) $$;

CREATE FUNCTION obsmeta.observation_visible(obs_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT obsmeta.sees_everything()
        OR EXISTS (SELECT 1 FROM caom2.observation o WHERE o.obs_id = $1 AND o.meta_release <= now()) $$;
