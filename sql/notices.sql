--
-- notices: mpn.create_notice_queue, the sweep mpn.enqueue_notices, and the
-- senders' mpn.claim_notices, mpn.notice_sent and mpn.notice_failed.
--
-- Each rule of the sweep on its own deadlines and queue, with the days
-- fixed by on_date (mpn.as_of_date fixes the default, mpn.today()): a
-- series of daily sweeps, a gap of days, a moving deadline, one that went
-- away, a lapsed one, a rerun, thresholds that changed; then the claims,
-- the reports, the backoff and dead notices, and every refusal with its
-- SQLSTATE.  Times are shown relative to now(), inside one transaction
-- where they are compared.  The notification and concurrent claims and
-- sweeps are in the isolation specs notices_sweep and notices_claim.
--
-- Self-contained: everything lives in schema mpn_notices, dropped at the end.
--
\set VERBOSITY default
-- (errors raised in PL/pgSQL would show the line of the RAISE otherwise)
\set SHOW_CONTEXT never
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';
SET mpn.as_of_date = '2025-06-15';
CREATE SCHEMA mpn_notices;
SET search_path = mpn_notices, public;

-- Run one statement: 'ok', or 'SQLSTATE: message / detail' of its error.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	msg text;
	detail text;
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN code || ': ' || msg || coalesce(nullif(' / ' || detail, ' / '), '');
END
$$;

-- A queue as the tests show it: every notice, in the order of its key.
CREATE FUNCTION shown(queue regclass)
RETURNS TABLE (kind text, object_id text, last_day date, threshold int, due_on date, status text, attempts int)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT kind, object_id, last_day, threshold, due_on, status, attempts
								   FROM %s ORDER BY kind, object_id, last_day, threshold DESC', queue);
END
$$;

--
-- The functions: SQL run as the caller, writing (VOLATILE, PARALLEL
-- UNSAFE) but for the check; none STRICT (a NULL is an error, not a silent
-- nothing); search_path pinned, but for create_notice_queue, which reads
-- the caller's current schema (and qualifies every name instead)
--
SELECT p.oid::regprocedure AS function, l.lanname, p.provolatile, p.proisstrict, p.proparallel,
       p.prosecdef, p.proconfig, p.prorettype::regtype AS returns
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'mpn'::regnamespace
   AND p.proname IN ('create_notice_queue', 'check_notice_queue', 'enqueue_notices',
                     'claim_notices', 'notice_sent', 'notice_failed')
 ORDER BY p.proname;
SELECT p.proname, pg_get_expr(p.proargdefaults, 0) AS defaults
  FROM pg_proc p
 WHERE p.pronamespace = 'mpn'::regnamespace AND p.proname IN ('enqueue_notices', 'claim_notices')
 ORDER BY p.proname;

--
-- create_notice_queue
--

-- a bare name goes to the current schema; the result is the table
SELECT mpn.create_notice_queue('notices');
SELECT pg_typeof(mpn.create_notice_queue('public.notices_elsewhere'));
SELECT c.oid::regclass, c.relnamespace::regnamespace
  FROM pg_class c WHERE c.relname IN ('notices', 'notices_elsewhere') ORDER BY 1::text;
DROP TABLE public.notices_elsewhere;

-- its columns: standard types, each described
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attidentity,
       a.attgenerated, pg_get_expr(d.adbin, d.adrelid) AS default_or_expression,
       col_description(a.attrelid, a.attnum) AS comment
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = 'notices'::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum;
SELECT obj_description('notices'::regclass, 'pg_class') AS table_comment;
-- its constraints and indexes: the key, one row per notice, the claim's
-- partial index (NOT NULL is shown above: from 18 on it is a constraint too)
SELECT contype, pg_get_constraintdef(oid) AS definition
  FROM pg_constraint WHERE conrelid = 'notices'::regclass AND contype <> 'n'
 ORDER BY contype, pg_get_constraintdef(oid) COLLATE "C";
SELECT pg_get_indexdef(indexrelid) AS index
  FROM pg_index WHERE indrelid = 'notices'::regclass ORDER BY pg_get_indexdef(indexrelid) COLLATE "C";
-- the user's table, not a member of the extension
SELECT count(*) AS members_of_an_extension
  FROM pg_depend d
 WHERE d.classid = 'pg_class'::regclass AND d.objid = 'notices'::regclass AND d.deptype = 'e';
