--
-- partner_tenant_only: the trigger mpn.partner_tenant_only(tenant_column,
-- partner_tenant_column [, demo_column]): every allowed and refused path,
-- uuid tenants, text tenants compared by the tenant column's type and
-- collation; the changes to its table that are refused because they would
-- leave it unable to work (a column it names dropped, renamed or retyped)
-- and those that are not; its recheck, which refuses a row that a later
-- BEFORE trigger moved onto a customer's tenant; and misuse, refused at
-- CREATE TRIGGER with the error of first use.
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
-- Changes to the table: after each ALTER TABLE the event trigger checks
-- the trigger again, so that a change that would leave it unable to work
-- is refused with the error its first row would get, and undone
--
-- a column it names: dropped, renamed, or given a type it refuses
CALL try('ALTER TABLE licenses DROP COLUMN demo');
CALL try('ALTER TABLE licenses DROP COLUMN partner_tenant');
CALL try('ALTER TABLE licenses RENAME tenant TO activated_on');
CALL try('ALTER TABLE licenses ALTER COLUMN partner_tenant TYPE text');
CALL try('ALTER TABLE licenses ALTER COLUMN demo TYPE text');
CALL try('ALTER TABLE demo_licenses ALTER COLUMN tenant TYPE json USING to_json(tenant)');
SELECT attname, atttypid::regtype FROM pg_attribute
WHERE attrelid = 'licenses'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
-- changes that leave it able to work pass: a column added; both tenant
-- columns given another type in one ALTER TABLE (checked at its end, when
-- they match again)
BEGIN;
ALTER TABLE licenses ADD COLUMN note text;
ALTER TABLE licenses ALTER COLUMN tenant TYPE text, ALTER COLUMN partner_tenant TYPE text;
CALL try($$UPDATE licenses SET demo = true WHERE id = 105$$);
ROLLBACK;

--
-- The recheck.  BEFORE ROW triggers fire in the order of their names, so
-- one that sorts after partner_tenant_only sees, and may change, the row
-- that partner_tenant_only let through.  Attaching partner_tenant_only
-- gives it a recheck: an internal AFTER INSERT OR UPDATE ROW trigger
-- mpn_recheck_<oid> of the same function and arguments, enabled ALWAYS,
-- internally dependent on it, which refuses a stored row that activates
-- a demonstration license on a tenant that is not the partner's own:
-- SQLSTATE 23514 (check_violation).
--
CREATE TABLE guarded_licenses (
	id integer PRIMARY KEY,
	tenant uuid,
	partner_tenant uuid,
	demo boolean,
	note text
);
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo');
SELECT tgname LIKE 'mpn\_recheck\_%' AS recheck_name, tgisinternal,
       tgtype = (1 | 4 | 16) AS after_insert_or_update_row, tgenabled, tgfoid::regprocedure, tgnargs
FROM pg_trigger WHERE tgrelid = 'guarded_licenses'::regclass AND tgisinternal;
SELECT * FROM triggers_of('guarded_licenses');
INSERT INTO guarded_licenses VALUES
	(1, '11111111-1111-1111-1111-111111111111', '11111111-1111-1111-1111-111111111111', true, NULL),
	(2, NULL, '11111111-1111-1111-1111-111111111111', true, NULL),
	(3, '22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', false, NULL);
