--
-- triggers_safety: checks across the four triggers, on the tables the
-- trigger suites left in mpn_trig_test: the misuse checks left nothing
-- behind; a hostile search_path does not move the triggers; a role that
-- may write the tables is held to the rules and cannot switch them off,
-- nor undo them with a trigger of its own where it may create triggers;
-- a table's owner who is no superuser cannot switch off the rechecks;
-- mpn.check_triggers(); and known gaps of the checks of attachments and
-- of the rechecks (reported; the output shows what happens now).  Then
-- the clean-up of everything the trigger suites made.
--
-- Needs triggers_setup, redeem_once, reassign_after, exclusive_offer and
-- partner_tenant_only, run before it in REGRESS (it reads and writes their
-- tables keys, redemptions, offers, offers_custom, licenses and
-- demo_licenses, uses the function zzz_backdate() of redeem_once, and
-- counts the mpn triggers they attached); it drops
-- schema mpn_trig_test (and mpn_trig_evil and mpn_trig_clerk, which it
-- makes itself) and the role regress_mpn_trig_clerk at the end.
--
-- The output must not depend on the day the suite runs: dates near today
-- are shown as TODAY[+-n] by scrub(); the dates the tests choose
-- themselves are in 2021, or relative to mpn.today().  Nor on OIDs: a
-- recheck's name is shown as mpn_recheck_<oid>.
--
-- the session settings of triggers_setup (each suite is a session of its
-- own): "today" for the rules is the calendar's in UTC
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '';
SET search_path = mpn_trig_test;

-- the misuse checks of the four trigger suites: all undone (no trigger on
-- misuse, internal ones included)
SELECT (SELECT count(*) FROM misuse) AS misuse_rows,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'misuse'::regclass) AS misuse_triggers;

--
-- Safety
--
-- A hostile search_path: schema mpn_trig_evil defines = for product_key
-- and for text, always true, and comes first.  A query written with "="
-- now finds it; the triggers, which run no SQL and compare with the
-- operators of the index's operator family (or the type's own equality),
-- are not moved.
CREATE SCHEMA mpn_trig_evil;
CREATE FUNCTION mpn_trig_evil.always_equal(a mpn.product_key, b mpn.product_key) RETURNS boolean
LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION mpn_trig_evil.always_equal(a text, b text) RETURNS boolean
LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR mpn_trig_evil.= (FUNCTION = mpn_trig_evil.always_equal,
	LEFTARG = mpn.product_key, RIGHTARG = mpn.product_key);
CREATE OPERATOR mpn_trig_evil.= (FUNCTION = mpn_trig_evil.always_equal,
	LEFTARG = text, RIGHTARG = text);
