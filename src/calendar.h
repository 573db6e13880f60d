/*-------------------------------------------------------------------------
 *
 * calendar.h
 *	  Plain-C proleptic Gregorian calendar on PostgreSQL's day numbering.
 *
 * Days are counted from 2000-01-01 exactly as PostgreSQL's DateADT counts
 * them, so a value computed here is a valid DateADT and vice versa.  Years
 * are astronomical (1 BC is year 0), as inside PostgreSQL.  Nothing here
 * includes a PostgreSQL header: the fuzz harnesses link this file alone.
 *
 * src/calendar.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_CALENDAR_H
#define MPN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * PostgreSQL's date range: Julian day 0 (4714-11-24 BC) up to, but not
 * including, Julian day 2147483494 (5874898-01-01); 2451545 is 2000-01-01.
 */
#define CAL_FIRST_DAY	((int64_t) 0 - 2451545)
#define CAL_LAST_DAY	((int64_t) 2147483494 - 2451545 - 1)

/* DateADT's infinities (DATE_NOBEGIN, DATE_NOEND) */
#define CAL_MINUS_INFINITY	INT32_MIN
#define CAL_PLUS_INFINITY	INT32_MAX

/* Longest text cal_format_day writes, with its terminating NUL */
#define CAL_DAY_TEXT_SIZE	24

static inline bool
cal_day_in_range(int64_t day)
{
	return day >= CAL_FIRST_DAY && day <= CAL_LAST_DAY;
}

static inline bool
cal_is_finite(int32_t day)
{
	return day != CAL_MINUS_INFINITY && day != CAL_PLUS_INFINITY;
}

extern bool cal_is_leap(int64_t year);
extern int	cal_days_in_month(int64_t year, int month);
extern int64_t cal_day_from_civil(int64_t year, int month, int mday);
extern void cal_civil_from_day(int64_t day, int64_t *year, int *month, int *mday);
extern int64_t cal_add_years(int64_t day, int years);
extern int64_t cal_add_one_year(int64_t day);
extern int64_t cal_add_one_year_fast(int64_t day);
extern void cal_format_day(int32_t day, char *buf);

#endif							/* MPN_CALENDAR_H */
