--
-- upgrade: ALTER EXTENSION mpn_benefits UPDATE from 1.0 (through 1.1 and
-- 1.2), from 1.1 and from 1.2 gives exactly a fresh install of the current
-- version, and keeps
-- the data and the behaviour of what was built on the older version.
--
-- In a database of its own, 1.0 is installed from its own script, with
-- this build's library: every function 1.0 declares is called (the library
-- still answers to 1.0's C symbol names), a ledger is filled, and the
-- integrity triggers refuse.  Then ALTER EXTENSION ... UPDATE, and:
--   - the extension's objects (members, function definitions, operators
--     and their support functions, operator classes, casts, types, the
--     event trigger, comments, privileges) equal those of a fresh install
--     in another database, line for line;
--   - every row of every ledger table is unchanged;
--   - every function gives what it gave under 1.0;
--   - the triggers attached under 1.0 still refuse.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP DATABASE IF EXISTS mpn_upgrade_old;
DROP DATABASE IF EXISTS mpn_upgrade_fresh;
DROP DATABASE IF EXISTS mpn_upgrade_1_1;
CREATE DATABASE mpn_upgrade_old;
CREATE DATABASE mpn_upgrade_fresh;
CREATE DATABASE mpn_upgrade_1_1;
CREATE DATABASE mpn_upgrade_1_2;
RESET client_min_messages;

