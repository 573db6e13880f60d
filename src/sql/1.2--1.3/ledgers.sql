-- src/sql/1.2--1.3/ledgers.sql: the last part of mpn_benefits--1.2--1.3.sql,
-- after the ledger's functions of 1.3

-- Each ledger made before 1.3 gets what mpn.create_ledger() now makes with
-- a ledger: its view deadlines and its notice queue notices.
--
-- The update runs as a superuser (the bootstrap superuser, in a trusted
-- install, for whichever role asked for it), inside that role's command:
--   - only a ledger gets them: a schema whose owner owns its tables
--     partners, enrollments, benefits, subscriptions and product_keys, and
--     product_keys guarded by mpn.redeem_once.  Any role with CREATE on the
--     database can make a schema that looks like one; it is then its own,
--     and so are the objects made in it;
--   - a schema that holds a relation deadlines or notices already keeps it
--     and gets nothing (a WARNING says so; its owner runs
--     mpn.create_ledger_notices(), which tells what is in the way);
--   - a ledger distributed by Citus gets nothing either: its queue must be
--     a reference table, which only its owner can make (a WARNING says
--     how);
--   - what is made is DDL alone, as create_ledger_notices() makes it (no
--     code of the ledger's runs: no row is read); then it is given to the
--     ledger's owner (no SET ROLE: it is refused inside a trusted
--     extension's script) and taken out of the extension, found by the
--     schema's OID.  Objects an extension script creates become members
--     of the extension; a ledger's belong to the user, like its tables.
--     Made by a superuser, they carry no grant the owner's default
--     privileges would have given;
--   - a ledger on which this fails (its owner changed its tables) gets a
--     WARNING, and the update goes on.
DO $upgrade$
DECLARE
	ledger_tables CONSTANT pg_catalog.name[] := ARRAY['partners', 'enrollments', 'benefits',
		'subscriptions', 'product_keys'];
	extension_oid CONSTANT pg_catalog.oid := (SELECT e.oid FROM pg_catalog.pg_extension e
											   WHERE e.extname OPERATOR(pg_catalog.=) 'mpn_benefits');
	citus CONSTANT pg_catalog.bool := pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
	ledger record;
	in_the_way pg_catalog.name;
	distributed pg_catalog.bool;
	member record;
BEGIN
	FOR ledger IN
		SELECT n.oid, n.nspname, n.nspowner, pg_catalog.pg_get_userbyid(n.nspowner) AS owner_name
		  FROM pg_catalog.pg_namespace n
		 WHERE (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c
				 WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid
				   AND c.relname OPERATOR(pg_catalog.=) ANY (ledger_tables)
				   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog."char"[])
				   AND c.relowner OPERATOR(pg_catalog.=) n.nspowner)
			   OPERATOR(pg_catalog.=) pg_catalog.cardinality(ledger_tables)
		   AND EXISTS (SELECT FROM pg_catalog.pg_trigger t
						 JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
						WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid
						  AND c.relname OPERATOR(pg_catalog.=) 'product_keys'
						  AND NOT t.tgisinternal
						  AND t.tgfoid OPERATOR(pg_catalog.=) '@extschema@.redeem_once()'::pg_catalog.regprocedure)
		 ORDER BY n.nspname
	LOOP
		SELECT c.relname INTO in_the_way FROM pg_catalog.pg_class c
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) ledger.oid
		   AND c.relname OPERATOR(pg_catalog.=) ANY ('{deadlines,notices}'::pg_catalog.name[])
		 ORDER BY c.relname LIMIT 1;
		IF FOUND THEN
			RAISE WARNING 'ledger "%" gets no deadlines view and notice queue: it has a relation "%" already', ledger.nspname, in_the_way
				USING HINT = pg_catalog.format('Its owner can run SELECT mpn.create_ledger_notices(%L), which tells whether that relation can stay.', ledger.nspname);
			CONTINUE;
		END IF;
		IF citus THEN
			EXECUTE $q$SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p
									   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.logicalrelid
									  WHERE c.relnamespace OPERATOR(pg_catalog.=) $1)$q$
				INTO distributed USING ledger.oid;
			IF distributed THEN
				RAISE WARNING 'distributed ledger "%" gets no deadlines view and notice queue from the update', ledger.nspname
					USING HINT = pg_catalog.format('Its owner can run SELECT mpn.create_ledger_notices(%L), then SELECT create_reference_table(%L).',
												  ledger.nspname, pg_catalog.format('%I.notices', ledger.nspname));
				CONTINUE;
			END IF;
		END IF;
		BEGIN
			PERFORM @extschema@.create_ledger_notices(ledger.nspname);
			EXECUTE pg_catalog.format('ALTER VIEW %I.deadlines OWNER TO %I', ledger.nspname, ledger.owner_name);
			EXECUTE pg_catalog.format('ALTER TABLE %I.notices OWNER TO %I', ledger.nspname, ledger.owner_name);
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'ledger "%" gets no deadlines view and notice queue: %', ledger.nspname, SQLERRM
				USING HINT = pg_catalog.format('Its owner can run SELECT mpn.create_ledger_notices(%L) once the ledger''s tables have the columns it reads.', ledger.nspname);
			CONTINUE;
		END;
		-- relations only: their row types (members too from PostgreSQL 17
		-- on) go with them
		FOR member IN
			SELECT (pg_catalog.pg_identify_object(d.classid, d.objid, 0)).*
			  FROM pg_catalog.pg_depend d
			  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
			 WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			   AND d.refobjid OPERATOR(pg_catalog.=) extension_oid
			   AND d.deptype OPERATOR(pg_catalog.=) 'e'
			   AND c.relnamespace OPERATOR(pg_catalog.=) ledger.oid
			 ORDER BY c.relname
		LOOP
			EXECUTE pg_catalog.format('ALTER EXTENSION mpn_benefits DROP %s %s', member.type, member.identity);
		END LOOP;
	END LOOP;
END
$upgrade$;
