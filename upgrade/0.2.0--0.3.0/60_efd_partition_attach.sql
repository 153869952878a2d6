-- efd.ensure_partition creates a month's partition apart and attaches it (SHARE UPDATE EXCLUSIVE
-- on efd.chunk) instead of CREATE TABLE ... PARTITION OF (ACCESS EXCLUSIVE): two first writers
-- of a month no longer deadlock (test/isolation/specs/efd_partition_first_writers.spec).
CREATE OR REPLACE FUNCTION efd.ensure_partition(t timestamptz) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    m_start timestamptz := date_trunc('month', t, 'UTC');
    name text := 'chunk_' || to_char(t AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
    IF to_regclass('efd.' || name) IS NULL THEN
        -- attaching clones the foreign key, which locks efd.channel: take that first, so that a
        -- writer that registered a channel in its transaction is not waited for while holding efd.chunk
        LOCK TABLE efd.channel IN SHARE ROW EXCLUSIVE MODE;
        LOCK TABLE efd.chunk IN SHARE UPDATE EXCLUSIVE MODE;
        IF to_regclass('efd.' || name) IS NULL THEN
            EXECUTE format('CREATE TABLE efd.%I (LIKE efd.chunk INCLUDING DEFAULTS INCLUDING STORAGE) '
                           'WITH (toast_tuple_target = 8160)', name);
            EXECUTE format('ALTER TABLE efd.chunk ATTACH PARTITION efd.%I FOR VALUES FROM (%L) TO (%L)',
                           name, m_start, m_start + interval '1 month');
        END IF;
    END IF;
    RETURN ('efd.' || name)::regclass;
END $$;
