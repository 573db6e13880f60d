/* mpn_benefits--1.0.sql: types, operators, operator classes and rules */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION mpn_benefits" to load this file. \quit

--
-- "Today" for the rules: the calendar date in mpn.time_zone (UTC unless a
-- superuser sets it), never in the session's TimeZone.
--
CREATE FUNCTION @extschema@.today() RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_today_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.today() IS
'the calendar date at the start of the current transaction in mpn.time_zone (UTC by default)';

--
-- mpn.product_key
--
CREATE TYPE @extschema@.product_key;

CREATE FUNCTION @extschema@.product_key_in(pg_catalog.cstring) RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_out(@extschema@.product_key) RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_recv(pg_catalog.internal) RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_send(@extschema@.product_key) RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.product_key (
	INPUT = @extschema@.product_key_in,
	OUTPUT = @extschema@.product_key_out,
	RECEIVE = @extschema@.product_key_recv,
	SEND = @extschema@.product_key_send,
	INTERNALLENGTH = 16,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE @extschema@.product_key IS
'a product key XXXXX-XXXXX-XXXXX-XXXXX-XXXXX, validated and stored in 16 bytes';

COMMENT ON FUNCTION @extschema@.product_key_in(pg_catalog.cstring) IS 'product_key input';
COMMENT ON FUNCTION @extschema@.product_key_out(@extschema@.product_key) IS 'product_key output';
COMMENT ON FUNCTION @extschema@.product_key_recv(pg_catalog.internal) IS 'product_key binary input';
COMMENT ON FUNCTION @extschema@.product_key_send(@extschema@.product_key) IS 'product_key binary output';

CREATE FUNCTION @extschema@.product_key(pg_catalog.text) RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME', 'product_key_from_text_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.product_key(pg_catalog.text) IS 'convert text to product_key';
CREATE FUNCTION @extschema@.text(@extschema@.product_key) RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'product_key_to_text_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.text(@extschema@.product_key) IS 'convert product_key to its canonical text';

CREATE CAST (pg_catalog.text AS @extschema@.product_key)
	WITH FUNCTION @extschema@.product_key(pg_catalog.text) AS ASSIGNMENT;
CREATE CAST (@extschema@.product_key AS pg_catalog.text)
	WITH FUNCTION @extschema@.text(@extschema@.product_key) AS ASSIGNMENT;
COMMENT ON CAST (pg_catalog.text AS @extschema@.product_key) IS 'parse a product key';
COMMENT ON CAST (@extschema@.product_key AS pg_catalog.text) IS 'canonical text of a product key';

CREATE FUNCTION @extschema@.is_valid_product_key(pg_catalog.text) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'product_key_is_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_valid_product_key(pg_catalog.text) IS
'whether the text is a valid product key, without raising an error';

CREATE FUNCTION @extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_eq(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.product_key_ne(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.product_key_lt(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.product_key_le(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.product_key_gt(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.product_key_ge(@extschema@.product_key, @extschema@.product_key) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.product_key_hash(@extschema@.product_key) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_hash_extended(@extschema@.product_key, pg_catalog.int8) RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key) IS 'btree comparison of product keys';
COMMENT ON FUNCTION @extschema@.product_key_sortsupport(pg_catalog.internal) IS 'btree sort support for product keys';
COMMENT ON FUNCTION @extschema@.product_key_eq(@extschema@.product_key, @extschema@.product_key) IS 'implementation of = for product keys';
COMMENT ON FUNCTION @extschema@.product_key_ne(@extschema@.product_key, @extschema@.product_key) IS 'implementation of <> for product keys';
COMMENT ON FUNCTION @extschema@.product_key_lt(@extschema@.product_key, @extschema@.product_key) IS 'implementation of < for product keys';
COMMENT ON FUNCTION @extschema@.product_key_le(@extschema@.product_key, @extschema@.product_key) IS 'implementation of <= for product keys';
COMMENT ON FUNCTION @extschema@.product_key_gt(@extschema@.product_key, @extschema@.product_key) IS 'implementation of > for product keys';
COMMENT ON FUNCTION @extschema@.product_key_ge(@extschema@.product_key, @extschema@.product_key) IS 'implementation of >= for product keys';
COMMENT ON FUNCTION @extschema@.product_key_hash(@extschema@.product_key) IS 'hash of a product key';
COMMENT ON FUNCTION @extschema@.product_key_hash_extended(@extschema@.product_key, pg_catalog.int8) IS 'seeded 64-bit hash of a product key';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.product_key, RIGHTARG = @extschema@.product_key,
	FUNCTION = @extschema@.product_key_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.=  (@extschema@.product_key, @extschema@.product_key) IS 'equal';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.product_key, @extschema@.product_key) IS 'not equal';
COMMENT ON OPERATOR @extschema@.<  (@extschema@.product_key, @extschema@.product_key) IS 'less than (canonical text order)';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.product_key, @extschema@.product_key) IS 'less than or equal (canonical text order)';
COMMENT ON OPERATOR @extschema@.>  (@extschema@.product_key, @extschema@.product_key) IS 'greater than (canonical text order)';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.product_key, @extschema@.product_key) IS 'greater than or equal (canonical text order)';

CREATE OPERATOR CLASS @extschema@.product_key_ops
DEFAULT FOR TYPE @extschema@.product_key USING btree AS
	OPERATOR 1 @extschema@.<,
	OPERATOR 2 @extschema@.<=,
	OPERATOR 3 @extschema@.=,
	OPERATOR 4 @extschema@.>=,
	OPERATOR 5 @extschema@.>,
	FUNCTION 1 @extschema@.product_key_cmp(@extschema@.product_key, @extschema@.product_key),
	FUNCTION 2 @extschema@.product_key_sortsupport(pg_catalog.internal);
COMMENT ON OPERATOR CLASS @extschema@.product_key_ops USING btree IS 'btree ordering of product keys, as their canonical text sorts';

CREATE OPERATOR CLASS @extschema@.product_key_ops
DEFAULT FOR TYPE @extschema@.product_key USING hash AS
	OPERATOR 1 @extschema@.=,
	FUNCTION 1 @extschema@.product_key_hash(@extschema@.product_key),
	FUNCTION 2 @extschema@.product_key_hash_extended(@extschema@.product_key, pg_catalog.int8);
COMMENT ON OPERATOR CLASS @extschema@.product_key_ops USING hash IS 'hashing of product keys';

--
-- mpn.license_term
--
CREATE TYPE @extschema@.license_term;

CREATE FUNCTION @extschema@.license_term_in(pg_catalog.cstring) RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.license_term_out(@extschema@.license_term) RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.license_term_recv(pg_catalog.internal) RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.license_term_send(@extschema@.license_term) RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.license_term (
	INPUT = @extschema@.license_term_in,
	OUTPUT = @extschema@.license_term_out,
	RECEIVE = @extschema@.license_term_recv,
	SEND = @extschema@.license_term_send,
	INTERNALLENGTH = 12,
	ALIGNMENT = int4,
	STORAGE = plain
);
COMMENT ON TYPE @extschema@.license_term IS
'a subscription''s license pool: a license count sharing one half-open period [starts,ends)';

COMMENT ON FUNCTION @extschema@.license_term_in(pg_catalog.cstring) IS 'license_term input';
COMMENT ON FUNCTION @extschema@.license_term_out(@extschema@.license_term) IS 'license_term output';
COMMENT ON FUNCTION @extschema@.license_term_recv(pg_catalog.internal) IS 'license_term binary input';
COMMENT ON FUNCTION @extschema@.license_term_send(@extschema@.license_term) IS 'license_term binary output';

CREATE FUNCTION @extschema@.license_term(licenses pg_catalog.int4, starts pg_catalog.date, ends pg_catalog.date)
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME', 'license_term_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.license_term(pg_catalog.int4, pg_catalog.date, pg_catalog.date) IS
'a license term of licenses licenses for the half-open period [starts,ends)';

CREATE FUNCTION @extschema@.is_valid_license_term(pg_catalog.text) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'license_term_is_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_valid_license_term(pg_catalog.text) IS
'whether the text is a valid license term, without raising an error';

CREATE FUNCTION @extschema@.licenses(term @extschema@.license_term) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'license_term_licenses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.starts(term @extschema@.license_term) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'license_term_starts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ends(term @extschema@.license_term) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'license_term_ends' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.period(term @extschema@.license_term) RETURNS pg_catalog.daterange
AS 'MODULE_PATHNAME', 'license_term_period' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.licenses(@extschema@.license_term) IS 'the number of licenses in the term';
COMMENT ON FUNCTION @extschema@.starts(@extschema@.license_term) IS 'the first day of the term';
COMMENT ON FUNCTION @extschema@.ends(@extschema@.license_term) IS 'the first day after the term (exclusive end)';
COMMENT ON FUNCTION @extschema@.period(@extschema@.license_term) IS 'the term''s period as a daterange [starts,ends)';

CREATE FUNCTION @extschema@.license_term_cmp(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.license_term_eq(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.license_term_ne(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.license_term_lt(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.license_term_le(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.license_term_gt(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.license_term_ge(@extschema@.license_term, @extschema@.license_term) RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.license_term_hash(@extschema@.license_term) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.license_term_hash_extended(@extschema@.license_term, pg_catalog.int8) RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.license_term_cmp(@extschema@.license_term, @extschema@.license_term) IS 'btree comparison of license terms';
COMMENT ON FUNCTION @extschema@.license_term_eq(@extschema@.license_term, @extschema@.license_term) IS 'implementation of = for license terms';
COMMENT ON FUNCTION @extschema@.license_term_ne(@extschema@.license_term, @extschema@.license_term) IS 'implementation of <> for license terms';
COMMENT ON FUNCTION @extschema@.license_term_lt(@extschema@.license_term, @extschema@.license_term) IS 'implementation of < for license terms';
COMMENT ON FUNCTION @extschema@.license_term_le(@extschema@.license_term, @extschema@.license_term) IS 'implementation of <= for license terms';
COMMENT ON FUNCTION @extschema@.license_term_gt(@extschema@.license_term, @extschema@.license_term) IS 'implementation of > for license terms';
COMMENT ON FUNCTION @extschema@.license_term_ge(@extschema@.license_term, @extschema@.license_term) IS 'implementation of >= for license terms';
COMMENT ON FUNCTION @extschema@.license_term_hash(@extschema@.license_term) IS 'hash of a license term';
COMMENT ON FUNCTION @extschema@.license_term_hash_extended(@extschema@.license_term, pg_catalog.int8) IS 'seeded 64-bit hash of a license term';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.license_term, RIGHTARG = @extschema@.license_term,
	FUNCTION = @extschema@.license_term_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.license_term, RIGHTARG = @extschema@.license_term,
	FUNCTION = @extschema@.license_term_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.license_term, RIGHTARG = @extschema@.license_term,
	FUNCTION = @extschema@.license_term_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.license_term, RIGHTARG = @extschema@.license_term,
	FUNCTION = @extschema@.license_term_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.license_term, RIGHTARG = @extschema@.license_term,
	FUNCTION = @extschema@.license_term_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.license_term, RIGHTARG = @extschema@.license_term,
	FUNCTION = @extschema@.license_term_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.=  (@extschema@.license_term, @extschema@.license_term) IS 'equal';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.license_term, @extschema@.license_term) IS 'not equal';
COMMENT ON OPERATOR @extschema@.<  (@extschema@.license_term, @extschema@.license_term) IS 'less than (by starts, ends, licenses)';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.license_term, @extschema@.license_term) IS 'less than or equal (by starts, ends, licenses)';
COMMENT ON OPERATOR @extschema@.>  (@extschema@.license_term, @extschema@.license_term) IS 'greater than (by starts, ends, licenses)';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.license_term, @extschema@.license_term) IS 'greater than or equal (by starts, ends, licenses)';

CREATE OPERATOR CLASS @extschema@.license_term_ops
DEFAULT FOR TYPE @extschema@.license_term USING btree AS
	OPERATOR 1 @extschema@.<,
	OPERATOR 2 @extschema@.<=,
	OPERATOR 3 @extschema@.=,
	OPERATOR 4 @extschema@.>=,
	OPERATOR 5 @extschema@.>,
	FUNCTION 1 @extschema@.license_term_cmp(@extschema@.license_term, @extschema@.license_term);
COMMENT ON OPERATOR CLASS @extschema@.license_term_ops USING btree IS 'btree ordering of license terms by starts, ends, licenses';

CREATE OPERATOR CLASS @extschema@.license_term_ops
DEFAULT FOR TYPE @extschema@.license_term USING hash AS
	OPERATOR 1 @extschema@.=,
	FUNCTION 1 @extschema@.license_term_hash(@extschema@.license_term),
	FUNCTION 2 @extschema@.license_term_hash_extended(@extschema@.license_term, pg_catalog.int8);
COMMENT ON OPERATOR CLASS @extschema@.license_term_ops USING hash IS 'hashing of license terms';

--
-- The benefit rules.  Each on_date defaults to mpn.today(); a default is
-- evaluated by the caller, so the functions themselves stay IMMUTABLE and
-- usable in generated columns when on_date is given.
--
CREATE FUNCTION @extschema@.benefit_expiry(enrolled_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.benefit_expiry(pg_catalog.date) IS
'rule 1: the benefit expiry date (last day to activate), one year after enrollment';

CREATE FUNCTION @extschema@.activation_deadline(benefit_expiry pg_catalog.date, requires_user_assignment pg_catalog.bool)
RETURNS pg_catalog.date
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activation_deadline(pg_catalog.date, pg_catalog.bool) IS
'rule 2: the last day to activate: the benefit expiry date, plus 30 days of grace for benefits that need a user assignment';

CREATE FUNCTION @extschema@.can_activate(benefit_expiry pg_catalog.date, requires_user_assignment pg_catalog.bool,
										 on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_activate(pg_catalog.date, pg_catalog.bool, pg_catalog.date) IS
'rule 2: whether a benefit may still be activated on on_date (its activation deadline is inclusive)';

CREATE FUNCTION @extschema@.key_valid_until(redeemed_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.key_valid_until(pg_catalog.date) IS
'rule 3: the first day a redeemed key is no longer usable, one year after redemption (exclusive end)';

CREATE FUNCTION @extschema@.key_is_usable(redeemed_on pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.key_is_usable(pg_catalog.date, pg_catalog.date) IS
'rule 3: whether a key redeemed on redeemed_on is usable on on_date, in [redeemed_on, key_valid_until)';

CREATE FUNCTION @extschema@.can_renew(renewal_start pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_renew(pg_catalog.date, pg_catalog.date) IS
'rule 6: whether a membership may be renewed on on_date (on or after its renewal start date)';

CREATE FUNCTION @extschema@.reassignable_on(assigned_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reassignable_on(pg_catalog.date) IS
'rule 7: the first day a Visual Studio subscription may pass to another subscriber, 90 days after its last assignment';

CREATE FUNCTION @extschema@.can_reassign(assigned_on pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_reassign(pg_catalog.date, pg_catalog.date) IS
'rule 7: whether a subscription assigned on assigned_on may pass to another subscriber on on_date';

CREATE FUNCTION @extschema@.add_licenses(term @extschema@.license_term, added pg_catalog.int4,
										 on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.add_licenses(@extschema@.license_term, pg_catalog.int4, pg_catalog.date) IS
'rule 4: the term after adding licenses on on_date, license-days pooled into one earlier end date';

CREATE FUNCTION @extschema@.extend(term @extschema@.license_term, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.extend(@extschema@.license_term, pg_catalog.date) IS
'rule 5: the term extended by one year, from its end while active, from on_date once lapsed';

CREATE FUNCTION @extschema@.remaining_days(term @extschema@.license_term, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.remaining_days(@extschema@.license_term, pg_catalog.date) IS
'the days of the term left on on_date, counting on_date itself; 0 once lapsed';

CREATE FUNCTION @extschema@.preview_key(term @extschema@.license_term, licenses_on_key pg_catalog.int4,
										on_date pg_catalog.date DEFAULT @extschema@.today(),
										OUT added @extschema@.license_term, OUT added_remaining_days pg_catalog.int4,
										OUT extended @extschema@.license_term, OUT extended_remaining_days pg_catalog.int4)
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.preview_key(@extschema@.license_term, pg_catalog.int4, pg_catalog.date) IS
'both outcomes of spending a key on a subscription: the term if its licenses are added (NULL when the subscription is not active), and the term if it extends';

--
-- Integrity triggers.  Each is told by trigger arguments which columns of
-- the user's table to read; the README shows how to attach each one.
--
CREATE FUNCTION @extschema@.redeem_once() RETURNS trigger
AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.redeem_once() IS
'trigger (key_column, redeemed_column), BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW: a product key is redeemed once, and a redemption is never changed or deleted';

CREATE FUNCTION @extschema@.reassign_after() RETURNS trigger
AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.reassign_after() IS
'trigger (subscriber_column, assigned_on_column [, days = 90]), BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW: a subscription passes to another subscriber only days after its last assignment';

CREATE FUNCTION @extschema@.exclusive_offer() RETURNS trigger
AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.exclusive_offer() IS
'trigger (user_column, offer_column [, exclusive_value = azure_bulk_credit]), AFTER INSERT OR UPDATE FOR EACH ROW: a user who holds the exclusive offer holds no other';

CREATE FUNCTION @extschema@.partner_tenant_only() RETURNS trigger
AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.partner_tenant_only() IS
'trigger (tenant_column, partner_tenant_column [, demo_column]), BEFORE INSERT OR UPDATE FOR EACH ROW: a demonstration license is activated only on the partner''s own tenant';
