--
-- truncate_guard: TRUNCATE follows DELETE.  Attaching redeem_once or
-- reassign_after gives the trigger, besides its recheck, a truncate guard:
-- an internal BEFORE TRUNCATE statement trigger mpn_truncate_<oid> of the
-- same function and arguments, enabled ALWAYS, internally dependent on
-- the rule (dropped with it).  TRUNCATE of a table that holds a redeemed
-- key is refused with 23001, of one that holds a subscription inside its
-- wait with 23514: for the table's owner, a superuser and a role granted
-- only TRUNCATE alike, and for TRUNCATE ... CASCADE that reaches such a
-- table through a foreign key.  A table that is empty, or holds only
-- unredeemed keys or subscriptions past their wait (or never assigned),
-- is truncated.  While the rule is disabled (or does not fire for this
-- session_replication_role), its guard does nothing.  On a partitioned
-- table the guards are on the partitions.  exclusive_offer and
-- partner_tenant_only have none.
--
-- Needs triggers_setup (schema mpn_trig_test and its helpers try(),
-- triggers_of()).  Everything it makes is in schema mpn_trunc_test and
-- the role regress_mpn_trunc_truncator, dropped at the end.
--
-- "today" is fixed with mpn.as_of_date, so dates show as they are; the
-- OIDs in the guards' names are shown as <oid>.
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '2021-06-01';
CREATE SCHEMA mpn_trunc_test;
SET search_path = mpn_trunc_test, mpn_trig_test;

--
-- redeem_once: 23001 (restrict_violation) while a key is redeemed
--
CREATE TABLE keys (id integer PRIMARY KEY, key mpn.product_key, redeemed date);
CREATE UNIQUE INDEX ON keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
-- the guard (tgtype 34: BEFORE, TRUNCATE, for each statement) next to the
-- recheck, both enabled ALWAYS and dependent on the rule
SELECT * FROM triggers_of('keys');
SELECT tgname ~ '^mpn_truncate_[0-9]+$' AS guard_name, tgfoid::regprocedure, tgnargs,
       tgtype = (2 | 32) AS before_truncate_statement
FROM pg_trigger WHERE tgrelid = 'keys'::regclass AND tgisinternal AND tgtype & 32 <> 0;

-- empty, or holding only unredeemed keys: truncated
TRUNCATE keys;
INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL), (2, 'BCDFG-HJKMP-QRTVW-XY234-6789C', NULL);
TRUNCATE keys;
SELECT count(*) AS keys FROM keys;
-- a redeemed key: refused, the key named, the DELETE to run instead hinted
INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL),
	(2, 'BCDFG-HJKMP-QRTVW-XY234-6789C', '2021-03-01'),
	(3, 'BCDFG-HJKMP-QRTVW-XY234-6789D', NULL);
TRUNCATE keys;
\echo :LAST_ERROR_SQLSTATE
SELECT error_table('TRUNCATE mpn_trunc_test.keys');
-- ... as DELETE is: DELETE of the unredeemed keys works, of all is refused
CALL try('DELETE FROM keys');
BEGIN;
DELETE FROM keys WHERE redeemed IS NULL;
CALL try('TRUNCATE keys');
ROLLBACK;
-- TRUNCATE of several tables, or with RESTART IDENTITY, all the same
CREATE TABLE other (id integer);
CALL try('TRUNCATE other, keys RESTART IDENTITY');