-- The extension's objects, one line each, without OIDs: run in both
-- databases (psql keeps variables across \c).
SELECT $describe$
CREATE FUNCTION pg_temp.extension_objects() RETURNS SETOF text
LANGUAGE sql AS $$
	WITH members AS (
		SELECT d.classid, d.objid, d.objsubid
		FROM pg_depend d JOIN pg_extension e
		  ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
		WHERE e.extname = 'mpn_benefits' AND d.deptype = 'e'
	)
	SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
	  FROM members
	UNION ALL
	SELECT 'comment ' || pg_describe_object(classid, objid, objsubid) || ': '
		   || coalesce(obj_description(objid, classid::regclass::name), '(none)')
	  FROM members
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure || ' acl ' || coalesce(p.proacl::text, 'default')
		   || E'\n' || pg_get_functiondef(p.oid)
	  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	 WHERE p.prokind <> 'a'
	UNION ALL
	SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || a.aggtransfn::regprocedure
		   || ' ' || a.aggsortop::regoperator || ' ' || a.aggtranstype::regtype
	  FROM members m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
	UNION ALL
	SELECT format('operator %s code %s com %s neg %s rest %s join %s hashes %s merges %s',
				  o.oid::regoperator, o.oprcode::regprocedure, o.oprcom::regoperator,
				  o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
	  FROM members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
	UNION ALL
	SELECT format('opclass %s %s for %s default %s family %s',
				  am.amname, c.opcname, c.opcintype::regtype, c.opcdefault, f.opfname)
	  FROM members m JOIN pg_opclass c ON m.classid = 'pg_opclass'::regclass AND c.oid = m.objid
	  JOIN pg_am am ON am.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
	UNION ALL
	SELECT format('opfamily %s %s strategy %s %s', am.amname, f.opfname, ao.amopstrategy,
				  ao.amopopr::regoperator)
	  FROM pg_amop ao JOIN pg_opfamily f ON f.oid = ao.amopfamily JOIN pg_am am ON am.oid = f.opfmethod
	 WHERE f.opfnamespace = 'mpn'::regnamespace
	UNION ALL
	SELECT format('opfamily %s %s support %s %s', am.amname, f.opfname, ap.amprocnum,
				  ap.amproc::regprocedure)
	  FROM pg_amproc ap JOIN pg_opfamily f ON f.oid = ap.amprocfamily JOIN pg_am am ON am.oid = f.opfmethod
	 WHERE f.opfnamespace = 'mpn'::regnamespace
	UNION ALL
	SELECT format('type %s len %s byval %s align %s storage %s in %s out %s recv %s send %s array %s',
				  t.oid::regtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput,
				  t.typoutput, t.typreceive, t.typsend, t.typarray::regtype)
	  FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	SELECT format('cast %s -> %s via %s context %s', c.castsource::regtype, c.casttarget::regtype,
				  c.castfunc::regprocedure, c.castcontext)
	  FROM members m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT format('event trigger %s on %s calls %s tags %s enabled %s', t.evtname, t.evtevent,
				  t.evtfoid::regprocedure, t.evttags, t.evtenabled)
	  FROM members m JOIN pg_event_trigger t ON m.classid = 'pg_event_trigger'::regclass AND t.oid = m.objid
	UNION ALL
	SELECT format('schema %s acl %s', nspname, nspacl) FROM pg_namespace WHERE nspname = 'mpn'
	UNION ALL
	SELECT format('extension version %s relocatable %s schema %s', extversion, extrelocatable,
				  extnamespace::regnamespace)
	  FROM pg_extension WHERE extname = 'mpn_benefits'
$$
$describe$ AS describe_fn \gset

-- Every function of the extension called once, as its users call it, on
-- fixed values; the result as text.  Support functions (I/O, comparison,
-- hashing, sort support, aggregates' transitions) are called through what
-- uses them.  Also run in both versions.
SELECT $calls$
CREATE FUNCTION pg_temp.every_call() RETURNS TABLE (call text, result text)
LANGUAGE plpgsql AS $$
DECLARE
	c text;
	r text;
	scratch text := '/tmp/mpn_upgrade_calls_' || pg_backend_pid() || '.bin';
BEGIN
	CREATE TEMP TABLE call_keys (k mpn.product_key, t mpn.license_term);
	CREATE TEMP TABLE call_keys_again (LIKE call_keys);
	INSERT INTO call_keys VALUES
		('BCDFG-HJKMP-QRTVW-XY234-6789B', '100 licenses [2023-03-01,2024-03-01)'),
		('22222-22222-22222-22222-2222N', '1 license [2024-01-01,2024-01-02)');
	FOREACH c IN ARRAY ARRAY[
		$q$SELECT 'bcdfghjkmpqrtvwxy2346789b'::mpn.product_key$q$,
		$q$SELECT mpn.product_key('bcdfg-hjkmp-qrtvw-xy234-6789b')$q$,
		$q$SELECT mpn.text('BCDFG-HJKMP-QRTVW-XY234-6789B'::mpn.product_key)$q$,
		$q$SELECT mpn.is_valid_product_key('BCDFG-HJKMP-QRTVW-XY234-6789A')$q$,
		$q$SELECT string_agg(encode(mpn.product_key_send(k), 'hex'), ',' ORDER BY k) FROM call_keys$q$,
		$q$SELECT string_agg(k::text, ',' ORDER BY k) FROM call_keys$q$,
		$q$SELECT array_agg(mpn.product_key_cmp(a.k, b.k) ORDER BY a.k, b.k) FROM call_keys a, call_keys b$q$,
		$q$SELECT array_agg(ARRAY[a.k OPERATOR(mpn.=) b.k, a.k OPERATOR(mpn.<>) b.k, a.k OPERATOR(mpn.<) b.k,
		                          a.k OPERATOR(mpn.<=) b.k, a.k OPERATOR(mpn.>) b.k, a.k OPERATOR(mpn.>=) b.k]
		                    ORDER BY a.k, b.k) FROM call_keys a, call_keys b$q$,
		$q$SELECT array_agg(ARRAY[mpn.product_key_hash(k)::bigint, mpn.product_key_hash_extended(k, 7)] ORDER BY k)
		   FROM call_keys$q$,
		$q$SELECT mpn.min(k)::text || ' ' || mpn.max(k)::text FROM call_keys$q$,
		$q$SELECT '7 licenses [2024-01-01,2024-02-01)'::mpn.license_term$q$,
		$q$SELECT mpn.license_term(7, '2024-01-01', '2024-02-01')$q$,
		$q$SELECT mpn.is_valid_license_term('0 licenses [2024-01-01,2024-02-01)')$q$,
		$q$SELECT string_agg(encode(mpn.license_term_send(t), 'hex'), ',' ORDER BY t) FROM call_keys$q$,
		$q$SELECT string_agg(mpn.licenses(t) || ' ' || mpn.starts(t) || ' ' || mpn.ends(t) || ' '
		                     || mpn.period(t), ',' ORDER BY t) FROM call_keys$q$,
		$q$SELECT array_agg(mpn.license_term_cmp(a.t, b.t) ORDER BY a.t, b.t) FROM call_keys a, call_keys b$q$,
		$q$SELECT array_agg(ARRAY[a.t OPERATOR(mpn.=) b.t, a.t OPERATOR(mpn.<>) b.t, a.t OPERATOR(mpn.<) b.t,
		                          a.t OPERATOR(mpn.<=) b.t, a.t OPERATOR(mpn.>) b.t, a.t OPERATOR(mpn.>=) b.t]
		                    ORDER BY a.t, b.t) FROM call_keys a, call_keys b$q$,
		$q$SELECT array_agg(ARRAY[mpn.license_term_hash(t)::bigint, mpn.license_term_hash_extended(t, 7)] ORDER BY t)
		   FROM call_keys$q$,
		format($q$COPY call_keys TO %L WITH (FORMAT binary)$q$, scratch),
		format($q$COPY call_keys_again FROM %L WITH (FORMAT binary)$q$, scratch),
		$q$SELECT count(*) FROM call_keys a JOIN call_keys_again b
		   ON a.k OPERATOR(mpn.=) b.k AND a.t OPERATOR(mpn.=) b.t$q$,
		format($q$COPY (SELECT) TO PROGRAM %L$q$, 'cat >/dev/null; rm -f ' || scratch),
		$q$SELECT mpn.today()$q$,
		$q$SELECT mpn.benefit_expiry('2024-02-29')$q$,
		$q$SELECT mpn.activation_deadline('2024-01-31', true)$q$,
		$q$SELECT mpn.can_activate('2024-01-31', true, '2024-03-01')$q$,
		$q$SELECT mpn.key_valid_until('2020-12-01')$q$,
		$q$SELECT mpn.key_is_usable('2020-12-01', '2021-06-01')$q$,
		$q$SELECT mpn.can_renew('2024-01-01', '2023-12-31')$q$,
		$q$SELECT mpn.reassignable_on('2024-01-01')$q$,
		$q$SELECT mpn.can_reassign('2024-01-01', '2024-03-31')$q$,
		$q$SELECT mpn.add_licenses('100 licenses [2023-03-01,2024-03-01)', 100, '2024-01-01')$q$,
		$q$SELECT mpn.extend('100 licenses [2023-03-01,2024-03-01)', '2024-01-01')$q$,
		$q$SELECT mpn.remaining_days('100 licenses [2023-03-01,2024-03-01)', '2024-01-01')$q$,
		$q$SELECT mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 100, '2024-01-01')$q$]
	LOOP
		BEGIN
			IF c LIKE 'COPY%' THEN
				EXECUTE c;
				r := 'done';
			ELSE
				EXECUTE c INTO r;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			r := SQLSTATE || ': ' || SQLERRM;
		END;
		call := regexp_replace(replace(c, scratch, '<scratch file>'), '\s+', ' ', 'g');
		result := coalesce(r, 'NULL');
		RETURN NEXT;
	END LOOP;
	DROP TABLE call_keys, call_keys_again;
END
$$
$calls$ AS calls_fn \gset

--
-- A fresh install of the current version
--
\c mpn_upgrade_fresh
SET DateStyle = 'ISO, YMD';
CREATE EXTENSION mpn_benefits;
:describe_fn;
SELECT '/tmp/mpn_upgrade_fresh_' || pg_backend_pid() || '.txt' AS fresh_file \gset
COPY (SELECT * FROM pg_temp.extension_objects()) TO :'fresh_file';

--
-- 1.0, from its own script, with this build's library
--
\c mpn_upgrade_old
SET DateStyle = 'ISO, YMD';
SET mpn.as_of_date = '2025-06-15';
CREATE EXTENSION mpn_benefits VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';
-- 1.0 declares functions by their bare C names: this library answers to them
SELECT count(*) FILTER (WHERE p.prosrc NOT LIKE 'mpn\_%' AND p.prosrc NOT LIKE 'product\_key\_%'
                          AND p.prosrc NOT LIKE 'license\_term\_%') AS bare_symbols_in_1_0
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'mpn'::regnamespace AND l.lanname = 'c';
:calls_fn;
CREATE TABLE call_results_1_0 AS SELECT * FROM pg_temp.every_call();
SELECT * FROM call_results_1_0;

-- a filled ledger, its triggers attached by 1.0's create_ledger
SET client_min_messages = warning;
SELECT mpn.create_ledger('upgrade_ledger');
SELECT mpn.fill_ledger('upgrade_ledger', 20, 11, '2025-06-15');
RESET client_min_messages;
SELECT c.relname AS ledger_table, t.tgname, t.tgfoid::regproc AS function
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'upgrade_ledger'::regnamespace AND NOT t.tgisinternal
 ORDER BY 1, 2;

-- 1.0 let a trigger be attached that cannot work (no unique index on the
-- key): it is refused only at its first row
CREATE TABLE broken_keys (key mpn.product_key, redeemed_on date);
CREATE TRIGGER broken BEFORE INSERT OR UPDATE OR DELETE ON broken_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_on');

-- every table's rows, as a digest, before the update
CREATE FUNCTION ledger_digest() RETURNS TABLE (ledger_table name, rows bigint, digest text)
LANGUAGE plpgsql AS $$
DECLARE
	rel name;
BEGIN
	FOR rel IN SELECT relname FROM pg_class
			   WHERE relnamespace = 'upgrade_ledger'::regnamespace AND relkind IN ('r', 'v')
			   ORDER BY relname
	LOOP
		ledger_table := rel;
		EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM upgrade_ledger.%I t', rel)
			INTO rows, digest;
		RETURN NEXT;
	END LOOP;
END
$$;
CREATE TABLE digest_1_0 AS SELECT * FROM ledger_digest();
SELECT ledger_table, rows FROM digest_1_0 ORDER BY 1;

--
-- The update (it says which trigger it could not protect)
--
ALTER EXTENSION mpn_benefits UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';

-- the objects are exactly a fresh install's: lines only one side has
:describe_fn;
CREATE TEMP TABLE fresh_objects (line text);
COPY fresh_objects FROM :'fresh_file';
CREATE TEMP TABLE updated_objects AS SELECT e AS line FROM pg_temp.extension_objects() AS e;
SELECT 'only after the update' AS side, line
  FROM (TABLE updated_objects EXCEPT TABLE fresh_objects) x
UNION ALL
SELECT 'only in a fresh install', line
  FROM (TABLE fresh_objects EXCEPT TABLE updated_objects) y
ORDER BY 1, 2;
SELECT count(*) > 250 AS compared_many_lines,
       count(*) FILTER (WHERE line LIKE 'function %') >= 55 AS compared_functions
  FROM fresh_objects;
-- and every C function now names its prefixed symbol
SELECT count(*) FILTER (WHERE p.prosrc NOT LIKE 'mpn\_%' AND p.prosrc NOT LIKE 'product\_key\_%'
                          AND p.prosrc NOT LIKE 'license\_term\_%') AS bare_symbols_after_update
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'mpn'::regnamespace AND l.lanname = 'c';

-- every row unchanged
SELECT a.ledger_table, a.rows AS rows_1_0, b.rows AS rows_now
  FROM digest_1_0 a LEFT JOIN ledger_digest() b ON a.ledger_table = b.ledger_table
 WHERE a.digest IS DISTINCT FROM b.digest OR a.rows IS DISTINCT FROM b.rows;
-- and the 1.0 ledger got the BI views of 1.1, and the deadlines view and
-- notice queue of 1.3 (the user's, not the extension's: the comparison
-- above found no extra member)
SELECT b.ledger_table AS new_view, b.rows
  FROM ledger_digest() b LEFT JOIN digest_1_0 a ON a.ledger_table = b.ledger_table
 WHERE a.ledger_table IS NULL ORDER BY 1;

-- every function gives what it gave under 1.0
SELECT n.call, o.result AS result_1_0, n.result AS result_now
  FROM call_results_1_0 o FULL JOIN pg_temp.every_call() n ON n.call = o.call
 WHERE o.result IS DISTINCT FROM n.result;

-- the triggers attached under 1.0 got their rechecks (and, from 1.3,
-- truncate guards), the broken one none
SELECT c.relname AS ledger_table, t.tgname AS trigger,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_recheck\_%'
           AND r.tgfoid = t.tgfoid) AS rechecks,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_truncate\_%'
           AND r.tgfoid = t.tgfoid) AS truncate_guards
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace IN ('upgrade_ledger'::regnamespace, 'public'::regnamespace) AND NOT t.tgisinternal
 ORDER BY 1, 2;

