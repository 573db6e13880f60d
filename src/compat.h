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

#include "access/genam.h"
#include "access/tableam.h"
#include "utils/guc.h"
#include "utils/rangetypes.h"
#include "utils/relcache.h"

/*
 * The varlena macros (VARDATA_ANY, SET_VARSIZE, ...) moved out of
 * postgres.h into a header of their own in PostgreSQL 16.
 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

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

/*
 * The "extra" a GUC check hook hands back: guc.c frees it with free() before
 * 16 and with guc_free() from 16 on, which only takes what guc_malloc()
 * gave.  NULL when memory is short (guc_malloc has logged it).
 */
static inline void *
mpn_guc_extra_alloc(size_t size)
{
#if PG_VERSION_NUM >= 160000
	return guc_malloc(LOG, size);
#else
	return malloc(size);
#endif
}

/*
 * The primary key's index, deferrable or not (18 added the choice; before
 * 18 a deferrable primary key was returned like any other).
 */
static inline Oid
mpn_primary_key_index(Relation rel)
{
#if PG_VERSION_NUM >= 180000
	return RelationGetPrimaryKeyIndex(rel, true);
#else
	return RelationGetPrimaryKeyIndex(rel);
#endif
}

/*
 * index_beginscan() took an instrumentation struct in 18 and table-scan
 * option flags in 19; the extension wants neither.
 */
static inline IndexScanDesc
mpn_index_beginscan(Relation heap, Relation index, Snapshot snapshot,
					int nkeys, int norderbys)
{
#if PG_VERSION_NUM >= 190000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys, SO_NONE);
#elif PG_VERSION_NUM >= 180000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys);
#else
	return index_beginscan(heap, index, snapshot, nkeys, norderbys);
#endif
}

/* Does the current user own table relid (superusers own everything)? */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#endif
#include "miscadmin.h"
#include "utils/acl.h"
static inline bool
mpn_owns_table(Oid relid)
{
#if PG_VERSION_NUM >= 160000
	return object_ownercheck(RelationRelationId, relid, GetUserId());
#else
	return pg_class_ownercheck(relid, GetUserId());
#endif
}

/*
 * search_path pinned to "pg_catalog, pg_temp" at the current GUC nesting
 * level, for code that runs inside another role's command (17 has a
 * function for it; earlier majors set the same value).
 */
static inline void
mpn_restrict_search_path(void)
{
#if PG_VERSION_NUM >= 170000
	RestrictSearchPath();
#else
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
#endif
}

/* Does the current user own schema nspid? */
static inline bool
mpn_owns_namespace(Oid nspid)
{
#if PG_VERSION_NUM >= 160000
	return object_ownercheck(NamespaceRelationId, nspid, GetUserId());
#else
	return pg_namespace_ownercheck(nspid, GetUserId());
#endif
}

#endif							/* MPN_COMPAT_H */
