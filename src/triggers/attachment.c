/*-------------------------------------------------------------------------
 *
 * attachment.c
 *	  Checks of how the integrity triggers are attached, when they are
 *	  attached, and the rechecks that guard the BEFORE ROW ones.
 *
 * The event trigger mpn_check_attachments (ddl_command_end) runs each mpn
 * trigger's own setup, exactly as its first row would, on every trigger a
 * command attaches (CREATE TRIGGER, CREATE OR REPLACE TRIGGER, a partition
 * that clones triggers) and on every mpn trigger of a table whose columns,
 * constraints or indexes a command changes (ALTER TABLE, DROP INDEX ...):
 * misuse fails the command, with the messages and SQLSTATEs of first use,
 * and nothing stays half attached.
 *
 * BEFORE ROW triggers fire in the order of their names, so one that sorts
 * after a rule's sees, and may change, the row the rule approved.  For
 * redeem_once, reassign_after and partner_tenant_only, this file gives the
 * trigger a recheck: an internal AFTER ROW trigger of the same function
 * and arguments, which depends on it (dropped with it, never dumped: a
 * restore makes it again when it attaches the trigger), and checks the row
 * as it was stored.  AFTER ROW triggers cannot change the row.
 *
 * src/triggers/attachment.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

#include "access/genam.h"
#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_proc.h"
#include "commands/event_trigger.h"
#include "nodes/makefuncs.h"
#include "nodes/value.h"
#include "utils/fmgroids.h"
#include "utils/syscache.h"

/* The trigger functions, and the events of the recheck each one wants */
typedef struct RuleKind
{
	const char *name;			/* in schema mpn */
	RuleSetup	setup;
	bool		before;			/* a BEFORE ROW trigger? */
	int16		recheck_events; /* 0: no recheck */
} RuleKind;

static const RuleKind rule_kinds[] = {
	{"redeem_once", mpn_setup_redeem_once, true, TRIGGER_TYPE_UPDATE},
	{"reassign_after", mpn_setup_reassign_after, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE},
	{"exclusive_offer", mpn_setup_exclusive_offer, false, 0},
	{"partner_tenant_only", mpn_setup_partner_tenant_only, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE},
};

#define RECHECK_NAME "mpn_recheck"

/* Which of the rules a trigger calls, or NULL */
static const RuleKind *
rule_kind_of(const Trigger *trigger)
{
	Oid			mpn = get_namespace_oid("mpn", true);
	HeapTuple	proc;
	const RuleKind *kind = NULL;

	if (!OidIsValid(mpn))
		return NULL;
	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(trigger->tgfoid));
	if (!HeapTupleIsValid(proc))
		return NULL;
	if (((Form_pg_proc) GETSTRUCT(proc))->pronamespace == mpn)
	{
		const char *name = NameStr(((Form_pg_proc) GETSTRUCT(proc))->proname);

		for (size_t i = 0; i < lengthof(rule_kinds); i++)
			if (strcmp(rule_kinds[i].name, name) == 0)
				kind = &rule_kinds[i];
	}
	ReleaseSysCache(proc);
	return kind;
}

/* Run a rule's setup on a trigger of rel as if for its first row */
static RuleTrigger *
check_as_first_use(Relation rel, Trigger *trigger, const RuleKind *kind)
{
	TriggerData td;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(fcinfo, 0);

	memset(&td, 0, sizeof(td));
	td.type = T_TriggerData;
	td.tg_event = TRIGGER_EVENT_INSERT | TRIGGER_EVENT_ROW |
		(kind->before ? TRIGGER_EVENT_BEFORE : 0);
	td.tg_relation = rel;
	td.tg_trigger = trigger;
	memset(&flinfo, 0, sizeof(flinfo));
	flinfo.fn_oid = trigger->tgfoid;
	flinfo.fn_mcxt = CurrentMemoryContext;
	InitFunctionCallInfoData(*fcinfo, &flinfo, 0, InvalidOid, (Node *) &td, NULL);
	return kind->setup(fcinfo);
}

/* The rechecks that depend on trigger tgoid */
static List *
rechecks_of(Oid tgoid)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *result = NIL;

	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(TriggerRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(tgoid));
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->classid == TriggerRelationId && dep->deptype == DEPENDENCY_INTERNAL)
			result = lappend_oid(result, dep->objid);
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return result;
}

