#!/usr/bin/env bash
# What checking the rows already stored costs when a rule is attached
# (issue 16): CREATE TRIGGER over a table of N rows that break nothing (the
# whole table is read), against the same CREATE TRIGGER with
# mpn.check_existing_rows off (no reading), and against PostgreSQL's own
# validation of an equivalent CHECK constraint (ALTER TABLE ... ADD
# CONSTRAINT), which reads the table the same way; and mpn.violations()
# over the same table.
#
# Usage: bash bench/existing_rows.sh [--rows N] [--runs R] [--results FILE]
#   --rows N        rows per table (default 10000000)
#   --runs R        timed runs of each statement, each in a transaction that
#                   is rolled back; the median is reported (default 3)
#   --results FILE  where to write the markdown (default bench/existing-rows-results.md)
#
# Runs on a throwaway cluster of Debian's PostgreSQL 15 with the extension
# as installed (scripts/install.sh), shared_buffers 1GB: after the load and
# a first read, the tables are in memory (about 0.5 GB each at 10 million
# rows), so the figures are CPU, not disk.
#
# The tables (each with a primary key, as the README's):
#   offers    (user_id text, offer text): about N rows, one user in 8
#             holding azure_bulk_credit alone and the others 4 other offers;
#             exclusive_offer reads every row, and probes the user's index
#             for each row of the exclusive offer.  Reference: the same question
#             as a query (EXISTS on the user's other offers).
#   licenses  (id, tenant uuid, partner_tenant uuid, demo boolean):
#             partner_tenant_only; reference CHECK (NOT demo OR tenant =
#             partner_tenant).
#   subs      (id, subscriber text, assigned_on date): reassign_after;
#             reference CHECK (subscriber IS NULL OR assigned_on IS NOT NULL).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=10000000 RUNS=3 RESULTS=bench/existing-rows-results.md
while [ $# -gt 0 ]; do
	case "$1" in
		--rows) ROWS=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--results) RESULTS=$2; shift 2 ;;
		-h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0"; exit 0 ;;
		*) echo "existing_rows.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
PGC=/usr/lib/postgresql/15/bin/pg_config
export ROWS RUNS RESULTS

inner() {
	set -euo pipefail
	q() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
	# median of the runs, in ms, of statement $1 (in a transaction, rolled back)
	timed() {
		local stmt=$1 times=() t
		for _ in $(seq "$RUNS"); do
			t=$(q -c '\timing on' -c 'BEGIN' -c "$stmt" -c 'ROLLBACK' 2>&1 |
				sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 2p)
			times+=("$t")
		done
		printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
	}
	# one user in 8 holds the exclusive offer alone, the others 4 other
	# offers each: 29 rows per 8 users
	q -c 'CREATE EXTENSION mpn_benefits' \
	  -c "CREATE TABLE offers (user_id text, offer text, PRIMARY KEY (user_id, offer))" \
	  -c "INSERT INTO offers SELECT 'user' || u, o FROM generate_series(0, $ROWS * 8 / 29 - 1) u,
	        LATERAL unnest(CASE WHEN u % 8 = 0 THEN ARRAY['azure_bulk_credit']
	                            ELSE ARRAY['visual_studio', 'technical_support', 'azure_credit', 'partner_center'] END) o" \
	  -c "CREATE TABLE licenses (id bigint PRIMARY KEY, tenant uuid, partner_tenant uuid, demo boolean)" \
	  -c "INSERT INTO licenses SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE md5((i % 1000)::text)::uuid END, md5((i % 1000)::text)::uuid, i % 2 = 0 FROM generate_series(1, $ROWS) i" \
	  -c "CREATE TABLE subs (id bigint PRIMARY KEY, subscriber text, assigned_on date)" \
	  -c "INSERT INTO subs SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE 'dev' || i END, CASE WHEN i % 5 = 0 THEN NULL ELSE date '2024-01-01' + (i % 500) END FROM generate_series(1, $ROWS) i" \
	  -c "VACUUM (FREEZE, ANALYZE) offers, licenses, subs" \
	  -c "SELECT count(*) FROM offers" -c "SELECT count(*) FROM licenses" -c "SELECT count(*) FROM subs" >/dev/null
	local offers exclusive
	offers=$(q -c "SELECT count(*) FROM offers")
	exclusive=$(q -c "SELECT count(*) FROM offers WHERE offer = 'azure_bulk_credit'")
	{
		echo "# Checking the rows already stored when a rule is attached"
		echo
		echo "\`bash bench/existing_rows.sh --rows $ROWS --runs $RUNS\`, $(date -u +%Y-%m-%d), $(psql -X -At -d postgres -c 'SELECT version()' | cut -d, -f1),"
		echo "extension $(psql -X -At -d postgres -c "SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits'"), $(nproc) CPUs, shared_buffers 1GB; median of $RUNS runs, ms."
		echo "offers: $offers rows, $exclusive of them the exclusive offer; licenses and subs: $ROWS rows each."
		echo
		echo "| table, rule | CREATE TRIGGER, rows checked | with mpn.check_existing_rows off | reference: PostgreSQL's own validation | mpn.violations() |"
		echo "| --- | ---: | ---: | ---: | ---: |"
		for spec in \
			"offers|AFTER INSERT OR UPDATE|mpn.exclusive_offer('user_id', 'offer')|SELECT count(*) FROM offers o WHERE offer = 'azure_bulk_credit' AND EXISTS (SELECT FROM offers x WHERE x.user_id = o.user_id AND x.offer <> 'azure_bulk_credit')|query with EXISTS" \
			"licenses|BEFORE INSERT OR UPDATE|mpn.partner_tenant_only('tenant', 'partner_tenant', 'demo')|ALTER TABLE licenses ADD CONSTRAINT c CHECK (NOT demo OR tenant IS NULL OR tenant = partner_tenant)|ADD CONSTRAINT CHECK" \
			"subs|BEFORE INSERT OR UPDATE OR DELETE|mpn.reassign_after('subscriber', 'assigned_on')|ALTER TABLE subs ADD CONSTRAINT c CHECK (subscriber IS NULL OR assigned_on IS NOT NULL)|ADD CONSTRAINT CHECK"; do
			IFS='|' read -r tab events func ref refname <<<"$spec"
			local create on off reftime viol
			create="CREATE TRIGGER r $events ON $tab FOR EACH ROW EXECUTE FUNCTION $func"
			on=$(timed "$create")
			off=$(timed "SET LOCAL mpn.check_existing_rows = off; $create")
			reftime=$(timed "$ref")
			viol=$(timed "SELECT count(*) FROM mpn.violations('$tab', '${func%%(*}', ${func#*(}")
			echo "| $tab, ${func%%(*} | $on | $off | $reftime ($refname) | $viol |"
		done
	} >"$RESULTS.tmp"
}
export -f inner
LANG=C.UTF-8 scripts/throwaway-cluster.sh "$PGC" -o shared_buffers=1GB -o max_wal_size=4GB -- bash -c inner
mv "$RESULTS.tmp" "$RESULTS"
cat "$RESULTS"
