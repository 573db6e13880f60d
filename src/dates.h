/*-------------------------------------------------------------------------
 *
 * dates.h
 *	  "Today" for the rules, the day of a moment in mpn.time_zone, and the
 *	  ISO text of a day for messages (dates.c).
 *
 * src/dates.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_DATES_H
#define MPN_DATES_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/date.h"

/* The rules' "today": mpn.as_of_date, or the calendar in mpn.time_zone */
extern DateADT mpn_today(void);

/* The calendar day of a moment in mpn.time_zone */
extern DateADT mpn_date_of(TimestampTz moment);

/* The moment a rule stamps as "now" (mpn.as_of_date's midnight when set) */
extern TimestampTz mpn_now(void);

/* ISO text of a day for messages, whatever DateStyle says; palloc'd */
extern char *mpn_date_text(DateADT day);

#endif							/* MPN_DATES_H */
