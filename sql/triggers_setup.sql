--
-- triggers_setup: what the trigger suites share, and the checks common to
-- the four integrity triggers redeem_once, reassign_after, exclusive_offer
-- and partner_tenant_only: their catalog properties, and that only the
-- trigger manager may call them.
--
-- The suites redeem_once, reassign_after, exclusive_offer,
-- partner_tenant_only and triggers_safety follow this one in REGRESS and
-- use what it creates: schema mpn_trig_test with the helpers scrub(),
-- outcome(), try(), error_table(), triggers_of() and recheck_of(), and the
-- table misuse with the procedure misuse() for the misuse checks.  It also
-- covers the extension's event trigger mpn_check_attachments, which checks
-- each attachment when it is made, and mpn.check_attachments(), which only
-- the event trigger manager may call.  Nothing is dropped here:
-- triggers_safety, the last of them, drops it all.  This suite needs no
-- other (not even setup).  Concurrency is covered by the isolation specs.
--
-- The output must not depend on the day the suite runs: dates within a
-- year of mpn.today() are shown as TODAY, TODAY+n or TODAY-n, the time of
-- day of a timestamp as <time>; the dates the tests choose themselves are
-- in 2020 and 2021, or relative to mpn.today().  Nor on OIDs: the name of
-- a recheck, mpn_recheck_<its OID>, is shown as mpn_recheck_<oid> (and a
-- truncate guard, mpn_truncate_<its OID>, as mpn_truncate_<oid>).
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

