--
-- security: SECURITY.md's promises, tested as the roles it names.  Trusted
-- are superusers and a table's owner; not trusted is every other role: one
-- granted DML and TRIGGER on a guarded table (regress_mpn_sec_clerk, which
-- also owns a schema of its own), one granted TRUNCATE
-- (regress_mpn_sec_truncator), one with CREATE on a schema on other roles'
-- search_path (regress_mpn_sec_creator), one with CREATE on a database
-- (regress_mpn_sec_squatter), and one with nothing but the default CONNECT
-- and TEMP (regress_mpn_sec_intruder).  regress_mpn_sec_owner owns the
-- guarded tables, regress_mpn_sec_dbowner a database of its own.
--
-- Each class of issue 15 (the security release 1.2) is a section below,
-- with every reproduction of the issue and variants of its own:
--   1. code of an untrusted role never runs as another role (canaries);
--   2. operators planted on a superuser's search_path are never called;
--   3. the use after free of 1.1: no crash, the right errors and warnings;
--   4. only a table's owner changes a rule (CREATE OR REPLACE TRIGGER);
--   5. a squatted schema mpn is refused (in a database of its own);
--   6. one role's tables never make another role's command fail;
--   7. mpn.check_triggers(false) leaves the transaction sound;
--   8. no cascade drops the extension under guarded data, nor a column or
--      index a rule needs from a table of the dropper's own (from another
--      role's table it goes with a WARNING, and the rule fails closed).
-- The lock case of 6 is the isolation spec security_locks.
--
-- Planted code calls mpn_sec.record(), which writes to mpn_sec.canary who
-- it runs as (current_user), whether that role is a superuser, whether it
-- runs restricted (SECURITY_RESTRICTED_OPERATION: a temporary table cannot
-- be made) and under which search_path.  mpn_sec.fired() shows and empties
-- the canary.  Planted code also tries to make its author a superuser when
-- it finds itself running as one; the roles' rolsuper is shown at the end.
--
-- Runs after setup and the trigger suites, as the bootstrap superuser, in
-- the shared regression database; makes and drops the database
-- regression_mpn_sec; drops every role and schema it makes.  The output
-- depends on no OID, date or name of the superuser running it: messages
-- show pg_temp_N for a temporary schema, mpn_recheck_<oid> for a recheck,
-- and <bootstrap superuser> for that role's name.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
-- the database and the role the suite runs in and as (never printed)
SELECT current_database() AS regress_db \gset

--
-- Roles, schemas and helpers
--
CREATE ROLE regress_mpn_sec_owner LOGIN;
CREATE ROLE regress_mpn_sec_clerk LOGIN;
CREATE ROLE regress_mpn_sec_truncator LOGIN;
CREATE ROLE regress_mpn_sec_creator LOGIN;
CREATE ROLE regress_mpn_sec_squatter LOGIN;
CREATE ROLE regress_mpn_sec_intruder LOGIN;
CREATE ROLE regress_mpn_sec_dbowner LOGIN;

-- The helpers, kept in a variable to be made again in the database of
-- section 5 (psql keeps variables across \c).  Every operator in them is
-- schema-qualified: section 2 plants operators on the search_path.
SELECT $helpers$
CREATE SCHEMA mpn_sec;
GRANT USAGE ON SCHEMA mpn_sec TO PUBLIC;

-- Text without what changes from run to run: the number of a temporary
-- schema, the OID in a recheck's name, the bootstrap superuser's name.
CREATE FUNCTION mpn_sec.scrub(t text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(t,
		'pg_temp_[0-9]+', 'pg_temp_N', 'g'),
		'mpn_(recheck|truncate)_[0-9]+', 'mpn_\1_<oid>', 'g'),
		'\m' || pg_get_userbyid(10) || '\M', '<bootstrap superuser>', 'g')
$$;

-- Run SQL; 'no error', or its error as psql shows it, SQLSTATE first
-- (with_detail false: without DETAIL and HINT).  Undone on error only.
-- No SET search_path: the SQL runs under the caller's.
CREATE FUNCTION mpn_sec.outcome(stmt text, with_detail boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	msg text;
	detail text;
	hint text;
BEGIN
	EXECUTE stmt;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	IF NOT with_detail THEN
		detail := '';
		hint := '';
	END IF;
	RETURN mpn_sec.scrub(code OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) msg
		OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.length(detail) OPERATOR(pg_catalog.>) 0
			THEN E'\nDETAIL:  ' OPERATOR(pg_catalog.||) detail ELSE '' END
		OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.length(hint) OPERATOR(pg_catalog.>) 0
			THEN E'\nHINT:  ' OPERATOR(pg_catalog.||) hint ELSE '' END);
END
$$;

-- outcome() as a NOTICE
CREATE PROCEDURE mpn_sec.try(stmt text, with_detail boolean DEFAULT true)
LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE '%', mpn_sec.outcome(stmt, with_detail);
END
$$;

-- The canary: a row for each time planted code ran
CREATE TABLE mpn_sec.canary (
	seq serial,
	fired_as name,
	fired_super boolean,
	probe text,
	path text,
	what text
);
GRANT INSERT ON mpn_sec.canary TO PUBLIC;
GRANT USAGE ON SEQUENCE mpn_sec.canary_seq_seq TO PUBLIC;

