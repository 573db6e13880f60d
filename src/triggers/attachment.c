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

#include "as_owner.h"

#include "access/genam.h"
#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_proc.h"
#include "parser/parse_func.h"
#include "utils/resowner.h"
#include "commands/event_trigger.h"
#include "nodes/makefuncs.h"
#include "nodes/value.h"
#include "utils/fmgroids.h"
#include "utils/syscache.h"

/*
 * The trigger functions: each one's setup, the events of the recheck it
 * wants, how many of its leading arguments name columns, and the index it
 * looks rows up through.
 */
static const RuleKind rule_kinds[] = {
	{"redeem_once", mpn_setup_redeem_once, true, TRIGGER_TYPE_UPDATE, true, 2, PROBE_UNIQUE,
	NULL, ERRCODE_RESTRICT_VIOLATION, true},
	{"reassign_after", mpn_setup_reassign_after, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE, true, 2, PROBE_NONE,
	mpn_stored_row_reassign_after, ERRCODE_CHECK_VIOLATION, false},
	{"exclusive_offer", mpn_setup_exclusive_offer, false, 0, false, 2, PROBE_ANY,
	mpn_stored_row_exclusive_offer, ERRCODE_EXCLUSION_VIOLATION, false},
	{"partner_tenant_only", mpn_setup_partner_tenant_only, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE, false, 3, PROBE_NONE,
	mpn_stored_row_partner_tenant_only, ERRCODE_CHECK_VIOLATION, false},
};

#define RECHECK_NAME "mpn_recheck"
#define TRUNCATE_GUARD_NAME "mpn_truncate"

/* Which of the rules function funcoid is, or NULL */
const RuleKind *
mpn_rule_kind_of_function(Oid funcoid)
{
	Oid			mpn = get_namespace_oid("mpn", true);
	HeapTuple	proc;
	const RuleKind *kind = NULL;

	if (!OidIsValid(mpn))
		return NULL;
	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
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

/* Which of the rules a trigger calls, or NULL */
static const RuleKind *
rule_kind_of(const Trigger *trigger)
{
	return mpn_rule_kind_of_function(trigger->tgfoid);
}

/* Run a rule's setup on a trigger of rel as if for its first row */
RuleTrigger *
mpn_check_as_first_use(Relation rel, Trigger *trigger, const RuleKind *kind)
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
check_replaced(Relation rel, const Trigger *trigger, bool caller_owns)
{
	List	   *rechecks = rechecks_of(trigger->tgoid);

	if (rechecks == NIL)
		return;
	if (!caller_owns)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to replace trigger \"%s\" on table \"%s\"",
						trigger->tgname, RelationGetRelationName(rel)),
				 errdetail("Trigger \"%s\" keeps a rule of mpn_benefits, and calls %s() now.",
						   trigger->tgname, get_func_name(trigger->tgfoid)),
				 errhint("Only the table's owner may replace an mpn trigger with another function.")));
	drop_rechecks(rechecks);
}

/*
 * The events of a rule's recheck on rel: redeem_once's, on a partition,
 * include INSERT, for the rows moving in (support.c, "Partitions")
 */
int16
mpn_recheck_events(const RuleKind *kind, Relation rel)
{
	if (kind->recheck_moves_in && rel->rd_rel->relispartition)
		return kind->recheck_events | TRIGGER_TYPE_INSERT;
	return kind->recheck_events;
}

#define GUARD_EVENTS (TRIGGER_TYPE_INSERT | TRIGGER_TYPE_DELETE | TRIGGER_TYPE_UPDATE)

/*
 * Is t a guard of trigger on rel: its function and arguments, enabled
 * ALWAYS, and (a recheck) on the events the rule wants there?
 */
static bool
guard_is_current(const Trigger *t, const Trigger *trigger, const RuleKind *kind, Relation rel)
{
	if (t->tgenabled != TRIGGER_FIRES_ALWAYS || t->tgnargs != trigger->tgnargs)
		return false;
	if (TRIGGER_FOR_ROW(t->tgtype) && (t->tgtype & GUARD_EVENTS) != mpn_recheck_events(kind, rel))
		return false;
	for (int a = 0; a < t->tgnargs; a++)
		if (strcmp(t->tgargs[a], trigger->tgargs[a]) != 0)
			return false;
	return true;
}

