/*-------------------------------------------------------------------------
 *
 * as_owner.h
 *	  Running work on another role's table as that table's owner, and SQL
 *	  of our own under a search_path nobody else chose.
 *
 * The event triggers and mpn.check_triggers() run inside other roles'
 * commands, often a superuser's.  A check that may evaluate code of the
 * table's (a type input function, a domain CHECK) runs as the table's
 * owner, under SECURITY_RESTRICTED_OPERATION, with search_path pinned to
 * "pg_catalog, pg_temp": PostgreSQL's own answer for VACUUM, ANALYZE,
 * CREATE INDEX and REFRESH MATERIALIZED VIEW (CVE-2022-1552; see
 * DefineIndex() in src/backend/commands/indexcmds.c).  An error on the way
 * needs no cleanup: transaction and subtransaction abort restore the user
 * and the GUC nesting level.
 *
 * src/as_owner.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_AS_OWNER_H
#define MPN_AS_OWNER_H

#include "postgres.h"

typedef struct MpnIdentity
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} MpnIdentity;

/* Become owner (restricted, search_path pinned) until mpn_end_as_owner() */
extern void mpn_begin_as_owner(Oid owner, MpnIdentity *saved);
extern void mpn_end_as_owner(const MpnIdentity *saved);

/* Pin search_path to "pg_catalog, pg_temp" until mpn_end_pinned_path() */
extern int	mpn_begin_pinned_path(void);
extern void mpn_end_pinned_path(int nestlevel);

#endif							/* MPN_AS_OWNER_H */
