#!/usr/bin/env bash
# The ledger on a real Citus cluster: mpn.distribute_ledger, mpn.fill_ledger
# through the coordinator against a plain ledger of the same seed and day,
# comments kept, messages that name the tables the user made, rechecks on
# the shards, one answer through the coordinator (mpn.as_of_date and
# mpn.time_zone: a session's SET refused, SET LOCAL with
# citus.propagate_set_commands = 'local' and ALTER DATABASE ... SET giving
# the plain ledger's report), truncate guards on the shards, and a
# redemption race through the coordinator.
#
# Usage: test/citus/run.sh [CONNINFO]      (or MPN_CITUS_CONNINFO=...)
#   CONNINFO: a libpq connection string of the coordinator of a running
#   cluster whose workers are added and which has the extensions citus and
#   mpn_benefits created, e.g. "host=127.0.0.1 port=9700 user=postgres
#   dbname=postgres".  The test makes and drops the schemas mpn_citus_dist
#   and mpn_citus_plain there, and needs citus.enable_unsafe_triggers = on
#   for its sessions (it sets it with PGOPTIONS).  It sets mpn.as_of_date
#   and mpn.time_zone on the database for a while (ALTER DATABASE, which
#   Citus carries to every node) and resets them when it exits: run it on a
#   test cluster.
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

echo "  coordinator: $(q -c "SELECT 'Citus ' || extversion FROM pg_extension WHERE extname = 'citus'"), $(q -c 'SELECT version()' | cut -d, -f1), $(q -c "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid > 0") workers, mpn_benefits preloaded: $(q -c "SELECT CASE WHEN current_setting('shared_preload_libraries') || ',' || current_setting('session_preload_libraries') ~ '(^|[ ,])mpn_benefits($|[ ,])' THEN 'yes' ELSE 'no' END")"
q -c "DROP SCHEMA IF EXISTS mpn_citus_dist, mpn_citus_plain CASCADE" >/dev/null

# without Citus the refusal is clear; here: a schema that holds no ledger,
# then a ledger distributed once, refused the second time
check "refuses a schema without a ledger" "42P01" \
	"$(q -v VERBOSITY=sqlstate -c "SELECT mpn.distribute_ledger('mpn_citus_nothing')" 2>&1 | sed -n 's/^ERROR:  //p')"
q -c "SELECT mpn.create_ledger('mpn_citus_dist')" -c "SELECT mpn.distribute_ledger('mpn_citus_dist')" >/dev/null
check "refuses to distribute twice" "55000" \
	"$(q -v VERBOSITY=sqlstate -c "SELECT mpn.distribute_ledger('mpn_citus_dist')" 2>&1 | sed -n 's/^ERROR:  //p')"

check "layout" "benefits:reference enrollments:reference license_activations:reference load_refusals:reference notices:reference offer_assignments:user_id partner_tenants:reference partners:reference product_keys:key subscriptions:reference vs_assignments:vs_subscription_id" \
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

