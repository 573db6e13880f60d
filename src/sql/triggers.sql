-- src/sql/triggers.sql: the integrity triggers and the drop guard
-- (one of the sources the Makefile joins into mpn_benefits--X.Y.sql)

--
-- Integrity triggers.  Each is told by trigger arguments which columns of
-- the user's table to read; the README shows how to attach each one.
--
CREATE FUNCTION @extschema@.redeem_once() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_redeem_once' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.redeem_once() IS
'trigger (key_column, redeemed_column), BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW: a product key is redeemed once, and a redemption is never changed or deleted';

CREATE FUNCTION @extschema@.reassign_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_reassign_after' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.reassign_after() IS
'trigger (subscriber_column, assigned_on_column [, days = 90]), BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW: a subscription passes to another subscriber only days after its last assignment';

CREATE FUNCTION @extschema@.exclusive_offer() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_exclusive_offer' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.exclusive_offer() IS
'trigger (user_column, offer_column [, exclusive_value = azure_bulk_credit]), AFTER INSERT OR UPDATE FOR EACH ROW: a user who holds the exclusive offer holds no other';

CREATE FUNCTION @extschema@.partner_tenant_only() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_partner_tenant_only' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.partner_tenant_only() IS
'trigger (tenant_column, partner_tenant_column [, demo_column]), BEFORE INSERT OR UPDATE FOR EACH ROW: a demonstration license is activated only on the partner''s own tenant';

--
-- mpn.check_triggers(): every trigger of the tables the caller owns checked
-- as its first row would be (the event triggers in event_triggers.sql do
-- the same for each command), and the BEFORE ones given their guards.
--
CREATE FUNCTION @extschema@.check_triggers(strict pg_catalog.bool DEFAULT true) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'mpn_check_triggers' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_triggers(pg_catalog.bool) IS
'checks every mpn trigger of the tables the current user owns (all, for a superuser) as its first row would, each as the table''s owner, and gives the BEFORE ones their guards (a recheck, and a truncate guard for redeem_once and reassign_after), enabled ALWAYS; returns how many it checked (strict = false: a WARNING instead of an ERROR for a trigger that cannot work)';

--
-- mpn.violations(): the rows already stored that break a table's rules
-- (its attached mpn triggers), or a rule not attached yet, for an audit
-- before attaching it.
--
CREATE FUNCTION @extschema@.violations(tab pg_catalog.regclass)
RETURNS TABLE (trigger_name pg_catalog.name, rule pg_catalog.text, row_identity pg_catalog.text, message pg_catalog.text)
AS 'MODULE_PATHNAME', 'mpn_violations' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.violations(pg_catalog.regclass) IS
'the rows of a table (and of its partitions) that break the rule of one of its mpn triggers: the trigger, its rule and arguments, the row (primary key, or ctid) and the refusal''s message';

CREATE FUNCTION @extschema@.violations(tab pg_catalog.regclass, rule pg_catalog.regproc, VARIADIC args pg_catalog.text[])
RETURNS TABLE (trigger_name pg_catalog.name, rule pg_catalog.text, row_identity pg_catalog.text, message pg_catalog.text)
AS 'MODULE_PATHNAME', 'mpn_violations_of_rule' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.violations(pg_catalog.regclass, pg_catalog.regproc, pg_catalog.text[]) IS
'the rows of a table (and of its partitions) that would break an mpn rule with these trigger arguments, before it is attached (trigger_name is NULL)';
