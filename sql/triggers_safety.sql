--
-- triggers_safety: checks across the four triggers, on the tables the
-- trigger suites left in mpn_trig_test: the misuse checks left nothing
-- behind; a hostile search_path does not move the triggers; a role that
-- may write the tables is held to the rules and cannot switch them off.
-- Then the clean-up of everything the trigger suites made.
--
-- Needs triggers_setup, redeem_once, reassign_after, exclusive_offer and
-- partner_tenant_only, run before it in REGRESS (it reads and writes their
-- tables keys, redemptions, offers, offers_custom, licenses and
-- demo_licenses); it drops schema mpn_trig_test (and mpn_trig_evil, which
-- it makes itself) and the role regress_mpn_trig_clerk at the end.
--
-- The output must not depend on the day the suite runs: dates near today
-- are shown as TODAY[+-n] by scrub(); the dates the tests choose
-- themselves are in 2021, or relative to mpn.today().
--
-- the session settings of triggers_setup (each suite is a session of its
-- own): "today" for the rules is the calendar's in UTC
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '';
SET search_path = mpn_trig_test;

-- the misuse checks of the four trigger suites: all undone
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
-- column privileges only: the subscription is then named by its subscriber
-- (the primary key is not shown to a role that may not read it)
CREATE TABLE subscriptions_private (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_private
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
ALTER TABLE subscriptions_private DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions_private VALUES (1, 'alice', mpn.today() - 1000);
ALTER TABLE subscriptions_private ENABLE TRIGGER reassign_after;
UPDATE subscriptions_private SET subscriber = 'bob';
GRANT SELECT (subscriber), UPDATE (subscriber) ON subscriptions_private TO regress_mpn_trig_clerk;
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
RESET ROLE;
COMMIT;

--
-- Clean up
--
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA mpn_trig_test CASCADE;
DROP OWNED BY regress_mpn_trig_clerk;
DROP ROLE regress_mpn_trig_clerk;
