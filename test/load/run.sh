#!/usr/bin/env bash
# Load test of the integrity triggers under many concurrent writers:
# pgbench clients race to redeem the same product keys (mpn.redeem_once),
# to give the same users offers that can't be combined (mpn.exclusive_offer)
# and to pass the same subscriptions on (mpn.reassign_after), at READ
# COMMITTED, REPEATABLE READ and SERIALIZABLE; afterwards SQL checks the
# invariants: no key redeemed twice, no redemption lost; no user holding
# the exclusive offer with another, no granted offer lost; no subscription
# changed hands twice within 90 days, no change of hands lost.
#
# Runs inside an existing cluster reached through the usual PG* variables
# (as set by pg_virtualenv, say); it starts no server.  It needs the
# extension installed and the right to create a database, which it creates
# (mpn_load_test, or $LOAD_DB) and drops at the end.
#
# Usage: test/load/run.sh
#   pg_virtualenv -t -v 15 test/load/run.sh        (a throwaway cluster)
# Environment: CLIENTS (8), TX (500 transactions per client for
#   redeem_once, half that for the others), LOAD_DB, PG_CONFIG, KEEP_DB=1
#   keeps the database.
#
# Prints one line per test and level, "load <trigger> <level> ... ok" or
# "... FAILED", each followed by a stats line; exits non-zero on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$("$PG_CONFIG" --bindir) || { echo "load: pg_config not found" >&2; exit 2; }
PSQL="$bindir/psql"
PGBENCH="$bindir/pgbench"
CLIENTS=${CLIENTS:-8}
TX=${TX:-500}
DB=${LOAD_DB:-mpn_load_test}
NKEYS=$((CLIENTS * TX / 2))     # every key is aimed at twice on average
NSUBS=$((CLIENTS * TX / 8))     # every subscription four times on average

work=$(mktemp -d)
cleanup() {
	rm -rf "$work"
	if [ "${KEEP_DB:-0}" != 1 ]; then
		"$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1
	fi
}
trap cleanup EXIT

q() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

if ! PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
	-c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\"" ||
	! q -c 'CREATE EXTENSION mpn_benefits'; then
	echo "load setup ... FAILED"
	exit 2
fi

failures=0

# A deadlock (two clashing offers both in the index before either trigger
# looks) costs deadlock_timeout before pgbench can retry; shorten it when
# we may (it is a superuser setting).
fast_deadlocks=
if [ "$(q -At -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t ]; then
	fast_deadlocks="-c deadlock_timeout=50ms"
fi

deadlocks() { q -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"; }

# run_level TRIGGER LEVEL SETUP_SQL PGBENCH_SCRIPT CHECK_SQL TX PSQL_VARS...
run_level() {
	local trigger=$1 level=$2 setup=$3 script=$4 check=$5 tx=$6
	shift 6
	local expected=$((CLIENTS * tx)) result status verdict stats problems
	local start=$SECONDS deadlocks_before

	if ! q "$@" -f "$setup" >"$work/setup.log" 2>&1; then
		echo "load $trigger $level ... FAILED"
		echo "  setup failed: $(head -n 5 "$work/setup.log")"
		failures=$((failures + 1))
		return
	fi
	deadlocks_before=$(deadlocks)
	# 40001 and 40P01 are retried by pgbench (a retry then meets the
	# trigger's class-23 refusal); any other error aborts the client
	PGOPTIONS="${PGOPTIONS:-} $fast_deadlocks -c default_transaction_isolation=${level//_/\\ }" \
		"$PGBENCH" -n -d "$DB" -c "$CLIENTS" -j 2 -t "$tx" --max-tries=1000 \
		-f "$script" >"$work/pgbench.log" 2>"$work/pgbench.err"
	status=$?
	result=$(q -At "$@" -v expected="$expected" -v level="${level//_/ }" -f "$check" 2>&1)
	verdict=${result%%|*}
	stats=$(echo "$result" | cut -d'|' -f2)
	problems=$(echo "$result" | cut -s -d'|' -f3)
	local retried failed
	retried=$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$work/pgbench.log")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.log")
	if [ "$status" -ne 0 ]; then
		verdict=FAILED
		problems="${problems:+$problems, }pgbench exited with $status: $(grep -m 3 -iE 'error|abort' "$work/pgbench.err" | tr '\n' ' ')"
	elif [ "${failed:-x}" != 0 ]; then
		verdict=FAILED
		problems="${problems:+$problems, }pgbench reports ${failed:-?} failed transactions"
	fi
	if [ "$verdict" = ok ]; then
		echo "load $trigger $level ... ok"
	else
		echo "load $trigger $level ... FAILED"
		verdict=FAILED
		failures=$((failures + 1))
	fi
	sleep 0.5	# let the clients' statistics arrive
	echo "  $stats retried_tx=${retried:-?} deadlocks=$(($(deadlocks) - deadlocks_before)) (${CLIENTS}x$tx tx, $((SECONDS - start))s)"
	[ -n "$problems" ] && echo "  $problems"
	[ "$verdict" = FAILED ] && cat "$work/pgbench.err" "$work/pgbench.log" | tail -n 20 | sed 's/^/  | /'
	return 0
}

for level in read_committed repeatable_read serializable; do
	run_level redeem_once "$level" "$here/redeem_once_setup.sql" \
		"$here/redeem_once.pgbench" "$here/redeem_once_check.sql" "$TX" \
		-v nkeys="$NKEYS" -v window=8 -v per_window=16
done
for level in read_committed repeatable_read serializable; do
	run_level exclusive_offer "$level" "$here/exclusive_offer_setup.sql" \
		"$here/exclusive_offer.pgbench" "$here/exclusive_offer_check.sql" "$((TX / 2))" \
		-v nusers="$NSUBS" -v window=4 -v per_window=16
done
for level in read_committed repeatable_read serializable; do
	run_level reassign_after "$level" "$here/reassign_after_setup.sql" \
		"$here/reassign_after.pgbench" "$here/reassign_after_check.sql" "$((TX / 2))" \
		-v nsubs="$NSUBS" -v window=4 -v per_window=16
done

[ "$failures" -eq 0 ]
