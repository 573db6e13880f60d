
-- The schema is the extension's (SECURITY.md).  A role that could create
-- schemas might have made "@extschema@" before the install, to own the
-- schema every user's functions are looked up in: refuse a schema owned by
-- a role other than a superuser or the role installing the extension, one
-- that holds objects that are not the extension's, or one in which another
-- role may create objects.  Then the schema is given to the bootstrap
-- superuser, who owns the extension's objects in a trusted install, so that
-- no other role can add an overload to it.  (Run by the install script and
-- by every update script; every operator and function is schema-qualified,
-- because the schema is on this script's search_path.)
DO $schema_guard$
DECLARE
	ns pg_catalog.oid;
	ext pg_catalog.oid;
	owner pg_catalog.oid;
	installer pg_catalog.oid;
	foreign_objects pg_catalog.text;
	creators pg_catalog.text;
BEGIN
	SELECT n.oid, n.nspowner INTO ns, owner FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.=) '@extschema@';
	SELECT e.oid, e.extowner INTO ext, installer FROM pg_catalog.pg_extension e
	 WHERE e.extname OPERATOR(pg_catalog.=) 'mpn_benefits';
	IF owner OPERATOR(pg_catalog.<>) installer AND
	   NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) owner) THEN
		RAISE EXCEPTION 'schema "@extschema@" is owned by role %, not by a superuser or the role installing mpn_benefits',
			pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(owner))
		USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'The owner of the extension''s schema could add functions to it that other roles, superusers among them, would call.',
			HINT = 'Have a superuser check the schema, drop what is not the extension''s and ALTER SCHEMA "@extschema@" OWNER TO a superuser, then try again.';
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
		UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_statistic_ext o WHERE o.stxnamespace OPERATOR(pg_catalog.=) ns
		UNION ALL SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid, o.oid FROM pg_catalog.pg_extension o WHERE o.extnamespace OPERATOR(pg_catalog.=) ns AND o.oid OPERATOR(pg_catalog.<>) ext)
	SELECT pg_catalog.string_agg(o.what, ', ' ORDER BY o.what)
	  INTO foreign_objects
	  FROM (SELECT pg_catalog.pg_describe_object(x.classid, x.objid, 0) AS what, x.classid, x.objid
			  FROM objects x) o
	 WHERE NOT EXISTS (SELECT FROM parts p WHERE p.classid OPERATOR(pg_catalog.=) o.classid
												AND p.objid OPERATOR(pg_catalog.=) o.objid);
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
