#!/usr/bin/env bash
# BI client test: a ledger seen as Power BI, Tableau, Metabase or DBeaver see
# it, through the drivers they use, JDBC (pgjdbc, Client.java) and ODBC
# (psqlODBC, client.c).  Both list the ledger's tables, views and columns
# through the driver's metadata calls (getTables/getColumns, SQLTables/
# SQLColumns) and assert: every table, view and column has a description
# (REMARKS); every column of the four bi_* views maps to a standard SQL type
# (JDBC: a scalar java.sql.Types, never OTHER, STRUCT, JAVA_OBJECT or
# DISTINCT; ODBC: a standard DATA_TYPE and a TYPE_NAME among PostgreSQL's
# own types, since psqlODBC reports an unknown type as SQL_VARCHAR under its
# own name); and every row of each bi_* view reads without an error
# (getObject on every column; SQLGetData as text), as many as count(*).
# The columns of the 1.0 status views that are not of a standard type are
# reported, not asserted: they are why the BI views exist.
#
# Runs inside an existing cluster reached through PGHOST/PGPORT/PGUSER, with
# the extension installed; creates the database mpn_bi_test (or $BI_DB),
# makes a ledger "partner" filled with 30 partners, drops it all at the end.
#
# Connections: ODBC goes through the Unix socket (psqlODBC takes the socket
# directory, PGHOST, as Servername).  pgjdbc cannot reach a Unix socket
# without a third-party socket factory, so JDBC goes over TCP to
# 127.0.0.1:$PGPORT (or $BI_JDBC_HOST): the cluster must listen there too,
#   LANG=C.UTF-8 scripts/throwaway-cluster.sh PG_CONFIG -o listen_addresses=127.0.0.1 -- test/bi/run.sh
# (throwaway-cluster.sh picks a port no TCP listener holds on 127.0.0.1).
# Without it, "bi jdbc ... FAILED" says so.
#
# Packages: libpostgresql-jdbc-java, a JDK (default-jdk-headless; java 11+
# runs Client.java from source), odbc-postgresql, unixodbc, unixodbc-dev
# and gcc; run as root, the script installs those missing.  The ODBC driver
# is registered in a private odbcinst.ini (ODBCSYSINI in a temporary
# directory): nothing global changes.
#
# Prints "bi jdbc ... ok" or "... FAILED", then "bi odbc ... ok" or
# "... FAILED", each followed by indented details; exits non-zero on failure.
# Environment: PG_CONFIG (its psql; else psql on PATH), BI_DB, KEEP_DB=1
# keeps the database.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "${PG_CONFIG:-}" ]; then
	PSQL="$("$PG_CONFIG" --bindir)/psql"
else
	PSQL=psql
fi
DB=${BI_DB:-mpn_bi_test}
SCHEMA=partner
JDBC_JAR=/usr/share/java/postgresql.jar
JDBC_HOST=${BI_JDBC_HOST:-127.0.0.1}
: "${PGHOST:?PGHOST must name the server (a socket directory)}" "${PGPORT:=5432}" "${PGUSER:=$(id -un)}"

work=$(mktemp -d)
cleanup() {
	rm -rf "$work"
	if [ "${KEEP_DB:-0}" != 1 ]; then
		"$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1
	fi
}
trap cleanup EXIT

failures=0
# verdict NAME STATUS DETAILS_FILE: the one line, then the details indented
verdict() {
	if [ "$2" -eq 0 ]; then
		echo "bi $1 ... ok"
	else
		echo "bi $1 ... FAILED"
		failures=$((failures + 1))
	fi
	sed 's/^/  /' "$3"
}
# both clients fail for the same reason (setup): one line each all the same
fail_both() {
	printf '%s\n' "$@" >"$work/why"
	verdict jdbc 1 "$work/why"
	verdict odbc 1 "$work/why"
	exit 1
}

# --- packages
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
have_jdk() { command -v java >/dev/null && java --list-modules 2>/dev/null | grep -q '^jdk\.compiler@'; }
missing=()
for p in libpostgresql-jdbc-java odbc-postgresql unixodbc unixodbc-dev; do
	have_pkg "$p" || missing+=("$p")
