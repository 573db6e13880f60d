/*-------------------------------------------------------------------------
 *
 * text_forms.c
 *	  Plain-C parsing, formatting and checking of product keys and license
 *	  terms (see text_forms.h).  No fmgr code, no allocation, no ereport.
 *
 * src/text_forms.c
 *
 *-------------------------------------------------------------------------
 */
#include "text_forms.h"

#include <stdio.h>
#include <string.h>

#include "calendar.h"

/*
 * Symbol code + 1 of every byte that may stand in a key (upper or lower
 * case), 0 for every other byte.
 */
static const unsigned char key_code_plus_one[256] = {
	['2'] = 1, ['3'] = 2, ['4'] = 3, ['6'] = 4, ['7'] = 5, ['8'] = 6, ['9'] = 7,
	['B'] = 8, ['C'] = 9, ['D'] = 10, ['F'] = 11, ['G'] = 12, ['H'] = 13,
	['J'] = 14, ['K'] = 15, ['M'] = 16, ['N'] = 17, ['P'] = 18, ['Q'] = 19,
	['R'] = 20, ['T'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25,
	['b'] = 8, ['c'] = 9, ['d'] = 10, ['f'] = 11, ['g'] = 12, ['h'] = 13,
	['j'] = 14, ['k'] = 15, ['m'] = 16, ['n'] = 17, ['p'] = 18, ['q'] = 19,
	['r'] = 20, ['t'] = 21, ['v'] = 22, ['w'] = 23, ['x'] = 24, ['y'] = 25,
};

/* The white space that input functions ignore around a value */
static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Narrow [*start, *end) to exclude surrounding white space */
static void
trim(const char *text, size_t *start, size_t *end)
{
	while (*start < *end && is_space(text[*start]))
		(*start)++;
	while (*end > *start && is_space(text[*end - 1]))
		(*end)--;
}

/*
 * Parse a product key: 25 key characters, case-insensitive, either with
 * all four hyphens between the groups of five or with none, white space
 * around it ignored.  The first problem in reading order is reported, with
 * offsets into text itself (not the trimmed part).
 */
bool
key_parse(const char *text, size_t len, KeyBits *key, KeyError *err)
{
	size_t		start = 0;
	size_t		end = len;
	size_t		nsymbols = 0;
	size_t		nhyphens = 0;
	size_t		hyphen_after_key = 0;
	bool		hyphen_after_key_seen = false;
	bool		last_was_hyphen = false;
	bool		seen_n = false;
	uint64_t	hi = 0;
	uint64_t	lo = 0;

	memset(err, 0, sizeof(*err));
	err->problem = KEY_OK;
	trim(text, &start, &end);

	for (size_t i = start; i < end; i++)
	{
		unsigned char c = (unsigned char) text[i];
		unsigned	code;

		if (c == '-')
		{
			/* a hyphen is allowed once after each of the first four groups */
			if (nsymbols >= KEY_LENGTH)
			{
				/* judged after the loop: past the end, length speaks first */
				if (!hyphen_after_key_seen)
					hyphen_after_key = i;
				hyphen_after_key_seen = true;
			}
			else if (nsymbols == 0 || nsymbols % KEY_GROUP_LENGTH != 0 || last_was_hyphen)
			{
				err->problem = KEY_BAD_HYPHEN;
				err->offset = i;
				return false;
			}
			nhyphens++;
			last_was_hyphen = true;
			continue;
		}
		last_was_hyphen = false;

		if (key_code_plus_one[c] == 0)
		{
			err->problem = KEY_BAD_CHARACTER;
			err->offset = i;
			return false;
		}
		code = key_code_plus_one[c] - 1u;
		if (code == KEY_N_CODE)
		{
			if (seen_n)
			{
				err->problem = KEY_SECOND_N;
				err->offset = i;
				return false;
			}
			seen_n = true;
			err->first_n = i;
		}
		if (nsymbols < KEY_LENGTH)
		{
			hi = (hi << 5) | (lo >> 59);
			lo = (lo << 5) | code;
		}
		nsymbols++;
	}

	if (nsymbols != KEY_LENGTH)
	{
		err->problem = KEY_WRONG_LENGTH;
		err->count = nsymbols;
		return false;
	}
	if (hyphen_after_key_seen)
	{
		err->problem = KEY_BAD_HYPHEN;
		err->offset = hyphen_after_key;
		return false;
	}
	if (nhyphens != 0 && nhyphens != KEY_LENGTH / KEY_GROUP_LENGTH - 1)
	{
		err->problem = KEY_SOME_HYPHENS;
		err->count = nhyphens;
		return false;
	}

	key->hi = hi;
	key->lo = lo;
	return true;
}

/* Symbol code at index i (0 = first character) of a packed key */
static inline unsigned
key_symbol(const KeyBits *key, int i)
{
	int			shift = 5 * (KEY_LENGTH - 1 - i);

	if (shift >= 64)
		return (unsigned) (key->hi >> (shift - 64)) & 31u;
	if (shift > 59)
		return (unsigned) ((key->lo >> shift) | (key->hi << (64 - shift))) & 31u;
	return (unsigned) (key->lo >> shift) & 31u;
}

/*
 * Check a packed key from an untrusted source (binary input): it must be
 * exactly what key_parse could have produced.
 */
bool
key_check(const KeyBits *key, KeyError *err)
{
	bool		seen_n = false;

	memset(err, 0, sizeof(*err));
	err->problem = KEY_OK;
	if (key->hi >> (5 * KEY_LENGTH - 64) != 0)
	{
		err->problem = KEY_UNUSED_BITS_SET;
		return false;
	}
	for (int i = 0; i < KEY_LENGTH; i++)
	{
		unsigned	code = key_symbol(key, i);

		if (code >= KEY_SYMBOLS)
		{
			err->problem = KEY_BAD_CODE;
			err->offset = (size_t) i;
			err->code = code;
			return false;
		}
		if (code == KEY_N_CODE)
		{
			if (seen_n)
			{
				err->problem = KEY_SECOND_N;
				err->offset = (size_t) i;
				return false;
			}
			seen_n = true;
			err->first_n = (size_t) i;
		}
	}
	return true;
}

/* Canonical text: upper case, with hyphens; buf holds KEY_TEXT_LENGTH + 1 */
void
key_format(const KeyBits *key, char *buf)
{
	uint64_t	hi = key->hi;
	uint64_t	lo = key->lo;
	char	   *p = buf + KEY_TEXT_LENGTH;

	*p = '\0';
	for (int i = KEY_LENGTH - 1; i >= 0; i--)
	{
		*--p = KEY_ALPHABET[(lo & 31u) % KEY_SYMBOLS];
		lo = (lo >> 5) | (hi << 59);
		hi >>= 5;
		if (i % KEY_GROUP_LENGTH == 0 && i > 0)
			*--p = '-';
	}
}

/*
 * License terms
 */

/* A cursor over the text of a term */
typedef struct TermReader
{
	const char *text;
	size_t		pos;
	size_t		end;
	TermError  *err;
} TermReader;

static void
skip_space(TermReader *r)
{
	while (r->pos < r->end && is_space(r->text[r->pos]))
		r->pos++;
}

static bool
expected(TermReader *r, const char *what)
{
	r->err->problem = TERM_EXPECTED;
	r->err->offset = r->pos;
	r->err->at_end = r->pos >= r->end;
	r->err->expected = what;
	return false;
}

/* Consume the character c, after optional white space */
static bool
read_char(TermReader *r, char c, const char *what)
{
	skip_space(r);
	if (r->pos < r->end && r->text[r->pos] == c)
	{
		r->pos++;
		return true;
	}
	return expected(r, what);
}

/* Case-insensitive ASCII match of word at the cursor */
static bool
match_word(TermReader *r, const char *word)
{
	size_t		n = 0;

	for (; word[n] != '\0'; n++)
	{
		char		c;

		if (r->pos + n >= r->end)
			return false;
		c = r->text[r->pos + n];
		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c != word[n])
			return false;
	}
	r->pos += n;
	return true;
}

