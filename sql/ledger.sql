--
-- ledger: mpn.create_ledger and mpn.fill_ledger.  The ledger's tables,
-- their STORED generated columns, constraints and triggers, the four status
-- views on fixed days, the deterministic sample, and DROP EXTENSION refusing
-- while a ledger uses the extension.
--
-- Self-contained: every ledger lives in a schema mpn_ledger_* (or
-- "Mpn Ledger Quoted"), all dropped at the end; the DROP EXTENSION
-- statements that would show other suites' leftovers run in a database of
-- their own, regress_mpn_ledger_drop, dropped at the end too.
--
-- Nothing depends on the day the suite runs: mpn.as_of_date fixes
-- mpn.today() for the rules, the views and the triggers.
--
\set VERBOSITY default
-- (errors raised in PL/pgSQL would show the line of the RAISE otherwise)
\set SHOW_CONTEXT never
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.as_of_date = '2025-06-15';
SELECT mpn.today();

--
-- create_ledger
--

-- the schema is created when it is missing
SELECT count(*) AS schema_before FROM pg_namespace WHERE nspname = 'mpn_ledger_a';
SELECT mpn.create_ledger('mpn_ledger_a');
SELECT count(*) AS schema_after FROM pg_namespace WHERE nspname = 'mpn_ledger_a';

-- what a ledger is made of
SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class') IS NOT NULL AS commented
  FROM pg_class c
 WHERE c.relnamespace = 'mpn_ledger_a'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relkind, c.relname;

-- the computed columns are STORED generated columns
SELECT a.attrelid::regclass AS "table", a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attgenerated, pg_get_expr(d.adbin, d.adrelid) AS expression
  FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'mpn_ledger_a'::regnamespace)
   AND a.attgenerated <> ''
 ORDER BY a.attrelid::regclass::text COLLATE "C", a.attnum;

-- the triggers attached
SELECT t.tgrelid::regclass AS "table", t.tgname, t.tgfoid::regprocedure AS function,
       pg_get_triggerdef(t.oid) AS definition
  FROM pg_trigger t
 WHERE t.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'mpn_ledger_a'::regnamespace)
   AND NOT t.tgisinternal
 ORDER BY t.tgrelid::regclass::text COLLATE "C", t.tgname;

-- foreign keys and checks
SELECT conrelid::regclass AS "table", contype, pg_get_constraintdef(oid) AS definition
  FROM pg_constraint
 WHERE connamespace = 'mpn_ledger_a'::regnamespace AND contype IN ('f', 'c')
 ORDER BY conrelid::regclass::text COLLATE "C", contype, pg_get_constraintdef(oid) COLLATE "C";

-- every table and view has a comment, and so does every column of the views
SELECT count(*) AS relations_without_comment
  FROM pg_class c
 WHERE c.relnamespace = 'mpn_ledger_a'::regnamespace AND c.relkind IN ('r', 'v')
   AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT count(*) AS view_columns, count(col_description(a.attrelid, a.attnum)) AS commented
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'mpn_ledger_a'::regnamespace AND c.relkind = 'v'
   AND a.attnum > 0 AND NOT a.attisdropped;
SELECT c.relname, a.attname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'mpn_ledger_a'::regnamespace AND c.relkind = 'v'
   AND a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL;
-- and what a BI tool's catalog shows for one of them
SELECT a.attname, col_description(a.attrelid, a.attnum) AS comment
  FROM pg_attribute a
 WHERE a.attrelid = 'mpn_ledger_a.key_status'::regclass AND a.attnum > 0
 ORDER BY a.attnum;

-- the ledger's objects are not members of the extension: DROP EXTENSION
-- never takes them along, and pg_dump dumps them
SELECT count(*) AS ledger_members_of_extension
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND ((d.classid = 'pg_class'::regclass
         AND d.objid IN (SELECT oid FROM pg_class WHERE relnamespace = 'mpn_ledger_a'::regnamespace))
        OR (d.classid = 'pg_namespace'::regclass AND d.objid = 'mpn_ledger_a'::regnamespace)
        OR (d.classid = 'pg_type'::regclass
            AND d.objid IN (SELECT oid FROM pg_type WHERE typnamespace = 'mpn_ledger_a'::regnamespace)));
SELECT count(*) AS objects_in_schema,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pg_depend d
                                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                          AND d.deptype = 'e')) AS members_of_any_extension
  FROM pg_class c WHERE c.relnamespace = 'mpn_ledger_a'::regnamespace;

-- a second ledger, into an existing schema that holds other things
CREATE SCHEMA mpn_ledger_b;
CREATE TABLE mpn_ledger_b.notes (note text);
SELECT mpn.create_ledger('mpn_ledger_b');
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'mpn_ledger_b'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;

