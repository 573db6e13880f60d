/*-------------------------------------------------------------------------
 *
 * support.h
 *	  What the integrity triggers share: the RuleTrigger a trigger learns
 *	  from its arguments, the checks of how it is attached, reading columns,
 *	  the dirty-snapshot index probe, and the text of values for messages.
 *
 * Why the rules hold under concurrent writers (the README says it to users):
 *
 * - Rules about one row (a redemption is never changed or deleted; a
 *   subscription passes on only 90 days after its last assignment; a demo
 *   license stays on the partner's tenant) read only OLD and NEW.  UPDATE
 *   and DELETE lock the row before a BEFORE ROW trigger sees it, and at
 *   READ COMMITTED the trigger is handed the newest committed version, so
 *   two writers of one row are checked one after the other.  At REPEATABLE
 *   READ and SERIALIZABLE the second writer gets a serialization failure.
 *
 * - Rules across rows never trust the transaction's snapshot.  redeem_once
 *   stands on a unique index (which no snapshot can fool) and only adds a
 *   probe with a dirty snapshot, so that the usual loser gets a message
 *   with the facts.  exclusive_offer works like PostgreSQL's exclusion
 *   constraints: an AFTER ROW trigger looks, with a dirty snapshot, through
 *   an index for a clashing row once its own row is in that index, and
 *   waits for any transaction still writing one; of two clashing writers
 *   the later to look always sees the other.
 *
 * No SQL is run: the triggers read the table they fire on, found by its
 *	OID, through its own indexes, with operators taken from the index's
 *	operator family, so neither search_path nor a user's operators reach
 *	them.  Column names come from trigger arguments and are matched as
 *	names, never pasted into a query.
 *
 * src/triggers/support.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MPN_TRIGGER_SUPPORT_H
#define MPN_TRIGGER_SUPPORT_H

#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "catalog/dependency.h"
#include "catalog/pg_depend.h"
#include "utils/fmgroids.h"

#include "dates.h"
#include "mpn_benefits.h"
#define MAX_RULE_COLUMNS 3

/*
 * What a trigger learned about its table from its arguments, set up once
 * per statement in the trigger function's fn_extra.
 */
typedef struct RuleTrigger
{
	Oid			tgoid;			/* the trigger this was set up for */
	AttrNumber	attnum[MAX_RULE_COLUMNS];	/* columns named by arguments */
	Oid			atttype[MAX_RULE_COLUMNS];	/* their base types */
	Oid			probe_index;	/* index whose first column is attnum[0] */
	bool		probe_index_partial;	/* it has a WHERE clause */
	FmgrInfo	probe_eq;		/* its equality procedure for that column */
	Oid			probe_collation;
	int32		days;			/* reassign_after: the waiting period */
	Datum		exclusive_value;	/* exclusive_offer: in the offer's type */
	bool		exclusive_value_deferred;	/* not read: left for the first row */
	FmgrInfo	equal;			/* exclusive_offer, partner_tenant_only: the = */
	Oid			equal_collation;
	Relation	rel;			/* the table of the current call */
	/* a recheck: the AFTER ROW trigger that guards a BEFORE ROW one */
	bool		recheck;		/* is this trigger a recheck or a truncate guard? */
	Oid			parent_tgoid;	/* then the BEFORE trigger it guards */
	char	   *parent_name;	/* and that trigger's name */
	/* a row moving to another partition (support.c, "Partitions") */
	ItemPointerData updating_tid;	/* the row of the last BEFORE UPDATE */
	MemoryContext move_cxt;		/* holds the values below */
	int			move_nvalues;	/* rule columns the move carries */
	Datum		move_values[MAX_RULE_COLUMNS];	/* as that UPDATE left them */
	bool		move_isnull[MAX_RULE_COLUMNS];
} RuleTrigger;

/*
 * Each trigger function's setup: checks how the trigger is attached and
 * what its arguments name, as on the first row of a statement and, through
 * the event trigger in attachment.c, when it is attached.
 */
typedef RuleTrigger *(*RuleSetup) (FunctionCallInfo fcinfo);
extern RuleTrigger *mpn_setup_redeem_once(FunctionCallInfo fcinfo);
extern RuleTrigger *mpn_setup_reassign_after(FunctionCallInfo fcinfo);
extern RuleTrigger *mpn_setup_exclusive_offer(FunctionCallInfo fcinfo);
extern RuleTrigger *mpn_setup_partner_tenant_only(FunctionCallInfo fcinfo);

