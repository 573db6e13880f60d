/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  C trigger functions that enforce the program's hard rules on a
 *	  partner's own tables, told by trigger arguments which columns to read.
 *
 *	  mpn.redeem_once(key_column, redeemed_column)
 *	  mpn.reassign_after(subscriber_column, assigned_on_column [, days])
 *	  mpn.exclusive_offer(user_column, offer_column [, exclusive_value])
 *	  mpn.partner_tenant_only(tenant_column, partner_tenant_column [, demo_column])
 *
 * Why the rules hold under concurrent writers (the README says it to users):
 *
 * - Rules about one row (a redemption is never changed or deleted; a
 *   subscription passes on only 90 days after its last assignment; a demo
 *   license stays on the partner's tenant) read only OLD and NEW.  UPDATE
 *   and DELETE lock the row before a BEFORE ROW trigger sees it, and at
 *   READ COMMITTED the trigger is handed the newest committed version, so
 *   two writers of one row are checked one after the other.  At REPEATABLE
 *   READ and SERIALIZABLE the second writer gets a serialization failure.
 *
 * - Rules across rows never trust the transaction's snapshot.  redeem_once
 *   stands on a unique index (which no snapshot can fool) and only adds a
 *   probe with a dirty snapshot, so that the usual loser gets a message
 *   with the facts.  exclusive_offer works like PostgreSQL's exclusion
 *   constraints: an AFTER ROW trigger looks, with a dirty snapshot, through
 *   an index for a clashing row once its own row is in that index, and
 *   waits for any transaction still writing one; of two clashing writers
 *   the later to look always sees the other.
 *
 * No SQL is run: the triggers read the table they fire on, found by its
 *	OID, through its own indexes, with operators taken from the index's
 *	operator family, so neither search_path nor a user's operators reach
 *	them.  Column names come from trigger arguments and are matched as
 *	names, never pasted into a query.
 *
 * src/triggers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "mpn_benefits.h"

#define MAX_RULE_COLUMNS 3

/*
 * What a trigger learned about its table from its arguments, set up once
 * per statement in the trigger function's fn_extra.
 */
typedef struct RuleTrigger
{
	Oid			tgoid;			/* the trigger this was set up for */
	AttrNumber	attnum[MAX_RULE_COLUMNS];	/* columns named by arguments */
	Oid			atttype[MAX_RULE_COLUMNS];	/* their base types */
	Oid			probe_index;	/* index whose first column is attnum[0] */
	bool		probe_index_partial;	/* it has a WHERE clause */
	FmgrInfo	probe_eq;		/* its equality procedure for that column */
	Oid			probe_collation;
	int32		days;			/* reassign_after: the waiting period */
	Datum		exclusive_value;	/* exclusive_offer: in the offer's type */
	FmgrInfo	equal;			/* exclusive_offer, partner_tenant_only: the = */
	Oid			equal_collation;
} RuleTrigger;

/*
 * Setup: checking how a trigger is attached, once per statement
 */

/* Refuse to run other than as the documented kind of trigger */
static void
require_attachment(FunctionCallInfo fcinfo, const char *func, bool before,
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
	if (!TRIGGER_FOR_ROW(type) ||
		(before ? !TRIGGER_FOR_BEFORE(type) : !TRIGGER_FOR_AFTER(type)) ||
		(type & events) != events ||
		tg->tgnattr > 0 || tg->tgqual != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" is not attached as %s() requires",
						tg->tgname, RelationGetRelationName(td->tg_relation), func),
				 errdetail("%s() must fire %s %s FOR EACH ROW, with no column list and no WHEN condition.",
						   func, before ? "BEFORE" : "AFTER", events_text),
				 errhint("CREATE OR REPLACE TRIGGER %s %s %s ON %s FOR EACH ROW EXECUTE FUNCTION %s(...);",
						 quote_identifier(tg->tgname), before ? "BEFORE" : "AFTER",
						 events_text,
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation)),
													RelationGetRelationName(td->tg_relation)),
						 func)));
}