-- a name that needs quoting
SELECT mpn.create_ledger('Mpn Ledger Quoted');
SELECT count(*) AS relations FROM pg_class
 WHERE relnamespace = '"Mpn Ledger Quoted"'::regnamespace AND relkind IN ('r', 'v');

-- a schema that already holds a relation of a ledger's name: a clear error,
-- and nothing created
CREATE SCHEMA mpn_ledger_clash;
CREATE TABLE mpn_ledger_clash.partners (id int);
SELECT mpn.create_ledger('mpn_ledger_clash');
\echo :LAST_ERROR_SQLSTATE
SELECT relname FROM pg_class WHERE relnamespace = 'mpn_ledger_clash'::regnamespace ORDER BY 1;
-- a view of that name clashes too
DROP TABLE mpn_ledger_clash.partners;
CREATE VIEW mpn_ledger_clash.key_status AS SELECT 1 AS one;
SELECT mpn.create_ledger('mpn_ledger_clash');
\echo :LAST_ERROR_SQLSTATE
-- and a ledger created twice into one schema (the first clash by name)
SELECT mpn.create_ledger('mpn_ledger_b');
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA mpn_ledger_clash CASCADE;
-- a schema another role owns, who could drop the ledger's tables: refused
-- to a role that is no member of the owner's (by grant), a superuser too
CREATE ROLE regress_mpn_ledger_maker;
CREATE ROLE regress_mpn_ledger_squatter;
CREATE SCHEMA mpn_ledger_squatted AUTHORIZATION regress_mpn_ledger_squatter;
DO $$ BEGIN
	EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_mpn_ledger_maker', current_database());
END $$;
GRANT USAGE, CREATE ON SCHEMA mpn_ledger_squatted TO regress_mpn_ledger_maker;
SET ROLE regress_mpn_ledger_maker;
SELECT mpn.create_ledger('mpn_ledger_squatted');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- a superuser is not a member of every role, for this
SELECT mpn.create_ledger('mpn_ledger_squatted');
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA mpn_ledger_squatted;
DO $$ BEGIN
	EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_mpn_ledger_maker', current_database());
END $$;
-- into a schema of its own, a role needs no CREATE on the database
CREATE SCHEMA mpn_ledger_given AUTHORIZATION regress_mpn_ledger_maker;
SET ROLE regress_mpn_ledger_maker;
SET client_min_messages = warning;
SELECT mpn.create_ledger('mpn_ledger_given');
RESET client_min_messages;
SELECT count(*) AS tables_made FROM pg_class
 WHERE relnamespace = 'mpn_ledger_given'::regnamespace AND relkind = 'r'
   AND relowner = 'regress_mpn_ledger_maker'::regrole;
RESET ROLE;
SET client_min_messages = warning;
DROP SCHEMA mpn_ledger_given CASCADE;
RESET client_min_messages;
DROP ROLE regress_mpn_ledger_maker, regress_mpn_ledger_squatter;

--
-- A hand-written ledger on fixed days; today is 2025-06-15
--
SET search_path = mpn_ledger_a;

INSERT INTO partners (partner_id, name) VALUES
	(1, 'Contoso'), (2, 'Fabrikam'), (3, 'Northwind');
INSERT INTO partner_tenants (partner_id, tenant_id) VALUES
	(1, '00000000-0000-0000-0000-00000000c001'),
	(2, '00000000-0000-0000-0000-00000000f002'),
	(3, '00000000-0000-0000-0000-00000000a003');

-- enrollments: the identity gives the ids, the expiry is computed (rule 1;
-- a year from 2024-02-29 ends on 2025-02-28)
INSERT INTO enrollments (partner_id, enrolled_on) VALUES
	(1, '2024-07-01'), (2, '2024-06-01'), (3, '2024-02-29'), (1, '2025-06-15')
RETURNING *;
-- the computed column is not written by hand
INSERT INTO enrollments (partner_id, enrolled_on, benefit_expiry) VALUES (1, '2024-07-01', '2025-07-01');
\echo :LAST_ERROR_SQLSTATE

INSERT INTO benefits (enrollment_id, kind, requires_user_assignment, benefit_expiry, activated_on)
SELECT e.enrollment_id, v.kind, v.kind = 'visual_studio', e.benefit_expiry, v.activated_on
  FROM (VALUES (1, 'product_key', NULL::date),
			   (1, 'visual_studio', NULL),
			   (1, 'azure_credit', '2024-08-01'),
			   (2, 'product_key', NULL),
			   (2, 'visual_studio', NULL),
			   (2, 'technical_support', '2025-05-30'),
			   (3, 'visual_studio', NULL),
			   (3, 'azure_credit', NULL),
			   (4, 'visual_studio', '2025-06-15')) AS v(enrollment_id, kind, activated_on)
  JOIN enrollments e USING (enrollment_id)
 ORDER BY v.enrollment_id, v.kind;
