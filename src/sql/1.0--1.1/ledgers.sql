-- src/sql/1.0--1.1/ledgers.sql: the last part of mpn_benefits--1.0--1.1.sql,
-- after the ledger's functions of 1.1

-- The ledgers made by 1.0 get their BI views now.  Objects an extension
-- script creates become members of the extension; a ledger's views belong
-- to the user, like its tables, so they are taken out of it again.
DO $upgrade$
DECLARE
	ledger name;
	bi_view text;
BEGIN
	FOR ledger IN
		SELECT n.nspname FROM pg_catalog.pg_namespace n
		 WHERE (SELECT count(*) FROM pg_catalog.pg_class c
				 WHERE c.relnamespace = n.oid
				   AND c.relname IN ('product_keys', 'benefit_status', 'key_status',
									 'subscription_status', 'reassignment_status')) = 5
		 ORDER BY 1
	LOOP
		PERFORM @extschema@.create_bi_views(ledger);
		FOREACH bi_view IN ARRAY ARRAY['bi_benefit_status', 'bi_key_status',
									   'bi_subscription_status', 'bi_reassignment_status']
		LOOP
			EXECUTE pg_catalog.format('ALTER EXTENSION mpn_benefits DROP VIEW %I.%I', ledger, bi_view);
		END LOOP;
		RAISE NOTICE 'ledger "%" has its BI views', ledger;
	END LOOP;
END
$upgrade$;
