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
	*extra = mpn_guc_extra_alloc(sizeof(pg_tz *));
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

/*
 * mpn.as_of_date: when set, the day the rules take for "today" instead of
 * the calendar, for reports "as of" a day and for reproducible tests.
 */
static char *mpn_as_of_text = NULL;
static bool mpn_as_of_set = false;
static DateADT mpn_as_of = 0;

static bool
check_as_of_date(char **newval, void **extra, GucSource source)
{
	int32		day;

	(void) source;
	if (*newval == NULL || **newval == '\0')
	{
		*extra = NULL;
		return true;
	}
	if (!iso_date_parse(*newval, strlen(*newval), &day))
	{
		GUC_check_errdetail("\"%s\" is not a date written YYYY-MM-DD between 0001-01-01 and 5874897-12-31.",
							*newval);
		return false;
	}
	*extra = mpn_guc_extra_alloc(sizeof(DateADT));
	if (*extra == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		return false;
	}
	*((DateADT *) *extra) = day;
	return true;
}

static void
assign_as_of_date(const char *newval, void *extra)
{
	(void) newval;
	mpn_as_of_set = extra != NULL;
	if (mpn_as_of_set)
		mpn_as_of = *((DateADT *) extra);
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
	DefineCustomStringVariable("mpn.as_of_date",
							   "Day the benefit rules take for \"today\" (empty: the calendar).",
							   "For reports as of another day and reproducible tests; "
							   "the integrity triggers follow it too.",
							   &mpn_as_of_text,
							   "",
							   PGC_SUSET,
							   0,
							   check_as_of_date,
							   assign_as_of_date,
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
 * started: stable within a transaction, like CURRENT_DATE.  mpn.as_of_date
 * overrides it.
 */
DateADT
mpn_today(void)
{
	/* the last answer, for the transaction start and zone it was for */
	static TimestampTz cached_start = 0;
	static pg_tz *cached_zone = NULL;
	static DateADT cached_day = 0;
	TimestampTz start;

	if (mpn_as_of_set)
		return mpn_as_of;
	start = GetCurrentTransactionStartTimestamp();
	if (start != cached_start || mpn_time_zone != cached_zone)
	{
		cached_day = mpn_date_of(start);
		cached_start = start;
		cached_zone = mpn_time_zone;
	}
	return cached_day;
}

/*
 * The moment a rule stamps as "now" into a timestamptz: the transaction's
 * start, or with mpn.as_of_date the start of that day in mpn.time_zone.
 */
TimestampTz
mpn_now(void)
{
	struct pg_tm tm;
	TimestampTz result;
	int			tzoffset;

	if (!mpn_as_of_set)
		return GetCurrentTransactionStartTimestamp();
	memset(&tm, 0, sizeof(tm));
	j2date(mpn_as_of + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tzoffset = DetermineTimeZoneOffset(&tm, mpn_time_zone);
	if (tm2timestamp(&tm, 0, &tzoffset, &result) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for mpn.as_of_date \"%s\"", mpn_as_of_text)));
	return result;
}

/* mpn.today(): the rules' calendar date now */
PG_FUNCTION_INFO_V1(mpn_today_sql);
Datum
mpn_today_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(mpn_today());
}