-- the deadline is computed: the expiry, plus 30 days of grace for Visual Studio (rule 2)
SELECT benefit_id, enrollment_id, kind, requires_user_assignment, benefit_expiry,
       activation_deadline, activated_on
  FROM benefits ORDER BY benefit_id;
-- a benefit's expiry must be its enrollment's (foreign key)
INSERT INTO benefits (enrollment_id, kind, requires_user_assignment, benefit_expiry)
VALUES (1, 'azure_credit', false, '2025-07-02');
\echo :LAST_ERROR_SQLSTATE
-- no activation after the deadline (check)
UPDATE benefits SET activated_on = '2025-06-02' WHERE benefit_id = 4;
\echo :LAST_ERROR_SQLSTATE
-- no unknown kind (check)
INSERT INTO benefits (enrollment_id, kind, requires_user_assignment, benefit_expiry)
VALUES (1, 'free_lunch', false, '2025-07-01');
\echo :LAST_ERROR_SQLSTATE

INSERT INTO subscriptions (partner_id, product, term) VALUES
	(1, 'Microsoft 365 E3', mpn.license_term(10, '2025-01-01', '2026-01-01')),
	(2, 'Power BI Pro', mpn.license_term(3, '2024-05-01', '2025-05-01')),
	(3, 'Dynamics 365 Sales', mpn.license_term(25, '2025-07-01', '2026-07-01')),
	(1, 'Windows 11 Enterprise', mpn.license_term(1, '2024-06-16', '2025-06-16'))
RETURNING *;

-- keys: valid_until is a year after redemption (rule 3), NULL while unredeemed
INSERT INTO product_keys (key, partner_id, licenses, redeemed_on, applied_to) VALUES
	('BCDFG-HJKMP-QRTVW-XY234-6789B', 1, 5, '2024-06-20', 1),
	('bcdfg-hjkmp-qrtvw-xy234-6789c', 1, 1, NULL, NULL),
	('BCDFGHJKMPQRTVWXY2346789D', 2, 10, '2024-02-29', 2),
	('BCDFG-HJKMP-QRTVW-XY234-6789F', 2, 1, '2025-07-01', NULL),
	('BCDFG-HJKMP-QRTVW-XY234-6789G', 3, 20, '2025-06-15', NULL),
	('NBCDF-HJKMP-QRTVW-XY234-6789H', 3, 1, '2024-06-15', NULL),
	('BCDFG-HJKMP-QRTVW-XY234-6789K', 3, 2, '2024-07-10', NULL)
RETURNING *;
-- a key applied to a subscription was redeemed (check)
INSERT INTO product_keys (key, partner_id, applied_to) VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789J', 1, 1);
\echo :LAST_ERROR_SQLSTATE
-- a key is a product key (the type)
INSERT INTO product_keys (key, partner_id) VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789A', 1);
\echo :LAST_ERROR_SQLSTATE

-- Visual Studio subscriptions: an INSERT gives no day but today (history
-- with an old day would let a subscription deleted after its wait come
-- back and pass on at once), neither a day to come nor a past one
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on)
VALUES (106, 3, 'eve@northwind.example', '2025-06-16');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on)
VALUES (101, 1, 'ana@contoso.example', '2025-01-10');
\echo :LAST_ERROR_SQLSTATE
-- history is loaded by the table's owner with the trigger off (as
-- mpn.fill_ledger does) ...
ALTER TABLE vs_assignments DISABLE TRIGGER mpn_reassign_after;
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on) VALUES
	(101, 1, 'ana@contoso.example', '2025-01-10'),
	(102, 1, 'ben@contoso.example', '2025-05-01');
ALTER TABLE vs_assignments ENABLE TRIGGER mpn_reassign_after;
-- ... or by travelling in time to the day of the assignment
SET mpn.as_of_date = '2025-03-17';
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on) VALUES
	(105, 3, 'dee@northwind.example', NULL);
SET mpn.as_of_date = '2025-06-15';
-- a new assignment is stamped with today (mpn.as_of_date), which it may also
-- give itself; an unassigned one has no date
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on) VALUES
	(103, 2, NULL, NULL),
	(104, 2, 'cy@fabrikam.example', '2025-06-15');
SELECT * FROM vs_assignments ORDER BY vs_subscription_id;

INSERT INTO offer_assignments (user_id, offer, partner_id) VALUES
	('ana@contoso.example', 'visual_studio_enterprise', 1),
	('ana@contoso.example', 'technical_support', 1),
	('dan@contoso.example', 'azure_bulk_credit', 1);

INSERT INTO license_activations (partner_id, product, is_demo, tenant_id, partner_tenant, activated_on) VALUES
	(1, 'Microsoft 365 E5 (demo)', true, '00000000-0000-0000-0000-00000000c001', '00000000-0000-0000-0000-00000000c001', '2025-06-01'),
	(1, 'Microsoft 365 E5', false, '00000000-0000-0000-0000-0000000cafe1', NULL, '2025-06-02'),
	(2, 'Dynamics 365 Sales (demo)', true, NULL, '00000000-0000-0000-0000-00000000f002', NULL)
