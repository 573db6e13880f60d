--
-- soft_input_errors: bad text for either type reported without an ERROR.
--
-- mpn.is_valid_product_key() and mpn.is_valid_license_term() answer on every
-- major.  From PostgreSQL 16 on, the types' input functions also report
-- through an error-saving context, so pg_input_is_valid() and
-- pg_input_error_info() answer too, with the SQLSTATE, message and detail
-- that the same cast raises as an ERROR.  PostgreSQL 15 has neither
-- function: there the second half is left out, and pg_regress compares with
-- expected/soft_input_errors_1.out instead of soft_input_errors.out.
--
SET DateStyle = 'ISO, YMD';

CREATE TABLE soft_inputs (id serial, typ regtype, v text);
INSERT INTO soft_inputs (typ, v) VALUES
	('mpn.product_key', 'BCDFG-HJKMP-QRTVW-XY234-6789B'),		-- valid
	('mpn.product_key', 'bcdfghjkmpqrtvwxy2346789b'),			-- valid, another spelling
	('mpn.product_key', 'BCDFG-HJKMP-QRTVW-XY234-6789A'),		-- a letter keys never hold
	('mpn.product_key', 'NBCDF-GHJKM-PQRTV-WXY23-4678N'),		-- two N
	('mpn.product_key', 'BCDFG-HJKMP-QRTVWXY234-6789B'),		-- three hyphens
	('mpn.product_key', 'BCDF-GHJKMP-QRTVW-XY234-6789B'),		-- a hyphen out of place
	('mpn.product_key', 'BCDFG-HJKMP'),							-- too short
	('mpn.product_key', ''),
	('mpn.license_term', '100 licenses [2024-01-01,2025-01-01)'),	-- valid
	('mpn.license_term', '1 license [2024-01-01,2024-01-02)'),		-- valid
	('mpn.license_term', '0 licenses [2024-01-01,2025-01-01)'),		-- no licenses
	('mpn.license_term', '100 licenses [2024-02-30,2025-01-01)'),	-- no such day
	('mpn.license_term', '100 licenses [2025-01-01,2024-01-01)'),	-- reversed
	('mpn.license_term', '100 licenses [2024-01-01,2025-01-01) x'),	-- junk after
	('mpn.license_term', '100 licences [2024-01-01,2025-01-01)'),	-- misspelt
	('mpn.license_term', '');

-- the extension's own checks, on every major
SELECT id, typ, to_json(v)::text AS input,
       CASE typ WHEN 'mpn.product_key'::regtype THEN mpn.is_valid_product_key(v)
                ELSE mpn.is_valid_license_term(v) END AS valid
FROM soft_inputs ORDER BY id;

-- and they agree with the input functions' ERRORs
SELECT count(*) AS inputs,
       count(*) FILTER (WHERE (CASE typ WHEN 'mpn.product_key'::regtype THEN mpn.is_valid_product_key(v)
                                        ELSE mpn.is_valid_license_term(v) END)
                              <> (mpn_test.try(format('SELECT %L::%s', v, typ)) = 'ok')) AS disagree
FROM soft_inputs;

SELECT current_setting('server_version_num')::int >= 160000 AS has_soft_errors \gset
\if :has_soft_errors
-- pg_input_is_valid agrees with the extension's functions
SELECT count(*) AS inputs,
       count(*) FILTER (WHERE pg_input_is_valid(v, typ::text)
                              <> (CASE typ WHEN 'mpn.product_key'::regtype THEN mpn.is_valid_product_key(v)
                                           ELSE mpn.is_valid_license_term(v) END)) AS disagree
FROM soft_inputs;

-- pg_input_error_info: what the ERROR would say, without raising it
SELECT s.id, e.sql_error_code, e.message, e.detail, e.hint IS NOT NULL AS has_hint
FROM soft_inputs s, LATERAL pg_input_error_info(s.v, s.typ::text) AS e
ORDER BY s.id;

-- the same SQLSTATE, message and detail as the ERROR of a cast
SELECT count(*) AS bad_inputs,
       count(*) FILTER (WHERE mpn_test.try(format('SELECT %L::%s', s.v, s.typ))
                              <> e.sql_error_code || ': ' || e.message
                                 || coalesce(' / ' || e.detail, '')) AS differ
FROM soft_inputs s, LATERAL pg_input_error_info(s.v, s.typ::text) AS e
WHERE e.sql_error_code IS NOT NULL;

-- a soft error in a query: bad rows skipped, not the statement aborted
SELECT v::mpn.product_key AS key
FROM soft_inputs
WHERE typ = 'mpn.product_key'::regtype AND pg_input_is_valid(v, 'mpn.product_key')
ORDER BY id;
\endif

DROP TABLE soft_inputs;
