/*
 * The ODBC half of test/bi/run.sh: what a BI tool sees of a ledger through
 * psqlODBC's SQLTables and SQLColumns, and whether it can read the BI views.
 *
 * Usage: client CONNECTION_STRING SCHEMA
 *   built with: gcc -o client client.c -lodbc
 *
 * Prints detail lines (run.sh indents them under its verdict line); a line
 * starting with "FAIL:" is a failed check.  Exits 0 when every check passed,
 * 1 when one failed, 2 when it could not connect.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sql.h>
#include <sqlext.h>

#define MAX_RELS 256
#define MAX_FAILURES 200

static const char *bi_views[] = {"bi_benefit_status", "bi_key_status",
	"bi_subscription_status", "bi_reassignment_status"};
static const char *status_views[] = {"benefit_status", "key_status",
	"subscription_status", "reassignment_status"};
#define NVIEWS 4

/* what SQLColumns' TYPE_NAME may be for a column of a BI view */
static const char *standard_pg_types[] = {"text", "varchar", "bpchar", "char",
	"int2", "int4", "int8", "float4", "float8", "numeric", "date", "time",
	"timestamp", "timestamptz", "bool", NULL};

static char *failures[MAX_FAILURES];
static int nfailures;

static void
fail(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (nfailures < MAX_FAILURES)
		failures[nfailures] = strdup(buf);
	nfailures++;
}

/* the diagnostics of the last call on handle H, on one line */
static const char *
diag(SQLSMALLINT type, SQLHANDLE h)
{
	static char out[2048];
	SQLCHAR state[6], msg[1024];
	SQLINTEGER native;
	SQLSMALLINT len;
	size_t used = 0;

	out[0] = '\0';
	for (SQLSMALLINT i = 1;
		 used < sizeof out - 1 &&
		 SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg, sizeof msg, &len));
		 i++)
	{
		for (char *p = (char *) msg; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		used += snprintf(out + used, sizeof out - used, "%s[%s] %s", i > 1 ? "; " : "",
						 state, msg);
	}
	return out[0] ? out : "(no diagnostics)";
}

static int
in_list(const char *s, const char **list, int n)
{
	for (int i = 0; n < 0 ? list[i] != NULL : i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* the SQL data types of ODBC 3 (sql.h, sqlext.h), scalars only */
static const char *
sql_type_name(SQLSMALLINT t)
{
	switch (t)
	{
		case SQL_CHAR: return "SQL_CHAR";
		case SQL_VARCHAR: return "SQL_VARCHAR";
		case SQL_LONGVARCHAR: return "SQL_LONGVARCHAR";
		case SQL_WCHAR: return "SQL_WCHAR";
		case SQL_WVARCHAR: return "SQL_WVARCHAR";
		case SQL_WLONGVARCHAR: return "SQL_WLONGVARCHAR";
		case SQL_DECIMAL: return "SQL_DECIMAL";
		case SQL_NUMERIC: return "SQL_NUMERIC";
		case SQL_SMALLINT: return "SQL_SMALLINT";
		case SQL_INTEGER: return "SQL_INTEGER";
		case SQL_REAL: return "SQL_REAL";
		case SQL_FLOAT: return "SQL_FLOAT";
		case SQL_DOUBLE: return "SQL_DOUBLE";
		case SQL_BIT: return "SQL_BIT";
		case SQL_TINYINT: return "SQL_TINYINT";
		case SQL_BIGINT: return "SQL_BIGINT";
		case SQL_TYPE_DATE: return "SQL_TYPE_DATE";
		case SQL_TYPE_TIME: return "SQL_TYPE_TIME";
		case SQL_TYPE_TIMESTAMP: return "SQL_TYPE_TIMESTAMP";
		case SQL_DATE: return "SQL_DATE";
		case SQL_TIME: return "SQL_TIME";
		case SQL_TIMESTAMP: return "SQL_TIMESTAMP";
		default: return NULL;
	}
}

static SQLHDBC dbc;

/* a statement that gives one number */
static long
scalar(const char *sql)
{
	SQLHSTMT st;
	char buf[64] = "";
	SQLLEN ind;
	long v = -1;

	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *) sql, SQL_NTS)) &&
		SQL_SUCCEEDED(SQLFetch(st)) &&
		SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_CHAR, buf, sizeof buf, &ind)))
		v = atol(buf);
	else
		fail("%s: %s", sql, diag(SQL_HANDLE_STMT, st));
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return v;
}