RETURNING activation_id, partner_id, product, is_demo, tenant_id, partner_tenant;
-- partner_tenant is one of the partner's own tenants (foreign key)
INSERT INTO license_activations (partner_id, product, is_demo, tenant_id, partner_tenant)
VALUES (1, 'Microsoft 365 E5 (demo)', true, '00000000-0000-0000-0000-00000000f002', '00000000-0000-0000-0000-00000000f002');
\echo :LAST_ERROR_SQLSTATE

--
-- The views on 2025-06-15
--
SELECT * FROM benefit_status ORDER BY benefit_id;
SELECT * FROM key_status ORDER BY key;
SELECT * FROM subscription_status ORDER BY subscription_id;
SELECT * FROM reassignment_status ORDER BY vs_subscription_id;

-- The questions the views answer: benefits to activate in the next 30
-- days, keys that lapse next month, subscriptions reassignable now
SELECT partner_id, kind, activation_deadline, status, days_left
  FROM benefit_status WHERE days_left <= 30 ORDER BY days_left, benefit_id;
SELECT key, valid_until FROM key_status
 WHERE valid_until >= date_trunc('month', mpn.today() + interval '1 month')
   AND valid_until <  date_trunc('month', mpn.today() + interval '2 months')
 ORDER BY key;
SELECT vs_subscription_id, subscriber FROM reassignment_status
 WHERE subscriber IS NOT NULL AND reassignable_now ORDER BY 1;

--
-- The views follow mpn.today(): the same rows on other days.  Contoso's
-- Visual Studio benefit (expiry 2025-07-01, deadline 2025-07-31) goes
-- available -> in_grace -> expired; its product key benefit has no grace.
--
SET mpn.as_of_date = '2025-07-01';
SELECT benefit_id, kind, status, days_left FROM benefit_status WHERE partner_id = 1 ORDER BY benefit_id;
SET mpn.as_of_date = '2025-07-02';
SELECT benefit_id, kind, status, days_left FROM benefit_status WHERE partner_id = 1 ORDER BY benefit_id;
SET mpn.as_of_date = '2025-07-31';
SELECT benefit_id, kind, status, days_left FROM benefit_status WHERE partner_id = 1 ORDER BY benefit_id;
SET mpn.as_of_date = '2025-08-01';
SELECT benefit_id, kind, status, days_left FROM benefit_status WHERE partner_id = 1 ORDER BY benefit_id;
-- keys: 6789B lapses on its valid_until (2025-06-20), 6789F becomes usable
-- on the day it was redeemed (2025-07-01)
SET mpn.as_of_date = '2025-06-19';
SELECT key, status, days_left FROM key_status ORDER BY key;
SET mpn.as_of_date = '2025-06-20';
SELECT key, status, days_left FROM key_status ORDER BY key;
SET mpn.as_of_date = '2025-07-01';
SELECT key, status, days_left FROM key_status ORDER BY key;
-- subscriptions: Windows 11 lapses on 2025-06-16, Dynamics starts on 2025-07-01
SET mpn.as_of_date = '2025-06-16';
SELECT subscription_id, product, status, remaining_days FROM subscription_status ORDER BY 1;
SET mpn.as_of_date = '2025-07-01';
SELECT subscription_id, product, status, remaining_days FROM subscription_status ORDER BY 1;
-- Visual Studio: 102 (assigned 2025-05-01) becomes reassignable on 2025-07-30
SET mpn.as_of_date = '2025-07-29';
SELECT vs_subscription_id, reassignable_now, days_until_reassignable FROM reassignment_status ORDER BY 1;
SET mpn.as_of_date = '2025-07-30';
SELECT vs_subscription_id, reassignable_now, days_until_reassignable FROM reassignment_status ORDER BY 1;
SET mpn.as_of_date = '2025-06-15';

--
-- Notices of the deadlines: every deadline still to meet (benefits not
-- activated, grace included; redeemed keys' last usable day; subscriptions'
-- last day), swept into the ledger's queue on 2025-06-15 and again the
-- same day (nothing more), then on 2025-06-19, key 6789B's last usable
-- day, when its 0-day notice overtakes the 7-day one
--
SELECT * FROM deadlines ORDER BY kind, last_day, object_id;
SELECT mpn.enqueue_notices('deadlines', 'notices') AS queued;
SELECT kind, object_id, last_day, threshold, due_on, status, details ->> 'partner_name' AS partner
  FROM notices ORDER BY kind, last_day, object_id, threshold DESC;
