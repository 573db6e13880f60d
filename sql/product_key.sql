--
-- product_key: input and output, casts, bad input, ordering, indexes,
-- hashing, binary send/receive
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';

--
-- Valid spellings: case-insensitive, with all four hyphens or none, white
-- space around ignored; output is canonical (upper case, hyphens).
-- Inputs are shown as JSON strings, so that tabs and newlines are visible.
--
SELECT to_json(v)::text AS input, v::mpn.product_key AS key
FROM (VALUES
	('BCDFG-HJKMP-QRTVW-XY234-6789B'),
	('bcdfg-hjkmp-qrtvw-xy234-6789b'),
	('BcDfG-hJkMp-QrTvW-xY234-6789B'),
	('BCDFGHJKMPQRTVWXY2346789B'),
	('bcdfghjkmpqrtvwxy2346789b'),
	('   BCDFG-HJKMP-QRTVW-XY234-6789B   '),
	(E'\t\n\r bcdfghjkmpqrtvwxy2346789b \r\n\t'),
	(E'\f\x0BBCDFG-HJKMP-QRTVW-XY234-6789B\x0B\f'),
	-- one N, first, in the middle (the symbol split across the two
	-- 64-bit halves) and last
	('NBCDF-GHJKM-PQRTV-WXY23-46789'),
	('nbcdfghjkmpqrtvwxy2346789'),
	('BCDFG-HJKMP-QRNVW-XY234-67899'),
	('bcdfg-hjkmp-qrnvw-xy234-67899'),
	('BCDFG-HJKMP-QRTVW-XY234-6789N'),
	('BCDFGHJKMPQRTVWXY2346789n'),
	-- the smallest and the largest key, every symbol once
	('22222-22222-22222-22222-22222'),
	('YYYYY-YYYYY-YYYYY-YYYYY-YYYYY'),
	('23467-89BCD-FGHJK-MNPQR-TVWXY')
) AS t(v);

-- equal whatever the spelling
SELECT count(DISTINCT v::mpn.product_key) AS distinct_keys, count(*) AS spellings
FROM (VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B'), ('bcdfghjkmpqrtvwxy2346789b'),
             (' BcDfG-hJkMp-QrTvW-xY234-6789B'), (E'BCDFGHJKMPQRTVWXY2346789B\n')) AS t(v);

-- The operators live in schema mpn, as everything else does: without mpn
-- in search_path, = is not found (ORDER BY, GROUP BY, indexes and keys go
-- by the default operator classes and work regardless).
SHOW search_path;
SELECT mpn_test.core_error($q$SELECT 'bcdfg-hjkmp-qrtvw-xy234-6789b'::mpn.product_key = 'BCDFGHJKMPQRTVWXY2346789B'::mpn.product_key$q$)
       AS equals_without_mpn;
SELECT 'bcdfg-hjkmp-qrtvw-xy234-6789b'::mpn.product_key OPERATOR(mpn.=) 'BCDFGHJKMPQRTVWXY2346789B'::mpn.product_key AS eq;
SET search_path = public, mpn;
SELECT 'bcdfg-hjkmp-qrtvw-xy234-6789b'::mpn.product_key = 'BCDFGHJKMPQRTVWXY2346789B'::mpn.product_key AS eq,
       'bcdfg-hjkmp-qrtvw-xy234-6789b'::mpn.product_key <> 'BCDFGHJKMPQRTVWXY2346789B'::mpn.product_key AS ne,
       'bcdfg-hjkmp-qrtvw-xy234-6789b'::mpn.product_key = 'BCDFGHJKMPQRTVWXY2346789C' AS eq_other;

-- NULL in, NULL out
SELECT NULL::mpn.product_key AS key, mpn.is_valid_product_key(NULL) AS valid,
       mpn.product_key(NULL) AS cast_in, mpn.text(NULL::mpn.product_key) AS cast_out;