/* Refuse a wrong number of trigger arguments */
static void
require_arguments(TriggerData *td, const char *func, int min, int max,
				  const char *signature)
{
	Trigger    *tg = td->tg_trigger;

	if (tg->tgnargs < min || tg->tgnargs > max)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg_plural("trigger \"%s\" on table \"%s\" passes %d argument to %s()",
							   "trigger \"%s\" on table \"%s\" passes %d arguments to %s()",
							   tg->tgnargs,
							   tg->tgname, RelationGetRelationName(td->tg_relation),
							   tg->tgnargs, func),
				 errdetail("%s() takes the arguments (%s).", func, signature)));
}

/*
 * The column named by trigger argument argi, recorded in rule->attnum[slot]
 * with its base type.
 */
static void
column_argument(TriggerData *td, RuleTrigger *rule, int slot, int argi,
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
						colname, RelationGetRelationName(td->tg_relation)),
				 errdetail("Trigger \"%s\" names it as the %s argument of %s().",
						   tg->tgname, argname, func)));
	rule->attnum[slot] = (AttrNumber) attnum;
	rule->atttype[slot] = getBaseType(TupleDescAttr(tupdesc, attnum - 1)->atttypid);
}

/* Refuse a column whose type the rule cannot use */
static pg_noinline void
report_column_type(TriggerData *td, const RuleTrigger *rule, int slot,
				   const char *func, const char *argname, const char *wanted)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("column \"%s\" of table \"%s\" has type %s",
					NameStr(TupleDescAttr(RelationGetDescr(td->tg_relation),
										  rule->attnum[slot] - 1)->attname),
					RelationGetRelationName(td->tg_relation),
					format_type_be(rule->atttype[slot])),
			 errdetail("Trigger \"%s\" names it as the %s argument of %s(), which must be %s.",
					   td->tg_trigger->tgname, argname, func, wanted)));
}

static bool
is_date_column(const RuleTrigger *rule, int slot)
{
	return rule->atttype[slot] == DATEOID || rule->atttype[slot] == TIMESTAMPTZOID;
}

/*
 * Does indexrel serve as a probe for column attnum: a valid btree index
 * whose first key column is that plain column?
 */
static bool
index_leads_with(Relation indexrel, AttrNumber attnum)
{
	Form_pg_index index = indexrel->rd_index;

	return index->indisvalid && index->indisready && index->indislive &&
		indexrel->rd_rel->relam == BTREE_AM_OID &&
		index->indnkeyatts >= 1 && index->indkey.values[0] == attnum;
}

/*
 * Is the index's predicate absent, or exactly "column IS NOT NULL" for
 * column attnum?  (A unique index on the key WHERE redeemed IS NOT NULL
 * guards redemptions and still lets a key stand unredeemed twice.)
 */
static bool
predicate_is_absent_or_not_null(Relation indexrel, AttrNumber attnum)
{
	List	   *pred = RelationGetIndexPredicate(indexrel);
	NullTest   *test;

	if (pred == NIL)
		return true;
	if (list_length(pred) != 1 || !IsA(linitial(pred), NullTest))
		return false;
	test = (NullTest *) linitial(pred);
	return test->nulltesttype == IS_NOT_NULL && IsA(test->arg, Var) &&
		((Var *) test->arg)->varattno == attnum;
}

/*
 * Find an index to probe column rule->attnum[0] with; with unique_on,
 * only a unique index on that column alone whose predicate is absent or
 * "unique_on IS NOT NULL".  Records its equality procedure.
 */
static bool
find_probe_index(Relation rel, RuleTrigger *rule, AttrNumber unique_on)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		Relation	indexrel = index_open(indexoid, AccessShareLock);
		bool		usable = index_leads_with(indexrel, rule->attnum[0]);

		if (usable && unique_on != InvalidAttrNumber)
			usable = indexrel->rd_index->indisunique &&
				indexrel->rd_index->indnkeyatts == 1 &&
				predicate_is_absent_or_not_null(indexrel, unique_on);
		else if (usable)
			usable = RelationGetIndexPredicate(indexrel) == NIL;	/* sees every row */
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
			rule->probe_index_partial = RelationGetIndexPredicate(indexrel) != NIL;
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
static RuleTrigger *
rule_for_call(FunctionCallInfo fcinfo, bool *is_new)
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
	return rule;
}

/*
 * Record in rule->equal the default equality of column slot's type, with
 * the column's collation, or refuse a type that has none.
 */
