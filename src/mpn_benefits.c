/*-------------------------------------------------------------------------
 *
 * mpn_benefits.c
 *	  Module magic and the extension's settings: mpn.time_zone and
 *	  mpn.as_of_date (dates.c reads them to say what day "today" is), and
 *	  mpn.check_existing_rows (existing_rows.c).
 *
 * src/mpn_benefits.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/timestamp.h"

#include "mpn_benefits.h"
#include "triggers/support.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* mpn.time_zone: its text, and the zone that text names */
static char *mpn_time_zone_name = NULL;
pg_tz	   *mpn_time_zone = NULL;

/*
 * mpn.as_of_date: when set, the day the rules take for "today" instead of
 * the calendar, for reports "as of" a day and for reproducible tests.
 */
char	   *mpn_as_of_text = NULL;
bool		mpn_as_of_set = false;
DateADT		mpn_as_of = 0;

/*
 * Hand a check hook's parsed value to its assign hook: a copy in memory
 * that guc.c owns and frees (compat.h says how, on each major).
 */
static bool
set_guc_extra(void **extra, const void *value, size_t size)
{
	*extra = mpn_guc_extra_alloc(size);
	if (*extra == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		return false;
	}
	memcpy(*extra, value, size);
	return true;
}

/*
 * Is the statement being run a SET LOCAL?  A GUC check hook is not told,
 * so the extension's utility hook (installed when the library loads) notes
 * it around each SET statement.  Anything else that sets a value (a
 * function's SET clause, set_config()) counts as a session's SET.
 */
static bool setting_is_local = false;
static ProcessUtility_hook_type prev_utility_hook = NULL;

static void
note_set_local(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			   ProcessUtilityContext context, ParamListInfo params,
			   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	bool		save = setting_is_local;
	Node	   *stmt = pstmt->utilityStmt;

	setting_is_local = IsA(stmt, VariableSetStmt) && ((VariableSetStmt *) stmt)->is_local;
	PG_TRY();
	{
		if (prev_utility_hook)
			prev_utility_hook(pstmt, queryString, readOnlyTree, context, params,
							  queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		setting_is_local = save;
	}
	PG_END_TRY();
}

/*
 * Does a value set from this source reach every session that computes
 * "today" for the query?  On one server, always.  On a Citus node, a
 * session's SET stays in the coordinator's session, while the queries of
 * distributed tables run in the workers' sessions, which would compute
 * their own "today": one report, two calendars.  Citus carries a SET LOCAL
 * made in a transaction block to the workers when
 * citus.propagate_set_commands is 'local' (and no other SET, nor a
 * connection's options); ALTER DATABASE/ROLE ... SET and
 * the configuration file are read by every node.  Anything else a session
 * sets there is refused.  (Citus's own connections, whose names begin with
 * citus_internal, carry the coordinator's SET LOCAL to a worker.)
 */
static bool
reaches_citus_workers(const char *name, GucSource source)
{
	const char *propagate;

	if (source != PGC_S_SESSION && source != PGC_S_CLIENT)
		return true;
	propagate = GetConfigOption("citus.propagate_set_commands", true, false);
	if (propagate == NULL)
		return true;			/* no Citus here */
	if (strcmp(propagate, "local") == 0 && setting_is_local && IsTransactionBlock())
		return true;
	if (application_name != NULL && strncmp(application_name, "citus_internal", 14) == 0)
		return true;
	GUC_check_errcode(ERRCODE_FEATURE_NOT_SUPPORTED);
	GUC_check_errmsg("%s set in a session does not reach the Citus workers", name);
	GUC_check_errdetail("Queries of distributed tables compute \"today\" on the workers, which would not see this value.");
	GUC_check_errhint("In a transaction: SET citus.propagate_set_commands = 'local'; then SET LOCAL %s. "
					  "For good: ALTER DATABASE or ALTER ROLE ... SET %s.", name, name);
	return false;
}

/* Accept a zone PostgreSQL knows and can use (no leap-second zones) */
static bool
check_time_zone(char **newval, void **extra, GucSource source)
{
	pg_tz	   *tz;

	if (!reaches_citus_workers("mpn.time_zone", source))
		return false;
	tz = pg_tzset(*newval);
	if (tz == NULL)
	{
		GUC_check_errdetail("Time zone \"%s\" is not recognized.", *newval);
		return false;
	}
	if (!pg_tz_acceptable(tz))
	{
		GUC_check_errdetail("PostgreSQL does not support leap seconds.");
		return false;
	}
	return set_guc_extra(extra, &tz, sizeof(tz));
}

static void
assign_time_zone(const char *newval, void *extra)
{
	(void) newval;
	mpn_time_zone = *((pg_tz **) extra);
}

static bool
check_as_of_date(char **newval, void **extra, GucSource source)
{
	int32		day;

	if (!reaches_citus_workers("mpn.as_of_date", source))
		return false;
	if (*newval == NULL || **newval == '\0')
	{
		*extra = NULL;
		return true;
	}
	if (!iso_date_parse(*newval, strlen(*newval), &day))
	{
		GUC_check_errdetail("\"%s\" is not a date written YYYY-MM-DD between 0001-01-01 and 5874897-12-31.",
							*newval);
		return false;
	}
	return set_guc_extra(extra, &day, sizeof(day));
}

static void
assign_as_of_date(const char *newval, void *extra)
{
	(void) newval;
	mpn_as_of_set = extra != NULL;
	if (mpn_as_of_set)
		mpn_as_of = *((DateADT *) extra);
}

/* What a transaction's triggers remember of rows moving between partitions */
static void
forget_moves(XactEvent event, void *arg)
{
	(void) arg;
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE)
		mpn_moves_check_arrived();
	else if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
			 event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
			 event == XACT_EVENT_PREPARE)
		mpn_moves_reset();
}

static void
forget_subxact_moves(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	(void) parentSubid;
	(void) arg;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		mpn_moves_forget_subxact(mySubid);
}

void
_PG_init(void)
{
	DefineCustomStringVariable("mpn.time_zone",
							   "Time zone whose calendar date is \"today\" for the benefit rules.",
							   "A session's own TimeZone setting does not move a deadline; "
							   "only this setting does.",
							   &mpn_time_zone_name,
							   "UTC",
							   PGC_SUSET,
							   0,
							   check_time_zone,
							   assign_time_zone,
							   NULL);
	DefineCustomStringVariable("mpn.as_of_date",
							   "Day the benefit rules take for \"today\" (empty: the calendar).",
							   "For reports as of another day and reproducible tests; "
							   "the integrity triggers follow it too.",
							   &mpn_as_of_text,
							   "",
							   PGC_SUSET,
							   0,
							   check_as_of_date,
							   assign_as_of_date,
							   NULL);
	DefineCustomBoolVariable("mpn.check_existing_rows",
							 "Check the rows already in a table when a rule is attached or enabled.",
							 "Off: the attaching session adopts the rows as they are, as NOT VALID "
							 "does for a constraint; mpn.violations() lists those that break the rule.",
							 &mpn_check_existing_rows,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("mpn");
	RegisterXactCallback(forget_moves, NULL);
	RegisterSubXactCallback(forget_subxact_moves, NULL);
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = note_set_local;
}