--
-- Bad input: 22P02, the value quoted, a detail that says what is wrong.
-- valid: is_valid_product_key(); input: the type's input function;
-- same_via_cast: the text-to-key cast reports exactly the same.
--
CREATE TABLE pk_bad (id serial, v text);
INSERT INTO pk_bad (v) VALUES
	(''), ('     '), (E'\t\r\n'),
	-- hyphens
	('-'), ('----'),
	('-BCDFG-HJKMP-QRTVW-XY234-6789B'),
	(' -BCDFGHJKMPQRTVWXY2346789B'),
	('BCDFG-HJKMP-QRTVW-XY234-6789B-'),
	('BCDFGHJKMPQRTVWXY2346789B-'),
	('BCDFG--HJKMP-QRTVW-XY234-6789B'),
	('BCDF-GHJKM-PQRTV-WXY23-46789B'),
	('BCDFGH-JKMPQ-RTVWX-Y2346-789B'),
	('BCDFG-HJKMP-QRTVW-XY234--6789B'),
	('BCDFG-HJKMPQRTVWXY2346789B'),
	('BCDFG-HJKMP-QRTVWXY2346789B'),
	('BCDFG-HJKMP-QRTVW-XY2346789B'),
	('BCDFGHJKMPQRTVWXY234-6789B'),
	-- length
	('BCDFG-HJKMP-QRTVW-XY234-6789'),
	('BCDFGHJKMPQRTVWXY2346789'),
	('BCDFG-HJKMP-QRTVW-XY234-6789BB'),
	('BCDFGHJKMPQRTVWXY2346789BB'),
	('BCDFGHJKMPQRTVWXY2346789BBCDFGHJKMPQRTVWXY2346789B'),
	('B'),
	-- a second N, wherever it is
	('NBCDF-GHJKM-PQRTV-WXY23-4678N'),
	('nbcdf-ghjkm-pqrtv-wxy23-4678n'),
	('NNCDF-GHJKM-PQRTV-WXY23-46789'),
	('BCDFG-HJKMP-QRNVW-XY234-6789N'),
	('BCDFG-HJKMP-QRTVW-XY234-6789NN'),
	-- characters outside the alphabet
	('BCDFG HJKMP QRTVW XY234 6789B'),
	('BCDFGHJKMP QRTVWXY2346789B'),
	('BCDFG-HJKMP-QRTVW-XY234-6789B BCDFG-HJKMP-QRTVW-XY234-6789B'),
	('BCDFG_HJKMP_QRTVW_XY234_6789B'),
	('BCDFG.HJKMP.QRTVW.XY234.6789B'),
	('{BCDFG-HJKMP-QRTVW-XY234-6789B}'),
	('"BCDFG-HJKMP-QRTVW-XY234-6789B"');
-- each letter and digit a key never holds, in turn, at another position
INSERT INTO pk_bad (v)
SELECT overlay('BCDFG-HJKMP-QRTVW-XY234-6789B' PLACING c FROM p)
FROM (VALUES ('A', 1), ('E', 2), ('I', 3), ('L', 4), ('O', 5),
             ('S', 7), ('U', 13), ('Z', 19), ('0', 25), ('1', 28), ('5', 29),
             ('a', 8), ('e', 9), ('i', 10), ('l', 11), ('o', 14), ('s', 15),
             ('u', 16), ('z', 17)) AS t(c, p);

SELECT id, to_json(v)::text AS input, mpn.is_valid_product_key(v) AS valid,
       mpn_test.eval(format('%L::mpn.product_key', v)) AS input_function,
       mpn_test.eval(format('%L::mpn.product_key', v)) =
       mpn_test.eval(format('%L::text::mpn.product_key', v)) AS same_via_cast
FROM pk_bad ORDER BY id;

-- every one of them invalid, and a long one
SELECT count(*) FILTER (WHERE mpn.is_valid_product_key(v)) AS valid, count(*) AS bad_inputs
FROM pk_bad;
SELECT mpn_test.eval(format('%L::text::mpn.product_key', repeat('B', 10000))) ~ 'found 10000\.$' AS long_input;

-- one of them in full, with the hint
SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789A'::mpn.product_key;
SELECT mpn.product_key('BCDFG-HJKMP-QRTVW-XY234-6789');

--
-- Casts: text to key and key to text, explicit and by assignment; they
-- are not implicit
--
SELECT 'bcdfg-hjkmp-qrtvw-xy234-6789n'::text::mpn.product_key AS text_to_key,
       ('bcdfg-hjkmp-qrtvw-xy234-6789n'::mpn.product_key)::text AS key_to_text,
       pg_typeof(('bcdfg-hjkmp-qrtvw-xy234-6789n'::mpn.product_key)::text) AS type,
       mpn.text('bcdfghjkmpqrtvwxy2346789n') AS text_function,
       CAST(CAST(' nbcdfghjkmpqrtvwxy2346789 ' AS text) AS mpn.product_key) AS cast_syntax;