static void
setup_column_equality(FunctionCallInfo fcinfo, RuleTrigger *rule, int slot,
					  const char *func, const char *argname)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TypeCacheEntry *typcache = lookup_type_cache(rule->atttype[slot], TYPECACHE_EQ_OPR_FINFO);

	if (!OidIsValid(typcache->eq_opr_finfo.fn_oid))
		report_column_type(td, rule, slot, func, argname,
						   "of a type with a default equality operator");
	fmgr_info_copy(&rule->equal, &typcache->eq_opr_finfo, fcinfo->flinfo->fn_mcxt);
	rule->equal_collation = TupleDescAttr(RelationGetDescr(td->tg_relation),
										  rule->attnum[slot] - 1)->attcollation;
}

/*
 * Reading rows
 */

static Datum
get_column(const RuleTrigger *rule, int slot, HeapTuple tuple, TupleDesc tupdesc, bool *isnull)
{
	return heap_getattr(tuple, rule->attnum[slot], tupdesc, isnull);
}

/* Is column slot the same (both NULL, or the same bytes) in a and b? */
static bool
column_unchanged(const RuleTrigger *rule, int slot, HeapTuple a, HeapTuple b,
				 TupleDesc tupdesc)
{
	Form_pg_attribute att = TupleDescAttr(tupdesc, rule->attnum[slot] - 1);
	bool		anull;
	bool		bnull;
	Datum		aval = get_column(rule, slot, a, tupdesc, &anull);
	Datum		bval = get_column(rule, slot, b, tupdesc, &bnull);

	if (anull || bnull)
		return anull && bnull;
	return datum_image_eq(aval, bval, att->attbyval, att->attlen);
}

/* Text of a column's value for a message, through its output function */
static char *
column_text(const RuleTrigger *rule, int slot, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		value = get_column(rule, slot, tuple, tupdesc, &isnull);
	Oid			typoutput;
	bool		typisvarlena;

	if (isnull)
		return pstrdup("NULL");
	getTypeOutputInfo(TupleDescAttr(tupdesc, rule->attnum[slot] - 1)->atttypid,
					  &typoutput, &typisvarlena);
	return OidOutputFunctionCall(typoutput, value);
}

/* The rules' day of a date or timestamptz value */
static DateADT
day_of(Oid type, Datum value)
{
	if (type == DATEOID)
		return DatumGetDateADT(value);
	return mpn_date_of(DatumGetTimestampTz(value));
}

/*
 * The rules' day of a date or timestamptz column, in ISO whatever DateStyle
 * says (a timestamptz shows the day the rule counts, in mpn.time_zone)
 */
static char *
day_text(const RuleTrigger *rule, int slot, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		value = get_column(rule, slot, tuple, tupdesc, &isnull);

	if (isnull)
		return pstrdup("NULL");
	return mpn_date_text(day_of(rule->atttype[slot], value));
}

/*
 * "(id)=(42)": the row's primary key for messages, or NULL when the table
 * has none or the user may not see its columns.
 */
static char *
describe_row(Relation rel, HeapTuple tuple)
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
typedef bool (*ProbeVisit) (const RuleTrigger *rule, TupleTableSlot *slot, void *arg);

static HeapTuple
probe_rows(Relation rel, const RuleTrigger *rule, Datum value,
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

/*
 * mpn.redeem_once(key_column, redeemed_column)
 */

#define REDEEM_ONCE "mpn.redeem_once"

/* A row matters to the probe when it records a redemption */
static bool
row_is_redeemed(const RuleTrigger *rule, TupleTableSlot *slot, void *arg)
{
	bool		isnull;

	(void) arg;
	(void) slot_getattr(slot, rule->attnum[1], &isnull);
	return !isnull;
}

static RuleTrigger *
setup_redeem_once(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		is_new;

	require_attachment(fcinfo, REDEEM_ONCE, true,
					   TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE,
					   "INSERT OR UPDATE OR DELETE");
	rule = rule_for_call(fcinfo, &is_new);
	if (!is_new)
		return rule;

	require_arguments(td, REDEEM_ONCE, 2, 2, "key_column, redeemed_column");
	column_argument(td, rule, 0, 0, REDEEM_ONCE, "first (key_column)");
	column_argument(td, rule, 1, 1, REDEEM_ONCE, "second (redeemed_column)");
	if (!is_date_column(rule, 1))
		report_column_type(td, rule, 1, REDEEM_ONCE, "second (redeemed_column)",
						   "date or timestamp with time zone");
	if (!find_probe_index(td->tg_relation, rule, rule->attnum[1]))
	{
		const char *relname = RelationGetRelationName(td->tg_relation);
		const char *keycol = td->tg_trigger->tgargs[0];
		const char *redeemedcol = td->tg_trigger->tgargs[1];

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no unique index on column \"%s\" for trigger \"%s\"",
						relname, keycol, td->tg_trigger->tgname),
				 errdetail("%s() relies on a unique index on the key column alone, "
						   "either on every row or on the rows WHERE %s IS NOT NULL, "
						   "to settle concurrent redemptions.",
						   REDEEM_ONCE, quote_identifier(redeemedcol)),
				 errhint("CREATE UNIQUE INDEX ON %s (%s) WHERE %s IS NOT NULL;",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation)),
													relname),
						 quote_identifier(keycol), quote_identifier(redeemedcol))));
	}
	return rule;
}

