--
-- triggers: the integrity triggers redeem_once, reassign_after,
-- exclusive_offer and partner_tenant_only; every allowed and refused path,
-- each argument form, misuse, and safety against hostile names and
-- search_path.  (Concurrency is covered by the isolation specs.)
--
-- Self-contained: everything lives in schema mpn_trig_test (and
-- mpn_trig_evil for the search_path test) and in roles regress_mpn_trig_*,
-- all dropped at the end.
--
-- The output must not depend on the day the suite runs: dates within a
-- year of mpn.today() are shown as TODAY, TODAY+n or TODAY-n, the time of
-- day of a timestamp as <time>; the dates the tests choose themselves are
-- in 2020 and 2021, or relative to mpn.today().
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
-- "today" for the rules: the calendar's in UTC, whatever the server's
-- configuration says
SET mpn.time_zone = 'UTC';
SET mpn.as_of_date = '';

CREATE SCHEMA mpn_trig_test;
SET search_path = mpn_trig_test;

-- Dates near today as TODAY[+-n], and the time of day of a timestamp near
-- today as <time>; other text unchanged.  (Not when mpn.as_of_date fixes
-- "today": then the dates are shown as they are.)
CREATE FUNCTION mpn_trig_test.scrub(t text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	m text[];
	n integer;
BEGIN
	IF length(current_setting('mpn.as_of_date')) > 0 THEN
		RETURN t;
	END IF;
	-- timestamps first, so that a bare date replaced later is not part of one
	FOR m IN
		SELECT x FROM regexp_matches(t,
			'(\d{4}-\d{2}-\d{2})( \d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?)?)?', 'g') AS x
		ORDER BY x[2] IS NULL
	LOOP
		n := m[1]::date - mpn.today();
		IF abs(n) <= 366 THEN
			t := replace(t, m[1] || coalesce(m[2], ''),
						 'TODAY' || CASE WHEN n > 0 THEN '+' || n
										 WHEN n < 0 THEN n::text ELSE '' END
						 || CASE WHEN m[2] IS NULL THEN '' ELSE ' <time>' END);
		END IF;
	END LOOP;
	RETURN t;
END
$$;

-- Run SQL (one statement or several); report its error as a NOTICE laid
-- out like psql's own report, with the SQLSTATE in front and dates
-- scrubbed, or 'no error'.  Whatever the SQL did is undone on error only.
CREATE PROCEDURE mpn_trig_test.try(stmt text)
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	msg text;
	detail text;
	hint text;
BEGIN
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
			detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
		-- (no = here: the search_path test below hijacks it)
		RAISE NOTICE '%', code || ': ' || mpn_trig_test.scrub(msg)
			|| CASE WHEN length(detail) > 0 THEN E'\nDETAIL:  ' || mpn_trig_test.scrub(detail) ELSE '' END
			|| CASE WHEN length(hint) > 0 THEN E'\nHINT:  ' || mpn_trig_test.scrub(hint) ELSE '' END;
		RETURN;
	END;
	RAISE NOTICE 'no error';
END
$$;

-- The table an error names (errtable()), or NULL; the SQL is undone either way.
CREATE FUNCTION mpn_trig_test.error_table(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	sch text;
	tab text;
BEGIN
	EXECUTE stmt;
	RAISE EXCEPTION 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS sch = SCHEMA_NAME, tab = TABLE_NAME;
	RETURN nullif(sch || '.' || tab, '.');
END
$$;

-- the helpers themselves
CALL try('SELECT 1');
CALL try('SELECT 1/0');
SELECT scrub('on ' || mpn.today() || ', ' || (mpn.today() - 5) || ' and '
			 || (mpn.today() + 12) || '; at ' || (mpn.today() + time '12:34:56.789')::timestamptz
			 || ', ' || (mpn.today() + time '01:00')::timestamptz || ' and on '
			 || mpn.today() || '; but not on 2001-02-03 or 2001-02-03 04:05:06+00') AS scrubbed;

--
-- The four functions: trigger functions in C, run with the privileges of
-- the caller (not SECURITY DEFINER), no settings of their own
--
SELECT p.oid::regprocedure AS function, p.prorettype::regtype, l.lanname,
       p.prosecdef, p.proconfig, p.provolatile
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'mpn'::regnamespace AND p.prorettype = 'trigger'::regtype
ORDER BY 1::text;

-- they can only be called by the trigger manager
SELECT mpn.redeem_once();
\echo :LAST_ERROR_SQLSTATE
SELECT mpn.reassign_after();
SELECT mpn.exclusive_offer();
SELECT mpn.partner_tenant_only();

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
-- reassign_after(subscriber_column, assigned_on_column [, days])
--
-- SQLSTATE 23514 (check_violation) for every refusal.  Run in one
-- transaction, so that "today" cannot change halfway.
--
BEGIN;
CREATE TABLE subscriptions (
	id integer PRIMARY KEY,
	subscriber text,
	assigned_on date,
	seat text
);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');

-- initial assignment: free, stamped with today's date
INSERT INTO subscriptions (id, subscriber) VALUES (1, 'alice');
-- an INSERT may also give today's date itself ...
INSERT INTO subscriptions VALUES (4, 'dave', mpn.today());
-- ... but no other day, neither past nor future: a subscription deleted
-- after its wait and inserted again with an old date would pass on at once
CALL try($$INSERT INTO subscriptions VALUES (2, 'bob', mpn.today() - 1)$$);
CALL try($$INSERT INTO subscriptions VALUES (2, 'bob', mpn.today() - 89)$$);
CALL try($$INSERT INTO subscriptions VALUES (5, 'erin', '2020-06-01')$$);
CALL try($$INSERT INTO subscriptions VALUES (5, 'erin', '-infinity')$$);
CALL try($$INSERT INTO subscriptions VALUES (6, 'frank', mpn.today() + 1)$$);
CALL try($$INSERT INTO subscriptions VALUES (6, 'frank', 'infinity')$$);
-- ... not even for a subscription nobody holds yet
CALL try($$INSERT INTO subscriptions VALUES (6, NULL, mpn.today() - 1)$$);
-- one refused row refuses the statement
CALL try($$INSERT INTO subscriptions VALUES (2, 'bob', NULL), (3, 'carol', mpn.today() - 90)$$);
-- history, with its own dates, is loaded by the table's owner with the
-- trigger switched off for the load
ALTER TABLE subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions VALUES
	(2, 'bob', mpn.today() - 89),
	(3, 'carol', mpn.today() - 90),
	(5, 'erin', '2020-06-01');
ALTER TABLE subscriptions ENABLE TRIGGER reassign_after;
-- a subscription nobody holds yet is not stamped
INSERT INTO subscriptions VALUES (6, NULL, NULL), (7, NULL, NULL);
SELECT id, subscriber, scrub(assigned_on::text) AS assigned_on
FROM subscriptions ORDER BY id;

-- passing to another subscriber before the 90th day after the last
-- assignment is refused
CALL try($$UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 1$$);
-- the 89th day
CALL try($$UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 2$$);
-- the 90th day: allowed, and stamped with today's date
UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 3;
SELECT subscriber, assigned_on = mpn.today() AS stamped_today FROM subscriptions WHERE id = 3;
-- ... which starts the clock again
CALL try($$UPDATE subscriptions SET subscriber = 'carol' WHERE id = 3$$);
-- long after: allowed
UPDATE subscriptions SET subscriber = 'yves' WHERE id = 5;
SELECT subscriber, assigned_on = mpn.today() AS stamped_today FROM subscriptions WHERE id = 5;
-- the first assignment of a subscription nobody held: free, stamped
UPDATE subscriptions SET subscriber = 'gina' WHERE id = 6;
SELECT subscriber, assigned_on = mpn.today() AS stamped_today FROM subscriptions WHERE id = 6;

-- no change of hands: other columns change freely, the date stays
UPDATE subscriptions SET seat = 'A-1' WHERE id = 2;
UPDATE subscriptions SET subscriber = 'bob', seat = 'A-2' WHERE id = 2;
SELECT subscriber, seat, scrub(assigned_on::text) AS assigned_on
FROM subscriptions WHERE id = 2;

-- the assigned-on date belongs to the trigger: never set by hand, not even
-- into the past, to the same day spelled otherwise, or to NULL
CALL try($$UPDATE subscriptions SET assigned_on = mpn.today() - 100 WHERE id = 1$$);
CALL try($$UPDATE subscriptions SET subscriber = 'zoe', assigned_on = '2020-01-01' WHERE id = 1$$);
CALL try($$UPDATE subscriptions SET assigned_on = NULL WHERE id = 2$$);
CALL try($$UPDATE subscriptions SET assigned_on = mpn.today() WHERE id = 7$$);
-- writing the same value is no change
UPDATE subscriptions SET assigned_on = assigned_on, seat = 'A-3' WHERE id = 2;

-- unassigning is allowed and keeps the date, but assigning someone else
-- (or the same subscriber again) still waits for the 90th day
UPDATE subscriptions SET subscriber = NULL WHERE id = 2;
SELECT subscriber, scrub(assigned_on::text) AS assigned_on
FROM subscriptions WHERE id = 2;
CALL try($$UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 2$$);
CALL try($$UPDATE subscriptions SET subscriber = 'bob' WHERE id = 2$$);

-- deleting and inserting again must not reset the clock: deletion waits
-- for the same day as passing on
CALL try($$DELETE FROM subscriptions WHERE id = 1$$);
CALL try($$DELETE FROM subscriptions WHERE id = 2$$);
CALL try($$DELETE FROM subscriptions WHERE id IN (1, 2, 4)$$);
-- a subscription never assigned, or last assigned long ago, goes freely
DELETE FROM subscriptions WHERE id = 7;
ALTER TABLE subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions VALUES (8, 'hank', mpn.today() - 120);
ALTER TABLE subscriptions ENABLE TRIGGER reassign_after;
-- ... but it cannot come back with its old date and pass on at once:
-- deleting it is allowed, inserting it again with the old date is not
-- (here in one statement) ...
CALL try($$WITH gone AS (DELETE FROM subscriptions WHERE id = 8 RETURNING *)
	INSERT INTO subscriptions SELECT id, subscriber, assigned_on, seat FROM gone$$);
-- (and the same in two)
DELETE FROM subscriptions WHERE id = 8;
CALL try($$INSERT INTO subscriptions VALUES (8, 'hank', mpn.today() - 120)$$);
CALL try($$INSERT INTO subscriptions VALUES (8, 'hank', mpn.today() - 90)$$);
-- ... inserted again, it is stamped today and waits 90 days like any new
-- assignment: passing it on at once is refused, and so is deleting it
INSERT INTO subscriptions VALUES (8, 'hank', NULL);
SELECT subscriber, assigned_on = mpn.today() AS stamped_today FROM subscriptions WHERE id = 8;
CALL try($$UPDATE subscriptions SET subscriber = 'mallory' WHERE id = 8$$);
CALL try($$DELETE FROM subscriptions WHERE id = 8$$);

-- an upsert is checked as the update it becomes
CALL try($$INSERT INTO subscriptions (id, subscriber) VALUES (1, 'mallory')
	ON CONFLICT (id) DO UPDATE SET subscriber = excluded.subscriber$$);
CALL try($$INSERT INTO subscriptions (id, subscriber) VALUES (2, 'mallory')
	ON CONFLICT (id) DO UPDATE SET subscriber = excluded.subscriber, assigned_on = excluded.assigned_on$$);
-- ... after the proposed row is checked as an INSERT: a hand-set day is
-- refused before the conflict is seen
CALL try($$INSERT INTO subscriptions VALUES (2, 'mallory', mpn.today() - 89)
	ON CONFLICT (id) DO UPDATE SET subscriber = excluded.subscriber$$);

-- one refused row refuses the statement
ALTER TABLE subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions VALUES (9, 'ivan', mpn.today() - 200);
ALTER TABLE subscriptions ENABLE TRIGGER reassign_after;
CALL try($$UPDATE subscriptions SET subscriber = 'walt' WHERE id IN (9, 4)$$);
SELECT id, subscriber, seat, scrub(assigned_on::text) AS assigned_on
FROM subscriptions ORDER BY id;
SELECT error_table($$UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 1$$);

-- a custom waiting period: 30 days
CREATE TABLE subscriptions_30 (id integer PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30');
CALL try($$INSERT INTO subscriptions_30 VALUES (1, 'alice', mpn.today() - 29)$$);
ALTER TABLE subscriptions_30 DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions_30 VALUES (1, 'alice', mpn.today() - 29), (2, 'bob', mpn.today() - 30);
ALTER TABLE subscriptions_30 ENABLE TRIGGER reassign_after;
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 1$$);
UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 2;
CALL try($$UPDATE subscriptions_30 SET subscriber = 'bob' WHERE id = 2$$);
-- ... and the shortest, 1 day: passing on the next day
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '1');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'bob' WHERE id = 2$$);
UPDATE subscriptions_30 SET subscriber = 'bob' WHERE id = 1;
-- ... and the longest, 36525 days (about a century)
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '36525');
-- (history loaded by travelling in time: inserted on the day it happened)
SET LOCAL mpn.as_of_date = '2020-01-01';
INSERT INTO subscriptions_30 VALUES (3, 'carol', NULL);
SET LOCAL mpn.as_of_date = '';
SELECT subscriber, assigned_on FROM subscriptions_30 WHERE id = 3;
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
-- the days argument: a whole number from 1 to 36525
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '0');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '-5');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '36526');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '99999');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '99999999999999999999');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', 'abc');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30 days');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30.5');
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
-- a number argument is stored as text: the same as '30'
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', 30);
CALL try($$UPDATE subscriptions_30 SET subscriber = 'zoe' WHERE id = 3$$);
COMMIT;

