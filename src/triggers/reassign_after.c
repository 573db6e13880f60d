/*-------------------------------------------------------------------------
 *
 * reassign_after.c
 *	  mpn.reassign_after(subscriber_column, assigned_on_column [, days])
 *
 *	  A Visual Studio subscription passes to another subscriber only 90 days
 *	  (or the given days) after its last assignment.
 *
 * src/triggers/reassign_after.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

#define REASSIGN_AFTER "mpn.reassign_after"
#define DEFAULT_REASSIGN_DAYS 90

RuleTrigger *
mpn_setup_reassign_after(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		needs_setup;

	rule = mpn_setup_begin(fcinfo, REASSIGN_AFTER, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE,
						   "INSERT OR UPDATE OR DELETE", &needs_setup);
	if (!needs_setup)
		return rule;

	mpn_require_arguments(td, REASSIGN_AFTER, 2, 3,
					  "subscriber_column, assigned_on_column [, days]");
	mpn_column_argument(td, rule, 0, 0, REASSIGN_AFTER, "first (subscriber_column)");
	mpn_column_argument(td, rule, 1, 1, REASSIGN_AFTER, "second (assigned_on_column)");
	if (!mpn_is_date_column(rule, 1))
		mpn_report_column_type(td, rule, 1, REASSIGN_AFTER, "second (assigned_on_column)",
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
							mpn_trigger_name(td),
							mpn_table_name(td->tg_relation), text),
					 errdetail("The third argument of %s() is a whole number of days from 1 to 36525.",
							   REASSIGN_AFTER)));
		rule->days = (int32) days;
	}
	mpn_setup_done(td, rule, REASSIGN_AFTER);
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
	DateADT		assigned = mpn_day_of_value(rule->atttype[1],
								  mpn_get_column(rule, 1, tuple, tupdesc, &isnull));

	return DATE_NOT_FINITE(assigned) ? (int64) assigned : (int64) assigned + rule->days;
}

/* The subscription's name for messages: its primary key, or its subscriber */
static char *
subscription_name(TriggerData *td, const RuleTrigger *rule, HeapTuple tuple)
{
	char	   *pk = mpn_describe_row(td->tg_relation, tuple);

	if (pk != NULL)
		return psprintf("subscription %s", pk);
	if (!heap_attisnull(tuple, rule->attnum[0], RelationGetDescr(td->tg_relation)))
		return psprintf("the subscription of %s",
						mpn_column_text(rule, 0, tuple, RelationGetDescr(td->tg_relation)));
	return psprintf("the subscription in row %s of table \"%s\"",
					DatumGetCString(DirectFunctionCall1(tidout, PointerGetDatum(&tuple->t_self))),
					mpn_table_name(td->tg_relation));
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

	if (!mpn_may_show_values(td->tg_relation, 2, rule->attnum))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("the subscription cannot %s yet", action),
				 errdetail("A subscription passes to another subscriber only %d day%s after its last assignment.",
						   rule->days, rule->days == 1 ? "" : "s"),
				 errhint("Wait until the waiting period has passed."),
				 errtable(td->tg_relation)));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("%s cannot %s before %s",
					subscription_name(td, rule, old), action, from_text),
			 unassigned ?
			 errdetail("It is unassigned now, and was last assigned on %s; %s.",
					   mpn_day_text(rule, 1, old, tupdesc), wait) :
			 errdetail("It was last assigned to %s on %s; %s.",
					   mpn_column_text(rule, 0, old, tupdesc),
					   mpn_day_text(rule, 1, old, tupdesc), wait),
			 deleting ?
			 errhint("Deleting it and inserting it again would start that wait anew; wait until %s.",
					 from_text) :
			 unassigned ?
			 errhint("Wait until %s.", from_text) :
			 errhint("Wait until %s, or keep it with %s.", from_text,
					 mpn_column_text(rule, 0, old, tupdesc)),
			 errtable(td->tg_relation)));
}

/* Is the day of column slot in tuple today (false for NULL)? */
static bool
stamped_today(const RuleTrigger *rule, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		value = mpn_get_column(rule, 1, tuple, tupdesc, &isnull);

	return !isnull && mpn_day_of_value(rule->atttype[1], value) == mpn_today();
}

static inline bool applying_replicated_change(void);
static void check_replicated_stamps(TriggerData *td, const RuleTrigger *rule,
									HeapTuple old, HeapTuple new);

/*
 * The recheck, AFTER INSERT OR UPDATE: the row stored is one the rule
 * would have written.  A new assignment is stamped today; a row that keeps
 * its subscriber keeps its day; a change of hands waited its days and is
 * stamped today.
 */
