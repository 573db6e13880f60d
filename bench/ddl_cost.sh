#!/usr/bin/env bash
# The price of the extension's event triggers for unrelated DDL (issue 15):
# DDL on tables that carry no mpn trigger, in a database without the
# extension and in databases with 10 and with 1,000 tables that carry one
# ("guarded tables"), in one throwaway cluster.
#
# Usage: bash bench/ddl_cost.sh [--statements N] [--chunk S] [--runs R] [--sessions K]
#                               [--callgrind C] [--quick] [--ext-from DIR] [--label TEXT]
#                               [--baseline FILE] [--results FILE] [--raw DIR]
#   --statements N  timed statements per workload and database (default 2000)
#   --chunk S       statements sent in one session; the databases' sessions alternate (default 200)
#   --runs R        timed rounds after one warm-up round (default 5)
#   --sessions K    fresh sessions per database for the first statement of a session (default 7)
#   --callgrind C   statements per workload and database counted in instructions, on a second
#                   cluster whose server runs under valgrind --tool=callgrind (default 50; 0: none)
#   --quick         500 statements in sessions of 100, 3 runs, 5 sessions, 20 under callgrind:
#                   a smoke test (< 2 min)
#   --ext-from DIR  load the extension from DIR, laid out as `make install DESTDIR=DIR` lays it
#                   out (DIR/usr/lib/postgresql/15/lib/mpn_benefits.so, DIR/usr/share/...),
#                   instead of a snapshot of the files installed in the server now
#   --label TEXT    what the build under test is, for the results (default: version and .so md5)
#   --baseline FILE add the tables of an earlier results file (another build) for comparison
#   --results FILE  where to write the markdown (default bench/ddl-results.md)
#   --raw DIR       also keep every measurement there: runs.tsv and first.tsv (database,
#                   workload, round or session, session, wall ms, CPU ms), instructions.tsv
#                   (database, workload, statement, instructions), and the callgrind dumps
#                   of every session but evt_noop's (callgrind/) for callgrind_annotate
#
# It measures the extension as installed (scripts/install.sh installs the
# working tree): it builds nothing.  The files are copied first and the
# clusters load the copy (Debian's extension_destdir), so a build installed
# while the benchmark runs cannot change the code under measurement.
#
# Databases: no_ext (no extension); evt_noop (no extension, but event
# triggers on the same events and tags as the extension's, whose function
# does nothing: PostgreSQL's own price of having any, for reference); g10 and
# g1000 (CREATE EXTENSION mpn_benefits and 10 or 1,000 guarded tables, the
# four trigger functions in turn, attached as the README attaches them);
# and g1000_off, sessions in g1000 with the event triggers off
# (session_replication_role = replica): the same catalogs without them.
# Workloads, on plain tables of their own (a primary key, two columns):
# CREATE TABLE, ALTER TABLE ... ADD COLUMN, CREATE INDEX, DROP INDEX,
# DROP TABLE, N statements each, each its own transaction, sent by psql in
# sessions of S statements, the databases' sessions alternating in rotating
# order; timed by the backend (its CPU time and the wall clock, read before
# and after the S statements, after one untimed statement of the same kind
# that takes the session's first-statement costs).  Medians of R rounds;
# the catalogs are vacuumed and a checkpoint taken between rounds.  The
# first statement of a fresh session (DROP INDEX, ALTER TABLE, CREATE
# TABLE) is timed separately, K sessions per database.  The instruction
# counts (callgrind, one dump per client message) do not depend on what
# else the machine runs: the same workloads, C statements each, and the
# same first statements.
#
# Target (issue 15): unrelated DDL costs <= 1.05x what it costs without the
# extension, and stays flat from 10 to 1,000 guarded tables (g1000 <= 1.05x
# g10).  Targets are reported, not asserted: the exit status is 0 when every
# measurement ran, non-zero when one failed.
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."

STMTS=2000 CHUNK=200 RUNS=5 SESSIONS=7 CG_STMTS=50 QUICK=0 INNER=0
EXT_FROM='' LABEL='' BASELINE='' RAW=''
RESULTS=bench/ddl-results.md
ARGS_GIVEN=''
for a in "$@"; do				# the command line, for the results
	case "$a" in *[!A-Za-z0-9_./=:,+-]* | '') a="'${a//\'/\'\\\'\'}'" ;; esac
	ARGS_GIVEN+=" $a"
done
ARGS_GIVEN=${ARGS_GIVEN# }
while [ $# -gt 0 ]; do
	case "$1" in
		--statements) STMTS=$2; shift 2 ;;
		--chunk) CHUNK=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--sessions) SESSIONS=$2; shift 2 ;;
		--callgrind) CG_STMTS=$2; shift 2 ;;
		--quick) QUICK=1; shift ;;
		--ext-from) EXT_FROM=$2; shift 2 ;;
		--label) LABEL=$2; shift 2 ;;
		--baseline) BASELINE=$2; shift 2 ;;
		--results) RESULTS=$2; shift 2 ;;
		--raw) RAW=$2; shift 2 ;;
		--inner) INNER=1; shift ;;
		-h | --help) sed -n '2,/^set -euo/{/^#/p}' "$SELF"; exit 0 ;;
		*) echo "bench/ddl_cost.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ "$QUICK" = 1 ] && [ "$INNER" = 0 ]; then
	STMTS=500 CHUNK=100 RUNS=3 SESSIONS=5 CG_STMTS=20
