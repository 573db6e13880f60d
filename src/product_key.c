/*-------------------------------------------------------------------------
 *
 * product_key.c
 *	  The mpn.product_key type: I/O, casts, comparison, hashing.
 *
 * Parsing and formatting live in text_forms.c; this file is the fmgr side:
 * it turns a parser's problem report into an error in core style.
 *
 * src/product_key.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "port/pg_bswap.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/sortsupport.h"

#include "mpn_benefits.h"

#define KEY_ALPHABET_HINT \
	"A product key uses the letters BCDFGHJKMPQRTVWXY, the digits 2346789 " \
	"and at most one letter N, in five groups of five."

/*
 * Report text that is not a product key: an ERROR, or a soft error saved
 * in escontext.  str is the whole value as given (len bytes).
 */
static void
report_bad_key_text(const char *str, size_t len, const KeyError *err,
					Node *escontext)
{
	char	   *value = pnstrdup(str, len);

	switch (err->problem)
	{
		case KEY_BAD_CHARACTER:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type product_key: \"%s\"", value),
					 errdetail("Character \"%.*s\" at position %d cannot appear in a product key.",
							   pg_mblen(value + err->offset), value + err->offset,
							   mpn_char_position(value, err->offset)),
					 errhint(KEY_ALPHABET_HINT)));
			break;
		case KEY_SECOND_N:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type product_key: \"%s\"", value),
					 errdetail("Letter \"N\" appears at positions %d and %d; a product key holds at most one.",
							   mpn_char_position(value, err->first_n),
							   mpn_char_position(value, err->offset))));
			break;
		case KEY_BAD_HYPHEN:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type product_key: \"%s\"", value),
					 errdetail("Hyphen at position %d does not separate two groups of five characters.",
							   mpn_char_position(value, err->offset))));
			break;
		case KEY_SOME_HYPHENS:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type product_key: \"%s\"", value),
					 errdetail("Found %zu of the 4 hyphens between groups; write all four or none.",
							   err->count)));
			break;
		case KEY_WRONG_LENGTH:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type product_key: \"%s\"", value),
					 errdetail("A product key has 25 characters besides hyphens; found %zu.",
							   err->count)));
			break;
		default:
			elog(ERROR, "unexpected product key parse problem %d", (int) err->problem);
	}
}

/* Parse len bytes of text into a new key, or report (softly) and return NULL */
static ProductKey *
product_key_from_text(const char *str, size_t len, Node *escontext)
{
	ProductKey *key = palloc(sizeof(ProductKey));
	KeyError	err;

	if (!key_parse(str, len, key, &err))
	{
		report_bad_key_text(str, len, &err, escontext);
		return NULL;
	}
	return key;
}

/* product_key_in(cstring): text form to key */
PG_FUNCTION_INFO_V1(product_key_in);
Datum
product_key_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	ProductKey *key = product_key_from_text(str, strlen(str), fcinfo->context);

	if (key == NULL)
		PG_RETURN_NULL();
	PG_RETURN_PRODUCT_KEY_P(key);
}

/* product_key_out(key): canonical text, upper case with hyphens */
PG_FUNCTION_INFO_V1(product_key_out);
Datum
product_key_out(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);
	char	   *buf = palloc(KEY_TEXT_LENGTH + 1);

	key_format(key, buf);
	PG_RETURN_CSTRING(buf);
}

/* product_key_recv(internal): two int64 halves, checked like text input */
PG_FUNCTION_INFO_V1(product_key_recv);
Datum
product_key_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ProductKey *key = palloc(sizeof(ProductKey));
	KeyError	err;

	key->hi = (uint64) pq_getmsgint64(buf);
	key->lo = (uint64) pq_getmsgint64(buf);
	if (!key_check(key, &err))
	{
		switch (err.problem)
		{
			case KEY_UNUSED_BITS_SET:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid external product_key value"),
						 errdetail("The three unused high bits are set.")));
				break;
			case KEY_BAD_CODE:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid external product_key value"),
						 errdetail("Symbol code %u at position %zu is not a product key character.",
								   err.code, err.offset + 1)));
				break;
			case KEY_SECOND_N:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid external product_key value"),
						 errdetail("Letter \"N\" appears at positions %zu and %zu; a product key holds at most one.",
								   err.first_n + 1, err.offset + 1)));
				break;
			default:
				elog(ERROR, "unexpected product key check problem %d", (int) err.problem);
		}
	}
	PG_RETURN_PRODUCT_KEY_P(key);
}