static void
recheck_reassign_after(TriggerData *td, const RuleTrigger *rule)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	old = td->tg_trigtuple;
	HeapTuple	stored = mpn_written_row(td);
	const char *assigned_col = td->tg_trigger->tgargs[1];
	bool		unassigned;
	char	   *what = NULL;

	if (!mpn_recheck_applies(td, rule))
		return;
	unassigned = heap_attisnull(stored, rule->attnum[0], tupdesc);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		/* a row moved in from another partition, or replicated, keeps its day */
		if (mpn_move_arrived(rule, td, stored) ||
			(!heap_attisnull(stored, rule->attnum[1], tupdesc) && applying_replicated_change()))
			return;
		if (heap_attisnull(stored, rule->attnum[1], tupdesc) ? !unassigned :
			!stamped_today(rule, stored, tupdesc))
			what = psprintf("The row stored is assigned to %s with \"%s\" %s; %s() stamps the day of each assignment, and today is %s.",
							mpn_column_text(rule, 0, stored, tupdesc), assigned_col,
							mpn_day_text(rule, 1, stored, tupdesc), REASSIGN_AFTER,
							mpn_date_text(mpn_today()));
	}
	else if (unassigned || mpn_column_unchanged(rule, 0, old, stored, tupdesc))
	{
		if (!mpn_column_unchanged(rule, 1, old, stored, tupdesc))
			what = psprintf("\"%s\" was %s and is %s in the row stored, which did not pass to another subscriber; only %s() stamps it.",
							assigned_col, mpn_day_text(rule, 1, old, tupdesc),
							mpn_day_text(rule, 1, stored, tupdesc), REASSIGN_AFTER);
	}
	else if (applying_replicated_change())
		check_replicated_stamps(td, rule, old, stored);
	else if (!heap_attisnull(old, rule->attnum[1], tupdesc) &&
			 (int64) mpn_today() < reassignable_from(rule, old, tupdesc))
		what = psprintf("The row stored passes it from %s to %s, which may happen only %d days after its last assignment on %s; today is %s.",
						mpn_column_text(rule, 0, old, tupdesc),
						mpn_column_text(rule, 0, stored, tupdesc), rule->days,
						mpn_day_text(rule, 1, old, tupdesc), mpn_date_text(mpn_today()));
	else if (!stamped_today(rule, stored, tupdesc))
		what = psprintf("The row stored passes it to %s with \"%s\" %s; %s() stamps the day of each assignment, and today is %s.",
						mpn_column_text(rule, 0, stored, tupdesc), assigned_col,
						mpn_day_text(rule, 1, stored, tupdesc), REASSIGN_AFTER,
						mpn_date_text(mpn_today()));
	if (what != NULL)
		mpn_report_changed_after_check(td, rule, ERRCODE_CHECK_VIOLATION, REASSIGN_AFTER,
									   stored, what);
}

/*
 * A stored row breaks the rule when it is assigned with no day of
 * assignment: its wait could not be counted, and it would pass on at once.
 */
bool
mpn_stored_row_reassign_after(TriggerData *td, const RuleTrigger *rule, HeapTuple row,
							  char **message)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);

	if (heap_attisnull(row, rule->attnum[0], tupdesc) ||
		!heap_attisnull(row, rule->attnum[1], tupdesc))
		return false;
	if (message != NULL)
	{
		char	   *pk = mpn_describe_row(td->tg_relation, row);

		*message = pk != NULL ?
			psprintf("subscription %s is assigned to %s with no \"%s\"", pk,
					 mpn_column_text(rule, 0, row, tupdesc), td->tg_trigger->tgargs[1]) :
			psprintf("the subscription of %s has no \"%s\"",
					 mpn_column_text(rule, 0, row, tupdesc), td->tg_trigger->tgargs[1]);
	}
	return true;
}

/*
 * The truncate guard, BEFORE TRUNCATE: a table that holds a subscription
 * still inside its wait is not emptied, as DELETE would not delete it.
 */
/* A row matters to the truncate guard while its subscription waits */
static bool
row_is_waiting(const RuleTrigger *rule, TupleTableSlot *slot, void *arg)
{
	bool		should_free;
	HeapTuple	row = ExecFetchSlotHeapTuple(slot, false, &should_free);
	bool		waiting;

	(void) arg;
	waiting = !heap_attisnull(row, rule->attnum[1], slot->tts_tupleDescriptor) &&
		(int64) mpn_today() < reassignable_from(rule, row, slot->tts_tupleDescriptor);
	if (should_free)
		heap_freetuple(row);
	return waiting;
}

