/*-------------------------------------------------------------------------
 *
 * support.c
 *	  The machinery the integrity triggers share (see support.h).
 *
 * src/triggers/support.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/rls.h"
#include "utils/syscache.h"


bool		mpn_ddl_runs_table_code = true;
Oid			mpn_ddl_caller = InvalidOid;

/*
 * Setup: checking how a trigger is attached, once per statement
 */

/*
 * Refuse to run other than as the documented kind of trigger.  Returns true
 * when this is the recheck of such a trigger (an internal AFTER ROW trigger
 * that attachment.c made), false for the trigger itself.
 */
bool
mpn_require_attachment(FunctionCallInfo fcinfo, const char *func, bool before,
					   int16 events, const char *events_text)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Trigger    *tg;
	int16		type;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function %s() was not called by the trigger manager", func),
				 errhint("Attach it with CREATE TRIGGER.")));
	tg = td->tg_trigger;
	type = tg->tgtype;
	/* a recheck (AFTER ROW) or a truncate guard (BEFORE TRUNCATE), made by attachment.c */
	if (before && tg->tgisinternal &&
		(TRIGGER_FOR_ROW(type) ? TRIGGER_FOR_AFTER(type) :
		 TRIGGER_FOR_BEFORE(type) && TRIGGER_FOR_TRUNCATE(type)))
		return true;
	if (OidIsValid(tg->tgconstraint) || tg->tgdeferrable)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" is a constraint trigger",
						mpn_trigger_name(td), mpn_table_name(td->tg_relation)),
				 errdetail("%s() runs as a plain trigger: a constraint trigger may be deferred to the end of the transaction, after the row it should check has changed again.",
						   func),
				 errhint("Drop it and attach %s() with CREATE TRIGGER, without CONSTRAINT.", func)));
	if (!TRIGGER_FOR_ROW(type) ||
		(before ? !TRIGGER_FOR_BEFORE(type) : !TRIGGER_FOR_AFTER(type)) ||
		(type & events) != events ||
		tg->tgnattr > 0 || tg->tgqual != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" is not attached as %s() requires",
						mpn_trigger_name(td), mpn_table_name(td->tg_relation), func),
				 errdetail("%s() must fire %s %s FOR EACH ROW, with no column list and no WHEN condition.",
						   func, before ? "BEFORE" : "AFTER", events_text),
				 errhint("CREATE OR REPLACE TRIGGER %s %s %s ON %s FOR EACH ROW EXECUTE FUNCTION %s(...);",
						 quote_identifier(mpn_trigger_name(td)), before ? "BEFORE" : "AFTER",
						 events_text,
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation)),
													mpn_table_name(td->tg_relation)),
						 func)));
	return false;
}

/* Refuse a wrong number of trigger arguments */
void
mpn_require_arguments(TriggerData *td, const char *func, int min, int max,
				  const char *signature)
{
	Trigger    *tg = td->tg_trigger;

	if (tg->tgnargs < min || tg->tgnargs > max)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg_plural("trigger \"%s\" on table \"%s\" passes %d argument to %s()",
							   "trigger \"%s\" on table \"%s\" passes %d arguments to %s()",
							   tg->tgnargs,
							   mpn_trigger_name(td), mpn_table_name(td->tg_relation),
							   tg->tgnargs, func),
				 errdetail("%s() takes the arguments (%s).", func, signature)));
}

/*
 * The column named by trigger argument argi, recorded in rule->attnum[slot]
 * with its base type.
 */
void
mpn_column_argument(TriggerData *td, RuleTrigger *rule, int slot, int argi,
				const char *func, const char *argname)
{
	Trigger    *tg = td->tg_trigger;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	const char *colname = tg->tgargs[argi];
	int			attnum = SPI_fnumber(tupdesc, colname);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of table \"%s\" does not exist",
						colname, mpn_table_name(td->tg_relation)),
				 errdetail("Trigger \"%s\" names it as the %s argument of %s().",
						   mpn_trigger_name(td), argname, func)));
	rule->attnum[slot] = (AttrNumber) attnum;
	rule->atttype[slot] = getBaseType(TupleDescAttr(tupdesc, attnum - 1)->atttypid);
}

/* Refuse a column whose type the rule cannot use */
pg_noinline void
mpn_report_column_type(TriggerData *td, const RuleTrigger *rule, int slot,
				   const char *func, const char *argname, const char *wanted)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("column \"%s\" of table \"%s\" has type %s",
					NameStr(TupleDescAttr(RelationGetDescr(td->tg_relation),
										  rule->attnum[slot] - 1)->attname),
					mpn_table_name(td->tg_relation),
					format_type_be(rule->atttype[slot])),
			 errdetail("Trigger \"%s\" names it as the %s argument of %s(), which must be %s.",
					   mpn_trigger_name(td), argname, func, wanted)));
}

