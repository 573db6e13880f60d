/*-------------------------------------------------------------------------
 *
 * existing_rows.c
 *	  Rows already in a table: checked when a rule is attached, as
 *	  PostgreSQL checks them when a constraint is added, and listed by
 *	  mpn.violations() for an audit.
 *
 * What a stored row can break is each rule's own to say (its file's
 * mpn_stored_row_*()): exclusive_offer, a user holding the exclusive offer
 * and another; partner_tenant_only, a demonstration license activated off
 * the partner's tenant; reassign_after, a subscription assigned with no
 * day of assignment (its wait could not be counted).  redeem_once has
 * nothing to check: the unique index it requires already keeps a key to
 * one redemption, and the rest of its rule is about changes.
 *
 * Attaching (mpn_validate_existing_rows(), from the event trigger in
 * attachment.c, as the table's owner): the whole table is read; the first
 * row that breaks the rule fails the command with the rule's own SQLSTATE
 * and message, and the count of such rows.  With mpn.check_existing_rows
 * off, the attaching session adopts the rows as they are, as NOT VALID
 * does for a constraint: each later write of a row is checked as always.
 *
 * src/triggers/existing_rows.c
 *
 *-------------------------------------------------------------------------
 */
#include "support.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/regproc.h"
#include "utils/rls.h"
#include "utils/syscache.h"

bool		mpn_check_existing_rows = true;

/*
 * Is function funcoid PostgreSQL's own or this extension's (schema mpn)?
 * Those are the only code validation may run inside another role's DDL.
 */
static bool
function_is_builtin(Oid funcoid)
{
	Oid			nsp;

	if (!OidIsValid(funcoid))
		return true;
	nsp = get_func_namespace(funcoid);
	return nsp == PG_CATALOG_NAMESPACE || nsp == get_namespace_oid("mpn", true);
}

static bool
output_is_builtin(Oid type)
{
	Oid			typoutput;
	bool		typisvarlena;

	getTypeOutputInfo(type, &typoutput, &typisvarlena);
	return function_is_builtin(typoutput);
}

/*
 * Would checking rel's rows for rule run only built-in code: the columns'
 * output functions (for the message), the equality the rule compares
 * with, the probe index's, and the primary key's output functions?
 */
bool
mpn_rule_code_is_builtin(Relation rel, const RuleTrigger *rule)
{
	Oid			pk = mpn_primary_key_index(rel);

	for (int i = 0; i < MAX_RULE_COLUMNS; i++)
		if (rule->attnum[i] > 0 &&
			!output_is_builtin(TupleDescAttr(RelationGetDescr(rel), rule->attnum[i] - 1)->atttypid))
			return false;
	if (!function_is_builtin(rule->equal.fn_oid) || !function_is_builtin(rule->probe_eq.fn_oid))
		return false;
	if (OidIsValid(pk))
	{
		Relation	indexrel = index_open(pk, AccessShareLock);
		bool		builtin = true;

		for (int i = 0; i < indexrel->rd_index->indnkeyatts; i++)
		{
			AttrNumber	attnum = indexrel->rd_index->indkey.values[i];

			if (attnum > 0 &&
				!output_is_builtin(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid))
				builtin = false;
		}
		index_close(indexrel, AccessShareLock);
		return builtin;
	}
	return true;
}

/* Does rel hold no row at all (that the latest snapshot sees)? */
static bool
table_is_empty(Relation rel)
{
	return mpn_first_stored_row(rel, NULL, NULL, NULL) == NULL;
}

/* A TriggerData for checking rel's stored rows with trigger, as a write would */
static void
init_check_data(TriggerData *td, Relation rel, Trigger *trigger, const RuleKind *kind)
{
	memset(td, 0, sizeof(*td));
	td->type = T_TriggerData;
	td->tg_event = TRIGGER_EVENT_INSERT | TRIGGER_EVENT_ROW |
		(kind->before ? TRIGGER_EVENT_BEFORE : 0);
	td->tg_relation = rel;
	td->tg_trigger = trigger;
}

/* Called for each stored row that breaks the rule; false stops the scan */
typedef bool (*ViolationFound) (HeapTuple row, void *arg);

/*
 * Read every row of rel that snapshot sees and call found() for those that
 * break the rule; returns how many do.  Each row's work is done in a
 * memory context of its own, reset for the next.
 */
