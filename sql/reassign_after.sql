--
-- reassign_after: the trigger mpn.reassign_after(subscriber_column,
-- assigned_on_column [, days]): every allowed and refused path, the days
-- argument (a bad one refused at CREATE TRIGGER), tables without a primary
-- key or with one of several columns, timestamptz columns, mpn.time_zone,
-- mpn.as_of_date; the changes to its table that are refused because they
-- would leave it unable to work (a column it names dropped, renamed or
-- retyped; a trigger attached wrongly, switched off, then on again) and
-- those that are not; its recheck, which refuses a row that a later
-- BEFORE trigger changed against the rule; and misuse, refused at CREATE
-- TRIGGER with the error of first use.
--
-- Needs triggers_setup, run before it in REGRESS: schema mpn_trig_test,
-- the helpers scrub(), try(), error_table(), triggers_of() and
-- recheck_of() in it, and the table misuse with the procedure misuse()
-- for the misuse checks.  What it creates stays in mpn_trig_test until
-- triggers_safety, the last trigger suite, drops the schema.
--
-- The output must not depend on the day the suite runs: dates near today
-- are shown as TODAY[+-n] by scrub(); the dates the tests choose
-- themselves are fixed (from 2020 to 2024, and one in 3000), or relative
-- to mpn.today().  Nor on
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
-- the days argument: a whole number from 1 to 36525; another is refused
-- at CREATE OR REPLACE TRIGGER, which then leaves the trigger as it was
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '0')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '-5')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '36526')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '99999')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '99999999999999999999')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', 'abc')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30 days')$$);
CALL try($$CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subscriptions_30
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30.5')$$);
SELECT name, definition FROM triggers_of('subscriptions_30');
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
-- Changes to the table: after each ALTER TABLE the event trigger checks
-- the trigger again, so that a change that would leave it unable to work
-- is refused with the error its first row would get, and undone
--
-- a column it names: dropped, renamed, or given a type it refuses
CALL try('ALTER TABLE subscriptions DROP COLUMN assigned_on');
CALL try('ALTER TABLE subscriptions DROP COLUMN subscriber');
CALL try('ALTER TABLE subscriptions RENAME subscriber TO holder');
CALL try('ALTER TABLE subscriptions RENAME COLUMN assigned_on TO since');
CALL try('ALTER TABLE subscriptions ALTER COLUMN assigned_on TYPE timestamp');
CALL try('ALTER TABLE subscriptions_tz ALTER COLUMN assigned_at TYPE text');
SELECT attname, atttypid::regtype FROM pg_attribute
WHERE attrelid = 'subscriptions'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
-- changes that leave it able to work pass: another column added, one it
-- does not name dropped, the subscriber of another type, the day a
-- timestamptz (then stamped with now())
BEGIN;
ALTER TABLE subscriptions ADD COLUMN note text;
ALTER TABLE subscriptions DROP COLUMN seat;
ALTER TABLE subscriptions ALTER COLUMN subscriber TYPE varchar(20);
ALTER TABLE subscriptions ALTER COLUMN assigned_on TYPE timestamptz;
INSERT INTO subscriptions (id, subscriber, note) VALUES (50, 'nina', 'after the changes');
SELECT subscriber, assigned_on = now() AS stamped_now FROM subscriptions WHERE id = 50;
ROLLBACK;
-- a trigger attached wrongly where no event trigger checks it (with
-- session_replication_role = replica) gets no recheck, and is refused at
-- its first row; while it is on, every ALTER TABLE of its table is
-- refused, but the one that switches it off; switching it on again is
-- refused while it is wrong; put right by CREATE OR REPLACE TRIGGER (which
-- also switches it on), it gets its recheck
CREATE TABLE handovers (id integer PRIMARY KEY, subscriber text, assigned_on date, noted timestamp);
SET session_replication_role = replica;
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON handovers
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'noted');
RESET session_replication_role;
SELECT name, internal, enabled FROM triggers_of('handovers');
CALL try($$INSERT INTO handovers VALUES (1, 'alice', NULL, NULL)$$);
CALL try('ALTER TABLE handovers ADD COLUMN seat text');
ALTER TABLE handovers DISABLE TRIGGER reassign_after;
ALTER TABLE handovers ADD COLUMN seat text;
CALL try('ALTER TABLE handovers ENABLE TRIGGER reassign_after');
SELECT name, internal, enabled FROM triggers_of('handovers');
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON handovers
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SELECT name, internal, enabled, depends_on FROM triggers_of('handovers');
BEGIN;
INSERT INTO handovers VALUES (1, 'alice', NULL, NULL);
SELECT subscriber, assigned_on = mpn.today() AS stamped_today FROM handovers;
COMMIT;

--
-- The recheck.  BEFORE ROW triggers fire in the order of their names, so
-- one that sorts after reassign_after sees, and may change, the row that
-- reassign_after let through (and stamped).  Attaching reassign_after
-- gives it a recheck: an internal AFTER INSERT OR UPDATE ROW trigger
-- mpn_recheck_<oid> of the same function and arguments, enabled ALWAYS,
-- internally dependent on it, which refuses a stored row that the rule
-- would not have written: a new assignment not stamped today, a row that
-- kept its subscriber but not its day, a subscription passed to another
-- subscriber before its days or not stamped today.  SQLSTATE 23514
-- (check_violation).  In one transaction where mpn.as_of_date makes
-- 2021-06-01 "today" for the rules, so that the dates show as they are.
--
BEGIN;
SET LOCAL mpn.as_of_date = '2021-06-01';
CREATE TABLE guarded_subscriptions (
	id integer PRIMARY KEY,
	subscriber text,
	assigned_on date,
	seat text
);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SELECT tgname LIKE 'mpn\_recheck\_%' AS recheck_name, tgisinternal,
       tgtype = (1 | 4 | 16) AS after_insert_or_update_row, tgenabled, tgfoid::regprocedure, tgnargs
