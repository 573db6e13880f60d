#!/usr/bin/env bash
# Every test of mpn_benefits, against one PostgreSQL server or all of them.
#
# Usage: scripts/run-tests.sh [--pg-config PATH | --all] [--no-fuzz]
#        scripts/run-tests.sh [--valgrind] [--discard-caches]
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
# Two tiers for the C code, not part of --all (too slow for CI), to run
# before calling a C change done; each alone, or both in one run:
#   --valgrind         PostgreSQL 15 built with assertions and -DUSE_VALGRIND
#                      (scripts/build-postgres.sh --valgrind 15, once, into
#                      its cache), the extension built and installed into
#                      it, then the pg_regress suites and isolation specs on
#                      a throwaway cluster whose postmaster runs under
#                      valgrind's memcheck with PostgreSQL's suppressions, as
#                      the buildfarm's skink runs it.  Every valgrind error
#                      whose stack names the extension's code fails, and is
#                      printed with the session that hit it; errors only in
#                      PostgreSQL or its libraries are listed, and fail
#                      nothing.  About 11 minutes on 2 cores, 65 times
#                      the suites without valgrind (the build 4 minutes,
#                      once).
#   --discard-caches   on the same build, without valgrind: the trigger
#                      suites (or $MPN_DISCARD_SUITES) with
#                      debug_discard_caches = 1, which drops every relcache
#                      and syscache entry at each chance, so one used after
#                      an invalidation shows; MPN_DISCARD_VALGRIND=1 runs
#                      them under memcheck too, to see where.
#
# For each server: build with warnings as errors and install into it
# (scripts/install.sh), then on a throwaway cluster of that server's own
# (scripts/throwaway-cluster.sh): the pg_regress suites and isolation specs,
# the README's SQL examples (test/readme/run.sh), the BI clients through
# JDBC and ODBC (test/bi/run.sh), the pgbench load test,
# and a look at the server log for crashes.  Then, between two servers,
# each on clusters of its own: pg_upgrade of a cluster that uses the
# extension, in copy and --link mode (test/pg_upgrade/run.sh), and logical
# replication of guarded tables (test/replication/run.sh): the server
# tested to itself (15 -> 15 by default); with --all also pg_upgrade
# 17 -> 18 and replication 15 -> 18, when those majors were built.  The
# sweep of notices scheduled by pg_cron (test/cron/run.sh), on a cluster of
# its own, for Debian's 15 (postgresql-15-cron; one line says it was
# skipped when that is not installed) and for any other major tested that
# has pg_cron.  The fuzzers, which test plain C, run once.
#
# Run as root on a fresh Debian 12 machine (packages are installed), or as a
# user who has the packages and may run sudo make install.  Ends with the
# line "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)

mode=one PG_CONFIG_ARG=/usr/lib/postgresql/15/bin/pg_config FUZZ=1
VALGRIND=0 DISCARD=0 server_chosen=0
while [ $# -gt 0 ]; do
	case "$1" in
		--pg-config) PG_CONFIG_ARG=$2; server_chosen=1; shift 2 ;;
		--all) mode=all; server_chosen=1; shift ;;
		--no-fuzz) FUZZ=0; shift ;;
		--valgrind) VALGRIND=1; shift ;;
		--discard-caches) DISCARD=1; shift ;;
		-h | --help) sed -n '2,/^set -uo/{/^#/p}' "$0"; exit 0 ;;
		*) echo "run-tests.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ "$VALGRIND" = 1 ] || [ "$DISCARD" = 1 ]; then
	# the tiers have a server of their own: run them on their own
	if [ "$server_chosen" = 1 ]; then
		echo "run-tests.sh: --valgrind and --discard-caches use their own build of 15; run them without --all or --pg-config" >&2
		exit 2
	fi
	mode=cassert
fi

# The throwaway clusters take their encoding from the locale: make it UTF-8
# whatever the caller's environment (glibc always has C.UTF-8), as the
# suites use non-ASCII input and an ICU collation.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# under valgrind a step runs 20 to 50 times slower: the caller's value, or 600
vg_isolation_timeout=${PGISOLATIONTIMEOUT:-600}
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
		return 1
	fi
	report "build $label (make WERROR=1, install)" ok
	suites "$pgc" "$label" || status=1
	return 0
}

# A test between two servers that have the extension installed (FROM and
# TO may be the same): test/pg_upgrade/run.sh or test/replication/run.sh.
# Each makes its own clusters and prints "... ok"/"... FAILED" lines, which
# the closing count reads, and its own "N passed, N failed" (not counted).
# A script not in the tree (yet) is reported as skipped and fails nothing.
between_servers() {					# between_servers SCRIPT NAME FROM_PG_CONFIG TO_PG_CONFIG
	local script=$1 name=$2 from=$3 to=$4 pair
	pair="$(major_of "$from")->$(major_of "$to")"
	if [ ! -f "$script" ]; then
		echo "$name $pair ... skipped ($script is not in the tree)"
		return
	fi
	echo "== $name $pair: $script $from $to"
	bash "$script" "$from" "$to" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}
