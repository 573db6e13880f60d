#!/usr/bin/env bash
# Logical replication of tables guarded by mpn.redeem_once and
# mpn.reassign_after: a publisher cluster and a subscriber cluster (of the
# same major or of two), with the same tables and triggers on both (a
# guarded publisher), in the two modes a subscriber can run the rules in.
#
# default: the subscriber's triggers are ENABLEd as usual, so they fire on
#   local writes only; the apply worker (session_replication_role = replica)
#   fires none, and the subscriber takes what the publisher sends.
#   Checked: the initial sync copies assignments stamped on other days; a
#   redemption re-dated, a redeemed key deleted and an early change of hands
#   made on the publisher are applied, and so is the publisher's redemption
#   of a key already redeemed on the subscriber (re-dated); local writes on
#   the subscriber are still refused (23001, 23514); TRUNCATE is applied; no
#   apply error.
#   Also what a published redeem_once table needs (the README's product_keys
#   table, whose only unique index is partial): without a replica identity
#   the publisher refuses its UPDATEs; with REPLICA IDENTITY FULL they work
#   and replicate.
# enforcing: ALTER TABLE ... ENABLE ALWAYS TRIGGER redeem_once (and
#   reassign_after) on the subscriber before the subscription, so the rules
#   fire in apply too, judging each change by the stamps the rows carry.
#   Checked: the initial sync copies every row, assignments stamped on other
#   days included; normal changes (a redemption, an insert and a change of
#   hands after the wait, stamped by the publisher under mpn.as_of_date)
#   are applied with the publisher's stamps; a re-dated redemption stops
#   apply with 23001 (logged, row kept, apply_error_count), and ALTER
#   SUBSCRIPTION ... SKIP (lsn = <"finished at" of the error's CONTEXT>) lets
#   apply go on; a change of hands stamped less than 90 days after the last
#   one stops apply with 23514 (the 90th day passes); a redemption made on
#   the subscriber is not re-dated by the publisher's redemption of the same
#   row, and once the owner fixes the subscriber's row the retry applies
#   it; a TRUNCATE of a table holding redemptions stops apply with 23001.
#
# The publisher makes the writes a rule refuses (to show what the
# subscriber does with them) as the tables' owner, a superuser, with
# ALTER TABLE ... DISABLE TRIGGER redeem_once (or reassign_after) around
# them in one transaction (the rule's truncate guard and recheck follow the
# rule's own trigger): its triggers stay attached and guard every other
# write.
#
# Usage: test/replication/run.sh PUB_PG_CONFIG SUB_PG_CONFIG
#   e.g. test/replication/run.sh /usr/lib/postgresql/15/bin/pg_config \
#          /var/cache/mpn-benefits/postgres/18/install/bin/pg_config
# Both servers need the extension installed (PostgreSQL 15 or later: SKIP
# and pg_stat_subscription_stats); a server without it is reported and the
# run fails.  It makes both clusters itself (initdb, wal_level = logical,
# the first free ports from 55600, sockets in its temporary directory,
# dropped at the end); as root the servers run as the user "postgres".
# Environment: MPN_REPL_TIMEOUT (60): seconds to wait for a sync, a change
# or an error; MPN_REPL_KEEP=1 keeps the directory and its server logs.
# Called by scripts/run-tests.sh.
#
# Prints one line per check, "replication PUB->SUB <mode> <check> ... ok" or
# "... FAILED" with what was expected and what came, then "N passed, N
# failed"; exits non-zero when a check failed.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: test/replication/run.sh PUB_PG_CONFIG SUB_PG_CONFIG" >&2
	exit 2
fi
TIMEOUT=${MPN_REPL_TIMEOUT:-60}

