--
-- redeem_once: the trigger mpn.redeem_once(key_column, redeemed_column):
-- the unique index it needs, every allowed and refused path, upserts and
-- COPY, a full unique index with text keys and a timestamptz column, names
-- that need quoting; the changes to its table that are refused because
-- they would leave it unable to work (dropping its unique index or a
-- column it names, renaming or retyping such a column, enabling it again
-- after such a change) and those that are not; its recheck, which refuses
-- a redemption that a later BEFORE trigger changed; and misuse, refused
-- at CREATE TRIGGER with the error of first use.
--
-- Needs triggers_setup, run before it in REGRESS: schema mpn_trig_test,
-- the helpers scrub(), try(), error_table(), triggers_of() and
-- recheck_of() in it, and the table misuse with the procedure misuse()
-- for the misuse checks.  What it creates stays in mpn_trig_test until
-- triggers_safety, the last trigger suite, drops the schema.
--
-- The output must not depend on the day the suite runs: dates near today
-- are shown as TODAY[+-n] by scrub(); the dates the tests choose
-- themselves are in 2020 and 2021, or relative to mpn.today().  Nor on
-- OIDs: a recheck's name is shown as mpn_recheck_<oid>.
--
-- the session settings of triggers_setup (each suite is a session of its
-- own): "today" for the rules is the calendar's in UTC
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '';
SET search_path = mpn_trig_test;

--
-- redeem_once(key_column, redeemed_column)
--
-- SQLSTATE 23505 (unique_violation): a second redemption of a key;
-- SQLSTATE 23001 (restrict_violation): changing, clearing or deleting a
-- redemption.
--
CREATE TABLE keys (
	id integer PRIMARY KEY,
	key mpn.product_key,
	redeemed date,
	note text
);

-- the rule stands on a unique index on the key column alone: without one,
-- CREATE TRIGGER is refused, with the index to create as the hint, and
-- nothing is attached (not even the recheck)
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'keys'::regclass;
-- (below, the same CREATE TRIGGER, run by try())
\set attach_keys 'CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once(''key'', ''redeemed'')'
-- not unique
CREATE INDEX keys_key_plain ON keys (key);
CALL try(:'attach_keys');
-- unique, but on more than the key
CREATE UNIQUE INDEX keys_key_id ON keys (key, id);
CALL try(:'attach_keys');
-- unique on the key alone, but not with "redeemed IS NOT NULL" as its predicate
CREATE UNIQUE INDEX keys_key_noted ON keys (key) WHERE note IS NOT NULL;
CALL try(:'attach_keys');
CREATE UNIQUE INDEX keys_key_and_more ON keys (key) WHERE redeemed IS NOT NULL AND note IS NULL;
CALL try(:'attach_keys');
-- unique on an expression of the key
CREATE UNIQUE INDEX keys_key_text ON keys ((key::text)) WHERE redeemed IS NOT NULL;
CALL try(:'attach_keys');
-- (a unique index of another access method than btree is not possible)
CREATE UNIQUE INDEX keys_key_hash ON keys USING hash (key);
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'keys'::regclass;
DROP INDEX keys_key_plain, keys_key_id, keys_key_noted, keys_key_and_more, keys_key_text;

-- the partial unique index: a key may stand unredeemed on several rows,
-- and be redeemed on one.  With it, the trigger attaches, and with it its
-- recheck (see "The recheck" below)
CREATE UNIQUE INDEX keys_key_redeemed ON keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
SELECT name, internal, tgtype, enabled, depends_on FROM triggers_of('keys');
INSERT INTO keys VALUES
	(1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL),
	(2, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL),
	(3, 'BCDFG-HJKMP-QRTVW-XY234-6789C', NULL),
	(4, 'BCDFG-HJKMP-QRTVW-XY234-6789C', NULL),
	(5, 'BCDFG-HJKMP-QRTVW-XY234-6789D', '2020-12-01');

-- redeeming an unredeemed key once (by UPDATE; row 5 was redeemed by INSERT)
UPDATE keys SET redeemed = '2021-01-15' WHERE id = 1;