SELECT mpn.check_notice_queue('notices');

-- a quoted name; a temporary queue
SELECT mpn.create_notice_queue('mpn_notices."Partner Notices"');
SELECT mpn.create_notice_queue('pg_temp.scratch_notices') AS temporary_queue \gset
SELECT relpersistence FROM pg_class WHERE oid = :'temporary_queue'::regclass;
SELECT mpn.check_notice_queue('pg_temp.scratch_notices');

-- a hostile search_path changes nothing but where a bare name goes: the
-- planted operator is never called
CREATE SCHEMA mpn_notices_evil;
CREATE FUNCTION mpn_notices_evil.text_eq(text, text) RETURNS boolean
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator called'; END $$;
CREATE OPERATOR mpn_notices_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mpn_notices_evil.text_eq);
CREATE FUNCTION mpn_notices_evil.int4gt(integer, integer) RETURNS boolean
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator called'; END $$;
CREATE OPERATOR mpn_notices_evil.> (LEFTARG = integer, RIGHTARG = integer, FUNCTION = mpn_notices_evil.int4gt);
SET search_path = mpn_notices_evil, pg_catalog, mpn_notices;
-- (the trap is set: an unqualified = would call it)
SELECT 'a'::text = 'a'::text;
SELECT mpn.create_notice_queue('evil_path_notices');
SELECT mpn.check_notice_queue('mpn_notices_evil.evil_path_notices');
SET search_path = mpn_notices, public;
DROP SCHEMA mpn_notices_evil CASCADE;

-- refusals: a clear message, nothing made
SELECT q AS queue, pg_temp.try(format('SELECT mpn.create_notice_queue(%L)', q)) AS result
  FROM unnest(ARRAY['', 'a.b.c', 'two words', '"unterminated', 'trailing.', 'notices',
                    'mpn_notices.notices', 'mpn_notices_nowhere.notices', repeat('n', 64)]) q;
SELECT pg_temp.try('SELECT mpn.create_notice_queue(NULL)') AS null_name;
-- the hints
SELECT mpn.create_notice_queue('notices');
SELECT mpn.create_notice_queue('a.b.c');
-- a bare name with no schema to go to
SET search_path = '';
SELECT mpn.create_notice_queue('nowhere');
\echo :LAST_ERROR_SQLSTATE
SET search_path = mpn_notices, public;
SELECT count(*) AS made_by_refusals FROM pg_class
 WHERE relname IN ('b', 'c', 'nowhere') OR relname LIKE 'nnnn%';

--
-- The sweep.  Thresholds {30,7,1,0} (the default): a notice is due on
-- every day from last_day - N to last_day.
--

-- 1. A series, swept every day: each threshold in its turn, each once.
CREATE TABLE series_deadlines (kind text, object_id text, last_day date, partner_id int);
INSERT INTO series_deadlines VALUES ('subscription', 'S1', '2025-07-31', 7);
SELECT mpn.create_notice_queue('series_notices');
SELECT d::date AS on_date, mpn.enqueue_notices('series_deadlines', 'series_notices', d::date) AS queued
  FROM generate_series('2025-06-29'::date, '2025-07-02', '1 day') d;
SELECT * FROM shown('series_notices');
-- a sender sends it
SELECT kind, object_id, threshold, attempts, details FROM mpn.claim_notices('series_notices');
SELECT mpn.notice_sent('series_notices', (SELECT id FROM series_notices WHERE threshold = 30));
-- a sweep a day to 07-24: the day that queued one
WITH sweeps AS MATERIALIZED (
	SELECT d::date AS on_date, mpn.enqueue_notices('series_deadlines', 'series_notices', d::date) AS queued
	  FROM generate_series('2025-07-03'::date, '2025-07-24', '1 day') d
)
SELECT on_date, queued, (SELECT count(*) FROM sweeps) AS sweeps FROM sweeps WHERE queued > 0 ORDER BY on_date;
SELECT object_id, threshold FROM mpn.claim_notices('series_notices');
SELECT mpn.notice_sent('series_notices', (SELECT id FROM series_notices WHERE threshold = 7));
-- and on to 07-30
WITH sweeps AS MATERIALIZED (
	SELECT d::date AS on_date, mpn.enqueue_notices('series_deadlines', 'series_notices', d::date) AS queued
	  FROM generate_series('2025-07-25'::date, '2025-07-30', '1 day') d
)
SELECT on_date, queued, (SELECT count(*) FROM sweeps) AS sweeps FROM sweeps WHERE queued > 0 ORDER BY on_date;
SELECT * FROM shown('series_notices');
-- the 1-day notice has not gone out when the last day comes: it is
-- overtaken, and only the last-day notice is pending
SELECT mpn.enqueue_notices('series_deadlines', 'series_notices', '2025-07-31');
SELECT * FROM shown('series_notices');
SELECT object_id, threshold FROM mpn.claim_notices('series_notices');
SELECT mpn.notice_sent('series_notices', (SELECT id FROM series_notices WHERE threshold = 0));
-- after the last day, nothing
SELECT mpn.enqueue_notices('series_deadlines', 'series_notices', '2025-08-01');
SELECT * FROM shown('series_notices');