/* Make one guard of trigger: a recheck, or a truncate guard */
static void
make_guard(Relation rel, const Trigger *trigger, const RuleKind *kind, bool truncate)
{
	CreateTrigStmt *stmt = makeNode(CreateTrigStmt);
	ObjectAddress guard;
	ObjectAddress parent;

	stmt->trigname = truncate ? TRUNCATE_GUARD_NAME : RECHECK_NAME;
	stmt->funcname = list_make2(makeString("mpn"), makeString(pstrdup(kind->name)));
	for (int a = 0; a < trigger->tgnargs; a++)
		stmt->args = lappend(stmt->args, makeString(pstrdup(trigger->tgargs[a])));
	stmt->row = !truncate;
	stmt->timing = truncate ? TRIGGER_TYPE_BEFORE : TRIGGER_TYPE_AFTER;
	stmt->events = truncate ? TRIGGER_TYPE_TRUNCATE : mpn_recheck_events(kind, rel);
	/* it always fires, and applies when the trigger it guards fires */
	guard = CreateTriggerFiringOn(stmt, NULL, RelationGetRelid(rel), InvalidOid,
								  InvalidOid, InvalidOid, trigger->tgfoid, InvalidOid,
								  NULL, true, false, TRIGGER_FIRES_ALWAYS);
	ObjectAddressSet(parent, TriggerRelationId, trigger->tgoid);
	recordDependencyOn(&guard, &parent, DEPENDENCY_INTERNAL);
	CommandCounterIncrement();
}

/*
 * Give trigger its guards: a recheck, and for redeem_once and
 * reassign_after a truncate guard, each with the trigger's current
 * arguments and enabled ALWAYS.  Others that depend on it (left by CREATE
 * OR REPLACE TRIGGER with other arguments, or made to fire on origin only
 * by ENABLE TRIGGER ALL) are made anew.
 */
static void
ensure_guards(Relation rel, const Trigger *trigger, const RuleKind *kind)
{
	TriggerDesc *trigdesc = CopyTriggerDesc(rel->trigdesc);
	List	   *stale = NIL;
	bool		have_recheck = false;
	/* a foreign table can have no TRUNCATE trigger (nor rows of ours to guard) */
	bool		have_truncate = !kind->truncate_guard ||
		rel->rd_rel->relkind == RELKIND_FOREIGN_TABLE;
	ListCell   *lc;

	foreach(lc, rechecks_of(trigger->tgoid))
	{
		Oid			oid = lfirst_oid(lc);
		const Trigger *t = NULL;

		for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
			if (trigdesc->triggers[i].tgoid == oid)
				t = &trigdesc->triggers[i];
		if (t != NULL && guard_is_current(t, trigger, kind, rel) &&
			(TRIGGER_FOR_TRUNCATE(t->tgtype) ? !have_truncate : !have_recheck))
		{
			if (TRIGGER_FOR_TRUNCATE(t->tgtype))
				have_truncate = true;
			else
				have_recheck = true;
		}
		else
			stale = lappend_oid(stale, oid);
	}
	drop_rechecks(stale);
	if (!have_recheck)
		make_guard(rel, trigger, kind, false);
	if (!have_truncate)
		make_guard(rel, trigger, kind, true);
}

/* How check_table() treats a trigger that cannot work */
typedef enum CheckMode
{
	CHECK_STRICT,				/* an ERROR: the command fails */
	CHECK_WARN,					/* a WARNING, and it is left as it is */
	CHECK_NONE					/* no check, as in a restore; rechecks only */
} CheckMode;

/*
 * CHECK_WARN: run a trigger's setup in a subtransaction of its own, as
 * PL/pgSQL runs a block with an EXCEPTION clause, so that a setup that
 * fails (and may have run a domain CHECK, opened indexes, connected to SPI)
 * leaves nothing behind; its error becomes a WARNING.  Returns whether the
 * setup succeeded.
 */