/* Drop rechecks (as rechecks_of() found them) */
static void
drop_rechecks(List *rechecks)
{
	ListCell   *lc;

	foreach(lc, rechecks)
	{
		ObjectAddress recheck;

		deleteDependencyRecordsForClass(TriggerRelationId, lfirst_oid(lc), TriggerRelationId,
										DEPENDENCY_INTERNAL);
		CommandCounterIncrement();
		ObjectAddressSet(recheck, TriggerRelationId, lfirst_oid(lc));
		performDeletion(&recheck, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
	}
}

/*
 * A trigger that has rechecks but no longer calls an mpn rule: CREATE OR
 * REPLACE TRIGGER gave it another function.  PostgreSQL lets anyone with
 * the TRIGGER privilege do that; only the table's owner may take a rule
 * away so, and then the rechecks go with it.
 */
static void
check_replaced(Relation rel, const Trigger *trigger)
{
	List	   *rechecks = rechecks_of(trigger->tgoid);

	if (rechecks == NIL)
		return;
	if (!mpn_owns_table(RelationGetRelid(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to replace trigger \"%s\" on table \"%s\"",
						trigger->tgname, RelationGetRelationName(rel)),
				 errdetail("Trigger \"%s\" keeps a rule of mpn_benefits, and calls %s() now.",
						   trigger->tgname, get_func_name(trigger->tgfoid)),
				 errhint("Only the table's owner may replace an mpn trigger with another function.")));
	drop_rechecks(rechecks);
}

/* Give trigger its recheck, unless it has one for its current arguments */
static void
ensure_recheck(Relation rel, const Trigger *trigger, const RuleKind *kind)
{
	TriggerDesc *trigdesc = CopyTriggerDesc(rel->trigdesc);
	List	   *rechecks = rechecks_of(trigger->tgoid);
	ListCell   *lc;
	CreateTrigStmt *stmt;
	ObjectAddress recheck;
	ObjectAddress parent;

	foreach(lc, rechecks)
	{
		Oid			oid = lfirst_oid(lc);
		bool		current = false;

		/* a recheck is current when it has the trigger's arguments */
		for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
		{
			const Trigger *t = &trigdesc->triggers[i];

			if (t->tgoid == oid && t->tgnargs == trigger->tgnargs)
			{
				current = true;
				for (int a = 0; a < t->tgnargs; a++)
					current = current && strcmp(t->tgargs[a], trigger->tgargs[a]) == 0;
			}
		}
		if (current)
			return;
	}
	/* CREATE OR REPLACE TRIGGER changed the arguments: make it anew */
	drop_rechecks(rechecks);

	stmt = makeNode(CreateTrigStmt);
	stmt->trigname = RECHECK_NAME;
	stmt->funcname = list_make2(makeString("mpn"), makeString(pstrdup(kind->name)));
	for (int a = 0; a < trigger->tgnargs; a++)
		stmt->args = lappend(stmt->args, makeString(pstrdup(trigger->tgargs[a])));
	stmt->row = true;
	stmt->timing = TRIGGER_TYPE_AFTER;
	stmt->events = kind->recheck_events;
	/* it always fires, and applies when the trigger it guards fires */
	recheck = CreateTriggerFiringOn(stmt, NULL, RelationGetRelid(rel), InvalidOid,
									InvalidOid, InvalidOid, trigger->tgfoid, InvalidOid,
									NULL, true, false, TRIGGER_FIRES_ALWAYS);
	ObjectAddressSet(parent, TriggerRelationId, trigger->tgoid);
	recordDependencyOn(&recheck, &parent, DEPENDENCY_INTERNAL);
	CommandCounterIncrement();
}

/* How check_table() treats a trigger that cannot work */
typedef enum CheckMode
{
	CHECK_STRICT,				/* an ERROR: the command fails */
	CHECK_WARN,					/* a WARNING, and it is left as it is */
	CHECK_NONE					/* no check, as in a restore; rechecks only */
} CheckMode;

/*
 * Check every mpn trigger on table relid (that is not disabled), and give
 * the BEFORE ones their rechecks.  Returns the triggers seen.
 */
static int
check_table(Oid relid, CheckMode mode)
{
	Relation	rel = try_relation_open(relid, AccessShareLock);
	TriggerDesc *triggers;
	const RuleKind **kinds;		/* the rule of each trigger, if it calls one */
	int			seen = 0;
	List	   *need_recheck = NIL;
	ListCell   *lc;

	if (rel == NULL)
		return 0;
	/* a copy: making a recheck rebuilds the relcache's */
	triggers = CopyTriggerDesc(rel->trigdesc);
	kinds = triggers != NULL ? palloc0(triggers->numtriggers * sizeof(RuleKind *)) : NULL;
	for (int i = 0; triggers != NULL && i < triggers->numtriggers; i++)
	{
		Trigger    *trigger = &triggers->triggers[i];
		const RuleKind *kind;

		if (trigger->tgisinternal)
			continue;
		if ((kind = rule_kind_of(trigger)) == NULL)
		{
			check_replaced(rel, trigger);
			continue;
		}
		kinds[i] = kind;
		if (trigger->tgenabled == TRIGGER_DISABLED)
			continue;
		seen++;
		if (mode == CHECK_STRICT)
			(void) check_as_first_use(rel, trigger, kind);
		else if (mode == CHECK_WARN)
		{
			MemoryContext cxt = CurrentMemoryContext;
			bool		ok = true;

			PG_TRY();
			{
				(void) check_as_first_use(rel, trigger, kind);
			}
			PG_CATCH();
			{
				ErrorData  *edata;

				MemoryContextSwitchTo(cxt);
				edata = CopyErrorData();
				FlushErrorState();
				ereport(WARNING,
						(errcode(edata->sqlerrcode),
						 errmsg("trigger \"%s\" on table \"%s\" is left without the checks of version 1.1: %s",
								trigger->tgname, RelationGetRelationName(rel), edata->message),
						 edata->detail ? errdetail("%s", edata->detail) : 0,
						 edata->hint ? errhint("%s", edata->hint) : 0));
				FreeErrorData(edata);
				ok = false;
			}
			PG_END_TRY();
			if (!ok)
				continue;
		}
		/* row triggers fire on partitions, not on a partitioned table */
		if (kind->recheck_events != 0 && rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
			need_recheck = lappend_int(need_recheck, i);
	}
	foreach(lc, need_recheck)
	{
		Trigger    *trigger = &triggers->triggers[lfirst_int(lc)];

		ensure_recheck(rel, trigger, kinds[lfirst_int(lc)]);
	}
	/* its partitions have clones of its triggers, which need rechecks */
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		List	   *partitions = find_inheritance_children(relid, NoLock);

		foreach(lc, partitions)
			(void) check_table(lfirst_oid(lc), mode);
	}
	relation_close(rel, AccessShareLock);
	return seen;
}

/* The tables that have an mpn trigger (after a DROP INDEX, say) */
static List *
tables_with_rules(void)
{
	List	   *result = NIL;
	StringInfoData names;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	/* the names of the rules' functions, as an array literal */
	initStringInfo(&names);
	for (size_t i = 0; i < lengthof(rule_kinds); i++)
		appendStringInfo(&names, "%s%s", i == 0 ? "{" : ",", rule_kinds[i].name);
	appendStringInfoChar(&names, '}');
	args[0] = CStringGetTextDatum(names.data);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT DISTINCT t.tgrelid FROM pg_catalog.pg_trigger t"
							  " JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
							  " WHERE p.pronamespace OPERATOR(pg_catalog.=) 'mpn'::pg_catalog.regnamespace"
							  " AND p.proname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])"
							  " AND NOT t.tgisinternal",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the tables with mpn triggers");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		relid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		result = lappend_oid(result, DatumGetObjectId(relid));
	}
	SPI_finish();
	return result;
}