/*
 * The rules (attachment.c): each trigger function's setup, whether it fires
 * BEFORE, the events of its recheck (0: none), how many of its leading
 * arguments name columns, and the index it looks rows up through.
 */
typedef enum RuleProbe
{
	PROBE_NONE,					/* reads only the row */
	PROBE_ANY,					/* a btree index on its first column */
	PROBE_UNIQUE				/* a unique one on that column alone */
} RuleProbe;

/*
 * Does a row already stored break the rule?  With message, also the
 * refusal's message for it (existing_rows.c runs these over a table's rows
 * when a rule is attached, and for mpn.violations()).
 */
typedef bool (*RuleStoredRowCheck) (TriggerData *td, const RuleTrigger *rule,
									HeapTuple row, char **message);
extern bool mpn_stored_row_reassign_after(TriggerData *td, const RuleTrigger *rule,
										  HeapTuple row, char **message);
extern bool mpn_stored_row_exclusive_offer(TriggerData *td, const RuleTrigger *rule,
										   HeapTuple row, char **message);
extern bool mpn_stored_row_partner_tenant_only(TriggerData *td, const RuleTrigger *rule,
											   HeapTuple row, char **message);

typedef struct RuleKind
{
	const char *name;			/* in schema mpn */
	RuleSetup	setup;
	bool		before;			/* a BEFORE ROW trigger? */
	int16		recheck_events; /* 0: no recheck */
	bool		truncate_guard; /* a BEFORE TRUNCATE guard too? */
	int			column_args;	/* arguments that may name columns */
	RuleProbe	probe;
	RuleStoredRowCheck stored_row_check;	/* NULL: a stored row breaks nothing */
	int			violation_code; /* the SQLSTATE of its refusals of a row */
	bool		recheck_moves_in;	/* on a partition, its recheck fires AFTER INSERT too */
} RuleKind;

extern int16 mpn_recheck_events(const RuleKind *kind, Relation rel);

extern const RuleKind *mpn_rule_kind_of_function(Oid funcoid);
extern RuleTrigger *mpn_check_as_first_use(Relation rel, Trigger *trigger,
										   const RuleKind *kind);

/*
 * Rows already in a table (existing_rows.c): checked when a command
 * attaches or enables a rule, unless mpn.check_existing_rows is off.
 */
extern bool mpn_check_existing_rows;
extern void mpn_validate_existing_rows(Relation rel, Trigger *trigger,
									   const RuleKind *kind, RuleTrigger *rule);
extern bool mpn_rule_code_is_builtin(Relation rel, const RuleTrigger *rule);

/*
 * A setup run by an event trigger (no row: tg_trigtuple is NULL) may run
 * code of the table's only when this says so (attachment.c sets it before
 * every such setup; row-time setups never read it).
 */
extern bool mpn_ddl_runs_table_code;

/*
 * The role that issued the command an event trigger checks (attachment.c
 * sets it before running checks as the table's owner): messages show
 * values only as that role may see them, and errors name it.
 */
extern Oid	mpn_ddl_caller;

/* What a DROP would take away, judged before it starts (drop_guard.c) */
extern void mpn_check_drop(Node *parsetree);

/* Setup: how a trigger is attached, and what its arguments name */
extern bool mpn_require_attachment(FunctionCallInfo fcinfo, const char *func,
                                   bool before, int16 events,
                                   const char *events_text);
extern void mpn_require_arguments(TriggerData *td, const char *func, int min,
                                  int max, const char *signature);
extern void mpn_column_argument(TriggerData *td, RuleTrigger *rule, int slot,
                                int argi, const char *func,
                                const char *argname);
extern void mpn_report_column_type(TriggerData *td, const RuleTrigger *rule,
                                   int slot, const char *func,
                                   const char *argname, const char *wanted);
extern bool mpn_is_date_column(const RuleTrigger *rule, int slot);
extern RuleTrigger *mpn_rule_for_call(FunctionCallInfo fcinfo, bool *is_new);
extern RuleTrigger *mpn_setup_begin(FunctionCallInfo fcinfo, const char *func, bool before,
									int16 events, const char *events_text, bool *needs_setup);
extern void mpn_setup_done(TriggerData *td, const RuleTrigger *rule, const char *func);
extern void mpn_setup_column_equality(FunctionCallInfo fcinfo,
                                      RuleTrigger *rule, int slot,
                                      const char *func, const char *argname);

