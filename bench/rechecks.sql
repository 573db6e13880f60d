-- The price of the rechecks (the internal AFTER ROW triggers that guard the
-- BEFORE rules): the same writes with each recheck enabled and disabled,
-- interleaved, six runs each, medians.  Run in a throwaway cluster:
--   scripts/throwaway-cluster.sh /usr/lib/postgresql/15/bin/pg_config -o shared_buffers=1GB -- \
--       psql -X -d postgres -f bench/rechecks.sql

\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mpn_benefits;
SET synchronous_commit = off;
CREATE TABLE results (workload text, variant text, ms float8);
CREATE TABLE k (id int PRIMARY KEY, key mpn.product_key NOT NULL, redeemed_on date, note int);
CREATE UNIQUE INDEX ON k (key) WHERE redeemed_on IS NOT NULL;
CREATE TRIGGER ro BEFORE INSERT OR UPDATE OR DELETE ON k FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key','redeemed_on');
CREATE TABLE v (id int PRIMARY KEY, subscriber text, assigned_on date, note int);
CREATE TRIGGER ra BEFORE INSERT OR UPDATE OR DELETE ON v FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber','assigned_on');
CREATE FUNCTION mk(g int) RETURNS mpn.product_key LANGUAGE sql IMMUTABLE AS $$
SELECT mpn.product_key(repeat('2', 20) || substr(a, g / 331776 % 24 + 1, 1) || substr(a, g / 13824 % 24 + 1, 1)
       || substr(a, g / 576 % 24 + 1, 1) || substr(a, g / 24 % 24 + 1, 1) || substr(a, g % 24 + 1, 1))
FROM (SELECT '2346789BCDFGHJKMPQRTVWXY'::text AS a) x $$;
CREATE FUNCTION run(w text, variant text, sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; BEGIN t0 := clock_timestamp(); EXECUTE sql; INSERT INTO results VALUES (w, variant, extract(epoch FROM clock_timestamp() - t0) * 1000); END $$;
CREATE FUNCTION setrc(tbl regclass, on_ boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE n name; BEGIN SELECT tgname INTO n FROM pg_trigger WHERE tgrelid = tbl AND tgisinternal AND tgname LIKE 'mpn_recheck%';
EXECUTE format('ALTER TABLE %s %s TRIGGER %I', tbl, CASE WHEN on_ THEN 'ENABLE ALWAYS' ELSE 'DISABLE' END, n); END $$;
DO $$
DECLARE i int; variant text;
BEGIN
  FOR i IN 1..6 LOOP
    FOREACH variant IN ARRAY ARRAY['recheck','no recheck'] LOOP
      PERFORM setrc('k', variant = 'recheck'); PERFORM setrc('v', variant = 'recheck');
      TRUNCATE k; TRUNCATE v;
      PERFORM run('insert 200k into redeem_once table', variant, $q$INSERT INTO k SELECT g, mk(g), NULL, 0 FROM generate_series(1, 200000) g$q$);
      PERFORM run('update 100k: redeem', variant, $q$UPDATE k SET redeemed_on = '2025-06-01' WHERE id <= 100000$q$);
      PERFORM run('update 100k redeemed: other column', variant, $q$UPDATE k SET note = note + 1 WHERE id <= 100000$q$);
      PERFORM run('insert 200k into reassign_after table', variant, $q$INSERT INTO v SELECT g, 'u' || g, NULL, 0 FROM generate_series(1, 200000) g$q$);
      PERFORM run('update 200k: other column (reassign_after)', variant, $q$UPDATE v SET note = note + 1$q$);
    END LOOP;
  END LOOP;
END $$;
SELECT workload, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variant = 'no recheck')::numeric, 1) AS without_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variant = 'recheck')::numeric, 1) AS with_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variant = 'recheck') /
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variant = 'no recheck'))::numeric, 3) AS ratio
  FROM results GROUP BY 1 ORDER BY 1;