/* Refuse a second redemption of the key in tuple, if another row has it */
static void
check_not_redeemed_elsewhere(TriggerData *td, const RuleTrigger *rule,
							 HeapTuple tuple, ItemPointer skip)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	bool		isnull;
	Datum		key = get_column(rule, 0, tuple, tupdesc, &isnull);
	HeapTuple	other;

	if (isnull)
		return;					/* a NULL key clashes with nothing */
	other = probe_rows(td->tg_relation, rule, key, skip, row_is_redeemed, NULL);
	if (other != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("product key %s is already redeemed",
						column_text(rule, 0, tuple, tupdesc)),
				 errdetail("It was redeemed on %s, as recorded in table \"%s\".",
						   day_text(rule, 1, other, tupdesc),
						   RelationGetRelationName(td->tg_relation)),
				 errhint("A product key can be redeemed only once; use another key."),
				 errtable(td->tg_relation)));
}

/* Refuse a change to a recorded redemption */
static pg_noinline void
report_redemption_change(TriggerData *td, const RuleTrigger *rule, HeapTuple old,
						 const char *what)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);

	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 errmsg("cannot %s of product key %s", what,
					column_text(rule, 0, old, tupdesc)),
			 errdetail("The key was redeemed on %s; the record of a redemption is never changed or deleted.",
					   day_text(rule, 1, old, tupdesc)),
			 errhint("Columns other than \"%s\" and \"%s\" may still change.",
					 td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
			 errtable(td->tg_relation)));
}

/* redeem_once(): BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW */
PG_FUNCTION_INFO_V1(redeem_once);
Datum
redeem_once(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = setup_redeem_once(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	old = td->tg_trigtuple;
	bool		old_redeemed;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		if (!heap_attisnull(old, rule->attnum[1], tupdesc))
			check_not_redeemed_elsewhere(td, rule, old, NULL);
		return PointerGetDatum(old);
	}

	old_redeemed = !heap_attisnull(old, rule->attnum[1], tupdesc);
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		if (old_redeemed)
			report_redemption_change(td, rule, old, "delete the redemption");
		return PointerGetDatum(old);
	}

	/* UPDATE */
	if (old_redeemed)
	{
		HeapTuple	new = td->tg_newtuple;

		if (heap_attisnull(new, rule->attnum[1], tupdesc))
			report_redemption_change(td, rule, old, "clear the redemption");
		if (!column_unchanged(rule, 1, old, new, tupdesc))
			report_redemption_change(td, rule, old, "change the redemption date");
		if (!column_unchanged(rule, 0, old, new, tupdesc))
			report_redemption_change(td, rule, old, "change the key");
	}
	else if (!heap_attisnull(td->tg_newtuple, rule->attnum[1], tupdesc) &&
			 (rule->probe_index_partial ||
			  !column_unchanged(rule, 0, old, td->tg_newtuple, tupdesc)))
	{
		/*
		 * Redeeming: look for another redemption of the key.  Under a unique
		 * index on every row, a row whose key does not change is the only
		 * one with that key, and the look can be spared.
		 */
		check_not_redeemed_elsewhere(td, rule, td->tg_newtuple, &old->t_self);
	}
	return PointerGetDatum(td->tg_newtuple);
}

/*
 * mpn.reassign_after(subscriber_column, assigned_on_column [, days])
 */

