/*-------------------------------------------------------------------------
 *
 * fuzz_product_key.c
 *	  libFuzzer harness for the product key parser, checker and formatter
 *	  (src/text_forms.c), run outside the server by test/fuzz/run.sh.
 *
 * Each input is used twice:
 *
 * - as text, the bytes product_key_in hands to key_parse.  The buffer
 *	 libFuzzer gives us holds exactly size bytes and no terminating NUL, and
 *	 we pass it on as it is, so AddressSanitizer catches any read past the
 *	 length the parser was told;
 *
 * - when it has at least 16 bytes, its first 16 as the two big-endian
 *	 halves product_key_recv reads off the wire, for key_check.
 *
 * Beyond "does not crash", the harness checks the parser and the checker
 * against small reference implementations written here independently, and
 * that text and binary forms round-trip exactly.  A violated property calls
 * abort(), which libFuzzer reports as a crash with the input saved.
 *
 * test/fuzz/fuzz_product_key.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_forms.h"

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

/* The white space key_parse ignores around a key (its is_space) */
static bool
ref_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Symbol code of an upper- or lower-case key character, or -1 */
static int
ref_code(unsigned char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (unsigned char) (c - 'a' + 'A');
	/* memchr, not strchr: strchr would find the NUL terminator for c == 0 */
	p = memchr(KEY_ALPHABET, c, KEY_SYMBOLS);
	return p == NULL ? -1 : (int) (p - KEY_ALPHABET);
}

/*
 * The grammar as the documentation states it, written the obvious way:
 * after trimming white space, either 25 key characters, or 29 characters
 * with a hyphen at exactly offsets 5, 11, 17 and 23 and key characters
 * elsewhere; at most one N.  On success, codes[] gets the 25 symbol codes.
 */
static bool
ref_key_valid(const uint8_t *text, size_t len, int codes[KEY_LENGTH])
{
	size_t		start = 0;
	size_t		end = len;
	bool		hyphenated;
	int			nsymbols = 0;
	int			nn = 0;

	while (start < end && ref_is_space(text[start]))
		start++;
	while (end > start && ref_is_space(text[end - 1]))
		end--;

	if (end - start == KEY_LENGTH)
		hyphenated = false;
	else if (end - start == KEY_TEXT_LENGTH)
		hyphenated = true;
	else
		return false;

	for (size_t k = 0; k < end - start; k++)
	{
		unsigned char c = text[start + k];
		int			code;

		if (hyphenated && k % (KEY_GROUP_LENGTH + 1) == KEY_GROUP_LENGTH)
		{
			if (c != '-')
				return false;
			continue;
		}
		code = ref_code(c);
		if (code < 0)
			return false;
		if (code == KEY_N_CODE)
			nn++;
		codes[nsymbols++] = code;
	}
	return nsymbols == KEY_LENGTH && nn <= 1;
}

/* Symbol code at index i of packed bits, via a 128-bit integer */
static int
ref_symbol(const KeyBits *key, int i)
{
	unsigned __int128 v = ((unsigned __int128) key->hi << 64) | key->lo;

	return (int) ((v >> (5 * (KEY_LENGTH - 1 - i))) & 31u);
}

/*
 * key_format's output must be the canonical text: 29 characters, upper
 * case symbols of the alphabet, hyphens exactly at 5, 11, 17 and 23, and
 * the symbols must be the ones packed in key.
 */
static void
check_canonical(const KeyBits *key, const char *buf)
{
	REQUIRE(memchr(buf, '\0', KEY_TEXT_LENGTH + 1) == buf + KEY_TEXT_LENGTH);
	for (int k = 0, i = 0; k < KEY_TEXT_LENGTH; k++)
	{
		if (k % (KEY_GROUP_LENGTH + 1) == KEY_GROUP_LENGTH)
		{
			REQUIRE(buf[k] == '-');
			continue;
		}
		/* comparing with the alphabet itself also rules out lower case */
		REQUIRE(ref_symbol(key, i) < KEY_SYMBOLS);
		REQUIRE(buf[k] == KEY_ALPHABET[ref_symbol(key, i)]);
		i++;
	}
}

/*
 * Format a valid key and parse the text back: the bits must come back
 * identical.  The text is parsed from an exact-size heap copy, without
 * its NUL, so that an over-read on this path is caught too.
 */
static void
check_round_trip(const KeyBits *key)
{
	char		buf[KEY_TEXT_LENGTH + 1];
	char	   *copy;
	KeyBits		again;
	KeyError	err;

	/* poison the buffer: key_format must write every byte we look at */
	memset(buf, 0x7f, sizeof(buf));
	key_format(key, buf);
	check_canonical(key, buf);

	copy = malloc(KEY_TEXT_LENGTH);
	REQUIRE(copy != NULL);
	memcpy(copy, buf, KEY_TEXT_LENGTH);
	REQUIRE(key_parse(copy, KEY_TEXT_LENGTH, &again, &err));
	REQUIRE(err.problem == KEY_OK);
	REQUIRE(again.hi == key->hi && again.lo == key->lo);
	free(copy);
}

