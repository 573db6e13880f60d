--
-- existing_rows: the rows already in a table, checked when a rule is
-- attached (CREATE TRIGGER, CREATE OR REPLACE TRIGGER, ALTER TABLE ...
-- ENABLE [ALWAYS | REPLICA] TRIGGER name, ENABLE TRIGGER ALL | USER,
-- ATTACH PARTITION; a new CREATE TABLE ... PARTITION OF is empty), as
-- PostgreSQL checks them when a constraint is added: the first row that
-- breaks the rule fails the command with the rule's own SQLSTATE and
-- message, a DETAIL with the count and a HINT naming mpn.violations().
-- What a stored row breaks, rule by rule: exclusive_offer (23P01), a row
-- of the exclusive offer whose user holds another offer;
-- partner_tenant_only (23514), a demonstration license activated on a
-- tenant other than the partner's (or the partner's unknown);
-- reassign_after (23514), a subscription assigned with no day of
-- assignment; redeem_once, nothing (its unique index keeps a key to one
-- redemption).  mpn.check_existing_rows = off adopts the rows as they are
-- (a NOTICE), and each is checked at its next write (shown for
-- partner_tenant_only).  The checks run as the table's owner: a TRIGGER
-- grantee's command is refused with 42501 where the check would run code
-- that is not built in and the table holds rows; a TRIGGER grantee (with
-- SELECT or without) attaching over violating rows is refused as the
-- owner is.  mpn.violations(tab) and mpn.violations(tab, rule, VARIADIC
-- args): the audit, its rows (primary key, ctid, a partition's name) and
-- its errors.
--
-- Needs triggers_setup (schema mpn_trig_test and its helpers try(),
-- triggers_of()).  Everything it makes is in schema mpn_rows_test, owned
-- by the superuser running it or by the roles regress_mpn_rows_*, all
-- dropped at the end.
--
-- "today" is fixed with mpn.as_of_date, so dates show as they are.
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '2021-06-01';
CREATE SCHEMA mpn_rows_test;
SET search_path = mpn_rows_test, mpn_trig_test;

--
-- exclusive_offer: a row of the exclusive offer whose user holds another
-- offer (23P01).  User 10 holds the exclusive offer and another, user 12
-- the exclusive offer and two others (its exclusive row counts once);
-- user 11 holds the exclusive offer alone, user 13 two combinable offers,
-- user 14 the exclusive offer twice (no clash: the same offer).
--
CREATE TABLE offers (id integer PRIMARY KEY, user_id integer, offer text);
CREATE INDEX ON offers (user_id);
INSERT INTO offers VALUES
	(1, 10, 'azure_bulk_credit'), (2, 10, 'sandbox'),
	(3, 11, 'azure_bulk_credit'),
	(4, 12, 'azure_bulk_credit'), (5, 12, 'sandbox'), (6, 12, 'training'),
	(7, 13, 'sandbox'), (8, 13, 'training'),
	(9, 14, 'azure_bulk_credit'), (10, 14, 'azure_bulk_credit'),
	(11, NULL, 'azure_bulk_credit'), (12, 15, NULL);
-- the first such row fails CREATE TRIGGER, and nothing is attached
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'offers'::regclass;
-- the audit the hint names lists each of them (trigger_name NULL: not attached)
SELECT * FROM mpn.violations('mpn_rows_test.offers', 'mpn.exclusive_offer', 'user_id', 'offer')
ORDER BY row_identity COLLATE "C";
-- another exclusive value: then sandbox is the offer that clashes
SELECT * FROM mpn.violations('offers', 'mpn.exclusive_offer', 'user_id', 'offer', 'sandbox')
ORDER BY row_identity COLLATE "C";
-- one row left that breaks it: the DETAIL says so in the singular
DELETE FROM offers WHERE id IN (5, 6);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
-- none left: attached
DELETE FROM offers WHERE id = 2;
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
SELECT * FROM mpn.violations('offers');
-- ... and CREATE OR REPLACE TRIGGER checks the rows for its arguments
CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer', 'sandbox');
\echo :LAST_ERROR_SQLSTATE
SELECT definition FROM triggers_of('offers');

--
-- partner_tenant_only: a demonstration license activated on a tenant that
-- is not the partner's, or where the partner's is not known (23514)
--
CREATE TABLE licenses (id integer PRIMARY KEY, tenant text, partner_tenant text, demo boolean);
INSERT INTO licenses VALUES
	(1, 'contoso', 'contoso', true),		-- the partner's own tenant
	(2, 'fabrikam', 'contoso', true),		-- breaks it
	(3, NULL, 'contoso', true),				-- not activated yet
	(4, 'fabrikam', 'contoso', false),		-- a customer's license
	(5, 'northwind', NULL, true),			-- breaks it: partner unknown
	(6, 'northwind', 'contoso', NULL);		-- breaks it: NULL demo is a demo
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'licenses'::regclass;
SELECT * FROM mpn.violations('licenses', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant', 'demo')
ORDER BY row_identity COLLATE "C";
-- without the demo column every license counts as a demonstration license
SELECT row_identity, message
FROM mpn.violations('licenses', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant')
ORDER BY row_identity COLLATE "C";

-- mpn.check_existing_rows = off: the rows are adopted as they are, as NOT
-- VALID does for a constraint, with a NOTICE; the rule and its recheck
-- are attached
SET mpn.check_existing_rows = off;
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo');
RESET mpn.check_existing_rows;
SELECT name, internal, enabled, depends_on FROM triggers_of('licenses');
-- the audit of the attached rules names the trigger
SELECT * FROM mpn.violations('licenses') ORDER BY row_identity COLLATE "C";
-- each adopted row is checked at its next write: an UPDATE that leaves it
-- breaking the rule is refused, one that mends it passes, and DELETE
-- works (the rule has no DELETE)
CALL try($$UPDATE licenses SET id = 20 WHERE id = 2$$);
CALL try($$UPDATE licenses SET partner_tenant = 'contoso' WHERE id = 5$$);
UPDATE licenses SET demo = false WHERE id = 6;
UPDATE licenses SET partner_tenant = 'northwind' WHERE id = 5;
DELETE FROM licenses WHERE id = 2;
-- ... and no new row breaks it
CALL try($$INSERT INTO licenses VALUES (7, 'fabrikam', 'contoso', true)$$);
SELECT * FROM mpn.violations('licenses');
SELECT * FROM licenses ORDER BY id;

-- switching the rule on again checks the rows again: ENABLE [ALWAYS |
-- REPLICA] TRIGGER name, ENABLE TRIGGER ALL and USER; CREATE OR REPLACE
-- TRIGGER too, even with the same arguments
ALTER TABLE licenses DISABLE TRIGGER partner_tenant_only;
INSERT INTO licenses VALUES (8, 'fabrikam', 'contoso', true);
CALL try('ALTER TABLE licenses ENABLE TRIGGER partner_tenant_only');
CALL try('ALTER TABLE licenses ENABLE ALWAYS TRIGGER partner_tenant_only');
CALL try('ALTER TABLE licenses ENABLE REPLICA TRIGGER partner_tenant_only');
CALL try('ALTER TABLE licenses ENABLE TRIGGER USER');
CALL try('ALTER TABLE licenses ENABLE TRIGGER ALL');
CALL try($$CREATE OR REPLACE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo')$$);
SELECT name, enabled FROM triggers_of('licenses') WHERE NOT internal;
-- the audit lists the rows of a disabled rule too (what switching it on
-- would refuse)
SELECT * FROM mpn.violations('licenses');
-- DDL that does not switch it on does not check the rows
ALTER TABLE licenses ADD COLUMN note text;
-- switched on with the check off: a NOTICE; then on again, checked
SET mpn.check_existing_rows = off;
ALTER TABLE licenses ENABLE TRIGGER partner_tenant_only;
RESET mpn.check_existing_rows;
SELECT row_identity, message FROM mpn.violations('licenses');
CALL try('ALTER TABLE licenses ENABLE TRIGGER partner_tenant_only');
-- other ALTER TABLE commands on the table do not check the rows
ALTER TABLE licenses DROP COLUMN note;
DELETE FROM licenses WHERE id = 8;
ALTER TABLE licenses ENABLE TRIGGER partner_tenant_only;

--
-- reassign_after: a subscription assigned with no day of assignment: its
-- wait could not be counted (23514)
--
CREATE TABLE subscriptions (id integer PRIMARY KEY, subscriber text, assigned_on date);
INSERT INTO subscriptions VALUES
	(1, 'alice', '2021-05-01'),
	(2, 'bob', NULL),			-- breaks it
	(3, NULL, NULL),			-- nobody holds it yet
	(4, NULL, '2021-01-01'),	-- unassigned, with its last day
	(5, 'carol', NULL);			-- breaks it
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM mpn.violations('subscriptions', 'mpn.reassign_after', 'subscriber', 'assigned_on', '30')
ORDER BY row_identity COLLATE "C";
-- a table without a primary key: the message names the subscriber, the
-- audit the row's ctid
CREATE TABLE subscriptions_nopk (subscriber text, assigned_on timestamptz);
INSERT INTO subscriptions_nopk VALUES ('alice', '2021-05-01 10:00+00'), ('bob', NULL), (NULL, NULL);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_nopk
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SELECT * FROM mpn.violations('subscriptions_nopk', 'mpn.reassign_after', 'subscriber', 'assigned_on');
-- mended (here by deleting the rows: a subscription with no day of
-- assignment has no wait), the rule attaches
DELETE FROM subscriptions WHERE assigned_on IS NULL AND subscriber IS NOT NULL;
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SELECT * FROM mpn.violations('subscriptions');
-- adopted with the check off, such a row can be deleted
SET mpn.check_existing_rows = off;
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_nopk
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
RESET mpn.check_existing_rows;
SELECT * FROM mpn.violations('subscriptions_nopk');
DELETE FROM subscriptions_nopk WHERE subscriber = 'bob';
SELECT * FROM mpn.violations('subscriptions_nopk');

--
-- redeem_once: nothing to check in stored rows (its unique index already
-- keeps one redemption per key, and the rest of its rule is about
-- changes): attached over any rows, and never listed
--
CREATE TABLE keys (id integer PRIMARY KEY, key mpn.product_key, redeemed date);
CREATE UNIQUE INDEX ON keys (key) WHERE redeemed IS NOT NULL;
INSERT INTO keys VALUES
	(1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-01'),
	(2, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL),
	(3, NULL, '2021-02-01');
SELECT * FROM mpn.violations('keys', 'mpn.redeem_once', 'key', 'redeemed');
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
SELECT * FROM mpn.violations('keys');

--
-- Several rules on one table, and partitions: mpn.violations(tab) lists
-- every attached rule's rows, those of tab's partitions after the
-- partition's name; CREATE TABLE ... PARTITION OF makes an empty
-- partition (nothing to check), ATTACH PARTITION checks the rows of the
-- table it attaches (see the suite partitions)
--
CREATE TABLE seats (
	region text,
	id integer,
	subscriber text,
	assigned_on date,
	tenant text,
	partner_tenant text,
	PRIMARY KEY (region, id)
) PARTITION BY LIST (region);
CREATE TABLE seats_eu PARTITION OF seats FOR VALUES IN ('eu');
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON seats
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
CREATE TABLE seats_us PARTITION OF seats FOR VALUES IN ('us');
INSERT INTO seats VALUES ('eu', 1, 'alice', NULL, 'contoso', 'contoso'),
	('us', 1, 'bob', NULL, NULL, NULL);
CREATE TABLE seats_apac (LIKE seats);
INSERT INTO seats_apac VALUES ('apac', 1, 'carol', NULL, 'fabrikam', 'contoso'),
	('apac', 2, NULL, NULL, 'contoso', 'contoso');
SELECT * FROM mpn.violations('seats_apac', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant');
-- attaching it checks its rows for each rule, here partner_tenant_only first
ALTER TABLE seats ATTACH PARTITION seats_apac FOR VALUES IN ('apac');
\echo :LAST_ERROR_SQLSTATE
SET mpn.check_existing_rows = off;
ALTER TABLE seats ATTACH PARTITION seats_apac FOR VALUES IN ('apac');
RESET mpn.check_existing_rows;
-- the partition's rows, after its name; and those of one partition alone
SELECT * FROM mpn.violations('seats') ORDER BY trigger_name COLLATE "C", row_identity COLLATE "C";
SELECT * FROM mpn.violations('seats_apac') ORDER BY trigger_name COLLATE "C", row_identity COLLATE "C";
SELECT * FROM mpn.violations('seats', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant');
-- an unpartitioned table with no mpn rule has nothing to list
CREATE TABLE plain (id integer);
SELECT * FROM mpn.violations('plain');

--
-- mpn.violations(): errors
--
-- not a rule (22023)
SELECT * FROM mpn.violations('offers', 'pg_catalog.now', 'user_id');
\echo :LAST_ERROR_SQLSTATE
-- an argument NULL (22004); a NULL table or rule is no row (STRICT)
SELECT * FROM mpn.violations('offers', 'mpn.exclusive_offer', 'user_id', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM mpn.violations(NULL, 'mpn.exclusive_offer', 'user_id', 'offer');
SELECT count(*) FROM mpn.violations(NULL);
-- arguments the rule refuses: its own setup errors, as at CREATE TRIGGER
SELECT * FROM mpn.violations('offers', 'mpn.exclusive_offer', 'user_id', 'no_such_column');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM mpn.violations('offers', 'mpn.exclusive_offer', 'user_id');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM mpn.violations('licenses', 'mpn.partner_tenant_only', 'tenant', 'id');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM mpn.violations('licenses', 'mpn.reassign_after', 'tenant', 'partner_tenant');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM mpn.violations('licenses', 'mpn.exclusive_offer', 'tenant', 'partner_tenant');
\echo :LAST_ERROR_SQLSTATE
-- not a table
SELECT * FROM mpn.violations('mpn_rows_test.no_such_table');
\echo :LAST_ERROR_SQLSTATE

--
-- Roles.  regress_mpn_rows_owner owns the tables below;
-- regress_mpn_rows_trigger has only TRIGGER on them,
-- regress_mpn_rows_reader TRIGGER and SELECT.
--
CREATE ROLE regress_mpn_rows_owner;
CREATE ROLE regress_mpn_rows_trigger;
CREATE ROLE regress_mpn_rows_reader;
GRANT USAGE ON SCHEMA mpn_rows_test TO regress_mpn_rows_owner, regress_mpn_rows_trigger,
	regress_mpn_rows_reader;
GRANT CREATE ON SCHEMA mpn_rows_test TO regress_mpn_rows_owner;

-- no SELECT on the table: no audit (42501)
SET ROLE regress_mpn_rows_trigger;
SELECT * FROM mpn.violations('licenses');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM mpn.violations('licenses', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- built-in types only: a role with TRIGGER (and SELECT or not) attaching
-- a rule over rows that break it is refused as the owner is
SET ROLE regress_mpn_rows_owner;
CREATE TABLE demo_licenses (id integer PRIMARY KEY, tenant text, partner_tenant text);
INSERT INTO demo_licenses VALUES (1, 'contoso', 'contoso'), (2, 'fabrikam', 'contoso');
GRANT TRIGGER ON demo_licenses TO regress_mpn_rows_trigger;
GRANT TRIGGER, SELECT ON demo_licenses TO regress_mpn_rows_reader;
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
RESET ROLE;
SET ROLE regress_mpn_rows_reader;
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
RESET ROLE;
-- (the role without SELECT: only the SQLSTATE is shown here; see the
-- report on the values in its message)
SET ROLE regress_mpn_rows_trigger;
\set VERBOSITY sqlstate
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
\set VERBOSITY default
RESET ROLE;
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
-- the rows mended, the TRIGGER grantee attaches it
SET ROLE regress_mpn_rows_owner;
DELETE FROM demo_licenses WHERE id = 2;
RESET ROLE;
SET ROLE regress_mpn_rows_trigger;
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
RESET ROLE;
SELECT name, internal, enabled FROM triggers_of('demo_licenses');

-- code that is not built in: the offer column is of the owner's domain
-- (its CHECK runs when the exclusive value is read).  Only a command of
-- the table's owner runs it; a TRIGGER grantee's command cannot check the
-- rows of a table that holds any, and is refused with 42501 (SQLSTATE,
-- DETAIL and HINT shown here: the message names the wrong role, reported)
CREATE FUNCTION mpn_rows_test.code_detail_hint(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	detail text;
	hint text;
BEGIN
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE,
			detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
		RETURN code || E'\nDETAIL:  ' || detail || E'\nHINT:  ' || hint;
	END;
	RETURN 'no error';
END
$$;
SET ROLE regress_mpn_rows_owner;
CREATE DOMAIN offer_name AS text CHECK (VALUE <> '');
CREATE TABLE owned_offers (id integer PRIMARY KEY, user_id integer, offer offer_name);
CREATE INDEX ON owned_offers (user_id);
INSERT INTO owned_offers VALUES (1, 10, 'azure_bulk_credit'), (2, 10, 'sandbox'), (3, 11, 'sandbox');
CREATE TABLE empty_offers (id integer PRIMARY KEY, user_id integer, offer offer_name);
CREATE INDEX ON empty_offers (user_id);
GRANT TRIGGER ON owned_offers, empty_offers TO regress_mpn_rows_trigger;
RESET ROLE;
\set attach_owned 'CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON mpn_rows_test.owned_offers FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer(''user_id'', ''offer'')'
SET ROLE regress_mpn_rows_trigger;
SELECT code_detail_hint(:'attach_owned') AS trigger_grantee;
-- an empty table has no rows to check: attached
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON empty_offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
RESET ROLE;
-- the owner's own command runs the domain's code, as the owner, and
-- checks the rows: one breaks the rule
SET ROLE regress_mpn_rows_owner;
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON owned_offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- with the check off, the TRIGGER grantee attaches it, and the owner audits
SET mpn.check_existing_rows = off;
SET ROLE regress_mpn_rows_trigger;
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON owned_offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
RESET ROLE;
RESET mpn.check_existing_rows;
SET ROLE regress_mpn_rows_owner;
SELECT * FROM mpn.violations('owned_offers');
-- mended, the owner's CREATE OR REPLACE TRIGGER checks them and passes
DELETE FROM owned_offers WHERE id = 2;
CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON owned_offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
RESET ROLE;
SELECT name, internal, enabled FROM triggers_of('owned_offers');

--
-- What the attack on 1.3 found, each refused now: mpn.violations() of a
-- relation that is no table (an index crashed the server), of a table
-- under row-level security for the caller (ctids of hidden rows), with
-- more arguments than a rule takes, and redeem_once's arguments checked
-- although no stored row can break it
--
CREATE TABLE edge (id integer PRIMARY KEY, tenant text, partner_tenant text, demo boolean);
CREATE INDEX edge_pair ON edge (tenant, partner_tenant);
INSERT INTO edge VALUES (1, 'a', 'a', true), (2, 'b', 'a', true), (3, 'c', 'a', true);
CALL try($$SELECT * FROM mpn.violations('edge_pair', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant')$$);
CALL try($$SELECT * FROM mpn.violations('edge_pair')$$);
CREATE VIEW edge_view AS SELECT * FROM edge;
CALL try($$SELECT * FROM mpn.violations('edge_view')$$);
CALL try($$SELECT * FROM mpn.violations('edge', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant', 'demo', 'id')$$);
CALL try($$SELECT * FROM mpn.violations('edge', 'mpn.redeem_once', 'nokey', 'redeemed')$$);
CALL try($$SELECT * FROM mpn.violations('edge', 'mpn.redeem_once', 'tenant', 'demo')$$);
-- row-level security: the owner may list; a reader the policies apply to
-- may not (not even the ctids of rows it cannot see)
ALTER TABLE edge ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_first ON edge FOR SELECT USING (id = 1);
GRANT SELECT ON edge TO regress_mpn_rows_reader;
SELECT row_identity FROM mpn.violations('edge', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant') ORDER BY 1;
SET ROLE regress_mpn_rows_reader;
SELECT id FROM edge;
SELECT * FROM mpn.violations('edge', 'mpn.partner_tenant_only', 'tenant', 'partner_tenant');
RESET ROLE;
DROP TABLE edge CASCADE;

-- A subscription adopted with no day of assignment (mpn.check_existing_rows
-- off) cannot pass on: its wait cannot be counted
CREATE TABLE adopted_seats (id integer PRIMARY KEY, subscriber text, assigned_on date, note text);
INSERT INTO adopted_seats VALUES (1, 'alice', NULL, NULL);
SET mpn.check_existing_rows = off;
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON adopted_seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
RESET mpn.check_existing_rows;
UPDATE adopted_seats SET note = 'kept' WHERE id = 1;
CALL try($$UPDATE adopted_seats SET subscriber = 'bob' WHERE id = 1$$);
SELECT * FROM adopted_seats;
DROP TABLE adopted_seats;

--
-- Clean-up
--
SET client_min_messages = warning;
DROP SCHEMA mpn_rows_test CASCADE;
RESET client_min_messages;
DROP ROLE regress_mpn_rows_owner, regress_mpn_rows_trigger, regress_mpn_rows_reader;