bool
mpn_is_date_column(const RuleTrigger *rule, int slot)
{
	return rule->atttype[slot] == DATEOID || rule->atttype[slot] == TIMESTAMPTZOID;
}

/*
 * Is the predicate of an index (its pg_index row) exactly "column IS NOT
 * NULL" for column attnum?  (A unique index on the key WHERE redeemed IS
 * NOT NULL guards redemptions and still lets a key stand unredeemed
 * twice.)  The predicate is read as stored, not through the relcache's
 * RelationGetIndexPredicate(), which folds constants and so would run
 * functions of the table owner's, inside other roles' commands.
 */
static bool
predicate_is_not_null(HeapTuple indextuple, AttrNumber attnum)
{
	bool		isnull;
	Datum		stored = SysCacheGetAttr(INDEXRELID, indextuple, Anum_pg_index_indpred, &isnull);
	List	   *pred;
	NullTest   *test;

	if (isnull)
		return false;
	pred = make_ands_implicit((Expr *) stringToNode(TextDatumGetCString(stored)));
	if (list_length(pred) != 1 || !IsA(linitial(pred), NullTest))
		return false;
	test = (NullTest *) linitial(pred);
	return test->nulltesttype == IS_NOT_NULL && IsA(test->arg, Var) &&
		((Var *) test->arg)->varattno == attnum;
}

/*
 * Does an index (its pg_index row, and its access method) serve a rule's
 * probe of column key: a valid btree index whose first key column is that
 * plain column, seeing every row; with unique_on, a unique index on that
 * column alone whose predicate is absent or "unique_on IS NOT NULL".  Reads
 * only the catalog row: no relation is opened, no code is run.
 */
bool
mpn_index_serves_probe(HeapTuple indextuple, Oid relam, AttrNumber key, AttrNumber unique_on)
{
	Form_pg_index index = (Form_pg_index) GETSTRUCT(indextuple);
	bool		partial = !heap_attisnull(indextuple, Anum_pg_index_indpred, NULL);

	if (!index->indisvalid || !index->indisready || !index->indislive ||
		relam != BTREE_AM_OID || index->indnkeyatts < 1 || index->indkey.values[0] != key)
		return false;
	if (unique_on == InvalidAttrNumber)
		return !partial;
	return index->indisunique && index->indnkeyatts == 1 &&
		(!partial || predicate_is_not_null(indextuple, unique_on));
}

/*
 * Find an index to probe column rule->attnum[0] with (see
 * mpn_index_serves_probe()), and record its equality procedure.
 */
bool
mpn_find_probe_index(Relation rel, RuleTrigger *rule, AttrNumber unique_on)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	indexrel = index_open(indexoid, AccessShareLock);
		bool		usable = mpn_index_serves_probe(indexrel->rd_indextuple,
													indexrel->rd_rel->relam,
													rule->attnum[0], unique_on);

		if (usable)
		{
			Oid			opfamily = indexrel->rd_opfamily[0];
			Oid			opcintype = indexrel->rd_opcintype[0];
			Oid			eqop = get_opfamily_member(opfamily, opcintype, opcintype,
												   BTEqualStrategyNumber);

			if (!OidIsValid(eqop))
				elog(ERROR, "missing operator %d(%u,%u) in opfamily %u",
					 BTEqualStrategyNumber, opcintype, opcintype, opfamily);
			fmgr_info(get_opcode(eqop), &rule->probe_eq);
			rule->probe_collation = indexrel->rd_indcollation[0];
			rule->probe_index = indexoid;
			rule->probe_index_partial =
				!heap_attisnull(indexrel->rd_indextuple, Anum_pg_index_indpred, NULL);
		}
		index_close(indexrel, AccessShareLock);
		if (usable)
			break;
	}
	list_free(indexes);
	return OidIsValid(rule->probe_index);
}

/*
 * The RuleTrigger for this call: made on the first row of a statement,
 * reused for the others.
 */
RuleTrigger *
mpn_rule_for_call(FunctionCallInfo fcinfo, bool *is_new)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule = (RuleTrigger *) fcinfo->flinfo->fn_extra;

	*is_new = false;
	if (rule == NULL || rule->tgoid != td->tg_trigger->tgoid)
	{
		rule = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RuleTrigger));
		rule->tgoid = td->tg_trigger->tgoid;
		fcinfo->flinfo->fn_extra = rule;
		*is_new = true;
	}
	rule->rel = td->tg_relation;
	return rule;
}

/*
 * Does the extension's SQL have function mpn.name(argtype)?  (How the
 * library tells which version's objects the database has: 1.1 made
 * mpn.check_triggers(boolean) and the rechecks, 1.3 mpn.violations(regclass)
 * and the truncate guards.)
 */
