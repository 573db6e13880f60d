/*-------------------------------------------------------------------------
 *
 * drop_guard.c
 *	  Every DROP judged before it starts, from what it would take away:
 *	  the extension while a partner's tables use it, a column an mpn
 *	  trigger reads, the index it looks rows up through.
 *
 * The event trigger mpn_guard_drop fires at ddl_command_start for every
 * DROP command that can reach such objects (DROP TYPE, DOMAIN, FUNCTION,
 * SCHEMA, EXTENSION, OWNED, INDEX, TABLE, COLLATION, ...).  It resolves the
 * objects the statement names (tables and indexes by name only, without a
 * lock: the command checks privileges before it locks them; other objects
 * with the lock the command takes first anyway), and follows pg_depend from them
 * as the drop itself would: internal, automatic, extension and partition
 * dependencies always, normal ones under CASCADE.  Of what it reaches:
 *
 * - the extension mpn_benefits, under CASCADE, while objects outside it
 *   use it: refused, whatever path leads there (DROP EXTENSION plpgsql
 *   CASCADE, DROP OWNED BY ... CASCADE, DROP SCHEMA mpn CASCADE), since
 *   CASCADE would drop the partner's product_key columns and their data;
 * - a column of a table that stays, which an mpn trigger of that table
 *   names, or an index of such a table that the trigger looks rows up
 *   through with no other to take its place: refused, since the rule
 *   would stop working (DROP INDEX CONCURRENTLY included, which could not
 *   be undone at the command's end).
 *
 * Nothing here runs code of another role's or opens another role's table:
 * it reads pg_depend, pg_class, pg_index and pg_trigger through the
 * catalog caches and indexes.  Only the listing of the extension's
 * dependents runs SQL, ours, with search_path pinned.  Its cost is that
 * of what the command drops, not of the database.
 *
 * src/drop_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "access/xact.h"
#include "catalog/pg_index.h"
#include "catalog/pg_shdepend.h"
#include "catalog/pg_trigger.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "as_owner.h"
#include "mpn_benefits.h"
#include "triggers/support.h"

#define EXTENSION_NAME "mpn_benefits"

/*
 * Objects outside the extension that depend on one of its members, named
 * by the table or view they belong to where they belong to one, at most 11
 * of them.  Members are the objects the extension owns, and what depends
 * on those internally or automatically (array types, operator family
 * entries), which goes with them in any case.
 */
static const char *const dependents_query =
"WITH RECURSIVE members(classid, objid) AS ("
"  SELECT classid, objid FROM pg_catalog.pg_depend"
"   WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid"
"     AND refobjid = $1 AND deptype = 'e'"
"  UNION"
"  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d"
"    JOIN members m ON d.refclassid = m.classid AND d.refobjid = m.objid"
"   WHERE d.deptype IN ('i', 'a')),"
" dependents AS ("
"  SELECT d.classid, d.objid, d.objsubid FROM pg_catalog.pg_depend d"
"    JOIN members m ON d.refclassid = m.classid AND d.refobjid = m.objid"
"   WHERE d.deptype = 'n'"
"     AND NOT EXISTS (SELECT 1 FROM members x"
"                      WHERE x.classid = d.classid AND x.objid = d.objid))"
" SELECT DISTINCT pg_catalog.pg_describe_object("
"          COALESCE(rel.classid, d.classid), COALESCE(rel.relid, d.objid),"
"          CASE WHEN rel.relid IS NULL THEN d.objsubid ELSE 0 END) AS what"
"   FROM dependents d"
"   LEFT JOIN LATERAL ("
"     SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid,"
"            CASE d.classid"
"              WHEN 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid THEN d.objid"
"              WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid THEN"
"                (SELECT adrelid FROM pg_catalog.pg_attrdef WHERE oid = d.objid)"
"              WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid THEN"
"                (SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid = d.objid)"
"              WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid THEN"
"                (SELECT NULLIF(conrelid, 0) FROM pg_catalog.pg_constraint WHERE oid = d.objid)"
"              WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid THEN"
"                (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = d.objid)"
"            END AS relid) rel ON true"
"  ORDER BY what LIMIT 11";

/* What a drop reaches: a set of object addresses, and a queue to visit */
typedef struct Reach
{
	HTAB	   *seen;			/* ObjectAddress -> itself */
	List	   *queue;			/* ObjectAddress *, still to follow */
	bool		cascade;
} Reach;