-- a second redemption, by a second row
CALL try($$INSERT INTO keys VALUES (6, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-02-01')$$);
CALL try($$INSERT INTO keys VALUES (6, 'bcdfghjkmpqrtvwxy2346789d', '2021-02-01')$$);
-- ... or by redeeming the other unredeemed row of the key
CALL try($$UPDATE keys SET redeemed = '2021-02-01' WHERE id = 2$$);
-- ... or by moving the other row to a redeemed key while redeeming it
CALL try($$UPDATE keys SET key = 'BCDFG-HJKMP-QRTVW-XY234-6789D', redeemed = '2021-02-01' WHERE id = 3$$);
-- ... or two redemptions of one key in one statement: the second row sees
-- the first, although neither is committed
CALL try($$UPDATE keys SET redeemed = '2021-02-01' WHERE id IN (3, 4)$$);
CALL try($$INSERT INTO keys VALUES
	(6, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-02-01'),
	(7, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-02-02')$$);
-- the same, reported by psql, with its SQLSTATE
INSERT INTO keys VALUES
	(6, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-02-01'),
	(7, 'BCDFG-HJKMP-QRTVW-XY234-6789F', '2021-02-02');
\echo :LAST_ERROR_SQLSTATE
-- ... or by COPY: the first redemption of the file passes, the second not
COPY keys (id, key, redeemed) FROM STDIN;
6	BCDFG-HJKMP-QRTVW-XY234-6789G	2021-03-01
7	BCDFG-HJKMP-QRTVW-XY234-6789H	\N
8	BCDFG-HJKMP-QRTVW-XY234-6789G	2021-03-02
\.
\echo :LAST_ERROR_SQLSTATE
-- ... and COPY of redemptions of distinct keys works
COPY keys (id, key, redeemed) FROM STDIN;
6	BCDFG-HJKMP-QRTVW-XY234-6789G	2021-03-01
7	BCDFG-HJKMP-QRTVW-XY234-6789H	\N
8	BCDFG-HJKMP-QRTVW-XY234-6789H	\N
\.

-- the unredeemed key may still stand on more rows, and unredeemed rows
-- change and go freely
INSERT INTO keys VALUES (9, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL);
UPDATE keys SET note = 'spare', key = 'BCDFG-HJKMP-QRTVW-XY234-6789J' WHERE id = 9;
DELETE FROM keys WHERE id IN (8, 9);
-- redeeming a key of several unredeemed rows, once
UPDATE keys SET redeemed = '2021-04-01' WHERE id = 3;

-- a redeemed row: its redemption date and key never change, and it is
-- never deleted
CALL try($$UPDATE keys SET redeemed = NULL WHERE id = 1$$);
CALL try($$UPDATE keys SET redeemed = '2021-01-16' WHERE id = 1$$);
CALL try($$UPDATE keys SET redeemed = '2020-01-15' WHERE id = 1$$);
CALL try($$UPDATE keys SET key = 'BCDFG-HJKMP-QRTVW-XY234-6789K' WHERE id = 1$$);
CALL try($$UPDATE keys SET key = NULL WHERE id = 1$$);
CALL try($$DELETE FROM keys WHERE id = 1$$);
CALL try($$DELETE FROM keys$$);
-- ... but its other columns change freely, and writing the same values is
-- no change; the key is the same when spelled differently
UPDATE keys SET note = 'sold to Contoso' WHERE id = 1;
UPDATE keys SET id = 10 WHERE id = 1;
UPDATE keys SET redeemed = '2021-01-15', key = 'bcdfghjkmpqrtvwxy2346789b' WHERE id = 10;
UPDATE keys SET redeemed = redeemed, key = key, note = NULL;

-- NULL keys clash with nothing, and are unredeemed like any key
INSERT INTO keys VALUES (11, NULL, '2021-05-01'), (12, NULL, '2021-05-01');
CALL try($$UPDATE keys SET key = 'BCDFG-HJKMP-QRTVW-XY234-6789K' WHERE id = 11$$);
-- a key redeemed elsewhere can be put on an unredeemed row
UPDATE keys SET key = 'BCDFG-HJKMP-QRTVW-XY234-6789D' WHERE id = 2;

SELECT id, key, redeemed, note FROM keys ORDER BY id;

-- the error names the table (errtable())
SELECT error_table($$INSERT INTO keys VALUES (13, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-02-01')$$) AS unique_violation,
       error_table($$DELETE FROM keys WHERE id = 10$$) AS restrict_violation;

-- INSERT ... ON CONFLICT: the trigger checks the proposed row before the
-- conflict is seen, so a second redemption is refused even with DO NOTHING
CALL try($$INSERT INTO keys VALUES (13, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-15')
		ON CONFLICT (key) WHERE redeemed IS NOT NULL DO NOTHING$$);
INSERT INTO keys VALUES (13, 'BCDFG-HJKMP-QRTVW-XY234-6789M', '2021-06-01')
	ON CONFLICT (key) WHERE redeemed IS NOT NULL DO NOTHING;

--
-- redeem_once with a full unique index (the primary key), a timestamptz
-- redeemed column, and a key column of type text
--
CREATE TABLE redemptions (
	key text PRIMARY KEY,
	redeemed_at timestamptz,
	customer text
);
CREATE TRIGGER redeem_once BEFORE UPDATE OR DELETE OR INSERT ON redemptions
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_at');
INSERT INTO redemptions VALUES ('K-1', NULL, 'Contoso'), ('K-2', '2021-03-04 05:06:07+00', 'Fabrikam');
UPDATE redemptions SET redeemed_at = '2021-03-05 00:00:00+00' WHERE key = 'K-1';
-- with a full unique index, a second row of a key is the index's error
CALL try($$INSERT INTO redemptions VALUES ('K-1', NULL, 'Northwind')$$);
-- ... unless it is a redemption, which the trigger refuses first
CALL try($$INSERT INTO redemptions VALUES ('K-1', '2021-03-06 00:00:00+00', 'Northwind')$$);
CALL try($$UPDATE redemptions SET redeemed_at = NULL WHERE key = 'K-2'$$);
CALL try($$UPDATE redemptions SET redeemed_at = redeemed_at + interval '1 microsecond' WHERE key = 'K-2'$$);
CALL try($$UPDATE redemptions SET key = 'K-3' WHERE key = 'K-2'$$);
CALL try($$DELETE FROM redemptions WHERE key = 'K-2'$$);
-- the same moment written in another time zone is the same value
UPDATE redemptions SET redeemed_at = '2021-03-04 06:06:07+01', customer = 'Fabrikam Inc.' WHERE key = 'K-2';
-- text keys are compared with the index's equality: 'k-1' is another key
INSERT INTO redemptions VALUES ('k-1', '2021-03-06 00:00:00+00', 'Northwind');
-- an upsert that redeems a key once
INSERT INTO redemptions VALUES ('K-4', NULL, 'Contoso');
INSERT INTO redemptions VALUES ('K-4', '2021-04-01 12:00:00+00', 'Contoso')
	ON CONFLICT (key) DO UPDATE SET redeemed_at = excluded.redeemed_at;
CALL try($$INSERT INTO redemptions VALUES ('K-4', NULL, 'Contoso')
	ON CONFLICT (key) DO UPDATE SET redeemed_at = excluded.redeemed_at$$);
COPY redemptions FROM STDIN;
K-5	2021-05-01 00:00:00+00	Contoso
K-2	2021-05-01 00:00:00+00	Contoso
\.
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redemptions ORDER BY key COLLATE "C";

--
-- redeem_once on names that need quoting: a table "Key Ledger" with a key
-- column "Product Key" and a redemption column literally named
-- x"; DROP TABLE y; --
-- Names are matched, never pasted into SQL; the hint quotes them.
--
CREATE TABLE y (survives boolean);
INSERT INTO y VALUES (true);
CREATE TABLE "Key Ledger" (
	"Product Key" mpn.product_key,
	"x""; DROP TABLE y; --" date,
	"redeemed" text
);
CALL try($$CREATE TRIGGER "redeem once; --" BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', 'x"; DROP TABLE y; --')$$);
CREATE UNIQUE INDEX ON "Key Ledger" ("Product Key") WHERE "x""; DROP TABLE y; --" IS NOT NULL;
CREATE TRIGGER "redeem once; --" BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', 'x"; DROP TABLE y; --');
INSERT INTO "Key Ledger" VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-01', 'yes');
CALL try($$INSERT INTO "Key Ledger" VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-02')$$);
CALL try($$UPDATE "Key Ledger" SET "x""; DROP TABLE y; --" = NULL$$);
UPDATE "Key Ledger" SET "redeemed" = 'no';
SELECT * FROM "Key Ledger";
SELECT * FROM y;
-- names are matched exactly: no case folding, no trimming, no quotes
CREATE TABLE "Key Ledger 2" ("Product Key" mpn.product_key UNIQUE, redeemed date);
CALL try($$CREATE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('product key', 'redeemed')$$);
CALL try($$CREATE OR REPLACE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('"Product Key"', 'redeemed')$$);
CALL try($$CREATE OR REPLACE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', ' redeemed')$$);
-- an unquoted name in CREATE TRIGGER is folded to lower case by the parser
CREATE OR REPLACE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', REDEEMED);
INSERT INTO "Key Ledger 2" VALUES (NULL, NULL);
SELECT definition FROM triggers_of('"Key Ledger 2"');
-- the arguments are names: renaming the column is refused, since the
-- trigger would no longer find it
CALL try($$ALTER TABLE "Key Ledger 2" RENAME redeemed TO redeemed_on$$);
INSERT INTO "Key Ledger 2" VALUES (NULL, NULL);

--
-- Changes to the table: the event trigger checks the trigger again after
-- each ALTER TABLE and DROP INDEX, so that a change that would leave it
-- unable to work is refused with the error its first row would get, and
-- undone
--
-- the unique index it stands on
DROP INDEX keys_key_redeemed;
\echo :LAST_ERROR_SQLSTATE
-- (also with other indexes in one DROP INDEX: none is dropped)
CREATE INDEX keys_note ON keys (note);
CALL try('DROP INDEX keys_note, keys_key_redeemed');
-- ... or the unique constraint (here the primary key of redemptions)
CALL try('ALTER TABLE redemptions DROP CONSTRAINT redemptions_pkey');
-- a column it names: dropped, renamed, or given a type it refuses
CALL try('ALTER TABLE keys DROP COLUMN redeemed');
CALL try('ALTER TABLE keys DROP COLUMN key CASCADE');
CALL try('ALTER TABLE keys RENAME COLUMN key TO product_key');
CALL try('ALTER TABLE keys RENAME redeemed TO redeemed_on');
CALL try('ALTER TABLE keys ALTER COLUMN redeemed TYPE timestamp');
CALL try('ALTER TABLE redemptions ALTER COLUMN redeemed_at TYPE text');
-- all undone
SELECT attrelid::regclass AS "table", attname, atttypid::regtype
FROM pg_attribute
WHERE attrelid IN ('keys'::regclass, 'redemptions'::regclass) AND attnum > 0 AND NOT attisdropped
ORDER BY attrelid::regclass::text, attnum;
SELECT indrelid::regclass AS "table", indexrelid::regclass AS index, indisunique
FROM pg_index WHERE indrelid IN ('keys'::regclass, 'redemptions'::regclass)
ORDER BY 1::text, 2::text;
-- changes that leave it able to work pass: a column, an index and a
-- trigger added and dropped again, a column it does not name dropped,
-- another unique index on the key that makes the first one free to go, a
-- type it accepts
CREATE FUNCTION mpn_trig_test.noop() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
BEGIN;
ALTER TABLE keys ADD COLUMN batch integer;
CREATE INDEX keys_batch ON keys (batch);
CREATE TRIGGER keys_noop BEFORE INSERT OR UPDATE ON keys FOR EACH ROW EXECUTE FUNCTION noop();
INSERT INTO keys (id, key, batch) VALUES (40, 'BCDFG-HJKMP-QRTVW-XY234-6789P', 1);
DROP TRIGGER keys_noop ON keys;
DROP INDEX keys_batch;
ALTER TABLE keys DROP COLUMN batch;
ALTER TABLE keys DROP COLUMN note;
CREATE UNIQUE INDEX keys_key_all ON keys (key) WHERE redeemed IS NOT NULL;
DROP INDEX keys_key_redeemed;
ALTER TABLE redemptions ALTER COLUMN redeemed_at TYPE date;
ROLLBACK;
DROP INDEX keys_note;
-- a trigger that is switched off is not checked: its table may change
-- (to load history, say) in ways the trigger refuses; switching it on
-- again, as ENABLE, ENABLE ALWAYS or ENABLE REPLICA, is checked, and
-- refused while the change stands.  So is one attached switched off
-- (here: attached wrongly while no event trigger fires, then disabled)
CREATE TABLE loaded_keys (id integer PRIMARY KEY, key mpn.product_key, redeemed date, note text);
CREATE UNIQUE INDEX loaded_keys_key ON loaded_keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON loaded_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
ALTER TABLE loaded_keys DISABLE TRIGGER redeem_once;
DROP INDEX loaded_keys_key;
INSERT INTO loaded_keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2020-06-01');
CALL try('ALTER TABLE loaded_keys ENABLE TRIGGER redeem_once');
CALL try('ALTER TABLE loaded_keys ENABLE ALWAYS TRIGGER redeem_once');
CALL try('ALTER TABLE loaded_keys ENABLE REPLICA TRIGGER redeem_once');
CREATE UNIQUE INDEX loaded_keys_key ON loaded_keys (key);
ALTER TABLE loaded_keys ENABLE TRIGGER redeem_once;
SET session_replication_role = replica;
CREATE TRIGGER redeem_note BEFORE INSERT OR UPDATE OR DELETE ON loaded_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'note');
RESET session_replication_role;
ALTER TABLE loaded_keys DISABLE TRIGGER redeem_note;
CALL try('ALTER TABLE loaded_keys ENABLE TRIGGER redeem_note');
CALL try('ALTER TABLE loaded_keys ENABLE TRIGGER ALL');
SELECT name, internal, enabled, depends_on FROM triggers_of('loaded_keys');
DROP TRIGGER redeem_note ON loaded_keys;

--
-- The recheck.  BEFORE ROW triggers fire in the order of their names, so
-- a BEFORE UPDATE trigger that sorts after redeem_once sees, and may
-- change, the row redeem_once let through.  Attaching redeem_once gives
-- it a recheck: an internal AFTER UPDATE ROW trigger mpn_recheck_<oid> of
-- the same function and arguments, enabled ALWAYS, internally dependent
-- on it, which refuses a stored row whose redemption or key differs from
-- the redeemed row it replaces: SQLSTATE 23001 (restrict_violation).
--
CREATE TABLE guarded_keys (
	id integer PRIMARY KEY,
	key mpn.product_key,
	redeemed date,
	redeemed_again date,
	note text
);
CREATE UNIQUE INDEX guarded_keys_key ON guarded_keys (key) WHERE redeemed IS NOT NULL;
CREATE UNIQUE INDEX guarded_keys_key_again ON guarded_keys (key) WHERE redeemed_again IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
SELECT tgname LIKE 'mpn\_recheck\_%' AS recheck_name, tgisinternal,
       tgtype = (1 | 16) AS after_update_row, tgenabled, tgfoid::regprocedure, tgnargs
FROM pg_trigger WHERE tgrelid = 'guarded_keys'::regclass AND tgisinternal;
SELECT * FROM triggers_of('guarded_keys');
INSERT INTO guarded_keys VALUES
	(1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-15', NULL, NULL),
	(2, 'BCDFG-HJKMP-QRTVW-XY234-6789C', NULL, NULL, NULL);
-- a later trigger that sets the redemption date of a redeemed row back,
-- on an UPDATE of another column
CREATE FUNCTION mpn_trig_test.zzz_backdate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.redeemed := OLD.redeemed - 1;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_backdate();
UPDATE guarded_keys SET note = 'checked' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT error_table($$UPDATE guarded_keys SET note = 'checked' WHERE id = 1$$);
-- (an unredeemed row is no redemption: NULL - 1 is NULL, nothing to refuse)
UPDATE guarded_keys SET note = 'checked' WHERE id = 2;
DROP TRIGGER zzz_backdate ON guarded_keys;
-- ... that changes its key, or clears its redemption
CREATE FUNCTION mpn_trig_test.zzz_rekey() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.key := 'BCDFG-HJKMP-QRTVW-XY234-6789K';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_rekey BEFORE UPDATE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_rekey();
UPDATE guarded_keys SET note = 'checked' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
-- (an unredeemed row may change its key)
UPDATE guarded_keys SET note = 'rekeyed' WHERE id = 2;
DROP TRIGGER zzz_rekey ON guarded_keys;
CREATE FUNCTION mpn_trig_test.zzz_unredeem() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.redeemed := NULL;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_unredeem BEFORE UPDATE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_unredeem();
CALL try($$UPDATE guarded_keys SET note = 'checked'$$);
DROP TRIGGER zzz_unredeem ON guarded_keys;
-- the rows are as they were
SELECT * FROM guarded_keys ORDER BY id;
-- a later trigger that redeems a key a second time is refused by the
-- unique index (the recheck does not look for other rows)
CREATE FUNCTION mpn_trig_test.zzz_redeem_b() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.key := 'BCDFG-HJKMP-QRTVW-XY234-6789B';
	NEW.redeemed := '2021-02-01';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_redeem_b BEFORE UPDATE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_redeem_b();
CALL try($$UPDATE guarded_keys SET note = 'checked' WHERE id = 2$$);
DROP TRIGGER zzz_redeem_b ON guarded_keys;
-- a later trigger that changes only other columns is allowed
CREATE FUNCTION mpn_trig_test.zzz_shout() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.note := upper(NEW.note);
	NEW.redeemed_again := NEW.redeemed;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_shout BEFORE UPDATE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_shout();
UPDATE guarded_keys SET note = 'shouted';
SELECT * FROM guarded_keys ORDER BY id;
DROP TRIGGER zzz_shout ON guarded_keys;
UPDATE guarded_keys SET redeemed_again = NULL;
-- while redeem_once does not fire, nor does its recheck refuse anything:
-- switched off, ...
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION zzz_backdate();
BEGIN;
ALTER TABLE guarded_keys DISABLE TRIGGER redeem_once;
UPDATE guarded_keys SET note = 'loaded' WHERE id = 1;
SELECT id, redeemed, note FROM guarded_keys WHERE id = 1;
ROLLBACK;
-- ... or enabled for the origin only, while session_replication_role is
-- replica (here the later trigger fires always); enabled for replicas,
-- it fires then, and so does its recheck
BEGIN;
ALTER TABLE guarded_keys ENABLE ALWAYS TRIGGER zzz_backdate;
SET LOCAL session_replication_role = replica;
UPDATE guarded_keys SET note = 'replicated' WHERE id = 1;
SELECT id, redeemed, note FROM guarded_keys WHERE id = 1;
ROLLBACK;
BEGIN;
ALTER TABLE guarded_keys ENABLE ALWAYS TRIGGER zzz_backdate;
ALTER TABLE guarded_keys ENABLE REPLICA TRIGGER redeem_once;
SET LOCAL session_replication_role = replica;
CALL try($$UPDATE guarded_keys SET note = 'replicated' WHERE id = 1$$);
ROLLBACK;
DROP TRIGGER zzz_backdate ON guarded_keys;
-- the recheck cannot be dropped or replaced on its own ...
CALL try(format('DROP TRIGGER %I ON guarded_keys', recheck_of('guarded_keys')));
CALL try(format('CREATE OR REPLACE TRIGGER %I AFTER UPDATE ON guarded_keys FOR EACH ROW EXECUTE FUNCTION mpn_trig_test.noop()',
				recheck_of('guarded_keys')));
-- ... it follows CREATE OR REPLACE TRIGGER: kept when the arguments stay,
-- made anew for new arguments ...
SELECT recheck_of('guarded_keys') AS recheck_before \gset
CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
SELECT recheck_of('guarded_keys') = :'recheck_before' AS same_recheck;
CREATE OR REPLACE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON guarded_keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_again');
SELECT recheck_of('guarded_keys') = :'recheck_before' AS same_recheck;
SELECT * FROM triggers_of('guarded_keys');
-- ... and it is dropped with redeem_once
DROP TRIGGER redeem_once ON guarded_keys;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'guarded_keys'::regclass;

--
-- Misuse: each way of attaching the trigger wrongly is refused at CREATE
-- TRIGGER, with the error that its first row gets where nothing checked
-- it before (attached in replica mode); the table misuse, the procedure
-- misuse() and the SQLSTATEs are in triggers_setup
--
CALL misuse('BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once()');
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed', 'x')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed', 'x', 'y')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('nokey', 'redeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'noredeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('ctid', 'redeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'stamp')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'subscriber')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('id', 'redeemed')$$);
CALL misuse($$AFTER INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH STATEMENT EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$AFTER INSERT OR UPDATE OR DELETE ON misuse FOR EACH STATEMENT EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$BEFORE UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$,
			'INSERT INTO mpn_trig_test.misuse (id) VALUES (1); DELETE FROM mpn_trig_test.misuse');
CALL misuse($$BEFORE INSERT OR UPDATE OF redeemed OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW WHEN (true) EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
-- a misuse that no row shows, since none is written, is refused at
-- CREATE TRIGGER all the same (attached in replica mode, nothing sees it)
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('nokey', 'redeemed')$$,
			'UPDATE mpn_trig_test.misuse SET id = 2');
-- and attached right, it works
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
-- nothing is left attached to misuse, internal triggers included
SELECT count(*) AS misuse_triggers FROM pg_trigger WHERE tgrelid = 'misuse'::regclass;
