/*-------------------------------------------------------------------------
 *
 * redeem_once.c
 *	  mpn.redeem_once(key_column, redeemed_column)
 *
 *	  A product key is redeemed once: a second redemption of a key is refused,
 *	  and a redemption is never changed, cleared or deleted.
 *
 * src/triggers/redeem_once.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

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

RuleTrigger *
mpn_setup_redeem_once(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		needs_setup;

	rule = mpn_setup_begin(fcinfo, REDEEM_ONCE, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE,
						   "INSERT OR UPDATE OR DELETE", &needs_setup);
	if (!needs_setup)
		return rule;

	mpn_require_arguments(td, REDEEM_ONCE, 2, 2, "key_column, redeemed_column");
	mpn_column_argument(td, rule, 0, 0, REDEEM_ONCE, "first (key_column)");
	mpn_column_argument(td, rule, 1, 1, REDEEM_ONCE, "second (redeemed_column)");
	if (!mpn_is_date_column(rule, 1))
		mpn_report_column_type(td, rule, 1, REDEEM_ONCE, "second (redeemed_column)",
						   "date or timestamp with time zone");
	/*
	 * A partitioned table holds no rows: each partition's clone of the
	 * trigger needs the index (a unique index of the partitioned table
	 * would have to include the partition key).
	 */
	if (td->tg_relation->rd_rel->relkind != RELKIND_PARTITIONED_TABLE &&
		!mpn_find_probe_index(td->tg_relation, rule, rule->attnum[1]))
	{
		const char *relname = mpn_table_name(td->tg_relation);
		const char *keycol = td->tg_trigger->tgargs[0];
		const char *redeemedcol = td->tg_trigger->tgargs[1];

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no unique index on column \"%s\" for trigger \"%s\"",
						relname, keycol, mpn_trigger_name(td)),
				 errdetail("%s() relies on a unique index on the key column alone, "
						   "either on every row or on the rows WHERE %s IS NOT NULL, "
						   "to settle concurrent redemptions.",
						   REDEEM_ONCE, quote_identifier(redeemedcol)),
				 errhint("CREATE UNIQUE INDEX ON %s (%s) WHERE %s IS NOT NULL;",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation)),
													relname),
						 quote_identifier(keycol), quote_identifier(redeemedcol))));
	}
	mpn_setup_done(td, rule, REDEEM_ONCE);
	return rule;
}

/* Refuse a second redemption of the key in tuple, if another row has it */
static void
check_not_redeemed_elsewhere(TriggerData *td, const RuleTrigger *rule,
							 HeapTuple tuple, ItemPointer skip)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	bool		isnull;
	Datum		key = mpn_get_column(rule, 0, tuple, tupdesc, &isnull);
	HeapTuple	other;

	if (isnull)
		return;					/* a NULL key clashes with nothing */
	other = mpn_probe_rows(td->tg_relation, rule, key, skip, row_is_redeemed, NULL);
	if (other != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("product key %s is already redeemed",
						mpn_column_text(rule, 0, tuple, tupdesc)),
				 mpn_may_show_values(td->tg_relation, 2, rule->attnum) ?
				 errdetail("It was redeemed on %s, as recorded in table \"%s\".",
						   mpn_day_text(rule, 1, other, tupdesc),
						   mpn_table_name(td->tg_relation)) :
				 errdetail("Its redemption is recorded in table \"%s\".",
						   mpn_table_name(td->tg_relation)),
				 errhint("A product key can be redeemed only once; use another key."),
				 errtable(td->tg_relation)));
}

/* Refuse a change to a recorded redemption */
static pg_noinline void
report_redemption_change(TriggerData *td, const RuleTrigger *rule, HeapTuple old,
						 const char *what)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);

	if (!mpn_may_show_values(td->tg_relation, 2, rule->attnum))
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("cannot %s of a redeemed product key", what),
				 errdetail("The record of a redemption is never changed or deleted."),
				 errhint("Columns other than \"%s\" and \"%s\" may still change.",
						 td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
				 errtable(td->tg_relation)));
	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 errmsg("cannot %s of product key %s", what,
					mpn_column_text(rule, 0, old, tupdesc)),
			 errdetail("The key was redeemed on %s; the record of a redemption is never changed or deleted.",
					   mpn_day_text(rule, 1, old, tupdesc)),
			 errhint("Columns other than \"%s\" and \"%s\" may still change.",
					 td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
			 errtable(td->tg_relation)));
}

/*
 * The recheck, AFTER UPDATE: a redeemed row keeps its key and redemption
 * day in the row stored, whatever a later BEFORE trigger did.  (A second
 * redemption that a later trigger makes is the unique index's to refuse.)
 * On a partition it fires AFTER INSERT too, for rows moving in.
 */
static void
recheck_redeem_once(TriggerData *td, const RuleTrigger *rule)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	old = td->tg_trigtuple;
	HeapTuple	stored = td->tg_newtuple;

	if (!mpn_recheck_applies(td, rule))
		return;
	/* on a partition, AFTER INSERT too: a redeemed row moving in arrives as it left */
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		(void) mpn_move_arrived(rule, td, td->tg_trigtuple);
		return;
	}
	if (heap_attisnull(old, rule->attnum[1], tupdesc))
		return;
	if (!mpn_column_unchanged(rule, 0, old, stored, tupdesc) ||
		!mpn_column_unchanged(rule, 1, old, stored, tupdesc))
		mpn_report_changed_after_check(td, rule, ERRCODE_RESTRICT_VIOLATION, REDEEM_ONCE, stored,
									   psprintf("Product key %s was redeemed on %s; the row stored has key %s, redeemed on %s, and the record of a redemption is never changed.",
												mpn_column_text(rule, 0, old, tupdesc),
												mpn_day_text(rule, 1, old, tupdesc),
												mpn_column_text(rule, 0, stored, tupdesc),
												mpn_day_text(rule, 1, stored, tupdesc)));
}