fi
case "$STMTS$CHUNK$RUNS$SESSIONS$CG_STMTS" in *[!0-9]*) echo "bench/ddl_cost.sh: sizes take numbers" >&2; exit 2 ;; esac
if [ "$STMTS" -lt 10 ] || [ "$CHUNK" -lt 1 ] || [ "$RUNS" -lt 1 ] || [ "$SESSIONS" -lt 1 ]; then
	echo "bench/ddl_cost.sh: at least 10 statements, a chunk of 1, 1 run and 1 session" >&2; exit 2
fi
GUARDED_SMALL=10 GUARDED_LARGE=1000
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
# the servers' settings: a commit's WAL flush costs no disk latency, no
# checkpoint or autovacuum runs during a round
SETTINGS=(shared_buffers=128MB fsync=off synchronous_commit=off autovacuum=off jit=off
	max_wal_size=16GB checkpoint_timeout=1h log_checkpoints=off)

#
# Outside: snapshot the installed extension, then run the inside in a
# throwaway cluster that loads the snapshot
#
if [ "$INNER" = 0 ]; then
	started=$(date +%s)
	[ -z "$BASELINE" ] || [ -r "$BASELINE" ] || { echo "bench/ddl_cost.sh: cannot read $BASELINE" >&2; exit 2; }
	if [ "$CG_STMTS" -gt 0 ] && ! command -v valgrind >/dev/null; then
		echo "bench/ddl_cost.sh: no valgrind (apt-get install valgrind), or --callgrind 0" >&2; exit 2
	fi
	WORK=$(mktemp -d /tmp/mpn_ddl_bench.XXXXXX)
	# the databases live in a tablespace on tmpfs when there is one: on a
	# disk's file system, creating and removing a file costs what the
	# database directory's history makes it cost (ext4 searches directory
	# blocks that thousands of creates and drops have left), which made
	# one database's DDL up to 40% dearer than another's in the same run
	SHM=''
	if [ -d /dev/shm ] && [ -w /dev/shm ] && SHM=$(mktemp -d /dev/shm/mpn_ddl_bench.XXXXXX 2>/dev/null); then
		chmod 755 "$SHM"
		mkdir "$SHM/main" "$SHM/cg"
		[ "$(id -u)" -ne 0 ] || chown postgres "$SHM/main" "$SHM/cg"
	else
		SHM=''
	fi
	trap 'rm -rf "$WORK" ${SHM:+"$SHM"}' EXIT
	chmod 755 "$WORK"
	libdir=$("$PG_CONFIG" --pkglibdir) sharedir=$("$PG_CONFIG" --sharedir)
	if [ -z "$EXT_FROM" ]; then
		# two copies a second apart must agree: an install under way is not taken
		for attempt in 1 2 3 4 5 6; do
			rm -rf "$WORK/inst" "$WORK/inst2"
			for d in inst inst2; do
				mkdir -p "$WORK/$d$libdir" "$WORK/$d$sharedir/extension"
				cp -p "$libdir/mpn_benefits.so" "$WORK/$d$libdir/"
				cp -p "$sharedir"/extension/mpn_benefits*.control "$sharedir"/extension/mpn_benefits--*.sql \
					"$WORK/$d$sharedir/extension/"
				sleep 1
			done
			if diff -r "$WORK/inst" "$WORK/inst2" >/dev/null; then break; fi
			[ "$attempt" = 6 ] && { echo "bench/ddl_cost.sh: the installed files keep changing" >&2; exit 1; }
			sleep 10
		done
		rm -rf "$WORK/inst2"
		EXT_SOURCE="a snapshot of the files installed in $libdir and $sharedir/extension, taken $(date -u '+%H:%M UTC')"
	else
		[ -r "$EXT_FROM$libdir/mpn_benefits.so" ] || { echo "bench/ddl_cost.sh: no $EXT_FROM$libdir/mpn_benefits.so" >&2; exit 2; }
		cp -a "$(readlink -f "$EXT_FROM")" "$WORK/inst"
		EXT_SOURCE="the files of $EXT_FROM"
	fi
	chmod -R a+rX "$WORK/inst"
	# the working tree, when it is the installed files that are measured (a
	# build installed from it; not necessarily from this very commit)
	commit=''
	if [ -z "$EXT_FROM" ]; then
		commit="; the working tree was at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
		if git status --porcelain -- src sql Makefile '*.control' 2>/dev/null | grep -q .; then
			commit="$commit, with uncommitted changes in src/ or the Makefile,"
		fi
		commit="$commit when the run started"
	fi
	export BENCH_WORK=$WORK BENCH_SHM=$SHM BENCH_EXT_SOURCE="$EXT_SOURCE" BENCH_COMMIT="$commit" BENCH_STARTED=$started
	export BENCH_SO_MD5 BENCH_ARGS="$ARGS_GIVEN" BENCH_LOAD_START
	BENCH_SO_MD5=$(md5sum "$WORK/inst$libdir/mpn_benefits.so" | cut -c1-12)
	BENCH_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	results_abs=$(readlink -f "$RESULTS" 2>/dev/null || echo "$PWD/$RESULTS")
	raw_abs=''
	if [ -n "$RAW" ]; then mkdir -p "$RAW"; raw_abs=$(readlink -f "$RAW"); fi
	baseline_abs=''
	if [ -n "$BASELINE" ]; then		# it may be the results file itself: copy it first
		cp "$BASELINE" "$WORK/baseline.md"
		baseline_abs=$WORK/baseline.md
	fi
	echo "== bench/ddl_cost.sh: $STMTS statements in sessions of $CHUNK, $RUNS runs, $SESSIONS sessions, $CG_STMTS under callgrind; extension from $EXT_SOURCE (.so md5 $BENCH_SO_MD5)"
	opts=()
	for s in "extension_destdir=$WORK/inst" "${SETTINGS[@]}"; do opts+=(-o "$s"); done
	# bash reads a script as it runs it: run copies, which an edit of the
	# working tree during the run cannot change
	cp "$SELF" "$WORK/ddl_cost.sh"
	cp scripts/throwaway-cluster.sh "$WORK/throwaway-cluster.sh"
	set +e
	LANG=C.UTF-8 LC_ALL=C.UTF-8 bash "$WORK/throwaway-cluster.sh" "$PG_CONFIG" "${opts[@]}" \
		-- bash "$WORK/ddl_cost.sh" --inner --statements "$STMTS" --chunk "$CHUNK" --runs "$RUNS" --sessions "$SESSIONS" \
		--callgrind "$CG_STMTS" --results "$results_abs" --raw "$raw_abs" --label "$LABEL" \
		--baseline "$baseline_abs" $([ "$QUICK" = 1 ] && echo --quick)
	rc=$?
	set -e
	echo "== bench/ddl_cost.sh took $(( $(date +%s) - started )) s, exit status $rc"
	exit $rc
