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
--   - a schema that holds a relation or type deadlines or notices already
--     keeps it and gets nothing (a WARNING says so; its owner runs
--     mpn.create_ledger_notices(), which tells what is in the way);
--   - a ledger distributed by Citus gets nothing either: its queue must be
--     a reference table, which only its owner can make (a WARNING says
--     how);
--   - what is made is DDL alone, as create_ledger_notices() makes it (no
--     code of the ledger's runs: no row is read), in the database's
--     default tablespace and table access method whatever the updating
--     role set; then it is given to the ledger's owner (no SET ROLE: it is
--     refused inside a trusted extension's script) and taken out of the
--     extension.  Objects an extension script creates become members of
--     the extension; a ledger's belong to the user, like its tables.
--     Made by a superuser, they carry no grant the owner's default
--     privileges would have given;
--   - the ledger is looked at again, by its schema's OID, when its turn
--     comes, and what was made must be in that schema (a schema renamed
--     meanwhile, and another made under its name, gets nothing);
--   - nothing waits more than a second for a lock on a ledger's tables
--     (another role's open transaction could hold one): a busy ledger, or
--     one on which anything else fails (its owner changed its tables, the
--     lock table is full), gets a WARNING and nothing, and the update goes
--     on.
DO $upgrade$
DECLARE
	ledger_tables CONSTANT pg_catalog.name[] := ARRAY['partners', 'enrollments', 'benefits',
		'subscriptions', 'product_keys'];
	extension_oid CONSTANT pg_catalog.oid := (SELECT e.oid FROM pg_catalog.pg_extension e
											   WHERE e.extname OPERATOR(pg_catalog.=) 'mpn_benefits');
	citus CONSTANT pg_catalog.bool := pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
	updater CONSTANT pg_catalog.oid := (SELECT r.oid FROM pg_catalog.pg_roles r
										 WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
	schema_oid pg_catalog.oid;
	old_lock_timeout CONSTANT pg_catalog.text := pg_catalog.current_setting('lock_timeout');
	old_tablespace CONSTANT pg_catalog.text := pg_catalog.current_setting('default_tablespace');
	old_access_method CONSTANT pg_catalog.text := pg_catalog.current_setting('default_table_access_method');
	ledger record;
	ledger_name pg_catalog.name;
	in_the_way pg_catalog.name;
	distributed pg_catalog.bool;
	view_oid pg_catalog.oid;
	queue_oid pg_catalog.oid;
	member record;
	failure pg_catalog.text;
	hint pg_catalog.text;
BEGIN
	-- for this step only: set_config(..., true) lasts to the end of the
	-- transaction, which may go on after the update, so put them back below
	PERFORM pg_catalog.set_config('lock_timeout', '1s', true);
	PERFORM pg_catalog.set_config('default_tablespace', '', true);
	PERFORM pg_catalog.set_config('default_table_access_method', 'heap', true);

	FOR schema_oid IN
		SELECT n.oid FROM pg_catalog.pg_namespace n
		 WHERE EXISTS (SELECT FROM pg_catalog.pg_class c
						WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid
						  AND c.relname OPERATOR(pg_catalog.=) 'product_keys')
		 ORDER BY n.nspname
	LOOP
		-- (what the warnings below call it, whatever happens next)
		SELECT n.nspname INTO ledger_name FROM pg_catalog.pg_namespace n
		 WHERE n.oid OPERATOR(pg_catalog.=) schema_oid;
		BEGIN
			-- a ledger, as it is now
			SELECT n.oid, n.nspname, n.nspowner, pg_catalog.pg_get_userbyid(n.nspowner) AS owner_name
			  INTO ledger
			  FROM pg_catalog.pg_namespace n
			 WHERE n.oid OPERATOR(pg_catalog.=) schema_oid
			   AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c
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
							  AND t.tgfoid OPERATOR(pg_catalog.=) '@extschema@.redeem_once()'::pg_catalog.regprocedure);
			IF NOT FOUND THEN
				CONTINUE;
			END IF;

			SELECT x.name INTO in_the_way
			  FROM (SELECT c.relname AS name FROM pg_catalog.pg_class c
					 WHERE c.relnamespace OPERATOR(pg_catalog.=) ledger.oid
					UNION ALL
					SELECT y.typname FROM pg_catalog.pg_type y
					 WHERE y.typnamespace OPERATOR(pg_catalog.=) ledger.oid) x
			 WHERE x.name OPERATOR(pg_catalog.=) ANY ('{deadlines,notices}'::pg_catalog.name[])
			 ORDER BY x.name LIMIT 1;
			IF FOUND THEN
				RAISE WARNING 'ledger "%" gets no deadlines view and notice queue: it has a relation or type "%" already',
						ledger.nspname, in_the_way
					USING HINT = pg_catalog.format('Its owner can run SELECT mpn.create_ledger_notices(%L): it takes a notices that is a queue of the owner''s, and says what else is in the way.',
												  ledger.nspname);
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

			PERFORM @extschema@.create_ledger_notices(ledger.nspname);
			-- what was made, in the ledger's schema (by its OID) and this
			-- script's
			SELECT c.oid INTO view_oid FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) ledger.oid AND c.relname OPERATOR(pg_catalog.=) 'deadlines'
			   AND c.relkind OPERATOR(pg_catalog.=) 'v' AND c.relowner OPERATOR(pg_catalog.=) updater;
			SELECT c.oid INTO queue_oid FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) ledger.oid AND c.relname OPERATOR(pg_catalog.=) 'notices'
			   AND c.relkind OPERATOR(pg_catalog.=) 'r' AND c.relowner OPERATOR(pg_catalog.=) updater;
			IF view_oid IS NULL OR queue_oid IS NULL THEN
				RAISE EXCEPTION 'schema "%" changed during the update', ledger.nspname
					USING ERRCODE = 'object_not_in_prerequisite_state';
			END IF;
			EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %I', view_oid::pg_catalog.regclass, ledger.owner_name);
			EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', queue_oid::pg_catalog.regclass, ledger.owner_name);
			-- out of the extension: the relations of the ledger's schema (the
			-- view, the queue, its sequence); their row types (members too
			-- from PostgreSQL 17 on) go with them
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
			-- and it is so
			IF EXISTS (SELECT FROM pg_catalog.pg_class c
						WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[view_oid, queue_oid])
						  AND (c.relowner OPERATOR(pg_catalog.<>) ledger.nspowner
							   OR c.relnamespace OPERATOR(pg_catalog.<>) ledger.oid))
			   OR EXISTS (SELECT FROM pg_catalog.pg_depend d
						   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
						  WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
							AND d.refobjid OPERATOR(pg_catalog.=) extension_oid
							AND d.deptype OPERATOR(pg_catalog.=) 'e'
							AND c.relnamespace OPERATOR(pg_catalog.=) ledger.oid) THEN
				RAISE EXCEPTION 'schema "%" changed during the update', ledger.nspname
					USING ERRCODE = 'object_not_in_prerequisite_state';
			END IF;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS failure = RETURNED_SQLSTATE;
			hint := CASE
				WHEN failure OPERATOR(pg_catalog.=) '55P03' THEN
					'Another transaction holds a lock on its tables. Its owner can run SELECT mpn.create_ledger_notices(%L).'
				WHEN failure OPERATOR(pg_catalog.=) '53200' THEN
					'The update takes about a dozen locks per ledger: with many ledgers, raise max_locks_per_transaction and update again, or have each owner run SELECT mpn.create_ledger_notices(%L).'
				WHEN failure OPERATOR(pg_catalog.=) ANY ('{42703,42P01,42883,42804}'::pg_catalog.text[]) THEN
					'Its owner can run SELECT mpn.create_ledger_notices(%L) once the ledger''s tables have the columns it reads.'
				ELSE 'Its owner can run SELECT mpn.create_ledger_notices(%L).' END;
			RAISE WARNING 'ledger "%" gets no deadlines view and notice queue: %', ledger_name, SQLERRM
				USING HINT = pg_catalog.format(hint, ledger_name);
		END;
	END LOOP;

	PERFORM pg_catalog.set_config('lock_timeout', old_lock_timeout, true);
	PERFORM pg_catalog.set_config('default_tablespace', old_tablespace, true);
	PERFORM pg_catalog.set_config('default_table_access_method', old_access_method, true);
END
$upgrade$;