/*
 * The truncate guard, BEFORE TRUNCATE: a table that holds a redemption is
 * not emptied, as DELETE would not delete it.  The first redeemed row
 * found is named.
 */
static void
guard_truncate(TriggerData *td, const RuleTrigger *rule)
{
	Relation	rel = td->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	HeapTuple	row = mpn_first_stored_row(rel, rule, row_is_redeemed, NULL);

	if (row != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("cannot truncate table \"%s\": it holds redeemed product keys",
						mpn_table_name(rel)),
				 mpn_may_show_values(rel, 2, rule->attnum) ?
				 errdetail("Product key %s was redeemed on %s; the record of a redemption is never changed or deleted, by DELETE or by TRUNCATE.",
						   mpn_column_text(rule, 0, row, tupdesc),
						   mpn_day_text(rule, 1, row, tupdesc)) :
				 errdetail("The record of a redemption is never changed or deleted, by DELETE or by TRUNCATE."),
				 errhint("Delete the keys that are not redeemed instead: DELETE FROM %s WHERE %s IS NULL;",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
													mpn_table_name(rel)),
						 quote_identifier(td->tg_trigger->tgargs[1])),
				 errtable(rel)));
}

/* Refuse a redeemed row that changed on its way to another partition */
static pg_noinline void
report_move_change(TriggerData *td, const RuleTrigger *rule, const Datum *was,
				   const bool *was_null)
{
	Oid			typoutput;
	bool		typisvarlena;

	if (!mpn_may_show_values(td->tg_relation, 2, rule->attnum))
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("cannot change the redemption of a product key moving to partition \"%s\"",
						RelationGetRelationName(td->tg_relation)),
				 errdetail("The record of a redemption is never changed or deleted; a row moving to another partition keeps it."),
				 errhint("Keep other triggers from changing \"%s\" and \"%s\" on the way.",
						 td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
				 errtable(td->tg_relation)));
	getTypeOutputInfo(TupleDescAttr(RelationGetDescr(td->tg_relation), rule->attnum[0] - 1)->atttypid,
					  &typoutput, &typisvarlena);
	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 errmsg("cannot change the redemption of product key %s moving to partition \"%s\"",
					was_null[0] ? "NULL" : OidOutputFunctionCall(typoutput, was[0]),
					RelationGetRelationName(td->tg_relation)),
			 errdetail("The key was redeemed on %s; the record of a redemption is never changed or deleted, and a row moving to another partition keeps it.",
					   mpn_date_text(mpn_day_of_value(rule->atttype[1], was[1]))),
			 errhint("Keep other triggers from changing \"%s\" and \"%s\" on the way.",
					 td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
			 errtable(td->tg_relation)));
}

/* redeem_once(): BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW */
PG_FUNCTION_INFO_V1(mpn_redeem_once);
Datum
mpn_redeem_once(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = mpn_setup_redeem_once(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	old = td->tg_trigtuple;
	bool		old_redeemed;

	if (rule->recheck)
	{
		if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		{
			if (mpn_recheck_applies(td, rule))
				guard_truncate(td, rule);
		}
		else
			recheck_redeem_once(td, rule);
		return PointerGetDatum(NULL);
	}

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		Datum		was[MAX_RULE_COLUMNS];
		bool		was_null[MAX_RULE_COLUMNS];

		/*
		 * A redeemed row moving in from another partition keeps its key and
		 * redemption, whatever another trigger did on the way; any other
		 * row moving in is checked as a new one there.
		 */
		MoveLanding landing = mpn_move_landing(rule, td, old, was, was_null);

		if (landing == MOVE_CHANGED && !was_null[1])
			report_move_change(td, rule, was, was_null);
		if (!heap_attisnull(old, rule->attnum[1], tupdesc))
			check_not_redeemed_elsewhere(td, rule, old, NULL);
		return PointerGetDatum(old);
	}

	old_redeemed = !heap_attisnull(old, rule->attnum[1], tupdesc);
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		/* moving to another partition keeps the redemption */
		if (old_redeemed && !mpn_move_is_delete(rule, td))
			report_redemption_change(td, rule, old, "delete the redemption");
		return PointerGetDatum(old);
	}

	/* UPDATE */
	if (old_redeemed)
	{
		HeapTuple	new = td->tg_newtuple;

		if (heap_attisnull(new, rule->attnum[1], tupdesc))
			report_redemption_change(td, rule, old, "clear the redemption");
		if (!mpn_column_unchanged(rule, 1, old, new, tupdesc))
			report_redemption_change(td, rule, old, "change the redemption date");
		if (!mpn_column_unchanged(rule, 0, old, new, tupdesc))
			report_redemption_change(td, rule, old, "change the key");
	}
	else if (!heap_attisnull(td->tg_newtuple, rule->attnum[1], tupdesc) &&
			 (rule->probe_index_partial ||
			  !mpn_column_unchanged(rule, 0, old, td->tg_newtuple, tupdesc)))
	{
		/*
		 * Redeeming: look for another redemption of the key.  Under a unique
		 * index on every row, a row whose key does not change is the only
		 * one with that key, and the look can be spared.
		 */
		check_not_redeemed_elsewhere(td, rule, td->tg_newtuple, &old->t_self);
	}
	mpn_move_note_update(rule, td, td->tg_newtuple);
	return PointerGetDatum(td->tg_newtuple);
}
