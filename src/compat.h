/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every PostgreSQL version difference the extension meets, in one place,
 *	  so that no function body mentions a server version.
 *
 * src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_COMPAT_H
#define MPN_COMPAT_H

#include "postgres.h"

#include "utils/rangetypes.h"

/*
 * Soft input errors (pg_input_is_valid, PostgreSQL 16): before 16 there is
 * no error-saving context, and errsave() is a plain ERROR.
 */
#if PG_VERSION_NUM < 160000
#define errsave(context, ...) \
	do { \
		(void) (context); \
		ereport(ERROR, __VA_ARGS__); \
	} while (0)
#define SOFT_ERROR_OCCURRED(escontext)	false
#endif

/* MarkGUCPrefixReserved() replaced EmitWarningsOnPlaceholders() in 15 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix)	EmitWarningsOnPlaceholders(prefix)
#endif

/* make_range() took an error-saving context in PostgreSQL 16 */
#if PG_VERSION_NUM < 160000
#define mpn_make_range(typcache, lower, upper) \
	make_range((typcache), (lower), (upper), false)
#else
#define mpn_make_range(typcache, lower, upper) \
	make_range((typcache), (lower), (upper), false, NULL)
#endif

#endif							/* MPN_COMPAT_H */