static bool
sql_has_function(const char *name, Oid argtype)
{
	Oid			mpn = get_namespace_oid("mpn", true);

	return OidIsValid(mpn) &&
		SearchSysCacheExists3(PROCNAMEARGSNSP, CStringGetDatum(name),
							  PointerGetDatum(buildoidvector(&argtype, 1)),
							  ObjectIdGetDatum(mpn));
}

/* Is t an internal trigger of td's function and arguments that always fires? */
static bool
is_guard_of(const Trigger *t, const Trigger *rule)
{
	if (!t->tgisinternal || t->tgfoid != rule->tgfoid ||
		t->tgenabled != TRIGGER_FIRES_ALWAYS || t->tgnargs != rule->tgnargs)
		return false;
	for (int a = 0; a < t->tgnargs; a++)
		if (strcmp(t->tgargs[a], rule->tgargs[a]) != 0)
			return false;
	return true;
}

/*
 * A BEFORE ROW rule works only with its guards: the recheck (AFTER ROW)
 * and, for redeem_once and reassign_after, the truncate guard, each
 * enabled ALWAYS.  The event trigger makes them when the rule is attached;
 * where no event trigger ran (pg_upgrade makes the extension's event
 * triggers after the tables' triggers, a restore or a session with
 * session_replication_role = replica runs none) or ENABLE TRIGGER ALL made
 * them fire on origin only, the rule's first row of a statement refuses
 * the write, rather than let a protection be silently missing.
 */
static void
require_guards(TriggerData *td, const char *func)
{
	TriggerDesc *trigdesc = td->tg_relation->trigdesc;
	const Trigger *rule = td->tg_trigger;
	const RuleKind *kind = mpn_rule_kind_of_function(rule->tgfoid);
	bool		recheck = false;
	bool		truncate = false;

	if (kind == NULL || kind->recheck_events == 0)
		return;
	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
	{
		const Trigger *t = &trigdesc->triggers[i];

		if (!is_guard_of(t, rule))
			continue;
		if (TRIGGER_FOR_ROW(t->tgtype) && TRIGGER_FOR_AFTER(t->tgtype) &&
			(t->tgtype & mpn_recheck_events(kind, td->tg_relation)) == mpn_recheck_events(kind, td->tg_relation))
			recheck = true;
		else if (TRIGGER_FOR_TRUNCATE(t->tgtype))
			truncate = true;
	}
	if (recheck && (truncate || !kind->truncate_guard ||
					td->tg_relation->rd_rel->relkind == RELKIND_FOREIGN_TABLE))
		return;

	/*
	 * A database still on older SQL is asked for what its version makes:
	 * no guard under 1.0, the recheck alone under 1.1 and 1.2, until ALTER
	 * EXTENSION ... UPDATE.
	 */
	if (recheck && !sql_has_function("violations", REGCLASSOID))
		return;
	if (!recheck && !sql_has_function("check_triggers", BOOLOID))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("trigger \"%s\" on table \"%s\" is missing the guards of its rule",
					mpn_trigger_name(td), mpn_table_name(td->tg_relation)),
			 errdetail("%s() works with internal triggers that recheck the row stored%s, enabled ALWAYS; "
					   "they are made when the trigger is attached, but not where no event trigger ran "
					   "(pg_upgrade, a restore or a session with session_replication_role = replica), "
					   "and ENABLE TRIGGER ALL leaves them firing on origin only.",
					   func, kind->truncate_guard ? " and refuse TRUNCATE" : ""),
			 errhint("Run SELECT mpn.check_triggers(); as the table's owner or a superuser."),
			 errtable(td->tg_relation)));
}

/*
 * The start of every trigger's setup: the attachment checked, this
 * statement's RuleTrigger found or made, and for a recheck the trigger it
 * guards.  *needs_setup says whether the caller must read the arguments: on
 * the first row of a statement, unless the trigger is a recheck whose
 * trigger is off (then it checks nothing, not even its arguments).
 */
RuleTrigger *
mpn_setup_begin(FunctionCallInfo fcinfo, const char *func, bool before,
				int16 events, const char *events_text, bool *needs_setup)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	bool		recheck = mpn_require_attachment(fcinfo, func, before, events, events_text);
	RuleTrigger *rule = mpn_rule_for_call(fcinfo, needs_setup);

	if (*needs_setup && recheck)
	{
		mpn_find_recheck_parent(td, rule, fcinfo->flinfo->fn_mcxt);
		if (!mpn_recheck_applies(td, rule))
			*needs_setup = false;
	}
	return rule;
}

/*
 * The end of a BEFORE rule's setup, once its attachment and arguments
 * passed: at a row (not at DDL time), its guards must be there.
 */
void
mpn_setup_done(TriggerData *td, const RuleTrigger *rule, const char *func)
{
	if (!rule->recheck && td->tg_trigtuple != NULL)
		require_guards(td, func);
}

