-- bench/lib.sql: the benchmark's harness, alternatives and result table.
-- Loaded once into the throwaway cluster by bench/run.sh.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mpn_benefits;
-- contrib's lo_manage() serves as a C BEFORE ROW INSERT trigger that does
-- nothing (on INSERT it returns the row), to price a BEFORE ROW trigger as such
CREATE EXTENSION IF NOT EXISTS lo;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- Every timed run: one row, in milliseconds measured inside the server.
CREATE TABLE bench.timings (
    case_name text NOT NULL,
    variant   text NOT NULL,
    run       int  NOT NULL,          -- 0 = warm-up, not counted
    ms        float8 NOT NULL,
    cpu_ms    float8,                 -- the backend's own CPU time (/proc/<pid>/schedstat)
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The table the run prints: one line per workload and comparison.
CREATE TABLE bench.results (
    ord       serial PRIMARY KEY,
    key       text NOT NULL,          -- names a note in bench/notes/<key>.md
    workload  text NOT NULL,
    rows      bigint,
    ext       float8,                 -- the extension's figure
    alt       float8,                 -- the alternative's figure
    unit      text NOT NULL,          -- ms, bytes, B/row, kB, tps
    op        text,                   -- '<=' or '>=' on ratio = ext/alt; NULL: reported only
    target    float8,
    target_text text,
    info      text,                   -- short extra facts printed under the table
    case_name text,                   -- for timed results: the measurement and its two variants
    ext_variant text,
    alt_variant text
);

-- Run one statement and record how long it took, in ms, inside the server:
-- no client transfer, no parse in psql.  The statement should consume its
-- rows itself (an aggregate), or be a COPY/UPDATE.
CREATE FUNCTION bench.cpu_ns() RETURNS bigint LANGUAGE sql AS $$
    SELECT split_part(pg_read_file('/proc/' || pg_backend_pid() || '/schedstat'), ' ', 1)::bigint
$$;

CREATE FUNCTION bench.timed(case_name text, variant text, run int, stmt text)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    c0 bigint;
    t0 timestamptz;
    ms float8;
    cpu float8;
BEGIN
    c0 := bench.cpu_ns();
    t0 := clock_timestamp();
    EXECUTE stmt;
    ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    cpu := (bench.cpu_ns() - c0) / 1e6;
    INSERT INTO bench.timings (case_name, variant, run, ms, cpu_ms) VALUES ($1, $2, $3, ms, cpu);
    RETURN ms;
END $$;

CREATE FUNCTION bench.median(case_name text, variant text) RETURNS float8
LANGUAGE sql STABLE AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)
      FROM bench.timings t WHERE t.case_name = $1 AND t.variant = $2 AND t.run > 0
$$;

CREATE FUNCTION bench.cpu_median(case_name text, variant text) RETURNS float8
LANGUAGE sql STABLE AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms)
      FROM bench.timings t WHERE t.case_name = $1 AND t.variant = $2 AND t.run > 0
$$;

