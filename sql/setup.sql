--
-- setup: helpers shared by the other suites, and checks of the extension's
-- catalog entries (operator classes, function properties, comments, trust).
--
-- pg_regress runs every suite in the same database, in the order of
-- REGRESS, so what this file creates in schema mpn_test is there for the
-- suites that follow.
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';

CREATE SCHEMA mpn_test;

-- Run one statement; 'ok', or 'SQLSTATE: message / detail' of its error.
CREATE FUNCTION mpn_test.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	code text;
	msg text;
	detail text;
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN code || ': ' || msg || coalesce(nullif(' / ' || detail, ' / '), '');
END
$$;

-- Run one statement whose error is PostgreSQL's own, not the extension's:
-- 'ok', or 'SQLSTATE: message'.  The detail, hint and cursor position of
-- such errors change between majors (19 moved "No operator matches..."
-- into a DETAIL and marks the position of more errors), their SQLSTATE and
-- message do not.
CREATE FUNCTION mpn_test.core_error(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Evaluate one expression; its value as text ('NULL' for null), or the
-- error as mpn_test.try() reports it.
CREATE FUNCTION mpn_test.eval(expr text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
	code text;
	msg text;
	detail text;
BEGIN
	EXECUTE 'SELECT (' || expr || ')::text' INTO result;
	RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN code || ': ' || msg || coalesce(nullif(' / ' || detail, ' / '), '');
END
$$;

-- A scratch file for binary COPY, written and read by the server process;
-- the backend's pid keeps concurrent runs apart.
CREATE FUNCTION mpn_test.scratch_file() RETURNS text
LANGUAGE sql AS $$ SELECT '/tmp/mpn_benefits_regress_' || pg_backend_pid() || '.bin' $$;

-- Binary COPY of a one-column bytea row writes the value's bytes as they
-- are: exactly the file a COPY ... FROM (FORMAT binary) into a one-column
-- table of another type reads as that type's binary form.  So this feeds
-- raw bytes to the receive function of tbl's column; 'ok' or the error.
CREATE FUNCTION mpn_test.copy_binary_in(tbl regclass, raw bytea) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)',
				   raw, mpn_test.scratch_file());
	RETURN mpn_test.try(format('COPY %s FROM %L WITH (FORMAT binary)',
							   tbl, mpn_test.scratch_file()));
END
$$;

-- Remove the scratch file (run at the end of a suite that used it).
CREATE FUNCTION mpn_test.remove_scratch_file() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('COPY (SELECT WHERE false) TO PROGRAM %L',
				   'rm -f ' || mpn_test.scratch_file());
END
$$;