CREATE TABLE pk_assign (k mpn.product_key, t text);
INSERT INTO pk_assign VALUES ('nbcdfghjkmpqrtvwxy2346789'::text,
                              'nbcdfghjkmpqrtvwxy2346789'::mpn.product_key);
INSERT INTO pk_assign (k, t) SELECT t, k FROM pk_assign;
SELECT k, t, pg_typeof(k) AS k_type, pg_typeof(t) AS t_type FROM pk_assign;
UPDATE pk_assign SET k = 'xxxxx-xxxxx-xxxxx-xxxxx-xxxxl'::text;
SELECT mpn_test.core_error($q$SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789N'::mpn.product_key = 'BCDFG-HJKMP-QRTVW-XY234-6789N'::text$q$)
       AS key_equals_text;
SELECT mpn_test.core_error($q$SELECT length('BCDFG-HJKMP-QRTVW-XY234-6789N'::mpn.product_key)$q$)
       AS length_of_key;

--
-- Ordering: keys sort as their canonical text sorts bytewise
--
CREATE TABLE pk_keys (id int PRIMARY KEY, k mpn.product_key NOT NULL);
-- 1000 keys from md5; every third holds one N, at a position that varies
INSERT INTO pk_keys
SELECT i, (SELECT string_agg(CASE WHEN i % 3 = 0 AND j = 1 + i % 25 THEN 'N'
                                  ELSE substr('2346789BCDFGHJKMPQRTVWXY',
                                              1 + get_byte(decode(md5(i || ':' || j), 'hex'), 0) % 24, 1)
                             END, '' ORDER BY j)
           FROM generate_series(1, 25) AS j)
FROM generate_series(1, 1000) AS i;
SELECT count(*), count(DISTINCT k), count(*) FILTER (WHERE strpos(k::text, 'N') > 0) AS with_n
FROM pk_keys;
SELECT (SELECT array_agg(k::text ORDER BY k) FROM pk_keys) =
       (SELECT array_agg(k::text ORDER BY k::text COLLATE "C") FROM pk_keys) AS same_order;
SELECT k FROM pk_keys ORDER BY k LIMIT 3;
SELECT k FROM pk_keys ORDER BY k DESC LIMIT 3;

-- every operator, and product_key_cmp, against text comparison, on all
-- pairs of 100 keys (including each key with itself)
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.k <  b.k) <> (a.k::text <  b.k::text COLLATE "C")
                           OR (a.k <= b.k) <> (a.k::text <= b.k::text COLLATE "C")
                           OR (a.k =  b.k) <> (a.k::text =  b.k::text COLLATE "C")
                           OR (a.k <> b.k) <> (a.k::text <> b.k::text COLLATE "C")
                           OR (a.k >= b.k) <> (a.k::text >= b.k::text COLLATE "C")
                           OR (a.k >  b.k) <> (a.k::text >  b.k::text COLLATE "C")
                           OR mpn.product_key_cmp(a.k, b.k)
                              <> CASE WHEN a.k::text COLLATE "C" < b.k::text THEN -1
                                      WHEN a.k::text = b.k::text THEN 0 ELSE 1 END)
       AS mismatches
FROM pk_keys a, pk_keys b
WHERE a.id <= 100 AND b.id <= 100;

-- N sorts between M and P, 9 before B
SELECT v::mpn.product_key AS key
FROM (VALUES ('PPPPPPPPPPPPPPPPPPPPPPPPP'), ('MMMMMMMMMMMMMMMMMMMMMMMMM'),
             ('MMMMMMMMMMMMMMMMMMMMMMMMN'), ('9999999999999999999999999'),
             ('BBBBBBBBBBBBBBBBBBBBBBBB2'), ('MMMMMMMMMMMMMMMMMMMMMMMMP')) AS t(v)
ORDER BY 1;

