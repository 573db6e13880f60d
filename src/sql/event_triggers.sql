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
