/*-------------------------------------------------------------------------
 *
 * text_forms.h
 *	  Plain-C parsing, formatting and checking of product keys and license
 *	  terms.
 *
 * These functions never allocate, never raise an error and include no
 * PostgreSQL header: a parser either fills its result or describes what is
 * wrong in an error struct, and the fmgr wrappers (product_key.c,
 * license_term.c) turn that into an ereport.  The libFuzzer harnesses in
 * test/fuzz drive exactly this code.
 *
 * src/text_forms.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_TEXT_FORMS_H
#define MPN_TEXT_FORMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Product keys
 *
 * A key is 25 symbols from the 25-letter alphabet KEY_ALPHABET (the 24
 * symbols every key uses, and N, which a key holds at most once).  Symbols
 * are numbered in ASCII order and packed 5 bits each, first symbol most
 * significant, into a 125-bit number held as two 64-bit halves: comparing
 * (hi, lo) as unsigned integers therefore orders keys exactly as their
 * canonical text sorts bytewise.
 */
#define KEY_ALPHABET		"2346789BCDFGHJKMNPQRTVWXY"
#define KEY_SYMBOLS			25
#define KEY_LENGTH			25
#define KEY_GROUP_LENGTH	5
#define KEY_TEXT_LENGTH		29	/* with the four hyphens */
#define KEY_N_CODE			16	/* position of 'N' in KEY_ALPHABET */

typedef struct KeyBits
{
	uint64_t	hi;
	uint64_t	lo;
} KeyBits;

typedef enum KeyProblem
{
	KEY_OK = 0,
	KEY_BAD_CHARACTER,			/* offset: a character not in the alphabet */
	KEY_SECOND_N,				/* offset: the second N; first_n: the first */
	KEY_BAD_HYPHEN,				/* offset: a hyphen not between two groups */
	KEY_SOME_HYPHENS,			/* count: hyphens found, neither 0 nor 4 */
	KEY_WRONG_LENGTH,			/* count: key characters found */
	KEY_BAD_CODE,				/* binary: symbol code at position offset */
	KEY_UNUSED_BITS_SET			/* binary: top three bits of hi are set */
} KeyProblem;

typedef struct KeyError
{
	KeyProblem	problem;
	size_t		offset;			/* byte offset into the text, or symbol index */
	size_t		first_n;		/* byte offset of the first N */
	size_t		count;
	unsigned	code;			/* the bad symbol code (KEY_BAD_CODE) */
} KeyError;

extern bool key_parse(const char *text, size_t len, KeyBits *key, KeyError *err);
extern bool key_check(const KeyBits *key, KeyError *err);
extern void key_format(const KeyBits *key, char *buf);	/* KEY_TEXT_LENGTH + 1 */

/*
 * License terms
 *
 * Text form: "<licenses> license[s] [<starts>,<ends>)", for example
 * "100 licenses [2024-01-01,2025-01-01)".  Dates are ISO YYYY-MM-DD between
 * 0001-01-01 and 5874897-12-31; the period is half-open and not empty.
 */
typedef struct TermValue
{
	int32_t		licenses;
	int32_t		starts;			/* DateADT */
	int32_t		ends;			/* DateADT, exclusive */
} TermValue;

typedef enum TermProblem
{
	TERM_OK = 0,
	TERM_EXPECTED,				/* offset, expected: something else was found */
	TERM_NOT_HALF_OPEN,			/* offset: a bracket other than [ or ) */
	TERM_BAD_COUNT,				/* count (offset, length: its text) below 1 or too big */
	TERM_BAD_DATE,				/* offset: a date field out of range */
	TERM_EMPTY_PERIOD,			/* starts >= ends */
	TERM_DATE_NOT_FINITE,		/* binary: infinity */
	TERM_DATE_OUT_OF_RANGE		/* a date outside 0001-01-01..5874897-12-31 */
} TermProblem;

typedef struct TermError
{
	TermProblem problem;
	size_t		offset;
	size_t		length;			/* TERM_BAD_COUNT: length of the count's text */
	const char *expected;		/* static text naming what was expected */
	bool		at_end;			/* TERM_EXPECTED: found the end of the value */
	int64_t		count;
} TermError;

/* first and last day a license term may use */
#define TERM_FIRST_DAY	((int64_t) -730119)		/* 0001-01-01 */

extern bool term_parse(const char *text, size_t len, TermValue *term, TermError *err);
extern bool term_check(const TermValue *term, TermError *err);
extern size_t term_format(const TermValue *term, char *buf, size_t size);

extern bool iso_date_parse(const char *text, size_t len, int32_t *day);

/* Enough for the longest term: 10-digit count and two 7-digit-year dates */
#define TERM_TEXT_SIZE	64

#endif							/* MPN_TEXT_FORMS_H */