-- What planted code calls: records who runs it, and how.  Not SECURITY
-- DEFINER, no SET: it runs as, and sees the search_path of, its caller.
CREATE FUNCTION mpn_sec.record(what text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	probe text;
BEGIN
	BEGIN
		EXECUTE 'CREATE TEMP TABLE mpn_sec_probe (x integer)';
		RAISE EXCEPTION 'unrestricted';
	EXCEPTION WHEN OTHERS THEN
		probe := SQLERRM;
	END;
	INSERT INTO mpn_sec.canary (fired_as, fired_super, probe, path, what)
	VALUES (current_user,
			(SELECT r.rolsuper FROM pg_catalog.pg_roles r
			  WHERE r.rolname OPERATOR(pg_catalog.=) current_user),
			probe, pg_catalog.current_setting('search_path'), what);
END
$$;

-- Show and empty the canary: each role planted code ran as (the suite's
-- own roles by name), whether a superuser, whether restricted, the
-- search_path, what ran, and how many times.
CREATE FUNCTION mpn_sec.fired()
RETURNS TABLE (fired_as text, fired_super boolean, restricted text, path text, what text, times bigint)
LANGUAGE sql SET search_path = pg_catalog AS $$
	WITH taken AS (DELETE FROM mpn_sec.canary RETURNING *)
	SELECT CASE WHEN t.fired_as::text LIKE 'regress\_mpn\_sec\_%' THEN t.fired_as::text
				ELSE '<another role>' END,
		   t.fired_super,
		   CASE WHEN t.probe LIKE '%security-restricted operation%' THEN 'restricted'
				ELSE t.probe END,
		   t.path, t.what, count(*)
	FROM taken t
	GROUP BY 1, 2, 3, 4, 5
	ORDER BY min(t.seq)
$$;
$helpers$ AS helpers \gset
:helpers

-- The triggers of a table that are not internal, with the number of
-- rechecks that guard each
CREATE FUNCTION mpn_sec.rules(tab regclass)
RETURNS TABLE (name name, definition text, rechecks bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
	SELECT t.tgname, mpn_sec.scrub(pg_get_triggerdef(t.oid)),
		   (SELECT count(*) FROM pg_depend d
			 WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_trigger'::regclass
			   AND d.refobjid = t.oid AND d.deptype = 'i')
	FROM pg_trigger t
	WHERE t.tgrelid = tab AND NOT t.tgisinternal
	ORDER BY t.tgname COLLATE "C"
$$;

-- The owner's schema and guarded tables: product keys redeemed once,
-- subscriptions reassigned after 90 days, offers that can't be combined
CREATE SCHEMA mpn_sec_app AUTHORIZATION regress_mpn_sec_owner;
GRANT USAGE ON SCHEMA mpn_sec_app TO PUBLIC;
-- the clerk's schema, where it keeps functions and types of its own
CREATE SCHEMA mpn_sec_clerk AUTHORIZATION regress_mpn_sec_clerk;
GRANT USAGE ON SCHEMA mpn_sec_clerk TO PUBLIC;
-- a schema in which the creator may create, put on other roles' search_path
CREATE SCHEMA mpn_sec_hijack;
GRANT USAGE, CREATE ON SCHEMA mpn_sec_hijack TO regress_mpn_sec_creator;
GRANT USAGE ON SCHEMA mpn_sec_hijack TO PUBLIC;

SET ROLE regress_mpn_sec_owner;
CREATE TABLE mpn_sec_app.keys (
	id integer PRIMARY KEY,
	key mpn.product_key,
	redeemed date,
	other_date date,
	note text
);
CREATE UNIQUE INDEX keys_key ON mpn_sec_app.keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
-- a plain trigger of the owner's
CREATE FUNCTION mpn_sec_app.audit() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER audit BEFORE UPDATE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn_sec_app.audit();
INSERT INTO mpn_sec_app.keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789Q', '2021-01-15');
CREATE TABLE mpn_sec_app.subs (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.subs
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
CREATE TABLE mpn_sec_app.offers (user_id text, offer text, PRIMARY KEY (user_id, offer));
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
INSERT INTO mpn_sec_app.offers VALUES ('u1', 'azure_bulk_credit');
GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON mpn_sec_app.keys, mpn_sec_app.subs,
	mpn_sec_app.offers TO regress_mpn_sec_clerk;
GRANT TRUNCATE ON mpn_sec_app.keys TO regress_mpn_sec_truncator;
RESET ROLE;
SELECT c.relname, r.* FROM pg_class c, mpn_sec.rules(c.oid) r
WHERE c.relnamespace = 'mpn_sec_app'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2;

--
-- 1. Privilege escalation.  Code of a table's (a domain's CHECK, run by the
-- offer type's input function in exclusive_offer's setup) runs at DDL time
-- only in a command of the table's owner, as the owner, restricted, with
-- search_path pinned; a superuser's or another role's command that checks
-- the table runs none of it (the first row, run as its writer, does), and
-- other tables' DDL does not check the table at all.
--
-- (a) The issue's reproduction: a role with nothing but TEMP plants a
-- domain CHECK that makes it superuser when it runs as one, on a temporary
-- table with exclusive_offer.  Attaching it runs the CHECK as the role
-- itself (the table's owner), restricted.  (The role's session is the
-- suite's, under SET ROLE: its temporary table is then even on the
-- superuser's search_path.)
SET ROLE regress_mpn_sec_intruder;
CREATE FUNCTION pg_temp.evil(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('intruder''s domain CHECK');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_intruder SUPERUSER';
	END IF;
	RETURN true;
END
$$;
CREATE DOMAIN pg_temp.offer_d AS text CHECK (pg_temp.evil(VALUE));
CREATE TEMP TABLE offers (u text, offer pg_temp.offer_d, PRIMARY KEY (u, offer));
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET ROLE;
SELECT * FROM mpn_sec.fired();
-- a superuser's DDL elsewhere does not look at that table: DROP INDEX,
-- CREATE TABLE, ALTER TABLE, CREATE TRIGGER
CREATE TABLE mpn_sec.elsewhere (id integer, key text, redeemed date);
CREATE INDEX elsewhere_id ON mpn_sec.elsewhere (id);
CREATE UNIQUE INDEX elsewhere_key ON mpn_sec.elsewhere (key);
ALTER TABLE mpn_sec.elsewhere ADD COLUMN note text;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec.elsewhere
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
DROP INDEX mpn_sec.elsewhere_id;
SELECT * FROM mpn_sec.fired();
-- mpn.check_triggers(), strict and not, by a superuser: checks every
-- table, that one without running its code
SELECT mpn.check_triggers() AS checked;
SELECT * FROM mpn_sec.fired();
SELECT mpn.check_triggers(false) AS checked;
SELECT * FROM mpn_sec.fired();
-- the owner's check_triggers() checks only the owner's tables
SET ROLE regress_mpn_sec_owner;
SELECT mpn.check_triggers() AS checked;
RESET ROLE;
SELECT * FROM mpn_sec.fired();
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_mpn_sec_intruder';

-- (b) Planted code that tries to leave the restriction: SET ROLE is
-- refused, and the check of the owner's own command fails with that error
-- (strict) or warns (not strict); a superuser's check_triggers() runs
-- none of it, so the planted code can neither fail nor stall it.
SET ROLE regress_mpn_sec_intruder;
CREATE FUNCTION pg_temp.escape(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('intruder''s escaping CHECK');
	EXECUTE 'SET ROLE regress_mpn_sec_intruder';
	RETURN true;
END
$$;
CREATE DOMAIN pg_temp.offer_e AS text CHECK (pg_temp.escape(VALUE));
CREATE TEMP TABLE offers_e (u text, offer pg_temp.offer_e, PRIMARY KEY (u, offer));
CALL mpn_sec.try($$CREATE TRIGGER ex AFTER INSERT OR UPDATE ON offers_e
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer')$$);
-- (the canary keeps no row of a check that failed: its INSERT is undone
-- with the check)
-- (as pg_restore attaches it, unchecked)
SET check_function_bodies = off;
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON offers_e
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET check_function_bodies;
RESET ROLE;
SELECT * FROM mpn_sec.fired();
-- a superuser's check_triggers(), not strict and strict
SELECT mpn.check_triggers(false) AS checked;
SELECT mpn_sec.outcome('SELECT mpn.check_triggers()') = 'no error' AS superuser_check_unaffected;
SELECT * FROM mpn_sec.fired();
-- the owner's own check_triggers(): the CHECK runs, as the owner,
-- restricted, and fails
SET ROLE regress_mpn_sec_intruder;
SELECT mpn.check_triggers(false) AS checked;
CALL mpn_sec.try('SELECT mpn.check_triggers()');
DROP TABLE offers_e;
RESET ROLE;
-- a temporary table, SET SESSION AUTHORIZATION and SET ROLE are all
-- refused to a check's code (planted code that catches the errors, to try
-- each), here in the owner's CREATE TRIGGER
SET ROLE regress_mpn_sec_intruder;
CREATE FUNCTION pg_temp.escape2(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	FOREACH s IN ARRAY ARRAY['CREATE TEMP TABLE escaped (x integer)',
							 'SET SESSION AUTHORIZATION regress_mpn_sec_intruder',
							 'SET ROLE NONE']
	LOOP
		BEGIN
			EXECUTE s;
			PERFORM mpn_sec.record(s OPERATOR(pg_catalog.||) ': done');
		EXCEPTION WHEN OTHERS THEN
			PERFORM mpn_sec.record(s OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) SQLERRM);
		END;
	END LOOP;
	RETURN true;
END
$$;
CREATE DOMAIN pg_temp.offer_e2 AS text CHECK (pg_temp.escape2(VALUE));
CREATE TEMP TABLE offers_e2 (u text, offer pg_temp.offer_e2, PRIMARY KEY (u, offer));
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON offers_e2
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET ROLE;
SELECT fired_as, restricted, what FROM mpn_sec.fired();
SELECT mpn.check_triggers() AS checked;
SELECT fired_as, restricted, what FROM mpn_sec.fired();
DROP TABLE offers_e2;

-- (c) A role with TRIGGER on the owner's table, whose offer column is of a
-- domain the role owns, with a CHECK the role controls: the role's CREATE
-- TRIGGER of exclusive_offer (with an exclusive value of its choosing) runs
-- none of it, nor do a superuser's ALTER TABLE, CREATE TRIGGER and
-- check_triggers(); the owner's own ALTER TABLE and check_triggers() run
-- it as the owner, restricted; never as the superuser.
SET ROLE regress_mpn_sec_clerk;
CREATE FUNCTION mpn_sec_clerk.valid_offer(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('clerk''s domain CHECK');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_clerk SUPERUSER';
	END IF;
	RETURN t OPERATOR(pg_catalog.<>) '';
END
$$;
CREATE DOMAIN mpn_sec_clerk.offer_code AS text CHECK (mpn_sec_clerk.valid_offer(VALUE));
RESET ROLE;
SET ROLE regress_mpn_sec_owner;
CREATE TABLE mpn_sec_app.offers_d (user_id text, offer mpn_sec_clerk.offer_code,
	PRIMARY KEY (user_id, offer));
GRANT SELECT, INSERT, TRIGGER ON mpn_sec_app.offers_d TO regress_mpn_sec_clerk;
RESET ROLE;
SET ROLE regress_mpn_sec_clerk;
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers_d
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
RESET ROLE;
SELECT * FROM mpn_sec.fired();
ALTER TABLE mpn_sec_app.offers_d ADD COLUMN note text;
SELECT * FROM mpn_sec.fired();
CREATE TRIGGER exclusive_vs AFTER INSERT OR UPDATE ON mpn_sec_app.offers_d
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer', 'visual_studio');
SELECT * FROM mpn_sec.fired();
SELECT mpn.check_triggers() AS checked;
SELECT * FROM mpn_sec.fired();
SET ROLE regress_mpn_sec_owner;
ALTER TABLE mpn_sec_app.offers_d ADD COLUMN more text;
SELECT mpn.check_triggers() AS checked;
RESET ROLE;
SELECT * FROM mpn_sec.fired();
DROP TRIGGER exclusive_vs ON mpn_sec_app.offers_d;
SELECT rolname, rolsuper FROM pg_roles
WHERE rolname IN ('regress_mpn_sec_intruder', 'regress_mpn_sec_clerk') ORDER BY 1;
DROP TABLE mpn_sec.elsewhere;
SET ROLE regress_mpn_sec_intruder;
DROP TABLE offers;
RESET ROLE;

--
-- 2. Operator hijack.  A role with CREATE on a schema that comes before
-- pg_catalog in a superuser's search_path plants =(oid, regclass) (which
-- pg_catalog lacks), =(oid, oid), =(name, text) and =(text, text); the
-- extension's event triggers, drop guard and check_triggers() never call
-- them, whatever DDL the superuser runs.
--
SET ROLE regress_mpn_sec_creator;
CREATE FUNCTION mpn_sec_hijack.eq(a oid, b regclass) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('=(oid, regclass)');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_creator SUPERUSER';
	END IF;
	RETURN a OPERATOR(pg_catalog.=) b::oid;
END
$$;
CREATE FUNCTION mpn_sec_hijack.eq(a oid, b oid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('=(oid, oid)');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_creator SUPERUSER';
	END IF;
	RETURN a OPERATOR(pg_catalog.=) b;
END
$$;
CREATE FUNCTION mpn_sec_hijack.eq(a name, b text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('=(name, text)');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_creator SUPERUSER';
	END IF;
	RETURN a::text OPERATOR(pg_catalog.=) b;
END
$$;
CREATE FUNCTION mpn_sec_hijack.eq(a text, b text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('=(text, text)');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_creator SUPERUSER';
	END IF;
	RETURN a OPERATOR(pg_catalog.=) b;
END
$$;
CREATE OPERATOR mpn_sec_hijack.= (FUNCTION = mpn_sec_hijack.eq, LEFTARG = oid, RIGHTARG = regclass);
CREATE OPERATOR mpn_sec_hijack.= (FUNCTION = mpn_sec_hijack.eq, LEFTARG = oid, RIGHTARG = oid);
CREATE OPERATOR mpn_sec_hijack.= (FUNCTION = mpn_sec_hijack.eq, LEFTARG = name, RIGHTARG = text);
CREATE OPERATOR mpn_sec_hijack.= (FUNCTION = mpn_sec_hijack.eq, LEFTARG = text, RIGHTARG = text);
RESET ROLE;
-- the hijack is real for SQL that does not qualify its operators (shown as
-- the owner, so that it makes no one superuser)
SET ROLE regress_mpn_sec_owner;
SET search_path = mpn_sec_hijack, public, pg_catalog;
SELECT 'pg_class'::regclass::oid = 'pg_class'::regclass AS hijacked,
       'pg_class'::regclass::oid = 'pg_class'::regclass::oid AS hijacked_too;
RESET search_path;
RESET ROLE;
SELECT * FROM mpn_sec.fired();
-- (a) a superuser's DDL under that search_path
SET search_path = mpn_sec_hijack, public, pg_catalog;
CREATE TABLE mpn_sec.hk (id integer PRIMARY KEY, key text, redeemed date);
CREATE UNIQUE INDEX hk_key ON mpn_sec.hk (key) WHERE redeemed IS NOT NULL;
CREATE INDEX hk_id ON mpn_sec.hk (id);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec.hk
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec.hk
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
ALTER TABLE mpn_sec.hk ADD COLUMN note text;
CALL mpn_sec.try('ALTER TABLE mpn_sec.hk DROP COLUMN redeemed');
DROP INDEX mpn_sec.hk_id;
CALL mpn_sec.try('DROP INDEX mpn_sec.hk_key');
CALL mpn_sec.try('DROP INDEX CONCURRENTLY mpn_sec.hk_key');
CREATE SCHEMA mpn_sec_x;
CREATE TABLE mpn_sec_x.t (a integer);
DROP SCHEMA mpn_sec_x CASCADE;
CALL mpn_sec.try('DROP EXTENSION plpgsql CASCADE', false);
CALL mpn_sec.try('DROP SCHEMA mpn CASCADE', false);
BEGIN;
CALL mpn_sec.try('DROP OWNED BY regress_mpn_sec_owner CASCADE');
ROLLBACK;
SELECT mpn.check_triggers() AS checked;
SELECT mpn.check_triggers(false) AS checked;
DROP TABLE mpn_sec.hk;
RESET search_path;
SELECT * FROM mpn_sec.fired();
-- (b) the README's search_path, "$user", public: a role with CREATE on
-- the database makes the schema named after the owner, and plants the
-- operators there; the owner's DDL on its own tables does not call them
DO $$ BEGIN
	EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_mpn_sec_creator', current_database());
END $$;
SET ROLE regress_mpn_sec_creator;
CREATE SCHEMA regress_mpn_sec_owner;
GRANT USAGE ON SCHEMA regress_mpn_sec_owner TO PUBLIC;
CREATE OPERATOR regress_mpn_sec_owner.= (FUNCTION = mpn_sec_hijack.eq, LEFTARG = oid, RIGHTARG = regclass);
CREATE OPERATOR regress_mpn_sec_owner.= (FUNCTION = mpn_sec_hijack.eq, LEFTARG = name, RIGHTARG = text);
RESET ROLE;
SET ROLE regress_mpn_sec_owner;
SET search_path = "$user", public;
SELECT 'pg_class'::regclass::oid = 'pg_class'::regclass AS hijacked;
CREATE TABLE mpn_sec_app.hk (id integer PRIMARY KEY, key text, redeemed date);
CREATE UNIQUE INDEX hk_key ON mpn_sec_app.hk (key);
CREATE INDEX hk_id ON mpn_sec_app.hk (id);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.hk
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
ALTER TABLE mpn_sec_app.hk ADD COLUMN note text;
DROP INDEX mpn_sec_app.hk_id;
CALL mpn_sec.try('DROP INDEX mpn_sec_app.hk_key');
SELECT mpn.check_triggers() AS checked;
DROP TABLE mpn_sec_app.hk;
RESET search_path;
RESET ROLE;
SELECT * FROM mpn_sec.fired();
SET ROLE regress_mpn_sec_creator;
SET client_min_messages = warning;
DROP SCHEMA regress_mpn_sec_owner CASCADE;
RESET client_min_messages;
RESET ROLE;
DO $$ BEGIN
	EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_mpn_sec_creator', current_database());
END $$;
SELECT rolname, rolsuper FROM pg_roles WHERE rolname = 'regress_mpn_sec_creator';

--
-- 3. The use after free of 1.1: the lists of tables to check were built
-- while connected to SPI and read after SPI_finish(), so a check that ran
-- an SQL or PL/pgSQL function (a domain's CHECK) read freed memory: a
-- crash, a random OID, or checks skipped.  Now no crash (the run's crash
-- check reads the server log), and each command gives its own error or
-- warnings.  A fresh session matters: the checks load the caches.
--
-- (a) The issue's reproduction, as the superuser
SET search_path = mpn_sec;
CREATE FUNCTION valid_offer(t text) RETURNS boolean LANGUAGE sql AS $$ SELECT t <> '' $$;
CREATE DOMAIN offer_code AS text CHECK (valid_offer(VALUE));
CREATE TABLE o1 (u text, offer offer_code, PRIMARY KEY (u, offer));
\c
SET search_path = mpn_sec;
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON o1 FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
-- and the rule works
INSERT INTO o1 VALUES ('u1', 'azure_bulk_credit');
CALL mpn_sec.try($$INSERT INTO o1 VALUES ('u1', 'visual_studio')$$);
-- (b) More such tables, one of a domain whose CHECK is in PL/pgSQL (which
-- runs its queries through SPI), and a table whose unique index
-- redeem_once needs; in fresh sessions: the DROP INDEX that 1.1 could let
-- through (its loop stopped early) is refused; a CREATE TRIGGER whose
-- exclusive value the CHECK refuses fails with the CHECK's own error;
-- check_triggers() counts every trigger of the database; once the CHECK
-- refuses an attached trigger's value, check_triggers(false) warns about
-- it and check_triggers() fails with its error.
CREATE FUNCTION valid_code(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN t LIKE 'v%';
END
$$;
CREATE DOMAIN strict_code AS text CHECK (valid_code(VALUE));
CREATE TABLE o2 (u text, offer offer_code, PRIMARY KEY (u, offer));
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON o2 FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
CREATE TABLE o3 (u text, offer strict_code, PRIMARY KEY (u, offer));
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON o3 FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer', 'vip');
CREATE TABLE k1 (key text, redeemed date);
CREATE UNIQUE INDEX k1_key ON k1 (key);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON k1
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
\c
CALL mpn_sec.try('DROP INDEX mpn_sec.k1_key');
\c
CALL mpn_sec.try($$CREATE TRIGGER ex2 AFTER INSERT OR UPDATE ON mpn_sec.o3
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer')$$);
\c
SELECT mpn.check_triggers() AS checked;
CREATE OR REPLACE FUNCTION mpn_sec.valid_code(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN t LIKE 'x%';
END
$$;
\c
SELECT mpn.check_triggers(false) AS checked;
\c
CALL mpn_sec.try('SELECT mpn.check_triggers()');
DROP TABLE mpn_sec.o1, mpn_sec.o2, mpn_sec.o3, mpn_sec.k1;
DROP DOMAIN mpn_sec.offer_code, mpn_sec.strict_code;
DROP FUNCTION mpn_sec.valid_offer(text), mpn_sec.valid_code(text);
-- (c) A TEMP-only role, in a session of its own, with
-- check_function_bodies off: an SQL function that cannot run as the
-- CHECK of the offer column, and redeem_once('nope', 'nope').  Its
-- check_triggers(false) warns about each, its check_triggers() fails with
-- the first error, and the session goes on.
-- (a new session, then the role: pg_regress may connect with a password
-- only the superuser has, as the Debian package's build-time tests do)
\c
SET SESSION AUTHORIZATION regress_mpn_sec_intruder;
SET check_function_bodies = off;
CREATE FUNCTION pg_temp.valid_offer(t text) RETURNS boolean
LANGUAGE sql AS $$ SELECT t <> '' AND pg_temp.nonesuch(t) $$;
CREATE DOMAIN pg_temp.offer_code AS text CHECK (pg_temp.valid_offer(VALUE));
CREATE TEMP TABLE mine (u text, offer pg_temp.offer_code, k text, d date, PRIMARY KEY (u, offer));
CREATE TRIGGER a_redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mine
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('nope', 'nope');
CREATE TRIGGER b_exclusive_offer AFTER INSERT OR UPDATE ON mine
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
SELECT mpn.check_triggers(false) AS checked;
SELECT mpn.check_triggers(false) AS checked;
CALL mpn_sec.try('SELECT mpn.check_triggers()');
SELECT mpn.check_triggers(false) AS checked;
SELECT current_user AS still_connected_as;
\c

--
-- 4. The TRIGGER privilege does not change a rule.  PostgreSQL lets a role
-- with TRIGGER on a table CREATE OR REPLACE any of its triggers; for the
-- mpn rules only the owner may, in any way, and no one may replace a rule
-- by a function of a temporary schema.  Constraint triggers of the rules'
-- functions are refused.
--
SET ROLE regress_mpn_sec_clerk;
-- redeem_once on another column: redemptions could then be deleted
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'other_date')$$);
-- reassign_after with a wait of one day
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.subs
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '1')$$);
-- exclusive_offer (which has no recheck) by a function of the clerk's
CREATE FUNCTION mpn_sec_clerk.allow() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	FOR EACH ROW EXECUTE FUNCTION mpn_sec_clerk.allow()$$);
-- ... or of its temporary schema (the trigger would vanish at its logout)
CREATE FUNCTION pg_temp.allow() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	FOR EACH ROW EXECUTE FUNCTION pg_temp.allow()$$);
-- redeem_once narrowed to BEFORE INSERT, or given a column list, with
-- check_function_bodies off (which skips the checks of the attachment)
SET check_function_bodies = off;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OF note OR DELETE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
RESET check_function_bodies;
-- a plain trigger of the owner's made a rule (with arguments of the clerk's)
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER audit BEFORE UPDATE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('note', 'other_date', '1')$$);
-- a constraint trigger of a rule's function, deferred past the row it checks
CALL mpn_sec.try($$CREATE CONSTRAINT TRIGGER exclusive_late AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
-- the rules hold
CALL mpn_sec.try($$DELETE FROM mpn_sec_app.keys WHERE id = 1$$);
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.offers VALUES ('u1', 'visual_studio')$$);
RESET ROLE;
SELECT c.relname, r.* FROM pg_class c, mpn_sec.rules(c.oid) r
WHERE c.relnamespace = 'mpn_sec_app'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2;
-- The role granted TRUNCATE: PostgreSQL's own refusals for the rest; its
-- TRUNCATE is refused while the table holds a redemption, as a DELETE of
-- it would be (the truncate guard, from 1.3)
SET ROLE regress_mpn_sec_truncator;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'other_date')$$);
CALL mpn_sec.try('DROP INDEX mpn_sec_app.keys_key');
CALL mpn_sec.try('DROP TRIGGER redeem_once ON mpn_sec_app.keys');
CALL mpn_sec.try('ALTER TABLE mpn_sec_app.keys DISABLE TRIGGER redeem_once');
SELECT mpn.check_triggers() AS checked;
BEGIN;
TRUNCATE mpn_sec_app.keys;
ROLLBACK;
RESET ROLE;
-- The owner may change its rules (the recheck follows the arguments), and
-- replace one by a function of its own ...
SET ROLE regress_mpn_sec_owner;
BEGIN;
CREATE UNIQUE INDEX keys_key_other ON mpn_sec_app.keys (key) WHERE other_date IS NOT NULL;
CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'other_date');
CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	FOR EACH ROW EXECUTE FUNCTION mpn_sec_app.audit();
SELECT * FROM mpn_sec.rules('mpn_sec_app.keys');
SELECT * FROM mpn_sec.rules('mpn_sec_app.offers');
ROLLBACK;
-- ... but not by a function of a temporary schema, and neither may a
-- superuser
CREATE FUNCTION pg_temp.owner_allow() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.keys
	FOR EACH ROW EXECUTE FUNCTION pg_temp.owner_allow()$$);
RESET ROLE;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	FOR EACH ROW EXECUTE FUNCTION pg_temp.owner_allow()$$);
-- Constraint triggers, deferrable or not, by the owner too: refused when
-- attached; attached unchecked (check_function_bodies off), every row is
-- refused
SET ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$CREATE CONSTRAINT TRIGGER exclusive_late AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
CALL mpn_sec.try($$CREATE CONSTRAINT TRIGGER exclusive_late AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	NOT DEFERRABLE
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
SET check_function_bodies = off;
CREATE CONSTRAINT TRIGGER exclusive_late AFTER INSERT OR UPDATE ON mpn_sec_app.offers
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
RESET check_function_bodies;
BEGIN;
INSERT INTO mpn_sec_app.offers VALUES ('u2', 'visual_studio');
CALL mpn_sec.try('SET CONSTRAINTS ALL IMMEDIATE');
ROLLBACK;
DROP TRIGGER exclusive_late ON mpn_sec_app.offers;
RESET ROLE;
SELECT c.relname, r.* FROM pg_class c, mpn_sec.rules(c.oid) r
WHERE c.relnamespace = 'mpn_sec_app'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2;

-- Through a partitioned table: the owner attached the rules to a
-- partition, not to the parent; a role granted TRIGGER on both runs CREATE
-- OR REPLACE TRIGGER of the same name on the parent, which PostgreSQL
-- carries to the partitions, replacing their own triggers of that name.
-- Each partition's trigger is judged as its own table's: the replacement
-- is refused (42501, naming the partition), whether the rule has a recheck
-- or not, and the rules hold.  (Inside transactions rolled back: a
-- replacement let through would change nothing after them.)
SET ROLE regress_mpn_sec_owner;
CREATE TABLE mpn_sec_app.pkeys (id integer, key text, redeemed date) PARTITION BY RANGE (id);
CREATE TABLE mpn_sec_app.pkeys_1 PARTITION OF mpn_sec_app.pkeys FOR VALUES FROM (0) TO (100);
CREATE UNIQUE INDEX pkeys_1_key ON mpn_sec_app.pkeys_1 (key);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.pkeys_1
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
INSERT INTO mpn_sec_app.pkeys VALUES (1, 'K-1', '2021-01-15');
CREATE TABLE mpn_sec_app.poffers (user_id text, offer text, PRIMARY KEY (user_id, offer))
	PARTITION BY LIST (offer);
CREATE TABLE mpn_sec_app.poffers_1 PARTITION OF mpn_sec_app.poffers DEFAULT;
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.poffers_1
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
INSERT INTO mpn_sec_app.poffers VALUES ('u1', 'azure_bulk_credit');
GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON mpn_sec_app.pkeys, mpn_sec_app.pkeys_1,
	mpn_sec_app.poffers, mpn_sec_app.poffers_1 TO regress_mpn_sec_clerk;
RESET ROLE;
SET ROLE regress_mpn_sec_clerk;
-- redeem_once by a function of the clerk's
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.pkeys
	FOR EACH ROW EXECUTE FUNCTION mpn_sec_clerk.allow()$$);
