/*-------------------------------------------------------------------------
 *
 * mpn_benefits.c
 *	  Module magic, the extension's settings, and "today" for the rules.
 *
 * The rules are kept in one time zone, UTC unless a superuser sets
 * mpn.time_zone, so that a session's own TimeZone never moves a deadline:
 * two clerks in Seattle and Sydney see the same "today" at the same moment.
 *
 * src/mpn_benefits.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "mpn_benefits.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* mpn.time_zone: its text, and the zone that text names */
static char *mpn_time_zone_name = NULL;
static pg_tz *mpn_time_zone = NULL;

/* Accept a zone PostgreSQL knows and can use (no leap-second zones) */
static bool
check_time_zone(char **newval, void **extra, GucSource source)
{
	pg_tz	   *tz;

	(void) source;
	tz = pg_tzset(*newval);
	if (tz == NULL)
	{
		GUC_check_errdetail("Time zone \"%s\" is not recognized.", *newval);
		return false;
	}
	if (!pg_tz_acceptable(tz))
	{
		GUC_check_errdetail("PostgreSQL does not support leap seconds.");
		return false;
	}
	/* guc.c releases extra with free() */
	*extra = malloc(sizeof(pg_tz *));
	if (*extra == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		return false;
	}
	*((pg_tz **) *extra) = tz;
	return true;
}

static void
assign_time_zone(const char *newval, void *extra)
{
	(void) newval;
	mpn_time_zone = *((pg_tz **) extra);
}

void
_PG_init(void)
{
	DefineCustomStringVariable("mpn.time_zone",
							   "Time zone whose calendar date is \"today\" for the benefit rules.",
							   "A session's own TimeZone setting does not move a deadline; "
							   "only this setting does.",
							   &mpn_time_zone_name,
							   "UTC",
							   PGC_SUSET,
							   0,
							   check_time_zone,
							   assign_time_zone,
							   NULL);
	MarkGUCPrefixReserved("mpn");
}

/*
 * The calendar date of a moment in mpn.time_zone: how a timestamptz
 * becomes a day for the rules.
 */
DateADT
mpn_date_of(TimestampTz moment)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tzoffset;

	if (TIMESTAMP_IS_NOBEGIN(moment))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(moment))
		return DATEVAL_NOEND;
	if (timestamp2tm(moment, &tzoffset, &tm, &fsec, NULL, mpn_time_zone) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
}

/*
 * The calendar date, in mpn.time_zone, at which the current transaction
 * started: stable within a transaction, like CURRENT_DATE.
 */
DateADT
mpn_today(void)
{
	return mpn_date_of(GetCurrentTransactionStartTimestamp());
}

/* mpn.today(): the rules' calendar date now */
PG_FUNCTION_INFO_V1(mpn_today_sql);
Datum
mpn_today_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(mpn_today());
}
