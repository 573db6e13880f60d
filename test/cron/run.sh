#!/usr/bin/env bash
# The sweep of notices scheduled with pg_cron, as the README shows it, and
# the example sender (scripts/send-notices.sh) emptying the queue it fills.
#
# A throwaway cluster of its own with shared_preload_libraries = 'pg_cron',
# cron.database_name = 'postgres' (pg_cron's metadata), cron.timezone =
# 'UTC' (pg_cron 1.5 and later; 1.4 has no such setting and always reads
# schedules in GMT) and cron.host = the cluster's socket directory (pg_cron
# runs a job over a libpq connection, to localhost by TCP unless told).
# The server's TimeZone is America/Los_Angeles and partnerdb's
# mpn.time_zone Pacific/Kiritimati (UTC+14): their calendar days differ 21
# or 22 hours a day, so a sweep that counted days in the session's zone, or
# in pg_cron's GMT, would queue other notices than the ones checked.
# In database partnerdb: the extension, a table public.deadlines with six
# deadlines relative to mpn.today() (the last day, 1, 5, 30 and 45 days
# away, one passed the day before) and a queue public.notices; then in
# postgres:
#   CREATE EXTENSION pg_cron;
#   SELECT cron.schedule_in_database('mpn-notices', '* * * * *',
#       $$SELECT mpn.enqueue_notices('public.deadlines', 'public.notices')$$, 'partnerdb');
# Checked:
#   - the job is in cron.job, for partnerdb, active;
#   - its first run (at the next minute) succeeds (cron.job_run_details)
#     and queues the notices due today by the rules of
#     mpn.enqueue_notices(): per deadline the most urgent threshold due
#     pending, the less urgent ones superseded, nothing for the deadline 45
#     days away or the one passed (4 pending, 6 superseded);
#   - scripts/send-notices.sh --once with a command that fails records each
#     notice's failure (pending, attempts 1, its stderr as last_error);
#     after the backoff, with MPN_SEND_COMMAND=cat, it prints each notice
#     once as JSON (id, object_id, threshold, details) and they are sent;
#   - the next run (a minute later) succeeds and changes nothing in the queue;
#   - cron.unschedule('mpn-notices') removes the job;
#   - no crash in the server log.
# A run takes two minute boundaries: 1 to 2 minutes.  Should mpn.today()
# be less than 4 minutes from its midnight, it first waits for the new
# day, so that both runs sweep the day the deadlines were made for.
#
# Usage: test/cron/run.sh PG_CONFIG
# The server needs mpn_benefits installed; pg_cron too (Debian's
# postgresql-NN-cron, which scripts/install.sh installs for 15): without
# pg_cron.so in its pkglibdir the script prints "cron ... skipped (...)"
# and "0 passed, 0 failed", and exits 0.  As root the server runs as the
# user "postgres" (scripts/lib/cluster-owner.sh).
# Environment: MPN_CRON_TIMEOUT (75): seconds to wait for a run (a minute
# boundary must pass); MPN_CRON_KEEP=1 keeps the directory and server log.
# Called by scripts/run-tests.sh.
#
# Prints one line per check, "cron <check> ... ok" or "... FAILED" with what
# was expected and what came, then "N passed, N failed"; exits non-zero
# when a check failed.
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: test/cron/run.sh PG_CONFIG" >&2
	exit 2
fi
pgc=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
TIMEOUT=${MPN_CRON_TIMEOUT:-75}
MPN_ZONE=Pacific/Kiritimati
SERVER_ZONE=America/Los_Angeles