-- exclusive_offer, which has no recheck, by a function of the clerk's
-- (before each partition was judged, this went through, and u1 could then
-- hold visual_studio with azure_bulk_credit)
BEGIN;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.poffers
	FOR EACH ROW EXECUTE FUNCTION mpn_sec_clerk.allow()$$);
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.poffers VALUES ('u1', 'visual_studio')$$, false);
ROLLBACK;
-- redeem_once narrowed to BEFORE INSERT, with check_function_bodies off
-- (its recheck, AFTER UPDATE, would stay as it was; before each partition
-- was judged, this went through, and the redemption could be deleted)
BEGIN;
SET LOCAL check_function_bodies = off;
CALL mpn_sec.try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT ON mpn_sec_app.pkeys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL mpn_sec.try($$DELETE FROM mpn_sec_app.pkeys WHERE id = 1$$, false);
ROLLBACK;
RESET ROLE;
SELECT c.relname, r.* FROM pg_class c, mpn_sec.rules(c.oid) r
WHERE c.relnamespace = 'mpn_sec_app'::regnamespace AND c.relname LIKE 'p%' ORDER BY 1, 2;

--
-- 5. A squatted schema.  A role with CREATE on the database makes schema
-- mpn before the install, to own the schema every user's calls of the
-- extension's functions are looked up in.  CREATE EXTENSION refuses a
-- schema mpn that a role other than a superuser owns (whoever installs),
-- one that holds objects not the extension's, or one in which other roles
-- may create; so does the update script.  A trusted install leaves the
-- schema to the bootstrap superuser.  In a database of its own, owned by
-- regress_mpn_sec_dbowner.
--
CREATE DATABASE regression_mpn_sec OWNER regress_mpn_sec_dbowner;
GRANT CREATE ON DATABASE regression_mpn_sec TO regress_mpn_sec_squatter;
\c regression_mpn_sec
:helpers
-- (a) The issue's reproduction: the squatter's schema, then CREATE
-- EXTENSION by a superuser, and by the database owner
SET ROLE regress_mpn_sec_squatter;
CREATE SCHEMA mpn;
RESET ROLE;
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
SET ROLE regress_mpn_sec_dbowner;
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
RESET ROLE;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'mpn_benefits';
-- (b) The squatter installs it itself (a trusted install) into its own
-- schema: refused as well (the schema was made before, by a role that is
-- no superuser, which could add an overload from another session while
-- the install runs)
SET ROLE regress_mpn_sec_squatter;
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
RESET ROLE;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'mpn_benefits';
DROP SCHEMA mpn;
-- (c) A planted overload in the squatter's schema: refused to the
-- squatter's own install (the schema's owner), and to a superuser's once
-- the schema is a superuser's (55000, naming it)
SET ROLE regress_mpn_sec_squatter;
CREATE SCHEMA mpn;
CREATE FUNCTION mpn.key_valid_until(t text) RETURNS date LANGUAGE sql AS 'SELECT current_date';
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
RESET ROLE;
DO $$ BEGIN
	EXECUTE format('ALTER SCHEMA mpn OWNER TO %I', pg_get_userbyid(10));
