#!/usr/bin/env bash
# Notices of deadlines (issue 17, point 7): what the sweep costs over a
# ledger of 1,000,000 product keys, and how fast concurrent senders drain a
# queue of 100,000 notices, with no notice sent twice.
#
# Usage: bash bench/notices.sh [--keys N] [--senders S] [--notices M]
#                              [--batches "1 10 100"] [--runs R] [--quick] [--results FILE]
#   --keys N        product keys in the ledger (default 1000000): mpn.fill_ledger
#                   with N / 20 partners (20 keys each, 7 in 10 redeemed)
#   --senders S     concurrent sender processes (default 8)
#   --notices M     pending notices the senders drain (default 100000)
#   --batches LIST  claim sizes, one drain each (default "1 10 100")
#   --runs R        timed runs of each repeatable sweep; the median is
#                   reported (default 3)
#   --quick         50000 keys, 10000 notices: a smoke run (under a minute;
#                   the full run takes about 5 minutes on 2 CPUs)
#   --results FILE  where to write the markdown (default bench/notices-results.md)
#
# Runs on a throwaway cluster of Debian's PostgreSQL 15 with the extension
# as installed (scripts/install.sh): shared_buffers 1GB, max_wal_size 4GB,
# everything else as initdb leaves it (synchronous_commit on, autovacuum
# on, work_mem 4MB).  The ledger and the queues fit in memory.
#
# 1. Sweeps.  A ledger (mpn.create_ledger) filled by mpn.fill_ledger around
#    a fixed day D = 2025-06-15 (as_of), so that 7 in 10 keys are redeemed
#    over the 420 days before D and about 1 redeemed key in 13 has its last
#    usable day within the 30 days from D; benefits and subscriptions come
#    in proportion (4 benefits and 1-4 subscriptions a partner).  Then
#    VACUUM ANALYZE and a checkpoint, and the sweeps of its deadlines view
#    into its queue, timed by psql (\timing):
#      first sweep on D     on an empty queue: TRUNCATE before each run
#      second sweep on D    the same day again: must queue 0 (repeatable as is;
#                           after VACUUM ANALYZE of the queue, as autovacuum
#                           would have done by an hourly sweep's next run)
#      sweep on D + 1       the next day: each run in a transaction rolled
#                           back (the queue vacuumed between runs); then
#                           once for real, with a second session sweeping the
#                           same queue at once (it waits on the sweep's
#                           lock on the queue, then queues 0) and a claim meanwhile
#                           (as of D + 1: not blocked, SKIP LOCKED); then once
#                           more (0)
#    and, untimed, the plan of the first sweep (auto_explain, in a rolled
#    back transaction).
# 2. Senders.  A table of M deadlines all due on the day of the run under
#    one threshold (7 days; last days spread over the coming week), swept
#    once into a fresh queue (mpn.create_notice_queue), VACUUM ANALYZE; then
#    S psql processes at once, each a loop of one transaction per batch:
#      BEGIN; SELECT ... FROM mpn.claim_notices(queue, B);
#      SELECT id, mpn.notice_sent(queue, id);  -- one statement per notice
#      COMMIT;
#    until a claim returns nothing.  Each sender logs every id it reported
#    and what notice_sent answered.  Checked afterwards: every notice sent,
#    attempts = 1 for all, none pending, the senders' logs hold each id of
#    the queue exactly once and notice_sent answered true each time.  While
#    they run, pg_stat_activity is sampled every 0.1 s (what the senders'
#    backends wait on); the claim index's statistics tell how many index
#    entries a claim reads.  Finally the cost of each function call alone,
#    in a server-side loop (no round trips), on a queue of 2000 notices.
#
# Writes FILE (markdown: machine, versions, settings, the tables) and prints
# it.  The exit status is non-zero when a check fails (a second sweep that
# queues something, a notice sent twice or not sent).
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."

KEYS=1000000 SENDERS=8 NOTICES=100000 BATCHES="1 10 100" RUNS=3 QUICK=0
RESULTS=bench/notices-results.md
ARGS="$*"
while [ $# -gt 0 ]; do
	case "$1" in
		--keys) KEYS=$2; shift 2 ;;
		--senders) SENDERS=$2; shift 2 ;;
		--notices) NOTICES=$2; shift 2 ;;
		--batches) BATCHES=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--quick) QUICK=1; KEYS=50000 NOTICES=10000; shift ;;
		--results) RESULTS=$2; shift 2 ;;
		-h | --help) sed -n '2,/^set -euo/{/^#/p}' "$SELF"; exit 0 ;;
		*) echo "bench/notices.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