major_of() { "$1" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'; }
# pg_upgrade and logical replication from one server to another
upgrade_and_replication() {			# upgrade_and_replication FROM TO
	between_servers test/pg_upgrade/run.sh pg_upgrade "$1" "$2"
	between_servers test/replication/run.sh replication "$1" "$2"
}

# The sweep of notices scheduled by pg_cron, on a cluster of its own
# (test/cron/run.sh): its "... ok"/"... FAILED" lines are counted; without
# pg_cron for that server it prints one line "cron ... skipped (...)".
cron_test() {						# cron_test PG_CONFIG
	echo "== pg_cron on PostgreSQL $(major_of "$1"): test/cron/run.sh $1 (1 to 2 minutes)"
	bash test/cron/run.sh "$1" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}
has_pg_cron() { [ -f "$("$1" --pkglibdir)/pg_cron.so" ]; }

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

# The assert-enabled PostgreSQL 15 built for valgrind (also used without
# it, for --discard-caches), and the extension built and installed into it.
# Sets cassert_pgc, once for both tiers; fails when either build failed.
cassert_pgc=''
cassert_server() {
	local pgc label
	[ -n "$cassert_pgc" ] && return 0
	# valgrind's headers are needed to build the server, valgrind to run it
	if ! command -v valgrind >/dev/null; then
		if [ "$(id -u)" -ne 0 ] || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null; then
			report "valgrind installed (apt-get install valgrind)" FAILED
			return 1
		fi
	fi
	echo "== PostgreSQL 15 with assertions and -DUSE_VALGRIND (scripts/build-postgres.sh --valgrind 15; the first time about 4 minutes)"
	pgc=$(scripts/build-postgres.sh --valgrind 15 | tail -n 1)
	if [ $? -ne 0 ]; then
		report "build PostgreSQL 15 with assertions and USE_VALGRIND" FAILED
		return 1
	fi
	label="PostgreSQL $("$pgc" --version | sed 's/^PostgreSQL //') (cassert, USE_VALGRIND)"
	echo "== $label ($pgc)"
	if ! PG_CONFIG=$pgc scripts/install.sh --build-only 2>&1 | tee -a "$log.build"; then
		report "build $label (make WERROR=1, install)" FAILED
		return 1
	fi
	report "build $label (make WERROR=1, install)" ok
	cassert_pgc=$pgc
}

# Read the valgrind logs of a run (one per process, in VGDIR) into
# VGDIR/errors.txt, and the counts "ours distinct others distinct" into
# VGDIR/counts.
read_valgrind_logs() {				# read_valgrind_logs VGDIR CACHEDIR
	local vgdir=$1 cachedir=$2
	# Each error between the markers, its addresses blanked so that the
	# same error in many backends is counted once, listed with its count
	# and the sessions that hit it.  It is the extension's when a frame,
	# or where the memory was allocated, freed or made, lies in the tree
	# built here (or names mpn_benefits.so, when a frame has no line).
	# (valgrind begins each line with ==PID==: the logs are read as one)
	find "$vgdir" -name '[0-9]*.log' -size +0 -exec cat {} + | awk \
		-v tree="$root/" -v pgsrc="$cachedir/src/" -v cache="$cachedir/" \
		-v serverlog="$vgdir/server.log" -v summary="$vgdir/counts" '
		function session(p,   cmd, line, name) {
			name = ""
			cmd = "grep -m 1 -F \"[" p "] \" " serverlog " 2>/dev/null"
			if ((cmd | getline line) > 0) {
				sub(/^[^]]*\] /, "", line)
				sub(/ .*/, "", line)
				name = line
			}
			close(cmd)
			return name == "" ? p : p " (" name ")"
		}
		/VALGRINDERROR-BEGIN/ {
			inside = 1; block = ""
			pid = $1; gsub(/=/, "", pid)
			next
		}
		/VALGRINDERROR-END/ {
			if (!inside) next
			inside = 0
			ours = index(block, tree "src/") > 0 || index(block, "mpn_benefits") > 0
			gsub(tree, "", block); gsub(pgsrc, "", block); gsub(cache, "", block)
			key = block
			gsub(/0x[0-9A-Fa-f]+/, "0x", key)
			if (!(key in count)) { n++; order[n] = key; text[key] = block; mine[key] = ours; who[key] = ""; procs[key] = 0 }
			count[key]++
			if (!((key, pid) in seen)) {
				seen[key, pid] = 1
				if (++procs[key] <= 5) who[key] = who[key] " " session(pid)
			}
			next
		}
		inside { sub(/^==[0-9]+== ?/, ""); block = block "    " $0 "\n" }
		END {
			nours = 0; nothers = 0; dours = 0; dothers = 0
			for (pass = 1; pass >= 0; pass--) {
				for (i = 1; i <= n; i++) {
					k = order[i]
					if (mine[k] != pass) continue
					if (pass) { nours += count[k]; dours++ } else { nothers += count[k]; dothers++ }
					printf "-- %s: %d time(s), in %d process(es):%s%s\n", (pass ? "IN MPN_BENEFITS" : "elsewhere (for information)"),
						count[k], procs[k], who[k], (procs[k] > 5 ? " ..." : "")
					printf "%s", text[k]
				}
			}
			print nours, dours, nothers, dothers > summary
		}' >"$vgdir/errors.txt"
}

