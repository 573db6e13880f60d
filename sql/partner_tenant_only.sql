--
-- partner_tenant_only: the trigger mpn.partner_tenant_only(tenant_column,
-- partner_tenant_column [, demo_column]): every allowed and refused path,
-- uuid tenants, text tenants compared by the tenant column's type and
-- collation, and misuse.
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
-- Misuse: each way of attaching the trigger wrongly is an error when it
-- first fires (the table misuse, the procedure misuse() and the SQLSTATEs
-- are in triggers_setup)
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

-- (a review fix) extra DELETE events are harmless
CREATE TABLE demo_delete (id int PRIMARY KEY, tenant text, partner_tenant text);
INSERT INTO demo_delete VALUES (1, 'customer', 'partner');
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE OR DELETE ON demo_delete
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');
DELETE FROM demo_delete WHERE id = 1;
SELECT count(*) AS demo_rows_left FROM demo_delete;
