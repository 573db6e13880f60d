/*-------------------------------------------------------------------------
 *
 * calendar.c
 *	  Plain-C proleptic Gregorian calendar on PostgreSQL's day numbering.
 *
 * The conversions are Howard Hinnant's days_from_civil/civil_from_days,
 * shifted to PostgreSQL's epoch.  They are exact for any year that fits in
 * 64 bits, so callers may compute a day past the date range first and check
 * it with cal_day_in_range() afterwards: a result is never wrapped.
 *
 * src/calendar.c
 *
 *-------------------------------------------------------------------------
 */
#include "calendar.h"

#include <stdio.h>

/* days from 1970-01-01 (Hinnant's epoch) to 2000-01-01 (PostgreSQL's) */
#define UNIX_TO_PG_DAYS 10957

bool
cal_is_leap(int64_t year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int
cal_days_in_month(int64_t year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && cal_is_leap(year))
		return 29;
	return days[month - 1];
}

/* Day number of year-month-mday; month and mday must already be valid */
int64_t
cal_day_from_civil(int64_t year, int month, int mday)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	yoe = year - era * 400;
	doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 - UNIX_TO_PG_DAYS;
}

/* The civil date of a day number */
void
cal_civil_from_day(int64_t day, int64_t *year, int *month, int *mday)
{
	int64_t		z = day + UNIX_TO_PG_DAYS + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int			m = (int) (mp < 10 ? mp + 3 : mp - 9);

	*year = yoe + era * 400 + (m <= 2);
	*month = m;
	*mday = (int) (doy - (153 * mp + 2) / 5 + 1);
}

/*
 * The same day and month some years later, as PostgreSQL's date + interval
 * computes it: a day past the end of the target month becomes its last day
 * (2024-02-29 plus one year is 2025-02-28).  The result may lie outside the
 * date range; the caller checks.
 */
int64_t
cal_add_years(int64_t day, int years)
{
	int64_t		year;
	int			month;
	int			mday;
	int			last;

	cal_civil_from_day(day, &year, &month, &mday);
	year += years;
	last = cal_days_in_month(year, month);
	if (mday > last)
		mday = last;
	return cal_day_from_civil(year, month, mday);
}

/*
 * cal_add_years(day, 1), with one civil conversion instead of two: a year
 * from a day is 365 days, plus one when a 29 February falls in between,
 * and 29 February itself goes to 28 February (exactly 365 days on).
 */
int64_t
cal_add_one_year(int64_t day)
{
	int64_t		year;
	int			month;
	int			mday;

	cal_civil_from_day(day, &year, &month, &mday);
	if (month == 2 && mday == 29)
		return day + 365;
	return day + 365 + (cal_is_leap(month <= 2 ? year : year + 1) ? 1 : 0);
}

/*
 * cal_add_one_year() for the days business data lives on, 1900-01-01 to
 * 2199-12-31, is one load and an add: a bit per day says whether the year
 * from it holds a 29 February.  The table (13.4 kB) is built on first use
 * from cal_add_one_year() itself, so it is exact by construction.
 */
#define FAST_FIRST_DAY	(-36524)	/* 1900-01-01 */
#define FAST_DAYS		109573		/* to 2199-12-31 */

static uint8_t leap_day_within_year[(FAST_DAYS + 7) / 8];
static bool leap_day_table_ready = false;

static void
build_leap_day_table(void)
{
	for (int64_t i = 0; i < FAST_DAYS; i++)
	{
		int64_t		day = FAST_FIRST_DAY + i;

		if (cal_add_one_year(day) - day == 366)
			leap_day_within_year[i >> 3] |= (uint8_t) (1u << (i & 7));
	}
	leap_day_table_ready = true;
}

int64_t
cal_add_one_year_fast(int64_t day)
{
	uint64_t	i = (uint64_t) (day - FAST_FIRST_DAY);

	if (i >= FAST_DAYS)
		return cal_add_one_year(day);
	if (!leap_day_table_ready)
		build_leap_day_table();
	return day + 365 + ((leap_day_within_year[i >> 3] >> (i & 7)) & 1);
}

/*
 * ISO 8601 text of a DateADT, whatever the session's DateStyle: YYYY-MM-DD,
 * with " BC" for years before 1 AD, or infinity/-infinity.  buf must hold
 * CAL_DAY_TEXT_SIZE bytes.
 */
void
cal_format_day(int32_t day, char *buf)
{
	int64_t		year;
	int			month;
	int			mday;

	if (day == CAL_MINUS_INFINITY)
	{
		snprintf(buf, CAL_DAY_TEXT_SIZE, "-infinity");
		return;
	}
	if (day == CAL_PLUS_INFINITY)
	{
		snprintf(buf, CAL_DAY_TEXT_SIZE, "infinity");
		return;
	}
	cal_civil_from_day(day, &year, &month, &mday);
	if (year > 0)
		snprintf(buf, CAL_DAY_TEXT_SIZE, "%04lld-%02d-%02d",
				 (long long) year, month, mday);
	else
		snprintf(buf, CAL_DAY_TEXT_SIZE, "%04lld-%02d-%02d BC",
				 (long long) (1 - year), month, mday);
}
