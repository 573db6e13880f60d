--
-- ledger_dump: pg_dump -> pg_restore of a filled ledger gives back the same
-- rows and the same behaviour.
--
-- The ledger mpn_ledger_dump is filled, dumped with pg_dump -Fc, renamed
-- to mpn_ledger_dump_orig, and restored with pg_restore under its own name
-- into this same database; then the two are compared row for row, table
-- for table (generated columns included), view for view, and in their
-- catalog entries; and the restored triggers must still refuse.
--
-- pg_dump and pg_restore run through psql's \! in sessions of their own:
-- they reach this server and database through the environment set here
-- from this session's connection.  A shell command prints only stable
-- text, and only when it succeeds, so a failure shows as a difference.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET mpn.as_of_date = '2025-06-15';

-- the tools are those of the server's major version (whichever it is)
\set pg_dump_version `pg_dump --version`
\set pg_restore_version `pg_restore --version`
SELECT substring(:'pg_dump_version' from ' ([0-9]+)')::int
       = current_setting('server_version_num')::int / 10000 AS pg_dump_is_the_servers,
       substring(:'pg_restore_version' from ' ([0-9]+)')::int
       = current_setting('server_version_num')::int / 10000 AS pg_restore_is_the_servers;

--
-- A filled ledger
--
SELECT mpn.create_ledger('mpn_ledger_dump');
SET client_min_messages = warning;
SELECT mpn.fill_ledger('mpn_ledger_dump', 30, 5, '2025-06-15');
RESET client_min_messages;

-- Rows the triggers would refuse if they fired while pg_restore loads the
-- data: an offer clash let in with the trigger disabled, and a Visual
-- Studio assignment stamped on a day still to come for the restoring
-- session (it has no mpn.as_of_date: today is the calendar's).
ALTER TABLE mpn_ledger_dump.offer_assignments DISABLE TRIGGER mpn_exclusive_offer;
INSERT INTO mpn_ledger_dump.offer_assignments (user_id, offer, partner_id)
SELECT user_id, 'azure_bulk_credit', partner_id FROM mpn_ledger_dump.offer_assignments
 WHERE offer = 'technical_support' ORDER BY partner_id, user_id COLLATE "C" LIMIT 1
RETURNING user_id AS clash_user \gset
SET mpn.check_existing_rows = off;	-- the clash is adopted as it is
ALTER TABLE mpn_ledger_dump.offer_assignments ENABLE TRIGGER mpn_exclusive_offer;
RESET mpn.check_existing_rows;
SET mpn.as_of_date = '2100-01-01';
INSERT INTO mpn_ledger_dump.vs_assignments (vs_subscription_id, partner_id, subscriber)
VALUES (9999, 1, 'future@partner1.example')
RETURNING vs_subscription_id, subscriber, assigned_on, reassignable_on;
SET mpn.as_of_date = '2025-06-15';
SELECT user_id, array_agg(offer ORDER BY offer COLLATE "C") AS offers
  FROM mpn_ledger_dump.offer_assignments WHERE user_id = :'clash_user' GROUP BY 1;

-- what there is to dump
SELECT 'partners' AS "table", count(*) FROM mpn_ledger_dump.partners
UNION ALL SELECT 'partner_tenants', count(*) FROM mpn_ledger_dump.partner_tenants
UNION ALL SELECT 'enrollments', count(*) FROM mpn_ledger_dump.enrollments
UNION ALL SELECT 'benefits', count(*) FROM mpn_ledger_dump.benefits
UNION ALL SELECT 'subscriptions', count(*) FROM mpn_ledger_dump.subscriptions
UNION ALL SELECT 'product_keys', count(*) FROM mpn_ledger_dump.product_keys
UNION ALL SELECT 'vs_assignments', count(*) FROM mpn_ledger_dump.vs_assignments
UNION ALL SELECT 'offer_assignments', count(*) FROM mpn_ledger_dump.offer_assignments
UNION ALL SELECT 'license_activations', count(*) FROM mpn_ledger_dump.license_activations
UNION ALL SELECT 'load_refusals', count(*) FROM mpn_ledger_dump.load_refusals;

--
-- pg_dump, rename, pg_restore
--
SELECT '/tmp/mpn_ledger_dump_' || pg_backend_pid() || '.dump' AS dump_file \gset
\setenv MPN_LEDGER_DUMP :dump_file
\setenv PGDATABASE :DBNAME
\setenv PGHOST :HOST
\setenv PGPORT :PORT
\setenv PGUSER :USER
\! rm -f "$MPN_LEDGER_DUMP"
\! pg_dump --format=custom --schema=mpn_ledger_dump --file="$MPN_LEDGER_DUMP" && echo dumped

-- the order pg_restore takes: every table's data first, then the foreign
-- keys and the triggers (created on loaded tables, they do not fire)
\! pg_restore --list "$MPN_LEDGER_DUMP" | awk '$4 == "TABLE" && $5 == "DATA" { print "data", $7 } $4 == "FK" { print "foreign key", $7, $8 } $4 == "TRIGGER" { print "trigger", $6, $7 }'

ALTER SCHEMA mpn_ledger_dump RENAME TO mpn_ledger_dump_orig;
\! pg_restore --exit-on-error --single-transaction --dbname="$PGDATABASE" "$MPN_LEDGER_DUMP" && echo restored
\! rm -f "$MPN_LEDGER_DUMP" && test ! -e "$MPN_LEDGER_DUMP" && echo dump file removed

--
-- The same rows: every table both ways (EXCEPT ALL), generated columns included
--
SELECT t AS "table", n AS "rows", only_restored, only_original FROM (
SELECT 1, 'partners',
       (SELECT count(*) FROM mpn_ledger_dump.partners),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.partners EXCEPT ALL TABLE mpn_ledger_dump_orig.partners) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.partners EXCEPT ALL TABLE mpn_ledger_dump.partners) x)