-- a table without a primary key: the subscription is named by its subscriber
BEGIN;
CREATE TABLE seats (subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
ALTER TABLE seats DISABLE TRIGGER reassign_after;
INSERT INTO seats VALUES ('alice', mpn.today() - 10);
ALTER TABLE seats ENABLE TRIGGER reassign_after;
INSERT INTO seats VALUES ('bob', NULL);
CALL try($$INSERT INTO seats VALUES ('carol', mpn.today() + 10)$$);
CALL try($$INSERT INTO seats VALUES ('carol', mpn.today() - 10)$$);
CALL try($$UPDATE seats SET subscriber = 'zoe' WHERE subscriber = 'alice'$$);
CALL try($$UPDATE seats SET assigned_on = NULL WHERE subscriber = 'alice'$$);
UPDATE seats SET subscriber = NULL WHERE subscriber = 'alice';
CALL try($$UPDATE seats SET subscriber = 'zoe' WHERE subscriber IS NULL$$);
CALL try($$DELETE FROM seats WHERE subscriber IS NULL$$);
-- a primary key of several columns
CREATE TABLE seats_2 (tenant text, seat integer, subscriber text, assigned_on date,
	PRIMARY KEY (tenant, seat));
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON seats_2
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
INSERT INTO seats_2 VALUES ('contoso', 1, 'alice', NULL);
CALL try($$UPDATE seats_2 SET subscriber = 'zoe'$$);
COMMIT;

--
-- reassign_after on a timestamptz column: stamped with the moment the
-- transaction started, now(); a moment's day is its date in mpn.time_zone
--
BEGIN;
CREATE TABLE subscriptions_tz (id integer PRIMARY KEY, subscriber text, assigned_at timestamptz);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_tz
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_at');
INSERT INTO subscriptions_tz (id, subscriber) VALUES (1, 'alice');
SELECT assigned_at = now() AS stamped_now FROM subscriptions_tz WHERE id = 1;
-- an INSERT may give any moment of today (in mpn.time_zone, UTC), but not
-- the last moment of yesterday nor the first of tomorrow
INSERT INTO subscriptions_tz VALUES
	(4, 'dave', (mpn.today() + time '23:59:59.999999') AT TIME ZONE 'UTC'),
	(6, 'fay', (mpn.today() + time '00:00') AT TIME ZONE 'UTC');
CALL try($$INSERT INTO subscriptions_tz VALUES
	(5, 'erin', (mpn.today() - 1 + time '23:59:59.999999') AT TIME ZONE 'UTC')$$);
CALL try($$INSERT INTO subscriptions_tz VALUES
	(5, 'erin', (mpn.today() + 1 + time '00:00') AT TIME ZONE 'UTC')$$);
CALL try($$INSERT INTO subscriptions_tz VALUES (5, 'erin', 'infinity')$$);
CALL try($$INSERT INTO subscriptions_tz VALUES (5, 'erin', '-infinity')$$);
-- history: loaded with the trigger off
ALTER TABLE subscriptions_tz DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions_tz VALUES
	(2, 'bob', (mpn.today() - 90 + time '23:59:59.999999') AT TIME ZONE 'UTC'),
	(3, 'carol', (mpn.today() - 89 + time '00:00') AT TIME ZONE 'UTC'),
	(5, 'erin', '-infinity');
ALTER TABLE subscriptions_tz ENABLE TRIGGER reassign_after;
-- the session's TimeZone does not move the day: the 90th day in UTC,
-- although it is the 89th day in Kiritimati (UTC+14)
SET LOCAL TimeZone = 'Pacific/Kiritimati';
UPDATE subscriptions_tz SET subscriber = 'zoe' WHERE id = 2;
SELECT assigned_at = now() AS stamped_now FROM subscriptions_tz WHERE id = 2;
SET LOCAL TimeZone = 'UTC';
CALL try($$UPDATE subscriptions_tz SET subscriber = 'zoe' WHERE id = 3$$);
CALL try($$UPDATE subscriptions_tz SET subscriber = 'zoe' WHERE id = 1$$);
CALL try($$UPDATE subscriptions_tz SET assigned_at = assigned_at - interval '1 year' WHERE id = 1$$);
CALL try($$DELETE FROM subscriptions_tz WHERE id = 3$$);
-- assigned at -infinity: passes on at once
UPDATE subscriptions_tz SET subscriber = 'yves' WHERE id = 5;
SELECT assigned_at = now() AS stamped_now FROM subscriptions_tz WHERE id = 5;
COMMIT;

-- mpn.time_zone sets "today" and the day of a moment; for a date column,
-- only "today"
BEGIN;
SET LOCAL mpn.time_zone = 'Pacific/Kiritimati';
SELECT mpn.today() = (now() AT TIME ZONE 'Pacific/Kiritimati')::date AS today_in_kiritimati;
-- a date column: stamped with Kiritimati's today, compared as stored
INSERT INTO subscriptions VALUES (20, 'alice', NULL);
ALTER TABLE subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions VALUES (21, 'bob', mpn.today() - 89), (22, 'carol', mpn.today() - 90);
ALTER TABLE subscriptions ENABLE TRIGGER reassign_after;
SELECT id, assigned_on = mpn.today() AS stamped_today FROM subscriptions WHERE id = 20;
CALL try($$UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 21$$);
UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 22;
-- a timestamptz column: an INSERT may give a moment of Kiritimati's today,
-- although it is yesterday in UTC, but not of Kiritimati's yesterday
INSERT INTO subscriptions_tz VALUES
	(22, 'carol', (mpn.today() + time '00:30') AT TIME ZONE 'Pacific/Kiritimati');
SELECT (assigned_at AT TIME ZONE 'UTC')::date - mpn.today() AS utc_day_from_today
FROM subscriptions_tz WHERE id = 22;
CALL try($$INSERT INTO subscriptions_tz VALUES
	(23, 'dave', (mpn.today() - 1 + time '23:30') AT TIME ZONE 'Pacific/Kiritimati')$$);
-- 00:30 in Kiritimati on the 89th day is 10:30 UTC on the 90th; the rule
-- counts Kiritimati's days
ALTER TABLE subscriptions_tz DISABLE TRIGGER reassign_after;
INSERT INTO subscriptions_tz VALUES
	(20, 'alice', (mpn.today() - 89 + time '00:30') AT TIME ZONE 'Pacific/Kiritimati'),
	(21, 'bob', (mpn.today() - 90 + time '23:30') AT TIME ZONE 'Pacific/Kiritimati');
ALTER TABLE subscriptions_tz ENABLE TRIGGER reassign_after;
SELECT id, (assigned_at AT TIME ZONE 'UTC')::date - mpn.today() AS utc_day_from_today
FROM subscriptions_tz WHERE id IN (20, 21) ORDER BY id;
CALL try($$UPDATE subscriptions_tz SET subscriber = 'zoe' WHERE id = 20$$);
UPDATE subscriptions_tz SET subscriber = 'zoe' WHERE id = 21;
COMMIT;

-- mpn.as_of_date: the triggers take the day it names for "today", and
-- stamp a timestamptz with the start of that day in mpn.time_zone
BEGIN;
-- history loaded by travelling in time: each row inserted on its own day,
-- stamped (or given explicitly) with that day
SET LOCAL mpn.as_of_date = '2023-12-01';
INSERT INTO subscriptions VALUES (32, 'carol', NULL);
SET LOCAL mpn.as_of_date = '2023-12-02';
INSERT INTO subscriptions VALUES (31, 'bob', '2023-12-02');
SET LOCAL mpn.as_of_date = '2024-02-29';
SELECT mpn.today();
INSERT INTO subscriptions VALUES (30, 'alice', NULL);
-- an INSERT may give that day only: not the next, not an earlier one, and
-- not the calendar's today
CALL try($$INSERT INTO subscriptions VALUES (33, 'dave', '2024-03-01')$$);
CALL try($$INSERT INTO subscriptions VALUES (33, 'dave', '2024-02-28')$$);
SELECT error_table($$INSERT INTO subscriptions VALUES (33, 'dave', (now() AT TIME ZONE 'UTC')::date)$$);
CALL try($$UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 31$$);
UPDATE subscriptions SET subscriber = 'zoe' WHERE id = 32;
SELECT id, subscriber, assigned_on FROM subscriptions WHERE id >= 30 ORDER BY id;
INSERT INTO subscriptions_tz (id, subscriber) VALUES (30, 'alice');
SET LOCAL mpn.time_zone = 'Pacific/Kiritimati';
INSERT INTO subscriptions_tz (id, subscriber) VALUES (31, 'bob');
CALL try($$UPDATE subscriptions_tz SET subscriber = 'zoe' WHERE id = 31$$);
SELECT id, subscriber, assigned_at FROM subscriptions_tz WHERE id >= 30 ORDER BY id;
COMMIT;

--
-- exclusive_offer(user_column, offer_column [, exclusive_value])
--
-- SQLSTATE 23P01 (exclusion_violation) for every refusal.
--
CREATE TABLE offers (
	id integer PRIMARY KEY,
	user_id integer,
	offer text,
	note text
);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
-- the rule looks up a user's offers through a btree index that leads with
-- the user column: without one, the first row written is refused
CALL try($$INSERT INTO offers VALUES (1, 1, 'visual_studio')$$);
CREATE INDEX offers_offer_user ON offers (offer, user_id);
CREATE INDEX offers_user_hash ON offers USING hash (user_id);
CALL try($$INSERT INTO offers VALUES (1, 1, 'visual_studio')$$);
-- any btree index leading with the user column will do
CREATE INDEX offers_user_offer ON offers (user_id, offer);
DROP INDEX offers_offer_user, offers_user_hash;

-- a user holds several offers that are not exclusive
INSERT INTO offers VALUES (1, 1, 'visual_studio'), (2, 1, 'azure_credit');
-- the exclusive offer cannot join them ...
CALL try($$INSERT INTO offers VALUES (3, 1, 'azure_bulk_credit')$$);
-- ... nor can another offer join the exclusive one
INSERT INTO offers VALUES (3, 2, 'azure_bulk_credit');
CALL try($$INSERT INTO offers VALUES (4, 2, 'visual_studio')$$);
-- the exclusive offer twice is not another offer
INSERT INTO offers VALUES (4, 2, 'azure_bulk_credit');
-- other users are not concerned
INSERT INTO offers VALUES (5, 3, 'visual_studio'), (6, 4, 'azure_bulk_credit');
-- a clash within one statement
CALL try($$INSERT INTO offers VALUES (7, 5, 'visual_studio'), (8, 5, 'azure_bulk_credit')$$);
CALL try($$INSERT INTO offers VALUES (7, 5, 'azure_bulk_credit'), (8, 5, 'visual_studio')$$);
-- the same, reported by psql, with its SQLSTATE
INSERT INTO offers VALUES (7, 5, 'azure_bulk_credit'), (8, 5, 'visual_studio');
\echo :LAST_ERROR_SQLSTATE
-- an UPDATE that changes an offer into a clash
CALL try($$UPDATE offers SET offer = 'azure_bulk_credit' WHERE id = 2$$);
CALL try($$UPDATE offers SET offer = 'visual_studio' WHERE id = 4$$);
-- ... or moves an offer to a user it clashes with
CALL try($$UPDATE offers SET user_id = 2 WHERE id = 5$$);
CALL try($$UPDATE offers SET user_id = 1 WHERE id = 6$$);
-- changes that make no clash: swapping two users' offers (checked once
-- both rows have moved: halfway, user 4 held both), other columns, the
-- sole offer of a user into the exclusive one and back, a user's two
-- other offers swapped
UPDATE offers SET user_id = CASE user_id WHEN 3 THEN 4 ELSE 3 END WHERE id IN (5, 6);
UPDATE offers SET note = 'renewed' WHERE user_id IN (1, 2);
UPDATE offers SET offer = 'azure_bulk_credit' WHERE id = 5;
UPDATE offers SET offer = 'visual_studio' WHERE id = 5;
UPDATE offers SET offer = CASE offer WHEN 'visual_studio' THEN 'azure_credit' ELSE 'visual_studio' END
WHERE user_id = 1;
-- giving up the other offers first makes room for the exclusive one
DELETE FROM offers WHERE user_id = 4;
INSERT INTO offers VALUES (9, 4, 'azure_bulk_credit');
-- ... and moving the exclusive offer away makes room for others
UPDATE offers SET user_id = 6 WHERE id = 9;
INSERT INTO offers VALUES (10, 4, 'visual_studio');
-- NULL users and NULL offers clash with nothing
INSERT INTO offers VALUES (11, NULL, 'azure_bulk_credit'), (12, NULL, 'visual_studio'),
	(13, 2, NULL), (14, 1, NULL);