-- Dates near today as TODAY[+-n], the time of day of a timestamp near
-- today as <time>, and the OID in the name of a recheck (an internal
-- trigger mpn_recheck_<OID>) as <oid>; other text unchanged.  (Not the
-- dates when mpn.as_of_date fixes "today": then they are shown as they are.)
CREATE FUNCTION mpn_trig_test.scrub(t text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	m text[];
	n integer;
BEGIN
	t := regexp_replace(t, 'mpn_(recheck|truncate)_[0-9]+', 'mpn_\1_<oid>', 'g');
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

-- Run SQL (one statement or several) and return its error laid out like
-- psql's own report, with the SQLSTATE in front and dates scrubbed, or
-- 'no error'.  Whatever the SQL did is undone on error only.
CREATE FUNCTION mpn_trig_test.outcome(stmt text) RETURNS text
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
		RETURN code || ': ' || mpn_trig_test.scrub(msg)
			|| CASE WHEN length(detail) > 0 THEN E'\nDETAIL:  ' || mpn_trig_test.scrub(detail) ELSE '' END
			|| CASE WHEN length(hint) > 0 THEN E'\nHINT:  ' || mpn_trig_test.scrub(hint) ELSE '' END;
	END;
	RETURN 'no error';
END
$$;

-- Run SQL and report its outcome() as a NOTICE.  Whatever the SQL did is
-- undone on error only.
CREATE PROCEDURE mpn_trig_test.try(stmt text)
LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE '%', mpn_trig_test.outcome(stmt);
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

-- The triggers of a table, internal ones included, by name (a recheck's,
-- mpn_recheck_<its OID>, as mpn_recheck_<oid>): whether internal, the
-- trigger type's bits (1 row, 2 before, 4 insert, 8 delete, 16 update),
-- pg_trigger.tgenabled, the trigger it is internally dependent on (a
-- recheck's user trigger), and its definition.
CREATE FUNCTION mpn_trig_test.triggers_of(tab regclass)
RETURNS TABLE (name text, internal boolean, tgtype smallint, enabled "char",
			   depends_on name, definition text)
LANGUAGE sql STABLE AS $$
	SELECT regexp_replace(t.tgname, '^mpn_(recheck|truncate)_' || t.oid || '$', 'mpn_\1_<oid>'),
		   t.tgisinternal, t.tgtype, t.tgenabled, u.tgname,
		   regexp_replace(pg_get_triggerdef(t.oid), 'mpn_(recheck|truncate)_' || t.oid || ' ', 'mpn_\1_<oid> ')
	FROM pg_trigger t
	LEFT JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass AND d.objid = t.oid
		 AND d.refclassid = 'pg_trigger'::regclass AND d.deptype = 'i'
	LEFT JOIN pg_trigger u ON u.oid = d.refobjid
	WHERE t.tgrelid = tab
	ORDER BY t.tgisinternal, t.tgname COLLATE "C", t.tgtype, u.tgname COLLATE "C"
$$;

-- The name of the recheck on a table (NULL when there is none; an error
-- when there are several)
CREATE FUNCTION mpn_trig_test.recheck_of(tab regclass) RETURNS name
LANGUAGE sql STABLE AS $$
	SELECT (SELECT tgname FROM pg_trigger
			WHERE tgrelid = tab AND tgisinternal AND tgname LIKE 'mpn\_recheck\_%')
$$;

-- the helpers themselves
CALL try('SELECT 1');
CALL try('SELECT 1/0');
SELECT outcome('SELECT 1/0') AS outcome;
SELECT scrub('on ' || mpn.today() || ', ' || (mpn.today() - 5) || ' and '
			 || (mpn.today() + 12) || '; at ' || (mpn.today() + time '12:34:56.789')::timestamptz
			 || ', ' || (mpn.today() + time '01:00')::timestamptz || ' and on '
			 || mpn.today() || '; but not on 2001-02-03 or 2001-02-03 04:05:06+00') AS scrubbed;
SELECT scrub('trigger mpn_recheck_12345 on table t, but not trigger mpn_recheck or t_12345') AS scrubbed;

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
-- The checks of attachments when they are made: the event trigger
-- mpn_check_attachments runs, at the end of each CREATE TRIGGER, CREATE
-- TABLE, ALTER TABLE and DROP INDEX, the checks that each mpn trigger of
-- the tables concerned (of every table with mpn triggers, for DROP INDEX)
-- makes at its first row, and gives redeem_once, reassign_after and
-- partner_tenant_only their recheck (an internal AFTER ROW trigger); the
-- trigger suites test it.  Its function can only be called by the event
-- trigger manager.
--
SELECT evtname, evtevent, evttags, evtfoid::regprocedure, evtenabled
FROM pg_event_trigger WHERE evtname = 'mpn_check_attachments';
SELECT p.oid::regprocedure AS function, p.prorettype::regtype, l.lanname,
       p.prosecdef, p.proconfig, p.provolatile
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.oid IN ('mpn.check_attachments()'::regprocedure, 'mpn.check_triggers(boolean)'::regprocedure)
ORDER BY 1::text;
SELECT mpn.check_attachments();
\echo :LAST_ERROR_SQLSTATE

--
-- Misuse: each of the trigger suites attaches its trigger wrongly to the
-- table misuse through the procedure misuse() below.  Each is an error
-- naming the trigger, its table and the argument (but for an exclusive
-- value that the offer column's type does not accept: that is the type's
-- own input error, as for the enum in exclusive_offer); SQLSTATE 39P01
-- (trigger_protocol_violated) for how it is attached or how many
-- arguments it has, 42703 (undefined_column) for a column that does not
-- exist, 42804 (datatype_mismatch) for a column of the wrong type, 22023
-- (invalid_parameter_value) for a bad number of days.
--
-- The error comes at CREATE TRIGGER, from the event trigger, and is the
-- very error that the trigger's first row gets when nothing checked it
-- before: attached while session_replication_role = replica (event
-- triggers do not fire then), the trigger fails at its first row in the
-- usual (origin) mode exactly as CREATE TRIGGER fails otherwise.
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

-- Attach a trigger as described to the table misuse, in two ways, and
-- report; all undone.
--  attached normally: CREATE TRIGGER misuse ..., checked by the event
--    trigger; when that passes, the statement stmt (a write) runs;
--  attached in replica mode: CREATE TRIGGER with session_replication_role
--    = replica, then stmt with session_replication_role = origin, where
--    the trigger's first row checks it.
-- One NOTICE when both end alike: for a misuse, CREATE TRIGGER is refused
-- with exactly the error of the first row; for a right attachment, both
-- writes pass ('P0001: undone').  When they differ, two NOTICEs, "attached
-- normally: " and "attached in replica mode: "; the first says "passed
-- CREATE TRIGGER, then at first use: " when it was the write, not CREATE
-- TRIGGER, that failed.  And a NOTICE if a trigger (internal ones
-- included) is left on misuse.
CREATE PROCEDURE mpn_trig_test.misuse(how text, stmt text DEFAULT 'INSERT INTO mpn_trig_test.misuse (id) VALUES (1)')
LANGUAGE plpgsql AS $$
DECLARE
	undo constant text := 'DO $x$ BEGIN RAISE EXCEPTION USING ERRCODE = ''P0001'', MESSAGE = ''undone''; END $x$';
	undone constant text := 'P0001: undone';
	normally text;
	in_replica text;
	left_behind bigint;
BEGIN
	normally := mpn_trig_test.outcome(format('CREATE TRIGGER misuse %s; %s', how, undo));
	IF normally = undone THEN
		-- attached: then the write decides
		normally := mpn_trig_test.outcome(format('CREATE TRIGGER misuse %s; %s; %s', how, stmt, undo));
		IF normally <> undone THEN
			normally := 'passed CREATE TRIGGER, then at first use: ' || normally;
		END IF;
	END IF;
	in_replica := mpn_trig_test.outcome(format(
		'SET LOCAL session_replication_role = replica; CREATE TRIGGER misuse %s; '
		'SET LOCAL session_replication_role = origin; %s; %s', how, stmt, undo));
	IF normally = in_replica THEN
		RAISE NOTICE '%', normally;
	ELSE
		RAISE NOTICE 'attached normally: %', normally;
		RAISE NOTICE 'attached in replica mode: %', in_replica;
	END IF;
	SELECT count(*) INTO left_behind FROM pg_catalog.pg_trigger
	WHERE tgrelid = 'mpn_trig_test.misuse'::regclass;
	IF left_behind > 0 OR current_setting('session_replication_role') <> 'origin' THEN
		RAISE NOTICE 'left behind: % trigger(s) on misuse, session_replication_role %',
			left_behind, current_setting('session_replication_role');
	END IF;
END
$$;

-- the procedure itself: a right attachment; a misuse; a misuse that only
-- a written row shows when nothing checks it at CREATE TRIGGER (here no
-- row is written); and a table that changes under a right attachment
-- where no event trigger sees it (in replica mode), so that only the
-- write finds the misuse
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'nokey')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'nokey')$$,
			'SELECT 1');
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$,
			'SET LOCAL session_replication_role = replica; ALTER TABLE mpn_trig_test.misuse RENAME redeemed TO redeemed_on; '
			'SET LOCAL session_replication_role = origin; INSERT INTO mpn_trig_test.misuse (id) VALUES (1)');
SELECT count(*) AS misuse_triggers FROM pg_trigger WHERE tgrelid = 'misuse'::regclass;
