/*-------------------------------------------------------------------------
 *
 * license_term.c
 *	  The mpn.license_term type: I/O, constructor, accessors, comparison,
 *	  hashing.
 *
 * A term is a subscription's license pool: a count of licenses sharing one
 * half-open period [starts, ends).  Parsing and formatting live in
 * text_forms.c; this file is the fmgr side.
 *
 * src/license_term.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "port/pg_bswap.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/rangetypes.h"
#include "utils/typcache.h"

#include "dates.h"
#include "mpn_benefits.h"

#define TERM_SYNTAX_HINT \
	"Write a license term as <licenses> licenses [<starts>,<ends>), " \
	"for example 100 licenses [2024-01-01,2025-01-01)."

/* Report text that is not a license term, as an ERROR or a soft error */
static void
report_bad_term_text(const char *str, const TermError *err, Node *escontext)
{
	int			position = mpn_char_position(str, err->offset);

	switch (err->problem)
	{
		case TERM_EXPECTED:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type license_term: \"%s\"", str),
					 err->at_end ?
					 errdetail("Expected %s, found the end of the value.", err->expected) :
					 errdetail("Expected %s at position %d.", err->expected, position),
					 errhint(TERM_SYNTAX_HINT)));
			break;
		case TERM_NOT_HALF_OPEN:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type license_term: \"%s\"", str),
					 errdetail("Bracket \"%c\" at position %d: a license term's period is half-open, [starts,ends).",
							   str[err->offset], position)));
			break;
		case TERM_BAD_COUNT:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type license_term: \"%s\"", str),
					 errdetail("The license count must be between 1 and 2147483647; found %.*s.",
							   (int) err->length, str + err->offset)));
			break;
		case TERM_BAD_DATE:
			errsave(escontext,
					(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
					 errmsg("date out of range in license_term: \"%s\"", str),
					 errdetail("The date at position %d does not exist or lies outside 0001-01-01 to 5874897-12-31.",
							   position)));
			break;
		case TERM_EMPTY_PERIOD:
			errsave(escontext,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type license_term: \"%s\"", str),
					 errdetail("The period must end after it starts.")));
			break;
		default:
			elog(ERROR, "unexpected license term parse problem %d", (int) err->problem);
	}
}

/* license_term_in(cstring): "100 licenses [2024-01-01,2025-01-01)" */
PG_FUNCTION_INFO_V1(license_term_in);
Datum
license_term_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	LicenseTerm *term = palloc(sizeof(LicenseTerm));
	TermError	err;

	if (!term_parse(str, strlen(str), term, &err))
	{
		report_bad_term_text(str, &err, fcinfo->context);
		PG_RETURN_NULL();
	}
	PG_RETURN_LICENSE_TERM_P(term);
}

/* Text form of a term, palloc'd */
char *
license_term_to_cstring(const LicenseTerm *term)
{
	char	   *buf = palloc(TERM_TEXT_SIZE);

	term_format(term, buf, TERM_TEXT_SIZE);
	return buf;
}

/* license_term_out(term): the text form, ISO dates whatever DateStyle says */
PG_FUNCTION_INFO_V1(license_term_out);
Datum
license_term_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(license_term_to_cstring(PG_GETARG_LICENSE_TERM_P(0)));
}

/* license_term_recv(internal): int4 licenses, date starts, date ends */
PG_FUNCTION_INFO_V1(license_term_recv);
Datum
license_term_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	LicenseTerm *term = palloc(sizeof(LicenseTerm));
	TermError	err;

	term->licenses = pq_getmsgint(buf, 4);
	term->starts = pq_getmsgint(buf, 4);
	term->ends = pq_getmsgint(buf, 4);
	if (!term_check(term, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external license_term value"),
				 err.problem == TERM_BAD_COUNT ?
				 errdetail("The license count is %d; it must be at least 1.", term->licenses) :
				 err.problem == TERM_EMPTY_PERIOD ?
				 errdetail("The period ends on or before it starts.") :
				 errdetail("A date is infinite or outside 0001-01-01 to 5874897-12-31.")));
	PG_RETURN_LICENSE_TERM_P(term);
}

/* license_term_send(term): int4 licenses, date starts, date ends */
PG_FUNCTION_INFO_V1(license_term_send);
Datum
license_term_send(PG_FUNCTION_ARGS)
{
	LicenseTerm *term = PG_GETARG_LICENSE_TERM_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, term->licenses);
	pq_sendint32(&buf, term->starts);
	pq_sendint32(&buf, term->ends);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * A checked term from its parts, or an ERROR that names the faulty part:
 * the constructor's and the rules' one way to make a term.
 */
