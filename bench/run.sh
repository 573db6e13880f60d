#!/usr/bin/env bash
# Benchmarks (issue 5): the extension against what a partner DBA writes by
# hand, side by side in one run, on the same data, in a throwaway cluster.
#
# Usage: bash bench/run.sh [--rows N] [--trigger-rows M] [--runs R]
#                          [--pgbench-seconds S] [--only "1 2 ..."] [--quick] [--results FILE]
#   --rows N            rows for rule functions, keys, terms, the ledger (default 10000000)
#   --trigger-rows M    rows for the trigger workloads and the pgbench key space
#                       (default 1000000, at most N)
#   --runs R            timed runs per measurement after one warm-up (default 5)
#   --pgbench-seconds S length of each pgbench run (default 20)
#   --only "LIST"       run only these workloads (1-7)
#   --quick             100000 / 20000 rows, 3 runs, 3 s pgbench: a smoke test (< 2 min)
#   --results FILE      where to write the markdown table (default bench/results.md)
#
# Prints one table (workload | rows | extension | alternative | ratio |
# target | met?) with the machine and PostgreSQL version, and writes it to
# bench/results.md.  Targets are reported, not asserted: the exit status is 0
# when every workload ran, non-zero when one failed.
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."

ROWS=10000000 TRIG_ROWS='' RUNS=5 PGB_SECONDS=20 ONLY="1 2 3 4 5 6 7" QUICK=0 INNER=0
RESULTS=bench/results.md
while [ $# -gt 0 ]; do
	case "$1" in
		--rows) ROWS=$2; shift 2 ;;
		--trigger-rows) TRIG_ROWS=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--pgbench-seconds) PGB_SECONDS=$2; shift 2 ;;
		--only) ONLY=$2; shift 2 ;;
		--quick) QUICK=1; shift ;;
		--results) RESULTS=$2; shift 2 ;;
		--inner) INNER=1; shift ;;
		-h | --help) sed -n '2,/^set -euo/{/^#/p}' "$SELF"; exit 0 ;;
		*) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ "$QUICK" = 1 ]; then
	ROWS=100000 TRIG_ROWS=${TRIG_ROWS:-20000} RUNS=3 PGB_SECONDS=3
fi
[ -n "$TRIG_ROWS" ] || TRIG_ROWS=$(( ROWS < 1000000 ? ROWS : 1000000 ))
case "$ROWS$TRIG_ROWS$RUNS$PGB_SECONDS" in *[!0-9]*) echo "bench/run.sh: sizes take numbers" >&2; exit 2 ;; esac
if [ "$ROWS" -lt 1000 ] || [ "$TRIG_ROWS" -lt 1000 ] || [ "$RUNS" -lt 1 ]; then
	echo "bench/run.sh: at least 1000 rows and 1 run" >&2; exit 2
fi

# files the server reads (COPY) and writes, and the build's snapshot: one
# directory per run, so that runs side by side do not clobber each other
WORK=${BENCH_WORK:-}
BENCH_OPTS=(
	-o shared_buffers=4GB -o work_mem=64MB -o maintenance_work_mem=1GB
	-o max_wal_size=16GB -o checkpoint_timeout=1h -o synchronous_commit=off
	-o autovacuum=off -o jit=off -o log_checkpoints=off -o max_parallel_workers_per_gather=0
	-o max_worker_processes=8 -o max_parallel_workers=8 -o max_connections=50
)

