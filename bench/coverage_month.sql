-- A month of survey-like visits merged into the coverage buckets (bench/coverage_month.sh; not part
-- of the tests). Each visit is a cell (collection 'Survey', its band, released at the visit's
-- time), fed straight to the buckets, both ways, each visit in its own transactions:
--   rewrite: the buckets as before 0.4.0's pieces (one row per bucket, `moc | added` written
--            back unless it holds the visit already), copied below on a table of its own;
--   pieces:  obsmeta.coverage_buckets_apply (a piece per bucket, merged before commit once a
--            bucket has 16, a month 64, and the bucket before it once it has 2).
-- Per visit: wall time and WAL bytes of each way (its commit included: the merge runs there);
-- per night: the backend's CPU of each way (/proc/self/stat, 10 ms ticks summed over the night).
-- Footprints: an octagon 3.45 deg across (10.9 deg^2; LSSTCam's focal plane is 9.6 deg^2, its
-- 189 detectors' gaps are below an order-10 cell), rotated at random, on a grid of fields over
-- dec -62..+2 (Rubin's WFD), dithered by up to 0.3 deg; each night 400 fields of the 120 deg of
-- right ascension up around midnight (moving ~1 deg a night), each visited twice in one of the
-- night's three filters, 45 s apart... as --visits-per-night and --nights say.
\set ON_ERROR_STOP 1
ALTER DATABASE :"DBNAME" SET synchronous_commit = off;  -- both ways commit each visit; the WAL flush is not what is measured
SELECT setseed(0.42);

CREATE TABLE bench_visit AS
WITH nights AS (SELECT n, (ARRAY['ugr', 'gri', 'riz', 'izy', 'rzy', 'giy'])[1 + (n * 7) % 6] AS filters FROM generate_series(0, :nights - 1) n),
fields AS (SELECT row_number() OVER () AS f, ra, dec
             FROM generate_series(-61, 1, 3) dec, LATERAL generate_series(0, 359, greatest(1, (3 / cos(radians(dec)))::int)) ra),
picked AS (SELECT n.n, n.filters, x.f, x.ra, x.dec, row_number() OVER (PARTITION BY n.n ORDER BY random()) AS k
             FROM nights n CROSS JOIN fields x
            WHERE abs(((x.ra - (100 + n.n * 0.986))::numeric + 540) % 360 - 180) <= 60)
SELECT row_number() OVER (ORDER BY p.n, p.k, v.pass) AS id, p.n AS night,
       substr(p.filters, 1 + (p.f % 3)::int, 1) AS band,
       '2026-01-01 00:30:00+00'::timestamptz + p.n * interval '1 day'
           + ((p.k - 1) * 2 + v.pass) * (interval '9 hours' / (:visits_per_night)) AS t,
       p.ra + (random() - 0.5) * 0.6 AS ra, greatest(-89.0, p.dec + (random() - 0.5) * 0.6) AS dec, random() * pi() AS rot
  FROM picked p, (VALUES (0), (1)) v(pass)
 WHERE p.k <= :visits_per_night / 2;

-- the octagon: vertices at 1.725 deg (the square's half side) and its corners cut by 0.69 deg
CREATE TABLE bench_visit_moc AS
SELECT v.id, smoc(10, format('{%s}', string_agg(format('(%sd,%sd)',
                        v.ra + degrees(r * cos(a + v.rot)) / cos(radians(v.dec)), v.dec + degrees(r * sin(a + v.rot))), ',' ORDER BY a))::spoly) AS moc
  FROM bench_visit v,
       LATERAL (SELECT radians(1.725) / cos(radians(22.5)) * 0.93 AS r, a FROM generate_series(0, 7) i, LATERAL (SELECT radians(22.5 + 45 * i) AS a) aa) c
 GROUP BY v.id;
ALTER TABLE bench_visit_moc ADD PRIMARY KEY (id);

-- before: one row per bucket, rewritten
CREATE TABLE bench_rewrite_bucket (obs_collection text, band text, span text, starts timestamp, moc smoc NOT NULL, n_rows bigint NOT NULL,
                                   PRIMARY KEY (obs_collection, band, span, starts));
-- obsmeta.coverage_buckets_apply as it was (main 0eead3c), on that table
CREATE FUNCTION bench_rewrite_apply(before obsmeta.coverage_cell[], after obsmeta.coverage_cell[])
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_catalog, "$pgsphere$" AS $$
DECLARE
    ch record;
BEGIN
    FOR ch IN WITH c AS MATERIALIZED (SELECT * FROM obsmeta.coverage_bucket_changes(before, after)),
                   b AS (SELECT c.obs_collection, c.band, l.span, l.rank, date_trunc(l.span, c.hour) AS starts,
                                sum(c.added) AS added, sum(c.added_rows)::bigint AS added_rows,
                                bool_or(c.shrunk) OR sum(c.added) IS NULL AS recompute
                           FROM c, (VALUES ('month', 1), ('day', 2), ('hour', 3)) l(span, rank)
                          GROUP BY 1, 2, 3, 4, 5)
              SELECT 1 AS phase, b.rank AS step, * FROM b
              UNION ALL
              SELECT 2, -b.rank, * FROM b WHERE b.recompute
              ORDER BY phase, step, obs_collection, band, starts LOOP
        IF ch.phase = 1 AND ch.recompute THEN
            PERFORM 1 FROM bench_rewrite_bucket b
              WHERE (b.obs_collection, b.band, b.span, b.starts) = (ch.obs_collection, ch.band, ch.span, ch.starts)
                FOR UPDATE;
        ELSIF ch.phase = 1 THEN
            INSERT INTO bench_rewrite_bucket AS b (obs_collection, band, span, starts, moc, n_rows)
            VALUES (ch.obs_collection, ch.band, ch.span, ch.starts, ch.added, ch.added_rows)
            ON CONFLICT (obs_collection, band, span, starts)
            DO UPDATE SET moc = CASE WHEN b.moc @> excluded.moc THEN b.moc ELSE b.moc | excluded.moc END,
                          n_rows = b.n_rows + excluded.n_rows;
        ELSE
            DELETE FROM bench_rewrite_bucket b
             WHERE (b.obs_collection, b.band, b.span, b.starts) = (ch.obs_collection, ch.band, ch.span, ch.starts);
            IF ch.span = 'hour' THEN
                INSERT INTO bench_rewrite_bucket (obs_collection, band, span, starts, moc, n_rows)
                SELECT ch.obs_collection, ch.band, ch.span, ch.starts, sum(t.moc), sum(t.n_rows)::bigint
                  FROM obsmeta.coverage_cell t
                 WHERE (t.obs_collection, t.band, t.release_hour) = (ch.obs_collection, ch.band, ch.starts)
                HAVING count(*) > 0;
            ELSE
                INSERT INTO bench_rewrite_bucket (obs_collection, band, span, starts, moc, n_rows)
                SELECT ch.obs_collection, ch.band, ch.span, ch.starts, sum(b.moc), sum(b.n_rows)::bigint
                  FROM bench_rewrite_bucket b
                 WHERE (b.obs_collection, b.band, b.span) = (ch.obs_collection, ch.band, CASE ch.span WHEN 'day' THEN 'hour' ELSE 'day' END)
                   AND b.starts >= ch.starts
                   AND b.starts <= ch.starts + CASE ch.span WHEN 'day' THEN interval '1 day' ELSE interval '1 month' END
                   AND date_trunc(ch.span, b.starts) = ch.starts
                HAVING count(*) > 0;
            END IF;
        END IF;
    END LOOP;
END $$;


CREATE TABLE bench_result (id bigint, night int, way text, wall_ms float8, wal_bytes bigint);
CREATE TABLE bench_night (night int, way text, cpu_ms float8);
CREATE FUNCTION bench_cpu_ms() RETURNS float8 LANGUAGE sql AS $$
    SELECT (split_part(s, ' ', 12)::float8 + split_part(s, ' ', 13)::float8) * 10
      FROM (SELECT split_part(pg_read_file('/proc/self/stat'), ') ', 2) AS s) x $$;  -- utime + stime (fields 14, 15; 100 ticks/s)

CREATE PROCEDURE bench_night_run(nt int) LANGUAGE plpgsql AS $$
DECLARE
    v record;
    c obsmeta.coverage_cell;
    w text;
    t0 timestamptz; l0 pg_lsn; cpu float8;
    spent float8[] := ARRAY[0, 0];
BEGIN
    FOR v IN SELECT b.id, b.band, b.t, m.moc FROM bench_visit b JOIN bench_visit_moc m USING (id) WHERE b.night = nt ORDER BY b.id LOOP
        c := ROW(gen_random_uuid(), 'Survey', v.band, v.t, v.moc, 189, date_trunc('hour', v.t AT TIME ZONE 'UTC'))::obsmeta.coverage_cell;
        FOREACH w IN ARRAY CASE WHEN v.id % 2 = 0 THEN ARRAY['rewrite', 'pieces'] ELSE ARRAY['pieces', 'rewrite'] END LOOP
            cpu := bench_cpu_ms(); t0 := clock_timestamp(); l0 := pg_current_wal_insert_lsn();
            IF w = 'rewrite' THEN
                PERFORM bench_rewrite_apply('{}', ARRAY[c]);
            ELSE
                PERFORM obsmeta.coverage_buckets_apply('{}', ARRAY[c]);
            END IF;
            COMMIT;
            INSERT INTO bench_result VALUES (v.id, nt, w, extract(epoch FROM clock_timestamp() - t0) * 1000,
                                             pg_current_wal_insert_lsn() - l0);
            spent[CASE w WHEN 'rewrite' THEN 1 ELSE 2 END] := spent[CASE w WHEN 'rewrite' THEN 1 ELSE 2 END] + bench_cpu_ms() - cpu;
        END LOOP;
    END LOOP;
    INSERT INTO bench_night VALUES (nt, 'rewrite', spent[1]), (nt, 'pieces', spent[2]);
    COMMIT;
END $$;
