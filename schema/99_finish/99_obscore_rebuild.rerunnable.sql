-- obsmeta install script, part 99 (re-runnable): the last step of every install and update. ObsCore
-- columns newly declared in obsmeta.obscore_column are added to ivoa.obscore and computed for its
-- rows (obsmeta.obscore_rebuild(), 70_obscore/74_obscore_rebuild.rerunnable.sql). Last, because
-- computing rows needs every function in place: an update re-creates the functions that use
-- pg_sphere with a placeholder search_path, which 77_tap_service/79_search_path.rerunnable.sql pins.
SELECT obsmeta.obscore_rebuild();
