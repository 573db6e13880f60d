#!/usr/bin/env bash
# The ledger on a real Citus cluster: mpn.distribute_ledger, mpn.fill_ledger
# through the coordinator against a plain ledger of the same seed and day,
# comments kept, messages that name the tables the user made, rechecks on
# the shards, and a redemption race through the coordinator.
#
# Usage: test/citus/run.sh [CONNINFO]      (or MPN_CITUS_CONNINFO=...)
#   CONNINFO: a libpq connection string of the coordinator of a running
#   cluster whose workers are added and which has the extensions citus and
#   mpn_benefits created, e.g. "host=127.0.0.1 port=9700 user=postgres
#   dbname=postgres".  The test makes and drops the schemas mpn_citus_dist
#   and mpn_citus_plain there, and needs citus.enable_unsafe_triggers = on
#   for its sessions (it sets it with PGOPTIONS).
#
# Without a connection string it prints one line saying it was skipped, and
# exits 0: CI has no Citus (Citus is not in Debian; see the README).
# Prints one line per check, "citus <check> ... ok" or "... FAILED".
set -uo pipefail
CONNINFO=${1:-${MPN_CITUS_CONNINFO:-}}
if [ -z "$CONNINFO" ]; then
	echo "citus suite skipped: no coordinator given (test/citus/run.sh CONNINFO, or MPN_CITUS_CONNINFO)"
	exit 0
fi
PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$("$PG_CONFIG" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
export PGOPTIONS="${PGOPTIONS:-} -c citus.enable_unsafe_triggers=on -c client_min_messages=error"
q() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$CONNINFO" "$@"; }
failures=0
check() {							# check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "citus $1 ... ok"
	else
		echo "citus $1 ... FAILED"
		echo "  expected: $2"
		echo "  got:      $3"
		failures=$((failures + 1))
	fi
}

echo "  coordinator: $(q -c "SELECT 'Citus ' || extversion FROM pg_extension WHERE extname = 'citus'"), $(q -c 'SELECT version()' | cut -d, -f1), $(q -c "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid > 0") workers"
q -c "DROP SCHEMA IF EXISTS mpn_citus_dist, mpn_citus_plain CASCADE" >/dev/null

# without Citus the refusal is clear; here: a schema that holds no ledger,
# then a ledger distributed once, refused the second time
check "refuses a schema without a ledger" "42P01" \
	"$(q -v VERBOSITY=sqlstate -c "SELECT mpn.distribute_ledger('mpn_citus_nothing')" 2>&1 | sed -n 's/^ERROR:  //p')"
q -c "SELECT mpn.create_ledger('mpn_citus_dist')" -c "SELECT mpn.distribute_ledger('mpn_citus_dist')" >/dev/null
check "refuses to distribute twice" "55000" \
	"$(q -v VERBOSITY=sqlstate -c "SELECT mpn.distribute_ledger('mpn_citus_dist')" 2>&1 | sed -n 's/^ERROR:  //p')"

check "layout" "benefits:reference enrollments:reference license_activations:reference load_refusals:reference offer_assignments:user_id partner_tenants:reference partners:reference product_keys:key subscriptions:reference vs_assignments:vs_subscription_id" \
	"$(q -c "SELECT string_agg(c.relname || ':' || CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) ELSE 'reference' END, ' ' ORDER BY c.relname)
	           FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
	          WHERE c.relnamespace = 'mpn_citus_dist'::regnamespace")"

check "every comment kept" "0 relations, 0 columns without a comment" \
	"$(q -c "SELECT count(*) FILTER (WHERE obj_description(c.oid, 'pg_class') IS NULL) || ' relations, ' ||
	                (SELECT count(*) FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid
	                  WHERE k.relnamespace = 'mpn_citus_dist'::regnamespace AND k.relkind IN ('r', 'v')
	                    AND a.attnum > 0 AND NOT a.attisdropped AND col_description(k.oid, a.attnum) IS NULL) || ' columns without a comment'
	           FROM pg_class c WHERE c.relnamespace = 'mpn_citus_dist'::regnamespace AND c.relkind IN ('r', 'v')")"

# the same sample, distributed and plain
q -c "SELECT mpn.fill_ledger('mpn_citus_dist', 300, 5, '2025-06-15')" \
	-c "SELECT mpn.create_ledger('mpn_citus_plain')" \
	-c "SELECT mpn.fill_ledger('mpn_citus_plain', 300, 5, '2025-06-15')" >/dev/null
views=""
for v in benefit_status key_status subscription_status reassignment_status bi_benefit_status bi_key_status bi_subscription_status bi_reassignment_status; do
	views="$views $v:$(q -c "SELECT (SELECT count(*) FROM (TABLE mpn_citus_dist.$v EXCEPT ALL TABLE mpn_citus_plain.$v) a)
	                            + (SELECT count(*) FROM (TABLE mpn_citus_plain.$v EXCEPT ALL TABLE mpn_citus_dist.$v) b)")"