END $$;
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
DROP FUNCTION mpn.key_valid_until(text);
DROP SCHEMA mpn;
-- (d) CREATE on an otherwise fine schema granted to PUBLIC, or to a role
CREATE SCHEMA mpn;
GRANT CREATE ON SCHEMA mpn TO PUBLIC;
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
REVOKE CREATE ON SCHEMA mpn FROM PUBLIC;
GRANT CREATE ON SCHEMA mpn TO regress_mpn_sec_squatter;
CALL mpn_sec.try('CREATE EXTENSION mpn_benefits');
DROP SCHEMA mpn;
-- (e) A trusted install by the database owner: the schema is the
-- bootstrap superuser's, the installer cannot add mpn.key_valid_until(text)
SET ROLE regress_mpn_sec_dbowner;
CREATE EXTENSION mpn_benefits;
SELECT e.extowner::regrole AS extension_owner, n.nspowner = 10 AS schema_owner_is_bootstrap_superuser,
       has_schema_privilege('mpn', 'CREATE') AS installer_may_create
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'mpn_benefits';
CALL mpn_sec.try($$CREATE FUNCTION mpn.key_valid_until(t text) RETURNS date LANGUAGE sql AS 'SELECT current_date'$$);
RESET ROLE;
-- (8, a variant) DROP OWNED BY the installer CASCADE would drop the
-- extension under another role's product_key column: refused
SET ROLE regress_mpn_sec_squatter;
CREATE SCHEMA partner;
CREATE TABLE partner.keys (key mpn.product_key);
RESET ROLE;
CALL mpn_sec.try('DROP OWNED BY regress_mpn_sec_dbowner CASCADE');
SET ROLE regress_mpn_sec_dbowner;
CALL mpn_sec.try('DROP OWNED BY regress_mpn_sec_dbowner CASCADE');
RESET ROLE;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'mpn_benefits';
DROP SCHEMA partner CASCADE;
SET ROLE regress_mpn_sec_dbowner;
DROP EXTENSION mpn_benefits;
RESET ROLE;
DROP SCHEMA mpn;
-- (f) The update script checks the same: 1.1, which did not, installed
-- into the squatter's schema; ALTER EXTENSION ... UPDATE is refused until
-- the schema is a superuser's
SET ROLE regress_mpn_sec_squatter;
CREATE SCHEMA mpn;
RESET ROLE;
CREATE EXTENSION mpn_benefits VERSION '1.1';
CALL mpn_sec.try('ALTER EXTENSION mpn_benefits UPDATE');
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';
DO $$ BEGIN
	EXECUTE format('ALTER SCHEMA mpn OWNER TO %I', pg_get_userbyid(10));
