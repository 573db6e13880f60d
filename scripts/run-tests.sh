#!/usr/bin/env bash
# Every test of mpn_benefits, against one PostgreSQL server or all of them.
#
# Usage: scripts/run-tests.sh [--pg-config PATH | --all] [--no-fuzz]
#
#   (no option)        Debian 12's PostgreSQL 15 (/usr/lib/postgresql/15)
#   --pg-config PATH   the server whose pg_config this is, any major from 15
#                      on, a Debian package or a build of your own
#   --all              what CI runs: Debian's 15; the Debian package built
#                      from debian/ (dpkg-buildpackage), installed, and its
#                      autopkgtest; then every other major 16-19 whose source
#                      Debian's archive serves, built once into a cache
#                      (scripts/build-postgres.sh); a major that cannot be
#                      downloaded is reported as skipped and fails nothing
#   --no-fuzz          leave out the libFuzzer harnesses
#
# For each server: build with warnings as errors and install into it
# (scripts/install.sh), then on a throwaway cluster of that server's own
# (scripts/throwaway-cluster.sh): the pg_regress suites and isolation specs,
# the README's SQL examples (test/readme/run.sh), the BI clients through
# JDBC and ODBC (test/bi/run.sh), the pgbench load test,
# and a look at the server log for crashes.  The
# fuzzers, which test plain C, run once.
#
# Run as root on a fresh Debian 12 machine (packages are installed), or as a
# user who has the packages and may run sudo make install.  Ends with the
# line "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)

mode=one PG_CONFIG_ARG=/usr/lib/postgresql/15/bin/pg_config FUZZ=1
while [ $# -gt 0 ]; do
	case "$1" in
		--pg-config) PG_CONFIG_ARG=$2; shift 2 ;;
		--all) mode=all; shift ;;
		--no-fuzz) FUZZ=0; shift ;;
		-h | --help) sed -n '2,/^set -uo/{/^#/p}' "$0"; exit 0 ;;
		*) echo "run-tests.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

# The throwaway clusters take their encoding from the locale: make it UTF-8
# whatever the caller's environment (glibc always has C.UTF-8), as the
# suites use non-ASCII input and an ICU collation.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export PGISOLATIONTIMEOUT=${PGISOLATIONTIMEOUT:-60}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
skipped=()

# One line per check, in the form the closing count reads
report() {							# report NAME ok|FAILED
	echo "$1 ... $2" | tee -a "$log"
	[ "$2" = ok ] || status=1
}

# The packages every mode needs (Debian's 15, compilers, the fuzzers' runtime)
scripts/install.sh --packages-only || { echo "0 passed, 1 failed"; exit 1; }

# The suites of one server: pg_regress and isolation, then the load test.
# Run inside a throwaway cluster; output goes to the log.
suites() {							# suites PG_CONFIG LABEL
	local pgc=$1 label=$2 rc=0
	echo "== $label: pg_regress suites and isolation specs"
	rm -rf results output_iso regression.diffs regression.out
	# -k: a failing regress suite must not hide the isolation results
	scripts/throwaway-cluster.sh "$pgc" -- \
		make -k installcheck-regress installcheck-isolation PG_CONFIG="$pgc" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	for diffs in regression.diffs output_iso/regression.diffs; do
		if [ -s "$diffs" ]; then
			echo "== $label: $diffs"
			head -n 300 "$diffs"
		fi
	done
	echo "== $label: the README's SQL examples, as they stand"
	scripts/throwaway-cluster.sh "$pgc" -- test/readme/run.sh 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	echo "== $label: BI clients: the ledger through JDBC and ODBC metadata calls"
	scripts/throwaway-cluster.sh "$pgc" -o listen_addresses=127.0.0.1 -- test/bi/run.sh 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	echo "== $label: load test, pgbench races on the triggers at every isolation level"
	scripts/throwaway-cluster.sh "$pgc" -- env PG_CONFIG="$pgc" test/load/run.sh 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	return $rc
}

