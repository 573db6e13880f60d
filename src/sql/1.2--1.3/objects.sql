
-- mpn.check_triggers() gives the BEFORE rules their truncate guards too
COMMENT ON FUNCTION @extschema@.check_triggers(pg_catalog.bool) IS
'checks every mpn trigger of the tables the current user owns (all, for a superuser) as its first row would, each as the table''s owner, and gives the BEFORE ones their guards (a recheck, and a truncate guard for redeem_once and reassign_after), enabled ALWAYS; returns how many it checked (strict = false: a WARNING instead of an ERROR for a trigger that cannot work)';

--
-- mpn.violations(): the rows already stored that break a table's rules
-- (its attached mpn triggers), or a rule not attached yet, for an audit
-- before attaching it.
--
CREATE FUNCTION @extschema@.violations(tab pg_catalog.regclass)
RETURNS TABLE (trigger_name pg_catalog.name, rule pg_catalog.text, row_identity pg_catalog.text, message pg_catalog.text)
AS 'MODULE_PATHNAME', 'mpn_violations' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.violations(pg_catalog.regclass) IS
'the rows of a table (and of its partitions) that break the rule of one of its mpn triggers: the trigger, its rule and arguments, the row (primary key, or ctid) and the refusal''s message';

CREATE FUNCTION @extschema@.violations(tab pg_catalog.regclass, rule pg_catalog.regproc, VARIADIC args pg_catalog.text[])
RETURNS TABLE (trigger_name pg_catalog.name, rule pg_catalog.text, row_identity pg_catalog.text, message pg_catalog.text)
AS 'MODULE_PATHNAME', 'mpn_violations_of_rule' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.violations(pg_catalog.regclass, pg_catalog.regproc, pg_catalog.text[]) IS
'the rows of a table (and of its partitions) that would break an mpn rule with these trigger arguments, before it is attached (trigger_name is NULL)';

-- Every rule attached under 1.0 to 1.2 gets its truncate guard, and every
-- recheck that ENABLE TRIGGER ALL left firing on origin only is made anew
-- (as the updating role, over the tables it owns: all, for a superuser).
SELECT @extschema@.check_triggers(false);