static bool
check_or_warn(Relation rel, Trigger *trigger, const RuleKind *kind)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) mpn_check_as_first_use(rel, trigger, kind);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("trigger \"%s\" on table \"%s\" is left unchecked: %s",
						trigger->tgname, RelationGetRelationName(rel), edata->message),
				 edata->detail ? errdetail("%s", edata->detail) : 0,
				 edata->hint ? errhint("%s", edata->hint) : 0));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * The triggers whose rows a command asks to be checked (attach_spec_of()):
 * those it attaches or enables by name, all of a table's when it enables
 * them all, and all of each table it attaches as a partition (and of that
 * one's partitions).
 */
typedef struct AttachSpec
{
	List	   *names;			/* CREATE [OR REPLACE] TRIGGER, ENABLE TRIGGER name */
	bool		all;			/* ENABLE TRIGGER ALL / USER */
	List	   *partitions;		/* ATTACH PARTITION */
} AttachSpec;

/* Does spec ask for the rows of trigger on relid (whole: all its triggers)? */
static bool
spec_asks_for(const AttachSpec *spec, Oid relid, const Trigger *trigger, bool whole)
{
	ListCell   *lc;

	if (spec == NULL)
		return false;
	if (whole || spec->all || list_member_oid(spec->partitions, relid))
		return true;
	foreach(lc, spec->names)
		if (strcmp(strVal(lfirst(lc)), trigger->tgname) == 0)
			return true;
	return false;
}

/*
 * Check every mpn trigger on table relid (that is not disabled), and give
 * the BEFORE ones their rechecks.  Returns the triggers seen.
 *
 * With spec (CHECK_STRICT only), the rows already in the table are checked
 * for the triggers it names (existing_rows.c); whole says relid is, or is
 * a partition of, a table the command attached as a partition.
 *
 * The setups may run code of the table's (the offer type's input function,
 * a domain's CHECK), so they run as the table's owner, restricted, with
 * search_path pinned (as_owner.h), whoever issued the command.
 */
static int
check_table(Oid relid, CheckMode mode, const AttachSpec *spec, bool whole)
{
	Relation	rel = try_relation_open(relid, AccessShareLock);
	bool		caller_owns;
	MpnIdentity identity;
	TriggerDesc *triggers;
	const RuleKind **kinds;		/* the rule of each trigger, if it calls one */
	int			seen = 0;
	List	   *need_recheck = NIL;
	ListCell   *lc;

	if (rel == NULL)
		return 0;
	caller_owns = mpn_owns_table(relid);

	/*
	 * The setups may run code of the table's (exclusive_offer reads its
	 * exclusive value through the offer type's input function, a domain's
	 * CHECK); they do so only for the table's owner (or a member of the
	 * owning role), not for a superuser's or a TRIGGER grantee's command,
	 * whose chosen value would otherwise be fed to the owner's code as the
	 * owner.  For anyone else that part waits for the first row, which
	 * runs as its writer, as every domain CHECK does.
	 */
	mpn_ddl_runs_table_code = is_member_of_role_nosuper(GetUserId(), rel->rd_rel->relowner);
	mpn_ddl_caller = GetUserId();
	mpn_begin_as_owner(rel->rd_rel->relowner, &identity);

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
			check_replaced(rel, trigger, caller_owns);
			continue;
		}
		kinds[i] = kind;
		if (trigger->tgenabled == TRIGGER_DISABLED)
			continue;
		seen++;
		if (mode == CHECK_STRICT)
		{
			RuleTrigger *rule = mpn_check_as_first_use(rel, trigger, kind);

			if (spec_asks_for(spec, relid, trigger, whole))
				mpn_validate_existing_rows(rel, trigger, kind, rule);
		}
		else if (mode == CHECK_WARN && !check_or_warn(rel, trigger, kind))
			continue;
		/* row triggers fire on partitions, not on a partitioned table */
		if (kind->recheck_events != 0 && rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
			need_recheck = lappend_int(need_recheck, i);
	}
	foreach(lc, need_recheck)
	{
		Trigger    *trigger = &triggers->triggers[lfirst_int(lc)];

		ensure_guards(rel, trigger, kinds[lfirst_int(lc)]);
	}
	mpn_end_as_owner(&identity);

	/*
	 * its partitions have clones of its triggers, which need rechecks, and
	 * an ALTER TABLE of a parent changes its children's columns too
	 */
	if (rel->rd_rel->relhassubclass)
	{
		List	   *partitions = find_inheritance_children(relid, NoLock);

		whole = whole || (spec != NULL && list_member_oid(spec->partitions, relid));
		foreach(lc, partitions)
			(void) check_table(lfirst_oid(lc), mode, spec, whole);
	}
	relation_close(rel, AccessShareLock);
	return seen;
}