-- the triggers attached under 1.0 still refuse
SET search_path = upgrade_ledger, mpn;
SELECT key AS redeemed_key FROM product_keys WHERE redeemed_on IS NOT NULL ORDER BY key LIMIT 1 \gset
INSERT INTO product_keys (key, partner_id, redeemed_on) VALUES (:'redeemed_key', 2, '2025-06-15');
\echo :LAST_ERROR_SQLSTATE
UPDATE product_keys SET redeemed_on = redeemed_on - 1 WHERE key = :'redeemed_key';
\echo :LAST_ERROR_SQLSTATE
SELECT vs_subscription_id AS recent_vs FROM vs_assignments
 WHERE subscriber IS NOT NULL AND assigned_on > '2025-06-15'::date - 90 ORDER BY 1 LIMIT 1 \gset
UPDATE vs_assignments SET subscriber = 'someone.else@customer.example' WHERE vs_subscription_id = :recent_vs;
\echo :LAST_ERROR_SQLSTATE
-- ... and a later-named trigger cannot undo them any more
CREATE FUNCTION pg_temp.backdate_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.assigned_on := '2000-01-01';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON vs_assignments
	FOR EACH ROW EXECUTE FUNCTION pg_temp.backdate_assignment();
UPDATE vs_assignments SET partner_id = partner_id WHERE vs_subscription_id = :recent_vs;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER zzz_backdate ON vs_assignments;
RESET search_path;
-- the broken trigger is refused where it was: at its first row, and now
-- also by any change to its table
INSERT INTO broken_keys VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', NULL);
ALTER TABLE broken_keys ADD COLUMN note text;
DROP TABLE broken_keys;

