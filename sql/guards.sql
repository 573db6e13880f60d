--
-- guards: a BEFORE rule (redeem_once, reassign_after, partner_tenant_only)
-- works only with its guards: its recheck (an internal AFTER ROW trigger)
-- and, for redeem_once and reassign_after, its truncate guard (an
-- internal BEFORE TRUNCATE trigger), each enabled ALWAYS.  The event
-- trigger mpn_check_attachments makes them when the rule is attached;
-- where it did not run (here: disabled around a CREATE TRIGGER, or a
-- session with session_replication_role = replica, where no event trigger
-- fires), or where a guard does not fire ALWAYS, the rule refuses its
-- first write with 55000 and a hint to run mpn.check_triggers(), which
-- makes them (exactly one of each, enabled ALWAYS).  ALTER TABLE ...
-- DISABLE TRIGGER ALL then ENABLE TRIGGER ALL (a superuser's) leaves the
-- guards enabled ALWAYS (the event trigger makes them anew).
--
-- Then replica mode, as logical replication applies changes
-- (session_replication_role = replica, where only ALWAYS and REPLICA
-- triggers fire): reassign_after enabled ALWAYS takes the publisher's
-- stamps (an INSERT with its assigned_on, a change of hands stamped at
-- least its days after the last) and refuses a change of hands stamped
-- closer (23514, with a hint at ALTER SUBSCRIPTION ... SKIP); redeem_once
-- enabled ALWAYS still refuses a changed redemption; enabled for the
-- origin only (the default), the rules fire for nothing in replica mode.
--
-- Needs triggers_setup (schema mpn_trig_test and its helpers try(),
-- triggers_of()).  Everything it makes is in schema mpn_guard_test, owned
-- by the role regress_mpn_guard_owner, dropped at the end; it calls
-- mpn.check_triggers() as that role, so that only its own tables are
-- checked.  It disables the extension's event trigger only inside a
-- transaction, which it commits with the event trigger enabled again.
--
-- "today" is fixed with mpn.as_of_date, so dates show as they are; the
-- OIDs in the guards' names are shown as <oid>.
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '2021-06-01';
CREATE ROLE regress_mpn_guard_owner;
CREATE SCHEMA mpn_guard_test AUTHORIZATION regress_mpn_guard_owner;
SET search_path = mpn_guard_test, mpn_trig_test;

-- The triggers of the tables of mpn_guard_test: per rule, how many guards
-- depend on it of each kind, and how they are enabled
CREATE FUNCTION mpn_guard_test.guards()
RETURNS TABLE ("table" text, rule name, rule_enabled "char",
			   rechecks bigint, rechecks_enabled text,
			   truncate_guards bigint, truncate_guards_enabled text)
LANGUAGE sql STABLE AS $$
	SELECT r.tgrelid::regclass::text, r.tgname, r.tgenabled,
		   count(*) FILTER (WHERE g.tgtype & 32 = 0),
		   string_agg(g.tgenabled::text, ',') FILTER (WHERE g.tgtype & 32 = 0),
		   count(*) FILTER (WHERE g.tgtype & 32 <> 0),
		   string_agg(g.tgenabled::text, ',') FILTER (WHERE g.tgtype & 32 <> 0)
	FROM pg_trigger r
	LEFT JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass AND d.refobjid = r.oid
		 AND d.refclassid = 'pg_trigger'::regclass AND d.deptype = 'i'
	LEFT JOIN pg_trigger g ON g.oid = d.objid
	WHERE NOT r.tgisinternal
	  AND r.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'mpn_guard_test'::regnamespace)
	GROUP BY r.tgrelid, r.tgname, r.tgenabled
	ORDER BY r.tgrelid::regclass::text COLLATE "C", r.tgname COLLATE "C"
$$;