/*
 * Record in rule->equal the default equality of column slot's type, with
 * the column's collation, or refuse a type that has none.
 */
void
mpn_setup_column_equality(FunctionCallInfo fcinfo, RuleTrigger *rule, int slot,
					  const char *func, const char *argname)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TypeCacheEntry *typcache = lookup_type_cache(rule->atttype[slot], TYPECACHE_EQ_OPR_FINFO);

	if (!OidIsValid(typcache->eq_opr_finfo.fn_oid))
		mpn_report_column_type(td, rule, slot, func, argname,
						   "of a type with a default equality operator");
	fmgr_info_copy(&rule->equal, &typcache->eq_opr_finfo, fcinfo->flinfo->fn_mcxt);
	rule->equal_collation = TupleDescAttr(RelationGetDescr(td->tg_relation),
										  rule->attnum[slot] - 1)->attcollation;
}

/*
 * Reading rows
 */

Datum
mpn_get_column(const RuleTrigger *rule, int slot, HeapTuple tuple, TupleDesc tupdesc, bool *isnull)
{
	return heap_getattr(tuple, rule->attnum[slot], tupdesc, isnull);
}

/* Is column slot the same (both NULL, or the same bytes) in a and b? */
bool
mpn_column_unchanged(const RuleTrigger *rule, int slot, HeapTuple a, HeapTuple b,
				 TupleDesc tupdesc)
{
	Form_pg_attribute att = TupleDescAttr(tupdesc, rule->attnum[slot] - 1);
	bool		anull;
	bool		bnull;
	Datum		aval = mpn_get_column(rule, slot, a, tupdesc, &anull);
	Datum		bval = mpn_get_column(rule, slot, b, tupdesc, &bnull);

	if (anull || bnull)
		return anull && bnull;
	return datum_image_eq(aval, bval, att->attbyval, att->attlen);
}

/*
 * May the user see the values of these columns in a message?  Not when
 * row-level security applies to the table (a message about another row
 * would show what the policies hide), nor without SELECT on the table or
 * on each column: PostgreSQL's own rule for the values in its messages
 * (BuildIndexValueDescription(), ExecBuildSlotValueDescription()).
 */
bool
mpn_may_show_values(Relation rel, int n, const AttrNumber *attnums)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			user = GetUserId();

	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return false;
	if (pg_class_aclcheck(relid, user, ACL_SELECT) == ACLCHECK_OK)
		return true;
	for (int i = 0; i < n; i++)
		if (pg_attribute_aclcheck(relid, attnums[i], user, ACL_SELECT) != ACLCHECK_OK)
			return false;
	return true;
}

/*
 * Text of a column's value for a message, through its output function, or
 * HIDDEN_VALUE when the user may not read it (mpn_may_show_values())
 */
char *
mpn_column_text(const RuleTrigger *rule, int slot, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		value = mpn_get_column(rule, slot, tuple, tupdesc, &isnull);
	Oid			typoutput;
	bool		typisvarlena;

	if (!mpn_may_show_values(rule->rel, 1, &rule->attnum[slot]))
		return pstrdup(HIDDEN_VALUE);
	if (isnull)
		return pstrdup("NULL");
	getTypeOutputInfo(TupleDescAttr(tupdesc, rule->attnum[slot] - 1)->atttypid,
					  &typoutput, &typisvarlena);
	return OidOutputFunctionCall(typoutput, value);
}

/* The rules' day of a date or timestamptz value */
DateADT
mpn_day_of_value(Oid type, Datum value)
{
	if (type == DATEOID)
		return DatumGetDateADT(value);
	return mpn_date_of(DatumGetTimestampTz(value));
}

/*
 * The rules' day of a date or timestamptz column, in ISO whatever DateStyle
 * says (a timestamptz shows the day the rule counts, in mpn.time_zone)
 */
char *
mpn_day_text(const RuleTrigger *rule, int slot, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		value = mpn_get_column(rule, slot, tuple, tupdesc, &isnull);

	if (!mpn_may_show_values(rule->rel, 1, &rule->attnum[slot]))
		return pstrdup(HIDDEN_VALUE);
	if (isnull)
		return pstrdup("NULL");
	return mpn_date_text(mpn_day_of_value(rule->atttype[slot], value));
}

/*
 * "(id)=(42)": the row's primary key for messages, or NULL when the table
 * has none or the user may not see its columns.
 */
char *
mpn_describe_row(Relation rel, HeapTuple tuple)
{
	Oid			pkoid = mpn_primary_key_index(rel);
	Relation	indexrel;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	char	   *result;

	if (!OidIsValid(pkoid))
		return NULL;
	indexrel = index_open(pkoid, AccessShareLock);
	for (int i = 0; i < indexrel->rd_index->indnkeyatts; i++)
		values[i] = heap_getattr(tuple, indexrel->rd_index->indkey.values[i],
								 RelationGetDescr(rel), &isnull[i]);
	result = BuildIndexValueDescription(indexrel, values, isnull);
	index_close(indexrel, AccessShareLock);
	return result;
}