UPDATE offers SET offer = NULL WHERE id = 4;
UPDATE offers SET user_id = NULL WHERE id = 3;
INSERT INTO offers VALUES (15, 2, 'visual_studio');
CALL try($$UPDATE offers SET user_id = 2 WHERE id = 11$$);
-- the exclusive value is case-sensitive in a text column
INSERT INTO offers VALUES (16, 1, 'Azure_Bulk_Credit');
SELECT user_id, string_agg(coalesce(offer, 'NULL'), ', ' ORDER BY id) AS offers
FROM offers GROUP BY user_id ORDER BY user_id;
SELECT error_table($$INSERT INTO offers VALUES (17, 1, 'azure_bulk_credit')$$);

-- a custom exclusive value; 'azure_bulk_credit' is then an ordinary offer
CREATE TABLE offers_custom (user_name text, offer text);
CREATE INDEX ON offers_custom (user_name);
CREATE TRIGGER exclusive_offer AFTER UPDATE OR INSERT ON offers_custom
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_name', 'offer', 'sponsorship');
INSERT INTO offers_custom VALUES ('ann', 'azure_bulk_credit'), ('ann', 'visual_studio'),
	('ben', 'sponsorship');
CALL try($$INSERT INTO offers_custom VALUES ('ann', 'sponsorship')$$);
CALL try($$INSERT INTO offers_custom VALUES ('ben', 'azure_bulk_credit')$$);