-- 2. A gap: the scheduler ran on 06-01 and then not before 07-08.  K1
-- (last day 07-10) gets its 7-day notice, and its 30-day one is recorded as
-- superseded, never sent; K2 (07-20) its 30-day one.
CREATE TABLE gap_deadlines (kind text, object_id text, last_day date, partner_id int);
INSERT INTO gap_deadlines VALUES ('key', 'K1', '2025-07-10', 1), ('key', 'K2', '2025-07-20', 2);
SELECT mpn.create_notice_queue('gap_notices');
SELECT mpn.enqueue_notices('gap_deadlines', 'gap_notices', '2025-06-01');
SELECT mpn.enqueue_notices('gap_deadlines', 'gap_notices', '2025-07-08');
SELECT * FROM shown('gap_notices');
-- a rerun the same day queues nothing, and changes nothing
CREATE TEMP TABLE gap_before AS SELECT * FROM gap_notices;
SELECT mpn.enqueue_notices('gap_deadlines', 'gap_notices', '2025-07-08') AS rerun;
SELECT count(*) AS changed_rows
  FROM (SELECT * FROM gap_notices EXCEPT SELECT * FROM gap_before) x;
-- another gap (07-09 missed), to K1's last day: its last-day notice; the
-- 1-day one never queued is superseded, and so is the 7-day one, still
-- pending (not sent in time)
SELECT mpn.enqueue_notices('gap_deadlines', 'gap_notices', '2025-07-10');
SELECT * FROM shown('gap_notices');
-- only what is pending is claimed: most urgent due_on first
SELECT object_id, threshold, due_on FROM mpn.claim_notices('gap_notices');

-- 3. A moving deadline: a pending notice for the old day is superseded at
-- the next sweep, a sent one stays sent, and a new series starts for the
-- new day.  4. One that goes away (a benefit activated): its pending
-- notice is superseded.
CREATE TABLE moving_deadlines (kind text, object_id text, last_day date, partner_id int);
INSERT INTO moving_deadlines VALUES
	('subscription', 'S2', '2025-07-20', 3), ('subscription', 'S3', '2025-07-20', 3),
	('benefit', 'B1', '2025-07-16', 3);
SELECT mpn.create_notice_queue('moving_notices');
SELECT mpn.enqueue_notices('moving_deadlines', 'moving_notices', '2025-07-13');
SELECT mpn.notice_sent('moving_notices', (SELECT id FROM moving_notices WHERE object_id = 'S3' AND threshold = 7));
SELECT * FROM shown('moving_notices');
-- both subscriptions extended by a year; the benefit activated
UPDATE moving_deadlines SET last_day = '2026-07-20' WHERE kind = 'subscription';
DELETE FROM moving_deadlines WHERE object_id = 'B1';
SELECT mpn.enqueue_notices('moving_deadlines', 'moving_notices', '2025-07-14');
SELECT * FROM shown('moving_notices');
-- S2's day moves again (licenses pooled into an earlier end): 10 days left
UPDATE moving_deadlines SET last_day = '2025-07-25' WHERE object_id = 'S2';
SELECT mpn.enqueue_notices('moving_deadlines', 'moving_notices', '2025-07-15');
SELECT * FROM shown('moving_notices');
-- a claim after the sweep never returns the superseded notices
SELECT object_id, last_day, threshold FROM mpn.claim_notices('moving_notices');