UNION ALL SELECT 2, 'partner_tenants',
       (SELECT count(*) FROM mpn_ledger_dump.partner_tenants),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.partner_tenants EXCEPT ALL TABLE mpn_ledger_dump_orig.partner_tenants) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.partner_tenants EXCEPT ALL TABLE mpn_ledger_dump.partner_tenants) x)
UNION ALL SELECT 3, 'enrollments',
       (SELECT count(*) FROM mpn_ledger_dump.enrollments),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.enrollments EXCEPT ALL TABLE mpn_ledger_dump_orig.enrollments) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.enrollments EXCEPT ALL TABLE mpn_ledger_dump.enrollments) x)
UNION ALL SELECT 4, 'benefits',
       (SELECT count(*) FROM mpn_ledger_dump.benefits),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.benefits EXCEPT ALL TABLE mpn_ledger_dump_orig.benefits) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.benefits EXCEPT ALL TABLE mpn_ledger_dump.benefits) x)
UNION ALL SELECT 5, 'subscriptions',
       (SELECT count(*) FROM mpn_ledger_dump.subscriptions),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.subscriptions EXCEPT ALL TABLE mpn_ledger_dump_orig.subscriptions) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.subscriptions EXCEPT ALL TABLE mpn_ledger_dump.subscriptions) x)
UNION ALL SELECT 6, 'product_keys',
       (SELECT count(*) FROM mpn_ledger_dump.product_keys),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.product_keys EXCEPT ALL TABLE mpn_ledger_dump_orig.product_keys) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.product_keys EXCEPT ALL TABLE mpn_ledger_dump.product_keys) x)
UNION ALL SELECT 7, 'vs_assignments',
       (SELECT count(*) FROM mpn_ledger_dump.vs_assignments),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.vs_assignments EXCEPT ALL TABLE mpn_ledger_dump_orig.vs_assignments) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.vs_assignments EXCEPT ALL TABLE mpn_ledger_dump.vs_assignments) x)
UNION ALL SELECT 8, 'offer_assignments',
       (SELECT count(*) FROM mpn_ledger_dump.offer_assignments),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.offer_assignments EXCEPT ALL TABLE mpn_ledger_dump_orig.offer_assignments) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.offer_assignments EXCEPT ALL TABLE mpn_ledger_dump.offer_assignments) x)
UNION ALL SELECT 9, 'license_activations',
       (SELECT count(*) FROM mpn_ledger_dump.license_activations),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.license_activations EXCEPT ALL TABLE mpn_ledger_dump_orig.license_activations) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.license_activations EXCEPT ALL TABLE mpn_ledger_dump.license_activations) x)