/* The tables the current command made or changed, and those of its triggers */
static List *
tables_of_command(void)
{
	List	   *result = NIL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT DISTINCT CASE WHEN c.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass"
					" THEN (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) c.objid)"
					" ELSE c.objid END"
					" FROM pg_catalog.pg_event_trigger_ddl_commands() c"
					" WHERE c.classid IN ('pg_catalog.pg_trigger'::pg_catalog.regclass, 'pg_catalog.pg_class'::pg_catalog.regclass)",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the command's objects");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		relid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			result = lappend_oid(result, DatumGetObjectId(relid));
	}
	SPI_finish();
	return result;
}

/* mpn_check_attachments(): the event trigger, ON ddl_command_end */
PG_FUNCTION_INFO_V1(mpn_check_attachments);
Datum
mpn_check_attachments(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	List	   *tables;
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.check_attachments() was not called by the event trigger manager")));
	trigdata = (EventTriggerData *) fcinfo->context;

	/* a dropped index leaves no trace of its table: look at all of them */
	if (trigdata->tag == CMDTAG_DROP_INDEX)
		tables = tables_with_rules();
	else
		tables = tables_of_command();

	/*
	 * With check_function_bodies off, as pg_restore and pg_dump's scripts
	 * run, objects may come in any order that their dependencies allow (a
	 * parallel restore may attach a trigger before the constraint it needs
	 * is back), so the checks wait for the first row, as PostgreSQL's own
	 * checks of function bodies wait for the first call; the rechecks are
	 * made all the same.
	 */
	foreach(lc, tables)
		(void) check_table(lfirst_oid(lc), check_function_bodies ? CHECK_STRICT : CHECK_NONE);
	PG_RETURN_NULL();
}