static void
reach_add(Reach *reach, Oid classid, Oid objid, int32 objsubid)
{
	ObjectAddress address;
	bool		found;
	ObjectAddress *entry;

	memset(&address, 0, sizeof(address));
	address.classId = classid;
	address.objectId = objid;
	address.objectSubId = objsubid;
	entry = hash_search(reach->seen, &address, HASH_ENTER, &found);
	if (!found)
		reach->queue = lappend(reach->queue, entry);
}

static bool
reach_has(const Reach *reach, Oid classid, Oid objid, int32 objsubid)
{
	ObjectAddress address;

	memset(&address, 0, sizeof(address));
	address.classId = classid;
	address.objectId = objid;
	address.objectSubId = objsubid;
	return hash_search(reach->seen, &address, HASH_FIND, NULL) != NULL;
}

/* Follow pg_depend from everything queued, as the drop would */
static void
reach_follow(Reach *reach)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);

	while (reach->queue != NIL)
	{
		ObjectAddress *object = linitial(reach->queue);
		ScanKeyData key[3];
		int			nkeys = 2;
		SysScanDesc scan;
		HeapTuple	tuple;

		reach->queue = list_delete_first(reach->queue);
		ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(object->classId));
		ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(object->objectId));
		/* a whole object takes what depends on any of its columns too */
		if (object->objectSubId != 0)
		{
			ScanKeyInit(&key[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber, F_INT4EQ,
						Int32GetDatum(object->objectSubId));
			nkeys = 3;
		}
		scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, nkeys, key);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

			if (dep->deptype == DEPENDENCY_NORMAL && !reach->cascade)
				continue;		/* PostgreSQL refuses such a drop itself */
			reach_add(reach, dep->classid, dep->objid, dep->objsubid);
		}
		systable_endscan(scan);

		/*
		 * An object that is an internal part of another takes that one
		 * with it: a generated column goes when its expression does (the
		 * expression depends on a function dropped, the column internally
		 * on... the column owns the expression), as PostgreSQL's own
		 * findDependentObjects() goes up to the owning object.
		 */
		ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(object->classId));
		ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(object->objectId));
		scan = systable_beginscan(depend, DependDependerIndexId, true, NULL, 2, key);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

			if (dep->deptype == DEPENDENCY_INTERNAL &&
				(object->objectSubId == 0 || dep->objsubid == object->objectSubId))
				reach_add(reach, dep->refclassid, dep->refobjid, dep->refobjsubid);
		}
		systable_endscan(scan);
	}
	table_close(depend, AccessShareLock);
}

/*
 * May the current user drop the object, as RemoveObjects() decides (owner
 * of the object or of its schema)?  A drop the user may not make is left
 * to PostgreSQL to refuse with its own message: judging it here would tell
 * a stranger about other roles' triggers.
 */
static bool
may_drop(const ObjectAddress *address)
{
	Oid			namespace;
	AttrNumber	owner_attnum;
	Relation	catalog;
	HeapTuple	tuple;
	bool		may = true;

	if (superuser())
		return true;
	namespace = get_object_namespace(address);
	if (OidIsValid(namespace) && mpn_owns_namespace(namespace))
		return true;
	owner_attnum = get_object_attnum_owner(address->classId);
	if (owner_attnum == InvalidAttrNumber)
		return true;			/* PostgreSQL checks such objects otherwise */
	catalog = table_open(address->classId, AccessShareLock);
	tuple = get_catalog_object_by_oid(catalog, get_object_attnum_oid(address->classId),
									  address->objectId);
	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		owner = heap_getattr(tuple, owner_attnum, RelationGetDescr(catalog), &isnull);

		may = !isnull && has_privs_of_role(GetUserId(), DatumGetObjectId(owner));
	}
	table_close(catalog, AccessShareLock);
	return may;
}