/*
 * The OIDs in column 1 of the rows a query of ours gives, as a list made
 * in the caller's memory context (SPI_finish() frees SPI's).  The query
 * runs with search_path pinned, and names every operator and type with
 * its schema besides.
 */
static List *
oids_of_query(const char *query, int nargs, Oid *argtypes, Datum *args)
{
	MemoryContext caller = CurrentMemoryContext;
	int			nestlevel;
	List	   *result = NIL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = mpn_begin_pinned_path();
	if (SPI_execute_with_args(query, nargs, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", query);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		oid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext spi = MemoryContextSwitchTo(caller);

		if (!isnull)
			result = lappend_oid(result, DatumGetObjectId(oid));
		MemoryContextSwitchTo(spi);
	}
	mpn_end_pinned_path(nestlevel);
	SPI_finish();
	return result;
}

/* The tables that have an mpn trigger (for mpn.check_triggers()) */
static List *
tables_with_rules(void)
{
	StringInfoData names;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	/* the names of the rules' functions, as an array literal */
	initStringInfo(&names);
	for (size_t i = 0; i < lengthof(rule_kinds); i++)
		appendStringInfo(&names, "%s%s", i == 0 ? "{" : ",", rule_kinds[i].name);
	appendStringInfoChar(&names, '}');
	args[0] = CStringGetTextDatum(names.data);

	return oids_of_query("SELECT DISTINCT t.tgrelid FROM pg_catalog.pg_trigger t"
						 " JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid"
						 " WHERE p.pronamespace OPERATOR(pg_catalog.=) 'mpn'::pg_catalog.regnamespace::pg_catalog.oid"
						 " AND p.proname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.name[])"
						 " AND NOT t.tgisinternal",
						 1, argtypes, args);
}

/* The table of trigger tgoid, or InvalidOid */
static Oid
table_of_trigger(Oid tgoid)
{
	Relation	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			relid = InvalidOid;

	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(tgoid));
	scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
		relid = ((Form_pg_trigger) GETSTRUCT(tuple))->tgrelid;
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return relid;
}

static List *typed_tables_of(Oid relid);

/*
 * The tables the current command made or changed, as
 * pg_event_trigger_ddl_commands() records them (by OID: a name looked up
 * again at the command's end could find another table, if the command ran
 * code that changed search_path), those of the triggers it made, and the
 * typed tables of a composite type it changed.  The query is planned once
 * per session.
 */
static SPIPlanPtr ddl_commands_plan = NULL;

static List *
tables_of_command(void)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *classids = NIL;
	List	   *objids = NIL;
	List	   *result = NIL;
	ListCell   *c;
	ListCell   *o;
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = mpn_begin_pinned_path();
	if (ddl_commands_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT c.classid, c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c",
									   0, NULL);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not plan the reading of the command's objects");
		ddl_commands_plan = plan;
	}
	if (SPI_execute_plan(ddl_commands_plan, NULL, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the command's objects");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull1;
		bool		isnull2;
		Datum		classid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull1);
		Datum		objid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull2);
		MemoryContext spi = MemoryContextSwitchTo(caller);

		if (!isnull1 && !isnull2)
		{
			classids = lappend_oid(classids, DatumGetObjectId(classid));
			objids = lappend_oid(objids, DatumGetObjectId(objid));
		}
		MemoryContextSwitchTo(spi);
	}
	mpn_end_pinned_path(nestlevel);
	SPI_finish();

	forboth(c, classids, o, objids)
	{
		Oid			classid = lfirst_oid(c);
		Oid			objid = lfirst_oid(o);

		if (classid == TriggerRelationId)
			objid = table_of_trigger(objid);
		else if (classid == TypeRelationId)
			objid = get_typ_typrelid(objid);
		else if (classid != RelationRelationId)
			continue;
		if (!OidIsValid(objid))
			continue;
		if (get_rel_relkind(objid) == RELKIND_COMPOSITE_TYPE)
			result = list_concat_unique_oid(result, typed_tables_of(objid));
		else
			result = list_append_unique_oid(result, objid);
	}
	return result;
}

