/*-------------------------------------------------------------------------
 *
 * exclusive_offer.c
 *	  mpn.exclusive_offer(user_column, offer_column [, exclusive_value])
 *
 *	  An offer that cannot be combined: a user who holds it holds no other
 *	  offer (an AFTER ROW trigger, as exclusion constraints work).
 *
 * src/triggers/exclusive_offer.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

#include "catalog/pg_namespace.h"

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
			   mpn_trigger_name(td), mpn_table_name(td->tg_relation));
}

/*
 * Does reading a value of type (the offer column's) run only PostgreSQL's
 * own input function, with no domain CHECK to run?  Then DDL of any role's
 * may read the exclusive value.
 */
static bool
input_is_builtin(Oid type, Oid typinput)
{
	char		typtype = get_typtype(type);

	/*
	 * A base type that is no array (an array, a composite or a range
	 * reads its elements through their types, which may be domains), or
	 * an enum
	 */
	return (typtype == TYPTYPE_ENUM ||
			(typtype == TYPTYPE_BASE && !OidIsValid(get_element_type(type)))) &&
		get_func_namespace(typinput) == PG_CATALOG_NAMESPACE;
}

RuleTrigger *
mpn_setup_exclusive_offer(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		needs_setup;
	Oid			typinput;
	Oid			typioparam;
	const char *value;

	rule = mpn_setup_begin(fcinfo, EXCLUSIVE_OFFER, false, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE,
						   "INSERT OR UPDATE", &needs_setup);
	if (!needs_setup)
		return rule;

	mpn_require_arguments(td, EXCLUSIVE_OFFER, 2, 3,
					  "user_column, offer_column [, exclusive_value]");
	mpn_column_argument(td, rule, 0, 0, EXCLUSIVE_OFFER, "first (user_column)");
	mpn_column_argument(td, rule, 1, 1, EXCLUSIVE_OFFER, "second (offer_column)");

	/* the exclusive value, read once in the offer column's own type */
	value = td->tg_trigger->tgnargs == 3 ? td->tg_trigger->tgargs[2] : DEFAULT_EXCLUSIVE_OFFER;
	getTypeInputInfo(TupleDescAttr(RelationGetDescr(td->tg_relation),
								   rule->attnum[1] - 1)->atttypid,
					 &typinput, &typioparam);
	mpn_setup_column_equality(fcinfo, rule, 1, EXCLUSIVE_OFFER, "second (offer_column)");
	if (td->tg_trigtuple != NULL || mpn_ddl_runs_table_code ||
		input_is_builtin(TupleDescAttr(RelationGetDescr(td->tg_relation),
									   rule->attnum[1] - 1)->atttypid, typinput))
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
	else
		rule->exclusive_value_deferred = true;

	if (!mpn_find_probe_index(td->tg_relation, rule, InvalidAttrNumber))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no index on column \"%s\" for trigger \"%s\"",
						mpn_table_name(td->tg_relation),
						td->tg_trigger->tgargs[0], mpn_trigger_name(td)),
				 errdetail("%s() looks up a user's other offers through a btree index whose first column is the user column.",
						   EXCLUSIVE_OFFER),
				 errhint("CREATE INDEX ON %s (%s);",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(td->tg_relation)),
													mpn_table_name(td->tg_relation)),
						 quote_identifier(td->tg_trigger->tgargs[0]))));
	return rule;
}

/*
 * A stored row breaks the rule when it holds the exclusive offer and its
 * user holds another: the row of the exclusive offer is the one counted,
 * once per other offer found first.
 */
bool
mpn_stored_row_exclusive_offer(TriggerData *td, const RuleTrigger *rule, HeapTuple row,
							   char **message)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	bool		user_null;
	bool		offer_null;
	bool		is_exclusive = true;
	Datum		user = mpn_get_column(rule, 0, row, tupdesc, &user_null);
	Datum		offer = mpn_get_column(rule, 1, row, tupdesc, &offer_null);
	HeapTuple	other;

	if (user_null || offer_null || !offer_is_exclusive(rule, offer))
		return false;
	other = mpn_probe_rows(td->tg_relation, rule, user, &row->t_self, row_clashes, &is_exclusive);
	if (other == NULL)
		return false;
	if (message != NULL)
		*message = psprintf("user %s cannot hold offer %s together with offer %s",
							mpn_column_text(rule, 0, row, tupdesc),
							mpn_column_text(rule, 1, row, tupdesc),
							mpn_column_text(rule, 1, other, tupdesc));
	return true;
}

/* exclusive_offer(): AFTER INSERT OR UPDATE FOR EACH ROW */
PG_FUNCTION_INFO_V1(mpn_exclusive_offer);
Datum
mpn_exclusive_offer(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = mpn_setup_exclusive_offer(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	row = mpn_written_row(td);
	bool		user_null;
	bool		offer_null;
	Datum		user;
	Datum		offer;
	bool		is_exclusive;
	HeapTuple	other;

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(NULL);	/* taking an offer away clashes with nothing */
	user = mpn_get_column(rule, 0, row, tupdesc, &user_null);
	offer = mpn_get_column(rule, 1, row, tupdesc, &offer_null);
	if (user_null || offer_null)
		return PointerGetDatum(NULL);
	/* an update that moves neither user nor offer cannot make a clash */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		mpn_column_unchanged(rule, 0, td->tg_trigtuple, row, tupdesc) &&
		mpn_column_unchanged(rule, 1, td->tg_trigtuple, row, tupdesc))
		return PointerGetDatum(NULL);

	is_exclusive = offer_is_exclusive(rule, offer);
	other = mpn_probe_rows(td->tg_relation, rule, user, &row->t_self, row_clashes, &is_exclusive);
	if (other != NULL && !mpn_may_show_values(td->tg_relation, 2, rule->attnum))
		ereport(ERROR,
				(errcode(ERRCODE_EXCLUSION_VIOLATION),
				 errmsg("user %s cannot hold offer %s together with another offer",
						mpn_column_text(rule, 0, row, tupdesc),
						mpn_column_text(rule, 1, row, tupdesc)),
				 is_exclusive ?
				 errdetail("Offer %s can't be combined with other offers, and the user already holds another.",
						   mpn_column_text(rule, 1, row, tupdesc)) :
				 errdetail("The user already holds an offer that can't be combined with others."),
				 errhint("Remove the user's other offers first, or choose another user."),
				 errtable(td->tg_relation)));
	if (other != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXCLUSION_VIOLATION),
				 errmsg("user %s cannot hold offer %s together with offer %s",
						mpn_column_text(rule, 0, row, tupdesc),
						mpn_column_text(rule, 1, row, tupdesc),
						mpn_column_text(rule, 1, other, tupdesc)),
				 errdetail("Offer %s can't be combined with other offers, and user %s already holds %s.",
						   is_exclusive ? mpn_column_text(rule, 1, row, tupdesc) :
						   mpn_column_text(rule, 1, other, tupdesc),
						   mpn_column_text(rule, 0, row, tupdesc),
						   mpn_column_text(rule, 1, other, tupdesc)),
				 errhint("Remove the user's other offers first, or choose another user."),
				 errtable(td->tg_relation)));
	return PointerGetDatum(NULL);
}