/* The objects a DROP statement names, resolved by name without locks */
static void
reach_drop_stmt(Reach *reach, DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Node	   *object = lfirst(lc);
		ObjectAddress address;
		Relation	relation = NULL;

		switch (stmt->removeType)
		{
			case OBJECT_TABLE:
			case OBJECT_INDEX:
			case OBJECT_VIEW:
			case OBJECT_MATVIEW:
			case OBJECT_FOREIGN_TABLE:
			case OBJECT_SEQUENCE:
				{
					Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(castNode(List, object)),
														 NoLock, true);

					if (OidIsValid(relid) &&
						(mpn_owns_table(relid) || mpn_owns_namespace(get_rel_namespace(relid))))
						reach_add(reach, RelationRelationId, relid, 0);
					break;
				}
			case OBJECT_TRIGGER:
			case OBJECT_RULE:
			case OBJECT_POLICY:
				/* attached to a table, which they would open; nothing depends on them */
				break;
			default:

				/*
				 * The lock DROP takes itself (RemoveObjects() locks before
				 * it checks ownership, as this does): no wait it would not
				 * have had anyway.
				 */
				address = get_object_address(stmt->removeType, object, &relation,
											 AccessExclusiveLock, true);
				Assert(relation == NULL);
				if (OidIsValid(address.objectId) && may_drop(&address))
					reach_add(reach, address.classId, address.objectId, address.objectSubId);
				break;
		}
	}
}

/* The objects of this database that DROP OWNED BY would drop */
static void
reach_drop_owned(Reach *reach, DropOwnedStmt *stmt)
{
	Relation	shdepend = table_open(SharedDependRelationId, AccessShareLock);
	ListCell   *lc;

	foreach(lc, stmt->roles)
	{
		Oid			role = get_rolespec_oid(lfirst_node(RoleSpec, lc), true);
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tuple;

		/* DROP OWNED refuses roles whose privileges the user lacks */
		if (!OidIsValid(role) || !has_privs_of_role(GetUserId(), role))
			continue;
		ScanKeyInit(&key[0], Anum_pg_shdepend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(AuthIdRelationId));
		ScanKeyInit(&key[1], Anum_pg_shdepend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(role));
		scan = systable_beginscan(shdepend, SharedDependReferenceIndexId, true, NULL, 2, key);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_shdepend dep = (Form_pg_shdepend) GETSTRUCT(tuple);

			if (dep->dbid == MyDatabaseId && dep->deptype == SHARED_DEPENDENCY_OWNER)
				reach_add(reach, dep->classid, dep->objid, dep->objsubid);
		}
		systable_endscan(scan);
	}
	table_close(shdepend, AccessShareLock);
}

/*
 * Refuse a cascade that reaches the extension while objects outside it use
 * it (what CASCADE would drop along with it, with the data in it).
 */
static void
guard_extension(Oid extoid)
{
	Datum		arg = ObjectIdGetDatum(extoid);
	Oid			argtype = OIDOID;
	StringInfoData list;
	uint64		n;
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = mpn_begin_pinned_path();
	if (SPI_execute_with_args(dependents_query, 1, &argtype, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the objects that depend on extension %s", EXTENSION_NAME);
	mpn_end_pinned_path(nestlevel);
	n = SPI_processed;
	if (n == 0)
	{
		SPI_finish();
		return;
	}

	initStringInfo(&list);
	for (uint64 i = 0; i < n && i < 10; i++)
		appendStringInfo(&list, "\n%s", SPI_getvalue(SPI_tuptable->vals[i],
													 SPI_tuptable->tupdesc, 1));
	if (n > 10)
		appendStringInfoString(&list, "\nand more");

	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("refusing to drop extension %s with CASCADE while other objects use it",
					EXTENSION_NAME),
			 errdetail("CASCADE would drop parts of these objects (columns, triggers, views) and the data in them:%s", list.data),
			 errhint("Drop or change those objects yourself first (for a ledger, DROP SCHEMA ... CASCADE of its schema).")));
}

/* What the drop takes from one table that stays */
typedef struct TableLoss
{
	Oid			relid;			/* hash key */
	List	   *attnums;		/* int: its columns dropped */
	List	   *indexes;		/* oid: its indexes dropped */
} TableLoss;

/* The arguments of a pg_trigger row, as C strings */
static char **
trigger_arguments(HeapTuple tuple, TupleDesc tupdesc, int nargs)
{
	char	  **args = palloc0(sizeof(char *) * Max(nargs, 1));
	bool		isnull;
	Datum		value = heap_getattr(tuple, Anum_pg_trigger_tgargs, tupdesc, &isnull);

	if (!isnull && nargs > 0)
	{
		bytea	   *bytes = DatumGetByteaPP(value);
		const char *p = VARDATA_ANY(bytes);
		const char *end = p + VARSIZE_ANY_EXHDR(bytes);

		for (int i = 0; i < nargs && p < end; i++)
		{
			args[i] = pstrdup(p);
			p += strlen(p) + 1;
		}
	}
	return args;
}

