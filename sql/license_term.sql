--
-- license_term: constructor, text form, accessors, bad input, ordering,
-- indexes, hashing, binary send/receive, DateStyle
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET search_path = public, mpn;

--
-- Constructor and text form: "<n> license[s] [<starts>,<ends>)"
--
SELECT mpn.license_term(100, '2024-01-01', '2025-01-01') AS hundred,
       mpn.license_term(1, '2024-01-01', '2024-01-02') AS one_day,
       mpn.license_term(2, '2024-02-29', '2025-02-28') AS two;
-- the extremes: the largest count, the first and the last day a term may use
SELECT mpn.license_term(2147483647, '0001-01-01', '5874897-12-31') AS widest,
       mpn.license_term(1, '5874897-12-30', '5874897-12-31') AS last_day,
       mpn.license_term(1, '0001-01-01', '0001-01-02') AS first_day;

-- the text form reads back to the same value; white space, case and the
-- plural are free
SELECT to_json(v)::text AS input, v::mpn.license_term AS term,
       v::mpn.license_term::text::mpn.license_term = v::mpn.license_term AS round_trip,
       mpn.is_valid_license_term(v) AS valid
FROM (VALUES
	('100 licenses [2024-01-01,2025-01-01)'),
	('1 license [2024-01-01,2025-01-01)'),
	('1 licenses [2024-01-01,2025-01-01)'),
	('100 license [2024-01-01,2025-01-01)'),
	('  100   LICENSES   [ 2024-01-01 , 2025-01-01 )  '),
	(E'\t100\nLicenses\r\n[2024-01-01,\t2025-01-01)\n'),
	('100licenses[2024-01-01,2025-01-01)'),
	('1 LiCeNsE [2024-01-01,2024-01-02)'),
	('+5 licenses [2024-01-01,2025-01-01)'),
	('007 licenses [2024-01-01,2025-01-01)'),
	('2147483647 licenses [0001-01-01,5874897-12-31)'),
	('1 license [5874897-12-30,5874897-12-31)'),
	('1 license [10000-01-01,10000-01-02)'),
	('3 licenses [2024-02-29,2025-02-28)'),
	('3 licenses [2000-02-29,2100-02-28)')
) AS t(v);

-- accessors
SELECT mpn.licenses(t), mpn.starts(t), mpn.ends(t), mpn.period(t),
       pg_typeof(mpn.period(t)) AS period_type,
       lower_inc(mpn.period(t)) AS lower_inc, upper_inc(mpn.period(t)) AS upper_inc,
       mpn.period(t) @> (mpn.ends(t) - 1) AS holds_last_day,
       mpn.period(t) @> mpn.ends(t) AS holds_ends
FROM (VALUES ('100 licenses [2024-01-01,2025-01-01)'::mpn.license_term),
             ('1 license [2024-02-29,2024-03-01)'),
             ('2147483647 licenses [0001-01-01,5874897-12-31)')) AS v(t);
SELECT mpn.period(t) = daterange(mpn.starts(t), mpn.ends(t)) AS same_range,
       upper(mpn.period(t)) - lower(mpn.period(t)) AS days
FROM (VALUES ('100 licenses [2024-01-01,2025-01-01)'::mpn.license_term)) AS v(t);

-- NULL in, NULL out
SELECT NULL::mpn.license_term AS term, mpn.is_valid_license_term(NULL) AS valid,
       mpn.license_term(NULL, '2024-01-01', '2025-01-01') AS no_count,
       mpn.license_term(1, NULL, '2025-01-01') AS no_starts,
       mpn.license_term(1, '2024-01-01', NULL) AS no_ends,
       mpn.licenses(NULL) AS licenses, mpn.starts(NULL) AS starts,
       mpn.ends(NULL) AS ends, mpn.period(NULL) AS period;

