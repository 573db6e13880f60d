/*-------------------------------------------------------------------------
 *
 * mpn_benefits.h
 *	  The extension's SQL types (structs, fmgr macros, the license_term
 *	  constructor), its settings (mpn_benefits.c), and the small helpers
 *	  that the types' files share.
 *
 * src/mpn_benefits.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_BENEFITS_H
#define MPN_BENEFITS_H

#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "pgtime.h"
#include "utils/date.h"

#include "compat.h"
#include "text_forms.h"

/*
 * mpn.product_key: 16 bytes, passed by reference, double-aligned.  The
 * layout is text_forms.h's KeyBits; see there for the packing.
 */
typedef KeyBits ProductKey;

#define DatumGetProductKeyP(X)		((ProductKey *) DatumGetPointer(X))
#define ProductKeyPGetDatum(X)		PointerGetDatum(X)
#define PG_GETARG_PRODUCT_KEY_P(n)	DatumGetProductKeyP(PG_GETARG_DATUM(n))
#define PG_RETURN_PRODUCT_KEY_P(x)	return ProductKeyPGetDatum(x)

/*
 * mpn.license_term: 12 bytes, passed by reference, int-aligned: a license
 * count and a half-open period [starts, ends) of DateADT days.
 */
typedef TermValue LicenseTerm;

#define DatumGetLicenseTermP(X)		((LicenseTerm *) DatumGetPointer(X))
#define LicenseTermPGetDatum(X)		PointerGetDatum(X)
#define PG_GETARG_LICENSE_TERM_P(n) DatumGetLicenseTermP(PG_GETARG_DATUM(n))
#define PG_RETURN_LICENSE_TERM_P(x) return LicenseTermPGetDatum(x)

/* license_term.c: a checked term, palloc'd, or an ERROR naming the fault */
extern LicenseTerm *license_term_make(int32 licenses, DateADT starts, DateADT ends);
extern char *license_term_to_cstring(const LicenseTerm *term);

/* mpn_benefits.c: the settings, as their assign hooks leave them */
extern pg_tz *mpn_time_zone;	/* mpn.time_zone */
extern char *mpn_as_of_text;	/* mpn.as_of_date as written */
extern bool mpn_as_of_set;		/* is mpn.as_of_date set? */
extern DateADT mpn_as_of;		/* its day, when set */

/*
 * The 1-based character position of a byte offset into str, as a user
 * counts, for messages about input text
 */
static inline int
mpn_char_position(const char *str, size_t offset)
{
	return pg_mbstrlen_with_len(str, (int) offset) + 1;
}

/*
 * A type's hash support functions 1 and 2, NAME_hash(value) and
 * NAME_hash_extended(value, seed), over the bytes that BYTES_OF(value, buf)
 * writes into buf, of type BUF (an array type).  The bytes are big-endian,
 * so that hash values (and hash partitions) are the same on every platform.
 */
#define MPN_HASH_SUPPORT(NAME, GETARG, BUF, BYTES_OF) \
PG_FUNCTION_INFO_V1(NAME##_hash); \
Datum \
NAME##_hash(PG_FUNCTION_ARGS) \
{ \
	BUF			buf; \
\
	BYTES_OF(GETARG(0), buf); \
	return hash_any((const unsigned char *) buf, sizeof(buf)); \
} \
\
PG_FUNCTION_INFO_V1(NAME##_hash_extended); \
Datum \
NAME##_hash_extended(PG_FUNCTION_ARGS) \
{ \
	BUF			buf; \
\
	BYTES_OF(GETARG(0), buf); \
	return hash_any_extended((const unsigned char *) buf, sizeof(buf), \
							 PG_GETARG_INT64(1)); \
}

#endif							/* MPN_BENEFITS_H */
