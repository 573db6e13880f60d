/*-------------------------------------------------------------------------
 *
 * fuzz_license_term.c
 *	  libFuzzer harness for the license term parser, checker and formatter
 *	  and the ISO date parser (src/text_forms.c), and the calendar under
 *	  them (src/calendar.c), run outside the server by test/fuzz/run.sh.
 *
 * Each input is used three ways:
 *
 * - as text, the bytes license_term_in hands to term_parse (and the
 *	 mpn.as_of_date setting to iso_date_parse).  The buffer libFuzzer gives
 *	 us holds exactly size bytes and no terminating NUL, and we pass it on
 *	 as it is, so AddressSanitizer catches any read past the length the
 *	 parser was told;
 *
 * - when it has at least 12 bytes, its first 12 as the three big-endian
 *	 int4 fields license_term_recv reads off the wire, for term_check;
 *
 * - its first few groups of 4 bytes as day numbers for the calendar.
 *
 * The parsers are checked against a plain recognizer of the documented
 * grammar written here, the checker against a plain statement of its
 * rules, and the calendar against a slow reference that walks years and
 * months one at a time (no shared formulas).  A violated property calls
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

/* The last year of PostgreSQL's date range (its last day is 12-31) */
#define REF_LAST_YEAR			5874897

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
	/* the remainder of a negative year is negative or zero in C: fine */
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

static int
ref_days_in_year(int64_t year)
{
	return ref_is_leap(year) ? 366 : 365;
}

/* Floor of a / REF_DAYS_PER_400_YEARS or of a / 400: C division truncates */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static void
ref_civil(int64_t day, int64_t *year, int *month, int *mday)
{
	int64_t		cycles = floor_div(day, REF_DAYS_PER_400_YEARS);
	int64_t		rest = day - cycles * REF_DAYS_PER_400_YEARS;
	int64_t		y = 2000 + 400 * cycles;
	int			m = 1;

	while (rest >= ref_days_in_year(y))
		rest -= ref_days_in_year(y++);
	while (rest >= ref_days_in_month(y, m))
		rest -= ref_days_in_month(y, m++);
	*year = y;
	*month = m;
	*mday = (int) rest + 1;
}