static uint64
scan_stored_rows(Relation rel, Trigger *trigger, const RuleKind *kind, RuleTrigger *rule,
				 Snapshot snapshot, ViolationFound found, void *arg)
{
	TriggerData td;
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "mpn stored row",
												 ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	uint64		count = 0;

	init_check_data(&td, rel, trigger, kind);
	rule->rel = rel;
	scan = table_beginscan(rel, snapshot, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		should_free;
		HeapTuple	row;
		bool		go_on = true;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		row = ExecFetchSlotHeapTuple(slot, false, &should_free);
		if (kind->stored_row_check(&td, rule, row, NULL))
		{
			count++;
			MemoryContextSwitchTo(old);
			go_on = found(row, arg);
			old = MemoryContextSwitchTo(rowcxt);
		}
		if (should_free)
			heap_freetuple(row);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		if (!go_on)
			break;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
	return count;
}

/* The trigger's arguments as SQL string literals, comma-separated */
static char *
quoted_arguments(const Trigger *trigger)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < trigger->tgnargs; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", quote_literal_cstr(trigger->tgargs[i]));
	return buf.data;
}

/* The first violating row the attach-time scan met, and its message */
typedef struct FirstViolation
{
	TriggerData td;
	const RuleKind *kind;
	RuleTrigger *rule;
	char	   *message;
} FirstViolation;

/*
 * The message is made as the role that issued the command (the check runs
 * as the table's owner): it shows the values that role may read, no more,
 * as the rule's own refusals do.  Only built-in output functions run here,
 * or the owner's own command runs this.
 */
static bool
keep_first(HeapTuple row, void *arg)
{
	FirstViolation *first = (FirstViolation *) arg;

	if (first->message == NULL)
	{
		Oid			owner;
		int			sec_context;

		GetUserIdAndSecContext(&owner, &sec_context);
		SetUserIdAndSecContext(mpn_ddl_caller, sec_context);
		PG_TRY();
		{
			(void) first->kind->stored_row_check(&first->td, first->rule, row, &first->message);
		}
		PG_FINALLY();
		{
			SetUserIdAndSecContext(owner, sec_context);
		}
		PG_END_TRY();
	}
	return true;				/* and count them all */
}

/* May the role that issued the command read the rule's columns of rel? */
static bool
caller_may_read(Relation rel, const RuleTrigger *rule)
{
	Oid			owner;
	int			sec_context;
	bool		may;

	GetUserIdAndSecContext(&owner, &sec_context);
	SetUserIdAndSecContext(mpn_ddl_caller, sec_context);
	may = mpn_may_show_values(rel, mpn_rule_column_count(rule), rule->attnum);
	SetUserIdAndSecContext(owner, sec_context);
	return may;
}

/*
 * mpn_validate_existing_rows(): the rows already in rel, checked for a
 * trigger a command attached or enabled (attachment.c calls it after the
 * trigger's setup, as the table's owner, restricted).  The command holds
 * a lock that keeps writers out, so the latest snapshot sees every row.
 */
void
mpn_validate_existing_rows(Relation rel, Trigger *trigger, const RuleKind *kind,
						   RuleTrigger *rule)
{
	FirstViolation first;
	Snapshot	snapshot;
	uint64		count;
	const char *qualified;

	if (kind->stored_row_check == NULL || !RELKIND_HAS_STORAGE(rel->rd_rel->relkind))
		return;
	qualified = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										   mpn_table_name(rel));
	if (!mpn_check_existing_rows)
	{
		ereport(NOTICE,
				(errmsg("rows already in table \"%s\" were not checked for trigger \"%s\"",
						mpn_table_name(rel), trigger->tgname),
				 errdetail("mpn.check_existing_rows is off: they are kept as they are, and each is checked when it is next written."),
				 errhint("SELECT * FROM mpn.violations(%s) lists those that break it.",
						 quote_literal_cstr(qualified))));
		return;
	}
	if (!mpn_ddl_runs_table_code &&
		(rule->exclusive_value_deferred || !mpn_rule_code_is_builtin(rel, rule)) &&
		!table_is_empty(rel))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot check the rows already in table \"%s\" for trigger \"%s\" in a command of role \"%s\"",
						mpn_table_name(rel), trigger->tgname,
						GetUserNameFromId(mpn_ddl_caller, false)),
				 errdetail("Checking them would run functions of the table's column types that are not built in, which DDL runs only in a command of the table's owner."),
				 errhint("Attach the trigger as the table's owner (SET ROLE %s), or with mpn.check_existing_rows off and audit the rows with mpn.violations() as the owner.",
						 quote_identifier(GetUserNameFromId(rel->rd_rel->relowner, false)))));

	/*
	 * A role that may not read the rule's columns (a TRIGGER grantee
	 * without SELECT) learns nothing of the rows, not even whether one
	 * breaks a rule of its choosing: the check is not run for it.
	 */
	if (!caller_may_read(rel, rule) && !table_is_empty(rel))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to check the rows already in table \"%s\" for trigger \"%s\"",
						mpn_table_name(rel), trigger->tgname),
				 errdetail("Role \"%s\" may not read the columns the rule names, and the rows already in the table are checked when a rule is attached.",
						   GetUserNameFromId(mpn_ddl_caller, false)),
				 errhint("Attach the rule as the table's owner, or as a role granted SELECT on those columns.")));

	memset(&first, 0, sizeof(first));
	init_check_data(&first.td, rel, trigger, kind);
	first.kind = kind;
	first.rule = rule;
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	count = scan_stored_rows(rel, trigger, kind, rule, snapshot, keep_first, &first);
	UnregisterSnapshot(snapshot);
	if (count == 0)
		return;
	ereport(ERROR,
			(errcode(kind->violation_code),
			 errmsg("%s", first.message),
			 errdetail_plural("%llu row already in table \"%s\" breaks the rule of trigger \"%s\"; rows already in a table are checked when a rule is attached.",
							  "%llu rows already in table \"%s\" break the rule of trigger \"%s\"; rows already in a table are checked when a rule is attached.",
							  (unsigned long) Min(count, ULONG_MAX),
							  (unsigned long long) count, mpn_table_name(rel), trigger->tgname),
			 errhint("SELECT * FROM mpn.violations(%s, 'mpn.%s', %s) lists them: correct or delete them first, or attach the rule with mpn.check_existing_rows off to keep them as they are.",
					 quote_literal_cstr(qualified), kind->name, quoted_arguments(trigger)),
			 errtable(rel)));
}