UNION ALL SELECT 10, 'load_refusals',
       (SELECT count(*) FROM mpn_ledger_dump.load_refusals),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.load_refusals EXCEPT ALL TABLE mpn_ledger_dump_orig.load_refusals) x),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.load_refusals EXCEPT ALL TABLE mpn_ledger_dump.load_refusals) x)
) AS c(i, t, n, only_restored, only_original) ORDER BY i;

-- and the same byte for byte, through the types' binary output
SELECT (SELECT md5(string_agg(mpn.product_key_send(key)::text || '|' || coalesce(redeemed_on::text, '-')
                              || '|' || coalesce(valid_until::text, '-'), ',' ORDER BY key))
          FROM mpn_ledger_dump.product_keys)
     = (SELECT md5(string_agg(mpn.product_key_send(key)::text || '|' || coalesce(redeemed_on::text, '-')
                              || '|' || coalesce(valid_until::text, '-'), ',' ORDER BY key))
          FROM mpn_ledger_dump_orig.product_keys) AS same_keys,
       (SELECT md5(string_agg(mpn.license_term_send(term)::text, ',' ORDER BY subscription_id))
          FROM mpn_ledger_dump.subscriptions)
     = (SELECT md5(string_agg(mpn.license_term_send(term)::text, ',' ORDER BY subscription_id))
          FROM mpn_ledger_dump_orig.subscriptions) AS same_terms;

-- the rows the triggers would have refused came back as they were
SELECT vs_subscription_id, subscriber, assigned_on, reassignable_on
  FROM mpn_ledger_dump.vs_assignments WHERE vs_subscription_id = 9999;
SELECT user_id, array_agg(offer ORDER BY offer COLLATE "C") AS offers
  FROM mpn_ledger_dump.offer_assignments WHERE user_id = :'clash_user' GROUP BY 1;

-- the views read the same
SELECT t AS "view", n AS "rows", differ FROM (
SELECT 1, 'benefit_status', (SELECT count(*) FROM mpn_ledger_dump.benefit_status),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.benefit_status EXCEPT ALL TABLE mpn_ledger_dump_orig.benefit_status) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.benefit_status EXCEPT ALL TABLE mpn_ledger_dump.benefit_status) x)
UNION ALL SELECT 2, 'key_status', (SELECT count(*) FROM mpn_ledger_dump.key_status),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.key_status EXCEPT ALL TABLE mpn_ledger_dump_orig.key_status) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.key_status EXCEPT ALL TABLE mpn_ledger_dump.key_status) x)
UNION ALL SELECT 3, 'subscription_status', (SELECT count(*) FROM mpn_ledger_dump.subscription_status),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.subscription_status EXCEPT ALL TABLE mpn_ledger_dump_orig.subscription_status) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.subscription_status EXCEPT ALL TABLE mpn_ledger_dump.subscription_status) x)
UNION ALL SELECT 4, 'reassignment_status', (SELECT count(*) FROM mpn_ledger_dump.reassignment_status),
       (SELECT count(*) FROM (TABLE mpn_ledger_dump.reassignment_status EXCEPT ALL TABLE mpn_ledger_dump_orig.reassignment_status) x) +
       (SELECT count(*) FROM (TABLE mpn_ledger_dump_orig.reassignment_status EXCEPT ALL TABLE mpn_ledger_dump.reassignment_status) x)
) AS c(i, t, n, differ) ORDER BY i;
SELECT status, count(*) FROM mpn_ledger_dump.benefit_status GROUP BY 1 ORDER BY 1;
SELECT status, count(*) FROM mpn_ledger_dump.key_status GROUP BY 1 ORDER BY 1;

