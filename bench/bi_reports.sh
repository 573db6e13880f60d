#!/usr/bin/env bash
# Dashboards at scale: the report questions of the README's BI examples,
# answered from indexes on a ledger of many partners, with the pages each
# one reads (EXPLAIN (ANALYZE, BUFFERS): shared blocks hit + read) against
# the size of the table it asks about.
#
# Usage: bash bench/bi_reports.sh [--partners N] [--results FILE]
#   --partners N   partners in the sample (default 100000: 2 million keys)
#   --results FILE where to write the markdown table (default bench/bi-results.md)
#
# Starts its own throwaway cluster of Debian's PostgreSQL 15
# (scripts/throwaway-cluster.sh), fills a ledger with mpn.fill_ledger as of
# 2025-06-15, and asks each question as of that day.  Targets are reported,
# not asserted (a benchmark, not a test): at most 1% of the table's pages
# for the questions that select a few days or a month.
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."

PARTNERS=100000 RESULTS=bench/bi-results.md INNER=0
while [ $# -gt 0 ]; do
	case "$1" in
		--partners) PARTNERS=$2; shift 2 ;;
		--results) RESULTS=$2; shift 2 ;;
		--inner) INNER=1; shift ;;
		-h | --help) sed -n '2,/^set -euo/{/^#/p}' "$SELF"; exit 0 ;;
		*) echo "bi_reports.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
if [ "$INNER" = 0 ]; then
	scripts/install.sh
	started=$(date +%s)
	LANG=C.UTF-8 LC_ALL=C.UTF-8 scripts/throwaway-cluster.sh "$PG_CONFIG" \
		-o shared_buffers=2GB -o work_mem=64MB -o maintenance_work_mem=1GB -o max_wal_size=8GB \
		-o synchronous_commit=off -o jit=off -o autovacuum=off \
		-- bash "$SELF" --inner --partners "$PARTNERS" --results "$(readlink -f "$RESULTS" 2>/dev/null || echo "$PWD/$RESULTS")"
	echo "== bench/bi_reports.sh took $(( $(date +%s) - started )) s"
	exit 0
fi

sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
echo "== filling a ledger of $PARTNERS partners (as of 2025-06-15)" >&2
sql -c "CREATE EXTENSION mpn_benefits" \
	-c "SET client_min_messages = warning" \
	-c "SELECT mpn.create_ledger('partner')" \
	-c "SELECT mpn.fill_ledger('partner', $PARTNERS, 1, '2025-06-15')" \
	-c "VACUUM ANALYZE"

# name | table the question is about | the query
questions=(
	"benefits to activate within 7 days|benefits|SELECT partner_id, kind, activation_deadline, days_left FROM partner.bi_benefit_status WHERE activation_deadline BETWEEN mpn.today() AND mpn.today() + 7 AND activated_on IS NULL"
	"benefits to activate within 30 days|benefits|SELECT partner_id, kind, activation_deadline, days_left FROM partner.bi_benefit_status WHERE activation_deadline BETWEEN mpn.today() AND mpn.today() + 30 AND activated_on IS NULL"
	"keys that lapse in the next 7 days|product_keys|SELECT key, partner_id, valid_until FROM partner.bi_key_status WHERE valid_until > mpn.today() AND valid_until <= mpn.today() + 7"
	"keys that lapse next month|product_keys|SELECT key, partner_id, valid_until FROM partner.bi_key_status WHERE valid_until >= date_trunc('month', mpn.today() + interval '1 month')::date AND valid_until < date_trunc('month', mpn.today() + interval '2 months')::date"
	"subscriptions that end next month|subscriptions|SELECT subscription_id, partner_id, product, last_day FROM partner.bi_subscription_status WHERE ends >= date_trunc('month', mpn.today() + interval '1 month')::date AND ends < date_trunc('month', mpn.today() + interval '2 months')::date"
	"Visual Studio subscriptions free within 7 days|vs_assignments|SELECT vs_subscription_id, subscriber, reassignable_on FROM partner.bi_reassignment_status WHERE reassignable_on > mpn.today() AND reassignable_on <= mpn.today() + 7"
	"(for contrast) benefits by days_left <= 30, the 1.0 way|benefits|SELECT partner_id, kind, activation_deadline, days_left FROM partner.benefit_status WHERE days_left <= 30"
)

{
	echo "# mpn_benefits: BI report questions at scale"
	echo
	echo "Written by \`bash bench/bi_reports.sh --partners $PARTNERS\` (overwritten on every run)."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); server: $(sql -c 'SELECT version()')"
	echo "- ledger: $PARTNERS partners, $(sql -c 'SELECT count(*) FROM partner.product_keys') keys, $(sql -c 'SELECT count(*) FROM partner.benefits') benefits, $(sql -c 'SELECT count(*) FROM partner.subscriptions') subscriptions, $(sql -c 'SELECT count(*) FROM partner.vs_assignments') Visual Studio subscriptions; as of 2025-06-15 (mpn.as_of_date)"
	echo "- pages read: shared blocks hit + read of EXPLAIN (ANALYZE, BUFFERS), warm cache; table pages: the heap of the table the question is about"
	echo
	echo "| question | rows | plan reads | pages read | table pages | share | target | met? |"
	echo "| --- | ---: | --- | ---: | ---: | ---: | --- | --- |"
	for q in "${questions[@]}"; do
		IFS='|' read -r name table query <<<"$q"
		# warm the cache, then measure
		sql -c "SET mpn.as_of_date = '2025-06-15'" -c "$query" >/dev/null
		plan=$(sql -c "SET mpn.as_of_date = '2025-06-15'" -c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) $query")
		line=$(sql -v plan="$plan" -v tbl="partner.$table" <<'EOF'
WITH p AS (SELECT (:'plan')::jsonb -> 0 -> 'Plan' AS plan),
nodes AS (SELECT jsonb_path_query(plan, 'strict $.** ? (@."Node Type" != null)') AS n FROM p)
SELECT concat_ws('|',
	(SELECT (plan ->> 'Actual Rows') FROM p),
	(SELECT string_agg(DISTINCT n ->> 'Node Type' || coalesce(' ' || (n ->> 'Index Name'), ''), ', ')
	   FROM nodes WHERE n ->> 'Node Type' LIKE '%Scan%'),
	(SELECT ((plan ->> 'Shared Hit Blocks')::bigint + (plan ->> 'Shared Read Blocks')::bigint) FROM p),
	pg_relation_size(:'tbl') / current_setting('block_size')::int)
EOF
)
		IFS='|' read -r rows scans pages tpages <<<"$line"
		share=$(awk -v p="$pages" -v t="$tpages" 'BEGIN { printf "%.2f%%", 100 * p / t }')
		case "$name" in
			"(for contrast)"*) target="-"; met="-" ;;
			*) target="<= 1%"; met=$(awk -v p="$pages" -v t="$tpages" 'BEGIN { print (p <= t / 100) ? "yes" : "no" }') ;;
		esac
		echo "| $name | $rows | $scans | $pages | $tpages | $share | $target | $met |"
	done
} >"$RESULTS"
cat "$RESULTS"
