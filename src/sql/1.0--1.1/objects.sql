/* mpn_benefits--1.0--1.1.sql: from 1.0 to 1.1 (src/sql/1.0--1.1/objects.sql:
   the part written for the update; see the Makefile) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION mpn_benefits UPDATE TO '1.1'" to load this file. \quit

--
-- Every SQL-callable C symbol has the mpn_ prefix from 1.1 on (a library
-- shares one symbol namespace with every other a backend loads).  Point
-- the functions that 1.0 declared by their bare names at the new symbols;
-- CREATE OR REPLACE keeps each function's OID, owner, privileges, comment
-- and everything that depends on it (triggers, generated columns, views).
-- The library keeps the old names too (src/entry_points_1_0.c), for
-- databases not updated yet.
--
CREATE OR REPLACE FUNCTION @extschema@.benefit_expiry(enrolled_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_benefit_expiry' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.activation_deadline(benefit_expiry pg_catalog.date, requires_user_assignment pg_catalog.bool)
RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_activation_deadline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.can_activate(benefit_expiry pg_catalog.date, requires_user_assignment pg_catalog.bool,
										 on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_can_activate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.key_valid_until(redeemed_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_key_valid_until' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.key_is_usable(redeemed_on pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_key_is_usable' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.can_renew(renewal_start pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_can_renew' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.reassignable_on(assigned_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_reassignable_on' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.can_reassign(assigned_on pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_can_reassign' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.add_licenses(term @extschema@.license_term, added pg_catalog.int4,
										 on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME', 'mpn_add_licenses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.extend(term @extschema@.license_term, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME', 'mpn_extend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.remaining_days(term @extschema@.license_term, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'mpn_remaining_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.preview_key(term @extschema@.license_term, licenses_on_key pg_catalog.int4,
										on_date pg_catalog.date DEFAULT @extschema@.today(),
										OUT added @extschema@.license_term, OUT added_remaining_days pg_catalog.int4,
										OUT extended @extschema@.license_term, OUT extended_remaining_days pg_catalog.int4)
AS 'MODULE_PATHNAME', 'mpn_preview_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.redeem_once() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_redeem_once' LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE OR REPLACE FUNCTION @extschema@.reassign_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_reassign_after' LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE OR REPLACE FUNCTION @extschema@.exclusive_offer() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_exclusive_offer' LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE OR REPLACE FUNCTION @extschema@.partner_tenant_only() RETURNS trigger
AS 'MODULE_PATHNAME', 'mpn_partner_tenant_only' LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE OR REPLACE FUNCTION @extschema@.guard_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mpn_guard_drop' LANGUAGE C VOLATILE PARALLEL UNSAFE;

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

-- the triggers attached under 1.0: checked, and the BEFORE ones given their
-- rechecks (one that cannot work is left as it was, with a WARNING)
SELECT @extschema@.check_triggers(false);

--
-- mpn.day_of(timestamptz): the rules' day of a moment
--
CREATE FUNCTION @extschema@.day_of(moment pg_catalog.timestamptz) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_day_of'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.day_of(pg_catalog.timestamptz) IS
'the calendar date of a moment in mpn.time_zone (UTC by default), the day the rules and triggers count; never the session''s TimeZone';

-- preview_key gives NULL for a side that cannot be had
COMMENT ON FUNCTION @extschema@.preview_key(@extschema@.license_term, pg_catalog.int4, pg_catalog.date) IS
'both outcomes of spending a key on a subscription: the term if its licenses are added, and the term if it extends; a side that cannot be had is NULL (adding: the subscription is not active on on_date, or the count or end would pass its range; extending: the end would pass 5874897-12-31)';

--
-- The ledger's functions as 1.1 has them (create_ledger, create_bi_views,
-- distribute_ledger, fill_ledger) follow here: the Makefile puts in
-- src/sql/ledger.sql, each CREATE FUNCTION made CREATE OR REPLACE, then
-- src/sql/1.0--1.1/ledgers.sql.
--