--
-- The same definitions: columns, defaults and generated expressions,
-- constraints, indexes, triggers (enabled), comments, identity sequences
-- (the schema's name written as S).  NOT NULL is compared with the columns:
-- from PostgreSQL 18 on it is also a row of pg_constraint, which is left
-- out so that the counts mean the same on every major.
--
CREATE FUNCTION pg_temp.ledger_catalog(s name)
RETURNS TABLE (kind text, relname name, item text, definition text)
LANGUAGE sql AS $$
	SELECT 'column', c.relname, a.attname,
		   format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
		   || ' ' || a.attidentity::text || a.attgenerated::text || ' '
		   || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
	  FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	 WHERE c.relnamespace = s::regnamespace
	UNION ALL
	SELECT 'constraint', c.relname, k.conname,
		   replace(pg_get_constraintdef(k.oid), quote_ident(s) || '.', 'S.')
	  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
	 WHERE k.connamespace = s::regnamespace AND k.contype <> 'n'
	UNION ALL
	SELECT 'index', c.relname, (SELECT x.relname FROM pg_class x WHERE x.oid = i.indexrelid),
		   replace(pg_get_indexdef(i.indexrelid), quote_ident(s) || '.', 'S.')
	  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
	 WHERE c.relnamespace = s::regnamespace
	UNION ALL
	SELECT 'trigger', c.relname, t.tgname,
		   t.tgenabled::text || ' ' || replace(pg_get_triggerdef(t.oid), quote_ident(s) || '.', 'S.')
	  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	 WHERE c.relnamespace = s::regnamespace AND NOT t.tgisinternal
	UNION ALL
	SELECT 'view', c.relname, '', replace(pg_get_viewdef(c.oid), quote_ident(s) || '.', 'S.')
	  FROM pg_class c WHERE c.relnamespace = s::regnamespace AND c.relkind = 'v'
	UNION ALL
	SELECT 'comment', c.relname, coalesce(a.attname, ''), ds.description
	  FROM pg_description ds JOIN pg_class c ON c.oid = ds.objoid AND ds.classoid = 'pg_class'::regclass
	  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ds.objsubid AND ds.objsubid > 0
	 WHERE c.relnamespace = s::regnamespace
	UNION ALL
	SELECT 'sequence', c.relname, '',
		   coalesce(pg_sequence_last_value(c.oid)::text, 'unused') || ' ' || seqincrement || ' ' || seqstart
	  FROM pg_class c JOIN pg_sequence q ON q.seqrelid = c.oid
	 WHERE c.relnamespace = s::regnamespace
$$;
SELECT r.kind, count(*) AS entries,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pg_temp.ledger_catalog('mpn_ledger_dump_orig') o
                                           WHERE (o.kind, o.relname, o.item, o.definition)
                                                 = (r.kind, r.relname, r.item, r.definition))) AS only_restored
  FROM pg_temp.ledger_catalog('mpn_ledger_dump') r GROUP BY r.kind ORDER BY r.kind COLLATE "C";
SELECT count(*) AS only_original
  FROM (SELECT * FROM pg_temp.ledger_catalog('mpn_ledger_dump_orig')
        EXCEPT ALL SELECT * FROM pg_temp.ledger_catalog('mpn_ledger_dump')) x;
SELECT count(*) FILTER (WHERE definition IS NULL) AS null_definitions
  FROM pg_temp.ledger_catalog('mpn_ledger_dump');
-- the restored ledger is not a member of the extension either
SELECT count(*) AS members_of_extension
  FROM pg_depend d JOIN pg_class c ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
 WHERE c.relnamespace = 'mpn_ledger_dump'::regnamespace AND d.deptype = 'e';

--
-- The same behaviour: the restored triggers still refuse
--
SET search_path = mpn_ledger_dump;
SELECT key AS redeemed_key, redeemed_on FROM product_keys
 WHERE redeemed_on IS NOT NULL ORDER BY key LIMIT 1 \gset
-- a second redemption
INSERT INTO product_keys (key, partner_id, redeemed_on) VALUES (:'redeemed_key', 2, '2025-06-15');
\echo :LAST_ERROR_SQLSTATE
UPDATE product_keys SET redeemed_on = redeemed_on + 1 WHERE key::text = :'redeemed_key';
\echo :LAST_ERROR_SQLSTATE
-- an early reassignment
SELECT vs_subscription_id AS recent_vs FROM vs_assignments
 WHERE subscriber IS NOT NULL AND assigned_on > '2025-06-15'::date - 90 ORDER BY 1 LIMIT 1 \gset
UPDATE vs_assignments SET subscriber = 'someone.else@customer.example' WHERE vs_subscription_id = :recent_vs;
\echo :LAST_ERROR_SQLSTATE
-- an offer clash (the clash let in before the dump is still there, and a new one is refused)
INSERT INTO offer_assignments (user_id, offer, partner_id)
SELECT user_id, 'azure_bulk_credit', partner_id FROM offer_assignments
 WHERE offer = 'technical_support' AND user_id <> :'clash_user'
 ORDER BY user_id COLLATE "C" LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
