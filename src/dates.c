/*-------------------------------------------------------------------------
 *
 * dates.c
 *	  "Today" for the rules, the day of a moment, and the ISO text of a day
 *	  for messages.
 *
 * The rules are kept in one time zone, UTC unless a superuser sets
 * mpn.time_zone, so that a session's own TimeZone never moves a deadline:
 * two clerks in Seattle and Sydney see the same "today" at the same moment.
 * mpn.as_of_date, when set, is "today" instead of the calendar.  Both
 * settings are defined in mpn_benefits.c.
 *
 * src/dates.c
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
#include "utils/timestamp.h"

#include "calendar.h"
#include "dates.h"
#include "mpn_benefits.h"

/* ISO text of a date for messages, whatever DateStyle says; palloc'd */
char *
mpn_date_text(DateADT day)
{
	char	   *buf = palloc(CAL_DAY_TEXT_SIZE);

	cal_format_day(day, buf);
	return buf;
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

/* mpn.day_of(moment): the calendar day of a moment in mpn.time_zone */
PG_FUNCTION_INFO_V1(mpn_day_of);
Datum
mpn_day_of(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(mpn_date_of(PG_GETARG_TIMESTAMPTZ(0)));
}