/*
 * Could table relid carry an mpn trigger to check?  Plain tables without
 * triggers are passed over at the cost of a syscache lookup (the most
 * common DDL); a parent (partitioned or not) is always looked at, since an
 * ALTER TABLE of it changes its children, which may have triggers.
 */
static bool
may_have_rules(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		result;

	if (!HeapTupleIsValid(tuple))
		return false;
	result = ((Form_pg_class) GETSTRUCT(tuple))->relhastriggers ||
		((Form_pg_class) GETSTRUCT(tuple))->relhassubclass;
	ReleaseSysCache(tuple);
	return result;
}

/*
 * The tables a CREATE TRIGGER, CREATE TABLE, ALTER TABLE or ALTER TYPE made
 * or changed that may carry mpn triggers.
 */
/*
 * The tables of composite type relid's row type (CREATE TABLE ... OF),
 * whose columns ALTER TYPE ... CASCADE changes
 */
static List *
typed_tables_of(Oid relid)
{
	Oid			type = get_rel_type_id(relid);
	Relation	depend;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *result = NIL;

	if (!OidIsValid(type))
		return NIL;
	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(TypeRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(type));
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->classid == RelationRelationId && dep->objsubid == 0 &&
			dep->deptype == DEPENDENCY_NORMAL && get_rel_relkind(dep->objid) != RELKIND_COMPOSITE_TYPE)
			result = list_append_unique_oid(result, dep->objid);
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return result;
}

static List *
tables_of_statement(Node *parsetree)
{
	List	   *result = NIL;
	ListCell   *lc;

	/* a new table that is no partition has no triggers */
	if (IsA(parsetree, CreateStmt) && ((CreateStmt *) parsetree)->partbound == NULL)
		return NIL;

	/*
	 * ALTER TABLE of a table without triggers or children, the most common
	 * DDL, is passed over without reading the command's objects.  Only the
	 * table's owner may ALTER it, and a name that finds another table now
	 * (code the command ran may have changed search_path) can only make
	 * that owner's own checks be skipped, never run on another's table.
	 */
	if (IsA(parsetree, AlterTableStmt) && ((AlterTableStmt *) parsetree)->objtype == OBJECT_TABLE)
	{
		Oid			named = RangeVarGetRelid(((AlterTableStmt *) parsetree)->relation, NoLock, true);

		if (OidIsValid(named) && !may_have_rules(named))
			return NIL;
	}
	foreach(lc, tables_of_command())
		if (may_have_rules(lfirst_oid(lc)))
			result = lappend_oid(result, lfirst_oid(lc));
	return result;
}

/*
 * What of a command attaches rules to rows already stored: CREATE [OR
 * REPLACE] TRIGGER, ALTER TABLE ... ENABLE [ALWAYS | REPLICA] TRIGGER,
 * ENABLE TRIGGER ALL | USER, ATTACH PARTITION.  (A new partition, CREATE
 * TABLE ... PARTITION OF, is empty.)
 */
static AttachSpec
attach_spec_of(Node *parsetree)
{
	AttachSpec	spec = {NIL, false, NIL};
	ListCell   *lc;

	if (IsA(parsetree, CreateTrigStmt))
		spec.names = list_make1(makeString(((CreateTrigStmt *) parsetree)->trigname));
	if (!IsA(parsetree, AlterTableStmt))
		return spec;
	foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		switch (cmd->subtype)
		{
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
				spec.names = lappend(spec.names, makeString(cmd->name));
				break;
			case AT_EnableTrigAll:
			case AT_EnableTrigUser:
				spec.all = true;
				break;
			case AT_AttachPartition:
				{
					Oid			partition = RangeVarGetRelid(((PartitionCmd *) cmd->def)->name,
															 NoLock, true);

					if (OidIsValid(partition))
						spec.partitions = lappend_oid(spec.partitions, partition);
				}
				break;
			default:
				break;
		}
	}
	return spec;
}

/*
 * mpn_check_attachments(): the event trigger, ON ddl_command_end, for
 * CREATE TRIGGER, CREATE TABLE, ALTER TABLE and ALTER TYPE: the tables the
 * command made or changed, and only those.
 */