int
mpn_rule_column_count(const RuleTrigger *rule)
{
	int			n = 0;

	while (n < MAX_RULE_COLUMNS && rule->attnum[n] > 0)
		n++;
	return n;
}

HeapTuple
mpn_first_stored_row(Relation rel, const RuleTrigger *rule, ProbeVisit match, void *arg)
{
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	HeapTuple	found = NULL;

	while (found == NULL && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		if (match == NULL || match(rule, slot, arg))
			found = ExecCopySlotHeapTuple(slot);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	return found;
}

/*
 * The dirty-snapshot probe
 *
 * Visits every row whose column rule->attnum[0] equals value, committed or
 * not, whatever the transaction's snapshot, except the row at skip.  For
 * each, visit() says whether it matters; a row that matters and that
 * another transaction is still inserting or deleting is waited for, and
 * the scan starts again, as PostgreSQL's own unique and exclusion checks
 * do.  Returns a copy of the first row that matters once settled, or NULL.
 */

HeapTuple
mpn_probe_rows(Relation rel, const RuleTrigger *rule, Datum value,
		   ItemPointer skip, ProbeVisit visit, void *arg)
{
	Relation	indexrel = index_open(rule->probe_index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	SnapshotData dirty;
	ScanKeyData key;
	HeapTuple	found = NULL;
	bool		retry;

	InitDirtySnapshot(dirty);
	ScanKeyEntryInitializeWithInfo(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
								   rule->probe_collation,
								   (FmgrInfo *) &rule->probe_eq, value);
	do
	{
		IndexScanDesc scan = mpn_index_beginscan(rel, indexrel, &dirty, 1, 0);

		retry = false;
		index_rescan(scan, &key, 1, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			TransactionId xwait;

			if (skip != NULL && ItemPointerEquals(&slot->tts_tid, skip))
				continue;
			if (!visit(rule, slot, arg))
				continue;
			xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
			if (TransactionIdIsValid(xwait))
			{
				ItemPointerData tid = slot->tts_tid;

				index_endscan(scan);
				XactLockTableWait(xwait, rel, &tid, XLTW_RecheckExclusionConstr);
				retry = true;
				break;
			}
			found = ExecCopySlotHeapTuple(slot);
			break;
		}
		if (!retry)
			index_endscan(scan);
	} while (retry);

	ExecDropSingleTupleTableSlot(slot);
	index_close(indexrel, AccessShareLock);
	return found;
}

static const char *trigger_name_on(Relation rel, const char *name);

/*
 * Rechecks
 */

/*
 * Record in rule the trigger that this recheck guards: the one it depends
 * on (attachment.c records that when it makes the recheck).
 */
void
mpn_find_recheck_parent(TriggerData *td, RuleTrigger *rule, MemoryContext mcxt)
{
	TriggerDesc *trigdesc = td->tg_relation->trigdesc;
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;

	rule->recheck = true;
	rule->parent_tgoid = InvalidOid;
	rule->parent_name = NULL;
	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(TriggerRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(td->tg_trigger->tgoid));
	scan = systable_beginscan(depend, DependDependerIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->refclassid == TriggerRelationId && dep->deptype == DEPENDENCY_INTERNAL)
			rule->parent_tgoid = dep->refobjid;
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);

	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
		if (trigdesc->triggers[i].tgoid == rule->parent_tgoid)
			rule->parent_name = MemoryContextStrdup(mcxt, trigdesc->triggers[i].tgname);
}

/*
 * Does the recheck apply to this row: does the trigger it guards fire now
 * (not disabled, and enabled for this session_replication_role), as the
 * trigger manager decides for it?  A trigger replaced by one of another
 * function (which the event trigger refuses to all but the table's owner,
 * and lets the owner do by dropping the recheck) is still guarded.
 */
bool
mpn_recheck_applies(const TriggerData *td, const RuleTrigger *rule)
{
	TriggerDesc *trigdesc = td->tg_relation->trigdesc;

	if (!OidIsValid(rule->parent_tgoid))
		return false;
	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
	{
		const Trigger *t = &trigdesc->triggers[i];

		if (t->tgoid != rule->parent_tgoid)
			continue;
		if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
			return t->tgenabled == TRIGGER_FIRES_ON_REPLICA ||
				t->tgenabled == TRIGGER_FIRES_ALWAYS;
		return t->tgenabled == TRIGGER_FIRES_ON_ORIGIN ||
			t->tgenabled == TRIGGER_FIRES_ALWAYS;
	}
	return false;
}

/*
 * Refuse a row that a BEFORE ROW trigger firing after the rule's changed
 * so that it breaks the rule; what says what is wrong with the stored row.
 */
void
mpn_report_changed_after_check(TriggerData *td, const RuleTrigger *rule, int sqlerrcode,
							   const char *func, HeapTuple stored, const char *what)
{
	char	   *row = mpn_describe_row(td->tg_relation, stored);

	ereport(ERROR,
			(errcode(sqlerrcode),
			 row != NULL ?
			 errmsg("another trigger changed row %s of table \"%s\" after %s() checked it",
					row, mpn_table_name(td->tg_relation), func) :
			 errmsg("another trigger changed a row of table \"%s\" after %s() checked it",
					mpn_table_name(td->tg_relation), func),
			 errdetail("%s", what),
			 errhint("BEFORE ROW triggers fire in the order of their names: keep those that sort after \"%s\" from changing \"%s\" and \"%s\".",
					 rule->parent_name != NULL ? trigger_name_on(td->tg_relation, rule->parent_name) :
					 mpn_trigger_name(td),
					 td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
			 errtable(td->tg_relation)));
}

/*
 * Names for messages
 */

/* The number after the last "_" of name, or 0 if it is not all digits */
static uint64
name_suffix_number(const char *name)
{
	const char *us = strrchr(name, '_');
	uint64		number = 0;

	if (us == NULL || us[1] == '\0' || strlen(us + 1) > 19)
		return 0;
	for (const char *c = us + 1; *c != '\0'; c++)
	{
		if (*c < '0' || *c > '9')
			return 0;
		number = number * 10 + (uint64) (*c - '0');
	}
	return number;
}

/* The Citus shard id of rel, or 0 when it is not a shard (or no Citus) */
static uint64
citus_shard_id(Relation rel)
{
	uint64		shardid = name_suffix_number(RelationGetRelationName(rel));
	Oid			logical = InvalidOid;

	if (shardid == 0 || !OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)))
		return 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		return 0;
	{
		Oid			argtypes[1] = {INT8OID};
		Datum		args[1] = {Int64GetDatum((int64) shardid)};

		if (SPI_execute_with_args("SELECT logicalrelid FROM pg_catalog.pg_dist_shard WHERE shardid OPERATOR(pg_catalog.=) $1",
								  1, argtypes, args, NULL, true, 1) == SPI_OK_SELECT &&
			SPI_processed == 1)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				logical = DatumGetObjectId(value);
		}
	}
	SPI_finish();
	return OidIsValid(logical) ? shardid : 0;
}