-- the drop guard still guards
DROP EXTENSION mpn_benefits CASCADE;
\echo :LAST_ERROR_SQLSTATE

--
-- 1.1, from its own script, with this build's library, then the update to
-- the security release: the same objects as a fresh install, the ledger's
-- rows and rechecks kept, and the C fixes hold before the update already
-- (1.1's event triggers call this library)
--
\c mpn_upgrade_1_1
SET DateStyle = 'ISO, YMD';
SET mpn.as_of_date = '2025-06-15';
CREATE EXTENSION mpn_benefits VERSION '1.1';
SET client_min_messages = warning;
SELECT mpn.create_ledger('ledger_1_1');
SELECT mpn.fill_ledger('ledger_1_1', 20, 11, '2025-06-15');
RESET client_min_messages;
CREATE FUNCTION pg_temp.digest() RETURNS TABLE (ledger_table name, rows bigint, digest text)
LANGUAGE plpgsql AS $$
DECLARE
	rel name;
BEGIN
	FOR rel IN SELECT relname FROM pg_class
			   WHERE relnamespace = 'ledger_1_1'::regnamespace AND relkind IN ('r', 'v')
			   ORDER BY relname
	LOOP
		ledger_table := rel;
		EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM ledger_1_1.%I t', rel)
			INTO rows, digest;
		RETURN NEXT;
	END LOOP;
END
$$;
CREATE TEMP TABLE digest_1_1 AS SELECT * FROM pg_temp.digest();
CREATE TEMP VIEW rechecks AS
SELECT c.relname AS ledger_table, t.tgname AS trigger,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_recheck\_%'
           AND r.tgfoid = t.tgfoid) AS rechecks
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'ledger_1_1'::regnamespace AND NOT t.tgisinternal;
CREATE TEMP TABLE rechecks_1_1 AS SELECT * FROM rechecks;
SELECT * FROM rechecks_1_1 ORDER BY 1, 2;
-- before the update: a DROP INDEX of another table is not judged against
-- the ledger's (1.1 checked every table with an mpn trigger), and one the
-- ledger needs is refused by 1.1's event trigger, which calls this library
CREATE TABLE unrelated (x integer);
CREATE INDEX unrelated_x ON unrelated (x);
DROP INDEX unrelated_x;
DROP TABLE unrelated;
CREATE TABLE keys_1_1 (key text, redeemed date);
CREATE UNIQUE INDEX keys_1_1_key ON keys_1_1 (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys_1_1
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
DROP INDEX keys_1_1_key;
DROP TABLE keys_1_1;
ALTER EXTENSION mpn_benefits UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';
-- the objects are exactly a fresh install's
:describe_fn;
CREATE TEMP TABLE fresh_objects (line text);
COPY fresh_objects FROM :'fresh_file';
CREATE TEMP TABLE updated_objects AS SELECT e AS line FROM pg_temp.extension_objects() AS e;
SELECT 'only after the update' AS side, line
  FROM (TABLE updated_objects EXCEPT TABLE fresh_objects) x
UNION ALL
SELECT 'only in a fresh install', line
  FROM (TABLE fresh_objects EXCEPT TABLE updated_objects) y
ORDER BY 1, 2;
-- the schema now belongs to the bootstrap superuser, as after a fresh
-- install
SELECT nspowner = 10 AS schema_owner_is_bootstrap_superuser FROM pg_namespace WHERE nspname = 'mpn';
-- every row and every recheck kept (and the ledger has its deadlines view
-- and notice queue, from the update to 1.3)
SELECT coalesce(a.ledger_table, b.ledger_table) AS ledger_table, a.rows AS rows_1_1, b.rows AS rows_now
  FROM digest_1_1 a FULL JOIN pg_temp.digest() b ON a.ledger_table = b.ledger_table
 WHERE a.digest IS DISTINCT FROM b.digest OR a.rows IS DISTINCT FROM b.rows;
SELECT * FROM rechecks EXCEPT SELECT * FROM rechecks_1_1;
-- and the rules still refuse
SET search_path = ledger_1_1, mpn;
SELECT key AS redeemed_key FROM product_keys WHERE redeemed_on IS NOT NULL ORDER BY key LIMIT 1 \gset
UPDATE product_keys SET redeemed_on = redeemed_on - 1 WHERE key = :'redeemed_key';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM product_keys WHERE key = :'redeemed_key';
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
-- the update to 1.3 gave each redeem_once and reassign_after trigger its
-- truncate guard
SELECT c.relname AS ledger_table, t.tgname AS trigger,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_truncate\_%'
           AND r.tgfoid = t.tgfoid AND r.tgenabled = 'A') AS truncate_guards
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'ledger_1_1'::regnamespace AND NOT t.tgisinternal
 ORDER BY 1, 2;
