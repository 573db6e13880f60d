
-- The ledgers made before 1.3 get their deadlines view and notice queue
-- now, each made by the ledger schema's owner (SET ROLE), whose they are,
-- as the ledger's tables are.  Objects an extension script creates become
-- members of the extension; a ledger's belong to the user, so they are
-- taken out of it again.
DO $upgrade$
DECLARE
	ledger pg_catalog.name;
	ledger_owner pg_catalog.name;
	member record;
BEGIN
	FOR ledger, ledger_owner IN
		SELECT n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) FROM pg_catalog.pg_namespace n
		 WHERE (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c
				 WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid
				   AND c.relname OPERATOR(pg_catalog.=) ANY (ARRAY['product_keys', 'benefits', 'subscriptions',
									 'enrollments', 'partners']::pg_catalog.name[]))
			   OPERATOR(pg_catalog.=) 5
		   AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c
						   WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid
							 AND c.relname OPERATOR(pg_catalog.=) ANY (ARRAY['deadlines', 'notices']::pg_catalog.name[]))
		 ORDER BY 1
	LOOP
		-- a schema that only looks like a ledger (any role with CREATE on
		-- the database can make one) gets a WARNING, and the update goes on
		BEGIN
			EXECUTE pg_catalog.format('SET LOCAL ROLE %I', ledger_owner);
			PERFORM @extschema@.create_ledger_notices(ledger);
			RESET ROLE;
		EXCEPTION WHEN OTHERS THEN
			RESET ROLE;
			RAISE WARNING 'schema "%" gets no deadlines and notices: %', ledger, SQLERRM
				USING HINT = pg_catalog.format('If it is a ledger, its owner can run SELECT mpn.create_ledger_notices(%L).', ledger);
			CONTINUE;
		END;
		FOR member IN
			SELECT (pg_catalog.pg_identify_object(d.classid, d.objid, 0)).*
			  FROM pg_catalog.pg_depend d
			 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			   AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension e
													   WHERE e.extname OPERATOR(pg_catalog.=) 'mpn_benefits')
			   AND d.deptype OPERATOR(pg_catalog.=) 'e'
			   -- relations only: from PostgreSQL 17 on, their row and array
			   -- types are members too, and go with them
			   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
		LOOP
			IF member.schema OPERATOR(pg_catalog.=) ledger THEN
				EXECUTE pg_catalog.format('ALTER EXTENSION mpn_benefits DROP %s %s', member.type, member.identity);
			END IF;
		END LOOP;
		RAISE NOTICE 'ledger "%" has its deadlines and notices', ledger;
	END LOOP;
END
$upgrade$;