/* Up to max_digits decimal digits into *value; false if there are none */
static bool
read_digits(TermReader *r, int max_digits, int64_t *value, int *ndigits)
{
	int64_t		v = 0;
	int			n = 0;

	while (r->pos < r->end && is_digit(r->text[r->pos]) && n < max_digits)
	{
		v = v * 10 + (r->text[r->pos] - '0');
		r->pos++;
		n++;
	}
	*value = v;
	*ndigits = n;
	return n > 0;
}

/* An ISO date YYYY-MM-DD (4 to 8 year digits, so leading zeros pass) as a DateADT */
static bool
read_date(TermReader *r, int32_t *day)
{
	size_t		date_start;
	int64_t		year;
	int64_t		month;
	int64_t		mday;
	int			n;

	skip_space(r);
	date_start = r->pos;
	if (!read_digits(r, 8, &year, &n) || n < 4 ||
		!(r->pos < r->end && r->text[r->pos++] == '-') ||
		!read_digits(r, 2, &month, &n) || n != 2 ||
		!(r->pos < r->end && r->text[r->pos++] == '-') ||
		!read_digits(r, 2, &mday, &n) || n != 2 ||
		(r->pos < r->end && is_digit(r->text[r->pos])))
	{
		r->pos = date_start;
		return expected(r, "a date written YYYY-MM-DD");
	}
	if (year < 1 || month < 1 || month > 12 || mday < 1 ||
		mday > cal_days_in_month(year, (int) month) ||
		!cal_day_in_range(cal_day_from_civil(year, (int) month, (int) mday)))
	{
		r->err->problem = TERM_BAD_DATE;
		r->err->offset = date_start;
		return false;
	}
	*day = (int32_t) cal_day_from_civil(year, (int) month, (int) mday);
	return true;
}