END $$;
ALTER EXTENSION mpn_benefits UPDATE;
SELECT e.extversion, n.nspowner = 10 AS schema_owner_is_bootstrap_superuser
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'mpn_benefits';
DROP EXTENSION mpn_benefits;
DROP SCHEMA mpn;
-- (1, a variant) ALTER EXTENSION ... UPDATE from 1.0 runs
-- mpn.check_triggers(false) as the bootstrap superuser: the TEMP-only
-- role's domain CHECK on its exclusive_offer table (attached unchecked
-- under 1.0) does not run then (no command of the table's owner's)
CREATE EXTENSION mpn_benefits VERSION '1.0';
SET ROLE regress_mpn_sec_intruder;
CREATE FUNCTION pg_temp.evil(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM mpn_sec.record('intruder''s domain CHECK');
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
		 WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE regress_mpn_sec_intruder SUPERUSER';
	END IF;
	RETURN true;
END
$$;
CREATE DOMAIN pg_temp.offer_d AS text CHECK (pg_temp.evil(VALUE));
CREATE TEMP TABLE offers (u text, offer pg_temp.offer_d, PRIMARY KEY (u, offer));
CREATE TRIGGER ex AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET ROLE;
SELECT * FROM mpn_sec.fired();
ALTER EXTENSION mpn_benefits UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';
SELECT * FROM mpn_sec.fired();
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_mpn_sec_intruder';
\c :regress_db
DROP DATABASE regression_mpn_sec;

--
-- 6. One role's tables never make another role's command fail.  A
-- TEMP-only role attaches, with check_function_bodies off, a rule that
-- cannot work (redeem_once('nope', 'nope')), and a rule on a column of a
-- type of the owner's (USAGE on types is PUBLIC's); other roles' DROP
-- INDEX, CREATE TABLE and ALTER TABLE on their own tables go through, and
-- their errors name only their own tables.  DROP TYPE/DOMAIN ... CASCADE
-- that would drop a column a rule reads is refused to the table's owner
-- (1.1 let it through, and every DROP INDEX failed afterwards); another
-- role's, a superuser's included, goes ahead with a WARNING, and the rule
-- then refuses every row until its owner mends it: a role that uses the
-- owner's type cannot make the owner's DROP ... CASCADE fail.  The lock
-- case is the isolation spec security_locks.
--
SET ROLE regress_mpn_sec_owner;
CREATE TYPE mpn_sec_app.tag AS ENUM ('azure_bulk_credit', 'visual_studio');
RESET ROLE;
SET ROLE regress_mpn_sec_intruder;
SET check_function_bodies = off;
CREATE TEMP TABLE blocker (k text, d date);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON blocker
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('nope', 'nope');
RESET check_function_bodies;
CREATE TEMP TABLE squat (u text, offer mpn_sec_app.tag, PRIMARY KEY (u, offer));
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON squat
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET ROLE;
-- the owner's DDL on its own tables
SET ROLE regress_mpn_sec_owner;
CREATE TABLE mpn_sec_app.t6 (id integer PRIMARY KEY, key text, redeemed date);
CREATE UNIQUE INDEX t6_key ON mpn_sec_app.t6 (key);
CREATE INDEX t6_id ON mpn_sec_app.t6 (id);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_sec_app.t6
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
ALTER TABLE mpn_sec_app.t6 ADD COLUMN note text;
DROP INDEX mpn_sec_app.t6_id;
CALL mpn_sec.try('DROP INDEX mpn_sec_app.t6_key');
CALL mpn_sec.try('ALTER TABLE mpn_sec_app.t6 DROP COLUMN redeemed');
CALL mpn_sec.try('ALTER TABLE mpn_sec_app.t6 RENAME COLUMN key TO product_key');
RESET ROLE;
-- the clerk's, in its own schema
SET ROLE regress_mpn_sec_clerk;
CREATE TABLE mpn_sec_clerk.t6 (id integer, note text);
CREATE INDEX t6_id ON mpn_sec_clerk.t6 (id);
ALTER TABLE mpn_sec_clerk.t6 ADD COLUMN more text;
DROP INDEX mpn_sec_clerk.t6_id;
DROP TABLE mpn_sec_clerk.t6;
RESET ROLE;
-- the superuser's
CREATE TABLE mpn_sec.t6 (id integer, note text);
CREATE INDEX t6_id ON mpn_sec.t6 (id);
ALTER TABLE mpn_sec.t6 ADD COLUMN more text;
DROP INDEX mpn_sec.t6_id;
DROP TABLE mpn_sec.t6;
-- DROP TYPE and DROP DOMAIN ... CASCADE under the owner's guarded
-- columns, by the owner: refused
SET ROLE regress_mpn_sec_owner;
CREATE DOMAIN mpn_sec_app.user_code AS text;
CREATE TYPE mpn_sec_app.offer_kind AS ENUM ('azure_bulk_credit', 'visual_studio');
CREATE TABLE mpn_sec_app.t6b (u mpn_sec_app.user_code, offer mpn_sec_app.offer_kind, PRIMARY KEY (u, offer));
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.t6b
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
CALL mpn_sec.try('DROP TYPE mpn_sec_app.offer_kind CASCADE');
CALL mpn_sec.try('DROP DOMAIN mpn_sec_app.user_code CASCADE');
RESET ROLE;
-- ... by a superuser, who does not own the table: the drop goes ahead
-- with a WARNING (the column, and the primary key the rule looked rows up
-- through); the rule stays, and refuses every row
DROP TYPE mpn_sec_app.offer_kind CASCADE;
SELECT * FROM mpn_sec.rules('mpn_sec_app.t6b');
SET ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.t6b VALUES ('u1')$$);
RESET ROLE;
-- The owner's DROP TYPE ... CASCADE of a type of its own that only other
-- roles' tables use, in guarded columns: grade, which the clerk's table
-- uses, in the schema the clerk owns, and tag, which the TEMP-only role's
-- temporary table of this session, squat, uses.  A role that merely uses
-- another role's type (USAGE on types is PUBLIC's) cannot take CASCADE
-- from its owner: each drop goes ahead with a WARNING, and the clerk's
-- rule then refuses every row.  (One table to a drop: the drop guard
-- names the tables in no set order.  Inside a transaction rolled back:
-- section 7 uses squat.)
SET ROLE regress_mpn_sec_owner;
CREATE TYPE mpn_sec_app.grade AS ENUM ('azure_bulk_credit', 'visual_studio');
RESET ROLE;
SET ROLE regress_mpn_sec_clerk;
CREATE TABLE mpn_sec_clerk.graded (u text, offer mpn_sec_app.grade, PRIMARY KEY (u, offer));
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_clerk.graded
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET ROLE;
BEGIN;
SET LOCAL ROLE regress_mpn_sec_owner;
DROP TYPE mpn_sec_app.grade CASCADE;
DROP TYPE mpn_sec_app.tag CASCADE;
SET LOCAL ROLE regress_mpn_sec_clerk;
CALL mpn_sec.try($$INSERT INTO mpn_sec_clerk.graded VALUES ('u1')$$);
ROLLBACK;
SET ROLE regress_mpn_sec_clerk;
DROP TABLE mpn_sec_clerk.graded;
RESET ROLE;
SET ROLE regress_mpn_sec_owner;
DROP TYPE mpn_sec_app.grade;
RESET ROLE;
SELECT * FROM mpn_sec.fired();

