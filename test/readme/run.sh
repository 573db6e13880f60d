#!/usr/bin/env bash
# The README's SQL examples, run as they stand: every ```sql block, in the
# order of the README, in one psql session on a new database, and each
# statement's output compared with what the README shows under it.
#
# The README's convention: the output a statement gives is written right
# under it as comment lines ("-- " and psql's own text: a result table
# without its row count, or ERROR:/DETAIL:/HINT: lines), with no blank line
# between.  A statement with no such lines must run without an error.
# Comments after a blank line are explanations.
#
# Runs inside an existing cluster reached through the usual PG* variables
# (scripts/throwaway-cluster.sh ... -- test/readme/run.sh), with the
# extension installed; creates and drops the database mpn_readme.
# Prints "readme examples ... ok" or "... FAILED" with the differences.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
readme=${README:-$here/../../README.md}
db=mpn_readme
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

# script.sql: the statements, each after a marker line; expected/N: what
# the README shows under statement N (absent when it shows nothing)
mkdir -p "$work/expected"
awk -v dir="$work/expected" -v script="$work/script.sql" '
	BEGIN {
		print "\\set VERBOSITY default" > script
		print "\\set SHOW_CONTEXT never" > script
		print "\\pset footer off" > script
		n = 0; in_stmt = 0; after = 0; dollar = 0
	}
	/^```sql[[:space:]]*$/ { block = 1; next }
	/^```/ { block = 0; after = 0; next }
	!block { next }
	{
		line = $0
		# output lines right under a statement
		if (after && line ~ /^-- ?/) {
			out = line; sub(/^-- ?/, "", out)
			print out > (dir "/" n)
			next
		}
		after = 0
		if (!in_stmt) {
			if (line ~ /^[[:space:]]*$/ || line ~ /^[[:space:]]*--/) next
			n++; in_stmt = 1
			printf "\\echo @@@ %d\n", n > script
		}
		print line > script
		# dollar quotes toggle; a statement ends at a ";" outside them,
		# perhaps with a comment after it
		tmp = line; c = gsub(/\$\$/, "", tmp); if (c % 2 == 1) dollar = !dollar
		code = line; sub(/[[:space:]]*--.*$/, "", code)
		if (!dollar && code ~ /;[[:space:]]*$/) { in_stmt = 0; after = 1 }
	}
	END { printf "\\echo @@@ end\n", n > script; print n > (dir "/count") }
' "$readme"

if ! PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null; then
	echo "readme examples ... FAILED"
	echo "  could not create database $db"
	exit 1
fi
psql -X -q -d "$db" <"$work/script.sql" >"$work/actual.txt" 2>&1

# split the actual output at the markers, and compare
mkdir -p "$work/actual"
awk -v dir="$work/actual" '
	/^@@@ / { n = $2; printf "" > (dir "/" n); next }
	n != "" { sub(/[[:space:]]+$/, ""); if ($0 != "") print > (dir "/" n) }
' "$work/actual.txt"

failures=0
count=$(cat "$work/expected/count")
for ((i = 1; i <= count; i++)); do
	stmt=$(awk -v n="$i" '/^\\echo @@@ /{cur=$3; next} cur==n' "$work/script.sql" | head -n 3)
	if [ -f "$work/expected/$i" ]; then
		sed 's/[[:space:]]*$//' "$work/expected/$i" | grep -v '^$' >"$work/want"
		if ! diff -u "$work/want" "$work/actual/$i" >"$work/diff" 2>&1; then
			failures=$((failures + 1))
			echo "  statement $i shows other output than the README:"
			echo "$stmt" | sed 's/^/  | /'
			sed 's/^/  /' "$work/diff" | tail -n +3
		fi
	elif grep -q -E '^(ERROR|FATAL|PANIC|WARNING):' "$work/actual/$i" 2>/dev/null; then
		failures=$((failures + 1))
		echo "  statement $i fails, and the README shows no error:"
		echo "$stmt" | sed 's/^/  | /'
		sed 's/^/  /' "$work/actual/$i"
	fi
done

if [ "$failures" -eq 0 ] && [ "$count" -gt 0 ]; then
	echo "readme examples ... ok"
	echo "  $count statements from $(grep -cE '^```sql[[:space:]]*$' "$readme") blocks of $(basename "$readme")"
	exit 0
fi
echo "readme examples ... FAILED"
echo "  $failures of $count statements differ from the README"
exit 1