/* The access method of relation relid */
static Oid
relam_of(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			relam;

	if (!HeapTupleIsValid(tuple))
		return InvalidOid;
	relam = ((Form_pg_class) GETSTRUCT(tuple))->relam;
	ReleaseSysCache(tuple);
	return relam;
}

/* Is there an index of relid, other than those dropped, that serves? */
static bool
probe_served_without(const Reach *reach, Oid relid, AttrNumber key, AttrNumber unique_on)
{
	Relation	pg_index = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		served = false;

	ScanKeyInit(&skey, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true, NULL, 1, &skey);
	while (!served && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Oid			indexoid = ((Form_pg_index) GETSTRUCT(tuple))->indexrelid;

		if (!reach_has(reach, RelationRelationId, indexoid, 0))
			served = mpn_index_serves_probe(tuple, relam_of(indexoid), key, unique_on);
	}
	systable_endscan(scan);
	table_close(pg_index, AccessShareLock);
	return served;
}

/* Does an index (by OID) serve the probe as things stand? */
static bool
index_serves(Oid indexoid, AttrNumber key, AttrNumber unique_on)
{
	HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	bool		serves;

	if (!HeapTupleIsValid(tuple))
		return false;
	serves = mpn_index_serves_probe(tuple, relam_of(indexoid), key, unique_on);
	ReleaseSysCache(tuple);
	return serves;
}

/* Refuse the drop if it leaves an mpn trigger of the table unable to work */
static void
check_table_loss(const Reach *reach, const TableLoss *loss)
{
	Relation	tgrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	HeapTuple	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(loss->relid));
	bool		hastriggers;
	bool		own;

	if (!HeapTupleIsValid(classtup))
		return;
	hastriggers = ((Form_pg_class) GETSTRUCT(classtup))->relhastriggers;

	/*
	 * A drop is refused for the sake of the dropper's own tables (of a
	 * role it is a member of, superuser or not).  Another role's table
	 * that depends on what the dropper owns (a type has USAGE for PUBLIC)
	 * cannot make the dropper's command fail: it is told, as PostgreSQL
	 * tells of what CASCADE drops, and the rule fails closed until its
	 * owner mends it.
	 */
	own = is_member_of_role_nosuper(GetUserId(), ((Form_pg_class) GETSTRUCT(classtup))->relowner);
	ReleaseSysCache(classtup);
	if (!hastriggers)
		return;

	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(loss->relid));
	scan = systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_trigger trigger = (Form_pg_trigger) GETSTRUCT(tuple);
		const RuleKind *kind;
		char	  **args;
		AttrNumber	probe_key;
		AttrNumber	unique_on = InvalidAttrNumber;
		ListCell   *lc;

		if (trigger->tgisinternal || trigger->tgenabled == TRIGGER_DISABLED ||
			(kind = mpn_rule_kind_of_function(trigger->tgfoid)) == NULL)
			continue;
		args = trigger_arguments(tuple, RelationGetDescr(tgrel), trigger->tgnargs);

		for (int i = 0; i < Min(kind->column_args, trigger->tgnargs); i++)
		{
			AttrNumber	attnum = args[i] != NULL ? get_attnum(loss->relid, args[i]) : InvalidAttrNumber;

			if (attnum == InvalidAttrNumber || !list_member_int(loss->attnums, attnum))
				continue;
			if (!own)
				ereport(WARNING,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("dropping column \"%s\" of table \"%s\" leaves trigger \"%s\" unable to work",
								args[i], get_rel_name(loss->relid), NameStr(trigger->tgname)),
						 errdetail("Trigger \"%s\" names column \"%s\" as an argument of mpn.%s(); it will refuse every row until it is mended.",
								   NameStr(trigger->tgname), args[i], kind->name),
						 errhint("The table's owner can drop the trigger, or attach it to columns that exist.")));
			else
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("cannot drop column \"%s\" of table \"%s\": trigger \"%s\" reads it",
								args[i], get_rel_name(loss->relid), NameStr(trigger->tgname)),
						 errdetail("Trigger \"%s\" names column \"%s\" as an argument of mpn.%s(); without it the rule could not work.",
								   NameStr(trigger->tgname), args[i], kind->name),
						 errhint("Drop trigger \"%s\" first if the rule is no longer wanted.",
								 NameStr(trigger->tgname))));
		}

		if (kind->probe == PROBE_NONE || loss->indexes == NIL || trigger->tgnargs < 2)
			continue;
		probe_key = get_attnum(loss->relid, args[0]);
		if (kind->probe == PROBE_UNIQUE)
			unique_on = get_attnum(loss->relid, args[1]);
		if (probe_key == InvalidAttrNumber ||
			(kind->probe == PROBE_UNIQUE && unique_on == InvalidAttrNumber))
			continue;			/* the trigger cannot work now; nothing to keep */
		foreach(lc, loss->indexes)
		{
			Oid			indexoid = lfirst_oid(lc);

			if (!index_serves(indexoid, probe_key, unique_on) ||
				probe_served_without(reach, loss->relid, probe_key, unique_on))
				continue;
			if (!own)
				ereport(WARNING,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("dropping index \"%s\" leaves trigger \"%s\" on table \"%s\" unable to work",
								get_rel_name(indexoid), NameStr(trigger->tgname),
								get_rel_name(loss->relid)),
						 errdetail("mpn.%s() needs a %s whose first column is \"%s\"; it will refuse every row until one serves.",
								   kind->name,
								   kind->probe == PROBE_UNIQUE ? "unique btree index" : "btree index without a WHERE clause",
								   args[0]),
						 errhint("The table's owner can create an index it can use.")));
			else
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("cannot drop index \"%s\": trigger \"%s\" on table \"%s\" looks rows up through it",
								get_rel_name(indexoid), NameStr(trigger->tgname),
								get_rel_name(loss->relid)),
						 errdetail("mpn.%s() needs a %s whose first column is \"%s\", and no other index of the table serves.",
								   kind->name,
								   kind->probe == PROBE_UNIQUE ? "unique btree index" : "btree index without a WHERE clause",
								   args[0]),
						 errhint("Create the index it should use instead first, or drop trigger \"%s\" if the rule is no longer wanted.",
								 NameStr(trigger->tgname))));
		}
	}
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
}

