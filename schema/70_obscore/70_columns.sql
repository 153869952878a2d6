-- obsmeta install script, part 70: the one declaration of ivoa.obscore's columns.
-- obsmeta.obscore_column holds one row per column of ivoa.obscore, in table order: its type and
-- constraints, whether obsmeta.obscore_apply writes and compares it, and, for the columns a TAP
-- service publishes, their TAP_SCHEMA metadata. The rows are declared in
-- 70_columns_declared.rerunnable.sql; from them come the table (70_obscore.sql), the column lists
-- of obsmeta.obscore_apply (72_obscore_apply.rerunnable.sql) and the TAP_SCHEMA columns
-- (obsmeta.obscore_column_meta, read by obsmeta.register_tap_schema in 78_tap_schema.rerunnable.sql).
CREATE TABLE obsmeta.obscore_column (
    column_name  text PRIMARY KEY,
    ordinal_position integer NOT NULL UNIQUE DEFERRABLE INITIALLY DEFERRED,  -- order in ivoa.obscore (and in obsmeta.obscore_source)
    definition   text NOT NULL,             -- type and constraints, as in CREATE TABLE
    written      boolean NOT NULL,          -- obscore_apply sets it (not the key, not a generated column)
    compared     boolean NOT NULL,          -- obscore_apply compares it to decide whether a row changed
    -- TAP_SCHEMA 1.1 columns metadata; column_index NULL: not published
    column_index integer UNIQUE DEFERRABLE INITIALLY DEFERRED,
    datatype     text,
    arraysize    text,
    xtype        text,
    unit         text,
    ucd          text,
    utype        text,
    principal    integer,
    std          integer,
    description  text,
    CHECK (written OR NOT compared),
    CHECK (column_index IS NULL OR (datatype IS NOT NULL AND principal IS NOT NULL AND std IS NOT NULL
                                    AND description IS NOT NULL))
);
COMMENT ON TABLE obsmeta.obscore_column IS
  'The columns of ivoa.obscore, declared once: type, maintenance (written, compared) and TAP_SCHEMA metadata';