const char *
mpn_table_name(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	uint64		shardid = citus_shard_id(rel);

	if (shardid == 0)
		return name;
	/* the shard is "<table>_<shardid>" */
	return pnstrdup(name, strrchr(name, '_') - name);
}

/* A trigger's name on rel without the shard id Citus appends on a shard */
static const char *
trigger_name_on(Relation rel, const char *name)
{
	uint64		shardid = citus_shard_id(rel);

	if (shardid == 0 || name_suffix_number(name) != shardid)
		return name;
	return pnstrdup(name, strrchr(name, '_') - name);
}

const char *
mpn_trigger_name(const TriggerData *td)
{
	return trigger_name_on(td->tg_relation, td->tg_trigger->tgname);
}

/*
 * Partitions
 *
 * An UPDATE that moves a row to another partition runs, for that row, the
 * BEFORE UPDATE triggers of the partition it leaves, then its BEFORE
 * DELETE triggers, then the BEFORE INSERT triggers of the partition it
 * enters (and later that one's AFTER INSERT triggers).  For a rule the
 * DELETE and the INSERT are one row kept, not a deletion and a new row:
 *
 * - BEFORE UPDATE notes the row (its tid) and the rule's columns as the
 *   UPDATE leaves them, in the trigger's RuleTrigger, which lives in the
 *   executor's own copy of the trigger function (fn_extra of the result
 *   relation's FmgrInfo): no other statement can see it.
 * - BEFORE DELETE of that very row, in that executor, can only be the
 *   move: it is let through, and the move is put "in flight".  (Should a
 *   later BEFORE DELETE trigger keep the row, the move is called off: the
 *   INSERT below finds the row still there, and is no move.)
 * - BEFORE INSERT, on another partition, by a trigger of the same name (a
 *   clone of the same parent), in the same command and statement, while
 *   the row it left is gone: the move lands.  If the rule's columns are
 *   exactly those noted, the rule keeps the row's state; if another
 *   trigger changed them on the way, the rule says what that is
 *   (mpn_move_landing()).
 * - The AFTER INSERT recheck of the partition entered finds the landed
 *   move, in order, and checks that the row stored still carries it (a
 *   BEFORE INSERT trigger sorting after the rule's could change it).  A
 *   move that must arrive so (a redemption) and was never found by its
 *   recheck fails the transaction at commit (mpn_moves_check_arrived()).
 *
 * All of it lives in TopTransactionContext, is dropped with the
 * subtransaction that made it when that one aborts, and is forgotten at
 * the end of the transaction (mpn_moves_reset()).
 */