/*
 * mpn_check_index_drop(): the event trigger mpn_check_index_drops, ON
 * ddl_command_start for DROP INDEX.  DROP INDEX CONCURRENTLY commits as it
 * goes, so the check at ddl_command_end could not undo it: an index that an
 * mpn trigger looks rows up through is refused before such a drop starts.
 * (A plain DROP INDEX is checked at its end, and undone if it must be.)
 */
PG_FUNCTION_INFO_V1(mpn_check_index_drop);
Datum
mpn_check_index_drop(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	DropStmt   *stmt;
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.check_index_drop() was not called by the event trigger manager")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (!IsA(trigdata->parsetree, DropStmt))
		PG_RETURN_NULL();
	stmt = (DropStmt *) trigdata->parsetree;
	if (stmt->removeType != OBJECT_INDEX || !stmt->concurrent)
		PG_RETURN_NULL();

	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
		Oid			indexoid = RangeVarGetRelid(rv, NoLock, true);
		Oid			relid;
		Relation	rel;

		if (!OidIsValid(indexoid) || get_rel_relkind(indexoid) != RELKIND_INDEX ||
			!OidIsValid(relid = IndexGetRelation(indexoid, true)))
			continue;
		rel = relation_open(relid, AccessShareLock);
		for (int i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		{
			Trigger    *trigger = &rel->trigdesc->triggers[i];
			const RuleKind *kind;
			RuleTrigger *rule;

			if (trigger->tgisinternal || trigger->tgenabled == TRIGGER_DISABLED ||
				(kind = rule_kind_of(trigger)) == NULL)
				continue;
			rule = check_as_first_use(rel, trigger, kind);
			if (rule->probe_index == indexoid)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("cannot drop index \"%s\" concurrently: trigger \"%s\" on table \"%s\" looks rows up through it",
								get_rel_name(indexoid), trigger->tgname, RelationGetRelationName(rel)),
						 errdetail("DROP INDEX CONCURRENTLY commits as it goes, so a drop that leaves %s() without the index it needs could not be undone.",
								   get_func_name(trigger->tgfoid)),
						 errhint("Create the index it should use instead first, or drop this one without CONCURRENTLY (refused if no other index serves).")));
		}
		relation_close(rel, AccessShareLock);
	}
	PG_RETURN_NULL();
}

/*
 * mpn.check_triggers(strict): check every mpn trigger of the tables the
 * current user owns (all of them, for a superuser) and give the BEFORE
 * ones their rechecks; what ALTER EXTENSION ... UPDATE runs for the
 * triggers attached under 1.0.  Returns the triggers checked.
 */
PG_FUNCTION_INFO_V1(mpn_check_triggers);
Datum
mpn_check_triggers(PG_FUNCTION_ARGS)
{
	bool		strict = PG_GETARG_BOOL(0);
	List	   *tables = tables_with_rules();
	ListCell   *lc;
	int			seen = 0;

	foreach(lc, tables)
		if (mpn_owns_table(lfirst_oid(lc)))
			seen += check_table(lfirst_oid(lc), strict ? CHECK_STRICT : CHECK_WARN);
	PG_RETURN_INT32(seen);
}