--
-- Bad text: 22P02 (22008 for a date that does not exist or is out of
-- range), the value quoted, a detail that says what is wrong and where
--
CREATE TABLE lt_bad (id serial, v text);
INSERT INTO lt_bad (v) VALUES
	(''), ('   '),
	-- the count
	('licenses [2024-01-01,2025-01-01)'),
	('0 licenses [2024-01-01,2025-01-01)'),
	('-1 licenses [2024-01-01,2025-01-01)'),
	('-0 licenses [2024-01-01,2025-01-01)'),
	('- 1 licenses [2024-01-01,2025-01-01)'),
	('2147483648 licenses [2024-01-01,2025-01-01)'),
	('999999999999 licenses [2024-01-01,2025-01-01)'),
	('99999999999999999999999999 licenses [2024-01-01,2025-01-01)'),
	('1.5 licenses [2024-01-01,2025-01-01)'),
	('1e3 licenses [2024-01-01,2025-01-01)'),
	('ten licenses [2024-01-01,2025-01-01)'),
	-- the word
	('100 [2024-01-01,2025-01-01)'),
	('100 licence [2024-01-01,2025-01-01)'),
	('100 seats [2024-01-01,2025-01-01)'),
	('100 licensesx [2024-01-01,2025-01-01)'),
	('100 licenses'),
	-- the brackets, each side
	('100 licenses 2024-01-01,2025-01-01)'),
	('100 licenses (2024-01-01,2025-01-01)'),
	('100 licenses ]2024-01-01,2025-01-01)'),
	('100 licenses {2024-01-01,2025-01-01)'),
	('100 licenses [2024-01-01,2025-01-01]'),
	('100 licenses [2024-01-01,2025-01-01['),
	('100 licenses [2024-01-01,2025-01-01}'),
	('100 licenses [2024-01-01,2025-01-01'),
	('100 licenses (2024-01-01,2025-01-01]'),
	-- the comma
	('100 licenses [2024-01-01 2025-01-01)'),
	('100 licenses [2024-01-01;2025-01-01)'),
	('100 licenses [2024-01-01,,2025-01-01)'),
	-- dates that are not written YYYY-MM-DD
	('100 licenses [,2025-01-01)'),
	('100 licenses [2024-01-01,)'),
	('100 licenses [24-01-01,2025-01-01)'),
	('100 licenses [2024-1-01,2025-01-01)'),
	('100 licenses [2024-01-1,2025-01-01)'),
	('100 licenses [2024-01-011,2025-01-01)'),
	('100 licenses [2024/01/01,2025-01-01)'),
	('100 licenses [01/02/2024,2025-01-01)'),
	('100 licenses [infinity,2025-01-01)'),
	('100 licenses [2024-01-01,infinity)'),
	('100 licenses [2024-01-01 BC,2025-01-01)'),
	('100 licenses [123456789-01-01,2025-01-01)'),
	-- dates that do not exist or lie outside 0001-01-01..5874897-12-31
	('100 licenses [2023-02-30,2025-01-01)'),
	('100 licenses [2023-02-29,2025-01-01)'),
	('100 licenses [1900-02-29,2025-01-01)'),
	('100 licenses [2024-04-31,2025-01-01)'),
	('100 licenses [2024-00-10,2025-01-01)'),
	('100 licenses [2024-13-01,2025-01-01)'),
	('100 licenses [2024-01-00,2025-01-01)'),
	('100 licenses [2024-01-32,2025-01-01)'),
	('100 licenses [0000-01-01,2025-01-01)'),
	('100 licenses [2024-01-01,2025-02-30)'),
	('100 licenses [2024-01-01,5874898-01-01)'),
	('100 licenses [2024-01-01,99999999-12-31)'),
	-- empty and reversed periods
	('100 licenses [2024-01-01,2024-01-01)'),
	('100 licenses [2025-01-01,2024-01-01)'),
	('1 license [5874897-12-31,5874897-12-31)'),
	-- junk after
	('100 licenses [2024-01-01,2025-01-01) x'),
	('100 licenses [2024-01-01,2025-01-01))'),
	('100 licenses [2024-01-01,2025-01-01);'),
	('100 licenses [2024-01-01,2025-01-01) 100 licenses [2024-01-01,2025-01-01)');

SELECT id, to_json(v)::text AS input, mpn.is_valid_license_term(v) AS valid,
       mpn_test.eval(format('%L::mpn.license_term', v)) AS result
FROM lt_bad ORDER BY id;
SELECT count(*) FILTER (WHERE mpn.is_valid_license_term(v)) AS valid, count(*) AS bad_inputs
FROM lt_bad;

-- a few in full, with the hint
SELECT '100 licenses [2024-01-01 2025-01-01)'::mpn.license_term;
SELECT '100 licenses (2024-01-01,2025-01-01)'::mpn.license_term;
SELECT '0 licenses [2024-01-01,2025-01-01)'::mpn.license_term;
SELECT '100 licenses [2024-01-01,2023-02-29)'::mpn.license_term;
SELECT '100 licenses [2024-01-01,2024-01-01)'::mpn.license_term;