# Build, install and test against one server
test_server() {						# test_server PG_CONFIG
	local pgc=$1 label
	label="PostgreSQL $("$pgc" --version | sed 's/^PostgreSQL //')"
	echo "== $label ($pgc)"
	if ! PG_CONFIG=$pgc scripts/install.sh --build-only 2>&1 | tee -a "$log.build"; then
		report "build $label (make WERROR=1, install)" FAILED
		return
	fi
	report "build $label (make WERROR=1, install)" ok
	suites "$pgc" "$label" || status=1
}

# The Debian package: build it from a copy of the tree (dpkg-buildpackage
# writes next to the source), install it, run its autopkgtest's suites on
# what the package installed, and remove it again.
test_package() {
	local work deb
	work=$(mktemp -d /tmp/mpn-deb.XXXXXX)
	# the build-time tests run a server as another user, which reads the staged files
	chmod 755 "$work"
	echo "== Debian package: dpkg-buildpackage -b -us -uc in $work"
	mkdir "$work/src"
	tar -C "$root" --exclude=./.git --exclude=./results --exclude=./output_iso \
		--exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=./test/fuzz/build -cf - . |
		tar -xf - -C "$work/src"
	if ! (cd "$work/src" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
		tail -n 40 "$work/build.log"
		report "package build (dpkg-buildpackage)" FAILED
		rm -rf "$work"
		return
	fi
	report "package build (dpkg-buildpackage)" ok
	if lintian --fail-on error,warning "$work"/*.changes >"$work/lintian.log" 2>&1; then
		report "package lintian" ok
	else
		cat "$work/lintian.log"
		report "package lintian" FAILED
	fi
	for deb in "$work"/postgresql-*-mpn-benefits_*.deb; do
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$work/install.log" 2>&1; then
			cat "$work/install.log"
			report "package install $(basename "$deb")" FAILED
			continue
		fi
		report "package install $(basename "$deb")" ok
	done
	echo "== Debian package: the autopkgtest (debian/tests/installcheck) on the installed package"
	rm -rf results output_iso regression.diffs regression.out
	(cd "$work/src" && debian/tests/installcheck) 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
	DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq 'postgresql-*-mpn-benefits' >/dev/null 2>&1
	rm -rf "$work"
	# removing the package removed the files it had written over the
	# source build's: install that again, as the machine was before
	PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config scripts/install.sh --build-only >/dev/null 2>&1 ||
		report "reinstall after the package test" FAILED
}

case $mode in
	one)
		test_server "$PG_CONFIG_ARG"
		;;
	all)
		test_server /usr/lib/postgresql/15/bin/pg_config
		test_package
		for major in 16 17 18 19; do
			[ -x "/usr/lib/postgresql/$major/bin/pg_config" ] && { test_server "/usr/lib/postgresql/$major/bin/pg_config"; continue; }
			echo "== PostgreSQL $major: from Debian's source packages (scripts/build-postgres.sh)"
			pgc=$(scripts/build-postgres.sh "$major" | tail -n 1)
			rc=${PIPESTATUS[0]}
			case $rc in
				0) test_server "$pgc" ;;
				3) echo "PostgreSQL $major ... skipped (Debian's archive serves no source of it)"; skipped+=("$major") ;;
				*) report "build PostgreSQL $major from source" FAILED ;;
			esac
		done
		;;
esac

# the Citus suite needs a running cluster (MPN_CITUS_CONNINFO); else one
# line says it was skipped
test/citus/run.sh 2>&1 | tee -a "$log" || status=1

if [ "$FUZZ" = 1 ]; then
	echo "== fuzzing the plain-C parsers"
	test/fuzz/run.sh 2>&1 | tee -a "$log" || status=1
fi

# pg_regress 15 prints "test x ... ok"; 16 and later print TAP "ok 1 - x"
passed=$(grep -cE '\.\.\. +ok|^ok [0-9]+ ' "$log")
failed=$(grep -cE '\.\.\. +FAILED|^not ok [0-9]+ ' "$log")
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
[ ${#skipped[@]} -gt 0 ] && echo "skipped majors (no source to be had): ${skipped[*]}"
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
exit $status