/* product_key_send(key): two int64 halves, high first */
PG_FUNCTION_INFO_V1(product_key_send);
Datum
product_key_send(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) key->hi);
	pq_sendint64(&buf, (int64) key->lo);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* product_key(text): the text-to-key cast, without a cstring copy */
PG_FUNCTION_INFO_V1(product_key_from_text_sql);
Datum
product_key_from_text_sql(PG_FUNCTION_ARGS)
{
	text	   *txt = PG_GETARG_TEXT_PP(0);

	PG_RETURN_PRODUCT_KEY_P(product_key_from_text(VARDATA_ANY(txt),
												  VARSIZE_ANY_EXHDR(txt),
												  NULL));
}

/* text(product_key): the key-to-text cast */
PG_FUNCTION_INFO_V1(product_key_to_text_sql);
Datum
product_key_to_text_sql(PG_FUNCTION_ARGS)
{
	ProductKey *key = PG_GETARG_PRODUCT_KEY_P(0);
	text	   *result = palloc(VARHDRSZ + KEY_TEXT_LENGTH + 1);

	key_format(key, VARDATA(result));
	SET_VARSIZE(result, VARHDRSZ + KEY_TEXT_LENGTH);
	PG_RETURN_TEXT_P(result);
}

/* is_valid_product_key(text): whether the text is a key, without an error */
PG_FUNCTION_INFO_V1(product_key_is_valid);
Datum
product_key_is_valid(PG_FUNCTION_ARGS)
{
	text	   *txt = PG_GETARG_TEXT_PP(0);
	ProductKey	key;
	KeyError	err;

	PG_RETURN_BOOL(key_parse(VARDATA_ANY(txt), VARSIZE_ANY_EXHDR(txt), &key, &err));
}

/*
 * Comparison: the packed halves as unsigned integers, which is the order of
 * the canonical text.
 */
static inline int
key_cmp(const ProductKey *a, const ProductKey *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* product_key_cmp(a, b): btree support function 1 */
PG_FUNCTION_INFO_V1(product_key_cmp);
Datum
product_key_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(key_cmp(PG_GETARG_PRODUCT_KEY_P(0), PG_GETARG_PRODUCT_KEY_P(1)));
}

static int
product_key_fastcmp(Datum a, Datum b, SortSupport ssup)
{
	(void) ssup;
	return key_cmp(DatumGetProductKeyP(a), DatumGetProductKeyP(b));
}

/* product_key_sortsupport(internal): btree support function 2 */
PG_FUNCTION_INFO_V1(product_key_sortsupport);
Datum
product_key_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = product_key_fastcmp;
	PG_RETURN_VOID();
}

#define KEY_COMPARISON(name, op) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(key_cmp(PG_GETARG_PRODUCT_KEY_P(0), \
						   PG_GETARG_PRODUCT_KEY_P(1)) op 0); \
}

/* the operators = <> < <= > >= */
KEY_COMPARISON(product_key_eq, ==)
KEY_COMPARISON(product_key_ne, !=)
KEY_COMPARISON(product_key_lt, <)
KEY_COMPARISON(product_key_le, <=)
KEY_COMPARISON(product_key_gt, >)
KEY_COMPARISON(product_key_ge, >=)

/* The bytes a key hashes as: its two halves, big-endian */
typedef uint64 KeyHashBytes[2];

static inline void
key_hash_bytes(const ProductKey *key, KeyHashBytes bytes)
{
	bytes[0] = pg_hton64(key->hi);
	bytes[1] = pg_hton64(key->lo);
}

/* product_key_hash(key), product_key_hash_extended(key, seed): hash support */
MPN_HASH_SUPPORT(product_key, PG_GETARG_PRODUCT_KEY_P, KeyHashBytes, key_hash_bytes)

/* product_key_smaller(a, b): the min() aggregate's transition */
PG_FUNCTION_INFO_V1(product_key_smaller);
Datum
product_key_smaller(PG_FUNCTION_ARGS)
{
	ProductKey *a = PG_GETARG_PRODUCT_KEY_P(0);
	ProductKey *b = PG_GETARG_PRODUCT_KEY_P(1);

	PG_RETURN_PRODUCT_KEY_P(key_cmp(a, b) <= 0 ? a : b);
}

/* product_key_larger(a, b): the max() aggregate's transition */
PG_FUNCTION_INFO_V1(product_key_larger);
Datum
product_key_larger(PG_FUNCTION_ARGS)
{
	ProductKey *a = PG_GETARG_PRODUCT_KEY_P(0);
	ProductKey *b = PG_GETARG_PRODUCT_KEY_P(1);

	PG_RETURN_PRODUCT_KEY_P(key_cmp(a, b) >= 0 ? a : b);
}