--
-- Constructor errors: 22023 for a bad argument, 22008 for a date out of
-- the range a term may use
--
SELECT args, mpn_test.eval('mpn.license_term(' || args || ')') AS result
FROM (VALUES
	('0, ''2024-01-01'', ''2025-01-01'''),
	('-5, ''2024-01-01'', ''2025-01-01'''),
	('-2147483648, ''2024-01-01'', ''2025-01-01'''),
	('1, ''-infinity'', ''2025-01-01'''),
	('1, ''2024-01-01'', ''infinity'''),
	('1, ''-infinity'', ''infinity'''),
	('1, ''2024-01-01'', ''2024-01-01'''),
	('1, ''2025-01-01'', ''2024-01-01'''),
	('1, ''5874897-12-31'', ''5874897-12-31'''),
	('1, ''0001-12-31 BC'', ''2024-01-01'''),
	('1, ''4714-11-24 BC'', ''0001-01-01 BC'''),
	('1, ''0001-01-01'', ''0001-01-02''')
) AS t(args);
SELECT mpn.license_term(0, '2024-01-01', '2025-01-01');
SELECT mpn.license_term(1, '2024-01-01', 'infinity');
SELECT mpn.license_term(1, '2025-01-01', '2024-01-01');
SELECT mpn.license_term(1, '0001-12-31 BC', '2024-01-01');

--
-- Comparison: by starts, then ends, then licenses
--
CREATE TABLE lt_terms (id serial, t mpn.license_term);
INSERT INTO lt_terms (t) VALUES
	('100 licenses [2024-01-01,2025-01-01)'),
	('1 license [2024-01-01,2025-01-01)'),
	('1 license [2024-01-01,2024-06-01)'),
	('5 licenses [2023-06-01,2030-01-01)'),
	('5 licenses [2023-06-01,2024-06-01)'),
	('2147483647 licenses [0001-01-01,5874897-12-31)'),
	('1 license [5874897-12-30,5874897-12-31)'),
	('2 licenses [2024-01-01,2025-01-01)'),
	('1 license [2024-01-02,2024-01-03)'),
	('1 license [1999-12-31,2000-01-01)'),
	('1 license [2000-01-01,2000-01-02)');
SELECT t FROM lt_terms ORDER BY t;
SELECT t FROM lt_terms ORDER BY t DESC LIMIT 2;

-- every operator, and license_term_cmp, against row comparison of the parts
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.t <  b.t) <> (ra <  rb) OR (a.t <= b.t) <> (ra <= rb)
                           OR (a.t =  b.t) <> (ra =  rb) OR (a.t <> b.t) <> (ra <> rb)
                           OR (a.t >= b.t) <> (ra >= rb) OR (a.t >  b.t) <> (ra >  rb)
                           OR mpn.license_term_cmp(a.t, b.t)
                              <> CASE WHEN ra < rb THEN -1 WHEN ra = rb THEN 0 ELSE 1 END)
       AS mismatches
FROM (SELECT t, ROW(mpn.starts(t), mpn.ends(t), mpn.licenses(t)) AS ra FROM lt_terms) a,
     (SELECT t, ROW(mpn.starts(t), mpn.ends(t), mpn.licenses(t)) AS rb FROM lt_terms) b;

-- equal whatever the spelling
SELECT '100 licenses [2024-01-01,2025-01-01)'::mpn.license_term
       = ' 100 LICENSE [ 2024-01-01 , 2025-01-01 ) '::mpn.license_term AS eq,
       '1 license [2024-01-01,2025-01-01)'::mpn.license_term
       = '1 licenses [2024-01-01,2025-01-01)'::mpn.license_term AS eq_plural,
       '1 license [2024-01-01,2025-01-01)'::mpn.license_term
       = '2 licenses [2024-01-01,2025-01-01)'::mpn.license_term AS eq_count;

--
-- Operator classes in use: btree and hash indexes, UNIQUE, hash join,
-- hash aggregate
--
CREATE TABLE lt_many (id int, t mpn.license_term);
INSERT INTO lt_many
SELECT i, mpn.license_term(1 + i % 7, d, d + 1 + i % 400)
FROM generate_series(1, 2000) AS i, LATERAL (SELECT date '2020-01-01' + i % 500 AS d) AS s;
CREATE INDEX lt_many_t_hash ON lt_many USING hash (t);
VACUUM ANALYZE lt_many;
SELECT count(*), count(DISTINCT t) FROM lt_many;

SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT mpn_test.plan($q$SELECT id FROM lt_many WHERE t = '3 licenses [2020-01-03,2020-01-06)'$q$) AS plan;
SELECT array_agg(id ORDER BY id) FROM lt_many WHERE t = '3 licenses [2020-01-03,2020-01-06)';
SELECT array_agg(id ORDER BY id) FROM lt_many
WHERE mpn.licenses(t) = 3 AND mpn.starts(t) = '2020-01-03' AND mpn.ends(t) = '2020-01-06';
DROP INDEX lt_many_t_hash;
CREATE INDEX lt_many_t ON lt_many (t);
SELECT mpn_test.plan($q$SELECT id FROM lt_many WHERE t = '3 licenses [2020-01-03,2020-01-06)'$q$) AS plan;
SELECT array_agg(id ORDER BY id) FROM lt_many WHERE t = '3 licenses [2020-01-03,2020-01-06)';
SELECT mpn_test.plan($q$SELECT id FROM lt_many
WHERE t >= '1 license [2021-01-01,2021-01-02)' AND t < '1 license [2021-02-01,2021-02-02)'$q$) AS plan;
SELECT count(*) AS in_range,
       count(*) = (SELECT count(*) FROM lt_many
                   WHERE ROW(mpn.starts(t), mpn.ends(t), mpn.licenses(t))
                         >= ROW(date '2021-01-01', date '2021-01-02', 1)
                     AND ROW(mpn.starts(t), mpn.ends(t), mpn.licenses(t))
                         < ROW(date '2021-02-01', date '2021-02-02', 1)) AS same_count
FROM lt_many
WHERE t >= '1 license [2021-01-01,2021-01-02)' AND t < '1 license [2021-02-01,2021-02-02)';
RESET enable_seqscan;
RESET enable_bitmapscan;

CREATE TABLE lt_unique (t mpn.license_term PRIMARY KEY);
INSERT INTO lt_unique VALUES ('100 licenses [2024-01-01,2025-01-01)');
INSERT INTO lt_unique VALUES (mpn.license_term(100, '2024-01-01', '2025-01-01'));
INSERT INTO lt_unique VALUES ('101 licenses [2024-01-01,2025-01-01)');

SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT mpn_test.plan($q$SELECT count(*) FROM lt_many a JOIN lt_many b ON a.t = b.t$q$) AS plan;
SELECT count(*) FROM lt_many a JOIN lt_many b ON a.t = b.t;
RESET enable_mergejoin;
RESET enable_nestloop;
SET enable_sort = off;
SELECT mpn_test.plan($q$SELECT t, count(*) FROM lt_many GROUP BY t$q$) AS plan;
SELECT count(*) AS groups, sum(n) AS rows, max(n) AS most
FROM (SELECT t, count(*) AS n FROM lt_many GROUP BY t) g;
RESET enable_sort;
-- the same, counted by the parts
SELECT count(*) AS groups, sum(n) AS rows, max(n) AS most
FROM (SELECT count(*) AS n FROM lt_many GROUP BY mpn.starts(t), mpn.ends(t), mpn.licenses(t)) g;

-- the hash functions agree with equality, and with each other at seed 0
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE mpn.license_term_hash(a.t) <> mpn.license_term_hash(b.t)
                           OR mpn.license_term_hash_extended(a.t, 7) <> mpn.license_term_hash_extended(b.t, 7))
       AS differ
FROM lt_many a JOIN lt_many b ON a.t = b.t;
SELECT count(DISTINCT t) AS terms,
       count(DISTINCT mpn.license_term_hash(t)) AS hashes,
       count(*) FILTER (WHERE (mpn.license_term_hash_extended(t, 0) & 4294967295)
                              <> (mpn.license_term_hash(t)::bigint & 4294967295)) AS low_bits_differ
FROM lt_many;
SELECT mpn.license_term_hash(' 100 LICENSE [ 2024-01-01 , 2025-01-01 ) ')
       = mpn.license_term_hash('100 licenses [2024-01-01,2025-01-01)') AS same_hash;

--
-- Binary send: int4 licenses, int4 starts and int4 ends as days from
-- 2000-01-01, big-endian
--
SELECT t, mpn.license_term_send(t) AS sent,
       mpn.license_term_send(t) = int4send(mpn.licenses(t))
                                  || int4send(mpn.starts(t) - date '2000-01-01')
                                  || int4send(mpn.ends(t) - date '2000-01-01') AS as_documented
FROM lt_terms ORDER BY id;