-- 5. A lapsed one: the sweeps stopped between 06-13 and 06-22; the pending
-- notice of a day that passed is superseded, and nothing new is queued
CREATE TABLE lapsed_deadlines (kind text, object_id text, last_day date, partner_id int);
INSERT INTO lapsed_deadlines VALUES ('key', 'K9', '2025-06-20', 4);
SELECT mpn.create_notice_queue('lapsed_notices');
SELECT mpn.enqueue_notices('lapsed_deadlines', 'lapsed_notices', '2025-06-13');
SELECT mpn.enqueue_notices('lapsed_deadlines', 'lapsed_notices', '2025-06-22');
SELECT * FROM shown('lapsed_notices');
SELECT count(*) AS claimed FROM mpn.claim_notices('lapsed_notices');
-- and before any sweep has superseded it, a claim after its last day
-- (mpn.today()) passes over it: nothing stale goes out
TRUNCATE lapsed_notices;
SELECT mpn.enqueue_notices('lapsed_deadlines', 'lapsed_notices', '2025-06-13');
SET mpn.as_of_date = '2025-06-21';
SELECT count(*) AS claimed_after_its_last_day FROM mpn.claim_notices('lapsed_notices');
SET mpn.as_of_date = '2025-06-20';
SELECT object_id, last_day, threshold FROM mpn.claim_notices('lapsed_notices');
SET mpn.as_of_date = '2025-06-15';

-- 6. Thresholds of one's own, and changed: a notice pending from the old
-- ones stays pending until a threshold due now overtakes it
CREATE TABLE own_deadlines (kind text, object_id text, last_day date);
INSERT INTO own_deadlines VALUES ('subscription', 'S4', '2025-07-20');
SELECT mpn.create_notice_queue('own_notices');
SELECT mpn.enqueue_notices('own_deadlines', 'own_notices', '2025-06-01', '{60,14}');
SELECT mpn.enqueue_notices('own_deadlines', 'own_notices', '2025-06-02');
SELECT * FROM shown('own_notices');
SELECT mpn.enqueue_notices('own_deadlines', 'own_notices', '2025-06-20');
SELECT * FROM shown('own_notices');
-- thresholds in any order
SELECT mpn.enqueue_notices('own_deadlines', 'own_notices', '2025-07-14', '{0,1,7,30}');
SELECT * FROM shown('own_notices');