fi

#
# Inside the cluster
#
export PGOPTIONS="-c client_min_messages=warning"
WORK=${BENCH_WORK:?--inner needs BENCH_WORK}
BINDIR=$("$PG_CONFIG" --bindir)
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
if [ "$(id -u)" -eq 0 ]; then
	as_owner() { runuser -u postgres -- "$@"; }
else
	as_owner() { "$@"; }
fi
timing_ok() {	# OUTPUT WHAT: a timing file printed "wall<TAB>cpu"
	if ! [[ $1 =~ ^[0-9]+\.[0-9]+$'\t'[0-9]+\.[0-9]+$ ]]; then
		echo "bench/ddl_cost.sh: $2 printed '$1', not two timings" >&2
		exit 1
	fi
	[[ $1 =~ $'\t'0\.000$ ]] && log "   note: $2 took no measurable CPU time ('$1')"
	return 0
}
DBS=(no_ext evt_noop g10 g1000)
# what is measured: a database, and settings of the session.  g1000_off is
# g1000 with the event triggers off (session_replication_role = replica),
# in a schema of its own: what g1000 costs without them, the same catalogs
VARIANTS=(no_ext evt_noop g10 g1000 g1000_off)
nv=${#VARIANTS[@]}
declare -A VDB=([no_ext]=no_ext [evt_noop]=evt_noop [g10]=g10 [g1000]=g1000 [g1000_off]=g1000)
declare -A VOPT=([g1000_off]='-c session_replication_role=replica -c search_path=off')
vsql() {	# VARIANT ARGS...: sql in the variant's database, with its settings
	local v=$1
	shift
	PGOPTIONS="$PGOPTIONS ${VOPT[$v]:-}" sql -d "${VDB[$v]}" "$@"
}
PHASES=(create_table add_column create_index drop_index drop_table)
declare -A TAG=([create_table]='CREATE TABLE' [add_column]='ALTER TABLE' [create_index]='CREATE INDEX'
	[drop_index]='DROP INDEX' [drop_table]='DROP TABLE')
declare -A TITLE=([create_table]='CREATE TABLE (id bigint PRIMARY KEY, name text, created date)'
	[add_column]='ALTER TABLE ... ADD COLUMN note text' [create_index]='CREATE INDEX ... (name)'
	[drop_index]='DROP INDEX' [drop_table]='DROP TABLE')
# the first statement of a fresh session, on table f (made beforehand)
declare -A FIRST=([drop_index]='DROP INDEX f_name;' [add_column]='ALTER TABLE f ADD COLUMN note text;'
	[create_table]='CREATE TABLE f2 (id bigint PRIMARY KEY, name text, created date);')
FIRST_KINDS=(drop_index add_column create_table)
FIRST_SETUP="CREATE TABLE f (id bigint PRIMARY KEY, name text, created date); CREATE INDEX f_name ON f (name)"

statement() {	# PHASE TABLE: one statement of the workload on a table
	case $1 in
		create_table) echo "CREATE TABLE $2 (id bigint PRIMARY KEY, name text, created date);" ;;
		add_column) echo "ALTER TABLE $2 ADD COLUMN note text;" ;;
		create_index) echo "CREATE INDEX ${2}_name ON $2 (name);" ;;
		drop_index) echo "DROP INDEX ${2}_name;" ;;
		drop_table) echo "DROP TABLE $2;" ;;
	esac
}

# Two clocks, read by the backend itself: the wall clock, and the time the
# backend was on a CPU (the first field of /proc/self/schedstat, in ns),
# which leaves out the time it waited for psql or for a CPU that other jobs
# held.  The stop prints "wall_ms<TAB>cpu_ms".
START_TIMER="SELECT clock_timestamp() AS t0, split_part(pg_read_file('/proc/self/schedstat'), ' ', 1) AS c0 \\gset"
STOP_TIMER="SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000, 3), round((split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::numeric - :'c0') / 1e6, 3);"

#
# The timed statements: one file per workload and chunk of CHUNK
# statements.  In a session of its own, each runs an untimed statement of
# the same kind on table uw<chunk> first, then its statements on u<i>
# between the clocks.  The databases' chunks alternate, so that the load of
# other jobs falls on every database alike.
#
NCHUNKS=$(( (STMTS + CHUNK - 1) / CHUNK ))
for phase in "${PHASES[@]}"; do
	for ((k = 1; k <= NCHUNKS; k++)); do
		lo=$(( (k - 1) * CHUNK + 1 )) hi=$(( k * CHUNK < STMTS ? k * CHUNK : STMTS ))
		{
			echo '\set ON_ERROR_STOP 1'
			statement "$phase" "uw$k"
			echo "$START_TIMER"
			for ((i = lo; i <= hi; i++)); do statement "$phase" "u$i"; done
			echo "$STOP_TIMER"
		} >"$WORK/$phase.$k.sql"
	done
