/*-------------------------------------------------------------------------
 *
 * as_owner.c
 *	  Running work on another role's table as that table's owner, and SQL
 *	  of our own under a search_path nobody else chose (see as_owner.h).
 *
 * src/as_owner.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "as_owner.h"
#include "compat.h"

int
mpn_begin_pinned_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	mpn_restrict_search_path();
	return nestlevel;
}

void
mpn_end_pinned_path(int nestlevel)
{
	AtEOXact_GUC(false, nestlevel);
}

void
mpn_begin_as_owner(Oid owner, MpnIdentity *saved)
{
	GetUserIdAndSecContext(&saved->save_userid, &saved->save_sec_context);
	SetUserIdAndSecContext(owner,
						   saved->save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	saved->save_nestlevel = mpn_begin_pinned_path();
}

void
mpn_end_as_owner(const MpnIdentity *saved)
{
	mpn_end_pinned_path(saved->save_nestlevel);
	SetUserIdAndSecContext(saved->save_userid, saved->save_sec_context);
}