SET search_path = mpn_trig_evil, pg_catalog, mpn_trig_test, mpn;
-- the hijack is real for SQL that does not qualify its operators
SELECT count(*) AS rows_with_key FROM keys WHERE key = 'BCDFG-HJKMP-QRTVW-XY234-6789Q'::product_key;
SELECT count(*) AS rows_with_key FROM redemptions WHERE key = 'nonesuch'::text;
-- the triggers still see only the real matches: a new key redeems ...
INSERT INTO keys VALUES (20, 'BCDFG-HJKMP-QRTVW-XY234-6789Q', '2021-07-01');
INSERT INTO redemptions VALUES ('K-20', '2021-07-01 00:00:00+00', 'Contoso');
-- ... and an old one still does not
CALL mpn_trig_test.try($$INSERT INTO keys VALUES (21, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-07-01')$$);
CALL mpn_trig_test.try($$INSERT INTO redemptions VALUES ('K-1', '2021-07-01 00:00:00+00', 'Contoso')$$);
-- the tenants' = is the type's own
INSERT INTO demo_licenses VALUES (20, 'contoso.onmicrosoft.com', 'contoso.onmicrosoft.com');
CALL mpn_trig_test.try($$INSERT INTO demo_licenses VALUES (21, 'fabrikam.onmicrosoft.com', 'contoso.onmicrosoft.com')$$);
-- offers are found through the index on users, the exclusive value by its bytes
INSERT INTO offers_custom VALUES ('cat', 'visual_studio');
CALL mpn_trig_test.try($$INSERT INTO offers_custom VALUES ('cat', 'sponsorship')$$);
INSERT INTO offers_custom VALUES ('dan', 'sponsorship');
RESET search_path;
SET search_path = mpn_trig_test;
DROP SCHEMA mpn_trig_evil CASCADE;

-- The triggers run with the privileges of the caller; a role that may
-- write the tables is held to the rules and cannot switch them off.
BEGIN;
CREATE ROLE regress_mpn_trig_clerk;
GRANT USAGE ON SCHEMA mpn_trig_test, mpn TO regress_mpn_trig_clerk;
GRANT SELECT, INSERT, UPDATE, DELETE ON keys, offers, licenses TO regress_mpn_trig_clerk;
-- column privileges only, SELECT on the subscriber but not on the day: the
-- refusal shows neither (from 1.2 a message shows the values of the rule's
-- columns only to a role that may read them all, and never under row-level
-- security, as PostgreSQL's own messages do)
CREATE TABLE subscriptions_private (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_private
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
ALTER TABLE subscriptions_private DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions_private VALUES (1, 'alice', mpn.today() - 1000);
ALTER TABLE subscriptions_private ENABLE TRIGGER reassign_after;
UPDATE subscriptions_private SET subscriber = 'bob';
GRANT SELECT (subscriber), UPDATE (subscriber) ON subscriptions_private TO regress_mpn_trig_clerk;
-- triggers on licenses (GRANT TRIGGER), and a schema of its own
GRANT TRIGGER ON licenses TO regress_mpn_trig_clerk;
CREATE SCHEMA mpn_trig_clerk AUTHORIZATION regress_mpn_trig_clerk;
SET ROLE regress_mpn_trig_clerk;
CALL try($$INSERT INTO keys VALUES (30, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-08-01')$$);
CALL try($$DELETE FROM keys WHERE id = 10$$);
CALL try($$UPDATE offers SET user_id = 3 WHERE id = 10$$);
CALL try($$INSERT INTO licenses VALUES (30, '22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', true)$$);
CALL try($$UPDATE subscriptions_private SET subscriber = 'zoe' WHERE subscriber = 'bob'$$);
CALL try('ALTER TABLE keys DISABLE TRIGGER redeem_once');
CALL try('ALTER TABLE keys DISABLE TRIGGER ALL');
CALL try('DROP TRIGGER redeem_once ON keys');
CALL try($$CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'note')$$);
CALL try($$SET session_replication_role = replica$$);
CALL try('DROP INDEX keys_key_redeemed');
-- where it may create triggers, it cannot undo the rule with a trigger of
-- its own that sorts after the rule's: the recheck refuses the row, whoever
-- writes it
CREATE FUNCTION mpn_trig_clerk.zzz_to_customer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.tenant := '22222222-2222-2222-2222-222222222222';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_clerk BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn_trig_clerk.zzz_to_customer();
CALL try($$UPDATE licenses SET demo = true WHERE id = 103$$);
CALL try($$INSERT INTO licenses VALUES (31, NULL, '11111111-1111-1111-1111-111111111111', true)$$);
-- ... nor rid the table of the recheck, nor replace the rule's trigger in
-- any way (from 1.2 only the table's owner may: 1.1 let it through to the
-- checks of the new attachment)
CALL try(format('DROP TRIGGER %I ON licenses', recheck_of('licenses')));
CALL try(format('ALTER TABLE licenses DISABLE TRIGGER %I', recheck_of('licenses')));
CALL try($$CREATE OR REPLACE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'id')$$);
CALL try($$CREATE OR REPLACE TRIGGER partner_tenant_only AFTER INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo')$$);
CALL try('DROP TRIGGER zzz_clerk ON licenses');
-- on a table of its own, the role (no superuser) attaches the rule, and
-- may switch it off by name or as USER, but not its recheck: it is a
-- system trigger (an internal one), and so ALL is refused
CREATE TABLE mpn_trig_clerk.own_keys (key text, redeemed date);
CREATE UNIQUE INDEX ON mpn_trig_clerk.own_keys (key);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON mpn_trig_clerk.own_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CALL try('ALTER TABLE mpn_trig_clerk.own_keys DISABLE TRIGGER ALL');
CALL try(format('ALTER TABLE mpn_trig_clerk.own_keys DISABLE TRIGGER %I', recheck_of('mpn_trig_clerk.own_keys')));
CALL try('ALTER TABLE mpn_trig_clerk.own_keys DISABLE TRIGGER USER');
CALL try('ALTER TABLE mpn_trig_clerk.own_keys ENABLE TRIGGER redeem_once');
SELECT name, internal, enabled, depends_on FROM triggers_of('mpn_trig_clerk.own_keys');
RESET ROLE;
-- the owner's writes are refused as well
CALL try($$UPDATE licenses SET demo = true WHERE id = 103$$);
DROP TRIGGER zzz_clerk ON licenses;
SELECT * FROM licenses WHERE id IN (103, 31);
COMMIT;

--
-- mpn.check_triggers(strict): checks every mpn trigger of the database
-- that is not switched off, as its first row would, gives the BEFORE ones
-- their recheck, and returns how many it checked.  ALTER EXTENSION ...
-- UPDATE from 1.0 runs it not strict, for the triggers attached before
-- attachments were checked.
--
SELECT mpn.check_triggers() AS checked,
       (SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE p.pronamespace = 'mpn'::regnamespace AND p.prorettype = 'trigger'::regtype
          AND NOT t.tgisinternal AND t.tgenabled <> 'D') AS mpn_triggers;
-- a trigger attached where no event trigger checks it (here with
-- session_replication_role = replica, as a 1.0 attachment) has no
-- recheck; check_triggers() gives it one
CREATE TABLE replica_keys (id integer PRIMARY KEY, key text, redeemed date, note text);
CREATE UNIQUE INDEX replica_keys_key ON replica_keys (key) WHERE redeemed IS NOT NULL;
SET session_replication_role = replica;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON replica_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
RESET session_replication_role;
SELECT name, internal, depends_on FROM triggers_of('replica_keys');
SELECT mpn.check_triggers() AS checked;
SELECT name, internal, depends_on FROM triggers_of('replica_keys');
-- one attached so, wrongly: strict, check_triggers() fails with the
-- trigger's own error; not strict, it warns with that error (and its
-- SQLSTATE), leaves that trigger as it is, and checks the others (the
-- count includes the triggers it warned about)
CREATE TABLE replica_offers (user_id integer, offer text);
SET session_replication_role = replica;
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON replica_offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON replica_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('note', 'redeemed', 'soon');
RESET session_replication_role;
SELECT mpn.check_triggers();
\echo :LAST_ERROR_SQLSTATE
SELECT mpn.check_triggers(true);
SELECT mpn.check_triggers(false) AS checked;
SELECT name, internal, depends_on FROM triggers_of('replica_keys');
-- while such a trigger stands, the commands that the event trigger checks
-- are refused on its table, but for the command that switches the trigger
-- off; switched off, it is not checked, nor counted.  Commands on other
-- tables are not refused (1.1 refused DROP INDEX anywhere: it checked every
-- table with mpn triggers then)
CREATE TABLE unrelated (x integer);
CREATE INDEX unrelated_x ON unrelated (x);
CALL try('DROP INDEX unrelated_x');
CREATE INDEX unrelated_x ON unrelated (x);
CALL try('ALTER TABLE replica_offers ADD COLUMN note text');
ALTER TABLE unrelated ADD COLUMN y integer;
ALTER TABLE replica_offers DISABLE TRIGGER exclusive_offer;
ALTER TABLE replica_keys DISABLE TRIGGER reassign_after;
DROP INDEX unrelated_x;
SELECT mpn.check_triggers() AS checked;
DROP TABLE unrelated, replica_offers, replica_keys;

--
-- Edges of the checks of attachments and of the rechecks, found in review
-- and fixed: (1)-(6) show the behaviour now.
--
-- (1) While the trigger it guards is switched off (or not enabled for the
-- session_replication_role), a recheck does nothing, not even its setup:
-- a table changed in a way the switched-off trigger lets pass still takes
-- every UPDATE.
CREATE TABLE gap_keys (id integer PRIMARY KEY, key text, redeemed date, note text);
CREATE UNIQUE INDEX gap_keys_key ON gap_keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON gap_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
INSERT INTO gap_keys VALUES (1, 'K-1', '2021-01-15');
ALTER TABLE gap_keys DISABLE TRIGGER redeem_once;
DROP INDEX gap_keys_key;
INSERT INTO gap_keys VALUES (2, 'K-1', '2021-01-16');
CALL try($$UPDATE gap_keys SET note = 'loaded'$$);
DROP TABLE gap_keys;
-- (2) Two triggers of one function with the same arguments: each recheck
-- guards the trigger it depends on (pg_depend), so that with the first
-- switched off, the second's recheck still refuses what a later trigger
-- does to a row the second let through.
CREATE TABLE gap_keys (id integer PRIMARY KEY, key text, redeemed date, note text);
CREATE UNIQUE INDEX gap_keys_key ON gap_keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER a_redeem_once BEFORE INSERT OR UPDATE OR DELETE ON gap_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE TRIGGER b_redeem_once BEFORE INSERT OR UPDATE OR DELETE ON gap_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON gap_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_backdate();
INSERT INTO gap_keys VALUES (1, 'K-1', '2021-01-15');
CALL try($$UPDATE gap_keys SET note = 'both on'$$);
ALTER TABLE gap_keys DISABLE TRIGGER a_redeem_once;
CALL try($$UPDATE gap_keys SET note = 'second on'$$);
SELECT * FROM gap_keys;
DROP TABLE gap_keys;
-- (3) A partitioned table: no row trigger fires on it, and internal
-- triggers are not cloned, so attaching the trigger to it gives each
-- partition's clone its own recheck (a partition made later gets its own
-- too); the partitions' rows are rechecked.
CREATE TABLE gap_parted (id integer, key text, redeemed date, note text) PARTITION BY LIST (key);
CREATE UNIQUE INDEX gap_parted_key ON gap_parted (key);
CREATE TABLE gap_parted_1 PARTITION OF gap_parted FOR VALUES IN ('K-1');
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON gap_parted
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE TABLE gap_parted_2 PARTITION OF gap_parted FOR VALUES IN ('K-2');
SELECT c.relname, t.name, t.internal
FROM pg_class c, triggers_of(c.oid) t
WHERE c.relname LIKE 'gap\_parted%' ORDER BY 1, 3, 2;
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON gap_parted
	FOR EACH ROW EXECUTE FUNCTION zzz_backdate();
INSERT INTO gap_parted VALUES (1, 'K-1', '2021-01-15'), (2, 'K-2', '2021-01-15');
CALL try($$UPDATE gap_parted SET note = 'checked' WHERE key = 'K-1'$$);
CALL try($$UPDATE gap_parted SET note = 'checked' WHERE key = 'K-2'$$);
SELECT * FROM gap_parted ORDER BY id;
DROP TABLE gap_parted;
-- (4) A role that may create triggers on a table (GRANT TRIGGER) may, for
-- PostgreSQL, replace the rule's trigger with CREATE OR REPLACE TRIGGER and
-- a function of its own; the event trigger refuses that to all but the
-- table's owner (whose replacement takes the recheck away with the rule).
BEGIN;
GRANT TRIGGER ON licenses TO regress_mpn_trig_clerk;
SET ROLE regress_mpn_trig_clerk;
CREATE FUNCTION mpn_trig_clerk.allow() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE OR REPLACE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn_trig_clerk.allow();
CALL try($$UPDATE licenses SET tenant = '22222222-2222-2222-2222-222222222222' WHERE id = 103$$);
RESET ROLE;
SELECT name, internal, depends_on, definition FROM triggers_of('licenses');
ROLLBACK;
-- (5) mpn.check_triggers() checks only the tables the calling role owns
-- (all of them for a superuser): another role's call makes no recheck on
-- a table it does not own, and takes no lock on it.
CREATE TABLE gap_keys (id integer PRIMARY KEY, key text, redeemed date);
CREATE UNIQUE INDEX gap_keys_key ON gap_keys (key) WHERE redeemed IS NOT NULL;
SET session_replication_role = replica;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON gap_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
RESET session_replication_role;
BEGIN;
SET LOCAL ROLE regress_mpn_trig_clerk;
SELECT has_table_privilege('gap_keys', 'SELECT, INSERT, UPDATE, DELETE, TRIGGER') AS may_use_gap_keys,
       mpn.check_triggers() > 0 AS checked;
SELECT mode FROM pg_locks WHERE locktype = 'relation' AND relation = 'gap_keys'::regclass
  AND pid = pg_backend_pid() ORDER BY 1;
COMMIT;
SELECT name, internal, depends_on FROM triggers_of('gap_keys');
DROP TABLE gap_keys;
-- (6) DROP INDEX CONCURRENTLY commits as it goes, so the check at its end
-- could not undo it: the event trigger mpn_check_index_drops refuses it
-- before it starts when an mpn trigger looks rows up through the index,
-- and the index and the trigger stay as they were.
CREATE TABLE gap_keys (id integer PRIMARY KEY, key text, redeemed date);
CREATE UNIQUE INDEX gap_keys_key ON gap_keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON gap_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
DROP INDEX CONCURRENTLY gap_keys_key;
SELECT indexrelid::regclass AS index, indisvalid, indisready, indislive
FROM pg_index WHERE indrelid = 'gap_keys'::regclass ORDER BY 1::text;
CALL try($$INSERT INTO gap_keys VALUES (1, 'K-1', NULL)$$);
DROP TABLE gap_keys;

--
-- Clean up
--
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA mpn_trig_test CASCADE;
DROP SCHEMA mpn_trig_clerk CASCADE;
DROP OWNED BY regress_mpn_trig_clerk;
DROP ROLE regress_mpn_trig_clerk;