/*
 * mpn.violations()
 */

/* What the rows of one table are listed against, and where to */
typedef struct ViolationList
{
	TriggerData td;
	const RuleKind *kind;
	RuleTrigger *rule;
	Relation	named;			/* the table the caller named */
	Tuplestorestate *store;
	TupleDesc	desc;
	Datum		trigger_name;	/* or NULL, for an audit */
	Datum		rule_text;
} ViolationList;

/* "(id)=(42)" or "ctid (0,1)", after the partition's name if not named */
static char *
row_identity(Relation rel, Relation named, HeapTuple row)
{
	char	   *key = mpn_describe_row(rel, row);

	if (key == NULL)
		key = psprintf("ctid %s",
					   DatumGetCString(DirectFunctionCall1(tidout, PointerGetDatum(&row->t_self))));
	if (RelationGetRelid(rel) != RelationGetRelid(named))
		key = psprintf("%s %s", quote_identifier(RelationGetRelationName(rel)), key);
	return key;
}

static bool
list_violation(HeapTuple row, void *arg)
{
	ViolationList *list = (ViolationList *) arg;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	char	   *message = NULL;

	(void) list->kind->stored_row_check(&list->td, list->rule, row, &message);
	values[0] = list->trigger_name;
	nulls[0] = list->trigger_name == (Datum) 0;
	values[1] = list->rule_text;
	values[2] = CStringGetTextDatum(row_identity(list->td.tg_relation, list->named, row));
	values[3] = CStringGetTextDatum(message);
	tuplestore_putvalues(list->store, list->desc, values, nulls);
	return true;
}

/* List the rows of leaf table rel that break trigger's rule */
static void
list_table(ViolationList *list, Relation rel, Trigger *trigger, const RuleKind *kind)
{
	bool		save = mpn_ddl_runs_table_code;

	/*
	 * The setup refuses arguments the rule cannot work with, even for a
	 * rule no stored row can break.  It reads an exclusive value through
	 * the offer type's code only for the table's owner (the value was
	 * chosen by whoever attached the trigger), as DDL does.
	 */
	mpn_ddl_runs_table_code = is_member_of_role_nosuper(GetUserId(), rel->rd_rel->relowner);
	PG_TRY();
	{
		list->rule = mpn_check_as_first_use(rel, trigger, kind);
	}
	PG_FINALLY();
	{
		mpn_ddl_runs_table_code = save;
	}
	PG_END_TRY();
	if (kind->stored_row_check == NULL)
		return;
	if (list->rule->exclusive_value_deferred)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot read the exclusive offer of trigger \"%s\" on table \"%s\" as role \"%s\"",
						trigger->tgname, RelationGetRelationName(rel),
						GetUserNameFromId(GetUserId(), false)),
				 errdetail("Reading it runs the offer column type's input function or a domain's CHECK, which run here only for the table's owner."),
				 errhint("Run mpn.violations() as the table's owner.")));
	list->kind = kind;
	init_check_data(&list->td, rel, trigger, kind);
	list->rule_text = CStringGetTextDatum(psprintf("mpn.%s(%s)", kind->name, quoted_arguments(trigger)));
	(void) scan_stored_rows(rel, trigger, kind, list->rule, GetActiveSnapshot(),
							list_violation, list);
}

/*
 * The leaf tables of the table the caller named, locked, after checking
 * that the caller may read it (a partition is read through its parent, as
 * a query of the parent would).
 */