SELECT mpn.enqueue_notices('deadlines', 'notices') AS queued_again;
SELECT mpn.enqueue_notices('deadlines', 'notices', on_date => '2025-06-19') AS queued_on_2025_06_19;
SELECT kind, object_id, last_day, threshold, status
  FROM notices WHERE object_id LIKE '%6789B' ORDER BY threshold DESC;
TRUNCATE notices;

--
-- The triggers in the ledger refuse what the rules forbid
--
-- a second redemption of a key (redeem_once: 23505), and a change to a
-- redemption (23001)
INSERT INTO product_keys (key, partner_id, redeemed_on) VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', 2, '2025-06-15');
\echo :LAST_ERROR_SQLSTATE
UPDATE product_keys SET redeemed_on = '2025-06-15' WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789B';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM product_keys WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789D';
\echo :LAST_ERROR_SQLSTATE
-- while an unredeemed key is redeemed once, and may go (then valid_until follows)
UPDATE product_keys SET redeemed_on = mpn.today() WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789C'
RETURNING key, redeemed_on, valid_until;
UPDATE product_keys SET redeemed_on = '2025-06-16' WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789C';
\echo :LAST_ERROR_SQLSTATE

-- an early reassignment (reassign_after: 23514); 101 (assigned 2025-01-10)
-- may pass on, and is stamped with today
UPDATE vs_assignments SET subscriber = 'zoe@contoso.example' WHERE vs_subscription_id = 102;
\echo :LAST_ERROR_SQLSTATE
UPDATE vs_assignments SET subscriber = 'zoe@contoso.example' WHERE vs_subscription_id = 101
RETURNING vs_subscription_id, subscriber, assigned_on, reassignable_on;
-- and now 101 waits again; its date is the trigger's
UPDATE vs_assignments SET subscriber = 'ana@contoso.example' WHERE vs_subscription_id = 101;
\echo :LAST_ERROR_SQLSTATE
UPDATE vs_assignments SET assigned_on = '2025-01-01' WHERE vs_subscription_id = 105;
\echo :LAST_ERROR_SQLSTATE
-- the first assignment of 103 is free
UPDATE vs_assignments SET subscriber = 'fay@fabrikam.example' WHERE vs_subscription_id = 103
RETURNING vs_subscription_id, subscriber, assigned_on, reassignable_on;
-- 105 (assigned 2025-03-17) has waited its 90 days: it may be deleted, but
-- not inserted again with its old day; inserted again it is stamped today,
-- and waits anew before passing on
DELETE FROM vs_assignments WHERE vs_subscription_id = 105;
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on)
VALUES (105, 3, 'dee@northwind.example', '2025-03-17');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO vs_assignments (vs_subscription_id, partner_id, subscriber)
VALUES (105, 3, 'dee@northwind.example')
RETURNING vs_subscription_id, subscriber, assigned_on, reassignable_on;
UPDATE vs_assignments SET subscriber = 'zoe@northwind.example' WHERE vs_subscription_id = 105;
\echo :LAST_ERROR_SQLSTATE