LicenseTerm *
license_term_make(int32 licenses, DateADT starts, DateADT ends)
{
	LicenseTerm *term = palloc(sizeof(LicenseTerm));
	TermError	err;

	term->licenses = licenses;
	term->starts = starts;
	term->ends = ends;
	if (term_check(term, &err))
		return term;

	switch (err.problem)
	{
		case TERM_BAD_COUNT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid license count for license_term: %d", licenses),
					 errdetail("A license term holds at least 1 license.")));
			break;
		case TERM_DATE_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid license_term period [%s,%s)",
							mpn_date_text(starts), mpn_date_text(ends)),
					 errdetail("A license term's dates must be finite.")));
			break;
		case TERM_DATE_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("date out of range for license_term: [%s,%s)",
							mpn_date_text(starts), mpn_date_text(ends)),
					 errdetail("A license term's dates lie between 0001-01-01 and 5874897-12-31.")));
			break;
		case TERM_EMPTY_PERIOD:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid license_term period [%s,%s)",
							mpn_date_text(starts), mpn_date_text(ends)),
					 errdetail("The period ends on or before it starts; it must hold at least one day.")));
			break;
		default:
			elog(ERROR, "unexpected license term check problem %d", (int) err.problem);
	}
	return NULL;				/* keep compiler quiet */
}

/* license_term(licenses, starts, ends): the constructor */
PG_FUNCTION_INFO_V1(license_term_construct);
Datum
license_term_construct(PG_FUNCTION_ARGS)
{
	PG_RETURN_LICENSE_TERM_P(license_term_make(PG_GETARG_INT32(0),
											   PG_GETARG_DATEADT(1),
											   PG_GETARG_DATEADT(2)));
}

/* is_valid_license_term(text): whether the text is a term, without an error */
PG_FUNCTION_INFO_V1(license_term_is_valid);
Datum
license_term_is_valid(PG_FUNCTION_ARGS)
{
	text	   *txt = PG_GETARG_TEXT_PP(0);
	LicenseTerm term;
	TermError	err;

	PG_RETURN_BOOL(term_parse(VARDATA_ANY(txt), VARSIZE_ANY_EXHDR(txt), &term, &err));
}

/* licenses(term) */
PG_FUNCTION_INFO_V1(license_term_licenses);
Datum
license_term_licenses(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_LICENSE_TERM_P(0)->licenses);
}

/* starts(term): the first day of the period */
PG_FUNCTION_INFO_V1(license_term_starts);
Datum
license_term_starts(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(PG_GETARG_LICENSE_TERM_P(0)->starts);
}

/* ends(term): the first day after the period */
PG_FUNCTION_INFO_V1(license_term_ends);
Datum
license_term_ends(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(PG_GETARG_LICENSE_TERM_P(0)->ends);
}

/* period(term): the period as a daterange [starts,ends) */
PG_FUNCTION_INFO_V1(license_term_period);
Datum
license_term_period(PG_FUNCTION_ARGS)
{
	LicenseTerm *term = PG_GETARG_LICENSE_TERM_P(0);
	TypeCacheEntry *typcache = (TypeCacheEntry *) fcinfo->flinfo->fn_extra;
	RangeBound	lower;
	RangeBound	upper;

	if (typcache == NULL)
	{
		typcache = lookup_type_cache(DATERANGEOID, TYPECACHE_RANGE_INFO);
		fcinfo->flinfo->fn_extra = typcache;
	}
	lower.val = DateADTGetDatum(term->starts);
	lower.infinite = false;
	lower.inclusive = true;
	lower.lower = true;
	upper.val = DateADTGetDatum(term->ends);
	upper.infinite = false;
	upper.inclusive = false;
	upper.lower = false;
	PG_RETURN_RANGE_P(mpn_make_range(typcache, &lower, &upper));
}

/*
 * Comparison: by starts, then ends, then licenses, so that terms sort as
 * their periods do.
 */
static inline int
term_cmp(const LicenseTerm *a, const LicenseTerm *b)
{
	if (a->starts != b->starts)
		return a->starts < b->starts ? -1 : 1;
	if (a->ends != b->ends)
		return a->ends < b->ends ? -1 : 1;
	if (a->licenses != b->licenses)
		return a->licenses < b->licenses ? -1 : 1;
	return 0;
}

/* license_term_cmp(a, b): btree support function 1 */
PG_FUNCTION_INFO_V1(license_term_cmp);
Datum
license_term_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(term_cmp(PG_GETARG_LICENSE_TERM_P(0), PG_GETARG_LICENSE_TERM_P(1)));
}

#define TERM_COMPARISON(name, op) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(term_cmp(PG_GETARG_LICENSE_TERM_P(0), \
							PG_GETARG_LICENSE_TERM_P(1)) op 0); \
}

/* the operators = <> < <= > >= */
TERM_COMPARISON(license_term_eq, ==)
TERM_COMPARISON(license_term_ne, !=)
TERM_COMPARISON(license_term_lt, <)
TERM_COMPARISON(license_term_le, <=)
TERM_COMPARISON(license_term_gt, >)
TERM_COMPARISON(license_term_ge, >=)

/* The bytes a term hashes as: its three fields, big-endian */
typedef uint32 TermHashBytes[3];

static inline void
term_hash_bytes(const LicenseTerm *term, TermHashBytes bytes)
{
	bytes[0] = pg_hton32((uint32) term->licenses);
	bytes[1] = pg_hton32((uint32) term->starts);
	bytes[2] = pg_hton32((uint32) term->ends);
}

/* license_term_hash(term), license_term_hash_extended(term, seed): hash support */
MPN_HASH_SUPPORT(license_term, PG_GETARG_LICENSE_TERM_P, TermHashBytes, term_hash_bytes)