-- a later trigger that moves a demonstration license onto a customer's
-- tenant, on an UPDATE of another column or on INSERT
CREATE FUNCTION mpn_trig_test.zzz_move_to_customer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.tenant := '22222222-2222-2222-2222-222222222222';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_move_to_customer BEFORE INSERT OR UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION zzz_move_to_customer();
UPDATE guarded_licenses SET note = 'moved' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT error_table($$UPDATE guarded_licenses SET note = 'moved' WHERE id = 1$$);
CALL try($$UPDATE guarded_licenses SET note = 'moved' WHERE id = 2$$);
CALL try($$INSERT INTO guarded_licenses VALUES (4, NULL, '11111111-1111-1111-1111-111111111111', true, NULL)$$);
-- (a customer's license may go there)
UPDATE guarded_licenses SET note = 'moved' WHERE id = 3;
DROP TRIGGER zzz_move_to_customer ON guarded_licenses;
-- ... that forgets the partner's tenant, or makes a customer's license a
-- demonstration license
CREATE FUNCTION mpn_trig_test.zzz_forget_partner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.partner_tenant := NULL;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_forget_partner BEFORE UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION zzz_forget_partner();
CALL try($$UPDATE guarded_licenses SET note = 'forgotten' WHERE id = 1$$);
DROP TRIGGER zzz_forget_partner ON guarded_licenses;
CREATE FUNCTION mpn_trig_test.zzz_make_demo() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.demo := true;
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_make_demo BEFORE UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION zzz_make_demo();
CALL try($$UPDATE guarded_licenses SET note = 'demo' WHERE id = 3$$);
DROP TRIGGER zzz_make_demo ON guarded_licenses;
-- the demonstration licenses are as they were
SELECT * FROM guarded_licenses ORDER BY id;
-- a later trigger that changes only other columns is allowed, and so is
-- one that keeps the rule (activates a license on the partner's tenant)
CREATE FUNCTION mpn_trig_test.zzz_activate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.note := upper(NEW.note);
	NEW.tenant := coalesce(NEW.tenant, NEW.partner_tenant);
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_activate BEFORE INSERT OR UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION zzz_activate();
UPDATE guarded_licenses SET note = 'activated';
SELECT * FROM guarded_licenses ORDER BY id;
DROP TRIGGER zzz_activate ON guarded_licenses;
-- while partner_tenant_only does not fire, nor does its recheck refuse
-- anything
CREATE TRIGGER zzz_move_to_customer BEFORE INSERT OR UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION zzz_move_to_customer();
BEGIN;
ALTER TABLE guarded_licenses DISABLE TRIGGER partner_tenant_only;
UPDATE guarded_licenses SET note = 'switched off' WHERE id = 1;
SELECT * FROM guarded_licenses WHERE id = 1;
ROLLBACK;
DROP TRIGGER zzz_move_to_customer ON guarded_licenses;
-- the recheck cannot be dropped on its own; it follows CREATE OR REPLACE
-- TRIGGER with new arguments (here without the demo column: every license
-- is then a demonstration license), and is dropped with
-- partner_tenant_only
CALL try(format('DROP TRIGGER %I ON guarded_licenses', recheck_of('guarded_licenses')));
SELECT recheck_of('guarded_licenses') AS recheck_before \gset
-- (the rows already there are checked against the new arguments, and
-- license 3, a customer's, would break it: it is adopted as it is)
CALL try($$CREATE OR REPLACE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant')$$);
SET mpn.check_existing_rows = off;
CREATE OR REPLACE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON guarded_licenses
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
RESET mpn.check_existing_rows;
SELECT recheck_of('guarded_licenses') = :'recheck_before' AS same_recheck;
SELECT * FROM triggers_of('guarded_licenses');
CALL try($$UPDATE guarded_licenses SET note = 'all demos now' WHERE id = 3$$);
DROP TRIGGER partner_tenant_only ON guarded_licenses;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'guarded_licenses'::regclass;

--
-- Misuse: each way of attaching the trigger wrongly is refused at CREATE
-- TRIGGER, with the error that its first row gets where nothing checked
-- it before (attached in replica mode); the table misuse, the procedure
-- misuse() and the SQLSTATEs are in triggers_setup
--
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
-- nothing is left attached to misuse, internal triggers included
SELECT count(*) AS misuse_triggers FROM pg_trigger WHERE tgrelid = 'misuse'::regclass;

-- (a review fix) extra DELETE events are harmless; the row that breaks
-- the rule is adopted as it is (mpn.check_existing_rows off), and may
-- still be deleted
CREATE TABLE demo_delete (id int PRIMARY KEY, tenant text, partner_tenant text);
INSERT INTO demo_delete VALUES (1, 'customer', 'partner');
SET mpn.check_existing_rows = off;
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE OR DELETE ON demo_delete
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
RESET mpn.check_existing_rows;
DELETE FROM demo_delete WHERE id = 1;
SELECT count(*) AS demo_rows_left FROM demo_delete;
