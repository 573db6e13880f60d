/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The partner program's benefit rules as IMMUTABLE date functions.
 *
 * Conventions every rule here keeps (the README states them for users):
 *	- a year is PostgreSQL's calendar year: 2024-02-29 plus one year is
 *	  2025-02-28, as date + interval '1 year' gives;
 *	- a benefit expiry date and an activation deadline are inclusive last
 *	  days; a key's and a term's period is half-open [start, end);
 *	- infinity and -infinity pass through as date + integer passes them;
 *	- a result past PostgreSQL's date range is an ERROR, never wrapped;
 *	  a yes/no rule never fails for that: it compares in 64 bits.
 *
 * src/rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "calendar.h"
#include "dates.h"
#include "mpn_benefits.h"

/* Rule 2: benefits that need a user assignment get this many more days */
#define GRACE_DAYS			30
/* Rule 7: a Visual Studio subscription may pass on this many days later */
#define REASSIGN_AFTER_DAYS 90

/* The last day of the date range, for messages */
#define LAST_DATE_TEXT "5874897-12-31"

static pg_noinline void
report_date_out_of_range(DateADT day, const char *added)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("date out of range: %s plus %s", mpn_date_text(day), added),
			 errdetail("The last date PostgreSQL can store is " LAST_DATE_TEXT ".")));
}

/* day plus one calendar year; infinities pass through */
static inline DateADT
plus_one_year(DateADT day)
{
	int64		result;

	if (DATE_NOT_FINITE(day))
		return day;
	result = cal_add_one_year_fast(day);
	if (unlikely(!cal_day_in_range(result)))
		report_date_out_of_range(day, "1 year");
	return (DateADT) result;
}

/* day plus a number of days; infinities pass through */
static inline DateADT
plus_days(DateADT day, int32 days, const char *added)
{
	int64		result;

	if (DATE_NOT_FINITE(day))
		return day;
	result = (int64) day + days;
	if (unlikely(!cal_day_in_range(result)))
		report_date_out_of_range(day, added);
	return (DateADT) result;
}

/* day plus days in 64 bits, for comparisons that must not fail */
static inline int64
plus_days_unchecked(DateADT day, int32 days)
{
	return DATE_NOT_FINITE(day) ? (int64) day : (int64) day + days;
}

/* A date argument that must be a real day, not infinity */
static void
require_finite(DateADT day, const char *argname)
{
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date, not %s", argname, mpn_date_text(day))));
}

/* benefit_expiry(enrolled_on): rule 1, the last day to activate */
PG_FUNCTION_INFO_V1(mpn_benefit_expiry);
Datum
mpn_benefit_expiry(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(plus_one_year(PG_GETARG_DATEADT(0)));
}

/* activation_deadline(benefit_expiry, requires_user_assignment): rule 2 */
PG_FUNCTION_INFO_V1(mpn_activation_deadline);
Datum
mpn_activation_deadline(PG_FUNCTION_ARGS)
{
	DateADT		expiry = PG_GETARG_DATEADT(0);

	if (!PG_GETARG_BOOL(1))
		PG_RETURN_DATEADT(expiry);
	PG_RETURN_DATEADT(plus_days(expiry, GRACE_DAYS, "30 days"));
}

/* can_activate(benefit_expiry, requires_user_assignment, on_date) */
PG_FUNCTION_INFO_V1(mpn_can_activate);
Datum
mpn_can_activate(PG_FUNCTION_ARGS)
{
	DateADT		expiry = PG_GETARG_DATEADT(0);
	int32		grace = PG_GETARG_BOOL(1) ? GRACE_DAYS : 0;
	DateADT		on_date = PG_GETARG_DATEADT(2);

	PG_RETURN_BOOL((int64) on_date <= plus_days_unchecked(expiry, grace));
}

/* key_valid_until(redeemed_on): rule 3, the first day the key is spent */
PG_FUNCTION_INFO_V1(mpn_key_valid_until);
Datum
mpn_key_valid_until(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(plus_one_year(PG_GETARG_DATEADT(0)));
}

/* key_is_usable(redeemed_on, on_date): on_date in [redeemed_on, valid_until) */
PG_FUNCTION_INFO_V1(mpn_key_is_usable);
Datum
mpn_key_is_usable(PG_FUNCTION_ARGS)
{
	DateADT		redeemed = PG_GETARG_DATEADT(0);
	DateADT		on_date = PG_GETARG_DATEADT(1);
	int64		until;

	if (on_date < redeemed)
		PG_RETURN_BOOL(false);
	/* past the date range, the year is not over on any storable day */
	until = DATE_NOT_FINITE(redeemed) ? redeemed : cal_add_one_year_fast(redeemed);
	PG_RETURN_BOOL((int64) on_date < until);
}

/* can_renew(renewal_start, on_date): rule 6 */
PG_FUNCTION_INFO_V1(mpn_can_renew);
Datum
mpn_can_renew(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_DATEADT(1) >= PG_GETARG_DATEADT(0));
}

/* reassignable_on(assigned_on): rule 7, the first day it may pass on */
PG_FUNCTION_INFO_V1(mpn_reassignable_on);
Datum
mpn_reassignable_on(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(plus_days(PG_GETARG_DATEADT(0), REASSIGN_AFTER_DAYS, "90 days"));
}

/* can_reassign(assigned_on, on_date): rule 7 */
PG_FUNCTION_INFO_V1(mpn_can_reassign);
Datum
mpn_can_reassign(PG_FUNCTION_ARGS)
{
	DateADT		assigned = PG_GETARG_DATEADT(0);
	DateADT		on_date = PG_GETARG_DATEADT(1);

	PG_RETURN_BOOL((int64) on_date >= plus_days_unchecked(assigned, REASSIGN_AFTER_DAYS));
}

