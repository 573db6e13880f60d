--
-- redeem_once: the trigger mpn.redeem_once(key_column, redeemed_column):
-- the unique index it needs, every allowed and refused path, upserts and
-- COPY, a full unique index with text keys and a timestamptz column, names
-- that need quoting, and misuse.
--
-- Needs triggers_setup, run before it in REGRESS: schema mpn_trig_test,
-- the helpers scrub(), try() and error_table() in it, and the table misuse
-- with the procedure misuse() for the misuse checks.  What it creates stays
-- in mpn_trig_test until triggers_safety, the last trigger suite, drops
-- the schema.
--
-- The output must not depend on the day the suite runs: dates near today
-- are shown as TODAY[+-n] by scrub(); the dates the tests choose
-- themselves are in 2020 and 2021, or relative to mpn.today().
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
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');

-- the rule stands on a unique index on the key column alone: without one,
-- the first row written is refused, with the index to create as the hint
CALL try($$INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL)$$);
-- not unique
CREATE INDEX keys_key_plain ON keys (key);
CALL try($$INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL)$$);
-- unique, but on more than the key
CREATE UNIQUE INDEX keys_key_id ON keys (key, id);
CALL try($$INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL)$$);
-- unique on the key alone, but not with "redeemed IS NOT NULL" as its predicate
CREATE UNIQUE INDEX keys_key_noted ON keys (key) WHERE note IS NOT NULL;
CALL try($$INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL)$$);
CREATE UNIQUE INDEX keys_key_and_more ON keys (key) WHERE redeemed IS NOT NULL AND note IS NULL;
CALL try($$INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL)$$);
-- unique on an expression of the key
CREATE UNIQUE INDEX keys_key_text ON keys ((key::text)) WHERE redeemed IS NOT NULL;
CALL try($$INSERT INTO keys VALUES (1, 'BCDFG-HJKMP-QRTVW-XY234-6789B', NULL)$$);
-- (a unique index of another access method than btree is not possible)
CREATE UNIQUE INDEX keys_key_hash ON keys USING hash (key);
SELECT count(*) AS rows_written FROM keys;
DROP INDEX keys_key_plain, keys_key_id, keys_key_noted, keys_key_and_more, keys_key_text;

-- the partial unique index: a key may stand unredeemed on several rows,
-- and be redeemed on one
CREATE UNIQUE INDEX keys_key_redeemed ON keys (key) WHERE redeemed IS NOT NULL;
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
CREATE TRIGGER "redeem once; --" BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', 'x"; DROP TABLE y; --');
CALL try($$INSERT INTO "Key Ledger" VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-01')$$);
CREATE UNIQUE INDEX ON "Key Ledger" ("Product Key") WHERE "x""; DROP TABLE y; --" IS NOT NULL;
INSERT INTO "Key Ledger" VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-01', 'yes');
CALL try($$INSERT INTO "Key Ledger" VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', '2021-01-02')$$);
CALL try($$UPDATE "Key Ledger" SET "x""; DROP TABLE y; --" = NULL$$);
UPDATE "Key Ledger" SET "redeemed" = 'no';
SELECT * FROM "Key Ledger";
SELECT * FROM y;
-- names are matched exactly: no case folding, no trimming, no quotes
CREATE TABLE "Key Ledger 2" ("Product Key" mpn.product_key UNIQUE, redeemed date);
CREATE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('product key', 'redeemed');
CALL try($$INSERT INTO "Key Ledger 2" VALUES (NULL, NULL)$$);
CREATE OR REPLACE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('"Product Key"', 'redeemed');
CALL try($$INSERT INTO "Key Ledger 2" VALUES (NULL, NULL)$$);
CREATE OR REPLACE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', ' redeemed');
CALL try($$INSERT INTO "Key Ledger 2" VALUES (NULL, NULL)$$);
-- an unquoted name in CREATE TRIGGER is folded to lower case by the parser
CREATE OR REPLACE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON "Key Ledger 2"
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('Product Key', REDEEMED);
INSERT INTO "Key Ledger 2" VALUES (NULL, NULL);
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = '"Key Ledger 2"'::regclass;
-- the arguments are names: a renamed column is no longer found
ALTER TABLE "Key Ledger 2" RENAME redeemed TO redeemed_on;
CALL try($$INSERT INTO "Key Ledger 2" VALUES (NULL, NULL)$$);

--
-- Misuse: each way of attaching the trigger wrongly is an error when it
-- first fires (the table misuse, the procedure misuse() and the SQLSTATEs
-- are in triggers_setup)
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
-- attached right, but with no row written, nothing is checked
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('nokey', 'redeemed')$$,
			'UPDATE mpn_trig_test.misuse SET id = 2');
-- and attached right, it works
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed')$$);