SET ROLE regress_mpn_guard_owner;
CREATE TABLE keys (id integer PRIMARY KEY, key mpn.product_key, redeemed date);
CREATE UNIQUE INDEX ON keys (key) WHERE redeemed IS NOT NULL;
CREATE TABLE subscriptions (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TABLE licenses (id integer PRIMARY KEY, tenant text, partner_tenant text);
RESET ROLE;

--
-- Attached while the event trigger is disabled: no guards, and the first
-- write of each rule is refused (55000)
--
BEGIN;
ALTER EVENT TRIGGER mpn_check_attachments DISABLE;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
ALTER EVENT TRIGGER mpn_check_attachments ENABLE;
COMMIT;
SELECT evtname, evtenabled FROM pg_event_trigger WHERE evtname = 'mpn_check_attachments';
SELECT * FROM guards();
INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO subscriptions VALUES (1, 'alice', NULL);
INSERT INTO licenses VALUES (1, 'contoso', 'contoso');
-- every write, the owner's too: UPDATE and DELETE of rows loaded where
-- the rules do not fire (in replica mode)
SET session_replication_role = replica;
INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL);
INSERT INTO licenses VALUES (1, 'contoso', 'contoso');
RESET session_replication_role;
SET ROLE regress_mpn_guard_owner;
\set VERBOSITY terse
DELETE FROM keys;
UPDATE keys SET redeemed = '2021-01-15';
UPDATE licenses SET tenant = tenant;
\set VERBOSITY default
RESET ROLE;
SELECT error_table('INSERT INTO mpn_guard_test.keys VALUES (2, NULL, NULL)');
-- mpn.check_triggers() makes them: exactly one of each, enabled ALWAYS;
-- a second call changes nothing
SET ROLE regress_mpn_guard_owner;
SELECT mpn.check_triggers();
SELECT * FROM guards();
RESET ROLE;
SELECT string_agg(oid::text, ',' ORDER BY oid) AS guards_made FROM pg_trigger
WHERE tgisinternal AND tgrelid::regclass::text IN ('keys', 'subscriptions', 'licenses') \gset
SET ROLE regress_mpn_guard_owner;
SELECT mpn.check_triggers();
RESET ROLE;
SELECT string_agg(oid::text, ',' ORDER BY oid) = :'guards_made' AS same_guards FROM pg_trigger
WHERE tgisinternal AND tgrelid::regclass::text IN ('keys', 'subscriptions', 'licenses');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('keys');
-- and the writes work, under the rules
UPDATE keys SET redeemed = '2021-01-15';
INSERT INTO subscriptions VALUES (1, 'alice', NULL);
UPDATE licenses SET tenant = tenant;
CALL try('TRUNCATE keys');
CALL try($$INSERT INTO licenses VALUES (2, 'fabrikam', 'contoso')$$);

--
-- Attached in a session with session_replication_role = replica (where no
-- event trigger fires): the same
--
SET ROLE regress_mpn_guard_owner;
CREATE TABLE keys_replica (id integer PRIMARY KEY, key mpn.product_key, redeemed date);
CREATE UNIQUE INDEX ON keys_replica (key) WHERE redeemed IS NOT NULL;
RESET ROLE;
SET session_replication_role = replica;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys_replica
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
-- (in replica mode a rule enabled for the origin does not fire)
INSERT INTO keys_replica VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789C', NULL);
RESET session_replication_role;
SELECT * FROM guards() WHERE "table" = 'keys_replica';
INSERT INTO keys_replica VALUES (2, 'BCDFG-HJKMP-QRTVW-XY234-6789D', NULL);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_mpn_guard_owner;
SELECT mpn.check_triggers();
RESET ROLE;
SELECT * FROM guards() WHERE "table" = 'keys_replica';
INSERT INTO keys_replica VALUES (2, 'BCDFG-HJKMP-QRTVW-XY234-6789D', NULL);

