#!/usr/bin/env bash
# An example sender of notices of deadlines: it claims the notices a queue
# holds (mpn.claim_notices), "sends" each one, and reports it
# (mpn.notice_sent, or mpn.notice_failed with what went wrong); when a
# claim comes back empty it sleeps, then claims again.  A sketch to copy
# and adapt, not a daemon to deploy as it is.
#
# Usage: scripts/send-notices.sh [--once] QUEUE [CONNINFO]
#   QUEUE     the queue, as mpn.create_notice_queue() made it: partner.notices
#   CONNINFO  the database, as psql takes it: "host=/var/run/postgresql
#             dbname=partnerdb", a postgresql:// URI or a database name;
#             default: libpq's environment (PGHOST, PGDATABASE, ...)
#   --once    claim until a claim comes back empty, then exit (from cron, in a test)
#
# Environment:
#   MPN_SEND_COMMAND   the command that sends one notice, run by bash -c with
#                      the notice on stdin as one line of JSON: the queue's
#                      columns, {"id": 7, "kind": "key", "object_id": ...,
#                      "last_day": ..., "threshold": 7, "due_on": ...,
#                      "details": {...}, "attempts": 1, ...}.  Exit status 0:
#                      sent; anything else: failed, and its stderr is the
#                      error recorded.  Its stdout is this script's.  Unset:
#                      the notice is printed on stdout and counts as sent.
#   MPN_SEND_BATCH     notices per claim (10)
#   MPN_SEND_LEASE     how long a claim holds them, as an interval ('5 minutes'):
#                      more than sending a batch takes
#   MPN_SEND_INTERVAL  seconds to sleep after an empty claim (60)
#
# The promises are the queue's (see the README, "Notices of deadlines"): a
# notice is recorded as sent once, and reaches the command at least once.
# If this script dies between sending a notice and reporting it, the lease
# runs out and a later claim takes the notice again: give the JSON's "id"
# to your mail or SMS provider as the idempotency key where it takes one.
# A failed notice comes back after a backoff (1, 2, 4 ... minutes) and is
# dead at its 10th attempt.  Run as many senders as you like: two never
# get the same notice.
#
# It does not LISTEN: psql cannot wait for a notification, so this polls.
# The sweep's pg_notify('mpn_notices', '<schema>.<queue>') is for a sender
# written with a driver that can wait (LISTEN mpn_notices, claim on each
# notification, and every few minutes anyway: a notification sent while
# nobody listens is lost, the queue is not).  With an hourly sweep, a poll
# every minute is as good.
set -euo pipefail

usage() { echo "usage: scripts/send-notices.sh [--once] QUEUE [CONNINFO]" >&2; exit 2; }
once=0
if [ "${1:-}" = --once ]; then once=1; shift; fi
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then usage; fi
queue=$1
conn=()
[ -n "${2:-}" ] && conn=(-d "$2")
batch=${MPN_SEND_BATCH:-10}
lease=${MPN_SEND_LEASE:-5 minutes}
interval=${MPN_SEND_INTERVAL:-60}
# the notices go out, and errors come in, as UTF-8 whatever the locale
export PGCLIENTENCODING=UTF8

# SQL on stdin, so that psql quotes each -v value given as :'name'
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "${conn[@]}" "$@"; }

claim() {
	sql -v queue="$queue" -v n="$batch" -v lease="$lease" <<-'SQL'
		SELECT c.id, pg_catalog.row_to_json(c) FROM mpn.claim_notices(:'queue', :'n', :'lease') c
	SQL
}

# send ID NOTICE: run the command; report the outcome; 1 if that failed
send() {
	local id=$1 notice=$2 rc=0 err
	if [ -z "${MPN_SEND_COMMAND:-}" ]; then
		printf '%s\n' "$notice"
	else
		# its stdout to ours (fd 3), its stderr captured as the error
		err=$(bash -c "$MPN_SEND_COMMAND" <<<"$notice" 2>&1 >&3 3>&-) || rc=$?
	fi
	if [ "$rc" -eq 0 ]; then
		sql -v queue="$queue" -v id="$id" <<<"SELECT mpn.notice_sent(:'queue', :'id')" >/dev/null && return 0
	else
		# the end of it, as valid UTF-8 (iconv -c drops what is not)
		err=$(printf '%s' "${err:-}" | tail -c 2000 | iconv -c -f UTF-8 -t UTF-8 || true)
		err=${err:-the command exited with status $rc}
		echo "send-notices: notice $id failed: $err" >&2
		sql -v queue="$queue" -v id="$id" -v error="$err" \
			<<<"SELECT mpn.notice_failed(:'queue', :'id', :'error')" >/dev/null && return 0
	fi
	echo "send-notices: could not report notice $id; it is claimed again when its lease runs out" >&2
	return 1
}

exec 3>&1							# our stdout, for the command's
status=0
while :; do
	if ! claimed=$(claim); then
		[ "$once" = 1 ] && exit 1
		echo "send-notices: the claim failed; again in ${interval}s" >&2
		sleep "$interval"
		continue
	fi
	if [ -z "$claimed" ]; then
		[ "$once" = 1 ] && exit "$status"
		sleep "$interval"
		continue
	fi
	# one line per notice: ID|JSON (JSON escapes line breaks inside strings)
	while IFS='|' read -r id notice; do
		send "$id" "$notice" || status=1
	done <<<"$claimed"
done