PG_FUNCTION_INFO_V1(mpn_check_attachments);
Datum
mpn_check_attachments(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	List	   *tables;
	AttachSpec	spec;
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.check_attachments() was not called by the event trigger manager")));
	trigdata = (EventTriggerData *) fcinfo->context;

	/*
	 * 1.1 also ran this after DROP INDEX, over every table with an mpn
	 * trigger; a drop is now judged before it starts (drop_guard.c), from
	 * what it would take away.
	 */
	if (trigdata->tag == CMDTAG_DROP_INDEX)
		PG_RETURN_NULL();
	tables = tables_of_statement(trigdata->parsetree);

	/*
	 * With check_function_bodies off, as pg_restore and pg_dump's scripts
	 * run, objects may come in any order that their dependencies allow (a
	 * parallel restore may attach a trigger before the constraint it needs
	 * is back), so the checks wait for the first row, as PostgreSQL's own
	 * checks of function bodies wait for the first call; the rechecks are
	 * made all the same.
	 */
	spec = attach_spec_of(trigdata->parsetree);
	foreach(lc, tables)
		(void) check_table(lfirst_oid(lc), check_function_bodies ? CHECK_STRICT : CHECK_NONE,
						   &spec, false);
	PG_RETURN_NULL();
}

/*
 * mpn_check_trigger_change(): the event trigger mpn_check_trigger_changes,
 * ON ddl_command_start for CREATE TRIGGER.  PostgreSQL lets any role with
 * the TRIGGER privilege CREATE OR REPLACE a table's trigger; a rule is the
 * owner's to change: replacing an mpn trigger in any way (function,
 * arguments, events, timing, columns, WHEN), or another trigger by an mpn
 * one, is refused to other roles.  A rule is never replaced by a function
 * of a temporary schema, which would vanish with its session.
 */
/* The function of relid's trigger named name, or InvalidOid */
static Oid
trigger_function(Oid relid, const char *name)
{
	Relation	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			func = InvalidOid;

	ScanKeyInit(&key[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum(name));
	scan = systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL, 2, key);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
		func = ((Form_pg_trigger) GETSTRUCT(tuple))->tgfoid;
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return func;
}

PG_FUNCTION_INFO_V1(mpn_check_trigger_change);
Datum
mpn_check_trigger_change(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	CreateTrigStmt *stmt;
	Oid			relid;
	Oid			newfunc;
	const RuleKind *newkind;
	List	   *tables;
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.check_trigger_change() was not called by the event trigger manager")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (!IsA(trigdata->parsetree, CreateTrigStmt))
		PG_RETURN_NULL();
	stmt = (CreateTrigStmt *) trigdata->parsetree;
	if (!stmt->replace)
		PG_RETURN_NULL();
	/* names only, no locks: CREATE TRIGGER itself checks and locks */
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid) ||
		pg_class_aclcheck(relid, GetUserId(), ACL_TRIGGER) != ACLCHECK_OK)
		PG_RETURN_NULL();		/* PostgreSQL refuses it with its own message */
	newfunc = LookupFuncName(stmt->funcname, 0, NULL, true);
	newkind = OidIsValid(newfunc) ? mpn_rule_kind_of_function(newfunc) : NULL;

	/*
	 * On a partitioned table the replacement reaches the trigger of the
	 * same name on every partition, each of which may be a rule of its own
	 * and belong to another role: each is judged as the table it is on.
	 */
	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
		tables = find_all_inheritors(relid, NoLock, NULL);
	else
		tables = list_make1_oid(relid);
	foreach(lc, tables)
	{
		Oid			table = lfirst_oid(lc);
		Oid			oldfunc = trigger_function(table, stmt->trigname);
		const RuleKind *oldkind;

		if (!OidIsValid(oldfunc))
			continue;			/* nothing is replaced there */
		oldkind = mpn_rule_kind_of_function(oldfunc);
		if (oldkind == NULL && newkind == NULL)
			continue;
		if (!mpn_owns_table(table))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to replace trigger \"%s\" on table \"%s\"",
							stmt->trigname, get_rel_name(table)),
					 oldkind != NULL ?
					 errdetail("Trigger \"%s\" keeps a rule of mpn_benefits (%s()); only the table's owner may change it.",
							   stmt->trigname, get_func_name(oldfunc)) :
					 errdetail("Trigger \"%s\" would become a rule of mpn_benefits (%s()); only the table's owner may make a trigger one by replacing it.",
							   stmt->trigname, get_func_name(newfunc)),
					 errhint("Ask the owner of the table, or CREATE TRIGGER under another name to add a rule.")));
		if (oldkind != NULL && OidIsValid(newfunc) && isAnyTempNamespace(get_func_namespace(newfunc)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("cannot replace trigger \"%s\" on table \"%s\" with a temporary function",
							stmt->trigname, get_rel_name(table)),
					 errdetail("Trigger \"%s\" keeps a rule of mpn_benefits (%s()), and %s() would vanish with its session.",
							   stmt->trigname, get_func_name(oldfunc), get_func_name(newfunc)),
					 errhint("DROP TRIGGER first if the rule is no longer wanted.")));
	}
	PG_RETURN_NULL();
}

