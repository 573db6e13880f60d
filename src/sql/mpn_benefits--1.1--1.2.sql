/* mpn_benefits--1.1--1.2.sql: from 1.1 to 1.2, the security release (built
   by the Makefile from src/sql/1.1--1.2/ and the sources it shares with
   the install script: schema_guard.sql, event_triggers.sql) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION mpn_benefits UPDATE TO '1.2'" to load this file. \quit

-- The schema is the extension's (SECURITY.md).  A role that could create
-- schemas might have made "@extschema@" before the install, to own the
-- schema every user's functions are looked up in.  A schema made before
-- this transaction must belong to a superuser: its owner could otherwise
-- add an overload from another session while this transaction runs (a
-- change of owner is not seen there before it commits), and a check of the
-- schema's contents could not see that.  One made in this transaction (by
-- CREATE EXTENSION itself) is seen by no one else yet; "made" means its
-- catalog row was inserted and not updated since (a GRANT on an old schema
-- gives its row this transaction's xmin too), which only C can tell:
-- schema_made_now() is made for the question and dropped again.  Either way it must
-- hold nothing but the extension's objects (members of other extensions,
-- which PostgreSQL lets a role with CREATE on the database put there, are
-- named in a WARNING), and no other role may create in it.  Then the
-- schema is given to the bootstrap superuser, who owns the extension's
-- objects in a trusted install.  (Run by the install script and by every
-- update script; every operator and function is schema-qualified, because
-- the schema is on this script's search_path.)
CREATE FUNCTION @extschema@.schema_made_now(pg_catalog.oid) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_schema_made_now' LANGUAGE C STRICT VOLATILE;
DO $schema_guard$
DECLARE
	ns pg_catalog.oid;
	ext pg_catalog.oid;
	owner pg_catalog.oid;
	installer pg_catalog.oid;
	made_now pg_catalog.bool;
	foreign_objects pg_catalog.text;
	other_extensions pg_catalog.text;
	creators pg_catalog.text;
BEGIN
	SELECT n.oid, n.nspowner INTO ns, owner
	  FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.=) '@extschema@';
	made_now := @extschema@.schema_made_now(ns);
	SELECT e.oid, e.extowner INTO ext, installer FROM pg_catalog.pg_extension e
	 WHERE e.extname OPERATOR(pg_catalog.=) 'mpn_benefits';
	IF NOT made_now AND
	   NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) owner) THEN
		RAISE EXCEPTION 'schema "@extschema@" is owned by role %, not by a superuser',
			pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(owner))
		USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'The owner of the extension''s schema could add functions to it that other roles, superusers among them, would call.',
			HINT = 'Have a superuser drop what is not the extension''s from the schema, ALTER SCHEMA "@extschema@" OWNER TO a superuser, and commit; then try again.';
	END IF;

	WITH members AS (
		SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
		 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid
		   AND d.refobjid OPERATOR(pg_catalog.=) ext AND d.deptype OPERATOR(pg_catalog.=) 'e'),
	parts AS (
		SELECT m.classid, m.objid FROM members m
		UNION
		SELECT d.classid, d.objid FROM pg_catalog.pg_depend d JOIN members m
		    ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		 WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{i,a}'::pg_catalog."char"[])),
	objects(classid, objid) AS (
		SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, c.oid FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t.oid FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_opclass o WHERE o.opcnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_opfamily o WHERE o.opfnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_collation o WHERE o.collnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_conversion o WHERE o.connamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_ts_config o WHERE o.cfgnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_ts_dict o WHERE o.dictnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_ts_parser o WHERE o.prsnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_ts_template o WHERE o.tmplnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_statistic_ext o WHERE o.stxnamespace OPERATOR(pg_catalog.=) ns)
	SELECT pg_catalog.string_agg(o.what, ', ' ORDER BY o.what) FILTER (WHERE o.extension IS NULL),
		   pg_catalog.string_agg(DISTINCT o.extension, ', ') FILTER (WHERE o.extension IS NOT NULL)
	  INTO foreign_objects, other_extensions
	  FROM (SELECT pg_catalog.pg_describe_object(x.classid, x.objid, 0) AS what, x.classid, x.objid,
				   (SELECT pg_catalog.quote_ident(e.extname::pg_catalog.text)
					  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e
						ON e.oid OPERATOR(pg_catalog.=) d.refobjid
					 WHERE ((d.classid OPERATOR(pg_catalog.=) x.classid AND d.objid OPERATOR(pg_catalog.=) x.objid)
							OR EXISTS (SELECT FROM pg_catalog.pg_depend i
										WHERE i.classid OPERATOR(pg_catalog.=) x.classid
										  AND i.objid OPERATOR(pg_catalog.=) x.objid
										  AND i.deptype OPERATOR(pg_catalog.=) ANY ('{i,a}'::pg_catalog."char"[])
										  AND i.refclassid OPERATOR(pg_catalog.=) d.classid
										  AND i.refobjid OPERATOR(pg_catalog.=) d.objid))
					   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid
					   AND d.deptype OPERATOR(pg_catalog.=) 'e' LIMIT 1) AS extension
			  FROM objects x
			) o
	 WHERE NOT EXISTS (SELECT FROM parts p WHERE p.classid OPERATOR(pg_catalog.=) o.classid
												AND p.objid OPERATOR(pg_catalog.=) o.objid);
	IF other_extensions IS NOT NULL THEN
		RAISE WARNING 'schema "@extschema@" holds objects of other extensions: %', other_extensions
		USING HINT = 'ALTER EXTENSION ... SET SCHEMA to move them to a schema of their own.';
	END IF;
	IF foreign_objects IS NOT NULL THEN
		RAISE EXCEPTION 'schema "@extschema@" holds objects that are not part of mpn_benefits'
		USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = pg_catalog.format('It holds: %s.', foreign_objects),
			HINT = 'The extension''s schema is the extension''s alone: move or drop those objects, then try again.';
	END IF;

	SELECT pg_catalog.string_agg(g.who, ', ' ORDER BY g.who) INTO creators
	  FROM (SELECT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END AS who
			  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
	 WHERE n.oid OPERATOR(pg_catalog.=) ns AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
	   AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner) g;
	IF creators IS NOT NULL THEN
		RAISE EXCEPTION 'other roles may create objects in schema "@extschema@"'
		USING ERRCODE = 'insufficient_privilege',
			DETAIL = pg_catalog.format('CREATE on the schema is granted to: %s.', creators),
			HINT = 'REVOKE CREATE ON SCHEMA "@extschema@" from them, then try again.';
	END IF;

	EXECUTE pg_catalog.format('ALTER SCHEMA %I OWNER TO %I', '@extschema@',
							  pg_catalog.pg_get_userbyid(10));
END
$schema_guard$;
DROP FUNCTION @extschema@.schema_made_now(pg_catalog.oid);

-- mpn.check_triggers() runs each check as the table's owner from 1.2 on
COMMENT ON FUNCTION @extschema@.check_triggers(pg_catalog.bool) IS
'checks every mpn trigger of the tables the current user owns (all, for a superuser) as its first row would, each as the table''s owner, and gives the BEFORE ones their rechecks; returns how many it checked (strict = false: a WARNING instead of an ERROR for a trigger that cannot work)';

-- 1.1's event triggers looked at every guarded table of the database on
-- commands of any role's; 1.2's (event_triggers.sql, next) look only at
-- what a command touches.  The event triggers and their functions are made
-- anew; mpn_check_index_drops is folded into mpn_guard_drop.
DROP EVENT TRIGGER mpn_check_attachments;
DROP EVENT TRIGGER mpn_check_index_drops;
DROP EVENT TRIGGER mpn_guard_drop;
DROP FUNCTION @extschema@.check_attachments();
DROP FUNCTION @extschema@.check_index_drop();
DROP FUNCTION @extschema@.guard_drop();
-- src/sql/event_triggers.sql: the event triggers that check DDL against the
-- integrity triggers (one of the sources the Makefile joins into
-- mpn_benefits--X.Y.sql; the update from 1.1 drops 1.1's and runs this).
--
-- Each looks only at what its command names or touches, never at the other
-- tables of the database, and runs no code of another role's under the
-- caller's identity (SECURITY.md).

--
-- Attachments checked when they are made: each mpn trigger of a table that
-- CREATE TRIGGER, CREATE TABLE (a partition's cloned triggers), ALTER TABLE
-- (and its children) or ALTER TYPE (its typed tables) touched runs its own
-- checks, as the table's owner, and the BEFORE
-- ones get the recheck that keeps a later trigger from undoing them.
--
CREATE FUNCTION @extschema@.check_attachments() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_check_attachments' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_attachments() IS
'event trigger: refuses a command that attaches an mpn trigger wrongly, or changes a table so that its mpn triggers cannot work';
CREATE EVENT TRIGGER mpn_check_attachments ON ddl_command_end
	WHEN TAG IN ('CREATE TRIGGER', 'CREATE TABLE', 'ALTER TABLE', 'ALTER TYPE')
	EXECUTE FUNCTION @extschema@.check_attachments();
COMMENT ON EVENT TRIGGER mpn_check_attachments IS
'checks every attachment of an mpn trigger when it is made, as its first row would';

--
-- A rule is its table owner's to change: CREATE OR REPLACE TRIGGER of an
-- mpn trigger, or of another trigger into an mpn one, is refused to other
-- roles (PostgreSQL lets any role with the TRIGGER privilege do it).
--
CREATE FUNCTION @extschema@.check_trigger_change() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_check_trigger_change' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_trigger_change() IS
'event trigger: refuses CREATE OR REPLACE TRIGGER of an mpn trigger (or into one) to all but the table''s owner, and a rule''s replacement by a temporary function';
CREATE EVENT TRIGGER mpn_check_trigger_changes ON ddl_command_start
	WHEN TAG IN ('CREATE TRIGGER')
	EXECUTE FUNCTION @extschema@.check_trigger_change();
COMMENT ON EVENT TRIGGER mpn_check_trigger_changes IS
'keeps an mpn trigger''s rule for its table''s owner to change';

--
-- The drop guard: every DROP is judged before it starts from what it would
-- take away (drop_guard.c): the extension while partner tables use it (DROP
-- EXTENSION mpn_benefits or plpgsql CASCADE, DROP SCHEMA mpn CASCADE, DROP
-- OWNED BY ... CASCADE), a column an mpn trigger reads, the index it looks
-- rows up through (DROP INDEX [CONCURRENTLY], DROP TYPE/DOMAIN ... CASCADE).
--
CREATE FUNCTION @extschema@.guard_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_guard_drop' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.guard_drop() IS
'event trigger: refuses a DROP that would drop the extension while objects outside it use it, or a column or index an mpn trigger needs';
CREATE EVENT TRIGGER mpn_guard_drop ON ddl_command_start
	WHEN TAG IN ('DROP ACCESS METHOD', 'DROP AGGREGATE', 'DROP CAST', 'DROP COLLATION',
				 'DROP DOMAIN', 'DROP EXTENSION', 'DROP FOREIGN DATA WRAPPER',
				 'DROP FOREIGN TABLE', 'DROP FUNCTION', 'DROP INDEX', 'DROP LANGUAGE',
				 'DROP MATERIALIZED VIEW', 'DROP OPERATOR', 'DROP OPERATOR CLASS',
				 'DROP OPERATOR FAMILY', 'DROP OWNED', 'DROP PROCEDURE', 'DROP ROUTINE',
				 'DROP SCHEMA', 'DROP SEQUENCE', 'DROP SERVER', 'DROP TABLE',
				 'DROP TEXT SEARCH CONFIGURATION', 'DROP TEXT SEARCH DICTIONARY',
				 'DROP TEXT SEARCH PARSER', 'DROP TEXT SEARCH TEMPLATE', 'DROP TRANSFORM',
				 'DROP TYPE', 'DROP VIEW')
	EXECUTE FUNCTION @extschema@.guard_drop();
COMMENT ON EVENT TRIGGER mpn_guard_drop IS
'keeps a DROP from dropping the extension under partner data, or a column or index an mpn trigger needs';

--
-- The extension's schema is no home for another extension (PostgreSQL lets
-- a role with CREATE on the database install a trusted one anywhere).
--
CREATE FUNCTION @extschema@.guard_schema() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_guard_schema' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.guard_schema() IS
'event trigger: refuses another extension that CREATE EXTENSION or ALTER EXTENSION put into schema mpn';
CREATE EVENT TRIGGER mpn_guard_schema ON ddl_command_end
	WHEN TAG IN ('CREATE EXTENSION', 'ALTER EXTENSION')
	EXECUTE FUNCTION @extschema@.guard_schema();
COMMENT ON EVENT TRIGGER mpn_guard_schema IS
'keeps the extension''s schema for the extension''s objects alone';
-- src/sql/ledger.sql: the ledger: create_ledger and fill_ledger, application code in
-- PL/pgSQL that makes tables in a schema the user names
-- (one of the sources the Makefile joins into mpn_benefits--X.Y.sql)

--
-- The ledger: ready tables for partners starting fresh, created on demand
-- into a schema the user names.  They are not members of the extension:
-- DROP EXTENSION never takes a partner's data with it, and pg_dump dumps
-- them like any table of the user's.
--
CREATE OR REPLACE FUNCTION @extschema@.create_ledger(schema_name pg_catalog.name)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	ledger_tables CONSTANT text[] := ARRAY['partners', 'partner_tenants', 'enrollments',
		'benefits', 'subscriptions', 'product_keys', 'vs_assignments',
		'offer_assignments', 'license_activations', 'load_refusals',
		'benefit_status', 'key_status', 'subscription_status', 'reassignment_status',
		'bi_benefit_status', 'bi_key_status', 'bi_subscription_status', 'bi_reassignment_status'];
	clash text;
	schema_owner oid;
BEGIN
	-- the owner of a schema may drop the tables in it: a ledger goes only
	-- into a schema of the caller's own (or a new one)
	SELECT n.nspowner INTO schema_owner FROM pg_catalog.pg_namespace n WHERE n.nspname = schema_name;
	IF FOUND AND NOT pg_catalog.pg_has_role(current_user, schema_owner, 'MEMBER') THEN
		RAISE EXCEPTION 'schema "%" belongs to role %', schema_name,
				pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(schema_owner))
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = 'The owner of a schema may drop the tables in it, and a ledger''s records and rules with them.',
			      HINT = 'Create the ledger into a new schema (create_ledger makes it), or into one of your own.';
	END IF;

	SELECT c.relname INTO clash
	  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = schema_name AND c.relname = ANY (ledger_tables)
	 ORDER BY c.relname LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'schema "%" already has a relation named "%"', schema_name, clash
			USING ERRCODE = 'duplicate_table',
			      DETAIL = format('A ledger creates the relations %s.', array_to_string(ledger_tables, ', ')),
			      HINT = 'Create the ledger into a new schema, or drop the clashing relation first.';
	END IF;

	EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);
	EXECUTE format($ddl$
CREATE TABLE %1$I.partners (
	partner_id   bigint PRIMARY KEY,
	name         text NOT NULL CHECK (name <> '')
);
COMMENT ON TABLE %1$I.partners IS 'companies in the partner program';

CREATE TABLE %1$I.partner_tenants (
	partner_id   bigint NOT NULL REFERENCES %1$I.partners ON DELETE CASCADE,
	tenant_id    uuid NOT NULL,
	PRIMARY KEY (partner_id, tenant_id)
);
COMMENT ON TABLE %1$I.partner_tenants IS 'each partner''s own tenants: the only tenants a demonstration license may be activated on';

CREATE TABLE %1$I.enrollments (
	enrollment_id  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	partner_id     bigint NOT NULL REFERENCES %1$I.partners,
	enrolled_on    date NOT NULL,
	benefit_expiry date NOT NULL GENERATED ALWAYS AS (@extschema@.benefit_expiry(enrolled_on)) STORED,
	UNIQUE (enrollment_id, benefit_expiry)
);
COMMENT ON TABLE %1$I.enrollments IS 'membership years: benefits become available for one year from enrolled_on';
COMMENT ON COLUMN %1$I.enrollments.benefit_expiry IS 'the benefit expiry date, the last day to activate (rule 1), computed';

CREATE TABLE %1$I.benefits (
	benefit_id     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	enrollment_id  bigint NOT NULL,
	kind           text NOT NULL CHECK (kind IN ('product_key', 'azure_credit', 'visual_studio', 'technical_support')),
	requires_user_assignment boolean NOT NULL,
	benefit_expiry date NOT NULL,
	activation_deadline date NOT NULL GENERATED ALWAYS AS
		(@extschema@.activation_deadline(benefit_expiry, requires_user_assignment)) STORED,
	activated_on   date CHECK (activated_on <= activation_deadline),
	FOREIGN KEY (enrollment_id, benefit_expiry) REFERENCES %1$I.enrollments (enrollment_id, benefit_expiry)
);
-- the BI filters' indexes cover what the BI views read (index-only scans)
CREATE INDEX ON %1$I.benefits (activation_deadline)
	INCLUDE (benefit_id, enrollment_id, kind, requires_user_assignment, benefit_expiry, activated_on)
	WHERE activated_on IS NULL;
COMMENT ON TABLE %1$I.benefits IS 'benefits of an enrollment, to activate by their deadline';
COMMENT ON COLUMN %1$I.benefits.benefit_expiry IS 'the enrollment''s benefit expiry date (kept equal by the foreign key)';
COMMENT ON COLUMN %1$I.benefits.activation_deadline IS 'last day to activate: the expiry date, plus 30 days for benefits that need a user assignment (rule 2), computed';

CREATE TABLE %1$I.subscriptions (
	subscription_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	partner_id     bigint NOT NULL REFERENCES %1$I.partners,
	product        text NOT NULL,
	term           @extschema@.license_term NOT NULL,
	licenses       integer NOT NULL GENERATED ALWAYS AS (@extschema@.licenses(term)) STORED,
	ends           date NOT NULL GENERATED ALWAYS AS (@extschema@.ends(term)) STORED
);
CREATE INDEX ON %1$I.subscriptions (partner_id);
CREATE INDEX ON %1$I.subscriptions (ends) INCLUDE (subscription_id, partner_id, product, term);
COMMENT ON TABLE %1$I.subscriptions IS 'cloud subscriptions: a license pool sharing one period';
COMMENT ON COLUMN %1$I.subscriptions.licenses IS 'the license count of term, computed';
COMMENT ON COLUMN %1$I.subscriptions.ends IS 'first day after the term (exclusive end), computed';

CREATE TABLE %1$I.product_keys (
	key            @extschema@.product_key PRIMARY KEY,
	partner_id     bigint NOT NULL REFERENCES %1$I.partners,
	benefit_id     bigint REFERENCES %1$I.benefits,
	licenses       integer NOT NULL DEFAULT 1 CHECK (licenses >= 1),
	redeemed_on    date,
	valid_until    date GENERATED ALWAYS AS (@extschema@.key_valid_until(redeemed_on)) STORED,
	applied_to     bigint REFERENCES %1$I.subscriptions,
	CHECK (applied_to IS NULL OR redeemed_on IS NOT NULL)
);
CREATE INDEX ON %1$I.product_keys (partner_id);
CREATE INDEX ON %1$I.product_keys (valid_until) INCLUDE (key, partner_id, licenses, redeemed_on, applied_to);
CREATE TRIGGER mpn_redeem_once BEFORE INSERT OR UPDATE OR DELETE ON %1$I.product_keys
	FOR EACH ROW EXECUTE FUNCTION @extschema@.redeem_once('key', 'redeemed_on');
COMMENT ON TABLE %1$I.product_keys IS 'product keys: redeemed once, usable for one year from redemption';
COMMENT ON COLUMN %1$I.product_keys.valid_until IS 'first day the key is no longer usable, one year after redemption (rule 3), computed';
COMMENT ON COLUMN %1$I.product_keys.applied_to IS 'the subscription the key''s licenses went to';

CREATE TABLE %1$I.vs_assignments (
	vs_subscription_id bigint PRIMARY KEY,
	partner_id     bigint NOT NULL REFERENCES %1$I.partners,
	subscriber     text,
	assigned_on    date,
	reassignable_on date GENERATED ALWAYS AS (@extschema@.reassignable_on(assigned_on)) STORED
);
CREATE INDEX ON %1$I.vs_assignments (partner_id);
CREATE INDEX ON %1$I.vs_assignments (reassignable_on) INCLUDE (vs_subscription_id, partner_id, subscriber, assigned_on);
CREATE TRIGGER mpn_reassign_after BEFORE INSERT OR UPDATE OR DELETE ON %1$I.vs_assignments
	FOR EACH ROW EXECUTE FUNCTION @extschema@.reassign_after('subscriber', 'assigned_on');
COMMENT ON TABLE %1$I.vs_assignments IS 'Visual Studio subscriptions and who holds them';
COMMENT ON COLUMN %1$I.vs_assignments.assigned_on IS 'day of the last assignment, stamped by the trigger';
COMMENT ON COLUMN %1$I.vs_assignments.reassignable_on IS 'first day it may pass to another subscriber, 90 days after assigned_on (rule 7), computed';

CREATE TABLE %1$I.offer_assignments (
	user_id        text NOT NULL,
	offer          text NOT NULL,
	partner_id     bigint NOT NULL REFERENCES %1$I.partners,
	PRIMARY KEY (user_id, offer)
);
CREATE TRIGGER mpn_exclusive_offer AFTER INSERT OR UPDATE ON %1$I.offer_assignments
	FOR EACH ROW EXECUTE FUNCTION @extschema@.exclusive_offer('user_id', 'offer');
COMMENT ON TABLE %1$I.offer_assignments IS 'offers given to users; azure_bulk_credit can''t be combined with other offers';

CREATE TABLE %1$I.license_activations (
	activation_id  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	partner_id     bigint NOT NULL REFERENCES %1$I.partners,
	product        text NOT NULL,
	is_demo        boolean NOT NULL,
	tenant_id      uuid,
	partner_tenant uuid,
	activated_on   date,
	FOREIGN KEY (partner_id, partner_tenant) REFERENCES %1$I.partner_tenants
);
CREATE TRIGGER mpn_partner_tenant_only BEFORE INSERT OR UPDATE ON %1$I.license_activations
	FOR EACH ROW EXECUTE FUNCTION @extschema@.partner_tenant_only('tenant_id', 'partner_tenant', 'is_demo');
COMMENT ON TABLE %1$I.license_activations IS 'license activations on tenants; demonstration licenses only on the partner''s own tenant';
COMMENT ON COLUMN %1$I.license_activations.partner_tenant IS 'the partner''s own tenant a demonstration license must be activated on';

CREATE TABLE %1$I.load_refusals (
	refusal_id     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	table_name     text NOT NULL,
	sqlstate       text NOT NULL,
	message        text NOT NULL,
	detail         text
);
COMMENT ON TABLE %1$I.load_refusals IS 'what the integrity triggers refused while mpn.fill_ledger loaded the sample';

CREATE VIEW %1$I.benefit_status AS
SELECT b.benefit_id, e.partner_id, b.kind, b.requires_user_assignment,
	   b.benefit_expiry, b.activation_deadline, b.activated_on,
	   CASE WHEN b.activated_on IS NOT NULL THEN 'activated'
			WHEN @extschema@.today() <= b.benefit_expiry THEN 'available'
			WHEN @extschema@.today() <= b.activation_deadline THEN 'in_grace'
			ELSE 'expired' END AS status,
	   CASE WHEN b.activated_on IS NULL AND @extschema@.today() <= b.activation_deadline
			THEN b.activation_deadline - @extschema@.today() END AS days_left
  FROM %1$I.benefits b JOIN %1$I.enrollments e USING (enrollment_id);
COMMENT ON VIEW %1$I.benefit_status IS 'benefits and whether they can still be activated today (mpn.today())';
COMMENT ON COLUMN %1$I.benefit_status.benefit_id IS 'the benefit';
COMMENT ON COLUMN %1$I.benefit_status.partner_id IS 'the partner enrolled';
COMMENT ON COLUMN %1$I.benefit_status.kind IS 'product_key, azure_credit, visual_studio or technical_support';
COMMENT ON COLUMN %1$I.benefit_status.requires_user_assignment IS 'true for benefits assigned to a user (30 days of grace)';
COMMENT ON COLUMN %1$I.benefit_status.benefit_expiry IS 'benefit expiry date: last day to activate, inclusive';
COMMENT ON COLUMN %1$I.benefit_status.activation_deadline IS 'last day to activate including any grace, inclusive';
COMMENT ON COLUMN %1$I.benefit_status.activated_on IS 'day the benefit was activated, NULL if not yet';
COMMENT ON COLUMN %1$I.benefit_status.status IS 'activated; available (on or before the expiry date); in_grace (after it, within the grace); expired';
COMMENT ON COLUMN %1$I.benefit_status.days_left IS 'days from today to the activation deadline for a benefit still to activate (0 = last day), else NULL';

CREATE VIEW %1$I.key_status AS
SELECT k.key, k.partner_id, k.licenses, k.redeemed_on, k.valid_until, k.applied_to,
	   CASE WHEN k.redeemed_on IS NULL THEN 'unredeemed'
			WHEN @extschema@.key_is_usable(k.redeemed_on, @extschema@.today()) THEN 'usable'
			WHEN @extschema@.today() < k.redeemed_on THEN 'not_yet_usable'
			ELSE 'lapsed' END AS status,
	   CASE WHEN @extschema@.key_is_usable(k.redeemed_on, @extschema@.today())
			THEN k.valid_until - @extschema@.today() END AS days_left
  FROM %1$I.product_keys k;
COMMENT ON VIEW %1$I.key_status IS 'product keys and whether they are usable today (mpn.today())';
COMMENT ON COLUMN %1$I.key_status.key IS 'the product key';
COMMENT ON COLUMN %1$I.key_status.partner_id IS 'the partner holding the key';
COMMENT ON COLUMN %1$I.key_status.licenses IS 'licenses the key carries';
COMMENT ON COLUMN %1$I.key_status.redeemed_on IS 'day the key was redeemed, NULL if not yet';
COMMENT ON COLUMN %1$I.key_status.valid_until IS 'first day the key is no longer usable (exclusive)';
COMMENT ON COLUMN %1$I.key_status.applied_to IS 'subscription the key went to';
COMMENT ON COLUMN %1$I.key_status.status IS 'unredeemed; usable; not_yet_usable (redeemed on a later day); lapsed (valid_until reached)';
COMMENT ON COLUMN %1$I.key_status.days_left IS 'days the key stays usable from today, counting today, else NULL';

CREATE VIEW %1$I.subscription_status AS
SELECT s.subscription_id, s.partner_id, s.product, s.term, s.licenses,
	   @extschema@.starts(s.term) AS starts, s.ends,
	   CASE WHEN @extschema@.today() < @extschema@.starts(s.term) THEN 'not_started'
			WHEN @extschema@.today() < s.ends THEN 'active'
			ELSE 'lapsed' END AS status,
	   @extschema@.remaining_days(s.term, @extschema@.today()) AS remaining_days
  FROM %1$I.subscriptions s;
COMMENT ON VIEW %1$I.subscription_status IS 'subscriptions and their license time left today (mpn.today())';
COMMENT ON COLUMN %1$I.subscription_status.subscription_id IS 'the subscription';
COMMENT ON COLUMN %1$I.subscription_status.partner_id IS 'the partner';
COMMENT ON COLUMN %1$I.subscription_status.product IS 'the cloud product';
COMMENT ON COLUMN %1$I.subscription_status.term IS 'the license pool: count and half-open period';
COMMENT ON COLUMN %1$I.subscription_status.licenses IS 'license count';
COMMENT ON COLUMN %1$I.subscription_status.starts IS 'first day of the term';
COMMENT ON COLUMN %1$I.subscription_status.ends IS 'first day after the term (exclusive)';
COMMENT ON COLUMN %1$I.subscription_status.status IS 'not_started, active or lapsed';
COMMENT ON COLUMN %1$I.subscription_status.remaining_days IS 'days of the term left from today, counting today; 0 once lapsed';

CREATE VIEW %1$I.reassignment_status AS
SELECT v.vs_subscription_id, v.partner_id, v.subscriber, v.assigned_on, v.reassignable_on,
	   v.assigned_on IS NULL OR @extschema@.can_reassign(v.assigned_on, @extschema@.today()) AS reassignable_now,
	   CASE WHEN NOT @extschema@.can_reassign(v.assigned_on, @extschema@.today())
			THEN v.reassignable_on - @extschema@.today() END AS days_until_reassignable
  FROM %1$I.vs_assignments v;
COMMENT ON VIEW %1$I.reassignment_status IS 'Visual Studio subscriptions and whether they may pass to another subscriber today (mpn.today())';
COMMENT ON COLUMN %1$I.reassignment_status.vs_subscription_id IS 'the Visual Studio subscription';
COMMENT ON COLUMN %1$I.reassignment_status.partner_id IS 'the partner';
COMMENT ON COLUMN %1$I.reassignment_status.subscriber IS 'who holds it now, NULL if unassigned';
COMMENT ON COLUMN %1$I.reassignment_status.assigned_on IS 'day of the last assignment';
COMMENT ON COLUMN %1$I.reassignment_status.reassignable_on IS 'first day it may pass to another subscriber';
COMMENT ON COLUMN %1$I.reassignment_status.reassignable_now IS 'whether it may pass to another subscriber today';
COMMENT ON COLUMN %1$I.reassignment_status.days_until_reassignable IS 'days until reassignable_on, NULL when reassignable now';
$ddl$, schema_name);
	PERFORM @extschema@.create_bi_views(schema_name);
END
$function$;
COMMENT ON FUNCTION @extschema@.create_ledger(pg_catalog.name) IS
'create a partner benefits ledger (tables with the integrity triggers, STORED generated columns and status views) into a schema';

--
-- What BI tools read: views of the ledger in types every driver knows (keys
-- as text, terms as their parts), and a description of every table, view
-- and column.  create_ledger calls it; for a ledger made by 1.0 the upgrade
-- does.  Safe to run again.
--
CREATE OR REPLACE FUNCTION @extschema@.create_bi_views(schema_name pg_catalog.name)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
	IF to_regclass(format('%I.product_keys', schema_name)) IS NULL
	   OR to_regclass(format('%I.benefit_status', schema_name)) IS NULL THEN
		RAISE EXCEPTION 'schema "%" holds no ledger', schema_name
			USING ERRCODE = 'undefined_table',
			      DETAIL = 'The BI views read the tables and views that mpn.create_ledger() makes.',
			      HINT = format('Create one with SELECT mpn.create_ledger(%L).', schema_name);
	END IF;
	EXECUTE format($ddl$
-- the tables' columns, in words a BI user reads in the tool's catalog
COMMENT ON COLUMN %1$I.partners.partner_id IS 'the partner company''s number';
COMMENT ON COLUMN %1$I.partners.name IS 'the partner company''s name';
COMMENT ON COLUMN %1$I.partner_tenants.partner_id IS 'the partner the tenant belongs to';
COMMENT ON COLUMN %1$I.partner_tenants.tenant_id IS 'one of the partner''s own tenants (a Microsoft Entra tenant id)';
COMMENT ON COLUMN %1$I.enrollments.enrollment_id IS 'the enrollment (one membership year of a partner)';
COMMENT ON COLUMN %1$I.enrollments.partner_id IS 'the partner enrolled';
COMMENT ON COLUMN %1$I.enrollments.enrolled_on IS 'day the membership year began';
COMMENT ON COLUMN %1$I.benefits.benefit_id IS 'the benefit';
COMMENT ON COLUMN %1$I.benefits.enrollment_id IS 'the enrollment the benefit comes with';
COMMENT ON COLUMN %1$I.benefits.kind IS 'product_key, azure_credit, visual_studio or technical_support';
COMMENT ON COLUMN %1$I.benefits.requires_user_assignment IS 'true for benefits assigned to a user, which get 30 days of grace after the expiry date';
COMMENT ON COLUMN %1$I.benefits.activated_on IS 'day the benefit was activated, empty if not yet';
COMMENT ON COLUMN %1$I.subscriptions.subscription_id IS 'the cloud subscription';
COMMENT ON COLUMN %1$I.subscriptions.partner_id IS 'the partner holding it';
COMMENT ON COLUMN %1$I.subscriptions.product IS 'the cloud product';
COMMENT ON COLUMN %1$I.subscriptions.term IS 'the license pool (mpn.license_term): license count and the half-open period [first day, day after the last)';
COMMENT ON COLUMN %1$I.product_keys.key IS 'the product key (mpn.product_key), 25 characters in five groups of five';
COMMENT ON COLUMN %1$I.product_keys.partner_id IS 'the partner holding the key';
COMMENT ON COLUMN %1$I.product_keys.benefit_id IS 'the benefit the key came with, if known';
COMMENT ON COLUMN %1$I.product_keys.licenses IS 'licenses the key carries';
COMMENT ON COLUMN %1$I.product_keys.redeemed_on IS 'day the key was redeemed, empty if not yet; a key is redeemed once';
COMMENT ON COLUMN %1$I.vs_assignments.vs_subscription_id IS 'the Visual Studio subscription';
COMMENT ON COLUMN %1$I.vs_assignments.partner_id IS 'the partner holding it';
COMMENT ON COLUMN %1$I.vs_assignments.subscriber IS 'who holds it now, empty if unassigned';
COMMENT ON COLUMN %1$I.offer_assignments.user_id IS 'the user given the offer';
COMMENT ON COLUMN %1$I.offer_assignments.offer IS 'the offer; azure_bulk_credit cannot be combined with any other';
COMMENT ON COLUMN %1$I.offer_assignments.partner_id IS 'the partner the user belongs to';
COMMENT ON COLUMN %1$I.license_activations.activation_id IS 'the activation';
COMMENT ON COLUMN %1$I.license_activations.partner_id IS 'the partner activating the license';
COMMENT ON COLUMN %1$I.license_activations.product IS 'the product licensed';
COMMENT ON COLUMN %1$I.license_activations.is_demo IS 'true for a demonstration license, which may be activated only on the partner''s own tenant';
COMMENT ON COLUMN %1$I.license_activations.tenant_id IS 'the tenant the license is activated on, empty if not yet';
COMMENT ON COLUMN %1$I.license_activations.activated_on IS 'day of the activation';
COMMENT ON COLUMN %1$I.load_refusals.refusal_id IS 'the refusal';
COMMENT ON COLUMN %1$I.load_refusals.table_name IS 'the table the refused write was for';
COMMENT ON COLUMN %1$I.load_refusals.sqlstate IS 'the SQLSTATE of the refusal (23505, 23001, 23514, 23P01)';
COMMENT ON COLUMN %1$I.load_refusals.message IS 'the refusal''s message';
COMMENT ON COLUMN %1$I.load_refusals.detail IS 'the refusal''s details';

CREATE OR REPLACE VIEW %1$I.bi_benefit_status AS
SELECT benefit_id, partner_id, kind, requires_user_assignment, benefit_expiry,
	   activation_deadline, activated_on, status, days_left
  FROM %1$I.benefit_status;
COMMENT ON VIEW %1$I.bi_benefit_status IS 'for BI tools: benefits and whether they can still be activated; "today" is mpn.today(), the date in mpn.time_zone (UTC unless set)';
COMMENT ON COLUMN %1$I.bi_benefit_status.benefit_id IS 'the benefit';
COMMENT ON COLUMN %1$I.bi_benefit_status.partner_id IS 'the partner enrolled';
COMMENT ON COLUMN %1$I.bi_benefit_status.kind IS 'product_key, azure_credit, visual_studio or technical_support';
COMMENT ON COLUMN %1$I.bi_benefit_status.requires_user_assignment IS 'true for benefits assigned to a user (30 days of grace after the expiry date)';
COMMENT ON COLUMN %1$I.bi_benefit_status.benefit_expiry IS 'benefit expiry date: the last day to activate without grace (inclusive)';
COMMENT ON COLUMN %1$I.bi_benefit_status.activation_deadline IS 'the last day to activate, grace included (inclusive): filter on it for "due within N days"';
COMMENT ON COLUMN %1$I.bi_benefit_status.activated_on IS 'day the benefit was activated, empty if not yet';
COMMENT ON COLUMN %1$I.bi_benefit_status.status IS 'activated; available (on or before the expiry date); in_grace (after it, within the grace); expired';
COMMENT ON COLUMN %1$I.bi_benefit_status.days_left IS 'days from today to the activation deadline (0 = today is the last day), empty once activated or expired';

CREATE OR REPLACE VIEW %1$I.bi_key_status AS
SELECT key::text AS key, partner_id, licenses, redeemed_on, valid_until,
	   valid_until - 1 AS last_usable_day, applied_to, status, days_left
  FROM %1$I.key_status;
COMMENT ON VIEW %1$I.bi_key_status IS 'for BI tools: product keys and whether they are usable; "today" is mpn.today(), the date in mpn.time_zone (UTC unless set)';
COMMENT ON COLUMN %1$I.bi_key_status.key IS 'the product key as text: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX, upper case';
COMMENT ON COLUMN %1$I.bi_key_status.partner_id IS 'the partner holding the key';
COMMENT ON COLUMN %1$I.bi_key_status.licenses IS 'licenses the key carries';
COMMENT ON COLUMN %1$I.bi_key_status.redeemed_on IS 'day the key was redeemed, empty if not yet';
COMMENT ON COLUMN %1$I.bi_key_status.valid_until IS 'the first day the key is no longer usable, one year after redemption: filter on it for "lapses next month"';
COMMENT ON COLUMN %1$I.bi_key_status.last_usable_day IS 'the last day the key is usable (inclusive), the day before valid_until';
COMMENT ON COLUMN %1$I.bi_key_status.applied_to IS 'the subscription the key''s licenses went to, empty if none';
COMMENT ON COLUMN %1$I.bi_key_status.status IS 'unredeemed; usable; not_yet_usable (redeemed on a later day); lapsed (valid_until reached)';
COMMENT ON COLUMN %1$I.bi_key_status.days_left IS 'days the key stays usable, counting today; empty unless usable';

CREATE OR REPLACE VIEW %1$I.bi_subscription_status AS
SELECT subscription_id, partner_id, product, term::text AS term, licenses, starts, ends,
	   ends - 1 AS last_day, status, remaining_days
  FROM %1$I.subscription_status;
COMMENT ON VIEW %1$I.bi_subscription_status IS 'for BI tools: subscriptions and their license time left; "today" is mpn.today(), the date in mpn.time_zone (UTC unless set)';
COMMENT ON COLUMN %1$I.bi_subscription_status.subscription_id IS 'the cloud subscription';
COMMENT ON COLUMN %1$I.bi_subscription_status.partner_id IS 'the partner holding it';
COMMENT ON COLUMN %1$I.bi_subscription_status.product IS 'the cloud product';
COMMENT ON COLUMN %1$I.bi_subscription_status.term IS 'the license pool as text, e.g. 100 licenses [2024-01-01,2025-01-01): count, first day, day after the last';
COMMENT ON COLUMN %1$I.bi_subscription_status.licenses IS 'license count';
COMMENT ON COLUMN %1$I.bi_subscription_status.starts IS 'first day of the term';
COMMENT ON COLUMN %1$I.bi_subscription_status.ends IS 'the day after the term''s last day (exclusive end): filter on it for "ends next month"';
COMMENT ON COLUMN %1$I.bi_subscription_status.last_day IS 'the term''s last day (inclusive)';
COMMENT ON COLUMN %1$I.bi_subscription_status.status IS 'not_started, active or lapsed';
COMMENT ON COLUMN %1$I.bi_subscription_status.remaining_days IS 'days of the term left, counting today; 0 once lapsed';

CREATE OR REPLACE VIEW %1$I.bi_reassignment_status AS
SELECT vs_subscription_id, partner_id, subscriber, assigned_on, reassignable_on,
	   reassignable_now, days_until_reassignable
  FROM %1$I.reassignment_status;
COMMENT ON VIEW %1$I.bi_reassignment_status IS 'for BI tools: Visual Studio subscriptions and when they may pass to another subscriber; "today" is mpn.today(), the date in mpn.time_zone (UTC unless set)';
COMMENT ON COLUMN %1$I.bi_reassignment_status.vs_subscription_id IS 'the Visual Studio subscription';
COMMENT ON COLUMN %1$I.bi_reassignment_status.partner_id IS 'the partner holding it';
COMMENT ON COLUMN %1$I.bi_reassignment_status.subscriber IS 'who holds it now, empty if unassigned';
COMMENT ON COLUMN %1$I.bi_reassignment_status.assigned_on IS 'day of the last assignment';
COMMENT ON COLUMN %1$I.bi_reassignment_status.reassignable_on IS 'the first day it may pass to another subscriber, 90 days after the last assignment: filter on it for "free within N days"';
COMMENT ON COLUMN %1$I.bi_reassignment_status.reassignable_now IS 'whether it may pass to another subscriber today';
COMMENT ON COLUMN %1$I.bi_reassignment_status.days_until_reassignable IS 'days until reassignable_on, empty when reassignable now';
$ddl$, schema_name);
END
$function$;
COMMENT ON FUNCTION @extschema@.create_bi_views(pg_catalog.name) IS
'create or replace the BI views of a ledger (bi_benefit_status, bi_key_status, bi_subscription_status, bi_reassignment_status: standard SQL types only) and describe every column of its tables';

--
-- Scale-out: a ledger made into Citus tables, in a layout that keeps each
-- rule within one shard (keys by key, Visual Studio subscriptions by
-- subscription, offers by user; the tables they refer to, and those a rule
-- reads one row of, as reference tables on every node).
--
CREATE OR REPLACE FUNCTION @extschema@.distribute_ledger(schema_name pg_catalog.name)
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	reference_tables CONSTANT text[] := ARRAY['partners', 'partner_tenants', 'enrollments',
		'benefits', 'subscriptions', 'license_activations', 'load_refusals'];
	ref text;
	c record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'mpn.distribute_ledger() needs Citus, which is not installed in database "%"',
			current_database()
			USING ERRCODE = 'feature_not_supported',
			      DETAIL = 'It makes the ledger''s tables Citus distributed and reference tables.',
			      HINT = 'Load Citus on every node (shared_preload_libraries = ''citus''), CREATE EXTENSION citus and add the workers, then call it again.';
	END IF;
	IF to_regclass(format('%I.product_keys', schema_name)) IS NULL
	   OR to_regclass(format('%I.benefit_status', schema_name)) IS NULL THEN
		RAISE EXCEPTION 'schema "%" holds no ledger', schema_name
			USING ERRCODE = 'undefined_table',
			      DETAIL = 'mpn.distribute_ledger() distributes the tables that mpn.create_ledger() makes.',
			      HINT = format('Create one with SELECT mpn.create_ledger(%L).', schema_name);
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition
				WHERE logicalrelid = format('%I.product_keys', schema_name)::regclass) THEN
		RAISE EXCEPTION 'ledger "%" is already distributed', schema_name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = format('%I.product_keys is a Citus table already.', schema_name),
			      HINT = 'Nothing is left to do: mpn.distribute_ledger() distributes a ledger once.';
	END IF;
	IF coalesce(current_setting('citus.enable_unsafe_triggers', true), 'off') <> 'on' THEN
		RAISE EXCEPTION 'distributing ledger "%" needs citus.enable_unsafe_triggers = on', schema_name
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'Citus distributes a table with triggers, and lets its triggers be disabled and enabled (as mpn.fill_ledger does), only with this setting on.',
			      HINT = format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on, reconnect, and call it again.',
							current_database());
	END IF;

	-- Citus drops and makes again the views over a table it distributes,
	-- and does not keep comments: keep them here, and put them back
	CREATE TEMP TABLE mpn_ledger_comments ON COMMIT DROP AS
	SELECT cl.relname, cl.relkind, a.attname, d.description
	  FROM pg_catalog.pg_description d
	  JOIN pg_catalog.pg_class cl ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = cl.oid
	  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid AND a.attnum = d.objsubid
	 WHERE cl.relnamespace = schema_name::regnamespace AND cl.relkind IN ('r', 'v', 'p')
	   AND (d.objsubid = 0 OR a.attnum IS NOT NULL);

	FOREACH ref IN ARRAY reference_tables LOOP
		PERFORM create_reference_table(format('%I.%I', schema_name, ref)::regclass);
	END LOOP;
	-- each rule within one shard: redeem_once's unique index is on the key,
	-- reassign_after reads one row, exclusive_offer looks up a user's offers
	PERFORM create_distributed_table(format('%I.product_keys', schema_name)::regclass, 'key');
	PERFORM create_distributed_table(format('%I.vs_assignments', schema_name)::regclass, 'vs_subscription_id');
	PERFORM create_distributed_table(format('%I.offer_assignments', schema_name)::regclass, 'user_id');

	FOR c IN SELECT * FROM mpn_ledger_comments ORDER BY relname, attname NULLS FIRST LOOP
		IF c.attname IS NULL THEN
			EXECUTE format('COMMENT ON %s %I.%I IS %L',
						   CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END,
						   schema_name, c.relname, c.description);
		ELSE
			EXECUTE format('COMMENT ON COLUMN %I.%I.%I IS %L', schema_name, c.relname, c.attname, c.description);
		END IF;
	END LOOP;
	DROP TABLE mpn_ledger_comments;
END
$function$;
COMMENT ON FUNCTION @extschema@.distribute_ledger(pg_catalog.name) IS
'make a ledger Citus tables: product_keys by key, vs_assignments by vs_subscription_id, offer_assignments by user_id, the other tables reference tables; keeps every comment (needs Citus and citus.enable_unsafe_triggers = on)';

--
-- A realistic, deterministic sample for a ledger.
--
CREATE OR REPLACE FUNCTION @extschema@.fill_ledger(schema_name pg_catalog.name,
										partners pg_catalog.int4 DEFAULT 100,
										seed pg_catalog.int8 DEFAULT 1,
										as_of pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	first_partner bigint;
	attempts integer := least(1000, greatest(5, partners / 20));
	refused integer := 0;
	nothing_to_try integer := 0;
	touched bigint;
	mistake_table text;
	attempt record;
	stmt text;
	err_state text;
	err_message text;
	err_detail text;
	started timestamptz := clock_timestamp();
	step text;
	found_row record;
BEGIN
	IF schema_name IS NULL OR partners IS NULL OR seed IS NULL OR as_of IS NULL THEN
		RAISE EXCEPTION 'mpn.fill_ledger() takes no NULL argument'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF partners < 1 THEN
		RAISE EXCEPTION 'invalid number of partners: %', partners
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A sample has at least 1 partner.';
	END IF;
	IF as_of > @extschema@.today() THEN
		RAISE EXCEPTION 'cannot fill a ledger as of %, a day still to come', as_of
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('Today is %s; the integrity triggers refuse assignments dated later.', @extschema@.today()),
			      HINT = 'Pass an as_of date on or before mpn.today().';
	END IF;

	-- r(i, salt): a deterministic uniform number in [0, 1) for row i
	CREATE TEMP TABLE IF NOT EXISTS mpn_fill_params (seed bigint, as_of date, base bigint) ON COMMIT DROP;
	TRUNCATE mpn_fill_params;
	EXECUTE format('SELECT coalesce(max(partner_id), 0) FROM %I.partners', schema_name) INTO first_partner;
	INSERT INTO mpn_fill_params VALUES (seed, as_of, first_partner);

	RAISE NOTICE 'filling ledger "%" with % partners as of % (seed %)', schema_name, partners, as_of, seed;

	-- one statement at a time: Citus prepares no multi-statement string
	FOREACH step IN ARRAY regexp_split_to_array(format($q$
INSERT INTO %1$I.partners (partner_id, name)
SELECT base + i, 'Partner ' || (base + i)
  FROM mpn_fill_params, generate_series(1, $1) i;
INSERT INTO %1$I.partner_tenants (partner_id, tenant_id)
SELECT base + i, md5(seed || '/tenant/' || (base + i) || '/' || t)::uuid
  FROM mpn_fill_params, generate_series(1, $1) i, generate_series(1, 2) t
 WHERE t = 1 OR hashint8extended(base + i, seed + 11) %% 3 = 0;
INSERT INTO %1$I.enrollments (partner_id, enrolled_on)
SELECT base + i,
	   as_of - ((hashint8extended(base + i, seed + 12) & 2147483647) %% 500)::int
  FROM mpn_fill_params, generate_series(1, $1) i;
INSERT INTO %1$I.benefits (enrollment_id, kind, requires_user_assignment, benefit_expiry, activated_on)
SELECT e.enrollment_id, k.kind, k.kind = 'visual_studio', e.benefit_expiry,
	   CASE WHEN (hashint8extended(e.partner_id * 4 + k.n, p.seed + 13) & 1023) < 600
			THEN least(e.enrolled_on + ((hashint8extended(e.partner_id * 4 + k.n, p.seed + 14) & 2147483647) %% 300)::int,
					   p.as_of, @extschema@.activation_deadline(e.benefit_expiry, k.kind = 'visual_studio'))
	   END
  FROM mpn_fill_params p
  JOIN %1$I.enrollments e ON e.partner_id > p.base
 CROSS JOIN (VALUES (0, 'product_key'), (1, 'azure_credit'), (2, 'visual_studio'), (3, 'technical_support')) k(n, kind);
$q$, schema_name), E';\n') LOOP
		CONTINUE WHEN btrim(step, E' \n\t') = '';
		IF strpos(step, '$1') > 0 THEN
			EXECUTE step USING partners;
		ELSE
			EXECUTE step;
		END IF;
	END LOOP;
	RAISE NOTICE '  partners, tenants, enrollments, benefits: done (% s)',
		round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);

	-- one statement at a time: Citus prepares no multi-statement string
	FOREACH step IN ARRAY regexp_split_to_array(format($q$
INSERT INTO %1$I.subscriptions (partner_id, product, term)
SELECT base + i, (ARRAY['Microsoft 365 E3', 'Dynamics 365 Sales', 'Power BI Pro', 'Windows 11 Enterprise'])[1 + s],
	   @extschema@.license_term(
		   1 + ((hashint8extended((base + i) * 4 + s, seed + 21) & 2147483647) %% 200)::int,
		   as_of - ((hashint8extended((base + i) * 4 + s, seed + 22) & 2147483647) %% 420)::int,
		   as_of - ((hashint8extended((base + i) * 4 + s, seed + 22) & 2147483647) %% 420)::int + 365)
  FROM mpn_fill_params, generate_series(1, $1) i, generate_series(0, 3) s
 WHERE s = 0 OR hashint8extended((base + i) * 4 + s, seed + 20) %% 2 = 0;
$q$, schema_name), E';\n') LOOP
		CONTINUE WHEN btrim(step, E' \n\t') = '';
		IF strpos(step, '$1') > 0 THEN
			EXECUTE step USING partners;
		ELSE
			EXECUTE step;
		END IF;
	END LOOP;
	RAISE NOTICE '  subscriptions: done (% s)',
		round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);

	-- 20 keys a partner: 13 scrambled characters, then 12 that spell the
	-- key's number times an odd constant modulo 2^48 (a bijection), so
	-- keys are valid, unique and look random; 3 in 10 carry one N
	-- one statement at a time: Citus prepares no multi-statement string
	FOREACH step IN ARRAY regexp_split_to_array(format($q$
INSERT INTO %1$I.product_keys (key, partner_id, licenses, redeemed_on)
SELECT regexp_replace(
		   overlay(translate(lpad(to_hex(hashint8extended(n, seed + 31) & 4503599627370495), 13, '0'),
							 '0123456789abcdef', 'YXWVTRQPMKJHGFDC')
				   PLACING CASE WHEN (hashint8extended(n, seed + 32) & 1023) < 307 THEN 'N' ELSE '' END
				   FROM 5 FOR CASE WHEN (hashint8extended(n, seed + 32) & 1023) < 307 THEN 1 ELSE 0 END)
		   || translate(lpad(to_hex((n * 2654435761) & 281474976710655), 12, '0'),
						'0123456789abcdef', '2346789BCDFGHJKM'),
		   '(.{5})(.{5})(.{5})(.{5})(.{5})', '\1-\2-\3-\4-\5')::@extschema@.product_key,
	   partner_id, 1 + (hashint8extended(n, seed + 33) & 7)::int * 5,
	   CASE WHEN (hashint8extended(n, seed + 34) & 1023) < 700
			THEN as_of - ((hashint8extended(n, seed + 35) & 2147483647) %% 420)::int END
  FROM (SELECT base + i AS partner_id, (base + i) * 20 + k AS n, seed, as_of
		  FROM mpn_fill_params, generate_series(1, $1) i, generate_series(0, 19) k) g;
$q$, schema_name), E';\n') LOOP
		CONTINUE WHEN btrim(step, E' \n\t') = '';
		IF strpos(step, '$1') > 0 THEN
			EXECUTE step USING partners;
		ELSE
			EXECUTE step;
		END IF;
	END LOOP;
	RAISE NOTICE '  product keys: % done (% s)', partners * 20,
		round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);

	-- one statement at a time: Citus prepares no multi-statement string
	FOREACH step IN ARRAY regexp_split_to_array(format($q$
-- history: the owner loads past assignment days with the trigger off
ALTER TABLE %1$I.vs_assignments DISABLE TRIGGER mpn_reassign_after;
INSERT INTO %1$I.vs_assignments (vs_subscription_id, partner_id, subscriber, assigned_on)
SELECT (base + i) * 4 + v, base + i,
	   CASE WHEN hashint8extended((base + i) * 4 + v, seed + 41) %% 8 <> 0
			THEN 'dev' || v || '@partner' || (base + i) || '.example' END,
	   as_of - ((hashint8extended((base + i) * 4 + v, seed + 42) & 2147483647) %% 200)::int
  FROM mpn_fill_params, generate_series(1, $1) i, generate_series(0, 2) v;
ALTER TABLE %1$I.vs_assignments ENABLE TRIGGER mpn_reassign_after;
INSERT INTO %1$I.offer_assignments (user_id, offer, partner_id)
SELECT 'user' || u || '@partner' || (base + i) || '.example', o.offer, base + i
  FROM mpn_fill_params, generate_series(1, $1) i, generate_series(0, 2) u,
	   LATERAL (SELECT 'azure_bulk_credit' AS offer
				 WHERE hashint8extended((base + i) * 4 + u, seed + 51) %% 4 = 0
				UNION ALL
				SELECT unnest(ARRAY['visual_studio_enterprise', 'technical_support'])
				 WHERE hashint8extended((base + i) * 4 + u, seed + 51) %% 4 <> 0) o;
INSERT INTO %1$I.license_activations (partner_id, product, is_demo, tenant_id, partner_tenant, activated_on)
SELECT t.partner_id, 'Microsoft 365 E5 (demo)', true, t.tenant_id, t.tenant_id,
	   as_of - ((hashint8extended(t.partner_id, seed + 61) & 2147483647) %% 300)::int
  FROM mpn_fill_params p JOIN %1$I.partner_tenants t ON t.partner_id > p.base;
$q$, schema_name), E';\n') LOOP
		CONTINUE WHEN btrim(step, E' \n\t') = '';
		IF strpos(step, '$1') > 0 THEN
			EXECUTE step USING partners;
		ELSE
			EXECUTE step;
		END IF;
	END LOOP;
	RAISE NOTICE '  Visual Studio assignments, offers, demo activations: done (% s)',
		round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);

	-- the mistakes partners make by hand, each refused by a trigger
	FOR attempt IN
		SELECT a.n, (SELECT base FROM mpn_fill_params) + 1 + (a.n * 7919) % partners AS partner_id
		  FROM generate_series(0, attempts - 1) a(n)
	LOOP
		mistake_table := (ARRAY['offer_assignments', 'product_keys', 'vs_assignments',
								'license_activations'])[1 + attempt.n % 4];
		-- each mistake is one write of one row, found first: a single-shard
		-- statement on a distributed ledger, whose refusal comes back with
		-- its own SQLSTATE
		stmt := NULL;
		IF attempt.n % 4 = 0 THEN
			EXECUTE format('SELECT user_id, offer, partner_id FROM %I.offer_assignments '
						   'WHERE partner_id = $1 ORDER BY user_id, offer LIMIT 1', schema_name)
				INTO found_row USING attempt.partner_id;
			IF found_row.user_id IS NOT NULL THEN
				stmt := format('INSERT INTO %I.offer_assignments (user_id, offer, partner_id) VALUES (%L, %L, %s)',
							   schema_name, found_row.user_id,
							   CASE found_row.offer WHEN 'azure_bulk_credit' THEN 'visual_studio_enterprise'
									ELSE 'azure_bulk_credit' END,
							   found_row.partner_id);
			END IF;
		ELSIF attempt.n % 4 = 1 THEN
			EXECUTE format('SELECT @extschema@.min(key) AS key FROM %I.product_keys '
						   'WHERE partner_id = $1 AND redeemed_on IS NOT NULL', schema_name)
				INTO found_row USING attempt.partner_id;
			IF found_row.key IS NOT NULL THEN
				stmt := format('UPDATE %I.product_keys SET redeemed_on = redeemed_on + 1 '
							   'WHERE key OPERATOR(@extschema@.=) %L::@extschema@.product_key',
							   schema_name, found_row.key);
			END IF;
		ELSIF attempt.n % 4 = 2 THEN
			EXECUTE format('SELECT min(vs_subscription_id) AS id FROM %I.vs_assignments '
						   'WHERE partner_id = $1 AND NOT @extschema@.can_reassign(assigned_on, @extschema@.today()) '
						   'AND subscriber IS NOT NULL', schema_name)
				INTO found_row USING attempt.partner_id;
			IF found_row.id IS NOT NULL THEN
				stmt := format('UPDATE %I.vs_assignments SET subscriber = %L WHERE vs_subscription_id = %s',
							   schema_name, 'someone.else@customer.example', found_row.id);
			END IF;
		ELSE
			EXECUTE format('SELECT partner_id, tenant_id FROM %I.partner_tenants '
						   'WHERE partner_id = $1 ORDER BY tenant_id LIMIT 1', schema_name)
				INTO found_row USING attempt.partner_id;
			IF found_row.tenant_id IS NOT NULL THEN
				stmt := format('INSERT INTO %I.license_activations (partner_id, product, is_demo, tenant_id, partner_tenant) '
							   'VALUES (%s, %L, true, md5(%L)::uuid, %L)',
							   schema_name, found_row.partner_id, 'Microsoft 365 E5 (demo)',
							   'customer/' || attempt.n, found_row.tenant_id);
			END IF;
		END IF;
		IF stmt IS NULL THEN
			nothing_to_try := nothing_to_try + 1;
			CONTINUE;
		END IF;
		BEGIN
			EXECUTE stmt;
			GET DIAGNOSTICS touched = ROW_COUNT;
			IF touched > 0 THEN
				-- a mistake that got through must not stay in the sample
				RAISE EXCEPTION 'mistake not refused' USING ERRCODE = 'MPN00';
			END IF;
			nothing_to_try := nothing_to_try + 1;
		EXCEPTION
			WHEN integrity_constraint_violation OR restrict_violation OR unique_violation
				 OR check_violation OR exclusion_violation THEN
				GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
										err_detail = PG_EXCEPTION_DETAIL;
				EXECUTE format('INSERT INTO %I.load_refusals (table_name, sqlstate, message, detail) '
							   'VALUES ($1, $2, $3, $4)', schema_name)
					USING mistake_table, err_state, err_message, err_detail;
				refused := refused + 1;
			WHEN SQLSTATE 'MPN00' THEN
				RAISE WARNING 'a mistake on table %.% was not refused, and was undone', schema_name, mistake_table;
		END;
	END LOOP;
	RAISE NOTICE '  % hand-made mistakes tried: % refused by the triggers, % found nothing to try (% s)',
		attempts, refused, nothing_to_try,
		round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
END
$function$;
COMMENT ON FUNCTION @extschema@.fill_ledger(pg_catalog.name, pg_catalog.int4, pg_catalog.int8, pg_catalog.date) IS
'fill a ledger with a deterministic sample of partners around as_of, and try the mistakes the triggers refuse (logged in load_refusals)';