CREATE FUNCTION bench.add(key text, workload text, rows bigint, ext float8, alt float8,
                          unit text, op text, target float8, target_text text, info text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.results (key, workload, rows, ext, alt, unit, op, target, target_text, info)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
$$;

-- A result comparing two medians of bench.timings
CREATE FUNCTION bench.add_timed(key text, workload text, rows bigint, case_name text,
                                ext_variant text, alt_variant text, op text, target float8,
                                target_text text, info text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.results (key, workload, rows, ext, alt, unit, op, target, target_text, info,
                               case_name, ext_variant, alt_variant)
    VALUES ($1, $2, $3, bench.median($4, $5), bench.median($4, $6), 'ms', $7, $8, $9, $10, $4, $5, $6)
$$;

CREATE FUNCTION bench.fmt(v float8, unit text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN v IS NULL THEN '-'
        WHEN unit = 'ms' AND v >= 1000 THEN to_char(v / 1000, 'FM9999990.00') || ' s'
        WHEN unit = 'ms' THEN to_char(v, 'FM9999990.0') || ' ms'
        WHEN unit = 'bytes' AND v >= 1048576 THEN to_char(v / 1048576, 'FM9999990.0') || ' MB'
        WHEN unit = 'bytes' THEN to_char(v / 1024, 'FM9999990.0') || ' kB'
        WHEN unit = 'B/row' THEN to_char(v, 'FM9999990.0') || ' B/row'
        WHEN unit = 'kB' THEN to_char(v / 1024, 'FM9999990.0') || ' MB'
        WHEN unit = 'tps' THEN to_char(v, 'FM9999990') || ' tps'
        WHEN unit = 'keys/s' THEN to_char(v / 1e6, 'FM9999990.00') || ' M keys/s'
        ELSE v::text || ' ' || unit END
$$;

CREATE VIEW bench.report AS
SELECT ord, key, workload, rows,
       bench.fmt(ext, unit) AS extension,
       bench.fmt(alt, unit) AS alternative,
       CASE WHEN ext IS NOT NULL AND alt > 0 THEN to_char(ext / alt, 'FM9999990.000') || 'x' ELSE '-' END AS ratio,
       coalesce(target_text, '-') AS target,
       CASE WHEN op IS NULL OR ext IS NULL OR alt IS NULL OR alt = 0 THEN '-'
            WHEN op = '<=' AND ext / alt <= target THEN 'yes'
            WHEN op = '>=' AND ext / alt >= target THEN 'yes'
            ELSE 'no' END AS met,
       info,
       CASE WHEN case_name IS NOT NULL THEN
            to_char(bench.cpu_median(case_name, ext_variant) / nullif(bench.cpu_median(case_name, alt_variant), 0), 'FM9999990.000') || 'x'
       END AS cpu_ratio,
       bench.fmt(bench.cpu_median(case_name, ext_variant), 'ms') AS ext_cpu,
       bench.fmt(bench.cpu_median(case_name, alt_variant), 'ms') AS alt_cpu
  FROM bench.results;

-- For a trigger workload: how the extension's time splits into PostgreSQL's
-- price of any BEFORE ROW trigger (a C trigger that does nothing) and the
-- trigger's own work, against the PL/pgSQL trigger's overhead.
CREATE FUNCTION bench.trigger_info(case_name text, ext text, base text, noop text, pl text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format('over %s (%s): a C no-op BEFORE ROW trigger adds %s (PostgreSQL''s own price of any BEFORE ROW trigger), '
                  'the extension''s trigger %s in all (%s), the PL/pgSQL trigger %s%s',
                  $3, bench.fmt(b, 'ms'),
                  CASE WHEN n > b THEN bench.fmt(n - b, 'ms') ELSE 'nothing measurable' END,
                  CASE WHEN e > b THEN bench.fmt(e - b, 'ms') ELSE 'nothing measurable' END,
                  CASE WHEN e > greatest(n, b) THEN bench.fmt(e - greatest(n, b), 'ms') || ' more than the no-op trigger'
                       ELSE 'no more than the no-op trigger' END,
                  bench.fmt(p - b, 'ms'),
                  CASE WHEN e > b THEN ': the extension''s overhead is ' || to_char((p - b) / (e - b), 'FM9990.0') || 'x smaller'
                       ELSE '' END)
      FROM (SELECT bench.median($1, $2) e, bench.median($1, $3) b, bench.median($1, $4) n,
                   bench.median($1, $5) p) m
$$;

-- A valid, unique, random-looking canonical key for each n in [0, 2^32):
-- five groups of 5 symbols, each spelling 20 bits in hexadecimal with 16 of
-- the key alphabet's symbols; 44 bits come from a hash of n, 48 bits are
-- n * an odd constant modulo 2^48, a bijection, so keys are unique.  No N.
-- One expression (no FROM), so the planner inlines it.
CREATE FUNCTION bench.key_text(n bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(lpad(to_hex((hashint8extended(n, 7) >> 44) & 1048575), 5, '0'), '0123456789abcdef', 'YXWVTRQPMKJHGFDC')
           || '-' ||
           translate(lpad(to_hex((hashint8extended(n, 7) >> 24) & 1048575), 5, '0'), '0123456789abcdef', '2346789BCDFGHJKM')
           || '-' ||
           translate(lpad(to_hex((((hashint8extended(n, 7) >> 16) & 255) << 12)
                                 | (((n * 2654435761) & 281474976710655) >> 36)), 5, '0'), '0123456789abcdef', 'YXWVTRQPMKJHGFDC')
           || '-' ||
           translate(lpad(to_hex(((n * 2654435761) >> 16) & 1048575), 5, '0'), '0123456789abcdef', '2346789BCDFGHJKM')
           || '-' ||
           translate(lpad(to_hex(((hashint8extended(n, 7) & 15) << 16) | ((n * 2654435761) & 65535)), 5, '0'), '0123456789abcdef', 'YXWVTRQPMKJHGFDC')
$$;

-- The peak memory of this backend, from /proc (superuser): VmHWM and the
-- shared memory it has touched (shared buffers count in a backend's RSS).
CREATE FUNCTION bench.backend_memory(OUT vmhwm_kb bigint, OUT rss_shmem_kb bigint)
LANGUAGE sql AS $$
    SELECT (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1]::bigint,
           (regexp_match(s, 'RssShmem:\s+(\d+) kB'))[1]::bigint
      FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s
$$;

--
-- What a partner DBA writes without the extension
--

-- license terms as a composite type
CREATE TYPE bench.term_c AS (licenses int, starts date, ends date);

-- the rules as PL/pgSQL functions
CREATE FUNCTION bench.pl_benefit_expiry(enrolled_on date) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN (enrolled_on + interval '1 year')::date;
END $$;

CREATE FUNCTION bench.pl_activation_deadline(benefit_expiry date, requires_user_assignment boolean)
RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF requires_user_assignment THEN
        RETURN benefit_expiry + 30;
    END IF;
    RETURN benefit_expiry;
END $$;

CREATE FUNCTION bench.pl_key_valid_until(redeemed_on date) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN (redeemed_on + interval '1 year')::date;
END $$;

CREATE FUNCTION bench.pl_can_reassign(assigned_on date, on_date date) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN on_date >= assigned_on + 90;
END $$;

CREATE FUNCTION bench.pl_add_licenses(licenses int, starts date, ends date, added int, on_date date)
RETURNS bench.term_c LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    year_days int := (on_date + interval '1 year')::date - on_date;
BEGIN
    IF added < 1 THEN
        RAISE EXCEPTION 'invalid number of licenses to add: %', added;
    END IF;
    IF on_date < starts OR on_date >= ends THEN
        RAISE EXCEPTION 'cannot add licenses to a term that is not active on %', on_date;
    END IF;
    RETURN ROW(licenses + added, starts,
               on_date + ((licenses::bigint * (ends - on_date) + added::bigint * year_days)
                          / (licenses + added))::int)::bench.term_c;
END $$;

-- the triggers as PL/pgSQL trigger functions with the same checks
CREATE FUNCTION bench.pl_redeem_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.redeemed_on IS NOT NULL AND EXISTS (
               SELECT 1 FROM ONLY bench_trig_keys k
                WHERE k.key = NEW.key AND k.redeemed_on IS NOT NULL) THEN
            RAISE EXCEPTION 'product key % is already redeemed', NEW.key
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.redeemed_on IS NOT NULL THEN
            RAISE EXCEPTION 'cannot delete the redemption of product key %', OLD.key
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.redeemed_on IS NOT NULL THEN
        IF NEW.redeemed_on IS DISTINCT FROM OLD.redeemed_on OR NEW.key <> OLD.key THEN
            RAISE EXCEPTION 'cannot change the redemption of product key %', OLD.key
                USING ERRCODE = 'restrict_violation';
        END IF;
    ELSIF NEW.redeemed_on IS NOT NULL AND EXISTS (
               SELECT 1 FROM ONLY bench_trig_keys k
                WHERE k.key = NEW.key AND k.redeemed_on IS NOT NULL AND k.ctid <> OLD.ctid) THEN
        RAISE EXCEPTION 'product key % is already redeemed', NEW.key
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION bench.pl_reassign_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.subscriber IS NULL THEN
            RETURN NEW;
        END IF;
        IF NEW.assigned_on IS NULL THEN
            NEW.assigned_on := current_date;
        ELSIF NEW.assigned_on > current_date THEN
            RAISE EXCEPTION 'subscription % cannot be assigned on %, a day still to come',
                NEW.id, NEW.assigned_on USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.assigned_on IS NOT NULL AND current_date < OLD.assigned_on + 90 THEN
            RAISE EXCEPTION 'subscription % cannot be deleted before %', OLD.id, OLD.assigned_on + 90
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.assigned_on IS DISTINCT FROM OLD.assigned_on THEN
        RAISE EXCEPTION 'cannot set assigned_on of subscription % by hand', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.subscriber IS NOT DISTINCT FROM OLD.subscriber OR NEW.subscriber IS NULL THEN
        RETURN NEW;
    END IF;
    IF OLD.assigned_on IS NOT NULL AND current_date < OLD.assigned_on + 90 THEN
        RAISE EXCEPTION 'subscription % cannot pass to % before %', OLD.id, NEW.subscriber,
            OLD.assigned_on + 90 USING ERRCODE = 'check_violation';
    END IF;
    NEW.assigned_on := current_date;
    RETURN NEW;
END $$;
