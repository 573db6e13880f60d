-- src/sql/types.sql: the script's preamble; the types product_key and license_term,
-- their operators, operator classes and aggregates
-- (one of the sources the Makefile joins into mpn_benefits--X.Y.sql)

-- every role may use the types and rules (BI tools, applications); what a
-- role may do to a partner's tables stays with those tables' privileges
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

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
COMMENT ON OPERATOR FAMILY @extschema@.product_key_ops USING btree IS 'btree ordering of product keys';
COMMENT ON OPERATOR FAMILY @extschema@.product_key_ops USING hash IS 'hashing of product keys';

CREATE FUNCTION @extschema@.product_key_smaller(@extschema@.product_key, @extschema@.product_key) RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.product_key_larger(@extschema@.product_key, @extschema@.product_key) RETURNS @extschema@.product_key
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.product_key_smaller(@extschema@.product_key, @extschema@.product_key) IS 'the smaller of two product keys';
COMMENT ON FUNCTION @extschema@.product_key_larger(@extschema@.product_key, @extschema@.product_key) IS 'the larger of two product keys';
CREATE AGGREGATE @extschema@.min(@extschema@.product_key) (
	SFUNC = @extschema@.product_key_smaller, STYPE = @extschema@.product_key,
	COMBINEFUNC = @extschema@.product_key_smaller, SORTOP = OPERATOR(@extschema@.<), PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.max(@extschema@.product_key) (
	SFUNC = @extschema@.product_key_larger, STYPE = @extschema@.product_key,
	COMBINEFUNC = @extschema@.product_key_larger, SORTOP = OPERATOR(@extschema@.>), PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.min(@extschema@.product_key) IS 'the smallest product key (canonical text order)';
COMMENT ON AGGREGATE @extschema@.max(@extschema@.product_key) IS 'the largest product key (canonical text order)';

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
COMMENT ON OPERATOR FAMILY @extschema@.license_term_ops USING btree IS 'btree ordering of license terms';
COMMENT ON OPERATOR FAMILY @extschema@.license_term_ops USING hash IS 'hashing of license terms';