typedef enum MoveState
{
	MOVE_IN_FLIGHT,				/* left its partition (the DELETE) */
	MOVE_LANDED					/* entered another, as it left (the BEFORE INSERT) */
} MoveState;

typedef struct RowMove
{
	NameData	trigger;		/* the name the clones share */
	CommandId	cid;			/* the command that moves it */
	TimestampTz statement;		/* and its statement */
	SubTransactionId subxid;	/* the subtransaction it happens in */
	MoveState	state;
	Oid			from;			/* the partition it left */
	ItemPointerData from_tid;	/* and its row there */
	Oid			into;			/* the partition it entered */
	int			nvalues;
	Datum		values[MAX_RULE_COLUMNS];
	bool		isnull[MAX_RULE_COLUMNS];
} RowMove;

/*
 * Every move of the transaction not yet stored as it left (NULL once it
 * is), in the order they happen; the last one to leave, for its landing
 */
static List *moves = NIL;
static int	moves_head = 0;		/* the first that is not NULL */
static RowMove *move_in_flight = NULL;

void
mpn_moves_reset(void)
{
	move_in_flight = NULL;
	moves = NIL;
	moves_head = 0;
}

/* A move done with: stored as it left, or judged otherwise */
static void
move_done(int i)
{
	list_nth_cell(moves, i)->ptr_value = NULL;
	while (moves_head < list_length(moves) && list_nth(moves, moves_head) == NULL)
		moves_head++;
}

/* Forget the moves of a subtransaction that aborts (its rows are back) */
void
mpn_moves_forget_subxact(SubTransactionId subxid)
{
	if (move_in_flight != NULL && move_in_flight->subxid == subxid)
		move_in_flight = NULL;
	for (int i = moves_head; i < list_length(moves); i++)
	{
		RowMove    *move = (RowMove *) list_nth(moves, i);

		if (move != NULL && move->subxid == subxid)
			move_done(i);
	}
}

static bool move_left_its_row(const RowMove *move);

/*
 * At commit: every row a rule let leave its partition as a move was
 * stored in another as it left, under the same rule.  One that left and
 * never entered (no clone of the rule where it went, a BEFORE trigger that
 * dropped it, a DELETE dressed as a move), or that another trigger changed
 * after the rule let it in, fails the transaction.
 */
void
mpn_moves_check_arrived(void)
{
	for (int i = moves_head; i < list_length(moves); i++)
	{
		RowMove    *move = (RowMove *) list_nth(moves, i);

		if (move == NULL)
			continue;
		if (move->state == MOVE_IN_FLIGHT && !move_left_its_row(move))
			continue;			/* called off: the row stayed where it was */
		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 move->state == MOVE_IN_FLIGHT ?
				 errmsg("a row that trigger \"%s\" let leave partition \"%s\" was not stored in another under the same rule",
						NameStr(move->trigger), get_rel_name(move->from)) :
				 errmsg("a row that trigger \"%s\" let into partition \"%s\" was changed before it was stored",
						NameStr(move->trigger), get_rel_name(move->into)),
				 errdetail("A row leaves a partition guarded by the rule only to enter another that the same rule guards, "
						   "with the rule's columns as they were; the transaction is refused."),
				 errhint("Move rows only between partitions that carry the rule (its clones), and keep other triggers from changing or dropping them on the way.")));
	}
}


void
mpn_move_note_update(RuleTrigger *rule, TriggerData *td, HeapTuple written)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	MemoryContext old;

	if (!td->tg_relation->rd_rel->relispartition)
		return;
	if (rule->move_cxt == NULL)
		rule->move_cxt = AllocSetContextCreate(GetMemoryChunkContext(rule), "mpn row move",
											   ALLOCSET_SMALL_SIZES);
	MemoryContextReset(rule->move_cxt);
	old = MemoryContextSwitchTo(rule->move_cxt);
	rule->move_nvalues = mpn_rule_column_count(rule);
	for (int i = 0; i < rule->move_nvalues; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, rule->attnum[i] - 1);
		Datum		value = heap_getattr(written, rule->attnum[i], tupdesc, &rule->move_isnull[i]);

		rule->move_values[i] = rule->move_isnull[i] ? (Datum) 0 :
			datumCopy(value, att->attbyval, att->attlen);
	}
	MemoryContextSwitchTo(old);
	rule->updating_tid = td->tg_trigtuple->t_self;
}

