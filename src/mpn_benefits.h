/*-------------------------------------------------------------------------
 *
 * mpn_benefits.h
 *	  The extension's SQL-visible types and the helpers its C files share.
 *
 * src/mpn_benefits.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_BENEFITS_H
#define MPN_BENEFITS_H

#include "postgres.h"

#include "fmgr.h"
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

/* mpn_benefits.c: today's date where the rules are kept (mpn.time_zone) */
extern DateADT mpn_today(void);
extern DateADT mpn_date_of(TimestampTz moment);
extern TimestampTz mpn_now(void);

/* license_term.c: a checked term, palloc'd, or an ERROR naming the fault */
extern LicenseTerm *license_term_make(int32 licenses, DateADT starts, DateADT ends);
extern char *license_term_to_cstring(const LicenseTerm *term);

/* rules.c: ISO text of a date for messages, whatever DateStyle says */
extern char *mpn_date_text(DateADT day);

#endif							/* MPN_BENEFITS_H */