DROP EXTENSION mpn_benefits CASCADE;
\echo :LAST_ERROR_SQLSTATE

--
-- 1.2, from its own script, with this build's library, then the update to
-- 1.3: the same objects as a fresh install, the ledger's rows and rechecks
-- kept, and every redeem_once and reassign_after trigger (the ledger's and
-- one attached by hand) given its truncate guard, which refuses TRUNCATE
-- of a table holding a redemption.  Before the update, the library runs
-- 1.2's attachments as they were (no guard is asked for).
--
\c mpn_upgrade_1_2
SET DateStyle = 'ISO, YMD';
SET mpn.as_of_date = '2025-06-15';
CREATE EXTENSION mpn_benefits VERSION '1.2';
SET client_min_messages = warning;
SELECT mpn.create_ledger('ledger_1_2');
SELECT mpn.fill_ledger('ledger_1_2', 20, 11, '2025-06-15');
RESET client_min_messages;
-- a ledger of another role's, in a schema of its own
CREATE ROLE regress_mpn_upgrade_partner;
GRANT CREATE ON DATABASE mpn_upgrade_1_2 TO regress_mpn_upgrade_partner;
SET ROLE regress_mpn_upgrade_partner;
SET client_min_messages = warning;
SELECT mpn.create_ledger('partner_1_2');
-- one with a name to quote
SELECT mpn.create_ledger('Partner Ledger');
-- one whose owner renamed a column the deadlines read
SELECT mpn.create_ledger('renamed_1_2');
ALTER TABLE renamed_1_2.product_keys RENAME COLUMN licenses TO license_count;
-- two where a role with CREATE on the schema put a table notices, or a
-- type, of its own
SELECT mpn.create_ledger('planted_1_2');
SELECT mpn.create_ledger('typed_1_2');
RESET client_min_messages;
RESET ROLE;
CREATE ROLE regress_mpn_upgrade_squatter;
GRANT CREATE ON SCHEMA planted_1_2, typed_1_2 TO regress_mpn_upgrade_squatter;
SET ROLE regress_mpn_upgrade_squatter;
CREATE TABLE planted_1_2.notices (id bigint);
CREATE DOMAIN typed_1_2.notices AS integer;
RESET ROLE;
-- and a schema of the superuser's in which the squatter made tables that
-- look like a ledger's (no ledger: its owner owns none of them)
CREATE SCHEMA shared_1_2;
GRANT CREATE, USAGE ON SCHEMA shared_1_2 TO regress_mpn_upgrade_squatter;
SET ROLE regress_mpn_upgrade_squatter;
CREATE TABLE shared_1_2.partners (partner_id integer PRIMARY KEY, name text);
CREATE TABLE shared_1_2.enrollments (enrollment_id integer, partner_id integer);
CREATE TABLE shared_1_2.benefits (benefit_id integer, enrollment_id integer, kind text,
	requires_user_assignment boolean, activated_on date, activation_deadline date);
