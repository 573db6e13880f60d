--
-- triggers_setup: what the trigger suites share, and the checks common to
-- the four integrity triggers redeem_once, reassign_after, exclusive_offer
-- and partner_tenant_only: their catalog properties, and that only the
-- trigger manager may call them.
--
-- The suites redeem_once, reassign_after, exclusive_offer,
-- partner_tenant_only and triggers_safety follow this one in REGRESS and
-- use what it creates: schema mpn_trig_test with the helpers scrub(),
-- try() and error_table(), and the table misuse with the procedure
-- misuse() for the misuse checks.  Nothing is dropped here:
-- triggers_safety, the last of them, drops it all.  This suite needs no
-- other (not even setup).  Concurrency is covered by the isolation specs.
--
-- The output must not depend on the day the suite runs: dates within a
-- year of mpn.today() are shown as TODAY, TODAY+n or TODAY-n, the time of
-- day of a timestamp as <time>; the dates the tests choose themselves are
-- in 2020 and 2021, or relative to mpn.today().
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
-- "today" for the rules: the calendar's in UTC, whatever the server's
-- configuration says
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '';

CREATE SCHEMA mpn_trig_test;
SET search_path = mpn_trig_test;

-- Dates near today as TODAY[+-n], and the time of day of a timestamp near
-- today as <time>; other text unchanged.  (Not when mpn.as_of_date fixes
-- "today": then the dates are shown as they are.)
CREATE FUNCTION mpn_trig_test.scrub(t text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	m text[];
	n integer;
BEGIN
	IF length(current_setting('mpn.as_of_date')) > 0 THEN
		RETURN t;
	END IF;
	-- timestamps first, so that a bare date replaced later is not part of one
	FOR m IN
		SELECT x FROM regexp_matches(t,
			'(\d{4}-\d{2}-\d{2})( \d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?)?)?', 'g') AS x
		ORDER BY x[2] IS NULL
	LOOP
		n := m[1]::date - mpn.today();
		IF abs(n) <= 366 THEN
			t := replace(t, m[1] || coalesce(m[2], ''),
						 'TODAY' || CASE WHEN n > 0 THEN '+' || n
										 WHEN n < 0 THEN n::text ELSE '' END
						 || CASE WHEN m[2] IS NULL THEN '' ELSE ' <time>' END);
		END IF;
	END LOOP;
	RETURN t;
END
$$;

-- Run SQL (one statement or several); report its error as a NOTICE laid
-- out like psql's own report, with the SQLSTATE in front and dates
-- scrubbed, or 'no error'.  Whatever the SQL did is undone on error only.
CREATE PROCEDURE mpn_trig_test.try(stmt text)
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	msg text;
	detail text;
	hint text;
BEGIN
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
			detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
		-- (no = here: the search_path test below hijacks it)
		RAISE NOTICE '%', code || ': ' || mpn_trig_test.scrub(msg)
			|| CASE WHEN length(detail) > 0 THEN E'\nDETAIL:  ' || mpn_trig_test.scrub(detail) ELSE '' END
			|| CASE WHEN length(hint) > 0 THEN E'\nHINT:  ' || mpn_trig_test.scrub(hint) ELSE '' END;
		RETURN;
	END;
	RAISE NOTICE 'no error';
END
$$;

-- The table an error names (errtable()), or NULL; the SQL is undone either way.
CREATE FUNCTION mpn_trig_test.error_table(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	sch text;
	tab text;
BEGIN
	EXECUTE stmt;
	RAISE EXCEPTION 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS sch = SCHEMA_NAME, tab = TABLE_NAME;
	RETURN nullif(sch || '.' || tab, '.');
END
$$;

-- the helpers themselves
CALL try('SELECT 1');
CALL try('SELECT 1/0');
SELECT scrub('on ' || mpn.today() || ', ' || (mpn.today() - 5) || ' and '
			 || (mpn.today() + 12) || '; at ' || (mpn.today() + time '12:34:56.789')::timestamptz
			 || ', ' || (mpn.today() + time '01:00')::timestamptz || ' and on '
			 || mpn.today() || '; but not on 2001-02-03 or 2001-02-03 04:05:06+00') AS scrubbed;

--
-- The four functions: trigger functions in C, run with the privileges of
-- the caller (not SECURITY DEFINER), no settings of their own
--
SELECT p.oid::regprocedure AS function, p.prorettype::regtype, l.lanname,
       p.prosecdef, p.proconfig, p.provolatile
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'mpn'::regnamespace AND p.prorettype = 'trigger'::regtype
ORDER BY 1::text;

-- they can only be called by the trigger manager
SELECT mpn.redeem_once();
\echo :LAST_ERROR_SQLSTATE
SELECT mpn.reassign_after();
SELECT mpn.exclusive_offer();
SELECT mpn.partner_tenant_only();

--
-- Misuse: each of the trigger suites attaches its trigger wrongly to the
-- table misuse through the procedure misuse() below.  Each is an error
-- when the trigger first fires, naming the trigger, its table and the
-- argument (but for an exclusive value that the offer column's type does
-- not accept: that is the type's own input error, as for the enum in
-- exclusive_offer); SQLSTATE 39P01
-- (trigger_protocol_violated) for how it is attached or how many
-- arguments it has, 42703 (undefined_column) for a column that does not
-- exist, 42804 (datatype_mismatch) for a column of the wrong type, 22023
-- (invalid_parameter_value) for a bad number of days.
--
CREATE TABLE misuse (
	id integer,
	key mpn.product_key UNIQUE,
	redeemed date,
	stamp timestamp,
	subscriber text,
	assigned_on date,
	user_id integer,
	offer text,
	tenant text,
	partner_tenant text,
	demo boolean,
	demo_text text,
	tenant_uuid uuid,
	tenant_json json,
	partner_json json
);
CREATE INDEX ON misuse (user_id);

-- Attach a trigger as described, write a row, and report; all undone.
CREATE PROCEDURE mpn_trig_test.misuse(how text, stmt text DEFAULT 'INSERT INTO mpn_trig_test.misuse (id) VALUES (1)')
LANGUAGE plpgsql AS $$
BEGIN
	CALL mpn_trig_test.try(format('CREATE TRIGGER misuse %s; %s; %s', how, stmt,
								  'DO $x$ BEGIN RAISE EXCEPTION USING ERRCODE = ''P0001'', MESSAGE = ''undone''; END $x$'));
END
$$;
