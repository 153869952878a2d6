-- The conversion's statements (src/gen3_to_caom2/statements.cpp) are strings PostgreSQL checks
-- only when a conversion first runs them: obsmeta.check_conversion_statements() prepares and
-- plans every one, so a broken statement fails here, by name, whether or not a test converts
-- data that reaches it.
BEGIN;
SELECT plan(4);

SELECT cmp_ok((SELECT count(*)::int FROM obsmeta.check_conversion_statements()), '>=', 21,
              'every conversion statement is listed (21 steps, some in two variants)');
SELECT is((SELECT array_agg(statement || ': ' || sqlstate || ' ' || error ORDER BY statement)
             FROM obsmeta.check_conversion_statements() WHERE error IS NOT NULL),
          NULL, 'every conversion statement prepares and plans');

-- A check that can fail: with a column the statements use renamed, the ones that use it fail
-- (each in its own subtransaction: the others still report, and the caller's transaction goes on).
ALTER TABLE caom2.chunk RENAME COLUMN footprint TO footprint_renamed;
SELECT is((SELECT sqlstate FROM obsmeta.check_conversion_statements() WHERE statement = 'update_plane_positions'),
          '42703', 'with caom2.chunk.footprint renamed, update_plane_positions (which reads it) fails: undefined column');
SELECT is((SELECT error FROM obsmeta.check_conversion_statements() WHERE statement = 'touch_observations'),
          NULL, 'a statement that does not use it still prepares');

SELECT * FROM finish();
ROLLBACK;