--
-- 7. mpn.check_triggers(false) leaves the transaction sound: each check
-- runs in a subtransaction of its own, so a failing one (here through
-- SPI, in a PL/pgSQL CHECK) leaks nothing: more statements, savepoints,
-- cursors and COMMIT inside a procedure go on working, with no "portal is
-- pinned", no "non-empty SPI stack", no leaked buffer pin.
--
SET ROLE regress_mpn_sec_intruder;
DROP TABLE blocker;
CREATE TEMP TABLE notes (note text);
CREATE FUNCTION pg_temp.refuse(t text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT count(*) FROM pg_catalog.pg_class WHERE relname OPERATOR(pg_catalog.=) t::name) OPERATOR(pg_catalog.>) 0;
END
$$;
CREATE DOMAIN pg_temp.refused AS text CHECK (pg_temp.refuse(VALUE));
CREATE TEMP TABLE refusing (u text, offer pg_temp.refused, PRIMARY KEY (u, offer));
SET check_function_bodies = off;
CREATE TRIGGER a_redeem_once BEFORE INSERT OR UPDATE OR DELETE ON refusing
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('nope', 'nope');
CREATE TRIGGER b_exclusive_offer AFTER INSERT OR UPDATE ON refusing
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('u', 'offer');
RESET check_function_bodies;
BEGIN;
SELECT mpn.check_triggers(false) AS checked;
SELECT count(*) AS refusing_rows FROM refusing;
SAVEPOINT a;
SELECT mpn.check_triggers(false) AS checked;
ROLLBACK TO SAVEPOINT a;
SELECT mpn.check_triggers(false) AS checked;
RELEASE SAVEPOINT a;
DECLARE c CURSOR FOR SELECT g, mpn.check_triggers(false) AS checked FROM generate_series(1, 2) g;
FETCH 1 FROM c;
INSERT INTO notes VALUES ('between two fetches');
FETCH 1 FROM c;
CLOSE c;
COMMIT;
-- strict, in a savepoint: the error, then the transaction goes on
BEGIN;
SAVEPOINT b;
SELECT mpn.check_triggers();
ROLLBACK TO SAVEPOINT b;
INSERT INTO notes VALUES ('after the error');
COMMIT;
SELECT * FROM notes;
-- a procedure that commits after each call
CREATE PROCEDURE pg_temp.check_and_commit()
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT g FROM generate_series(1, 2) g LOOP
		PERFORM mpn.check_triggers(false);
		COMMIT;
	END LOOP;