major_of() { "$1" --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p'; }
pub_major=$(major_of "$1")
sub_major=$(major_of "$2")
for side in "publisher:$1:$pub_major" "subscriber:$2:$sub_major"; do
	IFS=: read -r role pgc major <<<"$side"
	if [ -z "$major" ]; then
		echo "replication: $role: $pgc does not answer as a pg_config" >&2
		exit 2
	fi
	if [ "$major" -lt 15 ]; then
		echo "replication: $role: PostgreSQL $major; this test needs 15 or later" >&2
		exit 2
	fi
	if [ ! -f "$("$pgc" --sharedir)/extension/mpn_benefits.control" ] ||
		[ ! -f "$("$pgc" --pkglibdir)/mpn_benefits.so" ]; then
		echo "replication $pub_major->$sub_major setup ... FAILED"
		echo "  the $role's server, PostgreSQL $major ($pgc), lacks the extension mpn_benefits;"
		echo "  install it first: PG_CONFIG=$pgc scripts/install.sh"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
pub_bin=$("$1" --bindir)
sub_bin=$("$2" --bindir)
label="replication $pub_major->$sub_major"

# PostgreSQL refuses to run as root: $owner, as_owner, owned_tmpdir
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/cluster-owner.sh"
tmp=$(owned_tmpdir mpn-repl)
publog=$tmp/publisher.log
sublog=$tmp/subscriber.log
cleanup() {
	# the subscriber first: its workers would otherwise reconnect
	[ -f "$tmp/sub/postmaster.pid" ] && as_owner "$sub_bin/pg_ctl" -D "$tmp/sub" -m fast -w stop >/dev/null 2>&1
	[ -f "$tmp/pub/postmaster.pid" ] && as_owner "$pub_bin/pg_ctl" -D "$tmp/pub" -m fast -w stop >/dev/null 2>&1
	if [ "${MPN_REPL_KEEP:-0}" = 1 ]; then
		echo "  kept: $tmp (publisher.log, subscriber.log)"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

# two free ports from 55600: no socket in /tmp or in another test's
# directory, no TCP listener (the clusters listen on sockets in $tmp only,
# so this only spares whoever reads the logs two servers on one port)
free_port() {
	local p
	for ((p = $1; p < $1 + 200; p++)); do
		if [ ! -e "/tmp/.s.PGSQL.$p" ] && ! compgen -G "/tmp/mpn-*/.s.PGSQL.$p" >/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	return 1
}
pub_port=$(free_port 55600) && sub_port=$(free_port $((pub_port + 1))) ||
	{ echo "replication: no free port from 55600" >&2; exit 2; }

# start_cluster BINDIR DIR PORT LOG: initdb and start, or print why not
start_cluster() {
	local bindir=$1 data=$2 port=$3 log=$4
	if ! as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
		--locale=C.UTF-8 >"$data.initdb.log" 2>&1; then
		echo "  initdb failed: $(tail -n 3 "$data.initdb.log" | tr '\n' ' ')"
		return 1
	fi
	# %e: the SQLSTATE of every line of an error report, the apply
	# worker's included; %b: the process ("logical replication ...
	# worker" for apply and sync); a failed worker is restarted after
	# wal_retrieve_retry_interval
	as_owner tee -a "$data/postgresql.conf" >/dev/null <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$tmp'
		port = $port
		wal_level = logical
		max_wal_senders = 20
		max_replication_slots = 20
		max_worker_processes = 20
		max_logical_replication_workers = 12
		wal_retrieve_retry_interval = '200ms'
		log_line_prefix = '%m [%p] sqlstate=%e [%b] '
		lc_messages = 'C'
	EOF
	if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null; then
		echo "  the server did not start: $(tail -n 5 "$log" | tr '\n' ' ')"
		return 1
	fi
}
for side in pub sub; do
	if [ $side = pub ]; then
		why=$(start_cluster "$pub_bin" "$tmp/pub" "$pub_port" "$publog")
	else
		why=$(start_cluster "$sub_bin" "$tmp/sub" "$sub_port" "$sublog")
	fi
	if [ -n "$why" ]; then
		echo "$label setup ($side) ... FAILED"
		echo "$why"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

DB=mpn_repl
pq() { "$pub_bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$tmp" -p "$pub_port" -U postgres -d "$DB" "$@"; }
sq() { "$sub_bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$tmp" -p "$sub_port" -U postgres -d "$DB" "$@"; }
# sqlstate_of pq|sq SQL...: the SQLSTATE of the error the statements end
# with, or "no error"
sqlstate_of() {
	local side=$1 out
	shift
	out=$($side -v VERBOSITY=sqlstate "$@" 2>&1)
	out=$(echo "$out" | sed -n 's/^ERROR:  //p' | head -n 1)
	echo "${out:-no error}"
}

passed=0
failed=0
check() {							# check MODE WHAT EXPECTED ACTUAL
	if [ "$3" = "$4" ]; then
		echo "$label $1 $2 ... ok"
		passed=$((passed + 1))
	else
		echo "$label $1 $2 ... FAILED"
		echo "  expected: $3"
		echo "  got:      $4"
		failed=$((failed + 1))
	fi
}
not_run() {							# not_run MODE WHAT WHY
	echo "$label $1 $2 ... FAILED"
	echo "  not checked: $3"
	failed=$((failed + 1))
}

log_size() { stat -c %s "$sublog"; }
log_since() { tail -c +$(($1 + 1)) "$sublog"; }
# the last ERROR a replication worker of the subscriber logged since MARK,
# as "SQLSTATE message"
last_error() {
	log_since "$1" | grep -E ' sqlstate=[0-9A-Z]{5} \[logical replication[^]]*\] ERROR: ' | tail -n 1 |
		sed 's/^.* sqlstate=\([0-9A-Z]*\) \[[^]]*\] ERROR:  */\1 /'
}
# apply and sync errors a subscription reported (pg_stat_subscription_stats)
sub_errors() {
	sq -c "SELECT coalesce(sum(st.apply_error_count + st.sync_error_count), 0)
	         FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid
	        WHERE s.subname = '$1'" 2>/dev/null || echo 0
}

# wait_until SUB SQL EXPECTED: poll SQL on the subscriber until it prints
# EXPECTED; $got holds the last answer.  Gives up after TIMEOUT seconds,
# or 5 seconds after subscription SUB reports a new apply or sync error
# (the row then stays as it is until someone skips the change).
wait_until() {
	local sub=$1 sql=$2 expected=$3 errors0 deadline=$((SECONDS + TIMEOUT)) mark erred=''
	errors0=$(sub_errors "$sub")
	mark=$(log_size)
	while :; do
		if ! got=$(sq -c "$sql" 2>&1); then
			got=$(echo "$got" | head -n 1)
			return 1
		fi
		got=$(echo "$got" | tr '\n' ' ' | sed 's/ $//')
		[ "$got" = "$expected" ] && return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			got="$got (after ${TIMEOUT}s)"
			return 1
		fi
		if [ -z "$erred" ] && [ "$(sub_errors "$sub")" -gt "$errors0" ]; then
			erred=$((SECONDS + 5))
		elif [ -n "$erred" ] && [ "$SECONDS" -ge "$erred" ]; then
			got="$got; subscription $sub stopped on: $(last_error "$mark")"
			return 1
		fi
		sleep 0.2
	done
}

# wait_apply_error SUB MARK PROBE BEFORE: wait until the subscriber's log
# (from byte MARK on) shows an apply error of SUB: sets err_state, err_msg
# and err_lsn (the "finished at" LSN of the error's CONTEXT) and returns 0.
# Returns 1 (with $got) when PROBE, run on the subscriber, no longer prints
# BEFORE (the change was applied) or after TIMEOUT seconds.
wait_apply_error() {
	local sub=$1 mark=$2 probe=$3 before=$4 origin line pid now deadline=$((SECONDS + TIMEOUT))
	origin=pg_$(sq -c "SELECT oid FROM pg_subscription WHERE subname = '$sub'")
	err_state='' err_msg='' err_lsn=''
	while :; do
		# the CONTEXT of an error (LOG lines of a skip have one too)
		line=$(log_since "$mark" | grep -F "replication origin \"$origin\"" | grep 'finished at' |
			grep -E ' sqlstate=[0-9A-Z]{5} \[[^]]*\] CONTEXT: ' | grep -v ' sqlstate=00000 ' | tail -n 1)
		if [ -n "$line" ]; then
			pid=$(echo "$line" | sed 's/^[^[]*\[\([0-9]*\)\].*/\1/')
			err_state=$(echo "$line" | sed 's/^[^[]*\[[0-9]*\] sqlstate=\([0-9A-Z]*\) .*/\1/')
			err_lsn=$(echo "$line" | sed 's/.*finished at \([0-9A-F]*\/[0-9A-F]*\).*/\1/')
			err_msg=$(log_since "$mark" | grep -F "[$pid] sqlstate=" | grep ' ERROR: ' | tail -n 1 | sed 's/^.* ERROR:  *//')
			return 0
		fi
		now=$(sq -c "$probe" 2>&1 | tr '\n' ' ' | sed 's/ $//')
		if [ "$now" != "$before" ]; then
			got="no apply error; applied: $now"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			got="no apply error after ${TIMEOUT}s: $(last_error "$mark")"
			return 1
		fi
		sleep 0.2
	done
}

# skip_and_go_on MODE SUB PUB_SQL CHECK_SQL EXPECTED: ALTER SUBSCRIPTION
# SUB SKIP the failed transaction (at $err_lsn), run PUB_SQL on the
# publisher, and check that this later change arrives: CHECK_SQL on the
# subscriber gives EXPECTED
skip_and_go_on() {
	local mode=$1 sub=$2 pub_sql=$3 check_sql=$4 expected=$5
	if [ -n "$err_lsn" ]; then
		sq -c "ALTER SUBSCRIPTION $sub SKIP (lsn = '$err_lsn')" >/dev/null
	fi
	pq -c "$pub_sql" >/dev/null
	wait_until "$sub" "$check_sql" "$expected"
	check "$mode" "ALTER SUBSCRIPTION $sub SKIP (lsn = the error's \"finished at\"), then a later change arrives" \
		"$expected" "$got$([ -n "$err_lsn" ] || echo '; nothing skipped: no apply error was logged')"
}

# keys_row SCHEMA ID: the row as "id|key|redeemed"
keys_row() { echo "SELECT concat_ws('|', id, key, redeemed) FROM $1.keys WHERE id = $2"; }
vs_row() { echo "SELECT concat_ws('|', id, subscriber, assigned_on) FROM $1.vs_assignments WHERE id = $2"; }
table_text() { echo "SELECT string_agg(concat_ws('|', t::text), ' ' ORDER BY t::text) FROM $1 t"; }

# ---------------------------------------------------------------------------
# The same database, extension, tables and triggers in both clusters: schema
# def for the default mode, enf for the enforcing mode.
for side in pq sq; do
	if ! $side -d postgres -c "CREATE DATABASE $DB" >/dev/null 2>"$tmp/setup.err" ||
		! $side -f - >/dev/null 2>>"$tmp/setup.err" <<-'EOF'; then
			SET client_min_messages = warning;
			CREATE EXTENSION mpn_benefits;
			CREATE SCHEMA def;
			CREATE SCHEMA enf;
			DO $$
			DECLARE s text;
			BEGIN
				FOREACH s IN ARRAY ARRAY['def', 'enf'] LOOP
					EXECUTE format('CREATE TABLE %I.keys (id bigint PRIMARY KEY, key text, redeemed date)', s);
					EXECUTE format('CREATE UNIQUE INDEX ON %I.keys (key) WHERE redeemed IS NOT NULL', s);
					EXECUTE format('CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON %I.keys
					                FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once(''key'', ''redeemed'')', s);
					EXECUTE format('CREATE TABLE %I.vs_assignments (id bigint PRIMARY KEY, subscriber text, assigned_on date)', s);
					EXECUTE format('CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON %I.vs_assignments
					                FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after(''subscriber'', ''assigned_on'')', s);
				END LOOP;
			END
			$$;
			-- the README's redeem_once table: no primary key, only the partial
			-- unique index the trigger needs
			CREATE TABLE def.product_keys (
				key         mpn.product_key NOT NULL,
				redeemed_on date,
				applied_to  text
			);
			CREATE UNIQUE INDEX product_keys_redeemed_once ON def.product_keys (key)
				WHERE redeemed_on IS NOT NULL;
			CREATE TRIGGER redeem_once
				BEFORE INSERT OR UPDATE OR DELETE ON def.product_keys
				FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed_on');
		EOF
		echo "$label setup ($side) ... FAILED"
		sed 's/^/  /' "$tmp/setup.err" | head -n 10
		echo "0 passed, 1 failed"
		exit 1
	fi
done
echo "  publisher: $(pq -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', mpn_benefits ' || extversion FROM pg_extension WHERE extname = 'mpn_benefits'"); subscriber: $(sq -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', mpn_benefits ' || extversion FROM pg_extension WHERE extname = 'mpn_benefits'")"

# The publisher's rows: keys redeemed and not, assignments made on past days
# (history is loaded with reassign_after turned off, as the README says)
if ! pq -f - >/dev/null 2>"$tmp/setup.err" <<-'EOF'; then
	DO $$
	DECLARE s text;
	BEGIN
		FOREACH s IN ARRAY ARRAY['def', 'enf'] LOOP
			EXECUTE format($q$INSERT INTO %I.keys VALUES
				(1, 'K-0001', '2024-01-05'), (2, 'K-0002', '2024-01-06'), (3, 'K-0003', NULL),
				(4, 'K-0004', NULL), (5, 'K-0005', NULL), (6, 'K-0006', '2024-02-01'),
				(7, 'K-0007', NULL), (8, 'K-0008', NULL)$q$, s);
			EXECUTE format('ALTER TABLE %I.vs_assignments DISABLE TRIGGER reassign_after', s);
			EXECUTE format($q$INSERT INTO %I.vs_assignments VALUES
				(1, 'alice', '2024-01-10'), (2, 'bob', '2024-01-10'), (3, 'carol', '2024-03-01'),
				(4, NULL, NULL), (5, 'erin', '2024-01-10')$q$, s);
			EXECUTE format('ALTER TABLE %I.vs_assignments ENABLE TRIGGER reassign_after', s);
		END LOOP;
	END
	$$;
	INSERT INTO def.product_keys VALUES
		('22222-33333-44444-66666-77777', '2024-01-01', 'contoso'),
		('22222-33333-44444-66666-77778', NULL, NULL);
	CREATE PUBLICATION pub_def FOR TABLE def.keys, def.vs_assignments, def.product_keys;
	CREATE PUBLICATION pub_enf_keys FOR TABLE enf.keys;
	CREATE PUBLICATION pub_enf_vs FOR TABLE enf.vs_assignments;
EOF
	echo "$label setup (publisher rows) ... FAILED"
	sed 's/^/  /' "$tmp/setup.err" | head -n 10
	echo "0 passed, 1 failed"
	exit 1
fi

# Enforcing mode: the subscriber's rules fire in apply too.  Set before the
# subscription, so that the initial sync is judged as well.
sq -c "ALTER TABLE enf.keys ENABLE ALWAYS TRIGGER redeem_once" \
	-c "ALTER TABLE enf.vs_assignments ENABLE ALWAYS TRIGGER reassign_after" >/dev/null 2>"$tmp/setup.err"
check enforcing "ENABLE ALWAYS TRIGGER on the subscriber" "A A" \
	"$(sq -c "SELECT string_agg(tgenabled::text, ' ' ORDER BY tgrelid::regclass::text) FROM pg_trigger
	            WHERE tgname IN ('redeem_once', 'reassign_after') AND tgrelid::regclass::text LIKE 'enf.%'")$(head -n 1 "$tmp/setup.err" | sed 's/^./; &/')"

conn="host=$tmp port=$pub_port user=postgres dbname=$DB"
for s in def enf_keys enf_vs; do
	if ! sq -c "SET client_min_messages = warning" \
		-c "CREATE SUBSCRIPTION sub_$s CONNECTION '$conn' PUBLICATION pub_$s" >/dev/null 2>"$tmp/setup.err"; then
		echo "$label setup (subscription sub_$s) ... FAILED"
		sed 's/^/  /' "$tmp/setup.err" | head -n 10
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# sync_check MODE SUB TABLES...: every table of SUB ready, and the same rows
# as on the publisher; returns 1 (and stops the subscription) when not
sync_check() {
	local mode=$1 sub=$2 n rows_pub rows_sub ok=0 t
	shift 2
	n=$#
	wait_until "$sub" "SELECT count(*) FILTER (WHERE r.srsubstate = 'r') || ' of ' || count(*) || ' ready'
	                     FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid
	                    WHERE s.subname = '$sub'" "$n of $n ready"
	check "$mode" "initial sync of $* ($sub)" "$n of $n ready" "$got"
	[ "$got" = "$n of $n ready" ] || ok=1
	for t in "$@"; do
		rows_pub=$(pq -c "$(table_text "$t")")
		rows_sub=$(sq -c "$(table_text "$t")")
		check "$mode" "initial sync: $t has the publisher's rows" "$rows_pub" "$rows_sub"
		[ "$rows_pub" = "$rows_sub" ] || ok=1
	done
	if [ $ok -ne 0 ]; then
		# a sync that fails is retried every 200 ms: stop it
		sq -c "ALTER SUBSCRIPTION $sub DISABLE" >/dev/null 2>&1
	fi
	return $ok
}

# ---------------------------------------------------------------------------
# Default mode: the rules trust the publisher
sync_check default sub_def def.keys def.vs_assignments def.product_keys

# a redemption re-dated and a redeemed key deleted on the publisher, with its
# rule turned off for them: applied as sent
pq -c "BEGIN; ALTER TABLE def.keys DISABLE TRIGGER redeem_once;
       UPDATE def.keys SET redeemed = '2024-03-09' WHERE id = 1;
       ALTER TABLE def.keys ENABLE TRIGGER redeem_once; COMMIT" >/dev/null
wait_until sub_def "$(keys_row def 1)" "1|K-0001|2024-03-09"
check default "a redemption re-dated on the publisher is applied" "1|K-0001|2024-03-09" "$got"
pq -c "BEGIN; ALTER TABLE def.keys DISABLE TRIGGER redeem_once;
       DELETE FROM def.keys WHERE id = 2;
       ALTER TABLE def.keys ENABLE TRIGGER redeem_once; COMMIT" >/dev/null
wait_until sub_def "SELECT count(*) FROM def.keys WHERE id = 2" "0"
check default "a redeemed key deleted on the publisher is deleted" "0" "$got"

# local writes on the subscriber still meet the rules
check default "local DELETE of a redeemed key on the subscriber refused" "23001" \
	"$(sqlstate_of sq -c "DELETE FROM def.keys WHERE id = 6")"
check default "local re-dating of a redemption on the subscriber refused" "23001" \
	"$(sqlstate_of sq -c "UPDATE def.keys SET redeemed = '2024-02-02' WHERE id = 6")"

# the other side of trusting the publisher: a key redeemed on the
# subscriber takes the date of the publisher's own redemption of the row
sq -c "UPDATE def.keys SET redeemed = '2024-04-01' WHERE id = 4 AND redeemed IS NULL" >/dev/null
pq -c "UPDATE def.keys SET redeemed = '2024-04-02' WHERE id = 4 AND redeemed IS NULL" >/dev/null
wait_until sub_def "$(keys_row def 4)" "4|K-0004|2024-04-02"
check default "a local redemption is re-dated by the publisher's redemption of the row" "4|K-0004|2024-04-02" "$got"

# an early change of hands on the publisher (its rule off, the day set by
# hand) is applied; the same locally is refused
pq -c "BEGIN; ALTER TABLE def.vs_assignments DISABLE TRIGGER reassign_after;
       UPDATE def.vs_assignments SET subscriber = 'dan', assigned_on = '2024-03-15' WHERE id = 3;
       ALTER TABLE def.vs_assignments ENABLE TRIGGER reassign_after; COMMIT" >/dev/null
wait_until sub_def "$(vs_row def 3)" "3|dan|2024-03-15"
check default "an early change of hands on the publisher is applied" "3|dan|2024-03-15" "$got"
check default "local early change of hands on the subscriber refused" "23514" \
	"$(sqlstate_of sq -c "SET mpn.as_of_date = '2024-03-20'" -c "UPDATE def.vs_assignments SET subscriber = 'eve' WHERE id = 3")"

# a published redeem_once table needs a replica identity: its only unique
# index may be partial, which cannot be one
msg=$(pq -v VERBOSITY=verbose -c "UPDATE def.product_keys SET applied_to = 'fabrikam' WHERE key OPERATOR(mpn.=) '22222-33333-44444-66666-77777'" 2>&1 | head -n 1)
check default "UPDATE of a published table with only a partial unique index refused" \
	"55000 cannot update table \"product_keys\" because it does not have a replica identity and publishes updates" \
	"$(echo "$msg" | sed -n 's/^ERROR:  \([0-9A-Z]*\): /\1 /p')"
pq -c "ALTER TABLE def.product_keys REPLICA IDENTITY FULL" \
	-c "UPDATE def.product_keys SET redeemed_on = '2024-03-01', applied_to = 'fabrikam' WHERE key OPERATOR(mpn.=) '22222-33333-44444-66666-77778' AND redeemed_on IS NULL" >/dev/null 2>"$tmp/pub.err"
wait_until sub_def "SELECT concat_ws('|', key, redeemed_on, applied_to) FROM def.product_keys WHERE key OPERATOR(mpn.=) '22222-33333-44444-66666-77778'" \
	"22222-33333-44444-66666-77778|2024-03-01|fabrikam"
check default "with REPLICA IDENTITY FULL its redemption is published and applied" \
	"22222-33333-44444-66666-77778|2024-03-01|fabrikam" "$got$(head -n 1 "$tmp/pub.err" | sed 's/^./; publisher: &/')"

# TRUNCATE replicates: the subscriber's rows go with the publisher's
pq -c "BEGIN; ALTER TABLE def.keys DISABLE TRIGGER redeem_once; TRUNCATE def.keys;
       ALTER TABLE def.keys ENABLE TRIGGER redeem_once; COMMIT" >/dev/null 2>"$tmp/pub.err"
wait_until sub_def "SELECT count(*) FROM def.keys" "0"
check default "TRUNCATE on the publisher is applied" "0" "$got$(head -n 1 "$tmp/pub.err" | sed 's/^./; publisher: &/')"

check default "no apply or sync error" "0" "$(sub_errors sub_def)"

# ---------------------------------------------------------------------------
# Enforcing mode: the subscriber's rules judge what the publisher sends, by
# the stamps the rows carry
sync_check enforcing sub_enf_keys enf.keys
keys_synced=$?
sync_check enforcing sub_enf_vs enf.vs_assignments
vs_synced=$?

if [ $keys_synced -eq 0 ]; then
	# a normal redemption on the publisher is applied
	pq -c "UPDATE enf.keys SET redeemed = '2024-03-01' WHERE id = 3 AND redeemed IS NULL" >/dev/null
	wait_until sub_enf_keys "$(keys_row enf 3)" "3|K-0003|2024-03-01"
	check enforcing "a redemption on the publisher is applied" "3|K-0003|2024-03-01" "$got"

	# (a) a redemption re-dated on the publisher (its rule off) stops apply
	mark=$(log_size)
	pq -c "BEGIN; ALTER TABLE enf.keys DISABLE TRIGGER redeem_once;
	       UPDATE enf.keys SET redeemed = '2024-03-09' WHERE id = 1;
	       ALTER TABLE enf.keys ENABLE TRIGGER redeem_once; COMMIT" >/dev/null
	if wait_apply_error sub_enf_keys "$mark" "$(keys_row enf 1)" "1|K-0001|2024-01-05"; then
		got="$err_state, row $(sq -c "$(keys_row enf 1)")"
	fi
	check enforcing "a redemption re-dated on the publisher stops apply (SQLSTATE, row kept)" \
		"23001, row 1|K-0001|2024-01-05" "$got"
	check enforcing "the subscriber's log names the refusal" "yes" \
		"$(echo "$err_msg" | grep -q 'redemption.*K-0001' && echo yes || echo "no: ${err_msg:-no apply error logged}")"
	if [ -n "$err_lsn" ]; then
		deadline=$((SECONDS + 10))
		until [ "$(sq -c "SELECT apply_error_count > 0 FROM pg_stat_subscription_stats st JOIN pg_subscription s ON s.oid = st.subid WHERE s.subname = 'sub_enf_keys'")" = t ] ||
			[ $SECONDS -ge $deadline ]; do sleep 0.2; done
	fi
	check enforcing "pg_stat_subscription_stats.apply_error_count > 0" "t" \
		"$(sq -c "SELECT apply_error_count > 0 FROM pg_stat_subscription_stats st JOIN pg_subscription s ON s.oid = st.subid WHERE s.subname = 'sub_enf_keys'")"
	skip_and_go_on enforcing sub_enf_keys \
		"UPDATE enf.keys SET redeemed = '2024-03-10' WHERE id = 5 AND redeemed IS NULL" \
		"$(keys_row enf 5)" "5|K-0005|2024-03-10"

	# a redemption made on the subscriber is not re-dated by the
	# publisher's own redemption of the same row
	check enforcing "a local redemption on the subscriber" "no error" \
		"$(sqlstate_of sq -c "UPDATE enf.keys SET redeemed = '2024-04-01' WHERE id = 4 AND redeemed IS NULL")"
	mark=$(log_size)
	pq -c "UPDATE enf.keys SET redeemed = '2024-04-02' WHERE id = 4 AND redeemed IS NULL" >/dev/null
	if wait_apply_error sub_enf_keys "$mark" "$(keys_row enf 4)" "4|K-0004|2024-04-01"; then
		got="$err_state, row $(sq -c "$(keys_row enf 4)")"
	fi
	check enforcing "the publisher's redemption of a row redeemed on the subscriber stops apply" \
		"23001, row 4|K-0004|2024-04-01" "$got"
	# the other way on: the owner fixes the subscriber's row (its rule off
	# for that, then ALWAYS again) and the worker's retry applies the change
	sq -c "BEGIN; ALTER TABLE enf.keys DISABLE TRIGGER redeem_once;
	       UPDATE enf.keys SET redeemed = NULL WHERE id = 4;
	       ALTER TABLE enf.keys ENABLE ALWAYS TRIGGER redeem_once; COMMIT" >/dev/null 2>"$tmp/sub.err"
	wait_until sub_enf_keys "$(keys_row enf 4)" "4|K-0004|2024-04-02"
	check enforcing "the row fixed on the subscriber, the publisher's redemption is applied" \
		"4|K-0004|2024-04-02" "$got$(head -n 1 "$tmp/sub.err" | sed 's/^./; subscriber: &/')"
	pq -c "UPDATE enf.keys SET redeemed = '2024-04-03' WHERE id = 7 AND redeemed IS NULL" >/dev/null
	wait_until sub_enf_keys "$(keys_row enf 7)" "7|K-0007|2024-04-03"
	check enforcing "then a later change arrives" "7|K-0007|2024-04-03" "$got"

	# TRUNCATE of a table holding redemptions: the subscriber's truncate
	# guard refuses it (the publisher's is off with its redeem_once)
	mark=$(log_size)
	before=$(sq -c "SELECT count(*) || ' rows, ' || count(redeemed) || ' redeemed' FROM enf.keys")
	pq -c "BEGIN; ALTER TABLE enf.keys DISABLE TRIGGER redeem_once; TRUNCATE enf.keys;
	       ALTER TABLE enf.keys ENABLE TRIGGER redeem_once; COMMIT" >/dev/null 2>"$tmp/pub.err"
	if wait_apply_error sub_enf_keys "$mark" "SELECT count(*) || ' rows, ' || count(redeemed) || ' redeemed' FROM enf.keys" "$before"; then
		got="$err_state, $(sq -c "SELECT count(*) || ' rows, ' || count(redeemed) || ' redeemed' FROM enf.keys") kept"
	fi
	check enforcing "TRUNCATE on the publisher of a table holding redemptions stops apply" \
		"23001, $before kept" "$got$(head -n 1 "$tmp/pub.err" | sed 's/^./; publisher: &/')"
	# resume, so that this subscription's errors do not fill the log
	[ -n "$err_lsn" ] && sq -c "ALTER SUBSCRIPTION sub_enf_keys SKIP (lsn = '$err_lsn')" >/dev/null
else
	for what in "a redemption on the publisher is applied" \
		"a redemption re-dated on the publisher stops apply (23001, row kept), logged, counted, skipped" \
		"the publisher's redemption of a row redeemed on the subscriber stops apply, the row fixed" \
		"TRUNCATE on the publisher of a table holding redemptions stops apply"; do
		not_run enforcing "$what" "the initial sync of enf.keys did not finish"
	done
fi

if [ $vs_synced -eq 0 ]; then
	# normal changes, stamped by the publisher on the day mpn.as_of_date
	# says: a change of hands after the wait, a new assignment
	pq -c "SET mpn.as_of_date = '2024-04-15'" \
		-c "UPDATE enf.vs_assignments SET subscriber = 'dave' WHERE id = 1" \
		-c "INSERT INTO enf.vs_assignments (id, subscriber) VALUES (6, 'hank')" >/dev/null
	wait_until sub_enf_vs "$(vs_row enf 1)" "1|dave|2024-04-15"
	check enforcing "a change of hands after the wait is applied with the publisher's stamp" "1|dave|2024-04-15" "$got"
	wait_until sub_enf_vs "$(vs_row enf 6)" "6|hank|2024-04-15"
	check enforcing "a new assignment is applied with the publisher's stamp" "6|hank|2024-04-15" "$got"

	# (b) a change of hands stamped less than 90 days after the last one
	# (the publisher's rule off, the day set by hand) stops apply
	mark=$(log_size)
	pq -c "BEGIN; ALTER TABLE enf.vs_assignments DISABLE TRIGGER reassign_after;
	       UPDATE enf.vs_assignments SET subscriber = 'frank', assigned_on = '2024-02-01' WHERE id = 2;
	       ALTER TABLE enf.vs_assignments ENABLE TRIGGER reassign_after; COMMIT" >/dev/null
	if wait_apply_error sub_enf_vs "$mark" "$(vs_row enf 2)" "2|bob|2024-01-10"; then
		got="$err_state, row $(sq -c "$(vs_row enf 2)")"
	fi
	check enforcing "a change of hands stamped before the wait ends stops apply" "23514, row 2|bob|2024-01-10" "$got"
	skip_and_go_on enforcing sub_enf_vs \
		"SET mpn.as_of_date = '2024-04-20'; UPDATE enf.vs_assignments SET subscriber = 'gina' WHERE id = 5" \
		"$(vs_row enf 5)" "5|gina|2024-04-20"

	# the 90th day is allowed: dave's 2024-04-15 + 90 days
	pq -c "SET mpn.as_of_date = '2024-07-14'" \
		-c "UPDATE enf.vs_assignments SET subscriber = 'ivan' WHERE id = 1" >/dev/null
	wait_until sub_enf_vs "$(vs_row enf 1)" "1|ivan|2024-07-14"
	check enforcing "a change of hands stamped on the 90th day is applied" "1|ivan|2024-07-14" "$got"
else
	for what in "a change of hands after the wait is applied with the publisher's stamp" \
		"a new assignment is applied with the publisher's stamp" \
		"a change of hands stamped before the wait ends stops apply (23514, row kept), skipped" \
		"a change of hands stamped on the 90th day is applied"; do
		not_run enforcing "$what" "the initial sync of enf.vs_assignments did not finish"
	done
fi

# A backend or worker that died is a failure whatever the checks said
crashes=$(grep -hE 'terminated by signal|was terminated by exception|PANIC:|TRAP:' "$publog" "$sublog" | head -n 3)
check both "no crash in the server logs" "" "$crashes"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