static void
guard_truncate(TriggerData *td, const RuleTrigger *rule)
{
	Relation	rel = td->tg_relation;
	HeapTuple	row = mpn_first_stored_row(rel, rule, row_is_waiting, NULL);
	int64		from;

	if (row == NULL)
		return;
	from = reassignable_from(rule, row, RelationGetDescr(rel));
	if (!mpn_may_show_values(rel, 2, rule->attnum))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("cannot truncate table \"%s\": it holds a subscription inside its wait",
						mpn_table_name(rel)),
				 errdetail("A subscription passes to another subscriber only %d day%s after its last assignment, and TRUNCATE is refused while the table holds one inside that wait, as DELETE of it is.",
						   rule->days, rule->days == 1 ? "" : "s"),
				 errhint("Delete the subscriptions whose wait is over instead."),
				 errtable(rel)));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("cannot truncate table \"%s\": %s cannot be deleted before %s",
					mpn_table_name(rel), subscription_name(td, rule, row),
					mpn_date_text((DateADT) Min(from, PG_INT32_MAX))),
			 errdetail("A subscription passes to another subscriber only %d day%s after its last assignment, and TRUNCATE is refused while the table holds one inside that wait, as DELETE of it is.",
					   rule->days, rule->days == 1 ? "" : "s"),
			 errhint("Delete the subscriptions whose wait is over instead."),
			 errtable(rel)));
}

/*
 * Logical replication apply (session_replication_role = replica, where
 * only ALWAYS and REPLICA triggers fire): the publisher stamps
 * assignments, so the rule takes its stamps and checks the wait between
 * them, not against this server's today.
 */
static inline bool
applying_replicated_change(void)
{
	return SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA;
}

/* Refuse a replicated change of hands whose stamps are closer than the wait */
static void
check_replicated_stamps(TriggerData *td, const RuleTrigger *rule, HeapTuple old, HeapTuple new)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	bool		isnull;
	Datum		stamp = mpn_get_column(rule, 1, new, tupdesc, &isnull);
	int64		from;

	if (heap_attisnull(old, rule->attnum[1], tupdesc))
		return;					/* its first assignment */
	from = reassignable_from(rule, old, tupdesc);
	if (!isnull && (int64) mpn_day_of_value(rule->atttype[1], stamp) >= from)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("%s cannot pass to %s before %s",
					subscription_name(td, rule, old), mpn_column_text(rule, 0, new, tupdesc),
					mpn_date_text((DateADT) Min(from, PG_INT32_MAX))),
			 errdetail("It was last assigned to %s on %s, and the replicated change stamps its new assignment %s; a subscription passes to another subscriber only %d day%s after its last assignment.",
					   mpn_column_text(rule, 0, old, tupdesc), mpn_day_text(rule, 1, old, tupdesc),
					   mpn_day_text(rule, 1, new, tupdesc), rule->days, rule->days == 1 ? "" : "s"),
			 errhint("Apply stops at this change: correct the row on the publisher, or skip the transaction with ALTER SUBSCRIPTION ... SKIP."),
			 errtable(td->tg_relation)));
}

