/*-------------------------------------------------------------------------
 *
 * fuzz_license_term.c
 *	  libFuzzer harness for the license term parser, checker and formatter
 *	  (src/text_forms.c) and the calendar under them (src/calendar.c), run
 *	  outside the server by test/fuzz/run.sh.
 *
 * Each input is used three ways:
 *
 * - as text, the bytes license_term_in hands to term_parse.  The buffer
 *	 libFuzzer gives us holds exactly size bytes and no terminating NUL, and
 *	 we pass it on as it is, so AddressSanitizer catches any read past the
 *	 length the parser was told;
 *
 * - when it has at least 12 bytes, its first 12 as the three big-endian
 *	 int4 fields license_term_recv reads off the wire, for term_check;
 *
 * - every 4 bytes of its start as a day number for the calendar.
 *
 * The calendar is checked against a slow reference written here that walks
 * years and months one at a time (no shared formulas), and the checker
 * against a plain statement of its rules.  A violated property calls
 * abort(), which libFuzzer reports as a crash with the input saved.
 *
 * test/fuzz/fuzz_license_term.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "text_forms.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Report a violated property and abort.  The message names the property so
 * that a crash log says what went wrong, not just where.
 */
#define REQUIRE(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: property violated: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* Days in 400 Gregorian years: the calendar repeats with this period */
#define REF_DAYS_PER_400_YEARS	146097

/* How many leading 4-byte groups of an input become calendar days */
#define MAX_DAYS_PER_INPUT		4

/*
 * Reference calendar.  Day 0 is 2000-01-01, which starts a 400-year cycle,
 * so a day splits into whole cycles from 2000 and a remainder that we walk
 * through year by year and month by month.
 */
