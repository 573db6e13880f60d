#!/usr/bin/env bash
# The demo: install and build (scripts/install.sh), then run the quick-start
# session (scripts/demo.sql) on a throwaway PostgreSQL 15 cluster.  With
# MPN_DEMO_USE_SERVER=1, run it against the server the usual PG* environment
# variables point at instead.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install.sh
if [ "${MPN_DEMO_USE_SERVER:-0}" = 1 ]; then
	psql -X -f scripts/demo.sql
else
	pg_virtualenv -t -v 15 psql -X -f scripts/demo.sql
fi
