#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster of any installed
# server, as pg_virtualenv does for Debian's packaged majors: initdb and
# pg_ctl of the server that PG_CONFIG names, a temporary directory for the
# data and the socket, PGHOST/PGPORT/PGUSER/PGDATABASE set for the command
# and that server's bin directory first on PATH (so psql, pg_dump and
# pgbench are its own).  The cluster is dropped afterwards.
#
# Usage: scripts/throwaway-cluster.sh PG_CONFIG [-o NAME=VALUE ...] [--wrapper 'PROG ARG ...'] -- CMD [ARG ...]
#
# --wrapper runs the postmaster under PROG (its words split on blanks and
# newlines, so no quoting inside), as the buildfarm's skink runs it under
# valgrind: pg_ctl cannot put a program in front of the postmaster, so then
# `postgres -D` is started in the background directly and waited for as
# pg_ctl would (up to $MPN_CLUSTER_START_TIMEOUT seconds, 600 by default;
# valgrind starts slowly), and stopped with pg_ctl as always (which waits
# up to that long too).
#
# PostgreSQL refuses to run as root: when called as root, the server runs as
# the user "postgres" (made by postgresql-common; created here, without a
# login, if missing) while CMD still runs as the caller.
#
# Exit status: CMD's; or 1 when the cluster cannot be started, or when the
# server log shows a backend that crashed (a signal, a PANIC, a failed
# assertion) even though CMD succeeded.  The log is printed in that case.
set -uo pipefail

if [ $# -lt 3 ]; then
	echo "usage: throwaway-cluster.sh PG_CONFIG [-o NAME=VALUE ...] -- CMD [ARG ...]" >&2
	exit 2
fi
PG_CONFIG=$1
shift
settings=()
wrapper=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case "$1" in
		-o) settings+=(-c "$2"); shift 2 ;;
		--wrapper) read -r -d '' -a wrapper <<<"$2"; shift 2 ;;	# all lines
		*) echo "throwaway-cluster.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
shift						# the "--"

bindir=$("$PG_CONFIG" --bindir) || { echo "throwaway-cluster.sh: $PG_CONFIG does not answer" >&2; exit 2; }

# PostgreSQL refuses to run as root: $owner, as_owner, owned_tmpdir
. "$(dirname "${BASH_SOURCE[0]}")/lib/cluster-owner.sh"
tmp=$(owned_tmpdir mpn-cluster)
data=$tmp/data
logfile=$tmp/server.log

start_timeout=60
[ ${#wrapper[@]} -gt 0 ] && start_timeout=${MPN_CLUSTER_START_TIMEOUT:-600}

postmaster=''
stop_and_drop() {
	as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t "$start_timeout" stop >/dev/null 2>&1
	# pg_ctl returns when the postmaster has removed its pid file; a
	# wrapper (valgrind writing its last words) may still be running
	[ -n "$postmaster" ] && wait "$postmaster" 2>/dev/null
	rm -rf "$tmp"
}
trap stop_and_drop EXIT

# a free port: the first of 5440-5540 that no socket of ours and no TCP
# listener holds (the cluster listens on its own socket only, but pick a
# port no other local server answers on, for the person who reads logs)
port=''
for p in $(seq 5440 5540); do
	if [ ! -e "/tmp/.s.PGSQL.$p" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "throwaway-cluster.sh: no free port in 5440-5540" >&2; exit 1; }

if ! as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
	--locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
	echo "throwaway-cluster.sh: initdb failed:" >&2
	cat "$tmp/initdb.log" >&2
	exit 1
fi
opts="-c listen_addresses='' -c unix_socket_directories='$tmp' -p $port"
for s in "${settings[@]}"; do
	[ "$s" = -c ] && continue
	# pg_ctl hands the options to a shell: quote a value such as "%m [%p] "
	opts="$opts -c $(printf '%q' "$s")"
done
if [ ${#wrapper[@]} -eq 0 ]; then
	if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$logfile" -o "$opts" -w -t 60 start >/dev/null; then
		echo "throwaway-cluster.sh: the server did not start:" >&2
		cat "$logfile" >&2
		exit 1
	fi
else
	# The same settings as words of their own (no shell reads them here).
	# The log is created by its owner-to-be, as pg_ctl -l would.
	args=(-D "$data" -c listen_addresses= -c "unix_socket_directories=$tmp" -p "$port")
	for s in "${settings[@]}"; do
		[ "$s" = -c ] && continue
		args+=(-c "$s")
	done
	as_owner touch "$logfile"
	as_owner "${wrapper[@]}" "$bindir/postgres" "${args[@]}" >>"$logfile" 2>&1 </dev/null &
	postmaster=$!
	started=0
	for ((i = 0; i < start_timeout; i++)); do
		# the postmaster's own word, as pg_ctl -w reads it: no connection
		# is tried (under valgrind each would be a backend that takes
		# long to start, and they pile up to max_connections)
		if [ "$(sed -n 8p "$data/postmaster.pid" 2>/dev/null | tr -d ' ')" = ready ]; then
			started=1
			break
		fi
		kill -0 "$postmaster" 2>/dev/null || break
		sleep 1
	done
	if [ "$started" = 0 ]; then
		echo "throwaway-cluster.sh: the server did not start under ${wrapper[0]}:" >&2
		cat "$logfile" >&2
		kill "$postmaster" 2>/dev/null
		exit 1
	fi
fi

PGHOST=$tmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres PATH="$bindir:$PATH" "$@"
rc=$?

# A backend that died is a failure whatever the command said
if grep -E 'terminated by signal|was terminated by exception|PANIC:|TRAP:|pfree called with invalid pointer' "$logfile" >"$tmp/crashes"; then
	echo "throwaway-cluster.sh: the server log of $("$PG_CONFIG" --version) shows a crash:" >&2
	cat "$tmp/crashes" >&2
	[ "$rc" -eq 0 ] && rc=1
fi
exit $rc
