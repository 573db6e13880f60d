--
-- exclusive_offer: the trigger mpn.exclusive_offer(user_column,
-- offer_column [, exclusive_value]): the index it needs, every allowed and
-- refused path, a custom exclusive value, text, enum, char(n) and integer
-- offer columns; the changes to its table that are refused because they
-- would leave it unable to work (dropping the index on the user column or
-- the constraint that gives it, dropping, renaming or retyping a column it
-- names) and those that are not; that it has no recheck (an AFTER trigger
-- sees the row as stored); and misuse, refused at CREATE TRIGGER with the
-- error of first use.
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
-- the rule looks up a user's offers through a btree index that leads with
-- the user column: without one, CREATE TRIGGER is refused, and nothing is
-- attached
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'offers'::regclass;
CREATE INDEX offers_offer_user ON offers (offer, user_id);
CREATE INDEX offers_user_hash ON offers USING hash (user_id);
CREATE INDEX offers_user_partial ON offers (user_id) WHERE offer IS NOT NULL;
CALL try($$CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer')$$);
-- any btree index leading with the user column will do; the trigger has
-- no recheck (an AFTER ROW trigger sees the row as it was stored)
CREATE INDEX offers_user_offer ON offers (user_id, offer);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
DROP INDEX offers_offer_user, offers_user_hash, offers_user_partial;
SELECT name, internal, tgtype, enabled FROM triggers_of('offers');

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
-- a value the type does not have is refused at CREATE OR REPLACE TRIGGER,
-- which leaves the trigger as it was
CALL try($$CREATE OR REPLACE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers_enum
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer', 'gold')$$);
CALL try($$INSERT INTO offers_enum VALUES (3, 'visual_studio'), (3, 'sponsorship')$$);

--
-- Changes to the table: the event trigger checks the trigger again after
-- each ALTER TABLE and DROP INDEX, so that a change that would leave it
-- unable to work is refused with the error its first row would get, and
-- undone
--
-- the index on the user column, alone or with others
DROP INDEX offers_user_offer;
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX offers_note ON offers (note);
CALL try('DROP INDEX offers_note, offers_user_offer');
DROP INDEX offers_note;
CALL try('DROP INDEX offers_custom_user_name_idx');
-- ... or the constraint whose index it is
CREATE TABLE offer_assignments (
	user_id text NOT NULL,
	offer text NOT NULL,
	PRIMARY KEY (user_id, offer)
);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offer_assignments
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
CALL try('ALTER TABLE offer_assignments DROP CONSTRAINT offer_assignments_pkey');
-- a column it names: dropped, renamed, or of a type in which the
-- exclusive value cannot be read
CALL try('ALTER TABLE offers DROP COLUMN offer');
CALL try('ALTER TABLE offers DROP COLUMN user_id CASCADE');
CALL try('ALTER TABLE offers RENAME user_id TO customer');
CALL try('ALTER TABLE offers_custom RENAME COLUMN offer TO benefit');
CALL try('ALTER TABLE offers_custom ALTER COLUMN offer TYPE integer USING length(offer)');
-- all undone
SELECT attname, atttypid::regtype FROM pg_attribute
WHERE attrelid = 'offers_custom'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT indexrelid::regclass AS index FROM pg_index
WHERE indrelid IN ('offers'::regclass, 'offers_custom'::regclass, 'offer_assignments'::regclass)
ORDER BY 1::text;
-- changes that leave it able to work pass: a column added and a column it
-- does not name dropped, another index on the user column that makes the
-- first one free to go, and the primary key whose index it uses dropped
-- once another index will do
BEGIN;
ALTER TABLE offers ADD COLUMN granted date;
ALTER TABLE offers DROP COLUMN note;
CREATE INDEX offers_user ON offers (user_id);
DROP INDEX offers_user_offer;
CREATE INDEX offer_assignments_user ON offer_assignments (user_id);
ALTER TABLE offer_assignments DROP CONSTRAINT offer_assignments_pkey;
CALL try($$INSERT INTO offers VALUES (20, 1, 'azure_bulk_credit')$$);
ROLLBACK;

--
-- Misuse: each way of attaching the trigger wrongly is refused at CREATE
-- TRIGGER, with the error that its first row gets where nothing checked
-- it before (attached in replica mode); the table misuse, the procedure
-- misuse() and the SQLSTATEs are in triggers_setup
--
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
-- nothing is left attached to misuse, internal triggers included
SELECT count(*) AS misuse_triggers FROM pg_trigger WHERE tgrelid = 'misuse'::regclass;

-- (review fixes) the exclusive value compares with the offer type's own =
-- (char(n) pads, citext-like types fold); extra DELETE events are harmless
CREATE TABLE offers_char (user_id int, offer char(20));
CREATE INDEX ON offers_char (user_id);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE OR DELETE ON offers_char
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
INSERT INTO offers_char VALUES (1, 'visual_studio');
CALL try($$INSERT INTO offers_char VALUES (1, 'azure_bulk_credit')$$);
DELETE FROM offers_char;
SELECT count(*) AS offers_left FROM offers_char;
-- (a review fix) a bad exclusive value says whose argument it is (now at
-- CREATE TRIGGER), and the table is left without the trigger
CREATE TABLE offers_int (user_id int, offer int);
CREATE INDEX ON offers_int (user_id);
\set VERBOSITY default
\set SHOW_CONTEXT always
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers_int
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
\set SHOW_CONTEXT never
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'offers_int'::regclass;
RESET search_path;