done
check "fill_ledger: every view as on one node" " benefit_status:0 key_status:0 subscription_status:0 reassignment_status:0 bi_benefit_status:0 bi_key_status:0 bi_subscription_status:0 bi_reassignment_status:0" "$views"
check "fill_ledger: the same refusals, with their SQLSTATEs" "0 differ, $(q -c 'SELECT count(*) FROM mpn_citus_plain.load_refusals') refused" \
	"$(q -c "SELECT (SELECT count(*) FROM (SELECT table_name, sqlstate, message, detail FROM mpn_citus_dist.load_refusals
	                                          EXCEPT ALL SELECT table_name, sqlstate, message, detail FROM mpn_citus_plain.load_refusals) x) || ' differ, ' ||
	                (SELECT count(*) FROM mpn_citus_dist.load_refusals) || ' refused'")"

# a refusal through the coordinator names the table the user made
key=$(q -c "SELECT key FROM mpn_citus_dist.product_keys WHERE redeemed_on IS NOT NULL ORDER BY key LIMIT 1")
msg=$(q -c "INSERT INTO mpn_citus_dist.product_keys (key, partner_id, redeemed_on) VALUES ('$key', 2, '2025-06-15')" 2>&1)
check "a refusal names the distributed table" "yes" \
	"$(echo "$msg" | grep -q "as recorded in table \"product_keys\"\\." && ! echo "$msg" | grep -qE 'product_keys_[0-9]+' && echo yes || echo "no: $msg" | head -n 3 | tr '\n' ' ')"

# a later-named trigger cannot undo a check on the shards
q -c "CREATE FUNCTION mpn_citus_dist.zzz_backdate() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.redeemed_on := '2020-01-01'; RETURN NEW; END \$\$" \
	-c "CREATE TRIGGER zzz_backdate BEFORE UPDATE ON mpn_citus_dist.product_keys FOR EACH ROW EXECUTE FUNCTION mpn_citus_dist.zzz_backdate()" >/dev/null
msg=$(q -c "UPDATE mpn_citus_dist.product_keys SET licenses = licenses WHERE key OPERATOR(mpn.=) '$key'" 2>&1)
check "a later trigger cannot backdate a redemption on a shard" "refused, naming table product_keys and trigger mpn_redeem_once" \
	"$(echo "$msg" | grep -q 'another trigger changed row (key)=('"$key"') of table "product_keys" after mpn.redeem_once() checked it' &&
	   echo "$msg" | grep -q 'sort after "mpn_redeem_once"' && echo "refused, naming table product_keys and trigger mpn_redeem_once" || echo "$msg" | head -n 3 | tr '\n' ' ')"
q -c "DROP TRIGGER zzz_backdate ON mpn_citus_dist.product_keys" >/dev/null

# a redemption race through the coordinator: 8 clients redeem the same 40
# keys and then try to move each redemption; every key ends redeemed once,
# on the first day, and no move gets through
q -c "CREATE TABLE mpn_citus_dist.race_keys AS SELECT row_number() OVER (ORDER BY key) AS n, key::text AS key
        FROM mpn_citus_dist.product_keys WHERE redeemed_on IS NULL ORDER BY key LIMIT 40" >/dev/null
race=$(mktemp)
cat >"$race" <<'EOF'
\set n random(1, 40)
DO $$ DECLARE k mpn.product_key; BEGIN SELECT key::mpn.product_key INTO k FROM mpn_citus_dist.race_keys WHERE n = :n; UPDATE mpn_citus_dist.product_keys SET redeemed_on = '2025-06-15' WHERE key OPERATOR(mpn.=) k AND redeemed_on IS NULL; END $$;
DO $$ DECLARE k mpn.product_key; BEGIN SELECT key::mpn.product_key INTO k FROM mpn_citus_dist.race_keys WHERE n = :n; UPDATE mpn_citus_dist.product_keys SET redeemed_on = '2025-06-16' WHERE key OPERATOR(mpn.=) k; EXCEPTION WHEN restrict_violation THEN NULL; END $$;
EOF
"$bindir/pgbench" -n -c 8 -j 2 -t 100 -f "$race" "$CONNINFO" >"$race.log" 2>&1
pgbench_status=$?
check "redemption race through the coordinator" "pgbench 0, 40 keys redeemed once on 2025-06-15, 0 moved" \
	"$(echo -n "pgbench $pgbench_status, "; q -c "SELECT count(*) FILTER (WHERE p.redeemed_on = '2025-06-15') || ' keys redeemed once on 2025-06-15, ' ||
	                                                   count(*) FILTER (WHERE p.redeemed_on <> '2025-06-15') || ' moved'
	           FROM mpn_citus_dist.race_keys r JOIN mpn_citus_dist.product_keys p ON p.key OPERATOR(mpn.=) r.key::mpn.product_key")"
[ "$pgbench_status" -ne 0 ] && tail -n 5 "$race.log" | sed 's/^/  | /'
echo "  race: $(grep -E '^number of transactions actually processed|^number of failed' "$race.log" | tr '\n' ' ')"
rm -f "$race" "$race.log"

q -c "DROP SCHEMA mpn_citus_dist, mpn_citus_plain CASCADE" >/dev/null
[ "$failures" -eq 0 ]