-- 7. Deadlines from a view (keys' last usable day), with the default
-- on_date (mpn.today(), 2025-06-15): details hold the view's other columns;
-- rows without a kind, an object or a day are skipped, an infinite day is
-- never due
CREATE TABLE keys (key mpn.product_key PRIMARY KEY, partner_id int, licenses int, redeemed_on date);
INSERT INTO keys VALUES
	('BCDFG-HJKMP-QRTVW-XY234-6789B', 10, 5, '2024-07-01'),
	('BCDFG-HJKMP-QRTVW-XY234-6789C', 11, 1, '2024-06-16'),
	('BCDFG-HJKMP-QRTVW-XY234-6789D', 12, 1, NULL),
	('BCDFG-HJKMP-QRTVW-XY234-6789F', 13, 1, '2025-01-01');
CREATE VIEW key_deadlines AS
SELECT 'key'::text AS kind, k.key::text AS object_id, mpn.key_valid_until(k.redeemed_on) - 1 AS last_day,
       k.partner_id, k.licenses, k.key
  FROM keys k
UNION ALL SELECT NULL, 'no kind', '2025-06-20', 0, 0, NULL
UNION ALL SELECT 'key', NULL, '2025-06-20', 0, 0, NULL
UNION ALL SELECT 'key', 'forever', 'infinity', 0, 0, NULL;
SELECT mpn.create_notice_queue('key_notices');
SELECT mpn.enqueue_notices('key_deadlines', 'key_notices');
SELECT object_id, last_day, threshold, status, details FROM key_notices ORDER BY due_on, object_id, threshold;
SELECT mpn.enqueue_notices('key_deadlines', 'key_notices', 'infinity');
\echo :LAST_ERROR_SQLSTATE

--
-- Claims and reports
--
SELECT mpn.create_notice_queue('claim_notices');
CREATE TABLE claim_deadlines (kind text, object_id text, last_day date);
INSERT INTO claim_deadlines
SELECT 'key', 'R' || i, '2025-06-22'::date + i * 3 FROM generate_series(1, 6) i;
SELECT mpn.enqueue_notices('claim_deadlines', 'claim_notices', '2025-06-15');
SELECT object_id, last_day, threshold, due_on FROM claim_notices WHERE status = 'pending' ORDER BY due_on, id;

-- SELECT * needs no column list: the queue's columns, most urgent first,
-- each held for the lease and counted as an attempt
BEGIN;
CREATE TEMP TABLE first_claim AS SELECT * FROM mpn.claim_notices('claim_notices', 2);
SELECT object_id, threshold, due_on, status, attempts, claimed_until - now() AS held_for, sent_at, last_error
  FROM first_claim ORDER BY due_on;
SELECT (SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'first_claim'::regclass AND attnum > 0)
     = (SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'claim_notices'::regclass AND attnum > 0)
       AS same_columns_as_the_queue;
-- the next claim passes over what is held
SELECT object_id, claimed_until - now() AS held_for FROM mpn.claim_notices('claim_notices', 2, '1 hour');
COMMIT;
-- the first two report: one sent, one failed
SELECT mpn.notice_sent('claim_notices', (SELECT id FROM claim_notices WHERE object_id = 'R1'));
SELECT mpn.notice_sent('claim_notices', (SELECT id FROM claim_notices WHERE object_id = 'R1')) AS again;
BEGIN;
SELECT mpn.notice_failed('claim_notices', (SELECT id FROM claim_notices WHERE object_id = 'R2'), 'mailbox full');
SELECT object_id, status, attempts, not_before - now() AS backoff, claimed_until, last_error
  FROM claim_notices WHERE object_id IN ('R1', 'R2') ORDER BY object_id;
-- R2 waits for its backoff; R3 and R4 are held for an hour: R5 and R6 come
SELECT object_id, attempts FROM mpn.claim_notices('claim_notices', lease => '1 hour');
COMMIT;
-- a lease that ran out (R3's: the sender vanished) is claimed again, and
-- so is R2 once its backoff passed
UPDATE claim_notices SET claimed_until = now() - interval '1 second' WHERE object_id = 'R3';
UPDATE claim_notices SET not_before = now() - interval '1 second' WHERE object_id = 'R2';
SELECT object_id, attempts, last_error FROM mpn.claim_notices('claim_notices');

-- the backoff: each attempt claimed and failed in turn (the backoff and
-- lease set to have passed before each claim), in one transaction, so
-- now() stands still
SELECT mpn.create_notice_queue('retry_notices');
INSERT INTO retry_notices (kind, object_id, last_day, threshold) VALUES ('key', 'T1', '2025-06-20', 7);
BEGIN;
CREATE TEMP TABLE retries (claim int, claimed_attempts int, reported text, backoff interval, last_error text);
DO $$
DECLARE
	n int;
	claimed record;
	reported text;
BEGIN
	FOR n IN 1..11 LOOP
		UPDATE mpn_notices.retry_notices
		   SET not_before = now() - interval '1 second', claimed_until = NULL;
		SELECT * INTO claimed FROM mpn.claim_notices('mpn_notices.retry_notices');
		IF claimed.id IS NULL THEN
			INSERT INTO retries (claim) VALUES (n);
			CONTINUE;
		END IF;
		reported := mpn.notice_failed('mpn_notices.retry_notices', claimed.id, 'attempt ' || n || ' failed');
		INSERT INTO retries
		SELECT n, claimed.attempts, reported,
			   CASE WHEN reported = 'pending' THEN r.not_before - now() END, r.last_error
		  FROM mpn_notices.retry_notices r;
	END LOOP;
END
$$;
SELECT * FROM retries ORDER BY claim;
SELECT status, attempts, last_error FROM retry_notices;
ROLLBACK;

-- a notice whose 10th claim ran out without a report is dead too: claims
-- pass over it, and the next sweep marks it
UPDATE retry_notices SET attempts = 10, claimed_until = now() - interval '1 second';
INSERT INTO retry_notices (kind, object_id, last_day, threshold) VALUES ('key', 'T2', '2025-06-20', 7);
SELECT object_id, attempts FROM mpn.claim_notices('retry_notices');
SELECT object_id, status, attempts, last_error FROM retry_notices ORDER BY object_id;
CREATE TABLE retry_deadlines AS SELECT kind, object_id, last_day FROM retry_notices;
SELECT mpn.enqueue_notices('retry_deadlines', 'retry_notices', '2025-06-15', '{7}') AS queued;
SELECT object_id, status, attempts, last_error FROM retry_notices ORDER BY object_id;
-- a failure reported for a notice that is no longer pending changes nothing
SELECT mpn.notice_failed('retry_notices', (SELECT id FROM retry_notices WHERE object_id = 'T1'), 'too late');
SELECT object_id, status, last_error FROM retry_notices WHERE object_id = 'T1';

-- a notice a sweep superseded while a sender held it (K2's 30-day notice,
-- claimed above): what went out is recorded as sent; one that no sender
-- ever held is not
SELECT mpn.enqueue_notices('gap_deadlines', 'gap_notices', '2025-07-13');
SELECT object_id, threshold, status FROM gap_notices WHERE object_id = 'K2' AND status <> 'superseded';
SELECT mpn.notice_sent('gap_notices', (SELECT id FROM gap_notices WHERE object_id = 'K2' AND threshold = 30));
SELECT object_id, threshold, status, claimed_until FROM gap_notices
 WHERE object_id = 'K2' AND threshold IN (7, 30) ORDER BY threshold;
SELECT mpn.notice_sent('gap_notices', (SELECT id FROM gap_notices WHERE object_id = 'K1' AND threshold = 1));
SELECT status FROM gap_notices WHERE object_id = 'K1' AND threshold = 1;

--
-- Refusals
--
CREATE TABLE no_day (kind text, object_id text, partner_id int);
CREATE TABLE no_columns (something int);
CREATE TABLE wrong_types (kind varchar, object_id bigint, last_day timestamp);
CREATE INDEX wrong_types_kind ON wrong_types (kind);
CREATE TABLE not_a_queue (kind text, object_id text, last_day date);
CREATE TABLE mistyped_queue (LIKE notices);
ALTER TABLE mistyped_queue ALTER COLUMN attempts TYPE text, ALTER COLUMN details TYPE json;
CREATE TABLE queue_without_key (LIKE notices INCLUDING ALL);
ALTER TABLE queue_without_key DROP CONSTRAINT queue_without_key_kind_object_id_last_day_threshold_key;
CREATE VIEW queue_view AS SELECT * FROM notices;
SELECT stmt, pg_temp.try('SELECT mpn.enqueue_notices(' || stmt || ')') AS result
  FROM unnest(ARRAY[
	-- the deadlines
	$$'no_day', 'notices', '2025-06-15'$$,
	$$'no_columns', 'notices', '2025-06-15'$$,
	$$'wrong_types', 'notices', '2025-06-15'$$,
	$$'wrong_types_kind', 'notices', '2025-06-15'$$,
	$$'nonexistent', 'notices', '2025-06-15'$$,
	-- the queue
	$$'series_deadlines', 'not_a_queue', '2025-06-15'$$,
	$$'series_deadlines', 'mistyped_queue', '2025-06-15'$$,
	$$'series_deadlines', 'queue_without_key', '2025-06-15'$$,
	$$'series_deadlines', 'queue_view', '2025-06-15'$$,
	-- the day
	$$'series_deadlines', 'notices', NULL$$,
	$$'series_deadlines', 'notices', '-infinity'$$,
	-- the thresholds
	$$'series_deadlines', 'notices', '2025-06-15', '{}'$$,
	$$'series_deadlines', 'notices', '2025-06-15', '{30,NULL}'$$,
	$$'series_deadlines', 'notices', '2025-06-15', '{30,-1,-2}'$$,
	$$'series_deadlines', 'notices', '2025-06-15', '{30,7,30,7}'$$,
	$$'series_deadlines', 'notices', '2025-06-15', '{{30,7},{1,0}}'$$,
	$$'series_deadlines', 'notices', '2025-06-15', '{0,2147483647}'$$,
	$$'series_deadlines', 'notices', '4714-11-24 BC', '{1}'$$,
	$$'series_deadlines', 'notices', '2025-06-15', NULL$$,
	$$NULL, 'notices'$$]) stmt;
-- with their hints
SELECT mpn.enqueue_notices('no_day', 'notices');
SELECT mpn.enqueue_notices('wrong_types', 'notices');
SELECT mpn.enqueue_notices('series_deadlines', 'not_a_queue');
SELECT mpn.enqueue_notices('series_deadlines', 'notices', thresholds => '{30,-1}');
SELECT mpn.enqueue_notices('series_deadlines', 'notices', NULL);
-- the senders' functions
SELECT stmt, pg_temp.try(stmt) AS result
  FROM unnest(ARRAY[
	$$SELECT * FROM mpn.claim_notices('not_a_queue')$$,
	$$SELECT * FROM mpn.claim_notices('mistyped_queue')$$,
	$$SELECT * FROM mpn.claim_notices('notices', 0)$$,
	$$SELECT * FROM mpn.claim_notices('notices', NULL)$$,
	$$SELECT * FROM mpn.claim_notices('notices', 1, '0 seconds')$$,
	$$SELECT * FROM mpn.claim_notices('notices', 1, '-5 minutes')$$,
	$$SELECT * FROM mpn.claim_notices('notices', 1, '1 mon -31 days')$$,
	$$SELECT * FROM mpn.claim_notices('notices', 1, '300000 years')$$,
	$$SELECT * FROM mpn.claim_notices(NULL)$$,
	$$SELECT mpn.notice_sent('not_a_queue', 1)$$,
	$$SELECT mpn.notice_sent('notices', 12345)$$,
	$$SELECT mpn.notice_sent('notices', NULL)$$,
	$$SELECT mpn.notice_failed('queue_view', 1, 'x')$$,
	$$SELECT mpn.notice_failed('notices', 12345, 'x')$$,
	$$SELECT mpn.notice_failed('notices', 1, NULL)$$,
	$$SELECT mpn.check_notice_queue(NULL)$$,
	$$SELECT mpn.check_notice_queue(12345)$$]) stmt;
SELECT * FROM mpn.claim_notices('not_a_queue');

-- nothing above wrote to a queue
SELECT count(*) AS notices_written_by_refusals FROM notices;

-- What the attack on the notices found, refused now.  A queue or a
-- deadlines relation of another role's (with a trigger of that role's that
-- would run as the sweeping superuser) is refused to every other role, a
-- superuser included; its owner sweeps it.
CREATE ROLE regress_mpn_notices_other;
GRANT CREATE, USAGE ON SCHEMA mpn_notices TO regress_mpn_notices_other;
SET ROLE regress_mpn_notices_other;
SELECT mpn.create_notice_queue('mpn_notices.others_queue');
CREATE TABLE mpn_notices.others_deadlines (kind text, object_id text, last_day date);
INSERT INTO mpn_notices.others_deadlines VALUES ('key', 'O1', '2025-06-20');
CREATE FUNCTION mpn_notices.canary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'canary fired as %', current_user;
	RETURN NEW;
END
$$;
CREATE TRIGGER canary BEFORE INSERT ON mpn_notices.others_queue FOR EACH ROW EXECUTE FUNCTION mpn_notices.canary();
RESET ROLE;
SELECT pg_temp.try($$SELECT mpn.enqueue_notices('mpn_notices.others_deadlines', 'mpn_notices.others_queue', '2025-06-15')$$) AS others_queue;
SELECT pg_temp.try($$SELECT mpn.enqueue_notices('mpn_notices.others_deadlines', 'mpn_notices.series_notices', '2025-06-15')$$) AS others_deadlines;
SELECT pg_temp.try($$SELECT * FROM mpn.claim_notices('mpn_notices.others_queue')$$) AS claim_of_others_queue;
SET ROLE regress_mpn_notices_other;
SELECT mpn.enqueue_notices('mpn_notices.others_deadlines', 'mpn_notices.others_queue', '2025-06-15') AS swept_by_its_owner;
RESET ROLE;
-- a pending notice with a huge threshold (a sender may UPDATE the queue)
-- does not make the sweep's reach overflow the date range
UPDATE series_notices SET last_day = '5874897-12-31', threshold = 2147483000
 WHERE id = (SELECT min(id) FROM series_notices);
SELECT mpn.enqueue_notices('series_deadlines', 'series_notices', '2025-06-30') >= 0 AS swept;
-- The second attack.  A column of the deadlines whose type another role
-- owns (an enum of its own, which the owner of the deadlines uses) goes
-- into the details as its text: to_jsonb would call the cast to json that
-- the type's owner may make, as the sweeping role.  Columns of built-in
-- types (under their domains) go in as to_jsonb has them, any number.
SET ROLE regress_mpn_notices_other;
CREATE TYPE mpn_notices.tier AS ENUM ('gold', 'silver');
CREATE DOMAIN mpn_notices.tier_d AS mpn_notices.tier;
CREATE FUNCTION mpn_notices.tier_json(mpn_notices.tier) RETURNS json LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'canary fired as %', current_user;
	RETURN '"canary"'::json;
END
$$;
CREATE CAST (mpn_notices.tier AS json) WITH FUNCTION mpn_notices.tier_json(mpn_notices.tier);
RESET ROLE;
CREATE DOMAIN mpn_notices.licenses_d AS integer;
CREATE TABLE typed_deadlines (kind text, object_id text, last_day date, tier mpn_notices.tier,
	tiers mpn_notices.tier[], tier_d mpn_notices.tier_d, licenses mpn_notices.licenses_d,
	nothing mpn_notices.tier, tags text[], counts mpn_notices.licenses_d[]);
INSERT INTO typed_deadlines VALUES ('key', 'T1', '2025-06-20', 'gold', '{gold,silver}', 'silver', 5, NULL, '{a,b}', '{1,2}');
SELECT to_jsonb(t.tier) AS what_to_jsonb_gives FROM typed_deadlines t;
SELECT mpn.create_notice_queue('typed_notices');
SELECT mpn.enqueue_notices('typed_deadlines', 'typed_notices', '2025-06-15') AS queued;
SELECT object_id, details FROM typed_notices;
-- 45 more columns than the three
SELECT format('CREATE TABLE wide_deadlines (kind text, object_id text, last_day date, %s)',
			  string_agg(format('c%s integer DEFAULT %s', i, i), ', ' ORDER BY i))
  FROM generate_series(1, 45) i \gexec
INSERT INTO wide_deadlines (kind, object_id, last_day) VALUES ('key', 'W1', '2025-06-20');
SELECT mpn.create_notice_queue('wide_notices');
SELECT mpn.enqueue_notices('wide_deadlines', 'wide_notices', '2025-06-15') AS queued;
SELECT (SELECT count(*) FROM jsonb_object_keys(details)) AS detail_keys,
       details -> 'c1' AS c1, details -> 'c40' AS c40, details -> 'c41' AS c41, details -> 'c45' AS c45
  FROM wide_notices;
-- rows written with ids of their own, ahead of the queue's sequence (by a
-- role with INSERT on the queue): the sweep moves the sequence past the
-- ids taken from its next one on, not to the largest id
INSERT INTO wide_notices (id, kind, object_id, last_day, threshold, status)
SELECT max(id) + g, 'planted', g::text, '2000-01-01', 0, 'dead'
  FROM wide_notices, generate_series(1, 3) g GROUP BY g;