/* Text input: product_key_in */
static void
check_text(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	KeyBits		key;
	KeyError	err;
	KeyError	check_err;
	int			codes[KEY_LENGTH];
	bool		parsed;

	parsed = key_parse(text, size, &key, &err);

	/* the parser must accept exactly what the stated grammar accepts */
	REQUIRE(parsed == ref_key_valid(data, size, codes));

	if (parsed)
	{
		REQUIRE(err.problem == KEY_OK);
		/* whatever the parser builds, binary input must accept */
		REQUIRE(key_check(&key, &check_err));
		REQUIRE(check_err.problem == KEY_OK);
		for (int i = 0; i < KEY_LENGTH; i++)
			REQUIRE(ref_symbol(&key, i) == codes[i]);
		check_round_trip(&key);
		return;
	}

	/*
	 * A parse failure must be one that product_key_in knows how to report
	 * (anything else there is an elog "unexpected problem"), and an offset
	 * it reports must point into the text at the character it describes.
	 * The server turns offsets into character positions with
	 * pg_mbstrlen_with_len, so every byte before an offset must be ASCII:
	 * then the offset is sure to fall on a character boundary.
	 */
	switch (err.problem)
	{
		case KEY_BAD_CHARACTER:
			REQUIRE(err.offset < size);
			REQUIRE(data[err.offset] != '-' && ref_code(data[err.offset]) < 0);
			break;
		case KEY_SECOND_N:
			REQUIRE(err.offset < size);
			REQUIRE(err.first_n < err.offset);
			REQUIRE(data[err.offset] == 'N' || data[err.offset] == 'n');
			REQUIRE(data[err.first_n] == 'N' || data[err.first_n] == 'n');
			break;
		case KEY_BAD_HYPHEN:
			REQUIRE(err.offset < size);
			REQUIRE(data[err.offset] == '-');
			break;
		case KEY_SOME_HYPHENS:
			REQUIRE(err.count >= 1 && err.count <= 3);
			break;
		case KEY_WRONG_LENGTH:
			REQUIRE(err.count != KEY_LENGTH);
			break;
		default:
			REQUIRE(!"key_parse failed with a problem product_key_in cannot report");
	}
	if (err.problem == KEY_BAD_CHARACTER || err.problem == KEY_SECOND_N ||
		err.problem == KEY_BAD_HYPHEN)
	{
		for (size_t k = 0; k < err.offset; k++)
			REQUIRE(data[k] < 0x80);
	}
}

/* Binary input: product_key_recv, two big-endian int64 halves, hi first */
static void
check_binary(const uint8_t *data)
{
	KeyBits		key = {0, 0};
	KeyError	err;
	bool		unused_set;
	int			bad_at = -1;
	int			first_n = -1;
	int			second_n = -1;
	bool		ref_ok;

	for (int k = 0; k < 8; k++)
	{
		key.hi = (key.hi << 8) | data[k];
		key.lo = (key.lo << 8) | data[8 + k];
	}

	/* what key_check should find, computed independently */
	unused_set = (key.hi >> (5 * KEY_LENGTH - 64)) != 0;
	for (int i = 0; i < KEY_LENGTH && bad_at < 0 && second_n < 0; i++)
	{
		int			code = ref_symbol(&key, i);

		if (code >= KEY_SYMBOLS)
			bad_at = i;
		else if (code == KEY_N_CODE && first_n >= 0)
			second_n = i;
		else if (code == KEY_N_CODE)
			first_n = i;
	}
	ref_ok = !unused_set && bad_at < 0 && second_n < 0;

	REQUIRE(key_check(&key, &err) == ref_ok);
	if (ref_ok)
	{
		REQUIRE(err.problem == KEY_OK);
		check_round_trip(&key);
		return;
	}

	/* the first problem, with the details product_key_recv prints */
	if (unused_set)
		REQUIRE(err.problem == KEY_UNUSED_BITS_SET);
	else if (bad_at >= 0)
	{
		REQUIRE(err.problem == KEY_BAD_CODE);
		REQUIRE(err.offset == (size_t) bad_at);
		REQUIRE(err.code == (unsigned) ref_symbol(&key, bad_at));
	}
	else
	{
		REQUIRE(err.problem == KEY_SECOND_N);
		REQUIRE(err.offset == (size_t) second_n);
		REQUIRE(err.first_n == (size_t) first_n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	if (size >= 2 * sizeof(uint64_t))
		check_binary(data);
	return 0;
}