/* Judge what the drop reaches */
static void
judge_reach(const Reach *reach)
{
	HASHCTL		ctl;
	HTAB	   *losses;
	HASH_SEQ_STATUS status;
	ObjectAddress *object;
	TableLoss  *loss;
	bool		extensions = false;

	/* an extension reached (rare): is it this one? */
	hash_seq_init(&status, reach->seen);
	while ((object = hash_seq_search(&status)) != NULL)
		extensions |= object->classId == ExtensionRelationId;
	if (extensions && reach->cascade)
	{
		Oid			extoid = get_extension_oid(EXTENSION_NAME, true);

		if (OidIsValid(extoid) && reach_has(reach, ExtensionRelationId, extoid, 0))
			guard_extension(extoid);
	}

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TableLoss);
	ctl.hcxt = CurrentMemoryContext;
	losses = hash_create("mpn drop: tables that lose parts", 16, &ctl,
						 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	hash_seq_init(&status, reach->seen);
	while ((object = hash_seq_search(&status)) != NULL)
	{
		Oid			relid;
		bool		found;

		if (object->classId != RelationRelationId)
			continue;
		if (object->objectSubId != 0)
			relid = object->objectId;	/* a column */
		else
		{
			char		relkind = get_rel_relkind(object->objectId);

			if (relkind != RELKIND_INDEX && relkind != RELKIND_PARTITIONED_INDEX)
				continue;
			relid = IndexGetRelation(object->objectId, true);
			if (!OidIsValid(relid))
				continue;
		}
		if (reach_has(reach, RelationRelationId, relid, 0))
			continue;			/* the whole table goes */

		/*
		 * Another session's temporary table goes with that session anyway;
		 * judging it would let a role with nothing but TEMP make another
		 * role's DROP ... CASCADE fail.
		 */
		if (isOtherTempNamespace(get_rel_namespace(relid)))
			continue;
		loss = hash_search(losses, &relid, HASH_ENTER, &found);
		if (!found)
		{
			loss->attnums = NIL;
			loss->indexes = NIL;
		}
		if (object->objectSubId != 0)
			loss->attnums = lappend_int(loss->attnums, object->objectSubId);
		else
			loss->indexes = lappend_oid(loss->indexes, object->objectId);
	}
	hash_seq_init(&status, losses);
	while ((loss = hash_seq_search(&status)) != NULL)
		check_table_loss(reach, loss);
	hash_destroy(losses);
}

