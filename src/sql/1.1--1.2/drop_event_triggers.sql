
-- 1.1's event triggers looked at every guarded table of the database on
-- commands of any role's; 1.2's (event_triggers.sql, next) look only at
-- what a command touches.  The event triggers and their functions are made
-- anew; mpn_check_index_drops is folded into mpn_guard_drop.
DROP EVENT TRIGGER mpn_check_attachments;
DROP EVENT TRIGGER mpn_check_index_drops;
DROP EVENT TRIGGER mpn_guard_drop;
DROP FUNCTION @extschema@.check_attachments();
DROP FUNCTION @extschema@.check_index_drop();
DROP FUNCTION @extschema@.guard_drop();