-- a demonstration license on a customer's tenant
INSERT INTO license_activations (partner_id, product, is_demo, tenant_id, partner_tenant)
SELECT partner_id, 'Microsoft 365 E5 (demo)', true, '00000000-0000-0000-0000-0000000cafe1', tenant_id
  FROM partner_tenants ORDER BY partner_id, tenant_id LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
-- the future-dated assignment: the restored trigger reads it as it is
UPDATE vs_assignments SET subscriber = 'someone.else@customer.example' WHERE vs_subscription_id = 9999;
\echo :LAST_ERROR_SQLSTATE

-- the restored triggers have their rechecks again (pg_dump leaves the
-- internal triggers out; attaching the triggers made them anew), so a
-- later-named trigger cannot undo a check on the restored ledger either
SELECT n.nspname AS ledger, c.relname AS ledger_table, t.tgname AS trigger,
       (SELECT count(*) FROM pg_trigger r
         WHERE r.tgrelid = t.tgrelid AND r.tgisinternal AND r.tgname LIKE 'mpn\_recheck\_%'
           AND r.tgfoid = t.tgfoid) AS rechecks
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('mpn_ledger_dump', 'mpn_ledger_dump_orig') AND NOT t.tgisinternal
 ORDER BY 1, 2, 3;
CREATE FUNCTION pg_temp.backdate_redemption() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.redeemed_on := '2020-01-01';
	RETURN NEW;
END
$$;
CREATE TRIGGER zzz_backdate BEFORE UPDATE ON product_keys
	FOR EACH ROW EXECUTE FUNCTION pg_temp.backdate_redemption();
UPDATE product_keys SET licenses = licenses WHERE key::text = :'redeemed_key';
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER zzz_backdate ON product_keys;

-- and lets through what the rules allow, in both ledgers alike; the
-- identity sequences go on where the original's are
SELECT (SELECT max(benefit_id) FROM mpn_ledger_dump_orig.benefits) AS max_benefit_id,
       (SELECT max(subscription_id) FROM mpn_ledger_dump_orig.subscriptions) AS max_subscription_id,
       (SELECT max(activation_id) FROM mpn_ledger_dump_orig.license_activations) AS max_activation_id;
INSERT INTO benefits (enrollment_id, kind, requires_user_assignment, benefit_expiry)
SELECT enrollment_id, 'azure_credit', false, benefit_expiry FROM enrollments ORDER BY enrollment_id LIMIT 1
RETURNING benefit_id, enrollment_id, kind, activation_deadline;
INSERT INTO mpn_ledger_dump_orig.benefits (enrollment_id, kind, requires_user_assignment, benefit_expiry)
SELECT enrollment_id, 'azure_credit', false, benefit_expiry FROM mpn_ledger_dump_orig.enrollments ORDER BY enrollment_id LIMIT 1
RETURNING benefit_id, enrollment_id, kind, activation_deadline;
INSERT INTO subscriptions (partner_id, product, term)
VALUES (1, 'Power BI Pro', mpn.license_term(5, '2025-06-15', '2026-06-15'))
RETURNING subscription_id, term, licenses, ends;
INSERT INTO mpn_ledger_dump_orig.subscriptions (partner_id, product, term)
VALUES (1, 'Power BI Pro', mpn.license_term(5, '2025-06-15', '2026-06-15'))
RETURNING subscription_id, term, licenses, ends;
INSERT INTO license_activations (partner_id, product, is_demo, tenant_id, partner_tenant, activated_on)
SELECT partner_id, 'Microsoft 365 E5 (demo)', true, tenant_id, tenant_id, mpn.today()
  FROM partner_tenants ORDER BY partner_id, tenant_id LIMIT 1
RETURNING activation_id, partner_id, is_demo, activated_on;
INSERT INTO product_keys (key, partner_id, licenses, redeemed_on)
VALUES ('BCDFG-HJKMP-QRTVW-XY234-6789B', 1, 5, mpn.today())
RETURNING key, redeemed_on, valid_until;
UPDATE vs_assignments SET subscriber = NULL WHERE vs_subscription_id = :recent_vs
RETURNING vs_subscription_id, subscriber, assigned_on = reassignable_on - 90 AS date_kept;
RESET search_path;

--
-- Clean up
--
SET client_min_messages = warning;
DROP SCHEMA mpn_ledger_dump, mpn_ledger_dump_orig CASCADE;
RESET client_min_messages;
SELECT extname FROM pg_extension WHERE extname = 'mpn_benefits';