--
-- A guard that does not fire ALWAYS is as good as missing
--
-- ALTER TABLE ... DISABLE TRIGGER ALL, then ENABLE TRIGGER ALL, by a
-- superuser (as pg_restore --disable-triggers does): ENABLE sets every
-- trigger to fire on origin, and the event trigger makes the guards anew,
-- enabled ALWAYS
ALTER TABLE keys DISABLE TRIGGER ALL;
SELECT name, enabled FROM triggers_of('keys');
-- (disabled, nothing fires: a redemption is cleared and made again)
UPDATE keys SET redeemed = NULL WHERE id = 1;
UPDATE keys SET redeemed = '2021-01-15' WHERE id = 1;
ALTER TABLE keys ENABLE TRIGGER ALL;
SELECT name, enabled FROM triggers_of('keys');
SELECT * FROM guards() WHERE "table" = 'keys';
CALL try($$UPDATE keys SET redeemed = NULL WHERE id = 1$$);
CALL try('TRUNCATE keys');
UPDATE keys SET key = key WHERE id = 1;
-- the same where no event trigger fires (replica mode): the guards are
-- left firing on origin only, and the rule refuses until
-- mpn.check_triggers() makes them anew
SET session_replication_role = replica;
ALTER TABLE subscriptions DISABLE TRIGGER ALL;
ALTER TABLE subscriptions ENABLE TRIGGER ALL;
RESET session_replication_role;
SELECT name, enabled FROM triggers_of('subscriptions');
UPDATE subscriptions SET subscriber = 'bob' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_mpn_guard_owner;
SELECT mpn.check_triggers();
RESET ROLE;
SELECT * FROM guards() WHERE "table" = 'subscriptions';
CALL try($$UPDATE subscriptions SET subscriber = 'bob' WHERE id = 1$$);
-- one guard switched off by name (in replica mode, so that no event
-- trigger makes it anew): the truncate guard alone missing is enough for
-- the rule to refuse
SELECT tgname AS truncate_guard FROM pg_trigger
WHERE tgrelid = 'subscriptions'::regclass AND tgisinternal AND tgtype & 32 <> 0 \gset
SET session_replication_role = replica;
ALTER TABLE subscriptions DISABLE TRIGGER :"truncate_guard";
RESET session_replication_role;
SELECT * FROM guards() WHERE "table" = 'subscriptions';
INSERT INTO subscriptions VALUES (2, 'carol', NULL);
\echo :LAST_ERROR_SQLSTATE
-- (outside replica mode, switching a guard off by name is undone by the
-- event trigger at once: it makes the guard anew, enabled ALWAYS)
ALTER TABLE subscriptions ENABLE ALWAYS TRIGGER :"truncate_guard";
SELECT * FROM guards() WHERE "table" = 'subscriptions';
SELECT tgname AS truncate_guard FROM pg_trigger
WHERE tgrelid = 'subscriptions'::regclass AND tgisinternal AND tgtype & 32 <> 0 \gset
ALTER TABLE subscriptions DISABLE TRIGGER :"truncate_guard";
SELECT * FROM guards() WHERE "table" = 'subscriptions';
SELECT tgname <> :'truncate_guard' AS made_anew FROM pg_trigger
WHERE tgrelid = 'subscriptions'::regclass AND tgisinternal AND tgtype & 32 <> 0;
INSERT INTO subscriptions VALUES (2, 'carol', NULL);
-- ... the recheck of partner_tenant_only likewise
SELECT tgname AS recheck FROM pg_trigger
WHERE tgrelid = 'licenses'::regclass AND tgisinternal \gset
SET session_replication_role = replica;
ALTER TABLE licenses ENABLE TRIGGER :"recheck";
RESET session_replication_role;
SELECT * FROM guards() WHERE "table" = 'licenses';
CALL try($$INSERT INTO licenses VALUES (3, 'northwind', 'northwind')$$);
SET ROLE regress_mpn_guard_owner;
SELECT mpn.check_triggers();
RESET ROLE;
SELECT * FROM guards();