--
-- Binary COPY round trip
--
SELECT mpn_test.scratch_file() AS scratch \gset
CREATE TABLE lt_copy (id int, t mpn.license_term);
INSERT INTO lt_copy SELECT id, t FROM lt_many;
INSERT INTO lt_copy SELECT 10000 + id, t FROM lt_terms;
INSERT INTO lt_copy VALUES (0, NULL);
COPY lt_copy TO :'scratch' WITH (FORMAT binary);
CREATE TABLE lt_copy_back (LIKE lt_copy);
COPY lt_copy_back FROM :'scratch' WITH (FORMAT binary);
SELECT count(*) AS rows, count(b.t) AS terms,
       count(*) FILTER (WHERE a.t IS DISTINCT FROM b.t OR a.id IS DISTINCT FROM b.id) AS differ
FROM lt_copy a FULL JOIN lt_copy_back b USING (id);

--
-- Binary receive checks what it gets: raw bytes fed to license_term_recv
-- through binary COPY of a bytea (see setup.sql).  Day numbers count from
-- 2000-01-01: 0001-01-01 is -730119, 5874897-12-31 is 2145031948.
--
SELECT date '0001-01-01' - date '2000-01-01' AS first_day,
       date '5874897-12-31' - date '2000-01-01' AS last_day;
CREATE TABLE lt_recv (t mpn.license_term);
SELECT what, mpn_test.copy_binary_in('lt_recv', bytes) AS result
FROM (VALUES
	('good',              int4send(100) || int4send(0) || int4send(366)),
	('widest',            int4send(2147483647) || int4send(-730119) || int4send(2145031948)),
	('0 licenses',        int4send(0) || int4send(0) || int4send(366)),
	('-1 licenses',       int4send(-1) || int4send(0) || int4send(366)),
	('min int licenses',  int4send(-2147483648) || int4send(0) || int4send(366)),
	('empty period',      int4send(1) || int4send(366) || int4send(366)),
	('reversed period',   int4send(1) || int4send(366) || int4send(0)),
	('-infinity starts',  int4send(1) || int4send(-2147483648) || int4send(366)),
	('infinity ends',     int4send(1) || int4send(0) || int4send(2147483647)),
	('before 0001-01-01', int4send(1) || int4send(-730120) || int4send(366)),
	('first day of date', int4send(1) || int4send(-2451545) || int4send(366)),
	('past 5874897-12-31', int4send(1) || int4send(0) || int4send(2145031949)),
	('ends before 0001',  int4send(1) || int4send(-730121) || int4send(-730120)),
	('0 bytes',           '\x'::bytea),
	('11 bytes',          int4send(1) || int4send(0) || '\x000001'::bytea),
	('13 bytes',          int4send(1) || int4send(0) || int4send(366) || '\x00'::bytea)
) AS v(what, bytes);
SELECT t FROM lt_recv;
-- one in full, with COPY's context
COPY (SELECT int4send(0) || int4send(0) || int4send(366)) TO :'scratch' WITH (FORMAT binary);
COPY lt_recv FROM :'scratch' WITH (FORMAT binary);
SELECT mpn_test.remove_scratch_file();

--
-- The text form does not follow DateStyle: output is always ISO, input
-- is always YYYY-MM-DD; dates in messages are ISO too
--
SET DateStyle = 'SQL, DMY';
SELECT t, mpn.starts(t) AS starts_as_date, t::text AS as_text
FROM (VALUES ('100 licenses [2024-01-31,2025-01-31)'::mpn.license_term),
             (mpn.license_term(1, '31/12/2023', '01/01/2024'))) AS v(t);
SELECT '100 licenses [31/01/2024,31/01/2025)'::mpn.license_term;
SELECT mpn.license_term(1, '31/12/0001 BC', '01/01/2024');
SET DateStyle = 'German';
SELECT mpn.license_term(1, '31.12.2023', '01.01.2024') AS german;
SET DateStyle = 'Postgres, MDY';
SELECT mpn.license_term(1, '12/31/2023', '01/01/2024') AS postgres;
SELECT '100 licenses [2024-01-31,2025-01-31)'::mpn.license_term::text::mpn.license_term AS round_trip;
RESET DateStyle;
-- leading zeros say nothing about the size of the count
SELECT '0000000000001 licenses [2024-01-01,2025-01-01)'::mpn.license_term AS leading_zeros,
       '+0000000000000000000042 license [2024-01-01,2025-01-01)'::mpn.license_term AS plus_and_zeros;
SELECT '00000000000000 licenses [2024-01-01,2025-01-01)'::mpn.license_term;