END
$$;
CALL pg_temp.check_and_commit();
-- an exception block around it
DO $$
BEGIN
	PERFORM mpn.check_triggers(false);
	PERFORM 1 / 0;
EXCEPTION WHEN division_by_zero THEN
	RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
DROP TABLE squat, refusing, notes;
RESET ROLE;

--
-- 8. Cascades and guarded data.  A DROP whose reach includes the
-- extension while tables use its types is refused before it starts,
-- whatever the path and whoever runs it.  One that would drop a column or
-- index an mpn trigger needs is refused when the table is the dropper's
-- own (of a role it is a member of; being a superuser does not count); on
-- another role's table it goes ahead with a WARNING, and the rule then
-- refuses every row until its owner mends it (a role that uses another's
-- type or domain cannot make that owner's DROP ... CASCADE fail).  A whole
-- guarded table still goes with its owner's DROP, and a probe index goes
-- when another index serves.
--
-- (a) The extension, while the owner's tables use mpn.product_key
CALL mpn_sec.try('DROP EXTENSION plpgsql CASCADE', false);
CALL mpn_sec.try('DROP EXTENSION mpn_benefits CASCADE', false);
CALL mpn_sec.try('DROP SCHEMA mpn CASCADE', false);
SELECT mpn_sec.outcome('DROP EXTENSION plpgsql CASCADE') LIKE '%' || E'\n' || 'table mpn_sec_app.keys' || E'\n' || '%'
       AS detail_names_the_table;
-- (b) DROP OWNED BY ... CASCADE of the clerk, who owns the domain of the
-- offer column of the owner's offers_d (section 1).  Refused while the
-- clerk is a member of the owning role (trusted with the table as its
-- owner is); the clerk's own, not a member, and a superuser's go ahead
-- with a WARNING, and offers_d then refuses every row.  (Each inside a
-- transaction rolled back: (c) uses the clerk's objects.  Before the
-- clerk's own, the owner revokes what it granted the clerk: DROP OWNED BY
-- run by the clerk cannot, and PostgreSQL would warn of each column.)
BEGIN;
GRANT regress_mpn_sec_owner TO regress_mpn_sec_clerk;
SET LOCAL ROLE regress_mpn_sec_clerk;
CALL mpn_sec.try('DROP OWNED BY regress_mpn_sec_clerk CASCADE');
ROLLBACK;
BEGIN;
SET LOCAL ROLE regress_mpn_sec_owner;
REVOKE ALL ON ALL TABLES IN SCHEMA mpn_sec_app FROM regress_mpn_sec_clerk;
SET LOCAL ROLE regress_mpn_sec_clerk;
DROP OWNED BY regress_mpn_sec_clerk CASCADE;
SET LOCAL ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.offers_d (user_id) VALUES ('u9')$$);
ROLLBACK;
BEGIN;
DROP OWNED BY regress_mpn_sec_clerk CASCADE;
SET LOCAL ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.offers_d (user_id) VALUES ('u9')$$);
ROLLBACK;
-- (c) DROP DOMAIN / SCHEMA ... CASCADE reaching a guarded column: the
-- owner's, of a domain in a schema of its own under its own table,
-- refused; a superuser's DROP SCHEMA of it goes ahead with a WARNING, and
-- the table then refuses every row
CREATE SCHEMA mpn_sec_kinds AUTHORIZATION regress_mpn_sec_owner;
SET ROLE regress_mpn_sec_owner;
CREATE DOMAIN mpn_sec_kinds.offer_code AS text;
CREATE TABLE mpn_sec_app.offers_k (user_id text, offer mpn_sec_kinds.offer_code,
	PRIMARY KEY (user_id, offer));
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_sec_app.offers_k
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
CALL mpn_sec.try('DROP DOMAIN mpn_sec_kinds.offer_code CASCADE');
CALL mpn_sec.try('DROP SCHEMA mpn_sec_kinds CASCADE');
RESET ROLE;
DROP SCHEMA mpn_sec_kinds CASCADE;
SET ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.offers_k (user_id) VALUES ('u1')$$);
DROP TABLE mpn_sec_app.offers_k;
RESET ROLE;
-- the clerk's, of its domain under the owner's offers_d, or of its
-- schema: a WARNING, and offers_d refuses every row (inside transactions
-- rolled back)
BEGIN;
SET LOCAL ROLE regress_mpn_sec_clerk;
DROP DOMAIN mpn_sec_clerk.offer_code CASCADE;
SET LOCAL ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.offers_d (user_id) VALUES ('u9')$$);
ROLLBACK;
BEGIN;
SET LOCAL ROLE regress_mpn_sec_clerk;
DROP SCHEMA mpn_sec_clerk CASCADE;
SET LOCAL ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.offers_d (user_id) VALUES ('u9')$$);
ROLLBACK;
-- (d) A whole guarded table dropped by its owner, or with its schema, or
-- with its owner's objects
SET ROLE regress_mpn_sec_owner;
BEGIN;
DROP TABLE mpn_sec_app.keys;
ROLLBACK;
RESET ROLE;
BEGIN;
SET LOCAL client_min_messages = warning;
DROP SCHEMA mpn_sec_app CASCADE;
ROLLBACK;
BEGIN;
SET LOCAL client_min_messages = warning;
DROP OWNED BY regress_mpn_sec_owner CASCADE;
ROLLBACK;
-- (e) DROP INDEX of the index a rule looks rows up through: the owner's
-- goes when another serves, not the last one, not CONCURRENTLY either
-- (which could not be undone at its end); a role that does not own it
-- gets PostgreSQL's refusal, which names no trigger; a superuser's goes
-- ahead with a WARNING, and the rule then refuses every row (inside a
-- transaction rolled back)
SET ROLE regress_mpn_sec_owner;
CREATE UNIQUE INDEX keys_key2 ON mpn_sec_app.keys (key);
DROP INDEX mpn_sec_app.keys_key;
CALL mpn_sec.try('DROP INDEX mpn_sec_app.keys_key2');
DROP INDEX CONCURRENTLY mpn_sec_app.keys_key2;
CREATE UNIQUE INDEX keys_key3 ON mpn_sec_app.keys (key);
DROP INDEX CONCURRENTLY mpn_sec_app.keys_key3;
CREATE INDEX offers_user ON mpn_sec_app.offers (user_id);
DROP INDEX mpn_sec_app.offers_user;
CALL mpn_sec.try('ALTER TABLE mpn_sec_app.offers DROP CONSTRAINT offers_pkey');
RESET ROLE;
SET ROLE regress_mpn_sec_clerk;
CALL mpn_sec.try('DROP INDEX mpn_sec_app.keys_key2');
DROP INDEX CONCURRENTLY mpn_sec_app.keys_key2;
RESET ROLE;
BEGIN;
DROP INDEX mpn_sec_app.keys_key2;
SET LOCAL ROLE regress_mpn_sec_owner;
CALL mpn_sec.try($$INSERT INTO mpn_sec_app.keys (id) VALUES (2)$$);
ROLLBACK;
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index
WHERE indrelid IN ('mpn_sec_app.keys'::regclass, 'mpn_sec_app.offers'::regclass) ORDER BY indexrelid::regclass::text COLLATE "C";
SELECT c.relname, r.* FROM pg_class c, mpn_sec.rules(c.oid) r
WHERE c.relnamespace = 'mpn_sec_app'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2;