/*
 * License pools (rules 4 and 5)
 */

/* Days of the pool left on on_date: ends - max(on_date, starts), or 0 */
static int32
days_left(const LicenseTerm *term, DateADT on_date)
{
	int64		from = Max((int64) on_date, (int64) term->starts);

	return from >= term->ends ? 0 : (int32) (term->ends - from);
}

/*
 * Rule 4: add licenses on on_date, pooling license-days into one end date.
 * With soft (for preview_key), returns NULL instead of failing when the
 * outcome cannot be had: the subscription is not active on on_date, or the
 * count or the end date would pass their range.  Bad arguments fail always.
 */
static LicenseTerm *
add_licenses_to(const LicenseTerm *term, int32 added, DateADT on_date, bool soft)
{
	int64		existing_days;
	int64		added_days;
	int64		year_end;
	int64		total;
	int64		new_end;

	if (added < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid number of licenses to add: %d", added),
				 errdetail("A key adds at least 1 license.")));
	require_finite(on_date, "on_date");
	if (on_date >= term->ends || on_date < term->starts)
	{
		if (soft)
			return NULL;
		if (on_date >= term->ends)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot add licenses to lapsed license_term \"%s\" on %s",
							license_term_to_cstring(term), mpn_date_text(on_date)),
					 errdetail("The subscription's last day was %s.",
							   mpn_date_text(term->ends - 1)),
					 errhint("Use mpn.extend() to renew a lapsed subscription.")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot add licenses to license_term \"%s\" on %s",
						license_term_to_cstring(term), mpn_date_text(on_date)),
				 errdetail("The subscription starts on %s.", mpn_date_text(term->starts)),
				 errhint("Add licenses on or after the subscription's first day.")));
	}
	if ((int64) term->licenses + added > PG_INT32_MAX)
	{
		if (soft)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("license count out of range: %d plus %d", term->licenses, added),
				 errdetail("A license term holds at most 2147483647 licenses.")));
	}

	/*
	 * E licenses with R days left, N licenses with a year each, pooled.  The
	 * year may end past the date range while the pooled end still fits, so
	 * only the result is checked.
	 */
	year_end = cal_add_one_year_fast(on_date);
	existing_days = (int64) term->licenses * (term->ends - on_date);
	added_days = (int64) added * (year_end - on_date);
	total = existing_days + added_days;
	new_end = on_date + total / (term->licenses + added);
	if (!cal_day_in_range(new_end))
	{
		if (soft)
			return NULL;
		report_date_out_of_range(term->ends, "the added license-time");
	}
	return license_term_make(term->licenses + added, term->starts, (DateADT) new_end);
}

/*
 * Rule 5: extend by a year from the end, or from on_date once lapsed.  With
 * soft (for preview_key), NULL instead of failing when the new end would
 * pass the last date.
 */
static LicenseTerm *
extend_term(const LicenseTerm *term, DateADT on_date, bool soft)
{
	DateADT		from;

	require_finite(on_date, "on_date");
	from = on_date < term->ends ? term->ends : on_date;
	if (soft && !cal_day_in_range(cal_add_one_year_fast(from)))
		return NULL;
	if (on_date < term->ends)
		return license_term_make(term->licenses, term->starts, plus_one_year(term->ends));
	return license_term_make(term->licenses, on_date, plus_one_year(on_date));
}

/* add_licenses(term, added, on_date): rule 4 */
PG_FUNCTION_INFO_V1(mpn_add_licenses);
Datum
mpn_add_licenses(PG_FUNCTION_ARGS)
{
	PG_RETURN_LICENSE_TERM_P(add_licenses_to(PG_GETARG_LICENSE_TERM_P(0),
											 PG_GETARG_INT32(1),
											 PG_GETARG_DATEADT(2), false));
}

/* extend(term, on_date): rule 5 */
PG_FUNCTION_INFO_V1(mpn_extend);
Datum
mpn_extend(PG_FUNCTION_ARGS)
{
	PG_RETURN_LICENSE_TERM_P(extend_term(PG_GETARG_LICENSE_TERM_P(0),
										 PG_GETARG_DATEADT(1), false));
}

/* remaining_days(term, on_date): days of the pool left on on_date */
PG_FUNCTION_INFO_V1(mpn_remaining_days);
Datum
mpn_remaining_days(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(days_left(PG_GETARG_LICENSE_TERM_P(0), PG_GETARG_DATEADT(1)));
}

/*
 * preview_key(term, licenses_on_key, on_date): both outcomes of spending a
 * key, side by side.  A side that cannot be had is NULL, the other is still
 * given: adding, when the subscription is not active on on_date or the
 * count or end would pass its range; extending, when the new end would
 * pass the last date.
 */
PG_FUNCTION_INFO_V1(mpn_preview_key);
Datum
mpn_preview_key(PG_FUNCTION_ARGS)
{
	LicenseTerm *term = PG_GETARG_LICENSE_TERM_P(0);
	int32		licenses_on_key = PG_GETARG_INT32(1);
	DateADT		on_date = PG_GETARG_DATEADT(2);
	LicenseTerm *added;
	LicenseTerm *extended;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	added = add_licenses_to(term, licenses_on_key, on_date, true);
	extended = extend_term(term, on_date, true);

	if (added != NULL)
	{
		values[0] = LicenseTermPGetDatum(added);
		values[1] = Int32GetDatum(days_left(added, on_date));
	}
	else
		nulls[0] = nulls[1] = true;
	if (extended != NULL)
	{
		values[2] = LicenseTermPGetDatum(extended);
		values[3] = Int32GetDatum(days_left(extended, on_date));
	}
	else
		nulls[2] = nulls[3] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