#
# Outside: build and install, then run the inside in a throwaway cluster
#
if [ "$INNER" = 0 ]; then
	started=$(date +%s)
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	if git status --porcelain -- . ':!bench' 2>/dev/null | grep -q .; then
		commit="$commit (with uncommitted changes)"
	fi
	scripts/install.sh
	WORK=$(mktemp -d /tmp/mpn_bench.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	chmod 777 "$WORK"
	export BENCH_WORK=$WORK
	# A private snapshot of this build, which the cluster loads (Debian's
	# extension_destdir): another build installed while the benchmark runs
	# cannot change the code under measurement halfway.
	make -s install DESTDIR="$WORK/inst" PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" >/dev/null
	so=$(find "$WORK/inst" -name mpn_benefits.so | head -1)
	[ -n "$so" ] || { echo "bench/run.sh: no snapshot of mpn_benefits.so" >&2; exit 1; }
	chmod -R a+rX "$WORK/inst"
	export BENCH_COMMIT="$commit" BENCH_SO_MD5
	BENCH_SO_MD5=$(md5sum "$so" | cut -c1-12)
	BENCH_OPTS+=(-o "extension_destdir=$WORK/inst")
	# a free port of our own: other throwaway clusters may be starting at
	# the same time, and pg_virtualenv's "first free port from 5432" races
	port=$(( 20000 + RANDOM % 20000 ))
	while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || [ -e "/tmp/.s.PGSQL.$port" ] ||
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		port=$(( 20000 + RANDOM % 20000 ))
	done
	export PGPORT=$port
	echo "== starting a throwaway PostgreSQL 15 cluster (pg_virtualenv, port $PGPORT)"
	set +e
	pg_virtualenv -t -v 15 "${BENCH_OPTS[@]}" \
		bash "$SELF" --inner --rows "$ROWS" --trigger-rows "$TRIG_ROWS" --runs "$RUNS" \
		--pgbench-seconds "$PGB_SECONDS" --only "$ONLY" --results "$RESULTS" $([ "$QUICK" = 1 ] && echo --quick)
	rc=$?
	set -e
	rm -rf "$WORK"
	unset BENCH_WORK
	echo "== bench/run.sh took $(( $(date +%s) - started )) s, exit status $rc"
	exit $rc
fi

#
# Inside the cluster
#
export PGOPTIONS="-c client_min_messages=warning"
[ -n "$WORK" ] && [ -d "$WORK" ] || { echo "bench/run.sh: --inner needs BENCH_WORK, a directory the server may write" >&2; exit 2; }
BIN=/usr/lib/postgresql/15/bin
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
D="'2024-01-01'::date"			# the on_date of the rule workloads
N=$ROWS T=$TRIG_ROWS

# measure CASE RUNS NAME PREP SETTINGS STMT [NAME PREP SETTINGS STMT ...]
# One warm-up, then RUNS rounds; in each round every variant runs once, the
# order rotating from round to round.  All in one session: before each run,
# RESET ALL, then PREP (untimed; may VACUUM or CHECKPOINT) and SETTINGS;
# then the timed statement (bench.timed).
measure() {
	local case=$1 runs=$2
	shift 2
	local -a names=() preps=() sets=() stmts=()
	while [ $# -gt 0 ]; do
		names+=("$1") preps+=("$2") sets+=("$3") stmts+=("$4")
		shift 4
	done
	local nv=${#names[@]} r j i ms line=""
	{
		echo '\set ON_ERROR_STOP 1'
		for ((r = 0; r <= runs; r++)); do
			for ((j = 0; j < nv; j++)); do
				i=$(( (j + r) % nv ))
				echo "RESET ALL;"
				[ -z "${preps[i]}" ] || echo "${preps[i]}"
				[ -z "${sets[i]}" ] || echo "${sets[i]};"
				echo "SELECT bench.timed('$case', '${names[i]}', $r, \$bq\$${stmts[i]}\$bq\$);"
			done
		done
	} | sql >/dev/null
	for ((i = 0; i < nv; i++)); do
		ms=$(sql -c "SELECT round(bench.median('$case', '${names[i]}')::numeric, 1)")
		line+=" ${names[i]}=${ms}ms"
	done
	log "   $case:$line"
}

# ------------------------------------------------------------------------
# 1. Rule functions over N rows
# ------------------------------------------------------------------------
w1() {
	log "1: rule functions over $N rows: loading"
	sql >/dev/null <<EOF
DROP TABLE IF EXISTS w1;
CREATE TABLE w1 (enrolled_on date NOT NULL, needs_user boolean NOT NULL, assigned_on date NOT NULL,
                 term mpn.license_term NOT NULL, lic int NOT NULL, starts date NOT NULL, ends date NOT NULL);
INSERT INTO w1
SELECT '2015-01-01'::date + (hashint4(i) & 4095),          -- 11 years of days, leap days included
       i % 3 = 0,
       $D - (hashint4(i + 7) & 255),
       mpn.license_term(1 + i % 200, '2023-06-01'::date + i % 200, '2024-06-01'::date + i % 300),
       1 + i % 200, '2023-06-01'::date + i % 200, '2024-06-01'::date + i % 300
  FROM generate_series(1, $N) i;
VACUUM (FREEZE, ANALYZE) w1;
EOF
	log "1: checking that each alternative computes what the extension computes"
	local bad
	bad=$(sql <<EOF
SELECT concat_ws(' ',
  nullif(count(*) FILTER (WHERE mpn.benefit_expiry(enrolled_on) <> (enrolled_on + interval '1 year')::date), 0) || ' benefit_expiry',
  nullif(count(*) FILTER (WHERE mpn.activation_deadline(enrolled_on, needs_user)
                                <> CASE WHEN needs_user THEN enrolled_on + 30 ELSE enrolled_on END), 0) || ' activation_deadline',
  nullif(count(*) FILTER (WHERE mpn.can_reassign(assigned_on, $D) <> (assigned_on <= $D - 90)), 0) || ' can_reassign',
  nullif(count(*) FILTER (WHERE mpn.ends(mpn.add_licenses(term, 100, $D))
         <> $D + ((lic::bigint * (ends - $D) + 100 * (($D + interval '1 year')::date - $D)) / (lic + 100))::int), 0) || ' add_licenses')
  FROM w1;
SELECT concat_ws(' ',
  nullif(count(*) FILTER (WHERE mpn.benefit_expiry(enrolled_on) <> bench.pl_benefit_expiry(enrolled_on)), 0) || ' pl_benefit_expiry',
  nullif(count(*) FILTER (WHERE mpn.activation_deadline(enrolled_on, needs_user) <> bench.pl_activation_deadline(enrolled_on, needs_user)), 0) || ' pl_activation_deadline',
  nullif(count(*) FILTER (WHERE mpn.can_reassign(assigned_on, $D) <> bench.pl_can_reassign(assigned_on, $D)), 0) || ' pl_can_reassign',
  nullif(count(*) FILTER (WHERE mpn.add_licenses(term, 100, $D)::text
         <> (SELECT format('%s licenses [%s,%s)', c.licenses, c.starts, c.ends)
               FROM (SELECT (bench.pl_add_licenses(lic, starts, ends, 100, $D)).*) c)), 0) || ' pl_add_licenses')
  FROM (SELECT * FROM w1 LIMIT 20000) s;
EOF
)
	if [ -n "$(echo "$bad" | tr -d '[:space:]')" ]; then
		echo "1: an alternative disagrees with the extension: $bad" >&2
		return 1
	fi

	# name  ext-expression  best-plain-SQL  PL/pgSQL  floor (date + integer)
	local -a fns=(
		"benefit_expiry|mpn.benefit_expiry(enrolled_on)|(enrolled_on + interval '1 year')::date|bench.pl_benefit_expiry(enrolled_on)|enrolled_on + 365"
		"activation_deadline|mpn.activation_deadline(enrolled_on, needs_user)|CASE WHEN needs_user THEN enrolled_on + 30 ELSE enrolled_on END|bench.pl_activation_deadline(enrolled_on, needs_user)|enrolled_on + 30"
		"key_valid_until|mpn.key_valid_until(enrolled_on)|(enrolled_on + interval '1 year')::date|bench.pl_key_valid_until(enrolled_on)|enrolled_on + 365"
		"can_reassign|mpn.can_reassign(assigned_on, $D)|assigned_on <= $D - 90|bench.pl_can_reassign(assigned_on, $D)|assigned_on + 90"
		"add_licenses|mpn.add_licenses(term, 100, $D)|CASE WHEN $D >= starts AND $D < ends THEN $D + ((lic::bigint * (ends - $D) + 100 * (($D + interval '1 year')::date - $D)) / (lic + 100))::int END|bench.pl_add_licenses(lic, starts, ends, 100, $D)|starts + 365"
	)
	local f name e s p fl
	for f in "${fns[@]}"; do
		IFS='|' read -r name e s p fl <<<"$f"
		log "1: $name"
		measure "1-$name" "$RUNS" \
			ext '' '' "SELECT count($e) FROM w1" \
			sql '' '' "SELECT count($s) FROM w1" \
			plpgsql '' '' "SELECT count($p) FROM w1" \
			floor '' '' "SELECT count($fl) FROM w1"
		sql >/dev/null <<EOF
SELECT bench.add_timed('w1-sql-$name', '1 $name vs best plain SQL', $N, '1-$name', 'ext', 'sql', '<=', 1.0, '<= 1.00x');
SELECT bench.add_timed('w1-plpgsql-$name', '1 $name vs PL/pgSQL', $N, '1-$name', 'ext', 'plpgsql', '<=', 0.1, '<= 0.10x (10x faster)',
       (SELECT format('the floor (date + integer, same scan) is %sx faster than PL/pgSQL, the extension %sx; '
                      'net of the shared scan (each minus the floor''s time) the rule costs %s with the extension, %s in PL/pgSQL%s',
                      to_char(p / f, 'FM990.0'), to_char(p / e, 'FM990.0'),
                      CASE WHEN e > f THEN bench.fmt(e - f, 'ms') ELSE 'nothing measurable' END,
                      bench.fmt(p - f, 'ms'),
                      CASE WHEN e > f THEN ': ' || to_char((p - f) / (e - f), 'FM99990.0') || 'x less' ELSE '' END)
          FROM (SELECT bench.median('1-$name', 'ext') e, bench.median('1-$name', 'plpgsql') p,
                       bench.median('1-$name', 'floor') f) m));
SELECT bench.add_timed('w1-floor-$name', '1 $name vs floor (date + integer)', $N, '1-$name', 'ext', 'floor', '<=', 1.3, '<= 1.30x');
EOF
	done
}

# ------------------------------------------------------------------------
# 2. Key storage and lookup
# ------------------------------------------------------------------------
w2() {
	local M=$(( N / 10 ))
	log "2: $N keys: loading (text with COLLATE \"C\", and mpn.product_key), $M probes"
	sql >/dev/null <<EOF
DROP TABLE IF EXISTS w2_text, w2_key, w2_probe_text, w2_probe_key;
CREATE TABLE w2_text (key text COLLATE "C" NOT NULL);
INSERT INTO w2_text SELECT bench.key_text(n) FROM generate_series(1, $N) n;
CREATE TABLE w2_key (key mpn.product_key NOT NULL);
INSERT INTO w2_key SELECT key::mpn.product_key FROM w2_text;
CREATE INDEX w2_text_key ON w2_text (key);
CREATE INDEX w2_key_key ON w2_key (key);
-- probes: existing keys in random order
CREATE TABLE w2_probe_text (key text COLLATE "C" NOT NULL);
INSERT INTO w2_probe_text
SELECT bench.key_text(1 + (hashint8extended(i, 3) & 4611686018427387903) % $N)
  FROM generate_series(1, $M) i;
CREATE TABLE w2_probe_key (key mpn.product_key NOT NULL);
INSERT INTO w2_probe_key SELECT key::mpn.product_key FROM w2_probe_text;
VACUUM (FREEZE, ANALYZE) w2_text, w2_key, w2_probe_text, w2_probe_key;
EOF
	sql >/dev/null <<EOF
SELECT bench.add('w2-index', '2 btree index size: product_key vs text', $N,
                 pg_relation_size('w2_key_key'), pg_relation_size('w2_text_key'), 'bytes', '<=', 0.65, '<= 0.65x');
SELECT bench.add('w2-table', '2 one-column table size: product_key vs text', $N,
                 pg_table_size('w2_key'), pg_table_size('w2_text'), 'bytes', '<=', 0.75, '<= 0.75x');
EOF
	local nl="SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_memoize = off"
	local hj="SET enable_nestloop = off; SET enable_mergejoin = off"
	local plan
	plan=$(sql -c "$nl" -c "EXPLAIN (COSTS OFF) SELECT count(*) FROM w2_probe_key p JOIN w2_key k ON k.key = p.key" | tr '\n' ' ')
	log "2: point lookup plan: $plan"
	log "2: point lookups"
	measure 2-lookup "$RUNS" \
		ext '' "$nl" "SELECT count(*) FROM w2_probe_key p JOIN w2_key k ON k.key = p.key" \
		text '' "$nl" "SELECT count(*) FROM w2_probe_text p JOIN w2_text k ON k.key = p.key"
	plan=$(sql -c "$hj" -c "EXPLAIN (COSTS OFF) SELECT count(*) FROM w2_probe_key p JOIN w2_key k ON k.key = p.key" | tr '\n' ' ')
	log "2: hash join plan: $plan"
	log "2: hash join"
	measure 2-hashjoin "$RUNS" \
		ext '' "$hj" "SELECT count(*) FROM w2_probe_key p JOIN w2_key k ON k.key = p.key" \
		text '' "$hj" "SELECT count(*) FROM w2_probe_text p JOIN w2_text k ON k.key = p.key"
	log "2: parsing text to keys"
	measure 2-parse "$RUNS" \
		ext '' '' "SELECT count(key::mpn.product_key) FROM w2_text" \
		regex '' '' "SELECT count(CASE WHEN upper(key) ~ '^[2346789BCDFGHJKMNPQRTVWXY]{5}(-[2346789BCDFGHJKMNPQRTVWXY]{5}){4}\$' THEN upper(key) END) FROM w2_text" \
		scan '' '' "SELECT count(key) FROM w2_text"
	sql >/dev/null <<EOF
SELECT bench.add_timed('w2-lookup', '2 point lookups ($M, index nested loop) vs text', $N, '2-lookup', 'ext', 'text', '<=', 1.0, '<= 1.00x');
SELECT bench.add_timed('w2-hashjoin', '2 hash join $M probes x keys vs text', $N, '2-hashjoin', 'ext', 'text', '<=', 1.0, '<= 1.00x');
SELECT bench.add('w2-parse', '2 parse text to key vs upper()+regex check (throughput)', $N,
                 $N / bench.median('2-parse', 'ext') * 1000, $N / bench.median('2-parse', 'regex') * 1000,
                 'keys/s', NULL, NULL, 'stated',
                 format('parse: %s M keys/s including the scan; %s M keys/s net of the bare scan (%s ms)',
                        round(($N / bench.median('2-parse', 'ext') / 1000)::numeric, 2),
                        round(($N / greatest(bench.median('2-parse', 'ext') - bench.median('2-parse', 'scan'), 0.001) / 1000)::numeric, 2),
                        round(bench.median('2-parse', 'scan')::numeric)));
EOF
}

# ------------------------------------------------------------------------
# 3. license_term against a composite type
# ------------------------------------------------------------------------
w3() {
	log "3: $N license terms: loading (mpn.license_term, and a composite (licenses, starts, ends))"
	sql >/dev/null <<EOF
DROP TABLE IF EXISTS w3_ext, w3_comp;
CREATE TABLE w3_ext (term mpn.license_term NOT NULL);
INSERT INTO w3_ext SELECT mpn.license_term(1 + i % 200, '2023-06-01'::date + i % 200, '2024-06-01'::date + i % 300)
  FROM generate_series(1, $N) i;
CREATE TABLE w3_comp (term bench.term_c NOT NULL);
INSERT INTO w3_comp SELECT ROW(1 + i % 200, '2023-06-01'::date + i % 200, '2024-06-01'::date + i % 300)::bench.term_c
  FROM generate_series(1, $N) i;
VACUUM (FREEZE, ANALYZE) w3_ext, w3_comp;
SELECT bench.add('w3-column', '3 stored size per value (avg pg_column_size)', $N,
                 (SELECT avg(pg_column_size(term)) FROM w3_ext), (SELECT avg(pg_column_size(term)) FROM w3_comp),
                 'B/row', NULL, NULL, 'reported');
SELECT bench.add('w3-table', '3 one-column table size', $N,
                 pg_table_size('w3_ext'), pg_table_size('w3_comp'), 'bytes', NULL, NULL, 'reported',
                 format('per row: license_term %s B, composite %s B (table size / rows)',
                        round(pg_table_size('w3_ext')::numeric / $N, 1), round(pg_table_size('w3_comp')::numeric / $N, 1)));
EOF
	log "3: add_licenses"
	measure 3-add_licenses "$RUNS" \
		ext '' '' "SELECT count(mpn.add_licenses(term, 100, $D)) FROM w3_ext" \
		composite '' '' "SELECT count(CASE WHEN $D >= (term).starts AND $D < (term).ends THEN ROW((term).licenses + 100, (term).starts, $D + (((term).licenses::bigint * ((term).ends - $D) + 100 * (($D + interval '1 year')::date - $D)) / ((term).licenses + 100))::int)::bench.term_c END) FROM w3_comp"
	sql >/dev/null -c "SELECT bench.add_timed('w3-add_licenses', '3 add_licenses: license_term vs composite (plain SQL)', $N, '3-add_licenses', 'ext', 'composite', NULL, NULL, 'reported')"
}

# ------------------------------------------------------------------------
# 4. Triggers
# ------------------------------------------------------------------------
w4() {
	log "4: triggers on $T rows: preparing"
	sql >/dev/null <<EOF
DROP TABLE IF EXISTS w4_src, w4_vs_src;
CREATE TABLE w4_src AS
SELECT bench.key_text(n)::mpn.product_key AS key, current_date - (n % 400)::int AS redeemed_on
  FROM generate_series(1, $T) n;
COPY w4_src TO '$WORK/w4_keys.tsv';
COPY (SELECT * FROM w4_src LIMIT $T / 10) TO '$WORK/w4_keys_tenth.tsv';
CREATE TABLE w4_vs_src AS
SELECT n::bigint AS id, 'dev' || n || '@partner.example' AS subscriber, current_date - 100 - (n % 200)::int AS assigned_on
  FROM generate_series(1, $T) n;
VACUUM ANALYZE w4_src, w4_vs_src;
EOF
	local keys="DROP TABLE IF EXISTS bench_trig_keys; CREATE TABLE bench_trig_keys (key mpn.product_key NOT NULL, redeemed_on date, UNIQUE (key));"
	local ext_trig="CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON bench_trig_keys FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_on');"
	local pl_trig="CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON bench_trig_keys FOR EACH ROW EXECUTE FUNCTION bench.pl_redeem_once();"
	local noop_ins="CREATE TRIGGER noop BEFORE INSERT ON bench_trig_keys FOR EACH ROW EXECUTE FUNCTION lo_manage('key');"
	log "4: COPY $T redeemed keys"
	measure 4-copy "$RUNS" \
		ext "$keys $ext_trig CHECKPOINT;" '' "COPY bench_trig_keys FROM '$WORK/w4_keys.tsv'" \
		unique "$keys CHECKPOINT;" '' "COPY bench_trig_keys FROM '$WORK/w4_keys.tsv'" \
		plpgsql "$keys $pl_trig CHECKPOINT;" '' "COPY bench_trig_keys FROM '$WORK/w4_keys.tsv'" \
		c_noop "$keys $noop_ins CHECKPOINT;" '' "COPY bench_trig_keys FROM '$WORK/w4_keys.tsv'"

	local fill="INSERT INTO bench_trig_keys SELECT key, NULL FROM w4_src; VACUUM ANALYZE bench_trig_keys;"
	local noop_upd="CREATE TRIGGER noop BEFORE UPDATE ON bench_trig_keys FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();"
	log "4: UPDATE redeeming $T keys"
	measure 4-redeem "$RUNS" \
		ext "$keys $fill $ext_trig CHECKPOINT;" '' "UPDATE bench_trig_keys SET redeemed_on = current_date" \
		unique "$keys $fill CHECKPOINT;" '' "UPDATE bench_trig_keys SET redeemed_on = current_date" \
		plpgsql "$keys $fill $pl_trig CHECKPOINT;" '' "UPDATE bench_trig_keys SET redeemed_on = current_date" \
		c_noop "$keys $fill $noop_upd CHECKPOINT;" '' "UPDATE bench_trig_keys SET redeemed_on = current_date"

	local vs="DROP TABLE IF EXISTS bench_trig_vs; CREATE TABLE bench_trig_vs (id bigint PRIMARY KEY, subscriber text, assigned_on date); INSERT INTO bench_trig_vs SELECT * FROM w4_vs_src; VACUUM ANALYZE bench_trig_vs;"
	log "4: UPDATE passing $T Visual Studio subscriptions to new subscribers"
	measure 4-reassign "$RUNS" \
		ext "$vs CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON bench_trig_vs FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on'); CHECKPOINT;" '' \
			"UPDATE bench_trig_vs SET subscriber = 'new.dev@partner.example'" \
		none "$vs CHECKPOINT;" '' \
			"UPDATE bench_trig_vs SET subscriber = 'new.dev@partner.example', assigned_on = current_date" \
		plpgsql "$vs CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON bench_trig_vs FOR EACH ROW EXECUTE FUNCTION bench.pl_reassign_after(); CHECKPOINT;" '' \
			"UPDATE bench_trig_vs SET subscriber = 'new.dev@partner.example'" \
		c_noop "$vs CREATE TRIGGER noop BEFORE UPDATE ON bench_trig_vs FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger(); CHECKPOINT;" '' \
			"UPDATE bench_trig_vs SET subscriber = 'new.dev@partner.example', assigned_on = current_date"
	local stamped
	stamped=$(sql -c "SELECT count(*) FILTER (WHERE assigned_on = current_date) FROM bench_trig_vs")
	[ "$stamped" = "$T" ] || { echo "4: reassignment stamped $stamped of $T rows" >&2; return 1; }
	sql >/dev/null <<EOF
SELECT bench.add_timed('w4-copy-unique', '4 COPY with redeem_once vs UNIQUE index only', $T, '4-copy', 'ext', 'unique', '<=', 1.25, '<= 1.25x',
                       bench.trigger_info('4-copy', 'ext', 'unique', 'c_noop', 'plpgsql'));
SELECT bench.add_timed('w4-copy-plpgsql', '4 COPY with redeem_once vs PL/pgSQL trigger', $T, '4-copy', 'ext', 'plpgsql', '<=', 1.0 / 3, '<= 0.33x (3x faster)');
SELECT bench.add_timed('w4-redeem-unique', '4 UPDATE redeeming keys: redeem_once vs UNIQUE index only', $T, '4-redeem', 'ext', 'unique', '<=', 1.25, '<= 1.25x',
                       bench.trigger_info('4-redeem', 'ext', 'unique', 'c_noop', 'plpgsql'));
SELECT bench.add_timed('w4-redeem-plpgsql', '4 UPDATE redeeming keys: redeem_once vs PL/pgSQL trigger', $T, '4-redeem', 'ext', 'plpgsql', '<=', 1.0 / 3, '<= 0.33x (3x faster)');
SELECT bench.add_timed('w4-reassign-none', '4 UPDATE reassigning: reassign_after vs no trigger', $T, '4-reassign', 'ext', 'none', '<=', 1.25, '<= 1.25x',
                       bench.trigger_info('4-reassign', 'ext', 'none', 'c_noop', 'plpgsql'));
SELECT bench.add_timed('w4-reassign-plpgsql', '4 UPDATE reassigning: reassign_after vs PL/pgSQL trigger', $T, '4-reassign', 'ext', 'plpgsql', '<=', 1.0 / 3, '<= 0.33x (3x faster)');
EOF
}

# ------------------------------------------------------------------------
# 5. Concurrency: pgbench redemptions with collisions
# ------------------------------------------------------------------------
w5() {
	local S=$T
	log "5: pgbench, 8 clients, ${PGB_SECONDS}s a run: redemptions over $S keys, half of them already redeemed"
	sql >/dev/null <<EOF
DROP TABLE IF EXISTS w5_space;
CREATE TABLE w5_space (n int PRIMARY KEY, key mpn.product_key NOT NULL);
INSERT INTO w5_space SELECT n, bench.key_text(n)::mpn.product_key FROM generate_series(1, $S) n;
VACUUM ANALYZE w5_space;
CREATE OR REPLACE FUNCTION bench.w5_redeem(k int) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
    INSERT INTO bench_w5 (key, redeemed_on) SELECT key, current_date FROM w5_space WHERE n = k;
    RETURN true;
EXCEPTION WHEN unique_violation THEN
    RETURN false;           -- the key was redeemed already: refused, the client goes on
END \$\$;
EOF
	cat >"$WORK/w5.pgbench" <<EOF
\set k random(1, $S)
SELECT bench.w5_redeem(:k);
EOF
	local prep="DROP TABLE IF EXISTS bench_w5; CREATE TABLE bench_w5 (key mpn.product_key NOT NULL, redeemed_on date, UNIQUE (key));
INSERT INTO bench_w5 SELECT key, current_date - 1 FROM w5_space WHERE n % 2 = 0; VACUUM ANALYZE bench_w5;"
	local trig="CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON bench_w5 FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_on');"
	local r v out tps rows distinct tx
	for ((r = 0; r <= RUNS; r++)); do
		for v in $([ $((r % 2)) = 0 ] && echo "ext unique" || echo "unique ext"); do
			if [ "$v" = ext ]; then sql <<<"$prep $trig CHECKPOINT;" >/dev/null; else sql <<<"$prep CHECKPOINT;" >/dev/null; fi
			out=$("$BIN/pgbench" -n -M prepared -c 8 -j 2 -T "$PGB_SECONDS" -f "$WORK/w5.pgbench" 2>&1) || {
				echo "$out" >&2; return 1; }
			tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p')
			tx=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
			[ -n "$tps" ] || { echo "$out" >&2; return 1; }
			IFS='|' read -r rows distinct <<<"$(sql -c "SELECT count(*), count(DISTINCT key) FROM bench_w5")"
			if [ "$rows" != "$distinct" ]; then
				echo "5: INVARIANT BROKEN ($v): $rows redemptions of $distinct keys" >&2
				return 1
			fi
			sql >/dev/null -c "INSERT INTO bench.timings (case_name, variant, run, ms) VALUES ('5-pgbench', '$v', $r, $tps), ('5-tx', '$v', $r, $tx), ('5-new', '$v', $r, $rows - $S / 2)"
		done
	done
	log "   5-pgbench: ext=$(sql -c "SELECT round(bench.median('5-pgbench', 'ext')::numeric)") tps unique=$(sql -c "SELECT round(bench.median('5-pgbench', 'unique')::numeric)") tps"
	sql >/dev/null <<EOF
SELECT bench.add('w5-pgbench', '5 pgbench 8 clients: redeem_once vs UNIQUE index only (throughput)', $S,
                 bench.median('5-pgbench', 'ext'), bench.median('5-pgbench', 'unique'), 'tps', '>=', 0.8, '>= 0.80x',
                 format('invariant checked after every run: no key redeemed twice; with redeem_once %s%% of attempts collided (refused)',
                        (SELECT round((100 - 100.0 * sum(n.ms) / sum(t.ms))::numeric, 1)
                           FROM bench.timings t JOIN bench.timings n USING (variant, run)
                          WHERE t.case_name = '5-tx' AND n.case_name = '5-new' AND t.variant = 'ext' AND t.run > 0)));
EOF
}

# ------------------------------------------------------------------------
# 6. Scale-up: a BI aggregate over the ledger's views
# ------------------------------------------------------------------------
w6() {
	local P=$(( N / 20 ))
	log "6: ledger with $N product keys of $P partners: loading"
	sql >/dev/null <<EOF
DROP SCHEMA IF EXISTS bi CASCADE;
SELECT mpn.create_ledger('bi');
INSERT INTO bi.partners (partner_id, name) SELECT p, 'Partner ' || p FROM generate_series(1, $P) p;
-- bulk load as a restore does: valid by construction, triggers and foreign key checks skipped
SET session_replication_role = replica;
INSERT INTO bi.product_keys (key, partner_id, licenses, redeemed_on)
SELECT bench.key_text(n)::mpn.product_key, 1 + n % $P, 1 + (n & 7)::int * 5,
       CASE WHEN (hashint8extended(n, 34) & 1023) < 700
            THEN current_date - ((hashint8extended(n, 35) & 2147483647) % 420)::int END
  FROM generate_series(1, $N) n;
RESET session_replication_role;
VACUUM (FREEZE, ANALYZE) bi.product_keys;
EOF
	# run as it is (EXECUTE discards its 4 rows): wrapped in another query,
	# the planner would drop the aggregates nobody reads
	local q="SELECT status, count(*), count(days_left), sum(days_left), min(valid_until), max(valid_until) FROM bi.key_status GROUP BY status"
	local par="SET parallel_setup_cost = 10; SET parallel_tuple_cost = 0.001; SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = on"
	local workers
	workers=$(sql -c "$par; SET max_parallel_workers_per_gather = 2" \
		-c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $q" | grep -E 'Workers (Planned|Launched)' | sed 's/^ *//' | tr '\n' ' ')
	log "6: EXPLAIN with 2 workers: $workers"
	local planned launched
	planned=$(echo "$workers" | sed -n 's/.*Workers Planned: \([0-9]*\).*/\1/p')
	launched=$(echo "$workers" | sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p')
	measure 6-bi "$RUNS" \
		workers2 '' "$par; SET max_parallel_workers_per_gather = 2" "$q" \
		workers0 '' "$par; SET max_parallel_workers_per_gather = 0" "$q"
	sql >/dev/null <<EOF
SELECT bench.add('w6-workers', '6 BI aggregate over key_status: parallel workers launched / planned', $N,
                 ${launched:-0}, ${planned:-0}, 'workers', '>=', 1.0, 'plan uses workers, all launched',
                 'EXPLAIN: ${workers:-no Workers lines}');
SELECT bench.add_timed('w6-speedup', '6 BI aggregate over key_status: 2 workers vs none', $N, '6-bi', 'workers2', 'workers0', '<=', 1 / 1.6, '<= 0.625x (1.6x faster)');
EOF
	[ "${launched:-0}" -ge 1 ] || log "6: no parallel workers launched"
}

# ------------------------------------------------------------------------
# 7. Memory: peak RSS of a fresh backend at N/10 and N rows
# ------------------------------------------------------------------------
w7() {
	local small=$(( N / 10 )) big=$N tsmall=$(( T / 10 ))
	log "7: backend peak memory at $small and $big rows"
	sql -c "SELECT 1 FROM w1 LIMIT 1" >/dev/null 2>&1 || { echo "7 needs workload 1's table (run with --only including 1)" >&2; return 1; }
	local rules="count(mpn.benefit_expiry(enrolled_on)), count(mpn.activation_deadline(enrolled_on, needs_user)), count(mpn.key_valid_until(enrolled_on)), count(mpn.can_reassign(assigned_on, $D)), count(mpn.add_licenses(term, 100, $D))"
	local gen="SELECT '2015-01-01'::date + (g & 4095) AS enrolled_on, g % 3 = 0 AS needs_user, $D - (g & 255) AS assigned_on, mpn.license_term(1 + g % 200, '2023-06-01'::date + g % 200, '2024-06-01'::date + g % 300) AS term FROM (SELECT generate_series(1, @N@) g) g"
	local n hwm shm
	for n in $small $big; do
		# a fresh backend for each measurement
		IFS='|' read -r hwm shm <<<"$(sql -c "SELECT $rules FROM (SELECT * FROM w1 LIMIT $n) s" -c "SELECT * FROM bench.backend_memory()" | tail -1)"
		sql >/dev/null -c "INSERT INTO bench.timings (case_name, variant, run, ms) VALUES ('7-table-hwm', '$n', 1, $hwm), ('7-table-private', '$n', 1, $hwm - $shm)"
		IFS='|' read -r hwm shm <<<"$(sql -c "SELECT $rules FROM (${gen//@N@/$n}) s" -c "SELECT * FROM bench.backend_memory()" | tail -1)"
		sql >/dev/null -c "INSERT INTO bench.timings (case_name, variant, run, ms) VALUES ('7-gen-hwm', '$n', 1, $hwm), ('7-gen-private', '$n', 1, $hwm - $shm)"
	done
	local keys="DROP TABLE IF EXISTS bench_trig_keys; CREATE TABLE bench_trig_keys (key mpn.product_key NOT NULL, redeemed_on date, UNIQUE (key)); CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON bench_trig_keys FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_on');"
	local f
	for f in w4_keys_tenth w4_keys; do
		[ -f "$WORK/$f.tsv" ] || { echo "7 needs workload 4's files (run with --only including 4)" >&2; return 1; }
		sql <<<"$keys" >/dev/null
		IFS='|' read -r hwm shm <<<"$(sql -c "COPY bench_trig_keys FROM '$WORK/$f.tsv'" -c "SELECT * FROM bench.backend_memory()" | tail -1)"
		sql >/dev/null -c "INSERT INTO bench.timings (case_name, variant, run, ms) VALUES ('7-copy-hwm', '$f', 1, $hwm), ('7-copy-private', '$f', 1, $hwm - $shm)"
	done
	sql >/dev/null <<EOF
SELECT bench.add('w7-gen', '7 peak RSS (VmHWM), rule functions on generated rows: $big vs $small rows', $big,
                 bench.median('7-gen-hwm', '$big'), bench.median('7-gen-hwm', '$small'), 'kB', '<=', 1.1, '<= 1.10x (no growth)');
SELECT bench.add('w7-table', '7 peak private RSS (VmHWM - RssShmem), rule functions on table w1: $big vs $small rows', $big,
                 bench.median('7-table-private', '$big'), bench.median('7-table-private', '$small'), 'kB', '<=', 1.1, '<= 1.10x (no growth)',
                 format('table scan VmHWM including touched shared buffers: %s MB at %s rows, %s MB at %s rows',
                        round((bench.median('7-table-hwm', '$big') / 1024)::numeric, 1), $big,
                        round((bench.median('7-table-hwm', '$small') / 1024)::numeric, 1), $small));
SELECT bench.add('w7-copy', '7 peak private RSS (VmHWM - RssShmem), COPY with redeem_once: $T vs $tsmall rows', $T,
                 bench.median('7-copy-private', 'w4_keys'), bench.median('7-copy-private', 'w4_keys_tenth'), 'kB', '<=', 1.1, '<= 1.10x (no growth)');
EOF
}

#
# Run the workloads, then print and write the table
#
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
sql -c "ALTER DATABASE $PGDATABASE SET search_path = public, mpn" >/dev/null
sql -f bench/lib.sql >/dev/null
log "the server runs $(sql -c "SELECT mpn.today() IS NOT NULL" -c "SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/maps') FROM '[^ ]*/mpn_benefits.so')" | tail -1)"
failed=()
for w in $ONLY; do
	case "$w" in [1-7]) ;; *) echo "bench/run.sh: no workload $w" >&2; exit 2 ;; esac
	set +e
	( set -e; "w$w" )
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		log "WORKLOAD $w FAILED (exit status $rc)"
		failed+=("$w")
	fi
done
elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
pgversion=$(sql -c "SELECT version()")
commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [ -n "$(sql -c "SELECT setting FROM pg_settings WHERE name = 'extension_destdir'")" ]; then
	build="commit $commit, mpn_benefits.so md5 ${BENCH_SO_MD5:-?} (a snapshot of that build, loaded through extension_destdir)"
else
	build="commit $commit (the installed mpn_benefits.so)"
fi
machine="$(nproc) CPUs ($cpu), $mem memory"
mode=$([ "$QUICK" = 1 ] && echo "quick" || echo "full")
settings="shared_buffers=4GB, work_mem=64MB, synchronous_commit=off, jit=off, autovacuum=off, max_parallel_workers_per_gather=0 except workload 6"

echo
echo "mpn_benefits benchmark ($mode): $(date -u '+%Y-%m-%d %H:%M UTC'), $build"
echo "machine: $machine; load average $load_before at the start, $load_after at the end"
echo "server: $pgversion"
echo "sizes: $N rows (rules, keys, terms, ledger), $T rows (triggers, pgbench key space); medians of $RUNS runs after a warm-up; ratio = extension / alternative"
echo "settings: $settings"
echo
psql -X -q -P footer=off -c "SELECT workload, rows, extension, alternative, ratio, target, met AS \"met?\" FROM bench.report ORDER BY ord"
sql -c "SELECT '  ' || key || ': ' || info FROM bench.report WHERE info IS NOT NULL ORDER BY ord"
missed=$(sql -c "SELECT key FROM bench.report WHERE met = 'no' ORDER BY ord")
if [ -n "$missed" ]; then
	echo
	echo "missed targets: $(echo $missed)  (causes: bench/notes/<key>.md)"
fi

{
	echo "# mpn_benefits benchmark results"
	echo
	echo "Written by \`bash bench/run.sh$([ "$QUICK" = 1 ] && echo ' --quick')\` (overwritten on every run)."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), $mode mode, ${elapsed} s"
	echo "- build: $build"
	echo "- machine: $machine; load average $load_before at the start, $load_after at the end (other jobs on the machine add noise)"
	echo "- server: $pgversion"
	echo "- sizes: $N rows for rule functions, keys, terms and the ledger; $T rows for triggers and the pgbench key space"
	echo "- method: medians of $RUNS runs after a warm-up, variants interleaved; times taken inside the server (clock_timestamp() around EXECUTE; every query consumes its rows with count()); ratio = extension / alternative"
	echo "- settings: $settings"
	echo
	echo "| workload | rows | extension | alternative | ratio | target | met? |"
	echo "| --- | ---: | ---: | ---: | ---: | --- | --- |"
	sql -c "SELECT format('| %s | %s | %s | %s | %s | %s | %s |', workload, rows, extension, alternative, ratio, target, met) FROM bench.report ORDER BY ord"
	echo
	info=$(sql -c "SELECT '- ' || key || ': ' || info FROM bench.report WHERE info IS NOT NULL ORDER BY ord")
	if [ -n "$info" ]; then
		echo "$info"
		echo
	fi
	echo "Backend CPU time of the same runs (medians; /proc/<pid>/schedstat, the timing backend only: parallel workers are not counted):"
	echo
	echo "| workload | extension CPU | alternative CPU | CPU ratio |"
	echo "| --- | ---: | ---: | ---: |"
	sql -c "SELECT format('| %s | %s | %s | %s |', workload, ext_cpu, alt_cpu, cpu_ratio) FROM bench.report WHERE cpu_ratio IS NOT NULL ORDER BY ord"
	echo
	if [ -n "$missed" ]; then
		echo "## Missed targets"
		echo
		for k in $missed; do
			if [ -f "bench/notes/$k.md" ]; then
				cat "bench/notes/$k.md"
			else
				echo "- **$k**: missed in this run; no profile note recorded for it (bench/notes/$k.md)."
			fi
			echo
		done
	fi
	if [ ${#failed[@]} -gt 0 ]; then
		echo "## Failed workloads: ${failed[*]}"
	fi
} >"$RESULTS"
echo
echo "results written to $RESULTS"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED workloads: ${failed[*]}" >&2
	exit 1
fi