CREATE TABLE shared_1_2.subscriptions (subscription_id integer, partner_id integer, product text,
	licenses integer, ends date);
CREATE TABLE shared_1_2.product_keys (key text, partner_id integer, licenses integer,
	redeemed_on date, valid_until date);
CREATE UNIQUE INDEX ON shared_1_2.product_keys (key) WHERE redeemed_on IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON shared_1_2.product_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_on');
RESET ROLE;
CREATE TABLE keys_1_2 (key text, redeemed date);
CREATE UNIQUE INDEX keys_1_2_key ON keys_1_2 (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys_1_2
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
INSERT INTO keys_1_2 VALUES ('K1', '2025-06-01'), ('K2', NULL);
CREATE FUNCTION pg_temp.digest() RETURNS TABLE (ledger_table name, rows bigint, digest text)
LANGUAGE plpgsql AS $$
DECLARE
	rel name;
BEGIN
	FOR rel IN SELECT relname FROM pg_class
			   WHERE relnamespace = 'ledger_1_2'::regnamespace AND relkind IN ('r', 'v')
			   ORDER BY relname
	LOOP
		ledger_table := rel;
		EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM ledger_1_2.%I t', rel)
			INTO rows, digest;
		RETURN NEXT;
	END LOOP;
END
$$;
CREATE TEMP TABLE digest_1_2 AS SELECT * FROM pg_temp.digest();
CREATE TEMP VIEW guards AS
SELECT c.relname AS guarded_table, t.tgname AS trigger,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_recheck\_%'
           AND r.tgfoid = t.tgfoid AND r.tgenabled = 'A') AS rechecks,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_truncate\_%'
           AND r.tgfoid = t.tgfoid AND r.tgenabled = 'A') AS truncate_guards
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace IN ('ledger_1_2'::regnamespace, 'public'::regnamespace) AND NOT t.tgisinternal;
SELECT * FROM guards ORDER BY 1, 2;
-- 1.2's attachments work with the new library before the update
UPDATE keys_1_2 SET redeemed = '2025-06-15' WHERE key = 'K2';
ALTER EXTENSION mpn_benefits UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';
-- the objects are exactly a fresh install's
:describe_fn;
CREATE TEMP TABLE fresh_objects (line text);
COPY fresh_objects FROM :'fresh_file';
CREATE TEMP TABLE updated_objects AS SELECT e AS line FROM pg_temp.extension_objects() AS e;
SELECT 'only after the update' AS side, line
  FROM (TABLE updated_objects EXCEPT TABLE fresh_objects) x