static bool
ref_is_leap(int64_t year)
{
	/* the remainder of a negative year is negative or zero in C */
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

static int
ref_days_in_month(int64_t year, int month)
{
	switch (month)
	{
		case 2:
			return ref_is_leap(year) ? 29 : 28;
		case 4:
		case 6:
		case 9:
		case 11:
			return 30;
		default:
			return 31;
	}
}

static void
ref_civil(int64_t day, int64_t *year, int *month, int *mday)
{
	int64_t		cycles = day / REF_DAYS_PER_400_YEARS;
	int64_t		rest;
	int64_t		y;
	int			m = 1;

	if (day % REF_DAYS_PER_400_YEARS < 0)
		cycles--;				/* round toward minus infinity */
	rest = day - cycles * REF_DAYS_PER_400_YEARS;
	y = 2000 + 400 * cycles;
	while (rest >= (ref_is_leap(y) ? 366 : 365))
		rest -= ref_is_leap(y++) ? 366 : 365;
	while (rest >= ref_days_in_month(y, m))
		rest -= ref_days_in_month(y, m++);
	*year = y;
	*month = m;
	*mday = (int) rest + 1;
}

/* ISO text of a DateADT as cal_format_day promises it, from ref_civil */
static void
ref_format_day(int32_t day, char *buf, size_t size)
{
	int64_t		year;
	int			month;
	int			mday;

	if (day == CAL_MINUS_INFINITY)
		snprintf(buf, size, "-infinity");
	else if (day == CAL_PLUS_INFINITY)
		snprintf(buf, size, "infinity");
	else
	{
		ref_civil(day, &year, &month, &mday);
		snprintf(buf, size, "%04lld-%02d-%02d%s",
				 (long long) (year > 0 ? year : 1 - year), month, mday,
				 year > 0 ? "" : " BC");
	}
}

/*
 * Calendar properties of one day number.  Days outside PostgreSQL's range
 * are skipped (nothing there is promised), except that cal_add_years may
 * land outside it and must still be exact.
 */
static void
check_day(int64_t day, int years)
{
	int64_t		year;
	int64_t		ref_year;
	int			month;
	int			ref_month;
	int			mday;
	int			ref_mday;
	int			last;
	int64_t		later;
	char		text[CAL_DAY_TEXT_SIZE];
	char		ref_text[64];

	if (!cal_day_in_range(day))
		return;

	/* civil date: as the reference finds it, and back to the same day */
	cal_civil_from_day(day, &year, &month, &mday);
	ref_civil(day, &ref_year, &ref_month, &ref_mday);
	REQUIRE(year == ref_year && month == ref_month && mday == ref_mday);
	REQUIRE(cal_is_leap(year) == ref_is_leap(year));
	REQUIRE(cal_days_in_month(year, month) == ref_days_in_month(year, month));
	REQUIRE(cal_day_from_civil(year, month, mday) == day);

	/* the text form, which license_term_out prints */
	memset(text, 0x7f, sizeof(text));
	cal_format_day((int32_t) day, text);
	ref_format_day((int32_t) day, ref_text, sizeof(ref_text));
	REQUIRE(memchr(text, '\0', sizeof(text)) != NULL);
	REQUIRE(strcmp(text, ref_text) == 0);

	/*
	 * One year later (the benefit rules' step): same month, the same day
	 * of the month or, past the end of the month, its last day.  Checked
	 * against the reference even out of range, where it must be exact too.
	 */
	later = cal_add_years(day, 1);
	ref_civil(later, &ref_year, &ref_month, &ref_mday);
	REQUIRE(ref_year == year + 1 && ref_month == month && ref_mday <= mday);
	if (cal_day_in_range(later))
	{
		int64_t		y2;
		int			m2;
		int			d2;

		cal_civil_from_day(later, &y2, &m2, &d2);
		REQUIRE(m2 == month && d2 <= mday);
	}

	/* and the same for a step chosen by the input, backwards too */
	later = cal_add_years(day, years);
	ref_civil(later, &ref_year, &ref_month, &ref_mday);
	last = ref_days_in_month(year + years, month);
	REQUIRE(ref_year == year + years && ref_month == month);
	REQUIRE(ref_mday == (mday <= last ? mday : last));
}

/* A big-endian int32 from the wire */
static int32_t
read_int32(const uint8_t *p)
{
	return (int32_t) (((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
					  ((uint32_t) p[2] << 8) | (uint32_t) p[3]);
}

/*
 * Format a valid term and parse the text back: the value must come back
 * identical.  The text is parsed from an exact-size heap copy, without its
 * NUL, so that an over-read on this path is caught too.
 */
static void
check_round_trip(const TermValue *term)
{
	char		buf[TERM_TEXT_SIZE];
	char		ref_text[2 * TERM_TEXT_SIZE];
	char		starts[64];
	char		ends[64];
	size_t		n;
	char	   *copy;
	TermValue	again;
	TermError	err;

	memset(buf, 0x7f, sizeof(buf));
	n = term_format(term, buf, sizeof(buf));
	/* the longest term must fit, or the out function would truncate it */
	REQUIRE(n > 0 && n < TERM_TEXT_SIZE);
	REQUIRE(strlen(buf) == n);

	/* exactly the documented canonical text */
	ref_format_day(term->starts, starts, sizeof(starts));
	ref_format_day(term->ends, ends, sizeof(ends));
	snprintf(ref_text, sizeof(ref_text), "%d license%s [%s,%s)",
			 (int) term->licenses, term->licenses == 1 ? "" : "s",
			 starts, ends);
	REQUIRE(strcmp(buf, ref_text) == 0);

	copy = malloc(n);
	REQUIRE(copy != NULL);
	memcpy(copy, buf, n);
	REQUIRE(term_parse(copy, n, &again, &err));
	REQUIRE(err.problem == TERM_OK);
	REQUIRE(again.licenses == term->licenses);
	REQUIRE(again.starts == term->starts);
	REQUIRE(again.ends == term->ends);
	free(copy);
}

/* Text input: license_term_in */
static void
check_text(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	TermValue	term;
	TermError	err;
	TermError	check_err;

	if (term_parse(text, size, &term, &err))
	{
		REQUIRE(err.problem == TERM_OK);
		/* whatever the parser builds, binary input must accept */
		REQUIRE(term_check(&term, &check_err));
		REQUIRE(check_err.problem == TERM_OK);
		check_round_trip(&term);
		check_day(term.starts, 1);
		check_day(term.ends, -1);
		return;
	}

	/*
	 * A parse failure must be one that license_term_in knows how to report
	 * (anything else there is an elog "unexpected problem"), and an offset
	 * it reports must point into the text at what it describes: the server
	 * prints the bracket at the offset with %c.  TERM_EXPECTED alone may
	 * point just past the text, meaning "expected ... at the end".  The
	 * server turns offsets into character positions with
	 * pg_mbstrlen_with_len, so every byte before an offset must be ASCII:
	 * then the offset is sure to fall on a character boundary.
	 */
	switch (err.problem)
	{
		case TERM_EXPECTED:
			REQUIRE(err.offset <= size);
			REQUIRE(err.expected != NULL && err.expected[0] != '\0');
			break;
		case TERM_NOT_HALF_OPEN:
			REQUIRE(err.offset < size);
			REQUIRE(data[err.offset] == '(' || data[err.offset] == ']');
			break;
		case TERM_BAD_DATE:
			REQUIRE(err.offset < size);
			REQUIRE(data[err.offset] >= '0' && data[err.offset] <= '9');
			break;
		case TERM_BAD_COUNT:
			REQUIRE(err.count < 1 || err.count > INT32_MAX);
			break;
		case TERM_EMPTY_PERIOD:
			break;
		default:
			REQUIRE(!"term_parse failed with a problem license_term_in cannot report");
	}
	if (err.problem == TERM_EXPECTED || err.problem == TERM_NOT_HALF_OPEN ||
		err.problem == TERM_BAD_DATE)
	{
		for (size_t k = 0; k < err.offset; k++)
			REQUIRE(data[k] < 0x80);
	}
}

/* Binary input: license_term_recv, three big-endian int4 */
static void
check_binary(const uint8_t *data)
{
	TermValue	term;
	TermError	err;
	TermProblem expect;

	term.licenses = read_int32(data);
	term.starts = read_int32(data + 4);
	term.ends = read_int32(data + 8);

	/* the rules of term_check, in its order, stated plainly */
	if (term.licenses < 1)
		expect = TERM_BAD_COUNT;
	else if (term.starts == INT32_MIN || term.starts == INT32_MAX ||
			 term.ends == INT32_MIN || term.ends == INT32_MAX)
		expect = TERM_DATE_NOT_FINITE;
	else if (term.starts < TERM_FIRST_DAY || term.starts > CAL_LAST_DAY ||
			 term.ends < TERM_FIRST_DAY || term.ends > CAL_LAST_DAY)
		expect = TERM_DATE_OUT_OF_RANGE;
	else if (term.starts >= term.ends)
		expect = TERM_EMPTY_PERIOD;
	else
		expect = TERM_OK;

	REQUIRE(term_check(&term, &err) == (expect == TERM_OK));
	REQUIRE(err.problem == expect);
	if (expect == TERM_BAD_COUNT)
		REQUIRE(err.count == term.licenses);
	if (expect == TERM_OK)
		check_round_trip(&term);
}

/*
 * Fixed points of the day numbering that the whole extension relies on;
 * checked once, since no input changes them.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;

	REQUIRE(cal_day_from_civil(2000, 1, 1) == 0);
	REQUIRE(cal_day_from_civil(1, 1, 1) == TERM_FIRST_DAY);
	REQUIRE(cal_day_from_civil(-4713, 11, 24) == CAL_FIRST_DAY);
	REQUIRE(cal_day_from_civil(5874897, 12, 31) == CAL_LAST_DAY);
	REQUIRE(!cal_day_in_range(CAL_FIRST_DAY - 1));
	REQUIRE(!cal_day_in_range(CAL_LAST_DAY + 1));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	if (size >= 3 * sizeof(int32_t))
		check_binary(data);

	/*
	 * Raw int32 day numbers.  Text inputs make mostly large positive ones
	 * (years near two million), so each is also folded into the last
	 * couple of thousand years either side of 2000, where the leap-year
	 * exceptions and the BC boundary are.
	 */
	for (size_t k = 0; k + 4 <= size && k / 4 < MAX_DAYS_PER_INPUT; k += 4)
	{
		int32_t		day = read_int32(data + k);
		int			years = (int8_t) data[k];

		check_day(day, years);
		check_day(day % 800000, years);
	}
	return 0;
}