-- an offer clash (exclusive_offer: 23P01), both ways
INSERT INTO offer_assignments (user_id, offer, partner_id) VALUES ('dan@contoso.example', 'technical_support', 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO offer_assignments (user_id, offer, partner_id) VALUES ('ana@contoso.example', 'azure_bulk_credit', 1);
\echo :LAST_ERROR_SQLSTATE
UPDATE offer_assignments SET user_id = 'dan@contoso.example'
 WHERE user_id = 'ana@contoso.example' AND offer = 'technical_support';
\echo :LAST_ERROR_SQLSTATE

-- a demonstration license on a customer's tenant (partner_tenant_only: 23514)
INSERT INTO license_activations (partner_id, product, is_demo, tenant_id, partner_tenant)
VALUES (1, 'Microsoft 365 E5 (demo)', true, '00000000-0000-0000-0000-0000000cafe1', '00000000-0000-0000-0000-00000000c001');
\echo :LAST_ERROR_SQLSTATE
UPDATE license_activations SET tenant_id = '00000000-0000-0000-0000-0000000cafe2' WHERE activation_id = 3;
\echo :LAST_ERROR_SQLSTATE
-- on the partner's own tenant it is activated
UPDATE license_activations SET tenant_id = partner_tenant, activated_on = mpn.today() WHERE activation_id = 3
RETURNING activation_id, tenant_id, activated_on;

-- the same refusals with their SQLSTATEs, caught in PL/pgSQL
DO $$
DECLARE
	stmt text;
	code text;
	msg text;
BEGIN
	FOREACH stmt IN ARRAY ARRAY[
		$s$UPDATE mpn_ledger_a.product_keys SET redeemed_on = NULL WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789G'$s$,
		$s$INSERT INTO mpn_ledger_a.product_keys (key, partner_id, redeemed_on) VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789G', 1, '2025-06-15')$s$,
		$s$UPDATE mpn_ledger_a.vs_assignments SET subscriber = 'x@contoso.example' WHERE vs_subscription_id = 104$s$,
		$s$INSERT INTO mpn_ledger_a.offer_assignments VALUES ('dan@contoso.example', 'visual_studio_enterprise', 1)$s$,
		$s$INSERT INTO mpn_ledger_a.license_activations (partner_id, product, is_demo, tenant_id, partner_tenant) VALUES (3, 'demo', true, '00000000-0000-0000-0000-0000000cafe3', '00000000-0000-0000-0000-00000000a003')$s$]
	LOOP
		BEGIN
			EXECUTE stmt;
			RAISE NOTICE 'not refused: %', stmt;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			RAISE NOTICE '%: %', code, msg;
		END;
	END LOOP;
END
$$;

-- the ledger as it stands
SELECT * FROM key_status ORDER BY key;
SELECT * FROM reassignment_status ORDER BY vs_subscription_id;
SELECT * FROM offer_assignments ORDER BY user_id COLLATE "C", offer COLLATE "C";
SELECT activation_id, partner_id, product, is_demo, tenant_id, partner_tenant, activated_on
  FROM license_activations ORDER BY activation_id;

--
-- Two ledgers are independent: the same key redeemed in each, the same ids
--
SET search_path = mpn_ledger_b;
INSERT INTO partners VALUES (1, 'Tailspin');
INSERT INTO enrollments (partner_id, enrolled_on) VALUES (1, '2025-01-01') RETURNING *;
INSERT INTO product_keys (key, partner_id, redeemed_on)
VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', 1, '2025-06-01') RETURNING *;
INSERT INTO offer_assignments VALUES ('ana@contoso.example', 'azure_bulk_credit', 1);
SELECT (SELECT count(*) FROM mpn_ledger_a.partners) AS partners_a,
       (SELECT count(*) FROM mpn_ledger_b.partners) AS partners_b,
       (SELECT string_agg(redeemed_on::text, ', ' ORDER BY redeemed_on) FROM mpn_ledger_a.product_keys
         WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789B') AS key_redeemed_in_a,
       (SELECT string_agg(redeemed_on::text, ', ' ORDER BY redeemed_on) FROM mpn_ledger_b.product_keys
         WHERE key::text = 'BCDFG-HJKMP-QRTVW-XY234-6789B') AS key_redeemed_in_b;
RESET search_path;

--
-- fill_ledger: a deterministic sample
--
-- refused arguments
SELECT mpn.fill_ledger('mpn_ledger_b', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT mpn.fill_ledger('mpn_ledger_b', 20, 3, '2025-06-16');
\echo :LAST_ERROR_SQLSTATE
SELECT mpn.fill_ledger('mpn_ledger_b', 20, 3, mpn.today() + 1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS partners_b_unchanged FROM mpn_ledger_b.partners;

-- two fresh ledgers, the same seed (its NOTICEs carry timings: hidden)
SELECT mpn.create_ledger('mpn_ledger_fill1');
SELECT mpn.create_ledger('mpn_ledger_fill2');
SET client_min_messages = warning;
SELECT mpn.fill_ledger('mpn_ledger_fill1', 20, 3, '2025-06-15');
SELECT mpn.fill_ledger('mpn_ledger_fill2', partners => 20, seed => 3);
RESET client_min_messages;

-- rows per table
SELECT 'partners' AS "table", count(*) FROM mpn_ledger_fill1.partners
UNION ALL SELECT 'partner_tenants', count(*) FROM mpn_ledger_fill1.partner_tenants
UNION ALL SELECT 'enrollments', count(*) FROM mpn_ledger_fill1.enrollments
UNION ALL SELECT 'benefits', count(*) FROM mpn_ledger_fill1.benefits
UNION ALL SELECT 'subscriptions', count(*) FROM mpn_ledger_fill1.subscriptions
UNION ALL SELECT 'product_keys', count(*) FROM mpn_ledger_fill1.product_keys
UNION ALL SELECT 'vs_assignments', count(*) FROM mpn_ledger_fill1.vs_assignments
UNION ALL SELECT 'offer_assignments', count(*) FROM mpn_ledger_fill1.offer_assignments
UNION ALL SELECT 'license_activations', count(*) FROM mpn_ledger_fill1.license_activations
UNION ALL SELECT 'load_refusals', count(*) FROM mpn_ledger_fill1.load_refusals;

-- the sample's shape, by status
SELECT kind, status, count(*) FROM mpn_ledger_fill1.benefit_status GROUP BY 1, 2 ORDER BY 1, 2;
SELECT status, count(*), sum(licenses) AS licenses,
       count(*) FILTER (WHERE valid_until >= '2025-07-01' AND valid_until < '2025-08-01') AS lapsing_next_month
  FROM mpn_ledger_fill1.key_status GROUP BY 1 ORDER BY 1;
SELECT status, count(*), count(*) FILTER (WHERE remaining_days <= 30) AS within_30_days
  FROM mpn_ledger_fill1.subscription_status GROUP BY 1 ORDER BY 1;
SELECT subscriber IS NOT NULL AS assigned, reassignable_now, count(*)
  FROM mpn_ledger_fill1.reassignment_status GROUP BY 1, 2 ORDER BY 1, 2;
SELECT offer, count(*) FROM mpn_ledger_fill1.offer_assignments GROUP BY 1 ORDER BY 1;
SELECT is_demo, count(*), count(*) FILTER (WHERE tenant_id = partner_tenant) AS on_own_tenant
  FROM mpn_ledger_fill1.license_activations GROUP BY 1 ORDER BY 1;
SELECT min(enrolled_on), max(enrolled_on) FROM mpn_ledger_fill1.enrollments;
-- no day after as_of anywhere
SELECT (SELECT count(*) FROM mpn_ledger_fill1.vs_assignments WHERE assigned_on > '2025-06-15') AS assigned_later,
       (SELECT count(*) FROM mpn_ledger_fill1.product_keys WHERE redeemed_on > '2025-06-15') AS redeemed_later,
       (SELECT count(*) FROM mpn_ledger_fill1.benefits WHERE activated_on > '2025-06-15') AS activated_later,
       (SELECT count(*) FROM mpn_ledger_fill1.license_activations WHERE activated_on > '2025-06-15') AS demos_later;

-- what the triggers refused while loading
SELECT table_name, sqlstate, count(*) FROM mpn_ledger_fill1.load_refusals GROUP BY 1, 2 ORDER BY 1, 2;
SELECT table_name, sqlstate, message, detail FROM mpn_ledger_fill1.load_refusals ORDER BY refusal_id;

-- the same seed gives the same rows, table for table, ids included
SELECT t AS "table",
       (SELECT count(*) FROM (SELECT * FROM mpn_ledger_fill1.partners EXCEPT ALL SELECT * FROM mpn_ledger_fill2.partners) x) +
       (SELECT count(*) FROM (SELECT * FROM mpn_ledger_fill2.partners EXCEPT ALL SELECT * FROM mpn_ledger_fill1.partners) x) AS differ
  FROM (VALUES ('partners')) v(t)
UNION ALL SELECT 'partner_tenants',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.partner_tenants EXCEPT ALL TABLE mpn_ledger_fill2.partner_tenants) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.partner_tenants EXCEPT ALL TABLE mpn_ledger_fill1.partner_tenants) x)
UNION ALL SELECT 'enrollments',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.enrollments EXCEPT ALL TABLE mpn_ledger_fill2.enrollments) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.enrollments EXCEPT ALL TABLE mpn_ledger_fill1.enrollments) x)
UNION ALL SELECT 'benefits',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.benefits EXCEPT ALL TABLE mpn_ledger_fill2.benefits) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.benefits EXCEPT ALL TABLE mpn_ledger_fill1.benefits) x)
UNION ALL SELECT 'subscriptions',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.subscriptions EXCEPT ALL TABLE mpn_ledger_fill2.subscriptions) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.subscriptions EXCEPT ALL TABLE mpn_ledger_fill1.subscriptions) x)
UNION ALL SELECT 'product_keys',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.product_keys EXCEPT ALL TABLE mpn_ledger_fill2.product_keys) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.product_keys EXCEPT ALL TABLE mpn_ledger_fill1.product_keys) x)
UNION ALL SELECT 'vs_assignments',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.vs_assignments EXCEPT ALL TABLE mpn_ledger_fill2.vs_assignments) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.vs_assignments EXCEPT ALL TABLE mpn_ledger_fill1.vs_assignments) x)
UNION ALL SELECT 'offer_assignments',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.offer_assignments EXCEPT ALL TABLE mpn_ledger_fill2.offer_assignments) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.offer_assignments EXCEPT ALL TABLE mpn_ledger_fill1.offer_assignments) x)
UNION ALL SELECT 'license_activations',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.license_activations EXCEPT ALL TABLE mpn_ledger_fill2.license_activations) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.license_activations EXCEPT ALL TABLE mpn_ledger_fill1.license_activations) x)
UNION ALL SELECT 'load_refusals',
       (SELECT count(*) FROM (TABLE mpn_ledger_fill1.load_refusals EXCEPT ALL TABLE mpn_ledger_fill2.load_refusals) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_fill2.load_refusals EXCEPT ALL TABLE mpn_ledger_fill1.load_refusals) x);