INSERT INTO wide_notices (id, kind, object_id, last_day, threshold, status)
VALUES (9223372036854775807, 'planted', 'last', '2000-01-01', 0, 'dead');
UPDATE wide_deadlines SET last_day = '2025-06-21';
SELECT mpn.enqueue_notices('wide_deadlines', 'wide_notices', '2025-06-15') AS queued_past_planted_ids;
SELECT id < 100 AS small_id, kind, object_id, last_day, threshold, status FROM wide_notices ORDER BY id;
SELECT last_value < 100 AS sequence_not_used_up FROM wide_notices_id_seq;
DROP TABLE typed_deadlines, typed_notices, wide_deadlines, wide_notices;
DROP DOMAIN mpn_notices.licenses_d;
SET ROLE regress_mpn_notices_other;
DROP CAST (mpn_notices.tier AS json);
DROP FUNCTION mpn_notices.tier_json(mpn_notices.tier);
DROP DOMAIN mpn_notices.tier_d;
DROP TYPE mpn_notices.tier;
RESET ROLE;
DROP TABLE mpn_notices.others_queue, mpn_notices.others_deadlines;
DROP FUNCTION mpn_notices.canary();
REVOKE ALL ON SCHEMA mpn_notices FROM regress_mpn_notices_other;
DROP ROLE regress_mpn_notices_other;

RESET search_path;
RESET mpn.as_of_date;
DROP SCHEMA mpn_notices CASCADE;
