#!/usr/bin/env bash
# Every test of mpn_benefits: build and install (scripts/install.sh), the
# pg_regress suites and isolation specs on a throwaway PostgreSQL 15
# cluster (pg_virtualenv), the pgbench load test on another, then the
# libFuzzer harnesses.  Ends with the
# line "N passed, N failed" and exits non-zero when anything failed.
#
# Usage: scripts/run-tests.sh   (as root on a fresh Debian 12 machine, or as
#        a user who has the packages and may run sudo make install)
set -uo pipefail
cd "$(dirname "$0")/.."

# The throwaway clusters take their encoding from the locale: make it UTF-8
# whatever the caller's environment (glibc always has C.UTF-8), as the
# suites use non-ASCII input and an ICU collation.
export LANG=C.UTF-8 LC_ALL=C.UTF-8

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

scripts/install.sh || { echo "0 passed, 1 failed"; exit 1; }

echo "== pg_regress suites and isolation specs on a throwaway cluster"
rm -rf results output_iso regression.diffs regression.out
# -k: a failing regress suite must not hide the isolation results
PGISOLATIONTIMEOUT=${PGISOLATIONTIMEOUT:-60} \
	pg_virtualenv -t -v 15 make -k installcheck-regress installcheck-isolation PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config \
	2>&1 | tee -a "$log" || status=1
for diffs in regression.diffs output_iso/regression.diffs; do
	if [ -s "$diffs" ]; then
		echo "== $diffs"
		head -n 200 "$diffs"
	fi
done

echo "== load test: pgbench races on the triggers at every isolation level"
pg_virtualenv -t -v 15 test/load/run.sh 2>&1 | tee -a "$log" || status=1

echo "== fuzzing the plain-C parsers"
test/fuzz/run.sh 2>&1 | tee -a "$log" || status=1

# pg_regress 15 prints "test x ... ok"; 16 and later print TAP "ok 1 - x"
passed=$(grep -cE '\.\.\. +ok|^ok [0-9]+ ' "$log")
failed=$(grep -cE '\.\.\. +FAILED|^not ok [0-9]+ ' "$log")
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
