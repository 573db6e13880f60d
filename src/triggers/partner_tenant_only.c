/*-------------------------------------------------------------------------
 *
 * partner_tenant_only.c
 *	  mpn.partner_tenant_only(tenant_column, partner_tenant_column [, demo_column])
 *
 *	  A demonstration license is activated only on the partner's own tenant,
 *	  never on a customer's.
 *
 * src/triggers/partner_tenant_only.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

#define PARTNER_TENANT_ONLY "mpn.partner_tenant_only"

RuleTrigger *
mpn_setup_partner_tenant_only(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	RuleTrigger *rule;
	bool		needs_setup;

	rule = mpn_setup_begin(fcinfo, PARTNER_TENANT_ONLY, true, TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE,
						   "INSERT OR UPDATE", &needs_setup);
	if (!needs_setup)
		return rule;

	mpn_require_arguments(td, PARTNER_TENANT_ONLY, 2, 3,
						  "tenant_column, partner_tenant_column [, demo_column]");
	mpn_column_argument(td, rule, 0, 0, PARTNER_TENANT_ONLY, "first (tenant_column)");
	mpn_column_argument(td, rule, 1, 1, PARTNER_TENANT_ONLY, "second (partner_tenant_column)");
	if (rule->atttype[1] != rule->atttype[0])
		mpn_report_column_type(td, rule, 1, PARTNER_TENANT_ONLY,
							   "second (partner_tenant_column)",
							   psprintf("of the tenant column's type, %s",
										format_type_be(rule->atttype[0])));
	if (td->tg_trigger->tgnargs == 3)
	{
		mpn_column_argument(td, rule, 2, 2, PARTNER_TENANT_ONLY, "third (demo_column)");
		if (rule->atttype[2] != BOOLOID)
			mpn_report_column_type(td, rule, 2, PARTNER_TENANT_ONLY, "third (demo_column)",
								   "boolean");
	}

	mpn_setup_column_equality(fcinfo, rule, 0, PARTNER_TENANT_ONLY, "first (tenant_column)");
	mpn_setup_done(td, rule, PARTNER_TENANT_ONLY);
	return rule;
}

/*
 * Does row break the rule: a demonstration license (or every license, with
 * no demo column) activated on a tenant that is not the partner's own?
 * *partner_known says whether the row names the partner's tenant.
 */
static bool
row_breaks_rule(const RuleTrigger *rule, int nargs, HeapTuple row, TupleDesc tupdesc,
				bool *partner_known)
{
	bool		isnull;
	Datum		tenant;
	Datum		partner_tenant;

	*partner_known = true;
	if (nargs == 3)
	{
		Datum		demo = mpn_get_column(rule, 2, row, tupdesc, &isnull);

		if (!isnull && !DatumGetBool(demo))
			return false;		/* not a demonstration license */
	}
	tenant = mpn_get_column(rule, 0, row, tupdesc, &isnull);
	if (isnull)
		return false;			/* not activated on any tenant yet */
	partner_tenant = mpn_get_column(rule, 1, row, tupdesc, &isnull);
	*partner_known = !isnull;
	return isnull ||
		!DatumGetBool(FunctionCall2Coll((FmgrInfo *) &rule->equal, rule->equal_collation,
										tenant, partner_tenant));
}

/* The refusal's message for a row that activates a demo license off the partner's tenant */
static char *
activation_message(TriggerData *td, const RuleTrigger *rule, HeapTuple row)
{
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	char	   *license = mpn_describe_row(td->tg_relation, row);

	if (license != NULL)
		return psprintf("demonstration license %s cannot be activated on tenant %s",
						license, mpn_column_text(rule, 0, row, tupdesc));
	return psprintf("demonstration license cannot be activated on tenant %s",
					mpn_column_text(rule, 0, row, tupdesc));
}

/*
 * A stored row breaks the rule as a written one would: a demonstration
 * license activated on a tenant that is not the partner's own.
 */
bool
mpn_stored_row_partner_tenant_only(TriggerData *td, const RuleTrigger *rule, HeapTuple row,
								   char **message)
{
	bool		partner_known;

	if (!row_breaks_rule(rule, td->tg_trigger->tgnargs, row,
						 RelationGetDescr(td->tg_relation), &partner_known))
		return false;
	if (message != NULL)
		*message = activation_message(td, rule, row);
	return true;
}

/* partner_tenant_only(): BEFORE INSERT OR UPDATE FOR EACH ROW */
PG_FUNCTION_INFO_V1(mpn_partner_tenant_only);
Datum
mpn_partner_tenant_only(PG_FUNCTION_ARGS)
{
	RuleTrigger *rule = mpn_setup_partner_tenant_only(fcinfo);
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(td->tg_relation);
	HeapTuple	row = mpn_written_row(td);
	bool		partner_known;

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(td->tg_trigtuple);	/* deleting activates nothing */
	if (rule->recheck && !mpn_recheck_applies(td, rule))
		return PointerGetDatum(NULL);
	if (!row_breaks_rule(rule, td->tg_trigger->tgnargs, row, tupdesc, &partner_known))
		return rule->recheck ? PointerGetDatum(NULL) : PointerGetDatum(row);

	/* the recheck, AFTER INSERT OR UPDATE: the row stored keeps the rule */
	if (rule->recheck)
	{
		mpn_report_changed_after_check(td, rule, ERRCODE_CHECK_VIOLATION, PARTNER_TENANT_ONLY, row,
										   partner_known ?
										   psprintf("The row stored activates a demonstration license on tenant %s; the partner's own tenant is %s.",
													mpn_column_text(rule, 0, row, tupdesc),
													mpn_column_text(rule, 1, row, tupdesc)) :
										   psprintf("The row stored activates a demonstration license on tenant %s, and does not name the partner's own tenant.",
													mpn_column_text(rule, 0, row, tupdesc)));
		return PointerGetDatum(NULL);
	}

	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("%s", activation_message(td, rule, row)),
			 !partner_known ?
			 errdetail("The partner's own tenant (column \"%s\") is not known for this row.",
					   td->tg_trigger->tgargs[1]) :
			 errdetail("The partner's own tenant is %s; licenses issued for demonstration are never activated on a customer's tenant.",
					   mpn_column_text(rule, 1, row, tupdesc)),
			 errhint("Activate it on the partner's own tenant, or use a license issued for the customer."),
			 errtable(td->tg_relation)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
