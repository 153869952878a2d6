-- obsmeta install script, part 47 (re-runnable): the CHECK helper of the rubin result tables
-- (47_rubin_results.sql, which this file precedes: their CHECK constraints call it).
-- true for NULL or a finite value in [low, high] (NULL bounds: unbounded); otherwise 22003 naming
-- the column, the range with its unit and the value (C++: src/input_checks/rubin_result_checks.cpp).
CREATE OR REPLACE FUNCTION obsmeta.check_measurement(name text, value double precision, low double precision,
                                          high double precision, unit text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_measurement' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.check_measurement(text, double precision, double precision, double precision, text) IS
  'CHECK helper: true for NULL or a finite value in [low, high]; otherwise an error naming column, range, unit and value';