# Suites on a throwaway cluster of the assert-enabled build, the
# postmaster (and so every backend) under memcheck when VALGRIND is 1; then
# every valgrind log is read.  The valgrind options are skink's; besides:
# --quiet (a clean process leaves an empty log), --error-limit=no
# (valgrind would stop reporting after 1000), --num-callers=40 (the
# extension's frame may sit deep under an SPI or executor call) and
# --fullpath-after= (whole source paths, so that the extension's frames are
# told from PostgreSQL's by where they were compiled: with debug
# information valgrind names no .so).  Not --read-var-info=yes: valgrind
# 3.19 cannot read GCC 12's DWARF for it and fills every log with warnings,
# for variable names only.
cassert_suites() {					# cassert_suites LABEL VALGRIND [-o NAME=VALUE ...] -- MAKE_ARG ...
	local label=$1 valgrind=$2 dir cachedir rc=0 start logs ours ours_distinct others others_distinct
	local cluster_args=() wrapper=''
	shift 2
	while [ "$1" != -- ]; do cluster_args+=("$1"); shift; done
	shift
	cachedir=${cassert_pgc%/install/bin/pg_config}
	dir=$(mktemp -d /tmp/mpn-cassert.XXXXXX)
	# the server writes its valgrind logs here, as "postgres" when we are root
	chmod 1777 "$dir"
	if [ "$valgrind" = 1 ]; then
		wrapper="valgrind --quiet --tool=memcheck --trace-children=yes --track-origins=yes
			--read-inline-info=yes --leak-check=no --error-limit=no --num-callers=40
			--fullpath-after= --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END
			--suppressions=$cachedir/valgrind.supp --log-file=$dir/%p.log"
		cluster_args+=(--wrapper "$wrapper")
	fi
	echo "== $label (logs in $dir)"
	rm -rf results output_iso regression.diffs regression.out
	start=$SECONDS
	# the server log names each backend's session (pg_regress/SUITE,
	# isolation/SPEC/...) when it ends, and the statement of one that
	# crashed: keep it, the cluster goes
	scripts/throwaway-cluster.sh "$cassert_pgc" "${cluster_args[@]}" \
		-o "log_line_prefix=%m [%p] %a " -o log_disconnections=on -- \
		bash -c 'keep=$1; shift; make -k "$@"; rc=$?; cp "$PGHOST/server.log" "$keep"; exit $rc' - "$dir/server.log" \
		PG_CONFIG="$cassert_pgc" "$@" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	echo "== $label: took $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
	for diffs in regression.diffs output_iso/regression.diffs; do
		if [ -s "$diffs" ]; then
			echo "== $label: $diffs"
			head -n 300 "$diffs"
		fi
	done
	if grep -A 1 'terminated by signal\|was terminated by exception' "$dir/server.log" 2>/dev/null | grep 'Failed process was running'; then
		echo "== $label: a backend crashed (above: what it ran; the server log is $dir/server.log)"
	fi
	[ "$rc" -eq 0 ] || status=1
	if [ "$valgrind" = 0 ]; then
		[ "$rc" -eq 0 ] && rm -rf "$dir"
		return
	fi

	logs=$(find "$dir" -name '[0-9]*.log' | wc -l)
	if [ "$logs" -eq 0 ]; then
		report "valgrind memcheck ran (no log in $dir)" FAILED
		return
	fi
	read_valgrind_logs "$dir" "$cachedir"
	read -r ours ours_distinct others others_distinct <"$dir/counts" 2>/dev/null ||
		{ ours=0 ours_distinct=0 others=0 others_distinct=0; }
	if [ "$ours" -gt 0 ] || [ "$others" -gt 0 ]; then
		echo "== $label: the valgrind errors (kept in $dir/errors.txt, with every process's log)"
		cat "$dir/errors.txt"
	fi
	if [ "$ours" -eq 0 ]; then
		report "valgrind memcheck: no errors in mpn_benefits ($logs processes)" ok
	else
		report "valgrind memcheck: $ours error(s) in mpn_benefits, $ours_distinct distinct stacks ($logs processes)" FAILED
	fi
	echo "valgrind memcheck, for information: $others error(s) elsewhere (PostgreSQL, its libraries), $others_distinct distinct stacks"
	# keep the logs only when there is something to read in them
	[ "$ours" -eq 0 ] && [ "$others" -eq 0 ] && [ "$rc" -eq 0 ] && rm -rf "$dir"
}