void
mpn_check_drop(Node *parsetree)
{
	Reach		reach;
	HASHCTL		ctl;

	if (!IsA(parsetree, DropStmt) && !IsA(parsetree, DropOwnedStmt))
		return;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ObjectAddress);
	ctl.entrysize = sizeof(ObjectAddress);
	ctl.hcxt = CurrentMemoryContext;
	reach.seen = hash_create("mpn drop: objects reached", 64, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	reach.queue = NIL;
	if (IsA(parsetree, DropStmt) && ((DropStmt *) parsetree)->behavior != DROP_CASCADE)
	{
		/*
		 * A table, view or sequence dropped without CASCADE takes only its
		 * own parts (PostgreSQL refuses it while anything else depends on
		 * it): nothing of another table's, never the extension.  The most
		 * common drops are spared the walk.
		 */
		switch (((DropStmt *) parsetree)->removeType)
		{
			case OBJECT_TABLE:
			case OBJECT_VIEW:
			case OBJECT_MATVIEW:
			case OBJECT_FOREIGN_TABLE:
			case OBJECT_SEQUENCE:
				return;
			default:
				break;
		}
	}
	if (IsA(parsetree, DropStmt))
	{
		reach.cascade = ((DropStmt *) parsetree)->behavior == DROP_CASCADE;
		reach_drop_stmt(&reach, (DropStmt *) parsetree);
	}
	else
	{
		reach.cascade = ((DropOwnedStmt *) parsetree)->behavior == DROP_CASCADE;
		reach_drop_owned(&reach, (DropOwnedStmt *) parsetree);
	}
	reach_follow(&reach);
	judge_reach(&reach);
	hash_destroy(reach.seen);
}

/*
 * guard_schema(): the event trigger mpn_guard_schema, at ddl_command_end
 * for CREATE EXTENSION and ALTER EXTENSION.  PostgreSQL lets a role with
 * CREATE on the database install a trusted extension into any schema, ours
 * included (named, or first on its search_path), whose objects others'
 * calls would then find: an extension that this transaction put into the
 * extension's schema is refused, whatever the way it got there.
 */
PG_FUNCTION_INFO_V1(mpn_guard_schema);
Datum
mpn_guard_schema(PG_FUNCTION_ARGS)
{
	Oid			ours;
	Relation	extrel;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.guard_schema() was not called by the event trigger manager")));
	ours = get_func_namespace(fcinfo->flinfo->fn_oid);
	extrel = table_open(ExtensionRelationId, AccessShareLock);
	scan = systable_beginscan(extrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_extension ext = (Form_pg_extension) GETSTRUCT(tuple);

		if (ext->extnamespace != ours || strcmp(NameStr(ext->extname), EXTENSION_NAME) == 0 ||
			!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("schema \"%s\" is reserved for extension %s",
						get_namespace_name(ours), EXTENSION_NAME),
				 errdetail("Every user's calls of mpn functions are looked up in it; another extension's functions there could take them."),
				 errhint("Install extension \"%s\" into a schema of its own (CREATE EXTENSION ... SCHEMA).",
						 NameStr(ext->extname))));
	}
	systable_endscan(scan);
	table_close(extrel, AccessShareLock);
	PG_RETURN_VOID();
}

/*
 * schema_made_now(schema): was the schema's catalog row inserted by the
 * current transaction, and not updated since?  The install script's schema
 * guard asks it, and drops it again: a schema made before (whose row a
 * GRANT or RENAME in this transaction may have rewritten) could have been
 * given an overload from another session that this transaction cannot see.
 */
PG_FUNCTION_INFO_V1(mpn_schema_made_now);
Datum
mpn_schema_made_now(PG_FUNCTION_ARGS)
{
	Oid			nspid = PG_GETARG_OID(0);
	Relation	nsprel = table_open(NamespaceRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		made = false;

	ScanKeyInit(&key, Anum_pg_namespace_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(nspid));
	scan = systable_beginscan(nsprel, NamespaceOidIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
		made = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)) &&
			(tuple->t_data->t_infomask & HEAP_UPDATED) == 0;
	systable_endscan(scan);
	table_close(nsprel, AccessShareLock);
	PG_RETURN_BOOL(made);
}

/* guard_drop(): the event trigger mpn_guard_drop, at ddl_command_start */
PG_FUNCTION_INFO_V1(mpn_guard_drop);
Datum
mpn_guard_drop(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.guard_drop() was not called by the event trigger manager")));
	mpn_check_drop(((EventTriggerData *) fcinfo->context)->parsetree);
	PG_RETURN_VOID();
}