static List *
tables_to_list(Oid relid)
{
	char		relkind = get_rel_relkind(relid);
	AclResult	acl;
	List	   *result = NIL;
	ListCell   *lc;

	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", get_rel_name(relid)),
				 errdetail("mpn.violations() reads the rows of a table, or of a partitioned table's partitions.")));
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, get_relkind_objtype(relkind), get_rel_name(relid));
	foreach(lc, find_all_inheritors(relid, AccessShareLock, NULL))
	{
		Oid			table = lfirst_oid(lc);

		/*
		 * Rows that row-level security hides from the caller are not the
		 * caller's to list (not even by their ctid)
		 */
		if (check_enable_rls(table, InvalidOid, false) == RLS_ENABLED)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("mpn.violations() does not read table \"%s\", which row-level security applies to",
							get_rel_name(table)),
					 errhint("Run it as the table's owner, or as a role that bypasses row-level security.")));
		if (get_rel_relkind(table) == RELKIND_RELATION)
			result = lappend_oid(result, table);
	}
	return result;
}

static void
begin_list(FunctionCallInfo fcinfo, ViolationList *list, Oid relid)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	memset(list, 0, sizeof(*list));
	list->store = rsinfo->setResult;
	list->desc = rsinfo->setDesc;
	list->named = relation_open(relid, AccessShareLock);
}

/* mpn.violations(tab): the rows of tab that break its mpn triggers' rules */
PG_FUNCTION_INFO_V1(mpn_violations);
Datum
mpn_violations(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	List	   *tables = tables_to_list(relid);
	ViolationList list;
	ListCell   *lc;

	begin_list(fcinfo, &list, relid);
	foreach(lc, tables)
	{
		Relation	rel = relation_open(lfirst_oid(lc), AccessShareLock);
		TriggerDesc *triggers = rel->trigdesc ? CopyTriggerDesc(rel->trigdesc) : NULL;

		for (int i = 0; triggers != NULL && i < triggers->numtriggers; i++)
		{
			Trigger    *trigger = &triggers->triggers[i];
			const RuleKind *kind;

			if (trigger->tgisinternal || (kind = mpn_rule_kind_of_function(trigger->tgfoid)) == NULL)
				continue;
			list.trigger_name = DirectFunctionCall1(namein, CStringGetDatum(trigger->tgname));
			list_table(&list, rel, trigger, kind);
		}
		relation_close(rel, AccessShareLock);
	}
	relation_close(list.named, AccessShareLock);
	return (Datum) 0;
}

/*
 * mpn.violations(tab, rule, VARIADIC args): the rows of tab that would
 * break rule with those trigger arguments, before it is attached.
 */
PG_FUNCTION_INFO_V1(mpn_violations_of_rule);
Datum
mpn_violations_of_rule(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			funcoid = PG_GETARG_OID(1);
	ArrayType  *args = PG_GETARG_ARRAYTYPE_P(2);
	const RuleKind *kind = mpn_rule_kind_of_function(funcoid);
	List	   *tables;
	ViolationList list;
	Trigger		trigger;
	Datum	   *elems;
	bool	   *elemnulls;
	int			nelems;
	ListCell   *lc;

	if (kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("function %s is not a rule of mpn_benefits",
						format_procedure(funcoid)),
				 errhint("The rules are mpn.redeem_once, mpn.reassign_after, mpn.exclusive_offer and mpn.partner_tenant_only.")));
	deconstruct_array(args, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elemnulls, &nelems);
	if (nelems > MAX_RULE_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rule %s takes at most %d arguments, not %d",
						format_procedure(funcoid), MAX_RULE_COLUMNS, nelems)));
	memset(&trigger, 0, sizeof(trigger));
	trigger.tgname = pstrdup(kind->name);
	trigger.tgfoid = funcoid;
	trigger.tgtype = TRIGGER_TYPE_ROW | TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE |
		TRIGGER_TYPE_DELETE | (kind->before ? TRIGGER_TYPE_BEFORE : 0);
	trigger.tgenabled = TRIGGER_FIRES_ON_ORIGIN;
	trigger.tgnargs = nelems;
	trigger.tgargs = palloc0(Max(nelems, 1) * sizeof(char *));
	for (int i = 0; i < nelems; i++)
	{
		if (elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of rule %s is NULL", i + 1, format_procedure(funcoid)),
					 errdetail("Trigger arguments are strings.")));
		trigger.tgargs[i] = TextDatumGetCString(elems[i]);
	}

	tables = tables_to_list(relid);
	begin_list(fcinfo, &list, relid);
	list.trigger_name = (Datum) 0;
	foreach(lc, tables)
	{
		Relation	rel = relation_open(lfirst_oid(lc), AccessShareLock);

		list_table(&list, rel, &trigger, kind);
		relation_close(rel, AccessShareLock);
	}
	relation_close(list.named, AccessShareLock);
	return (Datum) 0;
}