FROM pg_trigger WHERE tgrelid = 'guarded_subscriptions'::regclass AND tgisinternal;
SELECT * FROM triggers_of('guarded_subscriptions');
INSERT INTO guarded_subscriptions (id, subscriber) VALUES (1, 'alice'), (2, NULL);
ALTER TABLE guarded_subscriptions DISABLE TRIGGER reassign_after;
INSERT INTO guarded_subscriptions VALUES (3, 'carol', mpn.today() - 100);
ALTER TABLE guarded_subscriptions ENABLE TRIGGER reassign_after;
-- a later trigger that backdates the assignment, on an UPDATE of another
-- column
CREATE FUNCTION mpn_trig_test.zzz_backdate_assignment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.assigned_on := NEW.assigned_on - 100;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION zzz_backdate_assignment();
SAVEPOINT before_error;
UPDATE guarded_subscriptions SET seat = 'A-1' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO before_error;
SELECT error_table($$UPDATE guarded_subscriptions SET seat = 'A-1' WHERE id = 1$$);
DROP TRIGGER zzz_backdate ON guarded_subscriptions;
-- ... that passes the subscription to another subscriber on an UPDATE of
-- another column: before its days, or after them but without the stamp
-- of today, or a first assignment without it
CREATE FUNCTION mpn_trig_test.zzz_hand_over() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.subscriber := 'mallory';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_hand_over BEFORE UPDATE ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION zzz_hand_over();
SAVEPOINT before_error;
UPDATE guarded_subscriptions SET seat = 'A-1' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO before_error;
CALL try($$UPDATE guarded_subscriptions SET seat = 'A-3' WHERE id = 3$$);
CALL try($$UPDATE guarded_subscriptions SET seat = 'A-2' WHERE id = 2$$);
DROP TRIGGER zzz_hand_over ON guarded_subscriptions;
-- ... that sets a day of its own on INSERT (for a subscription nobody
-- holds yet, too)
CREATE FUNCTION mpn_trig_test.zzz_own_day() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.assigned_on := mpn.today() - 100;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_own_day BEFORE INSERT ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION zzz_own_day();
SAVEPOINT before_error;
INSERT INTO guarded_subscriptions (id, subscriber) VALUES (4, 'dave');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO before_error;
CALL try($$INSERT INTO guarded_subscriptions (id, subscriber) VALUES (4, NULL)$$);
DROP TRIGGER zzz_own_day ON guarded_subscriptions;
-- the rows are as they were
SELECT id, subscriber, assigned_on, seat
FROM guarded_subscriptions ORDER BY id;
-- a later trigger that changes only other columns is allowed, and so is
-- one that does what the rule allows (unassigning keeps the day)
CREATE FUNCTION mpn_trig_test.zzz_seat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.seat := upper(NEW.seat);
	IF NEW.seat = 'GONE' THEN
		NEW.subscriber := NULL;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_seat BEFORE INSERT OR UPDATE ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION zzz_seat();
INSERT INTO guarded_subscriptions (id, subscriber, seat) VALUES (5, 'erin', 'b-1');
UPDATE guarded_subscriptions SET seat = 'a-' || id WHERE id <> 3;
UPDATE guarded_subscriptions SET seat = 'gone' WHERE id = 3;
SELECT id, subscriber, assigned_on, seat
FROM guarded_subscriptions ORDER BY id;
DROP TRIGGER zzz_seat ON guarded_subscriptions;
-- while reassign_after does not fire, nor does its recheck refuse anything
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION zzz_backdate_assignment();
SAVEPOINT switched_off;
ALTER TABLE guarded_subscriptions DISABLE TRIGGER reassign_after;
UPDATE guarded_subscriptions SET seat = 'loaded' WHERE id = 1;
SELECT id, assigned_on, seat FROM guarded_subscriptions WHERE id = 1;
ROLLBACK TO switched_off;
DROP TRIGGER zzz_backdate ON guarded_subscriptions;
-- the recheck cannot be dropped on its own; it follows CREATE OR REPLACE
-- TRIGGER with new arguments, and is dropped with reassign_after
CALL try(format('DROP TRIGGER %I ON guarded_subscriptions', recheck_of('guarded_subscriptions')));
SELECT recheck_of('guarded_subscriptions') AS recheck_before \gset
CREATE OR REPLACE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON guarded_subscriptions
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on', '30');
SELECT recheck_of('guarded_subscriptions') = :'recheck_before' AS same_recheck;
SELECT * FROM triggers_of('guarded_subscriptions');
DROP TRIGGER reassign_after ON guarded_subscriptions;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'guarded_subscriptions'::regclass;
COMMIT;

--
-- Misuse: each way of attaching the trigger wrongly is refused at CREATE
-- TRIGGER, with the error that its first row gets where nothing checked
-- it before (attached in replica mode); the table misuse, the procedure
-- misuse() and the SQLSTATEs are in triggers_setup
--
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
-- nothing is left attached to misuse, internal triggers included
SELECT count(*) AS misuse_triggers FROM pg_trigger WHERE tgrelid = 'misuse'::regclass;

-- (a review fix) an INSERT's assigned_on other than today, future or past,
-- is refused even without a subscriber
CREATE TABLE seats_future (id int PRIMARY KEY, subscriber text, assigned_on date);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON seats_future
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
CALL try($$INSERT INTO seats_future VALUES (1, NULL, '3000-01-01')$$);
CALL try($$INSERT INTO seats_future VALUES (1, NULL, '2020-01-01')$$);