UNION ALL
SELECT 'only in a fresh install', line
  FROM (TABLE fresh_objects EXCEPT TABLE updated_objects) y
ORDER BY 1, 2;
-- every row kept (the deadlines view and notice queue are new); every
-- rule has one recheck and, for redeem_once and reassign_after, one
-- truncate guard
SELECT coalesce(a.ledger_table, b.ledger_table) AS ledger_table, a.rows AS rows_1_2, b.rows AS rows_now
  FROM digest_1_2 a FULL JOIN pg_temp.digest() b ON a.ledger_table = b.ledger_table
 WHERE a.digest IS DISTINCT FROM b.digest OR a.rows IS DISTINCT FROM b.rows;
SELECT * FROM guards ORDER BY 1, 2;
-- each ledger made before 1.3 got its deadlines and notices from the
-- update, as create_ledger makes them now: its owner's, not the
-- extension's (the comparison above found no extra member); the planted
-- ledger, the one that no longer has the columns the deadlines read and
-- the lookalike got nothing (the update warned of the first two; the
-- lookalike is no ledger: its owner owns none of its tables)
SELECT c.relnamespace::regnamespace AS ledger, c.relname, c.relkind,
       pg_get_userbyid(c.relowner) AS owner, c.relowner = n.nspowner AS owned_by_the_ledgers_owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname IN ('deadlines', 'notices', 'notices_id_seq')
 ORDER BY 1, 2;