#define REASSIGN_AFTER "mpn.reassign_after"
#define DEFAULT_REASSIGN_DAYS 90

static RuleTrigger *
setup_reassign_after(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		is_new;

	require_attachment(fcinfo, REASSIGN_AFTER, true,
					   TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE,
					   "INSERT OR UPDATE OR DELETE");
	rule = rule_for_call(fcinfo, &is_new);
	if (!is_new)
		return rule;

	require_arguments(td, REASSIGN_AFTER, 2, 3,
					  "subscriber_column, assigned_on_column [, days]");
	column_argument(td, rule, 0, 0, REASSIGN_AFTER, "first (subscriber_column)");
	column_argument(td, rule, 1, 1, REASSIGN_AFTER, "second (assigned_on_column)");
	if (!is_date_column(rule, 1))
		report_column_type(td, rule, 1, REASSIGN_AFTER, "second (assigned_on_column)",
						   "date or timestamp with time zone");
	rule->days = DEFAULT_REASSIGN_DAYS;
	if (td->tg_trigger->tgnargs == 3)
	{
		const char *text = td->tg_trigger->tgargs[2];
		char	   *end;
		long		days;

		errno = 0;
		days = strtol(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || days < 1 || days > 36525)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid number of days for trigger \"%s\" on table \"%s\": \"%s\"",
							td->tg_trigger->tgname,
							RelationGetRelationName(td->tg_relation), text),
					 errdetail("The third argument of %s() is a whole number of days from 1 to 36525.",
							   REASSIGN_AFTER)));
		rule->days = (int32) days;
	}
	return rule;
}

/* The value that stamps assigned_on today: a date, or now() */
static Datum
assignment_stamp(const RuleTrigger *rule)
{
	if (rule->atttype[1] == DATEOID)
		return DateADTGetDatum(mpn_today());
	return TimestampTzGetDatum(mpn_now());
}

/* First day the subscription assigned in tuple may pass on */
static int64
reassignable_from(const RuleTrigger *rule, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	DateADT		assigned = day_of(rule->atttype[1],
								  get_column(rule, 1, tuple, tupdesc, &isnull));

	return DATE_NOT_FINITE(assigned) ? (int64) assigned : (int64) assigned + rule->days;
}

/* The subscription's name for messages: its primary key, or its subscriber */
static char *
subscription_name(TriggerData *td, const RuleTrigger *rule, HeapTuple tuple)
{
	char	   *pk = describe_row(td->tg_relation, tuple);

	if (pk != NULL)
		return psprintf("subscription %s", pk);
	if (!heap_attisnull(tuple, rule->attnum[0], RelationGetDescr(td->tg_relation)))
		return psprintf("the subscription of %s",
						column_text(rule, 0, tuple, RelationGetDescr(td->tg_relation)));
	return psprintf("the subscription in row %s of table \"%s\"",
					DatumGetCString(DirectFunctionCall1(tidout, PointerGetDatum(&tuple->t_self))),
					RelationGetRelationName(td->tg_relation));
}

static pg_noinline void
report_too_early(TriggerData *td, const RuleTrigger *rule, HeapTuple old,
				 const char *action, int64 from)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	const char *from_text = mpn_date_text((DateADT) Min(from, PG_INT32_MAX));
	bool		unassigned = heap_attisnull(old, rule->attnum[0], tupdesc);
	bool		deleting = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	char	   *wait = psprintf("a subscription passes to another subscriber only %d day%s after its last assignment, and today is %s",
								rule->days, rule->days == 1 ? "" : "s",
								mpn_date_text(mpn_today()));

	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("%s cannot %s before %s",
					subscription_name(td, rule, old), action, from_text),
			 unassigned ?
			 errdetail("It is unassigned now, and was last assigned on %s; %s.",
					   day_text(rule, 1, old, tupdesc), wait) :
			 errdetail("It was last assigned to %s on %s; %s.",
					   column_text(rule, 0, old, tupdesc),
					   day_text(rule, 1, old, tupdesc), wait),
			 deleting ?
			 errhint("Deleting it and inserting it again would start that wait anew; wait until %s.",
					 from_text) :
			 unassigned ?
			 errhint("Wait until %s.", from_text) :
			 errhint("Wait until %s, or keep it with %s.", from_text,
					 column_text(rule, 0, old, tupdesc)),
			 errtable(td->tg_relation)));
}