/* a statement that gives one text value, into BUF ("" when NULL) */
static int
text_query(const char *sql, char *buf, SQLLEN size)
{
	SQLHSTMT st;
	SQLLEN ind;
	int ok;

	buf[0] = '\0';
	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	ok = SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *) sql, SQL_NTS)) &&
		SQL_SUCCEEDED(SQLFetch(st)) &&
		SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_CHAR, buf, size, &ind));
	if (!ok)
		fail("%s: %s", sql, diag(SQL_HANDLE_STMT, st));
	else if (ind == SQL_NULL_DATA)
		buf[0] = '\0';
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	return ok;
}

/*
 * A string literal of the quoted name SCHEMA.REL, or SCHEMA when REL is
 * NULL: '"partner"."key_status"', to cast to regclass (or regnamespace)
 */
static const char *
regclass_literal(char *out, size_t size, const char *schema, const char *rel)
{
	size_t o = 0;
	const char *parts[2] = {schema, rel};

	out[o++] = '\'';
	for (int i = 0; i < (rel ? 2 : 1); i++)
	{
		if (i)
			out[o++] = '.';
		out[o++] = '"';
		for (const char *p = parts[i]; *p && o < size - 8; p++)
		{
			if (*p == '"')
				out[o++] = '"';
			if (*p == '\'')
				out[o++] = '\'';
			out[o++] = *p;
		}
		out[o++] = '"';
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/*
 * What the driver said of a table, view or column: REMARKS are checked once
 * all are listed, since psqlODBC leaves every REMARKS empty (info.c sets
 * them to "" in SQLTables and SQLColumns, 13.02 and later alike).
 */
typedef struct
{
	char		rel[128];
	char		col[128];		/* "" for the table or view itself */
	char		kind[32];
	int			described;		/* REMARKS not blank */
} Item;

#define MAX_ITEMS 2048
static Item items[MAX_ITEMS];
static int nitems;

static int blank(const char *s);

static void
add_item(const char *rel, const char *col, const char *kind, const char *remarks)
{
	if (nitems == MAX_ITEMS)
	{
		fail("more than %d tables, views and columns", MAX_ITEMS);
		return;
	}
	snprintf(items[nitems].rel, sizeof items[nitems].rel, "%s", rel);
	snprintf(items[nitems].col, sizeof items[nitems].col, "%s", col);
	snprintf(items[nitems].kind, sizeof items[nitems].kind, "%s", kind);
	items[nitems].described = !blank(remarks);
	nitems++;
}

/* column COL of the current row as text, "" when NULL */
static char *
get_text(SQLHSTMT st, SQLUSMALLINT col, char *buf, SQLLEN size)
{
	SQLLEN ind;

	if (!SQL_SUCCEEDED(SQLGetData(st, col, SQL_C_CHAR, buf, size, &ind)) || ind == SQL_NULL_DATA)
		buf[0] = '\0';
	return buf;
}

static int
blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

int
main(int argc, char **argv)
{
	SQLHENV env;
	SQLHSTMT st;
	SQLRETURN rc;
	const char *schema;
	char out[1024];
	SQLSMALLINT outlen;
	char *rels[MAX_RELS];
	int nrels = 0, ntables = 0, nviews = 0, ncolumns = 0, nbicolumns = 0;
	char bitypes[1024] = "", status_other[4096] = "", counts[1024] = "";
	char sql[1024], lit[600];

	if (argc != 3)
	{
		fprintf(stderr, "usage: client CONNECTION_STRING SCHEMA\n");
		return 2;
	}
	schema = argv[2];

	SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER) SQL_OV_ODBC3, 0);
	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *) argv[1], SQL_NTS,
						  (SQLCHAR *) out, sizeof out, &outlen, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc))
	{
		printf("FAIL: cannot connect with %s: %s\n", argv[1], diag(SQL_HANDLE_DBC, dbc));
		return 2;
	}
	{
		char drv[128] = "", ver[64] = "", dbms[64] = "", dbver[64] = "";

		SQLGetInfo(dbc, SQL_DRIVER_NAME, drv, sizeof drv, NULL);
		SQLGetInfo(dbc, SQL_DRIVER_VER, ver, sizeof ver, NULL);
		SQLGetInfo(dbc, SQL_DBMS_NAME, dbms, sizeof dbms, NULL);
		SQLGetInfo(dbc, SQL_DBMS_VER, dbver, sizeof dbver, NULL);
		printf("driver: %s %s, server %s %s, %s\n", drv, ver, dbms, dbver, argv[1]);
	}

	/* SQLTables: every table and view, described */
	SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
	rc = SQLTables(st, NULL, 0, (SQLCHAR *) schema, SQL_NTS, (SQLCHAR *) "%", SQL_NTS,
				   (SQLCHAR *) "TABLE,VIEW", SQL_NTS);
	if (!SQL_SUCCEEDED(rc))
		fail("SQLTables: %s", diag(SQL_HANDLE_STMT, st));
	else
		while (SQL_SUCCEEDED(SQLFetch(st)))
		{
			char sch[256], name[256], type[64], remarks[1024];

			get_text(st, 2, sch, sizeof sch);
			get_text(st, 3, name, sizeof name);
			get_text(st, 4, type, sizeof type);
			get_text(st, 5, remarks, sizeof remarks);
			if (strcmp(sch, schema) != 0)
				continue;
			if (nrels < MAX_RELS)
				rels[nrels++] = strdup(name);
			if (strcmp(type, "VIEW") == 0)
				nviews++;
			else
				ntables++;
			add_item(name, "", type, remarks);
		}
	SQLFreeHandle(SQL_HANDLE_STMT, st);
	snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM pg_class WHERE relkind IN ('r','p','v','m','f')"
			 " AND relnamespace = %s::regnamespace", regclass_literal(lit, sizeof lit, schema, NULL));
	{
		long in_catalog = scalar(sql);

		if (in_catalog != nrels)
			fail("SQLTables listed %d tables and views, pg_class holds %ld", nrels, in_catalog);
	}
	for (int i = 0; i < NVIEWS; i++)
		if (!in_list(bi_views[i], (const char **) rels, nrels))
			fail("SQLTables: no view %s", bi_views[i]);

	/* SQLColumns: every column described; the BI views' in standard types */
	{
		struct { char name[200]; int n; } types[32];
		int ntypes = 0;

		for (int r = 0; r < nrels; r++)
		{
			const char *rel = rels[r];
			int is_bi = in_list(rel, bi_views, NVIEWS);
			int is_status = in_list(rel, status_views, NVIEWS);
			int n = 0;
			long attrs;

			SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
			rc = SQLColumns(st, NULL, 0, (SQLCHAR *) schema, SQL_NTS, (SQLCHAR *) rel, SQL_NTS,
							(SQLCHAR *) "%", SQL_NTS);
			if (!SQL_SUCCEEDED(rc))
				fail("SQLColumns on %s: %s", rel, diag(SQL_HANDLE_STMT, st));
			else
				while (SQL_SUCCEEDED(SQLFetch(st)))
				{
					char sch[256], tab[256], col[256], dtype[16], tname[128], remarks[1024];
					SQLSMALLINT t;
					const char *std;

					get_text(st, 2, sch, sizeof sch);
					get_text(st, 3, tab, sizeof tab);
					if (strcmp(sch, schema) != 0 || strcmp(tab, rel) != 0)
						continue;	/* "_" is a pattern character */
					get_text(st, 4, col, sizeof col);
					get_text(st, 5, dtype, sizeof dtype);
					get_text(st, 6, tname, sizeof tname);
					get_text(st, 12, remarks, sizeof remarks);
					n++;
					t = (SQLSMALLINT) atoi(dtype);
					std = sql_type_name(t);
					add_item(rel, col, "column", remarks);
					if (is_bi)
					{
						char label[200];
						int k;

						nbicolumns++;
						if (std == NULL || t == SQL_UNKNOWN_TYPE)
							fail("SQLColumns: %s.%s has DATA_TYPE %d, not a standard SQL type (TYPE_NAME %s)",
								 rel, col, t, tname);
						if (!in_list(tname, standard_pg_types, -1))
							fail("SQLColumns: %s.%s has TYPE_NAME %s (DATA_TYPE %d %s), not a standard PostgreSQL type",
								 rel, col, tname, t, std ? std : "?");
						snprintf(label, sizeof label, "%s/%s", std ? std : dtype, tname);
						for (k = 0; k < ntypes && strcmp(types[k].name, label) != 0; k++)
							;
						if (k == ntypes && ntypes < 32)
						{
							strcpy(types[ntypes].name, label);
							types[ntypes++].n = 0;
						}
						if (k < ntypes)
							types[k].n++;
					}
					else if (is_status && (std == NULL || !in_list(tname, standard_pg_types, -1)))
					{
						size_t l = strlen(status_other);

						snprintf(status_other + l, sizeof status_other - l, "%s%s.%s %s (%d, TYPE_NAME %s)",
								 l ? ", " : "", rel, col, std ? std : "SQL_UNKNOWN_TYPE", t, tname);
					}
				}
			SQLFreeHandle(SQL_HANDLE_STMT, st);
			snprintf(sql, sizeof sql,
					 "SELECT count(*) FROM pg_attribute a"
					 " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
					 regclass_literal(lit, sizeof lit, schema, rel));
			attrs = scalar(sql);
			if (attrs != n)
				fail("SQLColumns: %s gave %d columns, pg_attribute holds %ld", rel, n, attrs);
			ncolumns += n;
		}
		for (int k = 0; k < ntypes; k++)
		{
			size_t l = strlen(bitypes);

			snprintf(bitypes + l, sizeof bitypes - l, "%s%s %d", k ? ", " : "", types[k].name, types[k].n);
		}
	}
	printf("SQLTables: %d relations of schema %s (%d tables, %d views), %d columns\n",
		   nrels, schema, ntables, nviews, ncolumns);
	printf("SQLColumns: %d BI views, %d columns, DATA_TYPE/TYPE_NAME {%s}\n", NVIEWS, nbicolumns, bitypes);

	/*
	 * REMARKS: required of each when the driver gives any.  When it gives
	 * none at all (psqlODBC), each must have a description in pg_description
	 * instead, read over the same connection, as a tool's custom query would.
	 */
	{
		int			described = 0;

		for (int i = 0; i < nitems; i++)
			described += items[i].described;
		if (described > 0 || nitems == 0)
		{
			for (int i = 0; i < nitems; i++)
				if (!items[i].described)
				{
					if (items[i].col[0])
						fail("SQLColumns: %s.%s has no REMARKS", items[i].rel, items[i].col);
					else
						fail("SQLTables: %s %s has no REMARKS", items[i].kind, items[i].rel);
				}
			printf("REMARKS: given by the driver for %d of %d tables, views and columns\n",
				   described, nitems);
		}
		else
		{
			int			found = 0;

			for (int i = 0; i < nitems; i++)
			{
				char		lit[600], esc[300], desc[1024];
				size_t		o = 0;

				regclass_literal(lit, sizeof lit, schema, items[i].rel);
				for (const char *p = items[i].col; *p && o < sizeof esc - 3; p++)
				{
					if (*p == '\'')
						esc[o++] = '\'';
					esc[o++] = *p;
				}
				esc[o] = '\0';
				if (items[i].col[0])
					snprintf(sql, sizeof sql,
							 "SELECT col_description(attrelid, attnum) FROM pg_attribute"
							 " WHERE attrelid = %s::regclass AND attname = '%s'", lit, esc);
				else
					snprintf(sql, sizeof sql, "SELECT obj_description(%s::regclass, 'pg_class')", lit);
				if (!text_query(sql, desc, sizeof desc))
					continue;
				if (blank(desc))
				{
					if (items[i].col[0])
						fail("column %s.%s has no description (col_description)", items[i].rel, items[i].col);
					else
						fail("%s %s has no description (obj_description)", items[i].kind, items[i].rel);
				}
				else
					found++;
			}
			printf("REMARKS: empty for all %d tables, views and columns (psqlODBC never fills them);"
				   " descriptions read with obj_description/col_description instead: %d of %d\n",
				   nitems, found, nitems);
		}
	}

	/* every row of every BI view, every column through SQLGetData as text */
	for (int v = 0; v < NVIEWS; v++)
	{
		long expected, read = 0;
		SQLSMALLINT ncols = 0;
		int ok = 1;
		size_t l;

		snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\".\"%s\"", schema, bi_views[v]);
		expected = scalar(sql);
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\".\"%s\"", schema, bi_views[v]);
		SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
		if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *) sql, SQL_NTS)) ||
			!SQL_SUCCEEDED(SQLNumResultCols(st, &ncols)))
		{
			fail("%s: %s", sql, diag(SQL_HANDLE_STMT, st));
			ok = 0;
		}
		while (ok && SQL_SUCCEEDED(rc = SQLFetch(st)))
		{
			for (SQLUSMALLINT c = 1; ok && c <= ncols; c++)
			{
				char buf[256];
				SQLLEN ind;

				/* long values come in pieces: SQL_SUCCESS_WITH_INFO, 01004 */
				while ((rc = SQLGetData(st, c, SQL_C_CHAR, buf, sizeof buf, &ind)) == SQL_SUCCESS_WITH_INFO)
					;
				if (rc != SQL_SUCCESS && rc != SQL_NO_DATA)
				{
					fail("reading %s row %ld column %d: %s", bi_views[v], read + 1, c,
						 diag(SQL_HANDLE_STMT, st));
					ok = 0;
				}
			}
			read++;
		}
		if (ok && rc != SQL_NO_DATA)
			fail("fetching %s row %ld: %s", bi_views[v], read + 1, diag(SQL_HANDLE_STMT, st));
		SQLFreeHandle(SQL_HANDLE_STMT, st);
		if (read != expected)
			fail("read %ld rows of %s, count(*) gives %ld", read, bi_views[v], expected);
		l = strlen(counts);
		snprintf(counts + l, sizeof counts - l, "%s%s %ld", v ? ", " : "", bi_views[v], read);
	}
	printf("rows read with SQLFetch/SQLGetData as text: %s\n", counts);
	printf("non-BI status views, columns not of a standard type (reported only): %s\n",
		   status_other[0] ? status_other : "none");

	SQLDisconnect(dbc);
	SQLFreeHandle(SQL_HANDLE_DBC, dbc);
	SQLFreeHandle(SQL_HANDLE_ENV, env);
	for (int i = 0; i < nfailures && i < MAX_FAILURES; i++)
		printf("FAIL: %s\n", failures[i]);
	if (nfailures > MAX_FAILURES)
		printf("FAIL: ... and %d more\n", nfailures - MAX_FAILURES);
	return nfailures ? 1 : 0;
}