# --valgrind: every suite and spec under memcheck
test_valgrind() {
	cassert_server || return
	PGISOLATIONTIMEOUT=$vg_isolation_timeout \
		cassert_suites "valgrind: every suite and spec, each backend under memcheck" 1 -- \
		installcheck-regress installcheck-isolation
}

# --discard-caches: the trigger suites with debug_discard_caches = 1 (the
# setting exists only in an assert-enabled build), in the suites' sessions
# only (PGOPTIONS, which pg_regress keeps): autovacuum under it is cost for
# nothing.  Under memcheck too with MPN_DISCARD_VALGRIND=1, which finds
# where a crash read a freed cache entry; that is slow (CREATE EXTENSION
# alone takes many minutes), so name the suite that crashed in
# MPN_DISCARD_SUITES, with the suites it needs.
test_discard_caches() {
	local suites
	cassert_server || return
	suites=${MPN_DISCARD_SUITES:-triggers_setup redeem_once reassign_after exclusive_offer partner_tenant_only triggers_safety}
	echo "== debug_discard_caches = 1 on: $suites"
	PGOPTIONS="${PGOPTIONS:-} -c debug_discard_caches=1" \
		cassert_suites "debug_discard_caches = 1" "${MPN_DISCARD_VALGRIND:-0}" -- \
		installcheck-regress REGRESS="$suites"
}

case $mode in
	cassert)
		[ "$VALGRIND" = 1 ] && test_valgrind
		[ "$DISCARD" = 1 ] && test_discard_caches
		;;
	one)
		test_server "$PG_CONFIG_ARG" && {
			upgrade_and_replication "$PG_CONFIG_ARG" "$PG_CONFIG_ARG"
			cron_test "$PG_CONFIG_ARG"
		}
		;;
	all)
		pgc15=/usr/lib/postgresql/15/bin/pg_config
		# 15 -> 15 while the source build is installed (the package test
		# below replaces it for a while)
		ok15=0
		test_server "$pgc15" && { ok15=1; upgrade_and_replication "$pgc15" "$pgc15"; cron_test "$pgc15"; }
		test_package
		declare -A built=()			# major -> pg_config, built and installed
		for major in 16 17 18 19; do
			if [ -x "/usr/lib/postgresql/$major/bin/pg_config" ]; then
				test_server "/usr/lib/postgresql/$major/bin/pg_config" && built[$major]=/usr/lib/postgresql/$major/bin/pg_config
				continue
			fi
			echo "== PostgreSQL $major: from Debian's source packages (scripts/build-postgres.sh)"
			pgc=$(scripts/build-postgres.sh "$major" | tail -n 1)
			rc=${PIPESTATUS[0]}
			case $rc in
				0) test_server "$pgc" && built[$major]=$pgc ;;
				3) echo "PostgreSQL $major ... skipped (Debian's archive serves no source of it)"; skipped+=("$major") ;;
				*) report "build PostgreSQL $major from source" FAILED ;;
			esac
		done
		# pg_cron where it is installed (Debian's postgresql-NN-cron for a
		# packaged major; a source build has none unless added by hand)
		for major in $(printf '%s\n' "${!built[@]}" | sort -n); do
			has_pg_cron "${built[$major]}" && cron_test "${built[$major]}"
		done
		# across majors: each needs both ends built and installed
		if [ -n "${built[17]:-}" ] && [ -n "${built[18]:-}" ]; then
			between_servers test/pg_upgrade/run.sh pg_upgrade "${built[17]}" "${built[18]}"
		else
			echo "pg_upgrade 17->18 ... skipped (17 and 18 were not both built)"
		fi
		if [ "$ok15" = 1 ] && [ -n "${built[18]:-}" ]; then
			between_servers test/replication/run.sh replication "$pgc15" "${built[18]}"
		else
			echo "replication 15->18 ... skipped (15 and 18 were not both built)"
		fi
		;;
esac

# the Citus suite needs a running cluster (MPN_CITUS_CONNINFO); else one
# line says it was skipped.  The C tiers run nothing else.
[ "$mode" != cassert ] && { test/citus/run.sh 2>&1 | tee -a "$log" || status=1; }

if [ "$FUZZ" = 1 ] && [ "$mode" != cassert ]; then
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