--
-- No role became superuser, and no planted code ran unseen
--
SELECT rolname, rolsuper FROM pg_roles WHERE rolname LIKE 'regress\_mpn\_sec\_%' ORDER BY 1;
SELECT * FROM mpn_sec.fired();

--
-- Clean up: everything the suite made
--
\c
SET client_min_messages = warning;
DROP SCHEMA mpn_sec_app CASCADE;
DROP SCHEMA mpn_sec_clerk CASCADE;
DROP SCHEMA mpn_sec_hijack CASCADE;
DROP SCHEMA mpn_sec CASCADE;
DROP OWNED BY regress_mpn_sec_owner, regress_mpn_sec_clerk, regress_mpn_sec_truncator,
	regress_mpn_sec_creator, regress_mpn_sec_squatter, regress_mpn_sec_intruder,
	regress_mpn_sec_dbowner;
DROP ROLE regress_mpn_sec_owner, regress_mpn_sec_clerk, regress_mpn_sec_truncator,
	regress_mpn_sec_creator, regress_mpn_sec_squatter, regress_mpn_sec_intruder,
	regress_mpn_sec_dbowner;
RESET client_min_messages;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'regress\_mpn\_sec\_%';
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname LIKE 'mpn\_sec%';
SELECT count(*) AS databases_left FROM pg_database WHERE datname = 'regression_mpn_sec';