/* reassign_after(): BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW */
PG_FUNCTION_INFO_V1(reassign_after);
Datum
reassign_after(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = setup_reassign_after(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	old = td->tg_trigtuple;
	HeapTuple	new = td->tg_newtuple;
	bool		isnull;
	int			stamp_col = rule->attnum[1];
	Datum		stamp;
	bool		stamp_null = false;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		/*
		 * A new subscription: its first assignment is free and stamped today.
		 * A date given by hand would let a deleted subscription come back
		 * with an old date and pass on at once: only today is accepted.
		 */
		Datum		assigned = get_column(rule, 1, old, tupdesc, &isnull);

		if (!isnull)
		{
			if (day_of(rule->atttype[1], assigned) != mpn_today())
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("cannot insert %s with \"%s\" %s set by hand",
								subscription_name(td, rule, old),
								td->tg_trigger->tgargs[1],
								day_text(rule, 1, old, tupdesc)),
						 errdetail("Trigger \"%s\" stamps the day of each assignment, and today is %s; "
								   "a day set by hand would move the wait before it may pass on again.",
								   td->tg_trigger->tgname, mpn_date_text(mpn_today())),
						 errhint("Leave \"%s\" NULL to have it stamped. To load history, the table's owner can "
								 "ALTER TABLE ... DISABLE TRIGGER %s for the load.",
								 td->tg_trigger->tgargs[1], quote_identifier(td->tg_trigger->tgname)),
						 errtable(td->tg_relation)));
			return PointerGetDatum(old);
		}
		if (heap_attisnull(old, rule->attnum[0], tupdesc))
			return PointerGetDatum(old);	/* not assigned yet */
		stamp = assignment_stamp(rule);
		return PointerGetDatum(heap_modify_tuple_by_cols(old, tupdesc, 1, &stamp_col,
														 &stamp, &stamp_null));
	}

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		/* deleting and inserting again must not reset the clock */
		if (!heap_attisnull(old, rule->attnum[1], tupdesc) &&
			(int64) mpn_today() < reassignable_from(rule, old, tupdesc))
			report_too_early(td, rule, old, "be deleted",
							 reassignable_from(rule, old, tupdesc));
		return PointerGetDatum(old);
	}

	/* UPDATE: assigned_on belongs to the trigger once the row exists */
	if (!column_unchanged(rule, 1, old, new, tupdesc))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("cannot set \"%s\" of %s by hand",
						td->tg_trigger->tgargs[1], subscription_name(td, rule, old)),
				 errdetail("It is %s; trigger \"%s\" stamps it when the subscription passes to a subscriber.",
						   day_text(rule, 1, old, tupdesc), td->tg_trigger->tgname),
				 errhint("Change only \"%s\"; the date follows.", td->tg_trigger->tgargs[0]),
				 errtable(td->tg_relation)));

	if (column_unchanged(rule, 0, old, new, tupdesc) ||
		heap_attisnull(new, rule->attnum[0], tupdesc))
		return PointerGetDatum(new);	/* no change of hands, or unassigned */

	/* passing to a subscriber: free the first time, else after the wait */
	if (!heap_attisnull(old, rule->attnum[1], tupdesc))
	{
		int64		from = reassignable_from(rule, old, tupdesc);

		if ((int64) mpn_today() < from)
			report_too_early(td, rule, old,
							 psprintf("pass to %s", column_text(rule, 0, new, tupdesc)),
							 from);
	}
	stamp = assignment_stamp(rule);
	return PointerGetDatum(heap_modify_tuple_by_cols(new, tupdesc, 1, &stamp_col,
													 &stamp, &stamp_null));
}

/*
 * mpn.exclusive_offer(user_column, offer_column [, exclusive_value])
 */

#define EXCLUSIVE_OFFER "mpn.exclusive_offer"
#define DEFAULT_EXCLUSIVE_OFFER "azure_bulk_credit"

/* Is offer the exclusive one, by the offer type's own = and collation? */
static bool
offer_is_exclusive(const RuleTrigger *rule, Datum offer)
{
	return DatumGetBool(FunctionCall2Coll((FmgrInfo *) &rule->equal,
										  rule->equal_collation,
										  offer, rule->exclusive_value));
}