--
-- reassign_after: 23514 (check_violation) while a subscription is inside
-- its wait; one assigned on 2021-03-03 may pass on (and be deleted) from
-- 2021-06-01, one assigned on 2021-03-04 from 2021-06-02
--
CREATE TABLE subscriptions (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('subscriptions');
-- (history loaded with the rule off)
ALTER TABLE subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions VALUES (1, 'alice', '2021-03-03'), (2, NULL, NULL), (3, NULL, '2020-01-01');
ALTER TABLE subscriptions ENABLE TRIGGER reassign_after;
-- past their wait, or never assigned: truncated
BEGIN;
TRUNCATE subscriptions;
ROLLBACK;
-- one inside its wait: refused, as its DELETE is
ALTER TABLE subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions VALUES (5, 'carol', '2021-03-04');
ALTER TABLE subscriptions ENABLE TRIGGER reassign_after;
TRUNCATE subscriptions;
\echo :LAST_ERROR_SQLSTATE
SELECT error_table('TRUNCATE mpn_trunc_test.subscriptions');
CALL try('DELETE FROM subscriptions WHERE id = 5');
-- the next day it may go
SET mpn.as_of_date = '2021-06-02';
BEGIN;
TRUNCATE subscriptions;
ROLLBACK;
-- a new assignment, stamped today, waits its 90 days
INSERT INTO subscriptions VALUES (4, 'bob', NULL);
CALL try('TRUNCATE subscriptions');
SET mpn.as_of_date = '2021-08-30';
CALL try('TRUNCATE subscriptions');
SET mpn.as_of_date = '2021-08-31';
BEGIN;
TRUNCATE subscriptions;
ROLLBACK;
SET mpn.as_of_date = '2021-06-01';
-- the days argument counts (here 30 days), and the day of a timestamptz
-- is the day in mpn.time_zone
CREATE TABLE subscriptions_30 (id integer PRIMARY KEY, subscriber text, assigned_on timestamptz);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30');
ALTER TABLE subscriptions_30 DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions_30 VALUES (1, 'dave', '2021-05-02 23:00+00');
ALTER TABLE subscriptions_30 ENABLE TRIGGER reassign_after;
SET mpn.as_of_date = '2021-05-31';
CALL try('TRUNCATE subscriptions_30');
SET mpn.as_of_date = '2021-06-01';
BEGIN;
TRUNCATE subscriptions_30;
ROLLBACK;
BEGIN;
SET LOCAL mpn.time_zone = 'Asia/Tokyo';
CALL try('TRUNCATE subscriptions_30');
ROLLBACK;

--
-- Every role: the owner (a superuser here), another superuser, a role
-- granted only TRUNCATE (its message shows no values: it may not read
-- them)
--
CREATE ROLE regress_mpn_trunc_truncator;
CREATE ROLE regress_mpn_trunc_super SUPERUSER;
GRANT USAGE ON SCHEMA mpn_trunc_test TO regress_mpn_trunc_truncator;
GRANT TRUNCATE ON keys, subscriptions, subscriptions_30 TO regress_mpn_trunc_truncator;
SET ROLE regress_mpn_trunc_truncator;
TRUNCATE keys;
TRUNCATE subscriptions;
-- (one whose subscriptions are past their wait it truncates)
TRUNCATE subscriptions_30;
RESET ROLE;
SET ROLE regress_mpn_trunc_super;
TRUNCATE keys;
TRUNCATE subscriptions;
RESET ROLE;
-- ... nor can the TRUNCATE grantee switch the guard off (only the owner
-- may ALTER TABLE; internal triggers only a superuser)
SET ROLE regress_mpn_trunc_truncator;
ALTER TABLE keys DISABLE TRIGGER redeem_once;
ALTER TABLE keys DISABLE TRIGGER ALL;
RESET ROLE;

--
-- TRUNCATE ... CASCADE: a table that references a guarded one is
-- truncated with it, and a guarded table reached through a foreign key
-- refuses the whole command
--
CREATE TABLE partners (id integer PRIMARY KEY, name text);
INSERT INTO partners VALUES (1, 'Contoso');
CREATE TABLE partner_keys (
	id integer PRIMARY KEY,
	partner_id integer REFERENCES partners,
	key mpn.product_key,
	redeemed date
);
CREATE UNIQUE INDEX ON partner_keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON partner_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
INSERT INTO partner_keys VALUES (1, 1, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-04-01');
CALL try('TRUNCATE partners');
CALL try('TRUNCATE partners CASCADE');
SELECT (SELECT count(*) FROM partners) AS partners, (SELECT count(*) FROM partner_keys) AS partner_keys;
-- without redemptions the cascade goes through
BEGIN;
ALTER TABLE partner_keys DISABLE TRIGGER redeem_once;
UPDATE partner_keys SET redeemed = NULL;
ALTER TABLE partner_keys ENABLE TRIGGER redeem_once;
TRUNCATE partners CASCADE;
SELECT (SELECT count(*) FROM partners) AS partners, (SELECT count(*) FROM partner_keys) AS partner_keys;
ROLLBACK;

--
-- The guard fires only while the rule does: the rule disabled, TRUNCATE
-- goes through (undone here); the rule enabled for the origin only, a
-- session in replica mode truncates (as logical replication applies a
-- publisher's TRUNCATE), while with the rule enabled ALWAYS or REPLICA it
-- is refused there too
--
BEGIN;
ALTER TABLE keys DISABLE TRIGGER redeem_once;
SELECT name, enabled FROM triggers_of('keys');
TRUNCATE keys;
SELECT count(*) AS keys FROM keys;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
TRUNCATE keys;
SELECT count(*) AS keys FROM keys;
ROLLBACK;
BEGIN;
ALTER TABLE keys ENABLE ALWAYS TRIGGER redeem_once;
SET LOCAL session_replication_role = replica;
CALL try('TRUNCATE keys');
ROLLBACK;
BEGIN;
ALTER TABLE keys ENABLE REPLICA TRIGGER redeem_once;
SET LOCAL session_replication_role = replica;
CALL try('TRUNCATE keys');
SET LOCAL session_replication_role = origin;
TRUNCATE keys;
ROLLBACK;

--
-- The guard belongs to the rule: it cannot be dropped on its own, it
-- follows CREATE OR REPLACE TRIGGER (new arguments, a new guard), and it
-- is dropped with the rule
--
SELECT tgname AS guard FROM pg_trigger
WHERE tgrelid = 'keys'::regclass AND tgisinternal AND tgtype & 32 <> 0 \gset
CALL try(format('DROP TRIGGER %I ON keys', :'guard'));
ALTER TABLE keys ADD COLUMN redeemed_again date;
CREATE UNIQUE INDEX ON keys (key) WHERE redeemed_again IS NOT NULL;
CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_again');
SELECT name, internal, tgtype, enabled, depends_on, definition FROM triggers_of('keys');
-- (now redeemed_again decides, and no key is redeemed in it)
BEGIN;
TRUNCATE keys;
ROLLBACK;
DROP TRIGGER redeem_once ON keys;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'keys'::regclass;
TRUNCATE keys;

-- exclusive_offer and partner_tenant_only have no truncate guard
CREATE TABLE licenses (id integer PRIMARY KEY, user_id integer, offer text,
	tenant text, partner_tenant text);
CREATE INDEX ON licenses (user_id);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('licenses');
INSERT INTO licenses VALUES (1, 10, 'azure_bulk_credit', 'contoso', 'contoso');
TRUNCATE licenses;

--
-- Partitioned tables: the guards are on the partitions (a partitioned
-- table holds no rows), each partition's guarding its own rows
--
CREATE TABLE regional_keys (
	region text,
	id integer,
	key mpn.product_key,
	redeemed date
) PARTITION BY LIST (region);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON regional_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE TABLE regional_keys_eu (LIKE regional_keys);
CREATE UNIQUE INDEX ON regional_keys_eu (key) WHERE redeemed IS NOT NULL;
ALTER TABLE regional_keys ATTACH PARTITION regional_keys_eu FOR VALUES IN ('eu');
CREATE TABLE regional_keys_us (LIKE regional_keys);
CREATE UNIQUE INDEX ON regional_keys_us (key) WHERE redeemed IS NOT NULL;
ALTER TABLE regional_keys ATTACH PARTITION regional_keys_us FOR VALUES IN ('us');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('regional_keys');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('regional_keys_eu');
INSERT INTO regional_keys VALUES ('eu', 1, 'BCDFG-HJKMP-QRTVW-XY234-6789G', '2021-05-01'),
	('us', 2, 'BCDFG-HJKMP-QRTVW-XY234-6789H', NULL);
CALL try('TRUNCATE regional_keys');
CALL try('TRUNCATE regional_keys_eu');
TRUNCATE regional_keys_us;
SELECT region, id, key, redeemed FROM regional_keys ORDER BY region, id;
-- a partition made by CREATE TABLE ... PARTITION OF (of a table with
-- reassign_after) gets its guards at once
CREATE TABLE regional_seats (region text, id integer, subscriber text, assigned_on date)
	PARTITION BY LIST (region);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON regional_seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
CREATE TABLE regional_seats_eu PARTITION OF regional_seats FOR VALUES IN ('eu');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('regional_seats_eu');
INSERT INTO regional_seats VALUES ('eu', 1, 'erin', NULL);
CALL try('TRUNCATE regional_seats');

--
-- Clean-up
--
SET client_min_messages = warning;
DROP SCHEMA mpn_trunc_test CASCADE;
RESET client_min_messages;
DROP ROLE regress_mpn_trunc_truncator, regress_mpn_trunc_super;