static int64_t
ref_day(int64_t year, int month, int mday)
{
	int64_t		cycles = floor_div(year - 2000, 400);
	int64_t		day = cycles * REF_DAYS_PER_400_YEARS;

	for (int64_t y = 2000 + 400 * cycles; y < year; y++)
		day += ref_days_in_year(y);
	for (int m = 1; m < month; m++)
		day += ref_days_in_month(year, m);
	return day + mday - 1;
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

/* Is year-month-mday a date a license term may use? */
static bool
ref_date_valid(int64_t year, int64_t month, int64_t mday)
{
	return year >= 1 && year <= REF_LAST_YEAR && month >= 1 && month <= 12 &&
		mday >= 1 && mday <= ref_days_in_month(year, (int) month);
}

/*
 * Reference recognizer of the text forms, following the documentation:
 *
 *	 term: <licenses> license[s] [<starts>,<ends>)
 *	 date: YYYY-MM-DD, 0001-01-01 to 5874897-12-31
 *
 * white space allowed around the whole and between the parts, the word in
 * any case, an optional + on the count (no space after it), the count with
 * any number of leading zeros before at most 12 digits, years written with
 * 4 to 8 digits (leading zeros allowed).
 */
typedef struct RefCursor
{
	const uint8_t *text;
	size_t		pos;
	size_t		end;
} RefCursor;

static bool
ref_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool
ref_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static void
ref_skip_space(RefCursor *c)
{
	while (c->pos < c->end && ref_is_space(c->text[c->pos]))
		c->pos++;
}

/* Trim the cursor's range as the input functions do */
static RefCursor
ref_cursor(const uint8_t *text, size_t len)
{
	RefCursor	c = {text, 0, len};

	while (c.end > 0 && ref_is_space(text[c.end - 1]))
		c.end--;
	ref_skip_space(&c);
	return c;
}

/* A run of digits, its length in *ndigits; values beyond 18 digits cap */
static int64_t
ref_number(RefCursor *c, size_t *ndigits)
{
	int64_t		v = 0;
	size_t		start = c->pos;

	for (; c->pos < c->end && ref_is_digit(c->text[c->pos]); c->pos++)
	{
		if (c->pos - start < 18)
			v = v * 10 + (c->text[c->pos] - '0');
	}
	*ndigits = c->pos - start;
	return v;
}

static bool
ref_char(RefCursor *c, char ch)
{
	ref_skip_space(c);
	if (c->pos < c->end && c->text[c->pos] == (uint8_t) ch)
	{
		c->pos++;
		return true;
	}
	return false;
}

/* An ISO date after optional white space, into *day if valid */
static bool
ref_date(RefCursor *c, int32_t *day)
{
	size_t		n;
	int64_t		year;
	int64_t		month;
	int64_t		mday;

	ref_skip_space(c);
	year = ref_number(c, &n);
	if (n < 4 || n > 8 || !(c->pos < c->end && c->text[c->pos++] == '-'))
		return false;
	month = ref_number(c, &n);
	if (n != 2 || !(c->pos < c->end && c->text[c->pos++] == '-'))
		return false;
	mday = ref_number(c, &n);
	if (n != 2 || !ref_date_valid(year, month, mday))
		return false;
	*day = (int32_t) ref_day(year, (int) month, (int) mday);
	return true;
}

static bool
ref_term_parse(const uint8_t *text, size_t len, TermValue *term)
{
	RefCursor	c = ref_cursor(text, len);
	const char *word = "license";
	int64_t		count;
	size_t		n;

	/* a minus sign can only ever give a count below 1 */
	if (c.pos < c.end && text[c.pos] == '+')
		c.pos++;
	while (c.pos + 1 < c.end && text[c.pos] == '0' && ref_is_digit(text[c.pos + 1]))
		c.pos++;
	count = ref_number(&c, &n);
	if (n < 1 || n > 12 || count < 1 || count > INT32_MAX)
		return false;
	term->licenses = (int32_t) count;

	ref_skip_space(&c);
	for (; *word != '\0'; word++, c.pos++)
	{
		if (c.pos >= c.end || (text[c.pos] | 0x20) != (uint8_t) *word)
			return false;
	}
	if (c.pos < c.end && (text[c.pos] | 0x20) == 's')
		c.pos++;

	return ref_char(&c, '[') && ref_date(&c, &term->starts) &&
		ref_char(&c, ',') && ref_date(&c, &term->ends) &&
		ref_char(&c, ')') && c.pos == c.end &&
		term->starts < term->ends;
}

static bool
ref_iso_date_parse(const uint8_t *text, size_t len, int32_t *day)
{
	RefCursor	c = ref_cursor(text, len);

	return ref_date(&c, day) && c.pos == c.end;
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
	/* the rules' fast path must agree with the general one everywhere */
	REQUIRE(cal_add_one_year(day) == later);
	REQUIRE(cal_add_one_year_fast(day) == later);
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

/* A heap copy of exactly len bytes, no NUL, so that over-reads show */
static char *
exact_copy(const char *text, size_t len)
{
	char	   *copy = malloc(len == 0 ? 1 : len);

	REQUIRE(copy != NULL);
	memcpy(copy, text, len);
	return copy;
}

/*
 * Format a valid term and parse the text back: the value must come back
 * identical, and the text must be exactly the documented canonical form.
 */
static void
check_round_trip(const TermValue *term)
{
	char		buf[TERM_TEXT_SIZE];
	char		starts[64];
	char		ends[64];
	char		ref_text[sizeof(starts) + sizeof(ends) + 32];
	size_t		n;
	char	   *copy;
	TermValue	again;
	TermError	err;

	memset(buf, 0x7f, sizeof(buf));
	n = term_format(term, buf, sizeof(buf));
	/* the longest term must fit, or the out function would truncate it */
	REQUIRE(n > 0 && n < TERM_TEXT_SIZE);
	REQUIRE(strlen(buf) == n);

	ref_format_day(term->starts, starts, sizeof(starts));
	ref_format_day(term->ends, ends, sizeof(ends));
	snprintf(ref_text, sizeof(ref_text), "%d license%s [%s,%s)",
			 (int) term->licenses, term->licenses == 1 ? "" : "s",
			 starts, ends);
	REQUIRE(strcmp(buf, ref_text) == 0);

	copy = exact_copy(buf, n);
	REQUIRE(term_parse(copy, n, &again, &err));
	REQUIRE(err.problem == TERM_OK);
	REQUIRE(again.licenses == term->licenses);
	REQUIRE(again.starts == term->starts);
	REQUIRE(again.ends == term->ends);
	free(copy);
}

/*
 * A date the parser calls out of range must be well formed (else it is
 * TERM_EXPECTED) and really not exist or lie outside the range.
 */
static void
check_bad_date(const uint8_t *data, size_t size, size_t offset)
{
	RefCursor	c = {data, offset, size};
	size_t		n;
	int64_t		year;
	int64_t		month;
	int64_t		mday;

	year = ref_number(&c, &n);
	REQUIRE(n >= 4 && n <= 8 && c.pos < c.end && data[c.pos++] == '-');
	month = ref_number(&c, &n);
	REQUIRE(n == 2 && c.pos < c.end && data[c.pos++] == '-');
	mday = ref_number(&c, &n);
	REQUIRE(n == 2);
	REQUIRE(!ref_date_valid(year, month, mday));
}

/* Is there nothing but white space from offset to the end of the text? */
static bool
only_space_from(const uint8_t *data, size_t size, size_t offset)
{
	for (size_t k = offset; k < size; k++)
	{
		if (!ref_is_space(data[k]))
			return false;
	}
	return true;
}

/* Text input: license_term_in */
static void
check_text(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	TermValue	term;
	TermValue	ref_term;
	TermError	err;
	TermError	check_err;
	bool		parsed;

	parsed = term_parse(text, size, &term, &err);

	/* the parser must accept exactly what the grammar accepts */
	REQUIRE(parsed == ref_term_parse(data, size, &ref_term));

	if (parsed)
	{
		REQUIRE(err.problem == TERM_OK);
		REQUIRE(term.licenses == ref_term.licenses);
		REQUIRE(term.starts == ref_term.starts);
		REQUIRE(term.ends == ref_term.ends);
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
			/* at_end: "found the end of the value", else a position */
			REQUIRE(err.offset <= size);
			REQUIRE(err.expected != NULL && err.expected[0] != '\0');
			REQUIRE(err.at_end == only_space_from(data, size, err.offset));
			break;
		case TERM_NOT_HALF_OPEN:
			REQUIRE(err.offset < size);
			REQUIRE(data[err.offset] == '(' || data[err.offset] == ']');
			break;
		case TERM_BAD_DATE:
			REQUIRE(err.offset < size);
			check_bad_date(data, size, err.offset);
			break;
		case TERM_BAD_COUNT:
			/* the server prints the count's text, length bytes at offset */
			REQUIRE(err.count < 1 || err.count > INT32_MAX);
			REQUIRE(err.length >= 1 && err.offset + err.length <= size);
			for (size_t k = err.offset; k < err.offset + err.length; k++)
				REQUIRE(ref_is_digit(data[k]) ||
						(k == err.offset && (data[k] == '+' || data[k] == '-')));
			REQUIRE(ref_is_digit(data[err.offset + err.length - 1]));
			break;
		case TERM_EMPTY_PERIOD:
			break;
		default:
			REQUIRE(!"term_parse failed with a problem license_term_in cannot report");
	}
	if (err.problem == TERM_EXPECTED || err.problem == TERM_NOT_HALF_OPEN ||
		err.problem == TERM_BAD_DATE || err.problem == TERM_BAD_COUNT)
	{
		for (size_t k = 0; k < err.offset; k++)
			REQUIRE(data[k] < 0x80);
	}
}

/* Text input: the mpn.as_of_date setting */
static void
check_iso_date(const uint8_t *data, size_t size)
{
	int32_t		day = 0;
	int32_t		ref;
	bool		parsed;

	parsed = iso_date_parse((const char *) data, size, &day);
	REQUIRE(parsed == ref_iso_date_parse(data, size, &ref));
	if (parsed)
	{
		char		text[CAL_DAY_TEXT_SIZE];
		char	   *copy;
		int32_t		again;

		REQUIRE(day == ref);
		/* and the date as the server prints it reads back the same */
		cal_format_day(day, text);
		copy = exact_copy(text, strlen(text));
		REQUIRE(iso_date_parse(copy, strlen(text), &again));
		REQUIRE(again == day);
		free(copy);
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
 * Fixed points of the day numbering that the whole extension relies on,
 * and calendar cases random inputs hardly ever reach; checked once, since
 * no input changes them.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char		text[CAL_DAY_TEXT_SIZE];

	(void) argc;
	(void) argv;

	REQUIRE(cal_day_from_civil(2000, 1, 1) == 0);
	REQUIRE(cal_day_from_civil(1, 1, 1) == TERM_FIRST_DAY);
	REQUIRE(cal_day_from_civil(-4713, 11, 24) == CAL_FIRST_DAY);
	REQUIRE(cal_day_from_civil(REF_LAST_YEAR, 12, 31) == CAL_LAST_DAY);
	REQUIRE(ref_day(REF_LAST_YEAR, 12, 31) == CAL_LAST_DAY);
	REQUIRE(!cal_day_in_range(CAL_FIRST_DAY - 1));
	REQUIRE(!cal_day_in_range(CAL_LAST_DAY + 1));

	cal_format_day(CAL_MINUS_INFINITY, text);
	REQUIRE(strcmp(text, "-infinity") == 0);
	cal_format_day(CAL_PLUS_INFINITY, text);
	REQUIRE(strcmp(text, "infinity") == 0);

	/*
	 * Random day numbers almost never land exactly on a 400-year boundary,
	 * where an off-by-one in the era arithmetic would show.  There are few
	 * enough of them in the range to check them all, both those of our
	 * reference (from 2000-01-01) and those of Hinnant's formulas (from
	 * 0000-03-01, day -730425).
	 */
	for (int64_t day = CAL_FIRST_DAY - CAL_FIRST_DAY % REF_DAYS_PER_400_YEARS;
		 day <= CAL_LAST_DAY + 1; day += REF_DAYS_PER_400_YEARS)
	{
		for (int delta = -1; delta <= 1; delta++)
		{
			check_day(day + delta, 1);
			check_day(day - 730425 + delta, -1);
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	check_iso_date(data, size);
	if (size >= 3 * sizeof(int32_t))
		check_binary(data);

	/*
	 * Raw int32 day numbers.  Text inputs make mostly large positive ones
	 * (years near two million), so each is also folded into the couple of
	 * thousand years either side of 2000, where the leap-year exceptions
	 * and the BC boundary are.
	 */
	for (size_t k = 0; k + 4 <= size && k / 4 < MAX_DAYS_PER_INPUT; k += 4)
	{
		int32_t		day = read_int32(data + k);
		int			years = (int8_t) data[k + 3];

		check_day(day, years);
		check_day(day % 800000, years);
	}
	return 0;
}
