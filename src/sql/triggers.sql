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
-- the same for each command), and the BEFORE ones given their rechecks.
--
CREATE FUNCTION @extschema@.check_triggers(strict pg_catalog.bool DEFAULT true) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'mpn_check_triggers' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_triggers(pg_catalog.bool) IS
'checks every mpn trigger of the tables the current user owns (all, for a superuser) as its first row would, each as the table''s owner, and gives the BEFORE ones their rechecks; returns how many it checked (strict = false: a WARNING instead of an ERROR for a trigger that cannot work)';