/*
 * A row clashes with the new row when exactly one of the two holds the
 * exclusive offer; arg points to whether the new row does.
 */
static bool
row_clashes(const RuleTrigger *rule, TupleTableSlot *slot, void *arg)
{
	bool		new_is_exclusive = *(bool *) arg;
	bool		isnull;
	Datum		offer = slot_getattr(slot, rule->attnum[1], &isnull);

	if (isnull)
		return false;
	return offer_is_exclusive(rule, offer) != new_is_exclusive;
}

static void
exclusive_value_context(void *arg)
{
	TriggerData *td = (TriggerData *) arg;

	errcontext("reading the exclusive offer value \"%s\" of trigger \"%s\" on table \"%s\"",
			   td->tg_trigger->tgnargs == 3 ? td->tg_trigger->tgargs[2] : DEFAULT_EXCLUSIVE_OFFER,
			   td->tg_trigger->tgname, RelationGetRelationName(td->tg_relation));
}

static RuleTrigger *
setup_exclusive_offer(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		is_new;
	Oid			typinput;
	Oid			typioparam;
	const char *value;

	require_attachment(fcinfo, EXCLUSIVE_OFFER, false,
					   TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE, "INSERT OR UPDATE");
	rule = rule_for_call(fcinfo, &is_new);
	if (!is_new)
		return rule;

	require_arguments(td, EXCLUSIVE_OFFER, 2, 3,
					  "user_column, offer_column [, exclusive_value]");
	column_argument(td, rule, 0, 0, EXCLUSIVE_OFFER, "first (user_column)");
	column_argument(td, rule, 1, 1, EXCLUSIVE_OFFER, "second (offer_column)");

	/* the exclusive value, read once in the offer column's own type */
	value = td->tg_trigger->tgnargs == 3 ? td->tg_trigger->tgargs[2] : DEFAULT_EXCLUSIVE_OFFER;
	getTypeInputInfo(TupleDescAttr(RelationGetDescr(td->tg_relation),
								   rule->attnum[1] - 1)->atttypid,
					 &typinput, &typioparam);
	setup_column_equality(fcinfo, rule, 1, EXCLUSIVE_OFFER, "second (offer_column)");
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		ErrorContextCallback context;

		/* a value the offer type cannot read is misuse: say whose */
		context.callback = exclusive_value_context;
		context.arg = td;
		context.previous = error_context_stack;
		error_context_stack = &context;
		rule->exclusive_value = OidInputFunctionCall(typinput, (char *) value,
													 typioparam, -1);
		error_context_stack = context.previous;
		MemoryContextSwitchTo(old);
	}

	if (!find_probe_index(td->tg_relation, rule, InvalidAttrNumber))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no index on column \"%s\" for trigger \"%s\"",
						RelationGetRelationName(td->tg_relation),
						td->tg_trigger->tgargs[0], td->tg_trigger->tgname),
				 errdetail("%s() looks up a user's other offers through a btree index whose first column is the user column.",
						   EXCLUSIVE_OFFER),
				 errhint("CREATE INDEX ON %s (%s);",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation)),
													RelationGetRelationName(td->tg_relation)),
						 quote_identifier(td->tg_trigger->tgargs[0]))));
	return rule;
}

/* exclusive_offer(): AFTER INSERT OR UPDATE FOR EACH ROW */
PG_FUNCTION_INFO_V1(exclusive_offer);
Datum
exclusive_offer(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = setup_exclusive_offer(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	bool		user_null;
	bool		offer_null;
	Datum		user;
	Datum		offer;
	bool		is_exclusive;
	HeapTuple	other;

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(NULL);	/* taking an offer away clashes with nothing */
	user = get_column(rule, 0, row, tupdesc, &user_null);
	offer = get_column(rule, 1, row, tupdesc, &offer_null);
	if (user_null || offer_null)
		return PointerGetDatum(NULL);
	/* an update that moves neither user nor offer cannot make a clash */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		column_unchanged(rule, 0, td->tg_trigtuple, row, tupdesc) &&
		column_unchanged(rule, 1, td->tg_trigtuple, row, tupdesc))
		return PointerGetDatum(NULL);

	is_exclusive = offer_is_exclusive(rule, offer);
	other = probe_rows(td->tg_relation, rule, user, &row->t_self, row_clashes, &is_exclusive);
	if (other != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXCLUSION_VIOLATION),
				 errmsg("user %s cannot hold offer %s together with offer %s",
						column_text(rule, 0, row, tupdesc),
						column_text(rule, 1, row, tupdesc),
						column_text(rule, 1, other, tupdesc)),
				 errdetail("Offer %s can't be combined with other offers, and user %s already holds %s.",
						   is_exclusive ? column_text(rule, 1, row, tupdesc) :
						   column_text(rule, 1, other, tupdesc),
						   column_text(rule, 0, row, tupdesc),
						   column_text(rule, 1, other, tupdesc)),
				 errhint("Remove the user's other offers first, or choose another user."),
				 errtable(td->tg_relation)));
	return PointerGetDatum(NULL);
}

