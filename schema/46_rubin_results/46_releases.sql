-- obsmeta install script, part 46: releases of processing results (Prompt Processing, Data Releases).
--
-- Every row of the rubin result tables (47_rubin_results.sql) names the release that produced it.
-- 'prompt' (Prompt Processing, within hours of the observation) exists by default; each Data
-- Release (dp1, dr1, dr2, ...) is registered before its results are loaded.
--
-- Which release is "current" for an image (doc/rubin_results.md):
--   among the releases that have a value for that image and are not retracted, the one with the
--   highest precedence wins. Precedence: prompt lowest; Data Releases (and previews) ordered by
--   public_date, a release without a public_date (loaded, not yet scheduled) above all dated ones;
--   ties by created_at, then name. The views rubin.*_current apply this rule to the rows the caller
--   may see (staff: every release, including loaded-but-unpublished ones; readers: public releases
--   only); CAOM2 carries the rule applied to the public releases only (48_rubin_into_caom2.rerunnable.sql).
-- Who sees a release's rows (row-level security, 47_rubin_results.sql):
--   prompt: with the image (its observation's embargo and holds);
--   a Data Release: once its public_date has passed, and the image itself is public;
--   a retracted release: staff and writers only.

DO $roles$
BEGIN
  -- NOLOGIN group role of the people who register, publish and retract releases.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_release_manager') THEN
    CREATE ROLE obsmeta_release_manager NOLOGIN;
  END IF;
END
$roles$;

CREATE TABLE obsmeta.release (
    name              text PRIMARY KEY,
    kind              text NOT NULL,
    public_date       timestamptz,
    retracted_at      timestamptz,
    retracted         boolean GENERATED ALWAYS AS (retracted_at IS NOT NULL) STORED,
    retraction_reason text,
    description       text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- the order of "current best": prompt lowest, then Data Releases by public date (unscheduled last)
    precedence        timestamptz GENERATED ALWAYS AS (
                          CASE WHEN kind = 'prompt' THEN '-infinity'::timestamptz
                               ELSE coalesce(public_date, 'infinity'::timestamptz) END) STORED,
    -- when CAOM2 last took this release's values as public (NULL: not yet); see obsmeta.apply_releases()
    caom2_applied_at  timestamptz,
    CONSTRAINT release_name_format CHECK (name ~ '^[a-z][a-z0-9_.-]{0,62}$'),
    CONSTRAINT release_kind CHECK (kind IN ('prompt', 'data_preview', 'data_release')),
    CONSTRAINT release_prompt_has_no_date CHECK (kind <> 'prompt' OR public_date IS NULL),
    CONSTRAINT release_public_date_finite CHECK (public_date IS NULL OR (public_date > '-infinity' AND public_date < 'infinity'))
);
-- One prompt release: Prompt Processing revises its own rows in place (ON CONFLICT DO UPDATE).
CREATE UNIQUE INDEX release_one_prompt ON obsmeta.release (kind) WHERE kind = 'prompt';

COMMENT ON TABLE obsmeta.release IS
  'Releases of image-processing results: prompt (Prompt Processing) and the Data Releases; rubin result rows name one';
COMMENT ON COLUMN obsmeta.release.name IS 'Release name used in the rubin result tables, e.g. prompt, dp1, dr1 (lower case)';
COMMENT ON COLUMN obsmeta.release.kind IS 'prompt | data_preview | data_release';
COMMENT ON COLUMN obsmeta.release.public_date IS
  'When a Data Release becomes public (UTC); NULL: not scheduled yet. Always NULL for prompt: its rows are public with their image (embargo)';
COMMENT ON COLUMN obsmeta.release.retracted_at IS 'When the release was retracted (NULL: not retracted); its rows stay, for staff';
COMMENT ON COLUMN obsmeta.release.retracted IS 'true when retracted (retracted_at is set)';
COMMENT ON COLUMN obsmeta.release.precedence IS
  'Order of "current best" (higher wins): -infinity for prompt, public_date for a Data Release, infinity while unscheduled; ties by created_at, name';
COMMENT ON COLUMN obsmeta.release.caom2_applied_at IS
  'When CAOM2 last took this release''s values as public (set by the apply; NULL if never)';

INSERT INTO obsmeta.release (name, kind, description)
VALUES ('prompt', 'prompt', 'Prompt Processing: per-visit and per-detector results within hours of the observation');

SELECT pg_catalog.pg_extension_config_dump('obsmeta.release', '');

-- Its trigger and obsmeta.visible_releases(): 46_releases_functions.rerunnable.sql.

GRANT SELECT ON obsmeta.release TO obsmeta_reader, obsmeta_staff, obsmeta_writer, obsmeta_release_manager;
-- Readers see the releases whose rows they may see (prompt, or published and not retracted): an
-- unpublished release's name, description and date are not public (issue 13). Staff, writers and
-- release managers see every row.
ALTER TABLE obsmeta.release ENABLE ROW LEVEL SECURITY;
CREATE POLICY release_all ON obsmeta.release TO obsmeta_staff, obsmeta_writer, obsmeta_release_manager
    USING (true) WITH CHECK (true);
CREATE POLICY release_public ON obsmeta.release FOR SELECT TO PUBLIC
    USING (retracted_at IS NULL AND (kind = 'prompt' OR public_date <= now()));
GRANT INSERT, UPDATE, DELETE ON obsmeta.release TO obsmeta_release_manager;
GRANT USAGE ON SCHEMA obsmeta, caom2 TO obsmeta_release_manager;