/*
 * mpn_check_index_drop(): what 1.1's event trigger mpn_check_index_drops
 * calls, ON ddl_command_start for DROP INDEX; the library still answers to
 * it until ALTER EXTENSION ... UPDATE.  Judged as every other drop is.
 */
PG_FUNCTION_INFO_V1(mpn_check_index_drop);
Datum
mpn_check_index_drop(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.check_index_drop() was not called by the event trigger manager")));
	mpn_check_drop(((EventTriggerData *) fcinfo->context)->parsetree);
	PG_RETURN_NULL();
}

/*
 * One table's checks for mpn.check_triggers(), in a subtransaction, with
 * lock_timeout set to CHECK_LOCK_TIMEOUT: a table another transaction
 * keeps busy (a lock on a partition or an index, a writer in the way of a
 * recheck being made) is left for a later call with a WARNING instead of
 * holding the caller up.  Other errors go on as they came (strict), or
 * were made WARNINGs by check_or_warn() already.
 */
#define CHECK_LOCK_TIMEOUT "1s"

static int
check_table_in_subtransaction(Oid relid, CheckMode mode)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile int seen = 0;
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("lock_timeout", CHECK_LOCK_TIMEOUT, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		seen = check_table(relid, mode, NULL, false);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		ereport(WARNING,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("the triggers of table \"%s\" are left unchecked: another transaction holds a lock on it",
						get_rel_name(relid)),
				 errdetail("%s", edata->message),
				 errhint("Run mpn.check_triggers() again when the table is free.")));
		FreeErrorData(edata);
		seen = 0;
	}
	PG_END_TRY();
	AtEOXact_GUC(false, nestlevel);
	return seen;
}

/*
 * mpn.check_triggers(strict): check every mpn trigger of the tables the
 * current user owns (all of them, for a superuser) and give the BEFORE
 * ones their rechecks; what ALTER EXTENSION ... UPDATE runs for the
 * triggers attached under 1.0.  Returns the triggers checked.  Each
 * table's checks run as its owner, in a subtransaction of their own.
 */
PG_FUNCTION_INFO_V1(mpn_check_triggers);
Datum
mpn_check_triggers(PG_FUNCTION_ARGS)
{
	bool		strict = PG_GETARG_BOOL(0);
	List	   *tables = tables_with_rules();
	ListCell   *lc;
	int			seen = 0;

	/*
	 * Another session's temporary tables are its own business (and one it
	 * keeps locked would make this wait).
	 */
	foreach(lc, tables)
	{
		Oid			relid = lfirst_oid(lc);

		if (!mpn_owns_table(relid) || isOtherTempNamespace(get_rel_namespace(relid)))
			continue;

		/*
		 * Nor does it wait for a lock another transaction holds on a table
		 * (any role may lock a table of its own): such a table is left for
		 * a later call, and said so.
		 */
		if (!ConditionalLockRelationOid(relid, AccessShareLock))
		{
			ereport(WARNING,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("the triggers of table \"%s\" are left unchecked: another transaction holds a lock on it",
							get_rel_name(relid)),
					 errhint("Run mpn.check_triggers() again when the table is free.")));
			continue;
		}
		seen += check_table_in_subtransaction(relid, strict ? CHECK_STRICT : CHECK_WARN);
		UnlockRelationOid(relid, AccessShareLock);
	}
	PG_RETURN_INT32(seen);
}
