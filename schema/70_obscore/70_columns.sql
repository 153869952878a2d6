-- obsmeta install script, part 70: the one declaration of ivoa.obscore's columns.
-- obsmeta.obscore_column holds one row per column of ivoa.obscore, in table order: its type and
-- constraints, the SQL expression of its value, whether obsmeta.obscore_apply writes and compares
-- it, and, for the columns a TAP service publishes, their TAP_SCHEMA metadata. The rows are
-- declared in 70_columns_declared.rerunnable.sql; from them come the table (70_obscore.sql, and
-- columns added later: obsmeta.obscore_rebuild in 74_obscore_rebuild.rerunnable.sql), the select
-- list of obsmeta.obscore_source (70_obscore_source.rerunnable.sql), the column lists of
-- obsmeta.obscore_apply (72_obscore_apply.rerunnable.sql), what refresh_obscore and verify_obscore
-- compare, and the TAP_SCHEMA columns (obsmeta.obscore_column_meta, read by
-- obsmeta.register_tap_schema in 78_tap_schema.rerunnable.sql).
CREATE TABLE obsmeta.obscore_column (
    column_name  text PRIMARY KEY,
    ordinal_position integer NOT NULL UNIQUE DEFERRABLE INITIALLY DEFERRED,  -- order in ivoa.obscore (and in obsmeta.obscore_source)
    definition   text NOT NULL,             -- type and constraints, as in CREATE TABLE
    -- its value in obsmeta.obscore_source: an SQL expression over x (the row's sources, see
    -- 70_obscore_source.rerunnable.sql) and cfg (obsmeta.obscore_config); NULL: not in the view
    -- (a generated column)
    value_expression text,
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
    CHECK (value_expression IS NOT NULL OR NOT written),
    CHECK (column_index IS NULL OR (datatype IS NOT NULL AND principal IS NOT NULL AND std IS NOT NULL
                                    AND description IS NOT NULL))
);
COMMENT ON TABLE obsmeta.obscore_column IS
  'The columns of ivoa.obscore, declared once: type, value in obsmeta.obscore_source, maintenance (written, compared) and TAP_SCHEMA metadata';