done
for kind in "${FIRST_KINDS[@]}"; do
	printf '%s\n' '\set ON_ERROR_STOP 1' "$START_TIMER" "${FIRST[$kind]}" "$STOP_TIMER" >"$WORK/first_$kind.sql"
done

# guarded tables g1..gG, the four rules in turn, attached as the README does
guarded_sql() {
	local i
	echo '\set ON_ERROR_STOP 1'
	for ((i = 1; i <= $1; i++)); do
		case $(( (i - 1) % 4 )) in
			0) echo "CREATE TABLE g$i (key text, redeemed date);"
			   echo "CREATE UNIQUE INDEX g${i}_key ON g$i (key) WHERE redeemed IS NOT NULL;"
			   echo "CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON g$i FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');" ;;
			1) echo "CREATE TABLE g$i (user_id text, offer text);"
			   echo "CREATE INDEX g${i}_user ON g$i (user_id);"
			   echo "CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON g$i FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');" ;;
			2) echo "CREATE TABLE g$i (subscriber text, assigned_on date);"
			   echo "CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON g$i FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');" ;;
			3) echo "CREATE TABLE g$i (tenant text, partner_tenant text);"
			   echo "CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON g$i FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'partner_tenant');" ;;
		esac
	done
}
for g in "$GUARDED_SMALL" "$GUARDED_LARGE"; do guarded_sql "$g" >"$WORK/guarded_$g.sql"; done

# setup_databases: the four databases, on the server PGHOST and PGPORT name,
# in a tablespace in TABLESPACE_DIR if set
setup_databases() {
	local db g t0 ts=''
	if [ -n "${TABLESPACE_DIR:-}" ]; then
		sql -d postgres -c "CREATE TABLESPACE ddl_bench LOCATION '$TABLESPACE_DIR'"
		ts=' TABLESPACE ddl_bench'
	fi
	for db in "${DBS[@]}"; do sql -d postgres -c "CREATE DATABASE $db$ts"; done
	for g in "$GUARDED_SMALL" "$GUARDED_LARGE"; do
		t0=$(date +%s.%N)
		sql -d "g$g" -c 'CREATE EXTENSION mpn_benefits'
		sql -d "g$g" -f "$WORK/guarded_$g.sql"
		log "   g$g: extension and $g guarded tables in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	done
	# the extension's event triggers, made again in evt_noop with a function that does nothing
	sql -d evt_noop -c "CREATE FUNCTION noop_evt() RETURNS event_trigger LANGUAGE plpgsql AS \$\$BEGIN END\$\$"
	sql -d g10 -c "SELECT format('CREATE EVENT TRIGGER noop_%s ON %s%s EXECUTE FUNCTION noop_evt();', evtname, evtevent,
			CASE WHEN evttags IS NULL THEN '' ELSE
			' WHEN TAG IN (' || (SELECT string_agg(quote_literal(t), ', ') FROM unnest(evttags) t) || ')' END)
		FROM pg_event_trigger WHERE evtenabled <> 'D'" | sql -d evt_noop
	sql -d g$GUARDED_LARGE -c "CREATE SCHEMA off"		# g1000_off's tables
	for db in "${DBS[@]}"; do sql -d "$db" -c "VACUUM ANALYZE"; done
	sql -d postgres -c CHECKPOINT
}

log "setting up: databases ${DBS[*]}"
BENCH_SHM=${BENCH_SHM:-}
TABLESPACE_DIR=${BENCH_SHM:+$BENCH_SHM/main} CG_TABLESPACE_DIR=${BENCH_SHM:+$BENCH_SHM/cg}
setup_databases
EXT_VERSION=$(sql -d g10 -c "SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits'")
EVT_LIST=$(sql -d g10 -c "SELECT string_agg(format('%s (%s%s)', evtname, evtevent,
		coalesce(': ' || array_to_string(evttags, ', '), ', every tag')), '; ' ORDER BY evtname)
	FROM pg_event_trigger WHERE evtenabled <> 'D'")
# which of the extension's event triggers fire for each workload's tag
declare -A FIRES
for phase in "${PHASES[@]}"; do
	FIRES[$phase]=$(sql -d g10 -c "SELECT coalesce(string_agg(evtname || ' (' || evtevent || ')', ', ' ORDER BY evtname), 'none')
		FROM pg_event_trigger WHERE evtenabled <> 'D' AND (evttags IS NULL OR '${TAG[$phase]}' = ANY (evttags))")
done

# checks: the library is the snapshot's, the triggers are there, the guard is live
so_path=$(sql -d g10 -c "SELECT mpn.key_valid_until('2020-12-01');
	SELECT substring(l FROM '(/\S*mpn_benefits\.so)') FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\n') l
	 WHERE l LIKE '%mpn_benefits.so%' LIMIT 1" | tail -1)
case "$so_path" in
	"$WORK/inst/"*) ;;
	*) echo "bench/ddl_cost.sh: the backend loaded mpn_benefits.so from '$so_path', not from the snapshot in $WORK/inst" >&2; exit 1 ;;