# One answer through the coordinator.  "Today" is computed where a query
# runs: on the coordinator for the reference tables (it holds a placement of
# each), on the workers for the distributed ones.  report SCHEMA is the
# README's report questions on one ledger, as one line: the day on the
# coordinator and the day the rows of product_keys see (the workers' for a
# distributed ledger), benefits to activate within 30 days, keys that lapse
# next month, the key preview of the active subscriptions, subscriptions
# ending within 30 days, and the status counts of every view.
report() {
	cat <<SQL
SELECT 'today ' || mpn.today()
    || ', shards ' || coalesce((SELECT string_agg(DISTINCT d::text, ',') FROM (SELECT mpn.today() AS d FROM $1.product_keys) t), '-')
    || ', benefits within 30 days ' || (SELECT count(*) || ' ' || left(md5(coalesce(string_agg(concat_ws('|', partner_id, kind, activation_deadline, days_left), ',' ORDER BY days_left, partner_id, kind, benefit_id), '')), 8)
                                          FROM $1.bi_benefit_status
                                         WHERE activation_deadline BETWEEN mpn.today() AND mpn.today() + 30 AND activated_on IS NULL)
    || ', keys lapsing next month ' || (SELECT count(*) || ' ' || left(md5(coalesce(string_agg(key || '|' || valid_until, ',' ORDER BY valid_until, key), '')), 8)
                                         FROM $1.bi_key_status
                                        WHERE valid_until >= date_trunc('month', mpn.today() + interval '1 month')::date
                                          AND valid_until <  date_trunc('month', mpn.today() + interval '2 months')::date)
    || ', key previews ' || (SELECT count(*) || ' ' || left(md5(coalesce(string_agg(concat_ws('|', s.subscription_id, s.term, p.added, p.extended), ',' ORDER BY s.subscription_id), '')), 8)
                               FROM $1.subscription_status s, mpn.preview_key(s.term, 100) p WHERE s.status = 'active')
    || ', subscriptions ending within 30 days ' || (SELECT count(*) FROM $1.bi_subscription_status WHERE ends BETWEEN mpn.today() AND mpn.today() + 30)
    || ', benefit_status ' || (SELECT string_agg(status || ' ' || n, ' ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM $1.benefit_status GROUP BY 1) t)
    || ', key_status ' || (SELECT string_agg(status || ' ' || n, ' ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM $1.key_status GROUP BY 1) t)
    || ', subscription_status ' || (SELECT string_agg(status || ' ' || n, ' ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM $1.subscription_status GROUP BY 1) t)
    || ', reassignable now ' || (SELECT count(*) FILTER (WHERE reassignable_now) || ' of ' || count(*) FROM $1.reassignment_status)
SQL
}
first_error() { sed -n 's/^\(ERROR\|WARNING\):  //p' | head -n 1; }

# a session's SET of the settings is refused on a Citus node: the workers
# would not see it (once the library is loaded; before, see below)
check "a session's SET mpn.as_of_date is refused" "0A000: mpn.as_of_date set in a session does not reach the Citus workers" \
	"$(q -v VERBOSITY=verbose -c "SELECT mpn.today()" -c "SET mpn.as_of_date = '2025-06-15'" 2>&1 | first_error)"
check "a session's SET mpn.time_zone is refused" "0A000: mpn.time_zone set in a session does not reach the Citus workers" \
	"$(q -v VERBOSITY=verbose -c "SELECT mpn.today()" -c "SET mpn.time_zone = 'Pacific/Kiritimati'" 2>&1 | first_error)"
check "set_config(mpn.as_of_date, ..., is_local) is refused" "0A000" \
	"$(q -v VERBOSITY=sqlstate -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" \
	     -c "SELECT set_config('mpn.as_of_date', '2025-06-15', true)" 2>&1 | first_error)"
check "SET LOCAL without citus.propagate_set_commands = 'local' is refused" "0A000" \
	"$(q -v VERBOSITY=sqlstate -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL mpn.as_of_date = '2025-06-15'" 2>&1 | first_error)"
# before the library is loaded a SET is a placeholder: PostgreSQL warns
# when the library loads and keeps the default, on the coordinator as on
# the workers (with mpn_benefits in shared_preload_libraries or
# session_preload_libraries the SET is refused at once)
out=$(PGOPTIONS="$PGOPTIONS -c client_min_messages=warning" q -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -c "SET mpn.as_of_date = '2025-06-15'" \
	-c "SELECT 'one day: ' || CASE WHEN mpn.today() <> '2025-06-15' AND mpn.today() = ALL (SELECT DISTINCT mpn.today() FROM mpn_citus_dist.product_keys) THEN 'yes' ELSE 'no' END" 2>&1)
check "a session's SET before the library loads: refused or warned and dropped, one day" "0A000: mpn.as_of_date set in a session does not reach the Citus workers; one day: yes" \
	"$(echo "$out" | grep -oE '(ERROR|WARNING):  .*' | sed -E 's/^(ERROR|WARNING):  //' | head -n 1); $(echo "$out" | grep -o 'one day: [a-z]*')"

# a connection's own options (PGOPTIONS, options='-c ...') stay on the
# coordinator: Citus opens its connections to the workers without them, so
# they must be refused (or dropped when the library loads) like a SET
out=$(PGOPTIONS="$PGOPTIONS -c mpn.as_of_date=2025-06-15" q -c "SELECT 'one day: ' || CASE WHEN mpn.today() = ALL (SELECT DISTINCT mpn.today() FROM mpn_citus_dist.product_keys) THEN 'yes'
	ELSE 'no (coordinator ' || mpn.today() || ', shards ' || (SELECT string_agg(DISTINCT d::text, ',') FROM (SELECT mpn.today() AS d FROM mpn_citus_dist.product_keys) t) || ')' END" 2>&1)
check "a connection's -c mpn.as_of_date: refused, or one day on the coordinator and the shards" "one answer" \
	"$(if echo "$out" | grep -qE '^one day: yes$|FATAL:  mpn.as_of_date set in a session does not reach the Citus workers'; then echo "one answer"; else echo "$out" | head -n 1; fi)"

# SET LOCAL with citus.propagate_set_commands = 'local': the distributed
# ledger answers as the plain one, with the workers on the same day
plain=$(q -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.as_of_date = '2025-06-15'" \
	-c "$(report mpn_citus_plain)" -c "COMMIT" | sed -n '$p')
check "the plain ledger's report as of 2025-06-15" "yes" \
	"$(echo "$plain" | grep -qE '^today 2025-06-15, shards 2025-06-15, benefits within 30 days [1-9][0-9]* .*, keys lapsing next month [1-9]' && echo yes || echo "no: $plain")"
check "SET LOCAL mpn.as_of_date: the distributed ledger answers as one node" "$plain" \
	"$(q -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.as_of_date = '2025-06-15'" \
	     -c "$(report mpn_citus_dist)" -c "COMMIT" | sed -n '$p')"
check "SET LOCAL mpn.as_of_date and mpn.time_zone: the distributed ledger answers as one node" "$plain" \
	"$(q -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.time_zone = 'Pacific/Kiritimati'" \
	     -c "SET LOCAL mpn.as_of_date = '2025-06-15'" -c "$(report mpn_citus_dist)" -c "COMMIT" | sed -n '$p')"
# mpn.time_zone alone: two zones 26 hours apart never share a day
for tz in Pacific/Kiritimati Etc/GMT+12; do
	tzq() { q -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.time_zone = '$tz'" \
		-c "SELECT 'day ' || ((now() AT TIME ZONE '$tz')::date = mpn.today())" -c "$(report "$1")" -c "COMMIT" | tail -n 2 | tr '\n' ';'; }
	check "SET LOCAL mpn.time_zone = '$tz': the distributed ledger answers as one node" "$(tzq mpn_citus_plain)" "$(tzq mpn_citus_dist)"
done
# the same, as a session's first statements (the library not loaded yet):
# the SET LOCAL is then a placeholder when Citus sends it to the workers
check "SET LOCAL mpn.as_of_date as a session's first statements: one node's answer" "$plain" \
	"$(q -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.as_of_date = '2025-06-15'" \
	     -c "$(report mpn_citus_dist)" -c "COMMIT" | sed -n '$p')"

# SET LOCAL in a function called outside a transaction block: Citus
# carries a SET LOCAL to the workers only in a transaction block, a DO
# block or a procedure, so the function must be refused or see one day
q -c "CREATE FUNCTION mpn_citus_dist.days_as_of() RETURNS text LANGUAGE plpgsql AS \$\$
	BEGIN
		SET LOCAL citus.propagate_set_commands = 'local';
		SET LOCAL mpn.as_of_date = '2025-06-15';
		RETURN CASE WHEN mpn.today() = ALL (SELECT DISTINCT mpn.today() FROM mpn_citus_dist.product_keys) THEN 'one day'
		            ELSE 'coordinator ' || mpn.today() || ', shards ' || (SELECT string_agg(DISTINCT d::text, ',') FROM (SELECT mpn.today() AS d FROM mpn_citus_dist.product_keys) t) END;
	END \$\$" >/dev/null
check "SET LOCAL in a function called outside a transaction block: refused, or one day" "one answer" \
	"$(out=$(q -v VERBOSITY=sqlstate -c "SELECT mpn.today()" -c "SELECT mpn_citus_dist.days_as_of()" 2>&1); if echo "$out" | grep -qE '^(one day|ERROR:  0A000)$'; then echo "one answer"; else echo "$out" | tail -n 1; fi)"
check "SET LOCAL in a function called in a transaction block: one day" "one day" \
	"$(q -c "SELECT mpn.today()" -c "BEGIN" -c "SELECT mpn_citus_dist.days_as_of()" -c "COMMIT" | tail -n 1)"

# ALTER DATABASE ... SET: Citus propagates it to every node, which reads it
# at the start of each session (of the coordinator's connections to the
# workers too)
db=$(q -c "SELECT current_database()")
trap 'q -c "ALTER DATABASE \"$db\" RESET mpn.as_of_date" -c "ALTER DATABASE \"$db\" RESET mpn.time_zone" >/dev/null 2>&1' EXIT
db_settings() {
	q -c "SELECT count(*) || ' nodes: ' || string_agg(DISTINCT result, ' ')
	        FROM run_command_on_all_nodes(\$\$SELECT coalesce((SELECT string_agg(c, ',' ORDER BY c) FROM pg_db_role_setting, unnest(setconfig) c
	                                                     WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
	                                                       AND setrole = 0 AND c LIKE 'mpn.%'), 'none')\$\$)"
}
nodes=$(q -c "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND isactive")
q -c "ALTER DATABASE \"$db\" SET mpn.as_of_date = '2025-06-15'" >/dev/null
check "ALTER DATABASE SET mpn.as_of_date reaches every node" "$nodes nodes: mpn.as_of_date=2025-06-15" "$(db_settings)"
check "ALTER DATABASE SET mpn.as_of_date: the distributed ledger answers as one node" "$plain" "$(q -c "$(report mpn_citus_dist)")"
q -c "ALTER DATABASE \"$db\" SET mpn.time_zone = 'Pacific/Kiritimati'" >/dev/null
check "ALTER DATABASE SET mpn.as_of_date and mpn.time_zone: the distributed ledger answers as one node" "$plain" "$(q -c "$(report mpn_citus_dist)")"
q -c "ALTER DATABASE \"$db\" RESET mpn.as_of_date" >/dev/null
check "ALTER DATABASE SET mpn.time_zone: the distributed ledger answers as one node" \
	"$(q -c "SELECT 'day ' || ((now() AT TIME ZONE 'Pacific/Kiritimati')::date = mpn.today())" -c "$(report mpn_citus_plain)" | tr '\n' ';')" \
	"$(q -c "SELECT 'day ' || ((now() AT TIME ZONE 'Pacific/Kiritimati')::date = mpn.today())" -c "$(report mpn_citus_dist)" | tr '\n' ';')"
q -c "ALTER DATABASE \"$db\" RESET mpn.time_zone" >/dev/null
check "ALTER DATABASE RESET reaches every node" "$nodes nodes: none" "$(db_settings)"

# the shards carry the rules' rechecks and truncate guards, and TRUNCATE
# through the coordinator is refused on the workers with the rule's SQLSTATE
for t in product_keys:mpn_redeem_once vs_assignments:mpn_reassign_after; do
	check "every shard of ${t%%:*} has its recheck and truncate guard" \
		"$(q -c "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'mpn_citus_dist.${t%%:*}'::regclass") shards: $(printf '%s\n' mpn_recheck:A "${t#*:}:O" mpn_truncate:A | LC_ALL=C sort | paste -sd ' ')" \
		"$(q -c "SELECT count(*) || ' shards: ' || string_agg(DISTINCT result, ' | ')
		           FROM run_command_on_shards('mpn_citus_dist.${t%%:*}', \$\$SELECT string_agg(regexp_replace(tgname, '_[0-9]+\$', '') || ':' || tgenabled::text, ' ' ORDER BY tgname COLLATE \"C\")
		                                                           FROM pg_trigger WHERE tgrelid = '%s'::regclass AND tgname LIKE 'mpn\\_%%'\$\$)")"
done
keys=$(q -c "SELECT count(*) FROM mpn_citus_dist.product_keys")
check "TRUNCATE of the distributed product_keys is refused" "23001: cannot truncate table \"product_keys\": it holds redeemed product keys; $keys keys kept" \
	"$(q -v VERBOSITY=verbose -c "TRUNCATE mpn_citus_dist.product_keys" 2>&1 | first_error); $(q -c "SELECT count(*) FROM mpn_citus_dist.product_keys") keys kept"
check "TRUNCATE ... CASCADE from the reference table partners is refused" "23001: cannot truncate table \"product_keys\": it holds redeemed product keys; $keys keys kept" \
	"$(q -v VERBOSITY=verbose -c "TRUNCATE mpn_citus_dist.partners CASCADE" 2>&1 | first_error); $(q -c "SELECT count(*) FROM mpn_citus_dist.product_keys") keys kept"
vs=$(q -c "SELECT count(*) FROM mpn_citus_dist.vs_assignments")
check "TRUNCATE of the distributed vs_assignments as of 2025-06-15 is refused" "23514: cannot truncate table \"vs_assignments\": subscription (vs_subscription_id)=(N) cannot be deleted before DAY; $vs assignments kept" \
	"$(q -v VERBOSITY=verbose -c "SELECT mpn.today()" -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.as_of_date = '2025-06-15'" \
	     -c "TRUNCATE mpn_citus_dist.vs_assignments" 2>&1 | first_error | sed -E 's/=\([0-9]+\)/=(N)/; s/before [0-9]{4}-[0-9]{2}-[0-9]{2}$/before DAY/'); $(q -c "SELECT count(*) FROM mpn_citus_dist.vs_assignments") assignments kept"

# notices (issue 17): the queue of the distributed ledger is a reference
# table; a sweep through the coordinator queues what one node's does, a
# second queues nothing, and claims, reports and the next day's sweep give
# the one-node results ("today" 2025-06-15 for both, carried to the workers)
notices_state() {					# notices_state SCHEMA: the queue, ids left out
	q -c "SELECT count(*) || ' notices, ' || md5(coalesce(string_agg(kind || ' ' || object_id || ' ' || last_day || ' ' || threshold || ' ' || status || ' ' || attempts,
	                                             ',' ORDER BY kind, object_id, last_day, threshold), ''))
	        FROM $1.notices"
}
sweep() {							# sweep SCHEMA DAY: notices queued
	q -c "SELECT mpn.enqueue_notices('$1.deadlines', '$1.notices', on_date => '$2')"
}
declare -A first again
for l in mpn_citus_dist mpn_citus_plain; do
	first[$l]=$(sweep $l 2025-06-15)
	again[$l]=$(sweep $l 2025-06-15)
done
check "notices: the first sweep queues what one node's does, a second nothing" 	"${first[mpn_citus_plain]} then ${again[mpn_citus_plain]}" "${first[mpn_citus_dist]} then ${again[mpn_citus_dist]}"
check "notices: the same queue as one node's" "$(notices_state mpn_citus_plain)" "$(notices_state mpn_citus_dist)"
claim_all() {						# claim_all SCHEMA: claim every due notice, report the 7-day ones failed, the rest sent
	q -c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL mpn.as_of_date = '2025-06-15'" \
	  -c "CREATE TEMP TABLE claimed ON COMMIT DROP AS SELECT id, threshold FROM mpn.claim_notices('$1.notices', 100000)" \
	  -c "SELECT count(*) FILTER (WHERE CASE WHEN threshold = 7 THEN mpn.notice_failed('$1.notices', id, 'bounced') = 'pending'
	                                        ELSE mpn.notice_sent('$1.notices', id) END) || ' of ' || count(*) FROM claimed" \
	  -c "COMMIT"
}
check "notices: claims and reports through the coordinator as on one node" "$(claim_all mpn_citus_plain)" "$(claim_all mpn_citus_dist)"
check "notices: the queue after the claims as one node's" "$(notices_state mpn_citus_plain)" "$(notices_state mpn_citus_dist)"
check "notices: the next day's sweep as one node's" "$(sweep mpn_citus_plain 2025-06-16) $(notices_state mpn_citus_plain)" \
	"$(sweep mpn_citus_dist 2025-06-16) $(notices_state mpn_citus_dist)"

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
