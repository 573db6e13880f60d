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
-- Attachments checked when they are made: the event trigger runs each mpn
-- trigger's own checks on every trigger a command attaches, and on the mpn
-- triggers of every table a command changes, and gives the BEFORE ones the
-- recheck that keeps a later trigger from undoing them.
--
CREATE FUNCTION @extschema@.check_attachments() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_check_attachments' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_attachments() IS
'event trigger: refuses a command that attaches an mpn trigger wrongly, or changes a table so that its mpn triggers cannot work';
CREATE EVENT TRIGGER mpn_check_attachments ON ddl_command_end
	WHEN TAG IN ('CREATE TRIGGER', 'CREATE TABLE', 'ALTER TABLE', 'DROP INDEX')
	EXECUTE FUNCTION @extschema@.check_attachments();
COMMENT ON EVENT TRIGGER mpn_check_attachments IS
'checks every attachment of an mpn trigger when it is made, as its first row would';

CREATE FUNCTION @extschema@.check_index_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_check_index_drop' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_index_drop() IS
'event trigger: refuses DROP INDEX CONCURRENTLY of an index an mpn trigger looks rows up through (such a drop could not be undone)';
CREATE EVENT TRIGGER mpn_check_index_drops ON ddl_command_start
	WHEN TAG IN ('DROP INDEX')
	EXECUTE FUNCTION @extschema@.check_index_drop();
COMMENT ON EVENT TRIGGER mpn_check_index_drops IS
'refuses DROP INDEX CONCURRENTLY of an index an mpn trigger needs';

CREATE FUNCTION @extschema@.check_triggers(strict pg_catalog.bool DEFAULT true) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'mpn_check_triggers' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.check_triggers(pg_catalog.bool) IS
'checks every mpn trigger of the database as its first row would and gives the BEFORE ones their rechecks; returns how many it checked (strict = false: a WARNING instead of an ERROR for a trigger that cannot work)';

--
-- The drop guard: DROP EXTENSION mpn_benefits CASCADE (or DROP SCHEMA mpn
-- CASCADE) must never silently drop a partner's columns and data.
--
CREATE FUNCTION @extschema@.guard_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_guard_drop' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.guard_drop() IS
'event trigger: refuses DROP EXTENSION mpn_benefits CASCADE (or DROP SCHEMA mpn CASCADE, DROP OWNED BY its owner CASCADE) while objects outside the extension use it';
CREATE EVENT TRIGGER mpn_guard_drop ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
	EXECUTE FUNCTION @extschema@.guard_drop();
COMMENT ON EVENT TRIGGER mpn_guard_drop IS
'keeps DROP EXTENSION mpn_benefits CASCADE from dropping partner data';

