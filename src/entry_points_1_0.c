/*-------------------------------------------------------------------------
 *
 * entry_points_1_0.c
 *	  The C symbols that mpn_benefits--1.0.sql names, kept for databases
 *	  that have not run ALTER EXTENSION mpn_benefits UPDATE yet.
 *
 * A function's pg_proc row names its C symbol.  1.0 named some without the
 * mpn_ prefix ('extend', 'redeem_once', ...); from 1.1 every SQL-callable
 * symbol is prefixed, and mpn_benefits--1.0--1.1.sql points the functions
 * at the new names.  Until a database is updated, it loads this library
 * and asks for the old names: each is here, calling its successor.  Never
 * remove one while a 1.0 database may load this library.
 *
 * src/entry_points_1_0.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#define ENTRY_POINT_1_0(old_name, new_name) \
extern PGDLLEXPORT Datum new_name(PG_FUNCTION_ARGS); \
PG_FUNCTION_INFO_V1(old_name); \
Datum \
old_name(PG_FUNCTION_ARGS) \
{ \
	return new_name(fcinfo); \
}

/* the rules (rules.c) */
ENTRY_POINT_1_0(benefit_expiry, mpn_benefit_expiry)
ENTRY_POINT_1_0(activation_deadline, mpn_activation_deadline)
ENTRY_POINT_1_0(can_activate, mpn_can_activate)
ENTRY_POINT_1_0(key_valid_until, mpn_key_valid_until)
ENTRY_POINT_1_0(key_is_usable, mpn_key_is_usable)
ENTRY_POINT_1_0(can_renew, mpn_can_renew)
ENTRY_POINT_1_0(reassignable_on, mpn_reassignable_on)
ENTRY_POINT_1_0(can_reassign, mpn_can_reassign)
ENTRY_POINT_1_0(add_licenses, mpn_add_licenses)
ENTRY_POINT_1_0(extend, mpn_extend)
ENTRY_POINT_1_0(remaining_days, mpn_remaining_days)
ENTRY_POINT_1_0(preview_key, mpn_preview_key)

/* the integrity triggers (triggers/) */
ENTRY_POINT_1_0(redeem_once, mpn_redeem_once)
ENTRY_POINT_1_0(reassign_after, mpn_reassign_after)
ENTRY_POINT_1_0(exclusive_offer, mpn_exclusive_offer)
ENTRY_POINT_1_0(partner_tenant_only, mpn_partner_tenant_only)

/* the drop guard (drop_guard.c) */
ENTRY_POINT_1_0(guard_drop, mpn_guard_drop)