/* reassign_after(): BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW */
PG_FUNCTION_INFO_V1(mpn_reassign_after);
Datum
mpn_reassign_after(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = mpn_setup_reassign_after(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	old = td->tg_trigtuple;
	HeapTuple	new = td->tg_newtuple;
	bool		isnull;
	int			stamp_col = rule->attnum[1];
	Datum		stamp;
	bool		stamp_null = false;

	if (rule->recheck)
	{
		if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		{
			if (mpn_recheck_applies(td, rule))
				guard_truncate(td, rule);
		}
		else
			recheck_reassign_after(td, rule);
		return PointerGetDatum(NULL);
	}
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		/*
		 * A new subscription: its first assignment is free and stamped today.
		 * A date given by hand would let a deleted subscription come back
		 * with an old date and pass on at once: only today is accepted.
		 */
		Datum		assigned = mpn_get_column(rule, 1, old, tupdesc, &isnull);
		Datum		was[MAX_RULE_COLUMNS];
		bool		was_null[MAX_RULE_COLUMNS];
		MoveLanding landing = mpn_move_landing(rule, td, old, was, was_null);

		/*
		 * A row moving in from another partition keeps its state; an
		 * assigned one that another trigger changed on the way is refused.
		 * A replicated row keeps the publisher's stamp.
		 */
		if (landing == MOVE_KEPT)
			return PointerGetDatum(old);
		if (landing == MOVE_CHANGED && !was_null[1])
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("cannot change %s on its way to partition \"%s\"",
							subscription_name(td, rule, old), RelationGetRelationName(td->tg_relation)),
					 errdetail("Another trigger changed \"%s\" or \"%s\" of a subscription moving to another partition; a move keeps its subscriber and its day of assignment.",
							   td->tg_trigger->tgargs[0], td->tg_trigger->tgargs[1]),
					 errhint("Keep other triggers from changing the rule's columns of a row that moves."),
					 errtable(td->tg_relation)));
		if (!isnull && applying_replicated_change())
			return PointerGetDatum(old);
		if (!isnull)
		{
			if (mpn_day_of_value(rule->atttype[1], assigned) != mpn_today())
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("cannot insert %s with \"%s\" %s set by hand",
								subscription_name(td, rule, old),
								td->tg_trigger->tgargs[1],
								mpn_day_text(rule, 1, old, tupdesc)),
						 errdetail("Trigger \"%s\" stamps the day of each assignment, and today is %s; "
								   "a day set by hand would move the wait before it may pass on again.",
								   mpn_trigger_name(td), mpn_date_text(mpn_today())),
						 errhint("Leave \"%s\" NULL to have it stamped. To load history, the table's owner can "
								 "ALTER TABLE ... DISABLE TRIGGER %s for the load.",
								 td->tg_trigger->tgargs[1], quote_identifier(mpn_trigger_name(td))),
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
		/*
		 * deleting and inserting again must not reset the clock; moving to
		 * another partition keeps it
		 */
		if (mpn_move_is_delete(rule, td))
			return PointerGetDatum(old);
		if (!heap_attisnull(old, rule->attnum[1], tupdesc) &&
			(int64) mpn_today() < reassignable_from(rule, old, tupdesc))
			report_too_early(td, rule, old, "be deleted",
							 reassignable_from(rule, old, tupdesc));
		return PointerGetDatum(old);
	}

	/* UPDATE: assigned_on belongs to the trigger once the row exists */
	if (applying_replicated_change() && !mpn_column_unchanged(rule, 1, old, new, tupdesc) &&
		!heap_attisnull(new, rule->attnum[0], tupdesc) &&
		!mpn_column_unchanged(rule, 0, old, new, tupdesc))
	{
		/* the publisher's stamp of a change of hands */
		check_replicated_stamps(td, rule, old, new);
		mpn_move_note_update(rule, td, new);
		return PointerGetDatum(new);
	}
	if (!mpn_column_unchanged(rule, 1, old, new, tupdesc))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("cannot set \"%s\" of %s by hand",
						td->tg_trigger->tgargs[1], subscription_name(td, rule, old)),
				 errdetail("It is %s; trigger \"%s\" stamps it when the subscription passes to a subscriber.",
						   mpn_day_text(rule, 1, old, tupdesc), mpn_trigger_name(td)),
				 errhint("Change only \"%s\"; the date follows.", td->tg_trigger->tgargs[0]),
				 errtable(td->tg_relation)));

	if (mpn_column_unchanged(rule, 0, old, new, tupdesc) ||
		heap_attisnull(new, rule->attnum[0], tupdesc))
	{
		mpn_move_note_update(rule, td, new);
		return PointerGetDatum(new);	/* no change of hands, or unassigned */
	}

	/*
	 * passing to a subscriber: free the first time, else after the wait;
	 * a subscription held with no day of assignment (a row adopted with
	 * mpn.check_existing_rows off) has a wait no one can count
	 */
	if (heap_attisnull(old, rule->attnum[1], tupdesc) &&
		!heap_attisnull(old, rule->attnum[0], tupdesc))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("%s cannot pass to %s: its last assignment has no day",
						subscription_name(td, rule, old), mpn_column_text(rule, 0, new, tupdesc)),
				 errdetail("It is assigned to %s with no \"%s\", so its wait of %d day%s cannot be counted.",
						   mpn_column_text(rule, 0, old, tupdesc), td->tg_trigger->tgargs[1],
						   rule->days, rule->days == 1 ? "" : "s"),
				 errhint("The table's owner can set \"%s\" to the day it was assigned, with trigger \"%s\" disabled for that update.",
						 td->tg_trigger->tgargs[1], mpn_trigger_name(td)),
				 errtable(td->tg_relation)));
	if (!heap_attisnull(old, rule->attnum[1], tupdesc))
	{
		int64		from = reassignable_from(rule, old, tupdesc);

		if ((int64) mpn_today() < from)
			report_too_early(td, rule, old,
							 psprintf("pass to %s", mpn_column_text(rule, 0, new, tupdesc)),
							 from);
	}
	stamp = assignment_stamp(rule);
	new = heap_modify_tuple_by_cols(new, tupdesc, 1, &stamp_col, &stamp, &stamp_null);
	mpn_move_note_update(rule, td, new);
	return PointerGetDatum(new);
}
