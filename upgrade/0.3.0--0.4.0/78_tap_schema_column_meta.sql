-- obsmeta.obscore_column_meta was a table of the published ObsCore columns' TAP_SCHEMA metadata;
-- it is now a view of the columns' one declaration, obsmeta.obscore_column (part 70_columns.sql,
-- its rows and the view: schema/70_obscore/70_columns_declared.rerunnable.sql).
DROP TABLE obsmeta.obscore_column_meta;