--
-- btree index: equality and ranges
--
CREATE INDEX pk_keys_k ON pk_keys (k);
VACUUM ANALYZE pk_keys;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT mpn_test.plan($q$SELECT id FROM pk_keys WHERE k = 'bcdfg-hjkmp-qrtvw-xy234-6789b'$q$) AS plan;
SELECT id FROM pk_keys WHERE k = (SELECT lower(k::text) FROM pk_keys WHERE id = 42)::mpn.product_key;
SELECT mpn_test.plan($q$SELECT id FROM pk_keys WHERE k >= '66666-66666-66666-66666-66666' AND k < 'HHHHH-HHHHH-HHHHH-HHHHH-HHHHH'$q$) AS plan;
SELECT count(*) = (SELECT count(*) FROM pk_keys
                   WHERE k::text COLLATE "C" >= '66666-66666-66666-66666-66666'
                     AND k::text COLLATE "C" < 'HHHHH-HHHHH-HHHHH-HHHHH-HHHHH') AS same_count,
       count(*) AS in_range
FROM pk_keys WHERE k >= '66666-66666-66666-66666-66666' AND k < 'HHHHH-HHHHH-HHHHH-HHHHH-HHHHH';
SELECT mpn_test.plan($q$SELECT id, k FROM pk_keys WHERE k > 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX' ORDER BY k$q$) AS plan;
SELECT array_agg(k::text) = array_agg(k::text ORDER BY k::text COLLATE "C") AS same_order,
       bool_and(k::text COLLATE "C" > 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX') AS all_above,
       count(*) = (SELECT count(*) FROM pk_keys
                   WHERE k::text COLLATE "C" > 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX') AS same_count,
       count(*) AS above
FROM (SELECT id, k FROM pk_keys WHERE k > 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX' ORDER BY k) s;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- min() and max() agree with ORDER BY, skip NULLs, and read the index
SELECT min(k), max(k),
       min(k) = (SELECT k FROM pk_keys ORDER BY k LIMIT 1) AS min_first,
       max(k) = (SELECT k FROM pk_keys ORDER BY k DESC LIMIT 1) AS max_last
FROM pk_keys;
SELECT min(k) AS min, max(k) AS max, count(*) AS rows
FROM (VALUES (NULL::mpn.product_key), ('nbcdfghjkmpqrtvwxy2346789'), (NULL),
             ('22222-22222-22222-22222-2222N'), ('YYYYY-YYYYY-YYYYY-YYYYY-YYYYY')) AS t(k);
SELECT min(k) IS NULL AS min_null, max(k) IS NULL AS max_null FROM pk_keys WHERE false;
SELECT mpn_test.plan($q$SELECT max(k) FROM pk_keys$q$) AS plan;

--
-- PRIMARY KEY and UNIQUE see through the spelling
--
CREATE TABLE pk_unique (k mpn.product_key PRIMARY KEY, u mpn.product_key UNIQUE);
INSERT INTO pk_unique VALUES ('bcdfg-hjkmp-qrtvw-xy234-6789b', 'NBCDF-GHJKM-PQRTV-WXY23-46789');
INSERT INTO pk_unique VALUES (' BCDFGHJKMPQRTVWXY2346789B ', 'YYYYY-YYYYY-YYYYY-YYYYY-YYYYY');
INSERT INTO pk_unique VALUES ('22222-22222-22222-22222-22222', 'nbcdfghjkmpqrtvwxy2346789');
INSERT INTO pk_unique VALUES ('22222-22222-22222-22222-22222', 'YYYYY-YYYYY-YYYYY-YYYYY-YYYYY');
INSERT INTO pk_unique VALUES ('2222222222222222222222222', 'nbcdfghjkmpqrtvwxy2346788')
ON CONFLICT (k) DO UPDATE SET u = excluded.u;
SELECT * FROM pk_unique ORDER BY k;

--
-- Hashing: hash index, hash join, hash aggregate; equal keys hash equal
--
CREATE TABLE pk_hashed (id int, k mpn.product_key);
INSERT INTO pk_hashed SELECT id, k FROM pk_keys;
CREATE INDEX pk_hashed_k ON pk_hashed USING hash (k);
VACUUM ANALYZE pk_hashed;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT mpn_test.plan($q$SELECT id FROM pk_hashed WHERE k = 'bcdfg-hjkmp-qrtvw-xy234-6789b'$q$) AS plan;
SELECT h.id FROM pk_hashed h, pk_keys p
WHERE p.id IN (7, 300, 999) AND h.k = lower(p.k::text)::mpn.product_key ORDER BY 1;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- a second spelling of every key: lower case, no hyphens
CREATE TABLE pk_spelled (id int, v text);
INSERT INTO pk_spelled SELECT id, lower(replace(k::text, '-', '')) FROM pk_keys;
ANALYZE pk_spelled;

SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT mpn_test.plan($q$SELECT count(*) FROM pk_keys p JOIN pk_spelled s ON p.k = s.v::mpn.product_key$q$) AS plan;
SELECT count(*) AS joined, count(*) FILTER (WHERE p.id = s.id) AS same_id
FROM pk_keys p JOIN pk_spelled s ON p.k = s.v::mpn.product_key;
RESET enable_mergejoin;
RESET enable_nestloop;

-- = MERGES: a merge join gives the same
SET enable_hashjoin = off;
SET enable_nestloop = off;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SELECT mpn_test.plan($q$SELECT count(*) FROM pk_keys p JOIN pk_spelled s ON p.k = s.v::mpn.product_key$q$) AS plan;
SELECT count(*) AS joined, count(*) FILTER (WHERE p.id = s.id) AS same_id
FROM pk_keys p JOIN pk_spelled s ON p.k = s.v::mpn.product_key;
RESET enable_hashjoin;
RESET enable_nestloop;
RESET enable_indexscan;
RESET enable_indexonlyscan;

SET enable_sort = off;
SELECT mpn_test.plan($q$SELECT k, count(*) FROM (SELECT k FROM pk_keys UNION ALL SELECT v::mpn.product_key FROM pk_spelled) u
GROUP BY k$q$) AS plan;
SELECT count(*) AS groups, min(n) AS min_per_group, max(n) AS max_per_group
FROM (SELECT k, count(*) AS n
      FROM (SELECT k FROM pk_keys UNION ALL SELECT v::mpn.product_key FROM pk_spelled) u
      GROUP BY k) g;
SELECT mpn_test.plan($q$SELECT DISTINCT v::mpn.product_key FROM pk_spelled$q$) AS plan;
SELECT count(*) FROM (SELECT DISTINCT v::mpn.product_key FROM pk_spelled) d;
RESET enable_sort;

-- the hash functions agree with equality; seed 0 of the extended hash
-- keeps the standard hash in its low 32 bits, as hash opclasses require
SELECT count(*) AS keys,
       count(*) FILTER (WHERE mpn.product_key_hash(p.k) <> mpn.product_key_hash(s.v::mpn.product_key)) AS hash_differs,
       count(*) FILTER (WHERE mpn.product_key_hash_extended(p.k, 0) <> mpn.product_key_hash_extended(s.v::mpn.product_key, 0)
                           OR mpn.product_key_hash_extended(p.k, 42) <> mpn.product_key_hash_extended(s.v::mpn.product_key, 42))
       AS extended_differs,
       count(*) FILTER (WHERE (mpn.product_key_hash_extended(p.k, 0) & 4294967295)
                              <> (mpn.product_key_hash(p.k)::bigint & 4294967295)) AS low_bits_differ,
       count(DISTINCT mpn.product_key_hash(p.k)) AS distinct_hashes,
       count(DISTINCT mpn.product_key_hash_extended(p.k, 42)) AS distinct_extended,
       count(*) FILTER (WHERE mpn.product_key_hash_extended(p.k, 0) = mpn.product_key_hash_extended(p.k, 42)) AS seed_ignored
FROM pk_keys p JOIN pk_spelled s USING (id);

-- hash partitioning (the extended hash) routes every spelling alike
CREATE TABLE pk_parted (k mpn.product_key, spelling text) PARTITION BY HASH (k);
CREATE TABLE pk_parted_0 PARTITION OF pk_parted FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE pk_parted_1 PARTITION OF pk_parted FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE pk_parted_2 PARTITION OF pk_parted FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO pk_parted SELECT k, 'canonical' FROM pk_keys;
INSERT INTO pk_parted SELECT v::text, 'spelled' FROM pk_spelled;
SELECT count(*) AS keys, count(*) FILTER (WHERE partitions > 1) AS split_keys
FROM (SELECT k, count(DISTINCT tableoid) AS partitions FROM pk_parted GROUP BY k) s;
SELECT count(DISTINCT tableoid) AS partitions_used FROM pk_parted;

--
-- Binary send: two big-endian 64-bit halves, 5 bits per symbol from the
-- first, 2 = 0 ... N = 16 ... Y = 24
--
SELECT k, mpn.product_key_send(k::mpn.product_key) AS sent
FROM (VALUES ('22222-22222-22222-22222-22222'), ('22222-22222-22222-22222-22223'),
             ('22222-22222-22222-22222-2222N'), ('22222-22222-22222-22222-2222Y'),
             ('22222-22222-22N22-22222-22222'), ('N2222-22222-22222-22222-22222'),
             ('YYYYY-YYYYY-YYYYY-YYYYY-YYYYY')) AS t(k);

--
-- Binary COPY round trip
--
SELECT mpn_test.scratch_file() AS scratch \gset
CREATE TABLE pk_copy (id int, k mpn.product_key);
INSERT INTO pk_copy SELECT id, k FROM pk_keys;
INSERT INTO pk_copy VALUES (0, NULL);
COPY pk_copy TO :'scratch' WITH (FORMAT binary);
CREATE TABLE pk_copy_back (LIKE pk_copy);
COPY pk_copy_back FROM :'scratch' WITH (FORMAT binary);
SELECT count(*) AS rows, count(b.k) AS keys,
       count(*) FILTER (WHERE a.k IS DISTINCT FROM b.k OR a.id IS DISTINCT FROM b.id) AS differ
FROM pk_copy a FULL JOIN pk_copy_back b USING (id);

--
-- Binary receive checks what it gets, as input does: raw bytes fed to
-- product_key_recv through binary COPY of a bytea (see setup.sql)
--
CREATE TABLE pk_recv (k mpn.product_key);
SELECT bytes, mpn_test.copy_binary_in('pk_recv', bytes::bytea) AS result
FROM (VALUES
	-- good: all 2s; N split across the halves (position 13); all Ys
	('\x00000000000000000000000000000000'),
	('\x00000000000000010000000000000000'),
	('\x18c6318c6318c6318c6318c6318c6318'),
	-- the three unused top bits
	('\x80000000000000000000000000000000'),
	('\x20000000000000000000000000000000'),
	('\xffffffffffffffffffffffffffffffff'),
	-- symbol codes 25 to 31 are no symbol: first, split, last position
	('\x19000000000000000000000000000000'),
	('\x1f000000000000000000000000000000'),
	('\x00000000000000019000000000000000'),
	('\x0000000000000000000000000000001a'),
	-- two Ns
	('\x10800000000000000000000000000000'),
	('\x00000000000000010000000000000010'),
	-- wrong length
	('\x'),
	('\x000000000000000000000000000000'),
	('\x0000000000000000000000000000000000')
) AS t(bytes);
SELECT k FROM pk_recv;
-- one in full, with COPY's context
SELECT mpn_test.copy_binary_in('pk_recv', '\x00000000000000010000000000000000');
COPY (SELECT '\x10800000000000000000000000000000'::bytea) TO :'scratch' WITH (FORMAT binary);
COPY pk_recv FROM :'scratch' WITH (FORMAT binary);
SELECT mpn_test.remove_scratch_file();

--
-- Characters outside ASCII: quoted whole, positions in characters.  In a
-- UTF8 database of its own, so the output does not depend on the
-- encoding of the cluster the tests run in.
--
SELECT current_database() AS regress_db \gset
CREATE DATABASE regress_mpn_utf8 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C';
\c regress_mpn_utf8
\set VERBOSITY default
CREATE EXTENSION mpn_benefits;
CREATE FUNCTION try_key(v text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	msg text;
	detail text;
BEGIN
	RETURN v::mpn.product_key::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN code || ': ' || msg || ' / ' || detail;
END
$$;
SELECT getdatabaseencoding();
SELECT v, octet_length(v) AS bytes, length(v) AS characters,
       mpn.is_valid_product_key(v) AS valid, try_key(v) AS result
FROM (VALUES
	('BCDFG-HJKMP-QRTVW-XY234-6789é'),
	('BCDFG-HJKMP-QRTVW-XY234-€789B'),
	('BCDFG-HJKMP-QRTVW-XY234-6789😀'),
	('ＢCDFG-HJKMP-QRTVW-XY234-6789B'),
	(E'\u00a0BCDFG-HJKMP-QRTVW-XY234-6789B'),
	('BCDFG–HJKMP–QRTVW–XY234–6789B')
) AS t(v);
SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789é'::mpn.product_key;
\c :regress_db
DROP DATABASE regress_mpn_utf8;