bool
mpn_move_is_delete(RuleTrigger *rule, TriggerData *td)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	RowMove    *move;
	MemoryContext old;

	if (!td->tg_relation->rd_rel->relispartition ||
		!ItemPointerIsValid(&rule->updating_tid) ||
		!ItemPointerEquals(&rule->updating_tid, &td->tg_trigtuple->t_self))
		return false;
	ItemPointerSetInvalid(&rule->updating_tid);
	old = MemoryContextSwitchTo(TopTransactionContext);
	move = palloc0(sizeof(RowMove));
	namestrcpy(&move->trigger, td->tg_trigger->tgname);
	move->from = RelationGetRelid(td->tg_relation);
	move->from_tid = td->tg_trigtuple->t_self;
	move->cid = GetCurrentCommandId(false);
	move->statement = GetCurrentStatementStartTimestamp();
	move->subxid = GetCurrentSubTransactionId();
	move->nvalues = rule->move_nvalues;
	for (int i = 0; i < move->nvalues; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, rule->attnum[i] - 1);

		move->isnull[i] = rule->move_isnull[i];
		move->values[i] = move->isnull[i] ? (Datum) 0 :
			datumCopy(rule->move_values[i], att->attbyval, att->attlen);
	}
	move->state = MOVE_IN_FLIGHT;
	moves = lappend(moves, move);
	MemoryContextSwitchTo(old);
	move_in_flight = move;
	return true;
}

/*
 * Has the row the move left been deleted, by this command?  (Another
 * BEFORE DELETE trigger may have kept it, and with it called the move off.)
 */
static bool
move_left_its_row(const RowMove *move)
{
	Relation	from = relation_open(move->from, NoLock);
	TupleTableSlot *slot = table_slot_create(from, NULL);
	ItemPointerData tid = move->from_tid;
	bool		still_there = table_tuple_fetch_row_version(from, &tid, SnapshotSelf, slot);

	ExecDropSingleTupleTableSlot(slot);
	relation_close(from, NoLock);
	return !still_there;
}

/* Does row carry exactly the rule columns of move? */
static bool
move_carries(const RowMove *move, const RuleTrigger *rule, TupleDesc tupdesc, HeapTuple row)
{
	if (move->nvalues != mpn_rule_column_count(rule))
		return false;
	for (int i = 0; i < move->nvalues; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, rule->attnum[i] - 1);
		bool		isnull;
		Datum		value = heap_getattr(row, rule->attnum[i], tupdesc, &isnull);

		if (isnull != move->isnull[i] ||
			(!isnull && !datum_image_eq(value, move->values[i], att->attbyval, att->attlen)))
			return false;
	}
	return true;
}

/*
 * Is the row BEFORE INSERT trigger td is inserting a row moving in from
 * another partition?  MOVE_NONE: no, a new row.  MOVE_KEPT: yes, with the
 * rule's columns as they left; the move has landed, and its recheck must
 * find it stored so.  MOVE_CHANGED: yes, and another trigger changed them
 * on the way; was and was_null get them as they left, and the caller
 * judges the row.
 */
MoveLanding
mpn_move_landing(const RuleTrigger *rule, TriggerData *td, HeapTuple row,
				 Datum *was, bool *was_null)
{
	RowMove    *move = move_in_flight;

	if (!td->tg_relation->rd_rel->relispartition || move == NULL ||
		strcmp(NameStr(move->trigger), td->tg_trigger->tgname) != 0 ||
		move->cid != GetCurrentCommandId(false) ||
		move->statement != GetCurrentStatementStartTimestamp())
		return MOVE_NONE;
	move_in_flight = NULL;
	if (!move_left_its_row(move))
		return MOVE_NONE;
	if (!move_carries(move, rule, RelationGetDescr(td->tg_relation), row))
	{
		for (int i = 0; i < move->nvalues; i++)
		{
			was[i] = move->values[i];
			was_null[i] = move->isnull[i];
		}
		for (int i = list_length(moves) - 1; i >= moves_head; i--)
			if (list_nth(moves, i) == move)
				move_done(i);
		return MOVE_CHANGED;
	}
	move->state = MOVE_LANDED;
	move->into = RelationGetRelid(td->tg_relation);
	return MOVE_KEPT;
}

/*
 * The recheck (AFTER INSERT) of a partition: is the row stored a move that
 * landed there, carrying the rule's columns as they left?  Takes the move.
 */
bool
mpn_move_arrived(const RuleTrigger *rule, TriggerData *td, HeapTuple stored)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	Oid			relid = RelationGetRelid(td->tg_relation);

	if (!td->tg_relation->rd_rel->relispartition || rule->parent_name == NULL)
		return false;
	for (int i = moves_head; i < list_length(moves); i++)
	{
		RowMove    *move = (RowMove *) list_nth(moves, i);

		if (move == NULL || move->state != MOVE_LANDED || move->into != relid ||
			strcmp(NameStr(move->trigger), rule->parent_name) != 0 ||
			!move_carries(move, rule, tupdesc, stored))
			continue;
		move_done(i);
		return true;
	}
	return false;
}