/*
 * mpn.partner_tenant_only(tenant_column, partner_tenant_column [, demo_column])
 */

#define PARTNER_TENANT_ONLY "mpn.partner_tenant_only"

static RuleTrigger *
setup_partner_tenant_only(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		is_new;

	require_attachment(fcinfo, PARTNER_TENANT_ONLY, true,
					   TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE, "INSERT OR UPDATE");
	rule = rule_for_call(fcinfo, &is_new);
	if (!is_new)
		return rule;

	require_arguments(td, PARTNER_TENANT_ONLY, 2, 3,
					  "tenant_column, partner_tenant_column [, demo_column]");
	column_argument(td, rule, 0, 0, PARTNER_TENANT_ONLY, "first (tenant_column)");
	column_argument(td, rule, 1, 1, PARTNER_TENANT_ONLY, "second (partner_tenant_column)");
	if (rule->atttype[1] != rule->atttype[0])
		report_column_type(td, rule, 1, PARTNER_TENANT_ONLY,
						   "second (partner_tenant_column)",
						   psprintf("of the tenant column's type, %s",
									format_type_be(rule->atttype[0])));
	if (td->tg_trigger->tgnargs == 3)
	{
		column_argument(td, rule, 2, 2, PARTNER_TENANT_ONLY, "third (demo_column)");
		if (rule->atttype[2] != BOOLOID)
			report_column_type(td, rule, 2, PARTNER_TENANT_ONLY, "third (demo_column)",
							   "boolean");
	}

	setup_column_equality(fcinfo, rule, 0, PARTNER_TENANT_ONLY, "first (tenant_column)");
	return rule;
}

/* partner_tenant_only(): BEFORE INSERT OR UPDATE FOR EACH ROW */
PG_FUNCTION_INFO_V1(partner_tenant_only);
Datum
partner_tenant_only(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = setup_partner_tenant_only(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	bool		isnull;
	Datum		tenant;
	Datum		partner_tenant;
	char	   *license;

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(td->tg_trigtuple);	/* deleting activates nothing */
	if (td->tg_trigger->tgnargs == 3)
	{
		Datum		demo = get_column(rule, 2, row, tupdesc, &isnull);

		if (!isnull && !DatumGetBool(demo))
			return PointerGetDatum(row);	/* not a demonstration license */
	}
	tenant = get_column(rule, 0, row, tupdesc, &isnull);
	if (isnull)
		return PointerGetDatum(row);	/* not activated on any tenant yet */
	partner_tenant = get_column(rule, 1, row, tupdesc, &isnull);
	if (!isnull &&
		DatumGetBool(FunctionCall2Coll(&rule->equal, rule->equal_collation,
									   tenant, partner_tenant)))
		return PointerGetDatum(row);

	license = describe_row(td->tg_relation, row);
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 license != NULL ?
			 errmsg("demonstration license %s cannot be activated on tenant %s",
					license, column_text(rule, 0, row, tupdesc)) :
			 errmsg("demonstration license cannot be activated on tenant %s",
					column_text(rule, 0, row, tupdesc)),
			 isnull ?
			 errdetail("The partner's own tenant (column \"%s\") is not known for this row.",
					   td->tg_trigger->tgargs[1]) :
			 errdetail("The partner's own tenant is %s; licenses issued for demonstration are never activated on a customer's tenant.",
					   column_text(rule, 1, row, tupdesc)),
			 errhint("Activate it on the partner's own tenant, or use a license issued for the customer."),
			 errtable(td->tg_relation)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