SELECT count(*) AS ledger_objects_in_the_extension
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND c.relnamespace <> 'mpn'::regnamespace;
-- they are what create_ledger makes: the owner sweeps its ledger (the
-- notice functions work only on a queue and deadlines of the caller's own:
-- a superuser's sweep of another role's ledger would run that role's code
-- as the superuser)
SELECT mpn.enqueue_notices('ledger_1_2.deadlines', 'ledger_1_2.notices', '2025-06-15') > 0 AS swept_ledger_1_2;
SET ROLE regress_mpn_upgrade_partner;
SELECT mpn.enqueue_notices('partner_1_2.deadlines', 'partner_1_2.notices', '2025-06-15') AS swept_by_its_owner;
SELECT mpn.enqueue_notices('"Partner Ledger".deadlines', '"Partner Ledger".notices', '2025-06-15') AS swept_quoted;
SELECT mpn.check_notice_queue('"Partner Ledger".notices');
-- the planted table stays the squatter's: the owner is told
SELECT mpn.create_ledger_notices('planted_1_2');
RESET ROLE;
\set VERBOSITY terse
SELECT mpn.enqueue_notices('partner_1_2.deadlines', 'partner_1_2.notices', '2025-06-15');
\set VERBOSITY default
-- the guards refuse
TRUNCATE keys_1_2;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ledger_1_2.product_keys CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS keys_left FROM ledger_1_2.product_keys;
DROP EXTENSION mpn_benefits CASCADE;
\echo :LAST_ERROR_SQLSTATE

--
-- The same in a trusted install: a database owner who is no superuser
-- installed 1.2 and updates it (the update runs as the bootstrap
-- superuser, where SET ROLE is refused); another role's ledger gets its
-- deadlines and notices, that role's
--
SET client_min_messages = warning;
CREATE ROLE regress_mpn_upgrade_dbowner;
CREATE DATABASE mpn_upgrade_trusted OWNER regress_mpn_upgrade_dbowner;
RESET client_min_messages;
\c mpn_upgrade_trusted
SET ROLE regress_mpn_upgrade_dbowner;
CREATE EXTENSION mpn_benefits VERSION '1.2';
GRANT CREATE ON DATABASE mpn_upgrade_trusted TO regress_mpn_upgrade_partner;
SET ROLE regress_mpn_upgrade_partner;
SET client_min_messages = warning;
SELECT mpn.create_ledger('trusted_1_2');
RESET client_min_messages;
-- the database owner may not create in this tablespace, and cannot have
-- the update (run as a superuser) put the queue there for it
RESET ROLE;
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE regress_mpn_upgrade_space LOCATION '';
RESET allow_in_place_tablespaces;
SET ROLE regress_mpn_upgrade_dbowner;
SET default_tablespace = regress_mpn_upgrade_space;
SET lock_timeout = '10min';
BEGIN;
ALTER EXTENSION mpn_benefits UPDATE;
-- the role's settings, for the rest of its transaction
SHOW default_tablespace;
SHOW lock_timeout;
COMMIT;
RESET default_tablespace;
RESET lock_timeout;
SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits';
RESET ROLE;
SELECT c.relnamespace::regnamespace AS ledger, c.relname, pg_get_userbyid(c.relowner) AS owner,
       EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                 AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') AS in_the_extension,
       c.reltablespace = 0 AS in_the_default_tablespace
  FROM pg_class c
 WHERE c.relname IN ('deadlines', 'notices')
 ORDER BY 1, 2;

\c contrib_regression
\setenv MPN_FRESH_FILE :fresh_file
\! rm -f "$MPN_FRESH_FILE"
SET client_min_messages = warning;
DROP DATABASE mpn_upgrade_old;
DROP DATABASE mpn_upgrade_fresh;
DROP DATABASE mpn_upgrade_1_1;
DROP DATABASE mpn_upgrade_1_2;
DROP DATABASE mpn_upgrade_trusted;
DROP TABLESPACE regress_mpn_upgrade_space;
DROP ROLE regress_mpn_upgrade_partner;
DROP ROLE regress_mpn_upgrade_dbowner;
DROP ROLE regress_mpn_upgrade_squatter;
RESET client_min_messages;