esac
declare -A TRIGGERS
for g in "$GUARDED_SMALL" "$GUARDED_LARGE"; do
	db=g$g
	TRIGGERS[$db]=$(sql -d "$db" -c "SELECT count(*) FILTER (WHERE NOT t.tgisinternal) || ' mpn triggers, '
			|| count(*) FILTER (WHERE t.tgisinternal) || ' internal (rechecks)'
		FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.pronamespace = 'mpn'::regnamespace")
	case "${TRIGGERS[$db]}" in
		"$g mpn triggers"*) ;;
		*) echo "bench/ddl_cost.sh: $db has ${TRIGGERS[$db]}, not $g mpn triggers" >&2; exit 1 ;;
	esac
	if out=$(psql -X -q -d "$db" -c "BEGIN; DROP INDEX g1_key; ROLLBACK;" 2>&1) || ! grep -q ERROR <<<"$out"; then
		echo "bench/ddl_cost.sh: in $db, DROP INDEX of the index redeem_once needs was not refused: the event triggers do not work" >&2
		exit 1
	fi
done
log "   extension $EXT_VERSION loaded from $so_path; event triggers: $EVT_LIST"

#
# Workloads: a warm-up round (0), then RUNS rounds; in each, every workload
# on every database, the databases' sessions alternating in rotating order.
# runs.tsv: db, workload, round, session, wall ms, CPU ms
#
: >"$WORK/runs.tsv"
for ((r = 0; r <= RUNS; r++)); do
	line=''
	for phase in "${PHASES[@]}"; do
		for ((k = 1; k <= NCHUNKS; k++)); do
			for ((j = 0; j < nv; j++)); do
				v=${VARIANTS[(j + r + k) % nv]}
				t=$(vsql "$v" -F $'\t' -f "$WORK/$phase.$k.sql")
				timing_ok "$t" "$v $phase.$k.sql"
				printf '%s\t%s\t%d\t%d\t%s\n' "$v" "$phase" "$r" "$k" "$t" >>"$WORK/runs.tsv"
			done
		done
		line+=" $phase $(awk -F'\t' -v p="$phase" -v r="$r" -v n="$STMTS" '$2 == p && $3 == r { t[$1] += $6 }
			END { printf "%.3f/%.3f/%.3f/%.3f/%.3f", t["no_ext"] / n, t["evt_noop"] / n, t["g10"] / n, t["g1000"] / n, t["g1000_off"] / n }' "$WORK/runs.tsv")"
	done
	for db in "${DBS[@]}"; do
		sql -d "$db" -c "VACUUM pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_type, pg_catalog.pg_depend,
			pg_catalog.pg_index, pg_catalog.pg_constraint, pg_catalog.pg_attrdef, pg_catalog.pg_statistic"
	done
	sql -d postgres -c CHECKPOINT
	log "round $r$([ "$r" = 0 ] && echo ' (warm-up)'), CPU ms per statement no_ext/evt_noop/g10/g1000/g1000_off:$line"
done

#
# The first statement of a fresh session; first.tsv: db, statement, session, 0, wall ms, CPU ms
#
: >"$WORK/first.tsv"
for ((s = 0; s < SESSIONS; s++)); do
	for ((j = 0; j < nv; j++)); do
		v=${VARIANTS[(j + s) % nv]}
		vsql "$v" -c "$FIRST_SETUP"
		for kind in "${FIRST_KINDS[@]}"; do
			t=$(vsql "$v" -F $'\t' -f "$WORK/first_$kind.sql")
			timing_ok "$t" "$v first_$kind.sql"
			printf '%s\t%s\t%d\t0\t%s\n' "$v" "$kind" "$s" "$t" >>"$WORK/first.tsv"
		done
		vsql "$v" -c "DROP TABLE f, f2"
	done
done
log "first statements timed ($SESSIONS fresh sessions per database and statement)"