-- an offer column of an enum type: the exclusive value is read as the type
CREATE TYPE offer_kind AS ENUM ('visual_studio', 'azure_credit', 'azure_bulk_credit', 'sponsorship');
CREATE TABLE offers_enum (user_id bigint, offer offer_kind);
CREATE INDEX ON offers_enum (user_id);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers_enum
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
INSERT INTO offers_enum VALUES (1, 'visual_studio'), (1, 'azure_credit'), (2, 'azure_bulk_credit');
CALL try($$INSERT INTO offers_enum VALUES (1, 'azure_bulk_credit')$$);
CALL try($$INSERT INTO offers_enum VALUES (2, 'sponsorship')$$);
CALL try($$UPDATE offers_enum SET user_id = 1 WHERE user_id = 2$$);
CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers_enum
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer', 'sponsorship');
INSERT INTO offers_enum VALUES (2, 'visual_studio');
CALL try($$INSERT INTO offers_enum VALUES (2, 'sponsorship')$$);
-- a value the type does not have is an error at first use
CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers_enum
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer', 'gold');
CALL try($$INSERT INTO offers_enum VALUES (3, 'sponsorship')$$);

--
-- partner_tenant_only(tenant_column, partner_tenant_column [, demo_column])
--
-- SQLSTATE 23514 (check_violation) for every refusal.
--
CREATE TABLE licenses (
	id integer PRIMARY KEY,
	tenant uuid,
	partner_tenant uuid,
	demo boolean
);
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo');
-- a demonstration license on the partner's own tenant (uuids in any spelling)
INSERT INTO licenses VALUES
	(1, '11111111-1111-1111-1111-111111111111', '11111111-1111-1111-1111-111111111111', true),
	(2, '{AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA}', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', true);
-- ... not on another tenant
CALL try($$INSERT INTO licenses VALUES (3, '22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', true)$$);
-- ... nor where the partner's tenant is not known
CALL try($$INSERT INTO licenses VALUES (3, '22222222-2222-2222-2222-222222222222', NULL, true)$$);
-- a NULL demo column counts as a demonstration license
CALL try($$INSERT INTO licenses VALUES (3, '22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', NULL)$$);
-- not activated yet: no tenant, whatever the partner's
INSERT INTO licenses VALUES (3, NULL, '11111111-1111-1111-1111-111111111111', true),
	(4, NULL, NULL, true);
-- licenses issued for a customer go anywhere
INSERT INTO licenses VALUES (5, '22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', false),
	(6, '22222222-2222-2222-2222-222222222222', NULL, false);
-- activating by UPDATE
CALL try($$UPDATE licenses SET tenant = '22222222-2222-2222-2222-222222222222' WHERE id = 3$$);
CALL try($$UPDATE licenses SET tenant = '22222222-2222-2222-2222-222222222222' WHERE id = 4$$);
UPDATE licenses SET tenant = partner_tenant WHERE id = 3;
-- turning a customer's license into a demonstration license, or changing
-- the partner's tenant under an activation
CALL try($$UPDATE licenses SET demo = true WHERE id = 5$$);
CALL try($$UPDATE licenses SET partner_tenant = '33333333-3333-3333-3333-333333333333' WHERE id = 1$$);
CALL try($$UPDATE licenses SET demo = NULL WHERE id = 5$$);
-- the other way round, and other changes, are fine
UPDATE licenses SET demo = false WHERE id = 1;
UPDATE licenses SET tenant = '33333333-3333-3333-3333-333333333333' WHERE id = 1;
UPDATE licenses SET tenant = NULL WHERE id = 2;
UPDATE licenses SET id = id + 100;
SELECT * FROM licenses ORDER BY id;
SELECT error_table($$UPDATE licenses SET demo = true$$);

-- without the demo column, every row is a demonstration license; text
-- tenants are compared with the equality of their type and the collation
-- of the tenant column (here case-insensitive, ICU)
CREATE COLLATION case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE DOMAIN tenant_name AS text;
CREATE TABLE demo_licenses (
	id integer PRIMARY KEY,
	tenant text COLLATE case_insensitive,
	partner_tenant tenant_name
);
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
INSERT INTO demo_licenses VALUES (1, 'contoso.onmicrosoft.com', 'contoso.onmicrosoft.com'),
	(2, 'Contoso.OnMicrosoft.com', 'contoso.onmicrosoft.com'), (3, NULL, 'contoso.onmicrosoft.com');
CALL try($$INSERT INTO demo_licenses VALUES (4, 'fabrikam.onmicrosoft.com', 'contoso.onmicrosoft.com')$$);
CALL try($$INSERT INTO demo_licenses VALUES (4, 'contoso.onmicrosoft.com ', 'contoso.onmicrosoft.com')$$);
CALL try($$INSERT INTO demo_licenses VALUES (4, 'contoso.onmicrosoft.com', NULL)$$);
CALL try($$UPDATE demo_licenses SET tenant = 'fabrikam.onmicrosoft.com' WHERE id = 3$$);
-- the collation of the tenant column decides, not that of the statement
CREATE TABLE demo_licenses_c (tenant text COLLATE "C", partner_tenant text COLLATE case_insensitive);
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON demo_licenses_c
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
INSERT INTO demo_licenses_c VALUES ('contoso', 'contoso');
CALL try($$INSERT INTO demo_licenses_c VALUES ('Contoso', 'contoso')$$);
SELECT * FROM demo_licenses ORDER BY id;

--
-- Misuse: each is an error when the trigger first fires, naming the
-- trigger, its table and the argument (but for an exclusive value that the
-- offer column's type does not accept: that is the type's own input
-- error, as for the enum above); SQLSTATE 39P01
-- (trigger_protocol_violated) for how it is attached or how many
-- arguments it has, 42703 (undefined_column) for a column that does not
-- exist, 42804 (datatype_mismatch) for a column of the wrong type, 22023
-- (invalid_parameter_value) for a bad number of days.
--
CREATE TABLE misuse (
	id integer,
	key mpn.product_key UNIQUE,
	redeemed date,
	stamp timestamp,
	subscriber text,
	assigned_on date,
	user_id integer,
	offer text,
	tenant text,
	partner_tenant text,
	demo boolean,
	demo_text text,
	tenant_uuid uuid,
	tenant_json json,
	partner_json json
);
CREATE INDEX ON misuse (user_id);

-- Attach a trigger as described, write a row, and report; all undone.
CREATE PROCEDURE mpn_trig_test.misuse(how text, stmt text DEFAULT 'INSERT INTO mpn_trig_test.misuse (id) VALUES (1)')
LANGUAGE plpgsql AS $$
BEGIN
	CALL mpn_trig_test.try(format('CREATE TRIGGER misuse %s; %s; %s', how, stmt,
								  'DO $x$ BEGIN RAISE EXCEPTION USING ERRCODE = ''P0001'', MESSAGE = ''undone''; END $x$'));
END
$$;

-- redeem_once
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

-- reassign_after
CALL misuse('BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after()');
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '90', 'x')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('nosubscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'noassigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'stamp')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'subscriber')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', 'ninety')$$);
CALL misuse($$AFTER INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH STATEMENT EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OF subscriber OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW WHEN (1 = 1) EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OR DELETE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on')$$);

-- exclusive_offer
CALL misuse('AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer()');
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer', 'azure_bulk_credit', 'x')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('nouser', 'offer')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'nooffer')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('subscriber', 'offer')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'user_id')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'redeemed', 'soon')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH STATEMENT EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
CALL misuse($$AFTER INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
CALL misuse($$AFTER INSERT OR UPDATE OF offer ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW WHEN (true) EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);

-- partner_tenant_only
CALL misuse('BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only()');
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo', 'x')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('notenant', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'nopartner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'nodemo')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant_uuid', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo_text')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant_json', 'partner_json')$$);
CALL misuse($$AFTER INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH STATEMENT EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE OF tenant ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW WHEN (true) EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant')$$);
CALL misuse($$BEFORE INSERT OR UPDATE ON misuse FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo')$$);
-- all undone
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
-- Review fixes: the exclusive value compares with the offer type's own =
-- (char(n) pads, citext-like types fold); an INSERT's assigned_on other
-- than today, future or past, is refused even without a subscriber; extra
-- DELETE events are harmless; a bad
-- exclusive value says whose argument it is.
--
SET search_path = mpn_trig_test;
CREATE TABLE offers_char (user_id int, offer char(20));
CREATE INDEX ON offers_char (user_id);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE OR DELETE ON offers_char
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
INSERT INTO offers_char VALUES (1, 'visual_studio');
CALL try($$INSERT INTO offers_char VALUES (1, 'azure_bulk_credit')$$);
DELETE FROM offers_char;
SELECT count(*) AS offers_left FROM offers_char;
CREATE TABLE seats_future (id int PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON seats_future
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
CALL try($$INSERT INTO seats_future VALUES (1, NULL, '3000-01-01')$$);
CALL try($$INSERT INTO seats_future VALUES (1, NULL, '2020-01-01')$$);
CREATE TABLE demo_delete (id int PRIMARY KEY, tenant text, partner_tenant text);
INSERT INTO demo_delete VALUES (1, 'customer', 'partner');
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE OR DELETE ON demo_delete
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
DELETE FROM demo_delete WHERE id = 1;
SELECT count(*) AS demo_rows_left FROM demo_delete;
CREATE TABLE offers_int (user_id int, offer int);
CREATE INDEX ON offers_int (user_id);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers_int
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
\set VERBOSITY default
\set SHOW_CONTEXT always
INSERT INTO offers_int VALUES (1, 1);
\set SHOW_CONTEXT never
RESET search_path;

--
-- Clean up
--
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA mpn_trig_test CASCADE;
DROP OWNED BY regress_mpn_trig_clerk;
DROP ROLE regress_mpn_trig_clerk;