SELECT (SELECT md5(string_agg(k::text, E'\n' ORDER BY k.key)) FROM mpn_ledger_fill1.product_keys k)
     = (SELECT md5(string_agg(k::text, E'\n' ORDER BY k.key)) FROM mpn_ledger_fill2.product_keys k) AS same_keys;
-- a few of them, as a sample reads
SELECT * FROM mpn_ledger_fill1.product_keys ORDER BY partner_id, key LIMIT 5;
SELECT * FROM mpn_ledger_fill1.subscriptions ORDER BY subscription_id LIMIT 5;
-- every generated key is valid and unique
SELECT count(*) AS keys, count(DISTINCT key) AS distinct_keys,
       count(*) FILTER (WHERE mpn.is_valid_product_key(key::text)) AS valid,
       count(*) FILTER (WHERE strpos(key::text, 'N') > 0) AS with_n
  FROM mpn_ledger_fill1.product_keys;

-- another seed, other rows
SELECT mpn.create_ledger('mpn_ledger_fill3');
SET client_min_messages = warning;
SELECT mpn.fill_ledger('mpn_ledger_fill3', 20, 4, '2025-06-15');
RESET client_min_messages;
SELECT (SELECT md5(string_agg(k::text, E'\n' ORDER BY k.key)) FROM mpn_ledger_fill1.product_keys k)
     = (SELECT md5(string_agg(k::text, E'\n' ORDER BY k.key)) FROM mpn_ledger_fill3.product_keys k) AS same_keys,
       (SELECT count(*) FROM mpn_ledger_fill3.product_keys) AS keys;