#
# Instructions: a second cluster, set up alike, whose server then runs under
# callgrind, dumping its counts each time a backend starts to read a client
# message (pq_startmsgread): each dump holds what the backend did for the
# message before, a whole statement with its commit.  One session per
# database sends SELECT pg_backend_pid(), then for each workload one
# statement of the kind (not counted, as above) and C statements; a
# first-statement session sends the SELECT and the statement.  The
# session's last dumps are its statements'.
# instructions.tsv: variant, workload (or first_<statement>), statement, instructions
#
: >"$WORK/instructions.tsv"
cg_session() {	# VARIANT FILE LABEL...: run FILE; the last dumps, one per LABEL ("workload n"; n = 0: not counted)
	local db=$1 file=$2 pid n part i=0 tag num
	shift 2
	pid=$(PGHOST=$CG_HOST PGPORT=$CG_PORT vsql "$db" -f "$file" | head -1)
	for ((n = 0; n < 600 && ${#pid} > 0; n++)); do		# the backend writes its dumps, then exits
		[ -e "/proc/$pid" ] || break
		sleep 0.1
	done
	local -a parts
	mapfile -t parts < <(find "$CG_OUT" -name "cg.$pid.*" | sed 's/.*\.//' | sort -n | tail -n "$#")
	[ "${#parts[@]}" = "$#" ] || { echo "bench/ddl_cost.sh: no $# callgrind dumps of backend '$pid' ($db, $file)" >&2; exit 1; }
	for label in "$@"; do
		read -r tag num <<<"$label"
		part=${parts[i]}
		i=$((i + 1))
		[ "$num" = 0 ] && continue
		printf '%s\t%s\t%d\t%s\n' "$db" "$tag" "$num" "$(sed -n 's/^summary: //p' "$CG_OUT/cg.$pid.$part")" >>"$WORK/instructions.tsv"
	done
	if [ -n "$RAW" ] && [ "$db" != evt_noop ]; then
		mkdir -p "$RAW/callgrind/$db"
		mv "$CG_OUT"/cg."$pid".* "$RAW/callgrind/$db/"
	fi
	rm -f "$CG_OUT"/cg."$pid" "$CG_OUT"/cg."$pid".*
}
if [ "$CG_STMTS" -gt 0 ]; then
	log "instruction counts: a second cluster, its server under valgrind --tool=callgrind"
	CG_DIR=$WORK/cg CG_OUT=$WORK/cg/out CG_HOST=$WORK/cg CG_PORT=$(( PGPORT + 1 ))
	mkdir -p "$CG_OUT"
	[ "$(id -u)" -ne 0 ] || chown -R postgres "$CG_DIR"
	as_owner "$BINDIR/initdb" -D "$CG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CG_DIR/initdb.log" 2>&1
	cg_args=(-c listen_addresses= -c "unix_socket_directories=$CG_HOST" -p "$CG_PORT" -c "extension_destdir=$WORK/inst")
	for s in "${SETTINGS[@]}"; do cg_args+=(-c "$s"); done
	# whatever happens, the second cluster's server stops before its files go
	trap 'as_owner "$BINDIR/pg_ctl" -D "$CG_DIR/data" -m immediate -w -t 300 stop >/dev/null 2>&1' EXIT
	as_owner "$BINDIR/pg_ctl" -D "$CG_DIR/data" -l "$CG_DIR/server.log" -o "${cg_args[*]}" -w start >/dev/null
	( export PGHOST=$CG_HOST PGPORT=$CG_PORT TABLESPACE_DIR=${CG_TABLESPACE_DIR:-}; setup_databases )
	as_owner "$BINDIR/pg_ctl" -D "$CG_DIR/data" -m fast -w stop >/dev/null
	as_owner valgrind --tool=callgrind --dump-before=pq_startmsgread --dump-instr=no --dump-line=no \
		--callgrind-out-file="$CG_OUT/cg.%p" "$BINDIR/postgres" -D "$CG_DIR/data" "${cg_args[@]}" \
		>"$CG_DIR/valgrind.log" 2>&1 </dev/null &
	cg_server=$!
	for ((n = 0; n < 300; n++)); do
		"$BINDIR/pg_isready" -q -h "$CG_HOST" -p "$CG_PORT" -d postgres && break
		kill -0 "$cg_server" 2>/dev/null || break
		sleep 1
	done
	"$BINDIR/pg_isready" -q -h "$CG_HOST" -p "$CG_PORT" -d postgres ||
		{ echo "bench/ddl_cost.sh: the server under callgrind did not start:" >&2; cat "$CG_DIR/valgrind.log" >&2; exit 1; }
	labels=()
	{
		echo '\set ON_ERROR_STOP 1'
		echo 'SELECT pg_backend_pid();'
		for phase in "${PHASES[@]}"; do
			statement "$phase" cw
			for ((i = 1; i <= CG_STMTS; i++)); do statement "$phase" "c$i"; done
		done
	} >"$WORK/cg_workloads.sql"
	for phase in "${PHASES[@]}"; do
		for ((i = 0; i <= CG_STMTS; i++)); do labels+=("$phase $i"); done
	done
	for v in "${VARIANTS[@]}"; do cg_session "$v" "$WORK/cg_workloads.sql" "${labels[@]}"; done
	for kind in "${FIRST_KINDS[@]}"; do
		printf '%s\n' '\set ON_ERROR_STOP 1' 'SELECT pg_backend_pid();' "${FIRST[$kind]}" >"$WORK/cg_first_$kind.sql"
	done
	for v in "${VARIANTS[@]}"; do
		PGHOST=$CG_HOST PGPORT=$CG_PORT vsql "$v" -c "$FIRST_SETUP"
		for kind in "${FIRST_KINDS[@]}"; do cg_session "$v" "$WORK/cg_first_$kind.sql" "first_$kind 1"; done
	done
	as_owner "$BINDIR/pg_ctl" -D "$CG_DIR/data" -m fast -w -t 300 stop >/dev/null
	wait "$cg_server" || true
	trap - EXIT
	log "instructions counted ($CG_STMTS statements per workload and database, one first statement of each kind)"
fi
[ -z "$RAW" ] || cp "$WORK/runs.tsv" "$WORK/first.tsv" "$WORK/instructions.tsv" "$RAW/"

#
# Medians and ratios, computed in the postgres database
#
sql -d postgres <<EOF
CREATE TABLE chunks (db text, phase text, round int, chunk int, wall float8, cpu float8);
CREATE TABLE firsts (db text, phase text, round int, chunk int, wall float8, cpu float8);
CREATE TABLE instr (db text, phase text, stmt int, ir float8);
\copy chunks FROM '$WORK/runs.tsv'
\copy firsts FROM '$WORK/first.tsv'
\copy instr FROM '$WORK/instructions.tsv'
CREATE VIEW runs AS SELECT db, phase, round, sum(wall) AS wall, sum(cpu) AS cpu FROM chunks GROUP BY db, phase, round;
CREATE FUNCTION cell(x float8, digits int) RETURNS text LANGUAGE sql IMMUTABLE
	AS \$\$ SELECT to_char(x, 'FM999999990.' || repeat('0', digits)) \$\$;
CREATE FUNCTION ratio(a float8, b float8) RETURNS text LANGUAGE sql IMMUTABLE
	AS \$\$ SELECT to_char(a / nullif(b, 0), 'FM99990.00') || 'x' \$\$;
EOF
# table_rows TABLE METRIC DIVISOR DIGITS ORDER: one line per workload,
#   workload|no_ext|evt_noop|g10|g1000|g1000_off|g10/no_ext|g1000/no_ext|g1000/g10|g1000/g1000_off|evt_noop/no_ext|range|met?
# medians over the timed rounds (runs: round 0 is the warm-up); range: the
# lowest and highest g1000 / no_ext of a single round (or session), paired
table_rows() {
	local first
	first=$([ "$1" = runs ] && echo 1 || echo 0)
	sql -d postgres -F '|' <<EOF
WITH med AS (
	SELECT phase, db, percentile_cont(0.5) WITHIN GROUP (ORDER BY $2) / $3 AS ms
	  FROM $1 WHERE round >= $first GROUP BY phase, db),
paired AS (
	SELECT a.phase, min(b.$2 / nullif(a.$2, 0)) AS lo, max(b.$2 / nullif(a.$2, 0)) AS hi
	  FROM $1 a JOIN $1 b USING (phase, round)
	 WHERE a.db = 'no_ext' AND b.db = 'g1000' AND round >= $first GROUP BY a.phase),
w AS (
	SELECT phase,
	       max(ms) FILTER (WHERE db = 'no_ext') AS n, max(ms) FILTER (WHERE db = 'evt_noop') AS e,
	       max(ms) FILTER (WHERE db = 'g10') AS s, max(ms) FILTER (WHERE db = 'g1000') AS l,
	       max(ms) FILTER (WHERE db = 'g1000_off') AS o
	  FROM med GROUP BY phase)
SELECT w.phase, cell(n, $4), cell(e, $4), cell(s, $4), cell(l, $4), cell(o, $4),
       ratio(s, n), ratio(l, n), ratio(l, s), ratio(l, o), ratio(e, n),
       to_char(lo, 'FM99990.00') || '-' || to_char(hi, 'FM99990.00'),
       CASE WHEN n = 0 OR s = 0 THEN '?'
            WHEN s / n <= 1.05 AND l / n <= 1.05 AND l / s <= 1.05 THEN 'yes'
            WHEN l / s <= 1.05 THEN 'flat, but over 1.05x' ELSE 'no' END
  FROM w JOIN paired USING (phase)
 ORDER BY array_position(ARRAY[$5], w.phase)
EOF
}
# instr_rows PHASE-PREFIX ORDER: the same from the instruction counts (mean
# per statement, in thousands; range: the median statement of each database)
instr_rows() {
	sql -d postgres -F '|' <<EOF
WITH per AS (
	SELECT substr(phase, length('$1') + 1) AS phase, db, avg(ir) / 1000 AS k,
	       percentile_cont(0.5) WITHIN GROUP (ORDER BY ir) / 1000 AS med
	  FROM instr WHERE phase LIKE '$1%' AND ('$1' <> '' OR phase NOT LIKE 'first_%') GROUP BY 1, 2),
w AS (
	SELECT phase,
	       max(k) FILTER (WHERE db = 'no_ext') AS n, max(k) FILTER (WHERE db = 'evt_noop') AS e,
	       max(k) FILTER (WHERE db = 'g10') AS s, max(k) FILTER (WHERE db = 'g1000') AS l,
	       max(k) FILTER (WHERE db = 'g1000_off') AS o,
	       string_agg(cell(med, 0), ' / ' ORDER BY array_position(ARRAY['no_ext', 'evt_noop', 'g10', 'g1000', 'g1000_off'], db)) AS meds
	  FROM per GROUP BY phase)
SELECT phase, cell(n, 0), cell(e, 0), cell(s, 0), cell(l, 0), cell(o, 0),
       ratio(s, n), ratio(l, n), ratio(l, s), ratio(l, o), ratio(e, n), meds,
       CASE WHEN n = 0 OR s = 0 THEN '?'
            WHEN s / n <= 1.05 AND l / n <= 1.05 AND l / s <= 1.05 THEN 'yes'
            WHEN l / s <= 1.05 THEN 'flat, but over 1.05x' ELSE 'no' END
  FROM w ORDER BY array_position(ARRAY[$2], phase)
EOF
}
ord_phases=$(printf "'%s'," "${PHASES[@]}") ord_first=$(printf "'%s'," "${FIRST_KINDS[@]}")
cpu_rows=$(table_rows runs cpu "$STMTS" 3 "${ord_phases%,}")
wall_rows=$(table_rows runs wall "$STMTS" 3 "${ord_phases%,}")
first_cpu_rows=$(table_rows firsts cpu 1 2 "${ord_first%,}")
first_wall_rows=$(table_rows firsts wall 1 2 "${ord_first%,}")
if [ "$CG_STMTS" -gt 0 ]; then
	instr_phase_rows=$(instr_rows '' "${ord_phases%,}")
	instr_first_rows=$(instr_rows first_ "${ord_first%,}")
fi
print_table() {	# ROWS FIRST-COLUMN LAST-BUT-ONE-COLUMN
	echo "| $2 | mpn event triggers that fire | no_ext | evt_noop | g10 | g1000 | g1000_off | g10 / no_ext | g1000 / no_ext | g1000 / g10 | g1000 / g1000_off | evt_noop / no_ext | $3 | target met? |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	local what
	while IFS='|' read -r phase n e s l o rs rl rls rlo re range met; do
		if [ "$2" = workload ]; then what=${TITLE[$phase]}; else what="\`${FIRST[$phase]%;}\`"; fi
		echo "| $what | ${FIRES[$phase]} | $n | $e | $s | $l | $o | $rs | $rl | $rls | $rlo | $re | $range | $met |"
	done <<<"$1"
}

#
# The results file
#
label=${LABEL:-mpn_benefits $EXT_VERSION, .so md5 $BENCH_SO_MD5}
elapsed=$(( $(date +%s) - BENCH_STARTED ))
mode=$([ "$QUICK" = 1 ] && echo "quick mode" || echo "full run")
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
mem=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
{
	echo "# mpn_benefits: the price of the event triggers for unrelated DDL"
	echo
	echo "Written by \`bash bench/ddl_cost.sh${BENCH_ARGS:+ $BENCH_ARGS}\` (overwritten on every run)."
	echo
	echo "<!-- run:begin -->"
	echo "## $label"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), $mode, $elapsed s"
	echo "- build: extension $EXT_VERSION from $BENCH_EXT_SOURCE, mpn_benefits.so md5 $BENCH_SO_MD5, loaded through extension_destdir$BENCH_COMMIT"
	echo "- machine: $(nproc) CPUs ($cpu), $mem memory; load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other jobs on the machine add noise to the times, not to the instruction counts)"
	echo "- server: $(sql -d postgres -c 'SELECT version()')"
	echo "- settings: ${SETTINGS[*]} (a commit's WAL flush costs no disk latency: the times are the DDL's own work, so the ratios are stricter than on a disk); $([ -n "$BENCH_SHM" ] && echo "the databases in a tablespace on tmpfs ($BENCH_SHM), so that creating and removing files costs the same in every database" || echo "no tmpfs: the databases on the cluster's disk")"
	echo "- databases: no_ext (no extension); evt_noop (no extension; event triggers on the same events and tags as the extension's, whose PL/pgSQL function does nothing: what PostgreSQL charges for any event trigger, for reference); g10 (the extension, ${TRIGGERS[g10]}); g1000 (the extension, ${TRIGGERS[g1000]}); g1000_off (g1000 with the event triggers off, \`session_replication_role = replica\`, tables in a schema of their own: the same catalogs, no event trigger; g1000 / g1000_off is the event triggers' own price); the guarded tables use redeem_once, exclusive_offer, reassign_after and partner_tenant_only in turn"
	echo "- the extension's event triggers: $EVT_LIST"
	echo "- method: $STMTS statements per workload and database on tables without mpn triggers (u1..u$STMTS), each its own transaction, sent by psql (\`psql -X -q -f\`) in $NCHUNKS sessions of $CHUNK, the databases' sessions alternating in rotating order; in each session, after one untimed statement of the same kind, the backend reads its clocks before and after its $CHUNK statements: CPU time (/proc/self/schedstat: the time it ran on a CPU, which leaves out waiting for psql and for CPUs other jobs held) and wall-clock time (clock_timestamp()); a round's time is the sum over its sessions; medians of $RUNS rounds after a warm-up round; catalogs vacuumed and a checkpoint taken between rounds"
	[ "$CG_STMTS" = 0 ] || echo "- instructions: a second cluster set up alike, its server run under valgrind --tool=callgrind (one dump each time a backend starts to read a client message); $CG_STMTS statements per workload and database, each workload's after one of its kind, in one session per database; instructions of the whole statement (parse, execution, event triggers, commit), in user space only: the kernel's part (creating and removing files) is not counted, so the ratios are stricter than the times"
	echo "- target (issue 15): unrelated DDL <= 1.05x no_ext in g10 and in g1000, and flat from 10 to 1,000 guarded tables (g1000 <= 1.05x g10). Reported, not asserted"
	if [ "$CG_STMTS" != 0 ]; then
		echo
		echo "Instructions per statement, thousands (callgrind; mean of $CG_STMTS statements, which does not depend on the machine's load):"
		echo
		print_table "$instr_phase_rows" workload "median statement, no_ext / evt_noop / g10 / g1000 / g1000_off"
	fi
	echo
	echo "Backend CPU time, milliseconds per statement (median of the rounds' totals / $STMTS):"
	echo
	print_table "$cpu_rows" workload "g1000 / no_ext, lowest-highest of one round"
	echo
	echo "Wall-clock time, milliseconds per statement (the same statements):"
	echo
	print_table "$wall_rows" workload "g1000 / no_ext, lowest-highest of one round"
	echo
	echo "First statement of a fresh session (after a \`SELECT\` opened it; it includes loading mpn_benefits.so where one of the extension's event triggers fires)."
	if [ "$CG_STMTS" != 0 ]; then
		echo "Instructions, thousands (callgrind, one session per database):"
		echo
		print_table "$instr_first_rows" statement "no_ext / evt_noop / g10 / g1000 / g1000_off"
		echo
	fi
	echo "Backend CPU time, milliseconds (median of $SESSIONS sessions):"
	echo
	print_table "$first_cpu_rows" statement "g1000 / no_ext, lowest-highest of one session"
	echo
	echo "Wall-clock time, milliseconds:"
	echo
	print_table "$first_wall_rows" statement "g1000 / no_ext, lowest-highest of one session"
	echo "<!-- run:end -->"
	if [ -n "$BASELINE" ]; then
		echo
		echo "## For comparison: $(sed -n '/^<!-- run:begin -->/,/^<!-- run:end -->/p' "$BASELINE" | sed -n 's/^## //p' | head -1)"
		echo
		echo "From an earlier run, $(sed -n 's/^Written by \(.*\) (overwritten on every run)\./\1/p' "$BASELINE" | head -1):"
		echo
		sed -n '/^<!-- run:begin -->/,/^<!-- run:end -->/p' "$BASELINE" | sed '1,/^## /d' | sed '/^<!-- run:end -->/d'
	fi
} >"$RESULTS"
cat "$RESULTS"