/*
 * Parse "<licenses> license[s] [<starts>,<ends>)", white space allowed
 * between the parts and around the whole.
 */
bool
term_parse(const char *text, size_t len, TermValue *term, TermError *err)
{
	TermReader	r = {text, 0, len, err};
	size_t		count_start;
	bool		negative = false;
	int64_t		count;
	int			ndigits;
	TermValue	t;

	/* every field defined, whatever problem is found (messages read them) */
	memset(err, 0, sizeof(*err));
	err->problem = TERM_OK;
	trim(text, &r.pos, &r.end);

	/* the license count, at least 1 */
	count_start = r.pos;
	if (r.pos < r.end && (text[r.pos] == '-' || text[r.pos] == '+'))
		negative = text[r.pos++] == '-';
	while (r.pos + 1 < r.end && text[r.pos] == '0' && is_digit(text[r.pos + 1]))
		r.pos++;				/* leading zeros say nothing about the size */
	if (!read_digits(&r, 12, &count, &ndigits))
		return expected(&r, "a license count");
	if (r.pos < r.end && is_digit(text[r.pos]))
	{
		/* more than 12 digits: surely too big, say so without overflow */
		count = INT64_MAX;
		while (r.pos < r.end && is_digit(text[r.pos]))
			r.pos++;
	}
	if (negative)
		count = -count;
	if (count < 1 || count > INT32_MAX)
	{
		err->problem = TERM_BAD_COUNT;
		err->count = count;
		err->offset = count_start;
		err->length = r.pos - count_start;
		return false;
	}
	t.licenses = (int32_t) count;

	/* the word license or licenses */
	skip_space(&r);
	if (!match_word(&r, "license"))
		return expected(&r, "the word \"licenses\"");
	(void) match_word(&r, "s");

	/* the period */
	skip_space(&r);
	if (r.pos < r.end && (text[r.pos] == '(' || text[r.pos] == ']'))
	{
		err->problem = TERM_NOT_HALF_OPEN;
		err->offset = r.pos;
		return false;
	}
	if (!read_char(&r, '[', "\"[\"") ||
		!read_date(&r, &t.starts) ||
		!read_char(&r, ',', "\",\"") ||
		!read_date(&r, &t.ends))
		return false;
	skip_space(&r);
	if (r.pos < r.end && text[r.pos] == ']')
	{
		err->problem = TERM_NOT_HALF_OPEN;
		err->offset = r.pos;
		return false;
	}
	if (!read_char(&r, ')', "\")\""))
		return false;
	skip_space(&r);
	if (r.pos != r.end)
		return expected(&r, "the end of the value");

	if (!term_check(&t, err))
		return false;
	*term = t;
	return true;
}

/*
 * Check a term built from parts (constructor, binary input, rule results):
 * at least one license, finite dates within the range license terms use,
 * and a non-empty half-open period.
 */
bool
term_check(const TermValue *term, TermError *err)
{
	memset(err, 0, sizeof(*err));
	err->problem = TERM_OK;
	if (term->licenses < 1)
	{
		err->problem = TERM_BAD_COUNT;
		err->count = term->licenses;
		return false;
	}
	if (!cal_is_finite(term->starts) || !cal_is_finite(term->ends))
	{
		err->problem = TERM_DATE_NOT_FINITE;
		return false;
	}
	if (term->starts < TERM_FIRST_DAY || term->ends < TERM_FIRST_DAY ||
		!cal_day_in_range(term->starts) || !cal_day_in_range(term->ends))
	{
		err->problem = TERM_DATE_OUT_OF_RANGE;
		return false;
	}
	if (term->starts >= term->ends)
	{
		err->problem = TERM_EMPTY_PERIOD;
		return false;
	}
	return true;
}

/* "100 licenses [2024-01-01,2025-01-01)"; returns the length written */
size_t
term_format(const TermValue *term, char *buf, size_t size)
{
	char		starts[CAL_DAY_TEXT_SIZE];
	char		ends[CAL_DAY_TEXT_SIZE];
	int			n;

	cal_format_day(term->starts, starts);
	cal_format_day(term->ends, ends);
	n = snprintf(buf, size, "%d license%s [%s,%s)",
				 (int) term->licenses, term->licenses == 1 ? "" : "s",
				 starts, ends);
	return n < 0 ? 0 : (size_t) n;
}

/*
 * A whole text that is one ISO date YYYY-MM-DD (surrounding white space
 * allowed) between 0001-01-01 and 5874897-12-31, as a DateADT.
 */
bool
iso_date_parse(const char *text, size_t len, int32_t *day)
{
	TermError	err;
	TermReader	r = {text, 0, len, &err};

	trim(text, &r.pos, &r.end);
	return read_date(&r, day) && r.pos == r.end;
}
