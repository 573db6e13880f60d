/*-------------------------------------------------------------------------
 *
 * drop_guard.c
 *	  An event trigger that keeps DROP EXTENSION mpn_benefits CASCADE (and
 *	  DROP SCHEMA mpn CASCADE) from silently dropping a partner's data.
 *
 * Without CASCADE, PostgreSQL itself refuses to drop the extension while a
 * table uses its types or functions.  With CASCADE it would drop those
 * columns, generated columns and triggers, and with them the data: a
 * ledger's keys column is of type mpn.product_key.  The guard runs at
 * ddl_command_start, reads the statement's parse tree (only C can), and
 * refuses a cascading drop while anything outside the extension depends
 * on it.
 *
 * src/drop_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "mpn_benefits.h"

#define EXTENSION_NAME "mpn_benefits"

/*
 * Objects outside the extension that depend on one of its members (or on
 * an object such as an array type that belongs to a member), described,
 * at most 10 of them.
 */
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
"   WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
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
"     SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid,"
"            CASE d.classid"
"              WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN d.objid"
"              WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN"
"                (SELECT adrelid FROM pg_catalog.pg_attrdef WHERE oid = d.objid)"
"              WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN"
"                (SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid = d.objid)"
"              WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN"
"                (SELECT NULLIF(conrelid, 0) FROM pg_catalog.pg_constraint WHERE oid = d.objid)"
"              WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN"
"                (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = d.objid)"
"            END AS relid) rel ON true"
"  ORDER BY what LIMIT 11";

/* Is the extension owned by one of the roles a DROP OWNED ... CASCADE names? */
static bool
drop_owned_reaches_extension(DropOwnedStmt *stmt, Oid extoid)
{
	Oid			owner = InvalidOid;
	ListCell   *lc;
	Datum		arg = ObjectIdGetDatum(extoid);
	Oid			argtype = OIDOID;
	bool		isnull;

	if (stmt->behavior != DROP_CASCADE)
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT extowner FROM pg_catalog.pg_extension WHERE oid = $1",
							  1, &argtype, &arg, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			owner = DatumGetObjectId(value);
	}
	SPI_finish();

	foreach(lc, stmt->roles)
	{
		if (get_rolespec_oid(lfirst_node(RoleSpec, lc), true) == owner)
			return true;
	}
	return false;
}

/* Does the DROP statement name this extension, or the schema it lives in? */
static bool
drop_reaches_extension(DropStmt *stmt, Oid extschema)
{
	ListCell   *lc;

	if (stmt->behavior != DROP_CASCADE)
		return false;
	foreach(lc, stmt->objects)
	{
		Node	   *object = lfirst(lc);

		if (!IsA(object, String))
			continue;
		if (stmt->removeType == OBJECT_EXTENSION &&
			strcmp(strVal(object), EXTENSION_NAME) == 0)
			return true;
		if (stmt->removeType == OBJECT_SCHEMA &&
			get_namespace_oid(strVal(object), true) == extschema)
			return true;
	}
	return false;
}

/* guard_drop(): the event trigger mpn_guard_drop, at ddl_command_start */
PG_FUNCTION_INFO_V1(mpn_guard_drop);
Datum
mpn_guard_drop(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	Oid			extoid;
	Datum		arg;
	Oid			argtype = OIDOID;
	StringInfoData list;
	uint64		n;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function mpn.guard_drop() was not called by the event trigger manager")));
	trigdata = (EventTriggerData *) fcinfo->context;
	extoid = get_extension_oid(EXTENSION_NAME, true);
	if (!OidIsValid(extoid))
		PG_RETURN_VOID();
	if (IsA(trigdata->parsetree, DropStmt))
	{
		if (!drop_reaches_extension((DropStmt *) trigdata->parsetree,
									get_func_namespace(fcinfo->flinfo->fn_oid)))
			PG_RETURN_VOID();
	}
	else if (IsA(trigdata->parsetree, DropOwnedStmt))
	{
		if (!drop_owned_reaches_extension((DropOwnedStmt *) trigdata->parsetree, extoid))
			PG_RETURN_VOID();
	}
	else
		PG_RETURN_VOID();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	arg = ObjectIdGetDatum(extoid);
	if (SPI_execute_with_args(dependents_query, 1, &argtype, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the objects that depend on extension %s", EXTENSION_NAME);
	n = SPI_processed;
	if (n == 0)
	{
		SPI_finish();
		PG_RETURN_VOID();
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
	PG_RETURN_VOID();			/* keep compiler quiet */
}
