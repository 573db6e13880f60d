
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
