--
-- partitions: the rules on partitioned tables.  A rule attached to a
-- partitioned table is cloned to each partition, with its recheck and
-- truncate guard there.  An UPDATE that moves a row to another partition
-- (LIST and HASH, partitioned by a column the rule does not name) is, for
-- PostgreSQL, a DELETE from one partition and an INSERT into the other;
-- to the rules it is the same row: a move that leaves the rule's columns
-- as they were is allowed and keeps the row's redemption or assigned_on;
-- one that also changes hands is judged as that UPDATE (refused inside
-- the wait, stamped today after it); a DELETE of a redeemed key or of a
-- subscription inside its wait is refused as always; a BEFORE INSERT
-- trigger on the destination that changes a subscription on the way is
-- refused (reassign_after).  redeem_once needs a unique index on the key
-- on each partition (a unique index of a partitioned table must include
-- the partition key): each partition is made with its own, then attached.
-- ATTACH PARTITION checks the rows of the table it attaches and gives it
-- its guards; DETACH PARTITION takes the clones and their guards away
-- (PostgreSQL's behaviour).
--
-- Needs triggers_setup (schema mpn_trig_test and its helpers try(),
-- triggers_of()).  Everything it makes is in schema mpn_part_test,
-- dropped at the end.
--
-- "today" is fixed with mpn.as_of_date, so dates show as they are; the
-- OIDs in the guards' names are shown as <oid>.
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '2021-06-01';
CREATE SCHEMA mpn_part_test;
SET search_path = mpn_part_test, mpn_trig_test;

-- The rows of a partitioned table, with the partition each is in
CREATE FUNCTION mpn_part_test.rows_of(tab regclass)
RETURNS TABLE (partition text, row_text text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT t.tableoid::regclass::text, t::text FROM %s t ORDER BY t.id', tab);
END
$$;

--
-- redeem_once on a table partitioned by LIST (region)
--
CREATE TABLE keys (
	region text,
	id integer,
	key mpn.product_key,
	redeemed date,
	note text
) PARTITION BY LIST (region);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
-- the partitioned table itself has only the rule (row triggers fire on
-- the partitions)
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('keys');
-- a partition made without a unique index on the key is refused, by the
-- check of the clone it gets
CREATE TABLE keys_eu PARTITION OF keys FOR VALUES IN ('eu');
\echo :LAST_ERROR_SQLSTATE
-- a unique index of the partitioned table on the key alone is impossible
CREATE UNIQUE INDEX ON keys (key) WHERE redeemed IS NOT NULL;
-- so: each partition with its own unique index, then ATTACH PARTITION,
-- which gives it the clone, its recheck and its truncate guard
CREATE TABLE keys_eu (LIKE keys);
CREATE UNIQUE INDEX keys_eu_key ON keys_eu (key) WHERE redeemed IS NOT NULL;
ALTER TABLE keys ATTACH PARTITION keys_eu FOR VALUES IN ('eu');
CREATE TABLE keys_us (LIKE keys);
CREATE UNIQUE INDEX keys_us_key ON keys_us (key) WHERE redeemed IS NOT NULL;
ALTER TABLE keys ATTACH PARTITION keys_us FOR VALUES IN ('us');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('keys_eu');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('keys_us');
INSERT INTO keys VALUES
	('eu', 1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-15', NULL),
	('eu', 2, 'BCDFG-HJKMP-QRTVW-XY234-6789C', NULL, NULL),
	('us', 3, 'BCDFG-HJKMP-QRTVW-XY234-6789D', '2021-02-01', NULL);

-- moving a redeemed key to another partition, its key and redemption as
-- they were: allowed, and it keeps its redemption date
UPDATE keys SET region = 'us', note = 'moved' WHERE id = 1;
SELECT * FROM rows_of('keys');
-- ... and back, with an unredeemed key, in one statement
UPDATE keys SET region = CASE region WHEN 'eu' THEN 'us' ELSE 'eu' END WHERE id IN (1, 2);
SELECT * FROM rows_of('keys');
-- a move that also changes the redemption or the key is refused, as the
-- UPDATE it is
CALL try($$UPDATE keys SET region = 'eu', redeemed = '2021-01-16' WHERE id = 1$$);
CALL try($$UPDATE keys SET region = 'eu', redeemed = NULL WHERE id = 1$$);
CALL try($$UPDATE keys SET region = 'eu', key = 'BCDFG-HJKMP-QRTVW-XY234-6789F' WHERE id = 1$$);
-- a move that redeems an unredeemed key: a redemption like any other
UPDATE keys SET region = 'eu', redeemed = '2021-05-01' WHERE id = 2;
-- ... not a second redemption of a key the destination holds redeemed
INSERT INTO keys VALUES ('us', 4, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL, NULL);
UPDATE keys SET region = 'eu', redeemed = '2021-05-02' WHERE id = 4;
\echo :LAST_ERROR_SQLSTATE
-- ... nor does a move bring two redemptions of a key into one partition
-- (a key may be redeemed once in each partition: each partition's unique
-- index holds within it)
BEGIN;
INSERT INTO keys VALUES ('eu', 5, 'BCDFG-HJKMP-QRTVW-XY234-6789D', '2021-03-01', NULL);
CALL try($$UPDATE keys SET region = 'eu' WHERE id = 3$$);
ROLLBACK;
-- deleting a redeemed key is refused, in whichever partition
CALL try($$DELETE FROM keys WHERE id = 1$$);
CALL try($$DELETE FROM keys_eu WHERE id = 1$$);
SELECT * FROM rows_of('keys');

--
-- redeem_once on a table partitioned by HASH (id): a row moves when its id
-- does
--
CREATE TABLE hashed_keys (id integer, key mpn.product_key, redeemed date)
	PARTITION BY HASH (id);
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON hashed_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
CREATE TABLE hashed_keys_0 (LIKE hashed_keys);
CREATE UNIQUE INDEX ON hashed_keys_0 (key) WHERE redeemed IS NOT NULL;
ALTER TABLE hashed_keys ATTACH PARTITION hashed_keys_0 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE hashed_keys_1 (LIKE hashed_keys);
CREATE UNIQUE INDEX ON hashed_keys_1 (key) WHERE redeemed IS NOT NULL;
ALTER TABLE hashed_keys ATTACH PARTITION hashed_keys_1 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
-- (ids 11 and 12 hash to different partitions)
INSERT INTO hashed_keys VALUES (11, 'BCDFG-HJKMP-QRTVW-XY234-6789G', '2021-04-01');
SELECT * FROM rows_of('hashed_keys');
UPDATE hashed_keys SET id = 12 WHERE id = 11;
SELECT * FROM rows_of('hashed_keys');
CALL try($$UPDATE hashed_keys SET id = 11, redeemed = '2021-04-02' WHERE id = 12$$);
CALL try($$DELETE FROM hashed_keys$$);
CALL try($$TRUNCATE hashed_keys$$);
SELECT * FROM rows_of('hashed_keys');

--
-- reassign_after on a table partitioned by LIST (region)
--
CREATE TABLE seats (
	region text,
	id integer,
	subscriber text,
	assigned_on date
) PARTITION BY LIST (region);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
-- a partition made by CREATE TABLE ... PARTITION OF gets its clone and
-- guards at once (it is empty: nothing to check)
CREATE TABLE seats_eu PARTITION OF seats FOR VALUES IN ('eu');
CREATE TABLE seats_us PARTITION OF seats FOR VALUES IN ('us');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('seats_us');
-- history: alice assigned on 2021-05-01 (inside her wait until
-- 2021-07-30), bob on 2021-01-01 (past it)
ALTER TABLE seats DISABLE TRIGGER reassign_after;
INSERT INTO seats VALUES ('eu', 1, 'alice', '2021-05-01'), ('eu', 2, 'bob', '2021-01-01');
ALTER TABLE seats ENABLE TRIGGER reassign_after;
-- moves that keep the subscriber keep the day
UPDATE seats SET region = 'us' WHERE id IN (1, 2);
SELECT * FROM rows_of('seats');
-- a move that also changes hands inside the wait is refused
CALL try($$UPDATE seats SET region = 'eu', subscriber = 'carol' WHERE id = 1$$);
-- ... after it, allowed and stamped today
UPDATE seats SET region = 'eu', subscriber = 'carol' WHERE id = 2;
SELECT * FROM rows_of('seats');
-- a move that leaves it unassigned keeps the day
UPDATE seats SET region = 'us', subscriber = NULL WHERE id = 2;
SELECT * FROM rows_of('seats');
-- ... and assigned_on is not set by hand on the way
CALL try($$UPDATE seats SET region = 'eu', assigned_on = '2021-01-01' WHERE id = 1$$);
-- deleting a subscription inside its wait is refused
CALL try($$DELETE FROM seats WHERE id = 1$$);
CALL try($$DELETE FROM seats WHERE id = 2$$);
-- a BEFORE INSERT trigger on the destination that changes the row on the
-- way: the row is judged as a new row (a trigger named before the rule's)
-- or refused by the recheck (one named after it): either way refused
CREATE FUNCTION mpn_part_test.handover() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.subscriber := 'mallory';
	RETURN NEW;
END
$$;
CREATE FUNCTION mpn_part_test.backdate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.assigned_on := NEW.assigned_on - 100;
	RETURN NEW;
END
$$;
CREATE TRIGGER aaa_handover BEFORE INSERT ON seats_eu FOR EACH ROW EXECUTE FUNCTION handover();
CALL try($$UPDATE seats SET region = 'eu' WHERE id = 1$$);
DROP TRIGGER aaa_handover ON seats_eu;
CREATE TRIGGER zzz_handover BEFORE INSERT ON seats_eu FOR EACH ROW EXECUTE FUNCTION handover();
CALL try($$UPDATE seats SET region = 'eu' WHERE id = 1$$);
DROP TRIGGER zzz_handover ON seats_eu;
CREATE TRIGGER aaa_backdate BEFORE INSERT ON seats_eu FOR EACH ROW EXECUTE FUNCTION backdate();
CALL try($$UPDATE seats SET region = 'eu' WHERE id = 1$$);
DROP TRIGGER aaa_backdate ON seats_eu;
CREATE TRIGGER zzz_backdate BEFORE INSERT ON seats_eu FOR EACH ROW EXECUTE FUNCTION backdate();
CALL try($$UPDATE seats SET region = 'eu' WHERE id = 1$$);
DROP TRIGGER zzz_backdate ON seats_eu;
-- ... and so is a later BEFORE UPDATE trigger on the source partition
-- that changes the row it moves out
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON seats_us FOR EACH ROW EXECUTE FUNCTION backdate();
CALL try($$UPDATE seats SET region = 'eu' WHERE id = 1$$);
DROP TRIGGER zzz_backdate ON seats_us;
CREATE TRIGGER zzz_handover BEFORE UPDATE ON seats_us FOR EACH ROW EXECUTE FUNCTION handover();
CALL try($$UPDATE seats SET region = 'eu' WHERE id = 1$$);
DROP TRIGGER zzz_handover ON seats_us;
-- (a trigger that changes other columns on the way is no matter)
ALTER TABLE seats ADD COLUMN note text;
CREATE FUNCTION mpn_part_test.annotate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.note := 'moved in';
	RETURN NEW;
END
$$;
CREATE TRIGGER aaa_annotate BEFORE INSERT ON seats_eu FOR EACH ROW EXECUTE FUNCTION annotate();
UPDATE seats SET region = 'eu' WHERE id = 1;
DROP TRIGGER aaa_annotate ON seats_eu;
SELECT * FROM rows_of('seats');

-- reassign_after on a table partitioned by HASH (id)
CREATE TABLE hashed_seats (id integer, subscriber text, assigned_on date) PARTITION BY HASH (id);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON hashed_seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30');
CREATE TABLE hashed_seats_0 PARTITION OF hashed_seats FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE hashed_seats_1 PARTITION OF hashed_seats FOR VALUES WITH (MODULUS 2, REMAINDER 1);
SET mpn.as_of_date = '2021-05-15';
INSERT INTO hashed_seats VALUES (11, 'dave', NULL);
SET mpn.as_of_date = '2021-06-01';
UPDATE hashed_seats SET id = 12 WHERE id = 11;
SELECT * FROM rows_of('hashed_seats');
CALL try($$UPDATE hashed_seats SET id = 11, subscriber = 'erin' WHERE id = 12$$);
SET mpn.as_of_date = '2021-06-14';
UPDATE hashed_seats SET id = 11, subscriber = 'erin' WHERE id = 12;
SELECT * FROM rows_of('hashed_seats');
SET mpn.as_of_date = '2021-06-01';

--
-- ATTACH PARTITION of a table that holds rows checks them (here: a
-- subscription assigned with no day of assignment) and gives it the
-- clone and its guards; DETACH PARTITION takes them away
--
CREATE TABLE seats_apac (LIKE seats);
INSERT INTO seats_apac VALUES ('apac', 7, 'frank', NULL, NULL), ('apac', 8, 'gina', '2021-05-20', NULL);
ALTER TABLE seats ATTACH PARTITION seats_apac FOR VALUES IN ('apac');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'seats_apac'::regclass;
UPDATE seats_apac SET assigned_on = '2021-05-20' WHERE id = 7;
ALTER TABLE seats ATTACH PARTITION seats_apac FOR VALUES IN ('apac');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('seats_apac');
CALL try($$DELETE FROM seats WHERE id = 7$$);
CALL try($$TRUNCATE seats_apac$$);
-- a row moves in and out
UPDATE seats SET region = 'apac' WHERE id = 1;
UPDATE seats SET region = 'eu' WHERE id = 1;
SELECT * FROM rows_of('seats');
-- detached, it is a table of its own, unguarded
ALTER TABLE seats DETACH PARTITION seats_apac;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'seats_apac'::regclass;
DELETE FROM seats_apac WHERE id = 7;
TRUNCATE seats_apac;
-- ... until attached again
INSERT INTO seats_apac VALUES ('apac', 9, 'hank', '2021-05-30', NULL);
ALTER TABLE seats ATTACH PARTITION seats_apac FOR VALUES IN ('apac');
CALL try($$TRUNCATE seats_apac$$);
-- the same for redeem_once
ALTER TABLE keys DETACH PARTITION keys_us;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'keys_us'::regclass;
DELETE FROM keys_us WHERE redeemed IS NOT NULL;
ALTER TABLE keys ATTACH PARTITION keys_us FOR VALUES IN ('us');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('keys_us');

--
-- What the attack on 1.3 found, each refused now.  A row a rule lets
-- leave its partition must be stored in another partition under the same
-- rule, with the rule's columns as they left, or the transaction fails at
-- its commit: a DELETE dressed as a move (MERGE whose UPDATE another
-- trigger skipped), a move to a partition whose clone of the rule is
-- disabled, a BEFORE INSERT trigger there that drops or changes the row
-- after the rule let it in; one that changes it before is refused at once.
--
CREATE TABLE moved (id integer, region text, key text, redeemed date, note text,
	PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE moved_eu (LIKE moved);
CREATE UNIQUE INDEX ON moved_eu (key);
CREATE TABLE moved_us (LIKE moved);
CREATE UNIQUE INDEX ON moved_us (key);
ALTER TABLE moved ATTACH PARTITION moved_eu FOR VALUES IN ('eu');
ALTER TABLE moved ATTACH PARTITION moved_us FOR VALUES IN ('us');
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON moved
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
INSERT INTO moved VALUES (1, 'eu', 'K1', '2021-01-01', NULL), (2, 'eu', 'K2', NULL, NULL);
-- the recheck of a partition fires on INSERT too (tgtype 21)
SELECT name, tgtype FROM triggers_of('moved_us') WHERE internal ORDER BY 1;
-- (a) MERGE: an UPDATE skipped by a trigger, then a DELETE of that row
CREATE FUNCTION skip_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RETURN NULL;
END
$$;
CREATE TRIGGER z_skip BEFORE UPDATE ON moved_eu FOR EACH ROW EXECUTE FUNCTION skip_update();
CALL try($$MERGE INTO moved t USING (VALUES (1), (2)) s(n) ON t.key = 'K1'
	WHEN MATCHED AND s.n = 1 THEN UPDATE SET note = 'skipped'
	WHEN MATCHED THEN DELETE$$);
DROP TRIGGER z_skip ON moved_eu;
-- (b) a move to a partition whose clone is disabled
ALTER TABLE moved_us DISABLE TRIGGER redeem_once;
CALL try($$UPDATE moved SET region = 'us' WHERE key = 'K1'$$);
ALTER TABLE moved_us ENABLE TRIGGER redeem_once;
-- (c) a BEFORE INSERT trigger of the partition entered that drops the row,
-- or changes its redemption, after the rule let it in ...
CREATE FUNCTION redate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_ARGV[0] = 'drop' THEN
		RETURN NULL;
	END IF;
	NEW.redeemed := NEW.redeemed + 1;
	RETURN NEW;
END
$$;
CREATE TRIGGER z_drop BEFORE INSERT ON moved_us FOR EACH ROW EXECUTE FUNCTION redate('drop');
CALL try($$UPDATE moved SET region = 'us' WHERE key = 'K1'$$);
DROP TRIGGER z_drop ON moved_us;
CREATE TRIGGER z_redate BEFORE INSERT ON moved_us FOR EACH ROW EXECUTE FUNCTION redate('redate');
CALL try($$UPDATE moved SET region = 'us' WHERE key = 'K1'$$);
DROP TRIGGER z_redate ON moved_us;
-- ... or before it (refused by the rule at once)
CREATE TRIGGER a_redate BEFORE INSERT ON moved_us FOR EACH ROW EXECUTE FUNCTION redate('redate');
CALL try($$UPDATE moved SET region = 'us' WHERE key = 'K1'$$);
DROP TRIGGER a_redate ON moved_us;
-- in a subtransaction that is rolled back, a refused move leaves nothing
-- behind for the commit to trip on
BEGIN;
SAVEPOINT s;
ALTER TABLE moved_us DISABLE TRIGGER redeem_once;
UPDATE moved SET region = 'us' WHERE key = 'K1';
ROLLBACK TO SAVEPOINT s;
UPDATE moved SET note = 'fine' WHERE key = 'K2';
COMMIT;
-- the key is where it was, redeemed as it was; a plain move works
SELECT tableoid::regclass AS partition, * FROM moved ORDER BY id;
UPDATE moved SET region = 'us' WHERE key = 'K1';
SELECT tableoid::regclass AS partition, * FROM moved ORDER BY id;
DROP TABLE moved;

-- A foreign partition holds no rows of ours and can have no TRUNCATE
-- trigger: reassign_after attaches to a parent with one, without a
-- truncate guard there
CREATE FOREIGN DATA WRAPPER mpn_part_fdw;
CREATE SERVER mpn_part_server FOREIGN DATA WRAPPER mpn_part_fdw;
CREATE TABLE far_seats (id integer, region text, subscriber text, assigned_on date)
	PARTITION BY LIST (region);
CREATE TABLE far_seats_eu PARTITION OF far_seats FOR VALUES IN ('eu');
CREATE FOREIGN TABLE far_seats_us PARTITION OF far_seats FOR VALUES IN ('us')
	SERVER mpn_part_server;
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON far_seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SELECT name, tgtype FROM triggers_of('far_seats_us') ORDER BY 1;
SELECT name, tgtype FROM triggers_of('far_seats_eu') ORDER BY 1;
DROP TABLE far_seats;
DROP SERVER mpn_part_server;
DROP FOREIGN DATA WRAPPER mpn_part_fdw;

--
-- Clean-up
--
SET client_min_messages = warning;
DROP SCHEMA mpn_part_test CASCADE;
RESET client_min_messages;