major=$("$pgc" --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
if [ -z "$major" ]; then
	echo "cron: $pgc does not answer as a pg_config" >&2
	exit 2
fi
bindir=$("$pgc" --bindir)
if [ ! -f "$("$pgc" --pkglibdir)/pg_cron.so" ] || [ ! -f "$("$pgc" --sharedir)/extension/pg_cron.control" ]; then
	echo "cron ... skipped (pg_cron is not installed for PostgreSQL $major)"
	echo "0 passed, 0 failed"
	exit 0
fi
if [ ! -f "$("$pgc" --sharedir)/extension/mpn_benefits.control" ] ||
	[ ! -f "$("$pgc" --pkglibdir)/mpn_benefits.so" ]; then
	echo "cron setup ... FAILED"
	echo "  PostgreSQL $major ($pgc) lacks the extension mpn_benefits;"
	echo "  install it first: PG_CONFIG=$pgc scripts/install.sh"
	echo "0 passed, 1 failed"
	exit 1
fi

# PostgreSQL refuses to run as root: $owner, as_owner, owned_tmpdir
. "$root/scripts/lib/cluster-owner.sh"
tmp=$(owned_tmpdir mpn-cron)
data=$tmp/data
serverlog=$tmp/server.log
cleanup() {
	[ -f "$data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1
	if [ "${MPN_CRON_KEEP:-0}" = 1 ]; then
		echo "  kept: $tmp (server.log)"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

passed=0
failed=0
check() {							# check WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "cron $1 ... ok"
		passed=$((passed + 1))
	else
		echo "cron $1 ... FAILED"
		echo "  expected: $2"
		echo "  got:      $3"
		failed=$((failed + 1))
	fi
}
setup_failed() {					# setup_failed WHAT DETAIL...
	echo "cron $1 ... FAILED"
	shift
	printf '  %s\n' "$@"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}

# a free port from 55800: no socket in /tmp or in another test's
# directory, no TCP listener
port=''
for ((p = 55800; p < 56000; p++)); do
	if [ ! -e "/tmp/.s.PGSQL.$p" ] && ! compgen -G "/tmp/mpn-*/.s.PGSQL.$p" >/dev/null &&
		! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || setup_failed setup "no free port from 55800"

if ! as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
	--locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
	setup_failed setup "initdb failed: $(tail -n 3 "$tmp/initdb.log" | tr '\n' ' ')"
fi
as_owner tee -a "$data/postgresql.conf" >/dev/null <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$tmp'
	port = $port
	timezone = '$SERVER_ZONE'
	log_timezone = 'UTC'
	lc_messages = 'C'
	log_line_prefix = '%m [%p] %d '
	shared_preload_libraries = 'pg_cron'
	cron.database_name = 'postgres'
	cron.timezone = 'UTC'
	cron.host = '$tmp'
EOF
if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$serverlog" -w -t 60 start >/dev/null; then
	setup_failed setup "the server did not start: $(tail -n 5 "$serverlog" | tr '\n' ' ')"
fi

q() {								# q DB SQL...: one psql session, values unaligned
	local db=$1
	shift
	"$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d "$db" "$@"
}
conninfo="host=$tmp port=$port user=postgres dbname=partnerdb"

if ! q postgres -c "CREATE DATABASE partnerdb" -c "ALTER DATABASE partnerdb SET mpn.time_zone = '$MPN_ZONE'" \
	>/dev/null 2>"$tmp/setup.err" ||
	! q partnerdb -c "SET client_min_messages = warning" -c "CREATE EXTENSION mpn_benefits" \
		-c "SELECT mpn.create_notice_queue('public.notices')" >/dev/null 2>>"$tmp/setup.err"; then
	setup_failed setup "$(head -n 5 "$tmp/setup.err")"
fi

# Both runs must sweep the day the deadlines are made for: near midnight
# in mpn.time_zone, wait for the new day first
left=$(q partnerdb -c "SELECT floor(extract(epoch FROM (mpn.today() + 1)::timestamp
                                     - (now() AT TIME ZONE current_setting('mpn.time_zone'))))::int")
if [ "${left:-0}" -lt 240 ]; then
	echo "  mpn.today() ends in ${left}s ($MPN_ZONE): waiting for the new day"
	sleep $((left + 2))
fi

# the deadlines, relative to the rules' today; the notices due today
# under the default thresholds {30,7,1,0}:
#   S-0   last day today        0 pending; 30, 7, 1 superseded
#   K-1   1 day away            1 pending; 30, 7 superseded
#   K-5   5 days away           7 pending; 30 superseded
#   S-30  30 days away         30 pending
#   S-45  45 days away         nothing yet
#   K-X   passed yesterday     nothing
if ! q partnerdb >/dev/null 2>"$tmp/setup.err" <<-'EOF'; then
	CREATE TABLE public.deadlines (kind text, object_id text, last_day date, customer text);
	INSERT INTO public.deadlines
	SELECT d.kind, d.object_id, mpn.today() + d.days, d.customer
	  FROM (VALUES ('subscription', 'S-0', 0, 'ops@contoso.example'),
	               ('key', 'K-1', 1, 'it@fabrikam.example'),
	               ('key', 'K-5', 5, 'it@fabrikam.example'),
	               ('subscription', 'S-30', 30, 'ops@contoso.example'),
	               ('subscription', 'S-45', 45, 'ops@contoso.example'),
	               ('key', 'K-X', -1, 'it@fabrikam.example')) d(kind, object_id, days, customer);
EOF
	setup_failed setup "$(head -n 5 "$tmp/setup.err")"
fi
today=$(q partnerdb -c "SELECT mpn.today()")
echo "  PostgreSQL $(q postgres -c "SHOW server_version"), mpn_benefits $(q partnerdb -c "SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits'"); mpn.today() in partnerdb ($MPN_ZONE): $today; the server's TimeZone ($SERVER_ZONE): $(q postgres -c "SELECT current_date"); GMT: $(q postgres -c "SELECT (now() AT TIME ZONE 'UTC')::date")"

if ! q postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_cron" >/dev/null 2>"$tmp/setup.err"; then
	setup_failed "CREATE EXTENSION pg_cron" "$(head -n 5 "$tmp/setup.err")"
fi
cron_version=$(q postgres -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")
echo "  pg_cron $cron_version"
if ! jobid=$(q postgres 2>"$tmp/setup.err" <<-'EOF'
	SELECT cron.schedule_in_database('mpn-notices', '* * * * *',
	    $$SELECT mpn.enqueue_notices('public.deadlines', 'public.notices')$$, 'partnerdb');
EOF
); then
	setup_failed "schedule_in_database" "$(head -n 5 "$tmp/setup.err")"
fi
check "cron.schedule_in_database('mpn-notices', '* * * * *', ..., 'partnerdb') makes an active job in partnerdb" \
	"mpn-notices|* * * * *|partnerdb|postgres|t" \
	"$(q postgres -c "SELECT concat_ws('|', jobname, schedule, database, username, active) FROM cron.job WHERE jobid = $jobid")"

# the queue as "object_id:threshold:status ..."
queue_now() {
	q partnerdb -c "SELECT string_agg(object_id || ':' || threshold || ':' || status, ' '
	                                  ORDER BY object_id, threshold DESC) FROM public.notices"
}

# wait_run AFTER_RUNID: wait for a run of the job after AFTER_RUNID that
# ended; sets $run ("runid|status|return_message") and returns 0, or 1
# after TIMEOUT seconds (with $run the last answer)
wait_run() {
	local deadline=$((SECONDS + TIMEOUT))
	while :; do
		run=$(q postgres -c "SELECT concat_ws('|', runid, status, return_message) FROM cron.job_run_details
		                      WHERE jobid = $jobid AND runid > $1 AND status IN ('succeeded', 'failed')
		                      ORDER BY runid LIMIT 1" 2>&1)
		[ -n "$run" ] && return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			run="no run ended within ${TIMEOUT}s; cron.job_run_details: $(q postgres -c "SELECT string_agg(concat_ws('|', runid, status, start_time), ', ') FROM cron.job_run_details" 2>&1)"
			return 1
		fi
		sleep 1
	done
}
# a succeeded run's message: "1 row" over libpq (cron.host), "SELECT 1"
# with cron.use_background_workers
run_ok() { case $1 in *'|succeeded|1 row' | *'|succeeded|SELECT 1') return 0 ;; *) return 1 ;; esac; }

first_notices="K-1:30:superseded K-1:7:superseded K-1:1:pending K-5:30:superseded K-5:7:pending S-0:30:superseded S-0:7:superseded S-0:1:superseded S-0:0:pending S-30:30:pending"
start=$SECONDS
first_runid=0
if wait_run 0; then
	run_ok "$run" && { got="succeeded in partnerdb"; first_runid=${run%%|*}; } || got="$run"
	check "the first run succeeds (after $((SECONDS - start))s)" "succeeded in partnerdb" "$got"
	check "the first run queues the notices due on mpn.today() ($today): 4 pending, 6 superseded" \
		"$first_notices" "$(queue_now)"
else
	check "the first run succeeds" "a succeeded run" "$run"
	check "the first run queues the notices due on mpn.today() ($today): 4 pending, 6 superseded" \
		"$first_notices" "$(queue_now)"
fi

# the sender: a command that fails, then, the backoff over, one that works
pending_ids=$(q partnerdb -c "SELECT string_agg(id::text, ' ' ORDER BY id) FROM public.notices WHERE status = 'pending'")
PATH="$bindir:$PATH" MPN_SEND_COMMAND='cat >/dev/null; echo "451 mailbox busy" >&2; exit 1' \
	"$root/scripts/send-notices.sh" --once public.notices "$conninfo" >"$tmp/send1.out" 2>"$tmp/send1.err"
rc=$?
check "send-notices.sh --once with a command that fails records each failure (pending, attempts 1, its stderr)" \
	"exit 0; 4 notices pending|1|451 mailbox busy; stdout empty" \
	"exit $rc; $(q partnerdb -c "SELECT count(*) || ' notices ' || string_agg(DISTINCT concat_ws('|', status, attempts, last_error), ', ')
	                               FROM public.notices WHERE id IN (${pending_ids// /,})"); stdout $([ -s "$tmp/send1.out" ] && echo "not empty: $(head -c 200 "$tmp/send1.out")" || echo empty)"
q partnerdb -c "UPDATE public.notices SET not_before = NULL WHERE status = 'pending'" >/dev/null	# the backoff is over
PATH="$bindir:$PATH" MPN_SEND_COMMAND=cat \
	"$root/scripts/send-notices.sh" --once public.notices "$conninfo" >"$tmp/send2.out" 2>"$tmp/send2.err"
rc=$?
# what cat printed, read as JSON: the notices in the order claimed (most urgent first)
printed=$(q partnerdb -v out="$(cat "$tmp/send2.out")" 2>&1 <<-'EOF'
	SELECT string_agg(concat_ws(':', j ->> 'id', j ->> 'object_id', j ->> 'threshold', j -> 'details' ->> 'customer'), ' ' ORDER BY n)
	  FROM regexp_split_to_table(:'out', E'\n') WITH ORDINALITY l(line, n), LATERAL (SELECT l.line::jsonb AS j) x
EOF
)
expected_printed=$(q partnerdb -c "SELECT string_agg(concat_ws(':', id, object_id, threshold, details ->> 'customer'), ' ' ORDER BY due_on, id)
                                    FROM public.notices WHERE id IN (${pending_ids// /,})")
check "send-notices.sh --once with MPN_SEND_COMMAND=cat prints each pending notice once, as JSON, most urgent first" \
	"exit 0; $expected_printed" "exit $rc; $printed$([ -s "$tmp/send2.err" ] && echo "; stderr: $(head -c 300 "$tmp/send2.err")")"
check "send-notices.sh records them sent (attempts 2, sent_at set)" \
	"4 sent|2|t" \
	"$(q partnerdb -c "SELECT count(*) || ' ' || string_agg(DISTINCT concat_ws('|', status, attempts, sent_at IS NOT NULL), ', ')
	                     FROM public.notices WHERE id IN (${pending_ids// /,})")"

# the next run: the same day, so nothing more
second_notices="K-1:30:superseded K-1:7:superseded K-1:1:sent K-5:30:superseded K-5:7:sent S-0:30:superseded S-0:7:superseded S-0:1:superseded S-0:0:sent S-30:30:sent"
before=$(q partnerdb -c "SELECT count(*) || ' notices, last queued at ' || max(queued_at) FROM public.notices")
if [ "$first_runid" -gt 0 ] && wait_run "$first_runid"; then
	run_ok "$run" && got="succeeded" || got="$run"
	check "the next run succeeds" "succeeded" "$got"
	check "the next run queues nothing more (the notices sent stay sent)" \
		"$second_notices; $before" \
		"$(queue_now); $(q partnerdb -c "SELECT count(*) || ' notices, last queued at ' || max(queued_at) FROM public.notices")"
else
	check "the next run succeeds" "succeeded" "$([ "$first_runid" -gt 0 ] && echo "$run" || echo "no first run")"
	check "the next run queues nothing more (the notices sent stay sent)" "$second_notices" "not checked: no run"
fi

check "cron.unschedule('mpn-notices') removes the job" "t|0" \
	"$(q postgres -c "SELECT cron.unschedule('mpn-notices')" | tr '\n' '|')$(q postgres -c "SELECT count(*) FROM cron.job")"

crashes=$(grep -hE 'terminated by signal|was terminated by exception|PANIC:|TRAP:' "$serverlog" | head -n 3)
check "no crash in the server log" "" "$crashes"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