done
have_jdk || missing+=(default-jdk-headless)
command -v gcc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		fail_both "missing packages: ${missing[*]}; run as root or scripts/install.sh --packages-only"
	fi
	export DEBIAN_FRONTEND=noninteractive
	unknown=0
	for p in "${missing[@]}"; do
		apt-cache show "$p" >/dev/null 2>&1 || unknown=1
	done
	[ "$unknown" -eq 1 ] && apt-get update -qq
	if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$work/apt.log" 2>&1; then
		fail_both "apt-get install ${missing[*]} failed:" "$(tail -n 5 "$work/apt.log")"
	fi
fi

# --- the ledger
if ! PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
	-c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\"" >"$work/setup.log" 2>&1 ||
	! PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" >>"$work/setup.log" 2>&1 <<-SQL
	CREATE EXTENSION mpn_benefits;
	SELECT mpn.create_ledger('$SCHEMA');
	SELECT mpn.fill_ledger('$SCHEMA', 30, 1, '2025-06-15');
	SQL
then
	fail_both "setup (database $DB, extension, ledger $SCHEMA) failed:" "$(head -n 5 "$work/setup.log")"
fi

# --- JDBC, over TCP
start=$SECONDS
# the same server on both ways in? (its system identifier, unique to initdb)
sysid='SELECT system_identifier FROM pg_control_system()'
via_socket=$("$PSQL" -X -At -d "$DB" -c "$sysid" 2>&1)
if ! via_tcp=$("$PSQL" -X -At -h "$JDBC_HOST" -p "$PGPORT" -d "$DB" -c "$sysid" 2>"$work/tcp.log"); then
	{
		echo "FAIL: the server does not answer on $JDBC_HOST:$PGPORT, and pgjdbc needs TCP:"
		echo "  $(head -n 1 "$work/tcp.log")"
		echo "start the cluster with -o listen_addresses=127.0.0.1 (scripts/throwaway-cluster.sh)"
	} >"$work/jdbc.out"
	status=1
elif [ "$via_tcp" != "$via_socket" ]; then
	echo "FAIL: $JDBC_HOST:$PGPORT is another server than the one at $PGHOST (system identifier $via_tcp, not $via_socket)" >"$work/jdbc.out"
	status=1
else
	java -cp "$JDBC_JAR" "$here/Client.java" \
		"jdbc:postgresql://$JDBC_HOST:$PGPORT/$DB" "$PGUSER" "$SCHEMA" >"$work/jdbc.out" 2>&1
	status=$?
	echo "($((SECONDS - start))s)" >>"$work/jdbc.out"
fi
verdict jdbc "$status" "$work/jdbc.out"

# --- ODBC, over the Unix socket, psqlODBC registered privately
start=$SECONDS
driver=$(dpkg -L odbc-postgresql 2>/dev/null | grep -m 1 '/psqlodbcw\.so$')
mkdir -p "$work/odbc"
cat >"$work/odbc/odbcinst.ini" <<-INI
	[mpn_bi_psqlodbc]
	Description = PostgreSQL ODBC driver (Unicode), for test/bi
	Driver = $driver
INI
: >"$work/odbc/odbc.ini"
if [ -z "$driver" ]; then
	echo "FAIL: psqlodbcw.so not found in package odbc-postgresql" >"$work/odbc.out"
	status=1
elif ! gcc -std=gnu99 -Wall -Werror -o "$work/client" "$here/client.c" -lodbc >"$work/odbc.out" 2>&1; then
	sed -i '1i FAIL: client.c does not build:' "$work/odbc.out"
	status=1
else
	ODBCSYSINI="$work/odbc" ODBCINI="$work/odbc/odbc.ini" HOME="$work/odbc" "$work/client" \
		"Driver={mpn_bi_psqlodbc};Servername=$PGHOST;Port=$PGPORT;Database=$DB;Username=$PGUSER;" \
		"$SCHEMA" >"$work/odbc.out" 2>&1
	status=$?
	echo "($((SECONDS - start))s)" >>"$work/odbc.out"
fi
verdict odbc "$status" "$work/odbc.out"

[ "$failures" -eq 0 ]