case "$KEYS$SENDERS$NOTICES$RUNS${BATCHES// /}" in
	*[!0-9]*) echo "bench/notices.sh: sizes take numbers" >&2; exit 2 ;;
esac
if [ "$KEYS" -lt 20 ] || [ "$SENDERS" -lt 1 ] || [ "$NOTICES" -lt 1 ] || [ "$RUNS" -lt 1 ] || [ -z "${BATCHES// /}" ]; then
	echo "bench/notices.sh: at least 20 keys, 1 sender, 1 notice, 1 run, 1 batch size" >&2; exit 2
fi
PGC=/usr/lib/postgresql/15/bin/pg_config
WORK=$(mktemp -d /tmp/mpn-notices-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export KEYS SENDERS NOTICES BATCHES RUNS QUICK RESULTS WORK ARGS PGC
export BENCH_STARTED=$(date +%s) BENCH_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
export BENCH_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

inner() {
	set -euo pipefail
	local D=2025-06-15 D1=2025-06-16
	local partners=$(( (KEYS + 19) / 20 ))
	q() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
	log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
	# the median of numbers, one a line
	median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	# timed STATEMENT...: the answer of the first statement other than
	# BEGIN/ROLLBACK/COMMIT/SET and its time (ms) by \timing (its Time: line is
	# the Nth, N = its position among the statements), on one line
	timed() {
		local n=0 pos=0 a out
		local -a cargs=()
		for a in "$@"; do
			n=$((n + 1))
			case "$a" in BEGIN | ROLLBACK | COMMIT | SET\ *) ;; *) [ "$pos" != 0 ] || pos=$n ;; esac
			cargs+=(-c "$a")
		done
		out=$(q -c '\timing on' "${cargs[@]}")
		printf '%s %s\n' "$(grep -v '^Time: ' <<<"$out" | head -1)" \
			"$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | sed -n "${pos}p")"
	}
	# plan_of FIRST-LINE LOG: from psql's stderr with auto_explain at
	# client_min_messages = log, the plan of the statement whose text starts
	# with FIRST-LINE (its "LOG:  duration" line, then the plan's lines)
	plan_of() {
		awk -v first="$1" '/^LOG:  duration/ { if (keep) exit; hdr = $0; next }
			/^Query Text: *$/ { cand = 1; next }
			cand && index($0, first) == 1 { keep = 1; print hdr; next }
			{ cand = 0 }
			keep && /^[A-Z]|^  / { print }' "$2" | grep -v '^WITH\|^SELECT\|^--' || true
	}
	fail() { echo "bench/notices.sh: $*" >&2; echo "- **check failed**: $*" >>"$WORK/failures"; }
	: >"$WORK/failures"

	#
	# 1. The ledger and its sweeps
	#
	log "ledger: $partners partners ($KEYS keys) as of $D"
	local fill_ms
	q -c 'CREATE EXTENSION mpn_benefits' -c "SELECT mpn.create_ledger('l')" >/dev/null
	fill_ms=$(q -c "SET client_min_messages = warning" -c '\timing on' \
		-c "SELECT mpn.fill_ledger('l', partners => $partners, seed => 1, as_of => '$D')" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
	log "filled in $(( ${fill_ms%.*} / 1000 )) s; VACUUM ANALYZE, CHECKPOINT"
	q -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
	local keys redeemed deadlines_by_kind window_by_kind benefits subs
	keys=$(q -c 'SELECT count(*) FROM l.product_keys')
	redeemed=$(q -c 'SELECT count(*) FROM l.product_keys WHERE redeemed_on IS NOT NULL')
	benefits=$(q -c 'SELECT count(*) FROM l.benefits')
	subs=$(q -c 'SELECT count(*) FROM l.subscriptions')
	q -F '|' -c "SELECT kind, count(*), count(*) FILTER (WHERE last_day BETWEEN '$D' AND date '$D' + 30),
	                    count(*) FILTER (WHERE last_day BETWEEN '$D1' AND date '$D1' + 30)
	               FROM l.deadlines GROUP BY kind ORDER BY kind" >"$WORK/deadlines.tsv"
	local deadlines_total window_total
	deadlines_total=$(awk -F'|' '{ s += $2 } END { print s }' "$WORK/deadlines.tsv")
	window_total=$(awk -F'|' '{ s += $3 } END { print s }' "$WORK/deadlines.tsv")

	local sweep="SELECT mpn.enqueue_notices('l.deadlines', 'l.notices', on_date => '$D')"
	local sweep1="SELECT mpn.enqueue_notices('l.deadlines', 'l.notices', on_date => '$D1')"
	local r n ms res first_n='' first_ms=() second_ms=() next_n='' next_ms=()
	for r in $(seq "$RUNS"); do
		q -c 'TRUNCATE l.notices'
		res=$(timed "$sweep")
		read -r n ms <<<"$res"
		log "first sweep, run $r: $n queued, $ms ms"
		[ -z "$first_n" ] || [ "$first_n" = "$n" ] || fail "first sweep queued $n in run $r, $first_n before"
		first_n=$n first_ms+=("$ms")
	done
	q -F '|' -c "SELECT status, count(*) FROM l.notices GROUP BY status ORDER BY status" >"$WORK/after_first.tsv"
	q -F '|' -c "SELECT kind, count(*) FROM l.notices WHERE status = 'pending' GROUP BY kind ORDER BY kind" >"$WORK/pending_first.tsv"
	q -c 'VACUUM ANALYZE l.notices'
	for r in $(seq "$RUNS"); do
		res=$(timed "$sweep")
		read -r n ms <<<"$res"
		log "second sweep the same day, run $r: $n queued, $ms ms"
		[ "$n" = 0 ] || fail "the second sweep of $D queued $n (run $r)"
		second_ms+=("$ms")
	done
	for r in $(seq "$RUNS"); do
		res=$(timed BEGIN "$sweep1" ROLLBACK)
		read -r n ms <<<"$res"
		q -c 'VACUUM l.notices'
		log "sweep of the next day, run $r (rolled back): $n queued, $ms ms"
		[ -z "$next_n" ] || [ "$next_n" = "$n" ] || fail "the sweep of $D1 queued $n in run $r, $next_n before"
		next_n=$n next_ms+=("$ms")
	done

	# two sweeps of the next day at once, and a claim meanwhile: A sweeps
	# and holds its transaction open 2 s more; B starts 0.5 s after A and
	# waits on A's lock on the queue (SHARE UPDATE EXCLUSIVE, which sweeps
	# take to take turns)
	log "two sweeps of $D1 at once"
	local lock_key
	lock_key="locktype = 'relation' AND relation = 'l.notices'::regclass AND mode = 'ShareUpdateExclusiveLock'"
	( timed BEGIN "$sweep1" "SELECT pg_sleep(2)" COMMIT >"$WORK/sweep_a" ) &
	local pid_a=$!
	sleep 0.5
	( timed "$sweep1" >"$WORK/sweep_b" ) &
	local pid_b=$!
	sleep 0.5
	local waiting holder claim_during
	waiting=$(q -c "SELECT count(*) FROM pg_locks WHERE $lock_key AND NOT granted")
	holder=$(q -c "SELECT count(*) FROM pg_locks WHERE $lock_key AND granted")
	# (a claim takes the notices whose last day is mpn.today() or later:
	# today is D + 1 for it)
	claim_during=$(timed "SET mpn.as_of_date = '$D1'" BEGIN "SELECT count(*) FROM mpn.claim_notices('l.notices', 100)" ROLLBACK)
	wait "$pid_a" "$pid_b"
	local a_n a_ms b_n b_ms
	read -r a_n a_ms <"$WORK/sweep_a"
	read -r b_n b_ms <"$WORK/sweep_b"
	log "A queued $a_n ($a_ms ms), B $b_n (B's call: $b_ms ms); $waiting waiting on the lock, $holder holding it; a claim meanwhile: $claim_during"
	[ "$a_n" = "$next_n" ] || fail "sweep A of $D1 queued $a_n, the rolled-back runs $next_n"
	[ "$b_n" = 0 ] || fail "sweep B of $D1, concurrent with A, queued $b_n"
	[ "$waiting" = 1 ] || fail "$waiting sessions seen waiting on the sweep's lock on the queue, not 1"
	local again_n again_ms
	res=$(timed "$sweep1")
	read -r again_n again_ms <<<"$res"
	[ "$again_n" = 0 ] || fail "the second sweep of $D1 queued $again_n"
	q -F '|' -c "SELECT status, count(*) FROM l.notices GROUP BY status ORDER BY status" >"$WORK/after_next.tsv"

	# the plan of the first sweep, untimed (auto_explain in a rolled back
	# transaction)
	q -c "LOAD 'auto_explain'" -c 'SET auto_explain.log_min_duration = 0' \
	  -c 'SET auto_explain.log_analyze = on' -c 'SET auto_explain.log_nested_statements = on' \
	  -c 'SET client_min_messages = log' \
	  -c BEGIN -c 'TRUNCATE l.notices' -c "$sweep" -c ROLLBACK 2>"$WORK/plan.log" >/dev/null
	plan_of 'WITH reach AS' "$WORK/plan.log" >"$WORK/plan.txt"

	#
	# 2. Senders draining a queue
	#
	log "senders: $NOTICES notices, $SENDERS senders, batches of $BATCHES"
	q -c "CREATE TABLE nq_deadlines AS
	      SELECT 'subscription_last_day'::text AS kind, i::text AS object_id,
	             mpn.today() + (i % 8) AS last_day, (1 + i % 5000)::bigint AS partner_id,
	             'Partner ' || (1 + i % 5000) AS partner_name,
	             format('Microsoft 365 E3 subscription %s, %s licenses', i, 1 + i % 200) AS subject
	        FROM generate_series(1, $NOTICES) i" \
	  -c 'ANALYZE nq_deadlines'
	# one sender's loop: a block per batch, repeated; the wrapper reruns
	# psql if a sender ever gets through all of them
	cat >"$WORK/block.sql" <<'EOF'
BEGIN;
SELECT count(*) AS n, count(*) > 0 AS got, coalesce(string_agg(format('SELECT %s AS sent, mpn.notice_sent(%L, %s);', id, :'queue', id), ' '), '') AS stmts FROM mpn.claim_notices(:'queue', :batch) \gset
\if :got
\echo batch :n
:stmts
COMMIT;
\else
COMMIT;
\echo drained
\q
\endif
EOF
	local block
	block=$(<"$WORK/block.sql")
	# the sampler: what the senders' backends are doing, every 0.1 s
	local sample="SELECT state, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '') FROM pg_stat_activity WHERE application_name = 'mpn-sender';"
	{ for ((i = 0; i < 6000; i++)); do printf '%s\nSELECT pg_sleep(0.1) \\g /dev/null\n' "$sample"; done; } >"$WORK/sampler.sql"
	sender() {	# NUMBER BATCH QUEUE FILE
		local log=$WORK/sender.$2.$1
		: >"$log"
		until grep -q '^drained$' "$log"; do
			PGAPPNAME=mpn-sender q -v queue="$3" -v batch="$2" -f "$4" >>"$log" || return 1
		done
	}
	: >"$WORK/drains.tsv"
	local claim_plan_b='' b queue iters sweep_n sweep_ms idx before after t0 t1 sampler s pids status
	for b in $BATCHES; do
		queue=nq_b$b
		q -c "SELECT mpn.create_notice_queue('public.$queue')" >/dev/null
		res=$(timed "SELECT mpn.enqueue_notices('nq_deadlines', '$queue', thresholds => '{7}')")
		read -r sweep_n sweep_ms <<<"$res"
		[ "$sweep_n" = "$NOTICES" ] || fail "the sweep of nq_deadlines into $queue queued $sweep_n, not $NOTICES"
		q -c "VACUUM ANALYZE $queue"
		if [ ! -s "$WORK/claim_plan.txt" ]; then
			# the plan of a claim, untimed (a transaction rolled back)
			q -c "LOAD 'auto_explain'" -c 'SET auto_explain.log_min_duration = 0' \
			  -c 'SET auto_explain.log_analyze = on' -c 'SET auto_explain.log_nested_statements = on' \
			  -c 'SET client_min_messages = log' \
			  -c BEGIN -c "SELECT count(*) FROM mpn.claim_notices('$queue', $b)" -c ROLLBACK 2>"$WORK/claim_plan.log" >/dev/null
			plan_of 'WITH picked AS' "$WORK/claim_plan.log" >"$WORK/claim_plan.txt"
			claim_plan_b=$b
		fi
		idx=$(q -c "SELECT indexrelid::regclass FROM pg_index WHERE indrelid = '$queue'::regclass AND indpred IS NOT NULL")
		iters=$(( (NOTICES + b * SENDERS - 1) / (b * SENDERS) * 2 + 20 ))
		{ for ((i = 0; i < iters; i++)); do printf '%s\n' "$block"; done; } >"$WORK/sender.$b.sql"
		before=$(q -F ' ' -c "SELECT i.idx_scan, i.idx_tup_read, t.n_tup_upd, t.n_tup_hot_upd
		                        FROM pg_stat_user_indexes i, pg_stat_user_tables t
		                       WHERE i.indexrelid = '$idx'::regclass AND t.relid = '$queue'::regclass")
		psql -X -q -At -d postgres -f "$WORK/sampler.sql" >"$WORK/samples.$b" 2>/dev/null &
		sampler=$!		# psql's own PID: stopped when the senders are done
		t0=$(date +%s.%N)
		pids=()
		for s in $(seq "$SENDERS"); do
			sender "$s" "$b" "$queue" "$WORK/sender.$b.sql" &
			pids+=($!)
		done
		status=0
		for s in "${pids[@]}"; do wait "$s" || status=1; done
		t1=$(date +%s.%N)
		kill "$sampler" 2>/dev/null || true
		wait "$sampler" 2>/dev/null || true
		[ "$status" = 0 ] || fail "a sender of batch $b failed (its log: $(tail -3 "$WORK"/sender."$b".* | tr '\n' ' '))"
		sleep 1		# the senders' backends report their statistics as they exit
		after=$(q -F ' ' -c "SELECT i.idx_scan, i.idx_tup_read, t.n_tup_upd, t.n_tup_hot_upd
		                       FROM pg_stat_user_indexes i, pg_stat_user_tables t
		                      WHERE i.indexrelid = '$idx'::regclass AND t.relid = '$queue'::regclass")
		# the checks: the logs, then the queue against the logs
		local lines ids dups notrue batches short per_min per_max empty
		cat "$WORK"/sender."$b".* | grep '|' >"$WORK/sent.$b" || true
		lines=$(wc -l <"$WORK/sent.$b")
		ids=$(cut -d'|' -f1 "$WORK/sent.$b" | sort -u | wc -l)
		dups=$(cut -d'|' -f1 "$WORK/sent.$b" | sort | uniq -d | wc -l)
		notrue=$(grep -vc '|t$' "$WORK/sent.$b" || true)
		batches=$(cat "$WORK"/sender."$b".* | grep -c '^batch ' || true)
		short=$(cat "$WORK"/sender."$b".* | awk -v b="$b" '/^batch / && $2 < b' | wc -l)
		read -r per_min per_max < <(for s in $(seq "$SENDERS"); do grep -c '|' "$WORK/sender.$b.$s" || true; done |
			sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo, hi }')
		cut -d'|' -f1 "$WORK/sent.$b" >"$WORK/ids.$b"
		q -c "CREATE TABLE log_$b (id bigint)" -c "\\copy log_$b FROM '$WORK/ids.$b'"
		local check
		check=$(q -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE status = 'sent'),
		                            count(*) FILTER (WHERE attempts = 1),
		                            count(*) FILTER (WHERE status = 'pending'),
		                            (SELECT count(*) FROM $queue q FULL JOIN (SELECT id, count(*) AS c FROM log_$b GROUP BY id) l USING (id)
		                              WHERE q.id IS NULL OR l.id IS NULL OR l.c <> 1)
		                       FROM $queue")
		local total sent once pending mismatch
		read -r total sent once pending mismatch <<<"$check"
		[ "$lines" = "$NOTICES" ] && [ "$ids" = "$NOTICES" ] && [ "$dups" = 0 ] && [ "$notrue" = 0 ] ||
			fail "batch $b: the senders' logs hold $lines reports of $ids ids ($dups ids twice, $notrue answers not true); $NOTICES notices"
		[ "$total" = "$NOTICES" ] && [ "$sent" = "$NOTICES" ] && [ "$once" = "$NOTICES" ] && [ "$pending" = 0 ] && [ "$mismatch" = 0 ] ||
			fail "batch $b: queue $total notices, $sent sent, $once with attempts = 1, $pending pending, $mismatch ids not logged exactly once"
		local verdict="yes"
		[ "$lines$ids$total$sent$once" = "$NOTICES$NOTICES$NOTICES$NOTICES$NOTICES" ] && [ "$dups$notrue$pending$mismatch" = 0000 ] || verdict="**no**"
		empty=$(grep -c '^drained$' "$WORK"/sender."$b".* | awk -F: '{ s += $2 } END { print s }')
		local secs rate per_claim hot
		secs=$(awk -v a="$t0" -v z="$t1" 'BEGIN { printf "%.2f", z - a }')
		rate=$(awk -v n="$NOTICES" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
		read -r per_claim hot < <(awk -v x="$before" -v y="$after" 'BEGIN {
			split(x, a, " "); split(y, c, " ");
			scans = c[1] - a[1]; reads = c[2] - a[2]; upd = c[3] - a[3]; hot = c[4] - a[4];
			printf "%.1f %s\n", (scans ? reads / scans : 0), (upd ? sprintf("%d of %d (%.0f%%)", hot, upd, 100 * hot / upd) : "-") }')
		# the wait profile: share of samples of each (state, wait event)
		local nsamples waits
		nsamples=$(wc -l <"$WORK/samples.$b")
		waits=$(awk -F'|' '{ k = $1 ($3 == "" ? (" / " $2) : (" / " $2 ":" $3)); c[k]++; n++ }
		                  END { for (k in c) printf "%.0f%% %s\n", 100 * c[k] / n, k }' "$WORK/samples.$b" |
			sort -rn | head -6 | paste -sd ';' | sed 's/;/; /g')
		log "batch $b: $NOTICES notices in $secs s ($rate/s), $batches batches ($short short), $empty empty claims; per sender $per_min-$per_max; index entries per claim $per_claim; HOT $hot; no notice twice: $verdict"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$b" "$sweep_ms" "$secs" "$rate" "$batches" "$short" \
			"$empty" "$per_min-$per_max" "$per_claim" "$hot" "$verdict" "$lines" "$nsamples" "$waits" >>"$WORK/drains.tsv"
		q -c "DROP TABLE log_$b"
	done

	# the cost of each call alone: server-side loops over a queue of 2000
	# pending notices, each call in a subtransaction rolled back (so that
	# every claim finds the same queue), in a transaction rolled back
	log "the cost of each call alone"
	q -c "SELECT mpn.create_notice_queue('public.nq_cost')" \
	  -c "CREATE TABLE nq_cost_deadlines AS SELECT * FROM nq_deadlines ORDER BY object_id::int LIMIT 2000" \
	  -c "SELECT mpn.enqueue_notices('nq_cost_deadlines', 'nq_cost', thresholds => '{7}')" \
	  -c 'VACUUM ANALYZE nq_cost' >/dev/null
	q -F '|' >"$WORK/calls.tsv" <<'EOF'
CREATE FUNCTION pg_temp.per_call(label text, n int, stmt text) RETURNS TABLE (what text, calls int, us float8)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp(); i int;
BEGIN
	FOR i IN 1..n LOOP
		BEGIN
			EXECUTE stmt USING 1 + (i - 1) % 2000;
			RAISE EXCEPTION 'undone';
		EXCEPTION WHEN raise_exception THEN NULL;
		END;
	END LOOP;
	RETURN QUERY SELECT label, n, extract(epoch FROM clock_timestamp() - t0)::float8 * 1e6 / n;
END $$;
BEGIN;
SELECT * FROM pg_temp.per_call('`SELECT 1` (the floor: the loop and its subtransaction)', 2000, $$SELECT 1$$);
SELECT * FROM pg_temp.per_call('`mpn.check_notice_queue(q)` (every call below makes it)', 2000, $$SELECT mpn.check_notice_queue('nq_cost')$$);
SELECT * FROM pg_temp.per_call('`mpn.claim_notices(q, 1)`', 1000, $$SELECT count(*) FROM mpn.claim_notices('nq_cost', 1)$$);
SELECT * FROM pg_temp.per_call('`mpn.claim_notices(q, 10)`', 1000, $$SELECT count(*) FROM mpn.claim_notices('nq_cost', 10)$$);
SELECT * FROM pg_temp.per_call('`mpn.claim_notices(q, 100)`', 500, $$SELECT count(*) FROM mpn.claim_notices('nq_cost', 100)$$);
SELECT * FROM pg_temp.per_call('`mpn.notice_sent(q, id)`', 2000, $$SELECT mpn.notice_sent('nq_cost', $1::bigint)$$);
SELECT * FROM pg_temp.per_call('the UPDATE of notice_sent as a plain statement', 2000,
	$$UPDATE nq_cost SET status = 'sent', sent_at = now(), claimed_until = NULL WHERE id = $1 AND status = 'pending'$$);
ROLLBACK;
EOF

	#
	# The results file
	#
	local elapsed mode cpu mem
	elapsed=$(( $(date +%s) - BENCH_STARTED ))
	mode=$([ "$QUICK" = 1 ] && echo "quick mode (a smoke run)" || echo "full run")
	cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
	mem=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
	cell() { awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v; else printf "%.1f", v }'; }
	list() { local x out=''; for x in "$@"; do out="$out${out:+, }$(cell "$x")"; done; echo "$out"; }
	{
		echo "# mpn_benefits: notices of deadlines (issue 17)"
		echo
		echo "Written by \`bash bench/notices.sh${ARGS:+ $ARGS}\` (overwritten on every run)."
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), $mode, $elapsed s in all"
		echo "- machine: Debian $(cat /etc/debian_version 2>/dev/null), $(nproc) CPUs ($cpu) shared with other work, $mem memory; load average $BENCH_LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other jobs on the machine add noise to every time here)"
		echo "- server: $(q -c 'SELECT version()')"
		echo "- extension: mpn_benefits $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits'") as installed in $("$PGC" --sharedir)/extension (mpn_benefits.so md5 $(md5sum "$("$PGC" --pkglibdir)/mpn_benefits.so" | cut -c1-12)); repository at commit $BENCH_COMMIT"
		echo "- cluster: scripts/throwaway-cluster.sh, shared_buffers=1GB, max_wal_size=4GB; otherwise initdb's defaults: synchronous_commit on (every commit waits for its WAL flush; fsync takes about 0.2 ms on this disk), autovacuum on, work_mem 4MB, jit on"
		echo "- times: psql's \`\\timing\` (client round trip included) for sweeps; wall clock from the first sender's start to the last one's end for drains"
		echo
		echo "## 1. Sweeps of a ledger's deadlines"
		echo
		echo "\`mpn.create_ledger('l')\`, then \`mpn.fill_ledger('l', partners => $partners, seed => 1, as_of => '$D')\` ($(cell "$(awk -v m="$fill_ms" 'BEGIN { print m / 1000 }')") s): $keys product keys, $redeemed of them redeemed (redeemed over the 420 days before $D), $benefits benefits, $subs subscriptions; then VACUUM ANALYZE and CHECKPOINT. The view \`l.deadlines\`:"
		echo
		echo "| kind | rows | last day within 30 days of $D | within 30 days of $D1 |"
		echo "| --- | ---: | ---: | ---: |"
		while IFS='|' read -r k c w w1; do echo "| \`$k\` | $c | $w | $w1 |"; done <"$WORK/deadlines.tsv"
		echo "| all | $deadlines_total | $window_total | $(awk -F'|' '{ s += $4 } END { print s }' "$WORK/deadlines.tsv") |"
		echo
		echo "\`SELECT mpn.enqueue_notices('l.deadlines', 'l.notices', on_date => D)\`, thresholds {30,7,1,0}; median of $RUNS runs:"
		echo
		echo "| sweep | notices made pending (returned) | median | runs |"
		echo "| --- | ---: | ---: | --- |"
		echo "| first sweep on $D, empty queue (TRUNCATE before each run) | $first_n | $(cell "$(printf '%s\n' "${first_ms[@]}" | median)") ms | $(list "${first_ms[@]}") ms |"
		echo "| second sweep on $D (after VACUUM ANALYZE of the queue) | 0 each time | $(cell "$(printf '%s\n' "${second_ms[@]}" | median)") ms | $(list "${second_ms[@]}") ms |"
		echo "| sweep on $D1, the next day (each run rolled back) | $next_n | $(cell "$(printf '%s\n' "${next_ms[@]}" | median)") ms | $(list "${next_ms[@]}") ms |"
		echo "| sweep on $D1 by session A, committed 2 s after it returned | $a_n | $(cell "$a_ms") ms | one run |"
		echo "| sweep on $D1 by session B, started 0.5 s after A | $b_n | $(cell "$b_ms") ms (waiting on A's lock on the queue until A committed, then a rerun's work) | one run |"
		echo "| second sweep on $D1 | $again_n | $(cell "$again_ms") ms | one run |"
		echo
		echo "Queue after the first sweep: $(awk -F'|' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }' "$WORK/after_first.tsv") (pending by kind: $(awk -F'|' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }' "$WORK/pending_first.tsv")). After the sweeps of $D1: $(awk -F'|' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }' "$WORK/after_next.tsv")."
		echo
		echo "While A held the sweep's lock on the queue (SHARE UPDATE EXCLUSIVE; \`pg_locks\` 0.5 s after B started): $holder session holding it, $waiting waiting. A claim of 100 in a third session meanwhile (\`mpn.as_of_date\` = $D1, rolled back): $(set -- $claim_during; echo "$1 notices in $(cell "$2") ms"), not blocked (claims take only ROW SHARE and ROW EXCLUSIVE on the queue, which do not conflict with it, and skip the rows the sweep has locked)."
		echo
		echo "<details><summary>Plan of the first sweep's statement (auto_explain, ANALYZE, an untimed run in a rolled-back transaction)</summary>"
		echo
		echo '```'
		cat "$WORK/plan.txt"
		echo '```'
		echo "</details>"
		echo
		echo "## 2. $SENDERS senders draining $NOTICES notices"
		echo
		echo "A table of $NOTICES deadlines (\`kind\`, \`object_id\`, \`last_day\` from today to 7 days ahead, \`partner_id\`, \`partner_name\`, \`subject\`) swept once with thresholds {7} into a fresh queue (every notice pending, due today), VACUUM ANALYZE; then $SENDERS psql processes at once, each looping over one transaction per batch: \`BEGIN\`; \`SELECT ... FROM mpn.claim_notices(queue, B)\`; one \`SELECT id, mpn.notice_sent(queue, id)\` per notice claimed; \`COMMIT\`; until a claim returns nothing. The lease (5 minutes) never runs out: each batch is claimed and reported in one transaction."
		echo
		echo "| batch B | sweep of the $NOTICES deadlines | drain time | notices/s | batches | short claims (< B) | empty claims (one per sender at the end) | notices per sender (min-max) | claim index entries read per claim | HOT updates | every notice sent exactly once? |"
		echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
		while IFS=$'\t' read -r b sweep_ms secs rate batches short empty spread per_claim hot verdict lines nsamples waits; do
			echo "| $b | $(cell "$sweep_ms") ms | $secs s | $rate | $batches | $short | $empty | $spread | $per_claim | $hot | $verdict |"
		done <"$WORK/drains.tsv"
		echo
		echo "\"Exactly once\" checks: the queue holds $NOTICES notices, all \`sent\`, all with \`attempts = 1\`, none pending; the senders' logs hold $NOTICES reports, one per id of the queue (no id twice, none missing), and \`notice_sent\` answered true to each."
		echo
		echo "<details><summary>Plan of a claim of $claim_plan_b on the fresh queue (auto_explain, ANALYZE, untimed, rolled back)</summary>"
		echo
		echo '```'
		cat "$WORK/claim_plan.txt"
		echo '```'
		echo "</details>"
		echo
		echo "What the senders' backends were doing (pg_stat_activity every 0.1 s; state / wait event; CPU: no wait event, so on a CPU or waiting for one of the $(nproc): for a backend idle in transaction, most likely the sender's next statement has come and the backend waits to be scheduled):"
		echo
		echo "| batch B | samples | most frequent |"
		echo "| ---: | ---: | --- |"
		while IFS=$'\t' read -r b sweep_ms secs rate batches short empty spread per_claim hot verdict lines nsamples waits; do
			echo "| $b | $nsamples | $waits |"
		done <"$WORK/drains.tsv"
		echo
		echo "Each call alone, in a server-side loop (no round trips, no commits) over a queue of 2000 pending notices, rolled back:"
		echo
		echo "| call | calls | µs per call |"
		echo "| --- | ---: | ---: |"
		while IFS='|' read -r what calls us; do echo "| $what | $calls | $(cell "$us") |"; done <"$WORK/calls.tsv"
		if [ -s "$WORK/failures" ]; then
			echo
			echo "## Failed checks"
			echo
			cat "$WORK/failures"
		fi
	} >"$RESULTS.tmp"
	[ ! -s "$WORK/failures" ]
}
export -f inner
rc=0
LANG=C.UTF-8 scripts/throwaway-cluster.sh "$PGC" -o shared_buffers=1GB -o max_wal_size=4GB -- bash -c inner || rc=$?
if [ -s "$RESULTS.tmp" ]; then
	mv "$RESULTS.tmp" "$RESULTS"
	cat "$RESULTS"
fi
exit "$rc"