-- a ledger whose name needs quoting fills as well
SET client_min_messages = warning;
SELECT mpn.fill_ledger('Mpn Ledger Quoted', 5, 1, '2025-06-15');
RESET client_min_messages;
SELECT (SELECT count(*) FROM "Mpn Ledger Quoted".partners) AS partners,
       (SELECT count(*) FROM "Mpn Ledger Quoted".product_keys) AS keys;
SELECT table_name, sqlstate, count(*) FROM "Mpn Ledger Quoted".load_refusals GROUP BY 1, 2 ORDER BY 1, 2;

--
-- DROP EXTENSION while ledgers use it: refused, and the extension stays.
-- Here only the error (other suites' tables may use the extension too).
--
-- (each in a transaction rolled back, should a drop ever pass)
\set VERBOSITY terse
BEGIN;
DROP EXTENSION mpn_benefits;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP EXTENSION mpn_benefits CASCADE;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP SCHEMA mpn CASCADE;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP EXTENSION IF EXISTS plpgsql, mpn_benefits CASCADE;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP SCHEMA mpn_ledger_a, mpn CASCADE;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
\set VERBOSITY default
SELECT extname, extnamespace::regnamespace FROM pg_extension WHERE extname = 'mpn_benefits';
SELECT count(*) AS keys_still_there FROM mpn_ledger_fill1.product_keys;

-- In full, in a database of its own that holds one ledger only
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_mpn_ledger_drop;
RESET client_min_messages;
CREATE DATABASE regress_mpn_ledger_drop TEMPLATE template0 LOCALE 'C';
\c regress_mpn_ledger_drop
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION mpn_benefits;
SELECT mpn.create_ledger('ledger');
DROP EXTENSION mpn_benefits;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION mpn_benefits CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA mpn CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA mpn;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS ledger_relations FROM pg_class
 WHERE relnamespace = 'ledger'::regnamespace AND relkind IN ('r', 'v');
-- dropping the ledger's schema is what the hint says; the guard lets other drops pass
DROP SCHEMA ledger CASCADE;
DROP EXTENSION mpn_benefits CASCADE;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'mpn_benefits';
\c :regress_db
DROP DATABASE regress_mpn_ledger_drop;

--
-- Clean up
--
SET client_min_messages = warning;
-- the BI views need a ledger to read
SELECT mpn.create_bi_views('mpn_ledger_nothing');
\echo :LAST_ERROR_SQLSTATE
-- and are made again, with the descriptions, on a ledger that has them
SELECT mpn.create_bi_views('mpn_ledger_a');
SELECT count(*) AS bi_views FROM pg_class
 WHERE relnamespace = 'mpn_ledger_a'::regnamespace AND relname LIKE 'bi\_%' AND relkind = 'v';

-- mpn.distribute_ledger needs Citus (test/citus/run.sh tests it on a
-- real cluster): without it, a clear refusal
SELECT mpn.distribute_ledger('mpn_ledger_a');
\echo :LAST_ERROR_SQLSTATE

DROP SCHEMA mpn_ledger_a, mpn_ledger_b, "Mpn Ledger Quoted",
	mpn_ledger_fill1, mpn_ledger_fill2, mpn_ledger_fill3 CASCADE;
RESET client_min_messages;
SELECT extname FROM pg_extension WHERE extname = 'mpn_benefits';
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname ILIKE 'mpn ledger%' OR nspname LIKE 'mpn\_ledger%';