-- the helpers themselves
SELECT mpn_test.try('SELECT 1'), mpn_test.try('SELECT 1/0');
SELECT mpn_test.eval('1 + 1'), mpn_test.eval('NULL::int'), mpn_test.eval('''x''::date');

-- Is this object the array type PostgreSQL made for a type (typarray)?
-- From PostgreSQL 17 on, the implicit array types of an extension's types
-- are members of the extension too; the suites leave them out, so that a
-- count means the same objects on every major.
CREATE FUNCTION mpn_test.is_implicit_array(classid oid, objid oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT classid = 'pg_type'::regclass
	   AND EXISTS (SELECT 1 FROM pg_type t WHERE t.typarray = objid)
$$;

-- The plan of a query as the nodes it uses, one line a node, indented by
-- depth: node type (aggregates by strategy), scan direction, index and
-- table, and whether it is an InitPlan or SubPlan.  Conditions, costs,
-- subplan names and the layout of EXPLAIN's text change between majors;
-- what the planner chose does not.
CREATE FUNCTION mpn_test.plan(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	doc text;
BEGIN
	EXECUTE 'EXPLAIN (COSTS OFF, FORMAT JSON) ' || query INTO doc;
	RETURN QUERY
	WITH RECURSIVE n(node, depth, path) AS (
		SELECT doc::jsonb -> 0 -> 'Plan', 0, ARRAY[]::int[]
		UNION ALL
		SELECT c.value, n.depth + 1, n.path || c.ordinality::int
		FROM n, jsonb_array_elements(n.node -> 'Plans') WITH ORDINALITY AS c
	)
	SELECT repeat('  ', depth) || concat_ws(' ',
		   CASE WHEN node ->> 'Parent Relationship' IN ('InitPlan', 'SubPlan')
				THEN (node ->> 'Parent Relationship') || ':' END,
		   CASE node ->> 'Strategy'
				WHEN 'Hashed' THEN 'HashAggregate'
				WHEN 'Sorted' THEN 'GroupAggregate'
				WHEN 'Mixed' THEN 'MixedAggregate'
				ELSE node ->> 'Node Type' END,
		   CASE WHEN node ->> 'Scan Direction' = 'Backward' THEN 'Backward' END,
		   'using ' || (node ->> 'Index Name'),
		   'on ' || (node ->> 'Relation Name'))
	FROM n ORDER BY path;
END
$$;

--
-- The extension: what it contains, by catalog
--
SELECT d.classid::regclass AS catalog, count(*) AS members
FROM pg_depend d
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'mpn_benefits' AND d.deptype = 'e'
  AND NOT mpn_test.is_implicit_array(d.classid, d.objid)
GROUP BY 1 ORDER BY 1::text;

-- every member lives in schema mpn (casts and event triggers have no schema)
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS outside_mpn
FROM pg_depend d
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'mpn_benefits' AND d.deptype = 'e'
  AND d.classid NOT IN ('pg_cast'::regclass, 'pg_event_trigger'::regclass)
  AND pg_describe_object(d.classid, d.objid, d.objsubid) NOT LIKE '% mpn.%'
ORDER BY 1;

--
-- Operator classes: all four pass amvalidate, and are the defaults
--
SELECT oc.opcname, am.amname, oc.opcintype::regtype, oc.opcdefault,
       amvalidate(oc.oid)
FROM pg_opclass oc
JOIN pg_am am ON am.oid = oc.opcmethod
WHERE oc.opcnamespace = 'mpn'::regnamespace
ORDER BY oc.opcname, am.amname;

-- their operators and support functions
SELECT opf.opfname, am.amname, amop.amopstrategy, amop.amopopr::regoperator
FROM pg_amop amop
JOIN pg_opfamily opf ON opf.oid = amop.amopfamily
JOIN pg_am am ON am.oid = opf.opfmethod
WHERE opf.opfnamespace = 'mpn'::regnamespace
ORDER BY 1, 2, 3;
SELECT opf.opfname, am.amname, amproc.amprocnum, amproc.amproc::regprocedure
FROM pg_amproc amproc
JOIN pg_opfamily opf ON opf.oid = amproc.amprocfamily
JOIN pg_am am ON am.oid = opf.opfmethod
WHERE opf.opfnamespace = 'mpn'::regnamespace
ORDER BY 1, 2, 3;

-- = can hash and merge, and knows its commutator and negator
SELECT oprname, oprleft::regtype, oprcanhash, oprcanmerge,
       oprcom::regoperator, oprnegate::regoperator
FROM pg_operator
WHERE oprnamespace = 'mpn'::regnamespace AND oprname IN ('=', '<>')
ORDER BY oprleft::regtype::text, oprname;

--
-- Functions: the types' and the rules' functions are in C, IMMUTABLE
-- (mpn.today() is STABLE: it reads the clock), STRICT and PARALLEL SAFE;
-- mpn.violations() reads tables (STABLE, PARALLEL RESTRICTED: it may wait
-- for a writer, as a rule's probe does); the comparisons are LEAKPROOF.
-- Trigger functions, mpn.check_triggers() (it adds triggers), the
-- functions that build a ledger (DDL, data) and those of the notice queues
-- (PL/pgSQL that writes, not STRICT: a NULL argument is an error) are the
-- exceptions, listed here too.
--
SELECT p.oid::regprocedure AS function, p.prokind, l.lanname, p.provolatile,
       p.proisstrict, p.proparallel, p.proleakproof
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'mpn'::regnamespace
ORDER BY p.proname, p.oid::regprocedure::text;

-- the rule above, as a check that must stay empty
SELECT p.oid::regprocedure AS unexpected_properties
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'mpn'::regnamespace
  AND p.prokind = 'f'
  AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
  AND l.lanname = 'c'
  AND p.proname <> 'check_triggers'
  AND (p.provolatile <> CASE WHEN p.proname IN ('today', 'day_of', 'violations') THEN 's' ELSE 'i' END
       OR NOT p.proisstrict
       OR p.proparallel <> CASE WHEN p.proname = 'violations' THEN 'r' ELSE 's' END);

-- the on_date arguments default to mpn.today(); the other defaults
SELECT p.proname, pg_get_expr(p.proargdefaults, 0) AS defaults
FROM pg_proc p
WHERE p.pronamespace = 'mpn'::regnamespace AND p.pronargdefaults > 0
ORDER BY p.proname;

-- the casts between text and product_key are assignment casts
SELECT castsource::regtype, casttarget::regtype, castfunc::regprocedure,
       castcontext, castmethod
FROM pg_cast
WHERE castsource = 'mpn.product_key'::regtype OR casttarget = 'mpn.product_key'::regtype
ORDER BY 1::text, 2::text;

-- the types: fixed size, passed by reference, plain storage
SELECT typname, typlen, typbyval, typalign, typstorage, typinput, typoutput,
       typreceive, typsend
FROM pg_type
WHERE typnamespace = 'mpn'::regnamespace AND typtype = 'b' AND typelem = 0
ORDER BY typname;

--
-- Comments: every member of the extension has one, except the operator
-- families, which CREATE OPERATOR CLASS makes implicitly, and the array
-- types, which CREATE TYPE makes (members from 17 on).
--
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS without_comment
FROM pg_depend d
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'mpn_benefits' AND d.deptype = 'e'
  AND d.classid <> 'pg_opfamily'::regclass
  AND NOT mpn_test.is_implicit_array(d.classid, d.objid)
  AND obj_description(d.objid, d.classid::regclass::name) IS NULL
ORDER BY 1;
SELECT obj_description(e.oid, 'pg_extension') IS NOT NULL AS extension_has_comment
FROM pg_extension e WHERE e.extname = 'mpn_benefits';

--
-- Trusted: a non-superuser with CREATE on the database can install it.
-- (superuser = true with trusted = true is what allows that: the script
-- runs as the bootstrap superuser, as C functions and base types need.)
--
SELECT name, version, superuser, trusted, relocatable, schema
FROM pg_available_extension_versions
WHERE name = 'mpn_benefits' ORDER BY version;

-- CREATE EXTENSION makes schema mpn, and DROP EXTENSION leaves it (it is
-- not a member): drop both to start as in a fresh database.
DROP EXTENSION mpn_benefits;
DROP SCHEMA mpn;
CREATE ROLE regress_mpn_owner;
DO $$ BEGIN
	EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_mpn_owner', current_database());
END $$;
SET ROLE regress_mpn_owner;
CREATE EXTENSION mpn_benefits;
-- the role owns the extension; the objects, and from 1.2 on the schema
-- (so that no other role can add functions to it), belong to the
-- bootstrap superuser
SELECT e.extname, e.extowner::regrole, n.nspname,
       n.nspowner = 10 AS schema_owner_is_bootstrap_superuser,
       (SELECT rolsuper FROM pg_roles WHERE oid = t.typowner) AS type_owner_is_superuser
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
JOIN pg_type t ON t.typnamespace = n.oid AND t.typname = 'product_key'
WHERE e.extname = 'mpn_benefits';
SELECT mpn.benefit_expiry('2020-01-31'),
       'bcdfg-hjkmp-qrtvw-xy234-6789n'::mpn.product_key;
-- and may drop it again; the schema it leaves is the superuser's to drop
DROP EXTENSION mpn_benefits;
RESET ROLE;
DROP SCHEMA mpn;
-- back to the state the other suites expect: installed by the superuser
CREATE EXTENSION mpn_benefits;
SELECT e.extowner::regrole = current_user::regrole AS ext_owned_by_me,
       n.nspowner::regrole = current_user::regrole AS schema_owned_by_me
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'mpn_benefits';
DO $$ BEGIN
	EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_mpn_owner', current_database());
END $$;
DROP ROLE regress_mpn_owner;