--
-- Replica mode: reassign_after enabled ALWAYS takes the publisher's stamps
--
SET ROLE regress_mpn_guard_owner;
CREATE TABLE replicated_subscriptions (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON replicated_subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
ALTER TABLE replicated_subscriptions ENABLE ALWAYS TRIGGER reassign_after;
RESET ROLE;
SELECT * FROM guards() WHERE "table" = 'replicated_subscriptions';
SET session_replication_role = replica;
-- an INSERT with the publisher's day (not this server's today) is taken as
-- it is; one without a day is stamped today, as always
INSERT INTO replicated_subscriptions VALUES
	(1, 'alice', '2021-03-01'), (2, 'bob', '2021-05-01'), (3, 'carol', NULL), (4, NULL, NULL);
SELECT * FROM replicated_subscriptions ORDER BY id;
-- a change of hands stamped at least 90 days after the last assignment is
-- taken as stamped (even where this server's today is earlier) ...
UPDATE replicated_subscriptions SET subscriber = 'dave', assigned_on = '2021-05-30' WHERE id = 1;
UPDATE replicated_subscriptions SET subscriber = 'erin', assigned_on = '2021-07-30' WHERE id = 2;
-- ... one stamped closer, or not stamped, stops apply
UPDATE replicated_subscriptions SET subscriber = 'frank', assigned_on = '2021-08-27' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
CALL try($$UPDATE replicated_subscriptions SET subscriber = 'frank', assigned_on = NULL WHERE id = 1$$);
-- the first assignment of a subscription nobody held: its stamp as given
UPDATE replicated_subscriptions SET subscriber = 'gina', assigned_on = '2021-04-01' WHERE id = 4;
RESET session_replication_role;
SELECT * FROM replicated_subscriptions ORDER BY id;
-- in origin mode, the same trigger stamps as always
CALL try($$INSERT INTO replicated_subscriptions VALUES (5, 'hank', '2021-03-01')$$);
CALL try($$UPDATE replicated_subscriptions SET subscriber = 'ivan' WHERE id = 1$$);

-- redeem_once enabled ALWAYS refuses a changed redemption in replica mode
ALTER TABLE keys ENABLE ALWAYS TRIGGER redeem_once;
SELECT * FROM guards() WHERE "table" = 'keys';
SET session_replication_role = replica;
CALL try($$UPDATE keys SET redeemed = '2021-01-16' WHERE id = 1$$);
CALL try($$DELETE FROM keys WHERE id = 1$$);
CALL try('TRUNCATE keys');
INSERT INTO keys VALUES (3, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-05-01');
CALL try($$INSERT INTO keys VALUES (4, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-05-02')$$);
RESET session_replication_role;

-- enabled for the origin only (the default), the rules do not fire in
-- replica mode, nor do their guards: the publisher's changes are trusted
-- (all undone here)
ALTER TABLE keys ENABLE TRIGGER redeem_once;
ALTER TABLE replicated_subscriptions ENABLE TRIGGER reassign_after;
SELECT * FROM guards();
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE keys SET redeemed = '2021-01-16' WHERE id = 1;
DELETE FROM keys WHERE id = 3;
INSERT INTO replicated_subscriptions VALUES (5, 'hank', '2021-03-01');
UPDATE replicated_subscriptions SET subscriber = 'ivan', assigned_on = '2021-06-01' WHERE id = 1;
DELETE FROM replicated_subscriptions WHERE id = 2;
INSERT INTO licenses VALUES (4, 'fabrikam', 'contoso');
SELECT id, key, redeemed FROM keys ORDER BY id;
SELECT * FROM replicated_subscriptions ORDER BY id;
TRUNCATE keys, replicated_subscriptions;
ROLLBACK;

--
-- Clean-up
--
SET client_min_messages = warning;
DROP SCHEMA mpn_guard_test CASCADE;
RESET client_min_messages;
DROP ROLE regress_mpn_guard_owner;
