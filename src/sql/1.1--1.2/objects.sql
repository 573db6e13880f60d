
-- mpn.check_triggers() runs each check as the table's owner from 1.2 on
COMMENT ON FUNCTION @extschema@.check_triggers(pg_catalog.bool) IS
'checks every mpn trigger of the tables the current user owns (all, for a superuser) as its first row would, each as the table''s owner, and gives the BEFORE ones their rechecks; returns how many it checked (strict = false: a WARNING instead of an ERROR for a trigger that cannot work)';