/* Reading rows */
extern Datum mpn_get_column(const RuleTrigger *rule, int slot, HeapTuple tuple,
                            TupleDesc tupdesc, bool *isnull);
extern bool mpn_column_unchanged(const RuleTrigger *rule, int slot,
                                 HeapTuple a, HeapTuple b, TupleDesc tupdesc);
extern DateADT mpn_day_of_value(Oid type, Datum value);

/* The row a trigger writes: NEW for an UPDATE, the row for an INSERT */
static inline HeapTuple
mpn_written_row(const TriggerData *td)
{
	return TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
}

/*
 * Rechecks (attachment.c makes them): a BEFORE ROW rule cannot see what a
 * BEFORE ROW trigger that fires after it does to the row, so an AFTER ROW
 * trigger of the same function checks the row as it was stored.
 */
extern void mpn_find_recheck_parent(TriggerData *td, RuleTrigger *rule, MemoryContext mcxt);
extern bool mpn_recheck_applies(const TriggerData *td, const RuleTrigger *rule);

/*
 * Partitions: an UPDATE that moves a row to another partition is a DELETE
 * from one and an INSERT into the other, each with its BEFORE ROW
 * triggers; these tell the rules that the two are a move (support.c).
 */
typedef enum MoveLanding
{
	MOVE_NONE,					/* a new row */
	MOVE_KEPT,					/* a row moving in, its rule columns as they left */
	MOVE_CHANGED				/* one whose rule columns changed on the way */
} MoveLanding;

extern void mpn_move_note_update(RuleTrigger *rule, TriggerData *td, HeapTuple written);
extern bool mpn_move_is_delete(RuleTrigger *rule, TriggerData *td);
extern MoveLanding mpn_move_landing(const RuleTrigger *rule, TriggerData *td, HeapTuple row,
									Datum *was, bool *was_null);
extern bool mpn_move_arrived(const RuleTrigger *rule, TriggerData *td, HeapTuple stored);
extern void mpn_moves_forget_subxact(SubTransactionId subxid);
extern void mpn_moves_check_arrived(void);
extern void mpn_moves_reset(void);
extern pg_noinline void mpn_report_changed_after_check(TriggerData *td, const RuleTrigger *rule,
													   int sqlerrcode, const char *func,
													   HeapTuple stored, const char *what);

/*
 * Names for messages: the table and the trigger as the user made them.  On
 * a Citus worker a trigger fires on a shard ("keys_102008"), whose name and
 * whose copy of the trigger end in the shard's id: a message names the
 * distributed table and the trigger instead.
 */
extern const char *mpn_table_name(Relation rel);
extern const char *mpn_trigger_name(const TriggerData *td);

/* Text for messages; a value the user may not read shows as HIDDEN_VALUE */
#define HIDDEN_VALUE "(not shown)"
extern bool mpn_may_show_values(Relation rel, int n, const AttrNumber *attnums);
extern char *mpn_column_text(const RuleTrigger *rule, int slot,
                             HeapTuple tuple, TupleDesc tupdesc);
extern char *mpn_day_text(const RuleTrigger *rule, int slot, HeapTuple tuple,
                          TupleDesc tupdesc);
extern char *mpn_describe_row(Relation rel, HeapTuple tuple);

/*
 * The dirty-snapshot probe (support.c says how it waits): an index on the
 * rule's first column, and the rows it finds that visit() says matter.
 */
typedef bool (*ProbeVisit) (const RuleTrigger *rule, TupleTableSlot *slot, void *arg);

/*
 * The first row of rel that the latest snapshot sees and match() says
 * matters (any row without match), copied; NULL if none.  For the checks
 * that read a whole table: a truncate guard, whether a table holds rows.
 */
extern HeapTuple mpn_first_stored_row(Relation rel, const RuleTrigger *rule,
									  ProbeVisit match, void *arg);

/* How many of the rule's columns its arguments named */
extern int	mpn_rule_column_count(const RuleTrigger *rule);

extern bool mpn_index_serves_probe(HeapTuple indextuple, Oid relam,
								   AttrNumber key, AttrNumber unique_on);
extern bool mpn_find_probe_index(Relation rel, RuleTrigger *rule,
                                 AttrNumber unique_on);
extern HeapTuple mpn_probe_rows(Relation rel, const RuleTrigger *rule,
                                Datum value, ItemPointer skip,
                                ProbeVisit visit, void *arg);

#endif							/* MPN_TRIGGER_SUPPORT_H */
