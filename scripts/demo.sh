#!/usr/bin/env bash
# The main job: install and build (scripts/install.sh), start a throwaway
# PostgreSQL 15 cluster, create a partner benefits ledger, fill it with a
# deterministic sample and print the report a partner reads.
#
# Usage: scripts/demo.sh [--partners N] [--seed S] [--ledger SCHEMA] [--keep]
#   --keep      keep the cluster afterwards and say how to connect to it
#   With PGHOST or PGPORT set in the environment, the demo runs against that
#   server instead of starting one (the ledger schema must not exist there).
set -euo pipefail
cd "$(dirname "$0")/.."

partners=200 seed=1 ledger=partner_demo keep=0
while [ $# -gt 0 ]; do
	case "$1" in
		--partners) partners=$2; shift 2 ;;
		--seed) seed=$2; shift 2 ;;
		--ledger) ledger=$2; shift 2 ;;
		--keep) keep=1; shift ;;
		-h | --help) sed -n '2,10p' "$0"; exit 0 ;;
		*) echo "demo.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
case "$partners$seed" in *[!0-9]*) echo "demo.sh: --partners and --seed take numbers" >&2; exit 2 ;; esac

scripts/install.sh
psql_args=(-X -q -v partners="$partners" -v seed="$seed" -v ledger="$ledger" -f scripts/demo.sql)

if [ -n "${PGHOST:-}${PGPORT:-}" ]; then
	echo "== using the server at PGHOST=${PGHOST:-} PGPORT=${PGPORT:-}"
	exec psql "${psql_args[@]}"
fi

if [ "$keep" = 0 ]; then
	echo "== starting a throwaway PostgreSQL 15 cluster (pg_virtualenv)"
	exec pg_virtualenv -t -v 15 psql "${psql_args[@]}"
fi

# --keep: a cluster managed by postgresql-common, left running
cluster=mpn_demo
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: --keep creates a cluster with pg_createcluster and must run as root" >&2
	exit 1
fi
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "15/$cluster"; then
	pg_createcluster 15 "$cluster" --start >/dev/null
fi
pg_ctlcluster 15 "$cluster" start 2>/dev/null || true
port=$(pg_lsclusters -h | awk -v c="$cluster" '$1 == "15" && $2 == c {print $3}')
runuser -u postgres -- psql -p "$port" "${psql_args[@]}" < /dev/null
cat <<EOT

The cluster is kept: PostgreSQL 15 cluster "$cluster" on port $port, data in
/var/lib/postgresql/15/$cluster.  Connect with:
    runuser -u postgres -- psql -p $port
Drop it with:
    pg_dropcluster --stop 15 $cluster
EOT
