#!/usr/bin/env bash
# pg_upgrade of a cluster that uses mpn_benefits, in copy mode and in --link
# mode: a filled ledger (mpn.create_ledger, mpn.fill_ledger) and tables of
# the user's own with each trigger attached by hand (mpn.redeem_once on a
# table whose only unique index is partial, mpn.reassign_after on a
# timestamptz column and on a LIST-partitioned table through its parent,
# mpn.partner_tenant_only, mpn.exclusive_offer), with redeemed keys and
# subscriptions inside their wait.  After the upgrade:
#   - every table's and every view's rows are as before (md5 of the rows
#     as text, in order), and so are the extension's version, its event
#     triggers and every user trigger;
#   - the first guarded write fails closed (55000, with a hint naming
#     mpn.check_triggers()), as does a write to every other guarded table:
#     the binary-upgrade restore makes event triggers last, so no trigger
#     got its recheck or truncate guard;
#   - SELECT mpn.check_triggers() as superuser makes them: exactly one
#     recheck (AFTER ROW) per BEFORE rule trigger of every leaf table and
#     exactly one truncate guard (BEFORE TRUNCATE, statement) per
#     redeem_once and reassign_after trigger, internal and enabled ALWAYS;
#     a second call changes nothing;
#   - every rule still refuses with its SQLSTATE (a redemption changed or
#     deleted 23001, a second redemption 23505, a change of hands inside
#     the wait 23514 (a partition's clone too), a demonstration license on
#     a customer's tenant 23514, an exclusive offer clash 23P01, TRUNCATE of
#     a table with redeemed keys 23001, a later trigger that undoes a check
#     caught by the recheck), and allowed writes go through;
#   - amcheck's bt_index_check and bt_index_parent_check (heapallindexed)
#     find every btree index on an mpn.product_key or mpn.license_term
#     column clean (a line says so when contrib/amcheck is not installed
#     into the new server; scripts/build-postgres.sh builds it).
#
# Usage: test/pg_upgrade/run.sh OLD_PG_CONFIG NEW_PG_CONFIG
#   test/pg_upgrade/run.sh /usr/lib/postgresql/15/bin/pg_config /usr/lib/postgresql/15/bin/pg_config
#   test/pg_upgrade/run.sh /var/cache/mpn-benefits/postgres/17/install/bin/pg_config \
#                          /var/cache/mpn-benefits/postgres/18/install/bin/pg_config
# OLD and NEW may be the same server (an upgrade within a major).  The
# extension must already be installed into both (scripts/install.sh, or
# make install PG_CONFIG=...): scripts/run-tests.sh does that.
#
# It starts no server of anyone else's and needs none: it makes its own
# clusters (initdb; as the user "postgres" when run as root, as PostgreSQL
# refuses root) in a temporary directory, on free ports from 55400 (or
# $MPN_UPGRADE_PORT) and on unix sockets in that directory only, and drops
# them on exit.  Environment: PARTNERS (300), the size of the ledger.
#
# Prints one line per check, "pg_upgrade OLD->NEW MODE <check> ... ok" or
# "... FAILED" (with what was expected and what came), and last
# "N passed, N failed"; exits non-zero when a check failed.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: test/pg_upgrade/run.sh OLD_PG_CONFIG NEW_PG_CONFIG" >&2
	exit 2
fi
OLD_PGC=$1
NEW_PGC=$2
PARTNERS=${PARTNERS:-300}
TODAY=2025-06-15				# mpn.as_of_date in every session: "today" for the rules

oldbin=$("$OLD_PGC" --bindir) || { echo "pg_upgrade: $OLD_PGC does not answer" >&2; exit 2; }
newbin=$("$NEW_PGC" --bindir) || { echo "pg_upgrade: $NEW_PGC does not answer" >&2; exit 2; }
major() { "$1" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'; }
label="pg_upgrade $(major "$OLD_PGC")->$(major "$NEW_PGC")"
mode=setup

passed=0 failed=0
check() {							# check WHAT EXPECTED GOT
	if [ "$2" = "$3" ]; then
		echo "$label $mode $1 ... ok"
		passed=$((passed + 1))
	else
		echo "$label $mode $1 ... FAILED"
		if [[ "$2$3" == *$'\n'* ]]; then
			diff <(echo "$2") <(echo "$3") | sed 's/^/  /' | head -n 40
		else
			echo "  expected: $2"
			echo "  got:      $3"
		fi
		failed=$((failed + 1))
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

for pgc in "$OLD_PGC" "$NEW_PGC"; do
	if [ ! -f "$("$pgc" --sharedir)/extension/mpn_benefits.control" ]; then
		check "mpn_benefits installed into $("$pgc" --bindir)" "installed" "missing"
		finish
	fi
done

# PostgreSQL refuses to run as root: $owner, as_owner, owned_tmpdir
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/cluster-owner.sh"
tmp=$(owned_tmpdir mpn-pg_upgrade)

started=()							# BINDIR|DATADIR of each server started
stop_server() { as_owner "$1/pg_ctl" -D "$2" -m fast -w -t 60 stop >/dev/null 2>&1; }
cleanup() {
	local s
	for s in ${started[@]+"${started[@]}"}; do stop_server "${s%%|*}" "${s#*|}"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Free ports: no socket of ours and no TCP listener holds them (the servers
# listen on their own sockets only, but a port no other server answers on
# keeps logs unambiguous)
port_free() { [ ! -e "$tmp/.s.PGSQL.$1" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free_port() {
	local p
	for p in $(seq "$1" $(($1 + 199))); do port_free "$p" && { echo "$p"; return 0; }; done
	return 1
}
old_port=$(first_free_port "${MPN_UPGRADE_PORT:-55400}") &&
	new_port=$(first_free_port $((old_port + 1))) ||
	{ check "free ports from ${MPN_UPGRADE_PORT:-55400}" "found" "none"; finish; }

make_cluster() {					# make_cluster BINDIR DATADIR
	# checksums on both sides: 18's initdb turns them on by default, and
	# pg_upgrade wants old and new alike
	as_owner "$1/initdb" -D "$2" -U postgres --auth=trust --encoding=UTF8 \
		--locale=C.UTF-8 --data-checksums >"$2.initdb.log" 2>&1 || { cat "$2.initdb.log"; return 1; }
}
start_server() {					# start_server BINDIR DATADIR PORT
	if as_owner "$1/pg_ctl" -D "$2" -l "$2.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$tmp' -p $3" start >/dev/null; then
		started+=("$1|$2")
		return 0
	fi
	tail -n 20 "$2.log"
	return 1
}

# psql on one of our servers, every session with the same "today" and zone
sql() {								# sql BINDIR PORT DB [PSQL ARG ...]
	local bin=$1 port=$2 db=$3
	shift 3
	PGOPTIONS="-c TimeZone=UTC -c mpn.as_of_date=$TODAY -c client_min_messages=warning" \
		"$bin/psql" -X -q -At -h "$tmp" -p "$port" -U postgres -d "$db" -v ON_ERROR_STOP=1 "$@"
}
# A statement (or several, each a -c, in one session) on the new server:
# sets probe_state to the SQLSTATE of the error, or "none", and probe_msg
# to the whole error (message, detail, hint)
probe() {							# probe SQL ...
	local args=() s
	for s in "$@"; do args+=(-c "$s"); done
	probe_msg=$(sql "$newbin" "$new_port" partnerdb -v VERBOSITY=verbose "${args[@]}" 2>&1 >/dev/null)
	probe_state=$(sed -nE 's/^ERROR:  ([0-9A-Z]{5}): .*/\1/p' <<<"$probe_msg" | head -n 1)
	[ -n "$probe_state" ] || probe_state=none
}
# the SQLSTATE of statements run in a transaction that is rolled back
rolled_back() { probe BEGIN "$@" ROLLBACK; echo "$probe_state"; }

# Every table's and view's rows, as "relation count md5", in order
digests() {							# digests BINDIR PORT
	sql "$1" "$2" partnerdb 2>&1 <<'EOF'
SELECT format('SELECT %L || '' '' || count(*) || '' '' || md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C"), '''')) FROM %s t',
              c.oid::regclass::text, c.oid::regclass)
  FROM pg_class c
 WHERE c.relnamespace IN ('ledger'::regnamespace, 'app'::regnamespace) AND c.relkind IN ('r', 'p', 'v')
 ORDER BY c.oid::regclass::text COLLATE "C"
\gexec
EOF
}
# The triggers users made (partitions' clones included), as pg_get_triggerdef shows them
user_triggers() {					# user_triggers BINDIR PORT
	sql "$1" "$2" partnerdb -c "
		SELECT line FROM (
			SELECT t.tgrelid::regclass::text || ' ' || t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) AS line
			  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			 WHERE NOT t.tgisinternal AND c.relnamespace IN ('ledger'::regnamespace, 'app'::regnamespace)) s
		 ORDER BY line COLLATE \"C\"" 2>&1
}
# The extension's event triggers (the restore makes them last)
event_triggers() {					# event_triggers BINDIR PORT
	sql "$1" "$2" partnerdb -c "
		SELECT string_agg(evtname || ':' || evtevent || ':' || evtenabled::text, ' ' ORDER BY evtname COLLATE \"C\")
		  FROM pg_event_trigger" 2>&1
}
# Each BEFORE rule trigger of a leaf table and its internal guards (those
# that depend on it internally): "table trigger: R recheck(s), T truncate
# guard(s), ...|ok" where ok says whether it has exactly what it should,
# each guard internal, on the same table, of the right shape and enabled
# ALWAYS.  tgtype bits: 1 row, 2 before, 32 truncate, 64 instead.
guard_rows() {						# guard_rows BINDIR PORT
	sql "$1" "$2" partnerdb -c "
		WITH rules AS (
			SELECT t.oid, t.tgrelid, t.tgname, p.proname IN ('redeem_once', 'reassign_after') AS wants_truncate
			  FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_class c ON c.oid = t.tgrelid
			 WHERE NOT t.tgisinternal AND c.relkind = 'r' AND p.pronamespace = 'mpn'::regnamespace
			   AND p.proname IN ('redeem_once', 'reassign_after', 'partner_tenant_only')
		), guards AS (
			SELECT d.refobjid AS rule, g.*,
			       g.tgname LIKE 'mpn\\_recheck\\_%' AS is_recheck,
			       g.tgname LIKE 'mpn\\_truncate\\_%' AS is_truncate
			  FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid
			 WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_trigger'::regclass AND d.deptype = 'i'
		)
		SELECT line FROM (
		SELECT r.tgrelid::regclass::text || ' ' || r.tgname || ': '
		       || count(g.oid) FILTER (WHERE g.is_recheck) || ' recheck(s), '
		       || count(g.oid) FILTER (WHERE g.is_truncate) || ' truncate guard(s), '
		       || count(g.oid) FILTER (WHERE NOT (g.is_recheck OR g.is_truncate)) || ' other(s), enabled '
		       || coalesce(string_agg(DISTINCT g.tgenabled::text, ','), '-') || '|'
		       || (count(g.oid) FILTER (WHERE g.is_recheck) = 1
		           AND count(g.oid) FILTER (WHERE g.is_truncate) = CASE WHEN r.wants_truncate THEN 1 ELSE 0 END
		           AND count(g.oid) FILTER (WHERE NOT (g.is_recheck OR g.is_truncate)) = 0
		           AND coalesce(bool_and(g.tgenabled = 'A' AND g.tgisinternal AND g.tgrelid = r.tgrelid
		                                 AND CASE WHEN g.is_recheck THEN g.tgtype & 1 = 1 AND g.tgtype & (2 | 64) = 0
		                                          ELSE g.tgtype & 1 = 0 AND g.tgtype & 2 = 2 AND g.tgtype & 32 = 32 END), false))::text AS line
		  FROM rules r LEFT JOIN guards g ON g.rule = r.oid
		 GROUP BY r.oid, r.tgrelid, r.tgname, r.wants_truncate) s
		 ORDER BY line COLLATE \"C\"" 2>&1
}
guard_summary() {					# guard_summary BINDIR PORT
	guard_rows "$1" "$2" | awk -F'|' '
		{ n++; split($1, a, /: /); split(a[2], f, /[ ,]+/); r += f[1]; t += f[3] }
		END { printf "%d BEFORE rule triggers on leaf tables, %d rechecks, %d truncate guards\n", n, r, t }'
}

# ---------------------------------------------------------------------------
# The old cluster, made and filled once; each mode upgrades a copy of it
# ---------------------------------------------------------------------------
t0=$SECONDS
pristine=$tmp/old
if ! make_cluster "$oldbin" "$pristine" || ! start_server "$oldbin" "$pristine" "$old_port"; then
	check "old cluster starts" "started" "failed"
	finish
fi
setup_log=$tmp/setup.log
sql "$oldbin" "$old_port" postgres -c "CREATE DATABASE partnerdb" >"$setup_log" 2>&1 &&
	sql "$oldbin" "$old_port" partnerdb -v partners="$PARTNERS" -v today="$TODAY" >>"$setup_log" 2>&1 <<'EOF'
CREATE EXTENSION mpn_benefits;
SELECT mpn.create_ledger('ledger');				-- with its BI views (create_bi_views)
SELECT mpn.fill_ledger('ledger', partners => :partners, seed => 1, as_of => :'today');
CREATE SCHEMA app;

-- redeem_once on a table whose only unique index is partial
CREATE TABLE app.keys (key_id int NOT NULL, key mpn.product_key NOT NULL, redeemed date, note text);
CREATE UNIQUE INDEX keys_redeemed_once ON app.keys (key) WHERE redeemed IS NOT NULL;
CREATE TRIGGER redeem_once BEFORE INSERT OR UPDATE OR DELETE ON app.keys
	FOR EACH ROW EXECUTE FUNCTION mpn.redeem_once('key', 'redeemed');
INSERT INTO app.keys (key_id, key, redeemed, note)
SELECT n, key, CASE WHEN n % 2 = 0 THEN '2025-01-01'::date + (n % 150)::int END, 'key ' || n
  FROM (SELECT key, row_number() OVER (ORDER BY key) AS n
          FROM (SELECT DISTINCT key FROM ledger.product_keys) d ORDER BY key LIMIT 400) k;

-- reassign_after on a timestamptz column, with a license_term index;
-- subscriptions 1-100 assigned long ago, 101-200 inside their wait
CREATE TABLE app.subs (sub_id int PRIMARY KEY, subscriber text, assigned_on timestamptz,
                       term mpn.license_term NOT NULL);
CREATE INDEX subs_term ON app.subs (term);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON app.subs
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');
SET mpn.as_of_date = '2025-01-02';
INSERT INTO app.subs (sub_id, subscriber, term)
SELECT n, 'user' || n || '@partner.example', mpn.license_term(n % 50 + 1, '2025-01-01'::date + n, '2026-01-01'::date + n)
  FROM generate_series(1, 100) n;
SET mpn.as_of_date = '2025-06-01';
INSERT INTO app.subs (sub_id, subscriber, term)
SELECT n, 'user' || n || '@partner.example', mpn.license_term(n % 50 + 1, '2025-05-01'::date + n % 30, '2026-05-01'::date)
  FROM generate_series(101, 200) n;

-- partner_tenant_only: demonstration licenses on the partner's tenants,
-- customers' licenses anywhere, some not activated yet
CREATE TABLE app.activations (activation_id int PRIMARY KEY, is_demo boolean NOT NULL,
                              tenant uuid, own_tenant uuid);
CREATE TRIGGER partner_tenant_only BEFORE INSERT OR UPDATE ON app.activations
	FOR EACH ROW EXECUTE FUNCTION mpn.partner_tenant_only('tenant', 'own_tenant', 'is_demo');
INSERT INTO app.activations
SELECT n, n % 3 <> 0,
       CASE WHEN n % 7 = 0 THEN NULL WHEN n % 3 = 0 THEN md5('customer' || n)::uuid ELSE md5('own' || n % 10)::uuid END,
       md5('own' || n % 10)::uuid
  FROM generate_series(1, 150) n;

-- exclusive_offer, with the btree index on the user column it needs;
-- every fourth user holds the exclusive offer alone
CREATE TABLE app.offers (user_id text NOT NULL, offer text NOT NULL);
CREATE INDEX offers_user ON app.offers (user_id);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON app.offers
	FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');
INSERT INTO app.offers SELECT 'u' || n, 'azure_bulk_credit' FROM generate_series(1, 100) n WHERE n % 4 = 0;
INSERT INTO app.offers SELECT 'u' || n, o FROM generate_series(1, 100) n,
       (VALUES ('visual_studio'), ('technical_support')) v(o) WHERE n % 4 <> 0;

-- reassign_after on a LIST-partitioned table, attached to the parent:
-- two partitions clone it when made, one when attached; seats 1-30 of
-- each region assigned long ago, 31-60 inside their 30 days
CREATE TABLE app.seats (region text NOT NULL, seat_id int NOT NULL, holder text, assigned_on date,
                        PRIMARY KEY (region, seat_id)) PARTITION BY LIST (region);
CREATE TABLE app.seats_eu PARTITION OF app.seats FOR VALUES IN ('eu');
CREATE TABLE app.seats_us PARTITION OF app.seats FOR VALUES IN ('us');
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON app.seats
	FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('holder', 'assigned_on', '30');
CREATE TABLE app.seats_apac (LIKE app.seats);
ALTER TABLE app.seats ATTACH PARTITION app.seats_apac FOR VALUES IN ('apac');
SET mpn.as_of_date = '2025-03-01';
INSERT INTO app.seats (region, seat_id, holder)
SELECT r, n, r || '-holder-' || n FROM unnest(ARRAY['eu', 'us', 'apac']) r, generate_series(1, 30) n;
SET mpn.as_of_date = '2025-06-10';
INSERT INTO app.seats (region, seat_id, holder)
SELECT r, n, r || '-holder-' || n FROM unnest(ARRAY['eu', 'us', 'apac']) r, generate_series(31, 60) n;
RESET mpn.as_of_date;
ANALYZE;
EOF
rc=$?
[ "$rc" -eq 0 ] || cat "$setup_log"
check "old cluster: ledger of $PARTNERS partners and app tables with triggers" "0" "$rc"
[ "$rc" -eq 0 ] || finish
old_digests=$(digests "$oldbin" "$old_port")
old_triggers=$(user_triggers "$oldbin" "$old_port")
old_version=$(sql "$oldbin" "$old_port" partnerdb -c "SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits'" 2>&1)
old_rules=$(guard_rows "$oldbin" "$old_port")
old_events=$(event_triggers "$oldbin" "$old_port")
# what the new cluster is compared with must be sound itself
got=ok
for v in "$old_digests" "$old_triggers" "$old_version" "$old_rules" "$old_events"; do
	{ [ -z "$v" ] || grep -q 'ERROR' <<<"$v"; } && got="empty or an error: $v"
done
check "old cluster: rows, triggers and guards recorded" ok "$got"
[ "$got" = ok ] || finish
nrules=$(grep -c . <<<"$old_rules")
echo "  old cluster: mpn_benefits $old_version, $(wc -l <<<"$old_digests") tables and views ($(awk '{ n += $2 } END { print n }' <<<"$old_digests") rows), $(wc -l <<<"$old_triggers") user triggers, $(guard_summary "$oldbin" "$old_port") (setup $((SECONDS - t0)) s)"
stop_server "$oldbin" "$pristine"

amcheck_ok=0
[ -f "$("$NEW_PGC" --sharedir)/extension/amcheck.control" ] && amcheck_ok=1

# ---------------------------------------------------------------------------
# Each mode: a copy of the old cluster, a new cluster, pg_upgrade, checks
# ---------------------------------------------------------------------------
for mode in copy link; do
	t1=$SECONDS
	old=$tmp/old-$mode new=$tmp/new-$mode work=$tmp/work-$mode
	as_owner cp -a "$pristine" "$old"
	as_owner mkdir "$work"
	if ! make_cluster "$newbin" "$new"; then
		check "new cluster (initdb)" "made" "failed"
		continue
	fi
	link=()
	[ "$mode" = link ] && link=(--link)
	upgrade() {
		# from a directory of the owner's: pg_upgrade writes its files there
		(cd "$work" && as_owner "$newbin/pg_upgrade" -b "$oldbin" -B "$newbin" -d "$old" -D "$new" \
			-p "$old_port" -P "$new_port" -s "$tmp" -U postgres ${link[@]+"${link[@]}"} "$@")
	}
	if upgrade --check >"$work/check.log" 2>&1; then rc=0; else rc=$?; tail -n 30 "$work/check.log"; fi
	check "pg_upgrade --check" "0" "$rc"
	if upgrade >"$work/upgrade.log" 2>&1; then rc=0; else
		rc=$?
		tail -n 30 "$work/upgrade.log"
		find "$new" "$work" -name '*.log' -path '*pg_upgrade*' -exec tail -n 20 {} + 2>/dev/null
	fi
	check "pg_upgrade" "0" "$rc"
	[ "$rc" -eq 0 ] || continue
	if ! start_server "$newbin" "$new" "$new_port"; then
		check "new server starts" "started" "failed"
		continue
	fi

	check "rows of every table and view (md5 of the rows in order)" "$old_digests" "$(digests "$newbin" "$new_port")"
	check "user triggers" "$old_triggers" "$(user_triggers "$newbin" "$new_port")"
	check "extension version" "$old_version" \
		"$(sql "$newbin" "$new_port" partnerdb -c "SELECT extversion FROM pg_extension WHERE extname = 'mpn_benefits'")"
	check "the extension's event triggers" "$old_events" "$(event_triggers "$newbin" "$new_port")"
	echo "  new cluster before mpn.check_triggers(): $(guard_summary "$newbin" "$new_port")"

	# Writes before mpn.check_triggers(): refused, every one, until it has run
	probe BEGIN "UPDATE app.keys SET note = 'first write' WHERE key_id = 1" ROLLBACK
	hint=no
	grep -q '^HINT: .*mpn\.check_triggers()' <<<"$probe_msg" && hint=yes
	check "first guarded write fails closed (55000, hint names mpn.check_triggers())" "55000 hint:yes" "$probe_state hint:$hint"
	[ "$probe_state $hint" = "55000 yes" ] || sed 's/^/  | /' <<<"$probe_msg"
	got=''
	for stmt in \
		"INSERT INTO app.keys SELECT 9999, key, NULL, 'new' FROM ledger.product_keys ORDER BY key DESC LIMIT 1" \
		"DELETE FROM app.keys WHERE key_id = 3" \
		"UPDATE app.subs SET term = term WHERE sub_id = 1" \
		"UPDATE app.seats SET holder = holder WHERE region = 'apac' AND seat_id = 1" \
		"UPDATE app.activations SET is_demo = is_demo WHERE activation_id = 1" \
		"UPDATE ledger.product_keys SET applied_to = applied_to WHERE ctid = (SELECT ctid FROM ledger.product_keys WHERE redeemed_on IS NULL LIMIT 1)" \
		"UPDATE ledger.vs_assignments SET subscriber = subscriber WHERE ctid = (SELECT ctid FROM ledger.vs_assignments LIMIT 1)" \
		"UPDATE ledger.license_activations SET product = product WHERE ctid = (SELECT ctid FROM ledger.license_activations LIMIT 1)"; do
		got="$got $(rolled_back "$stmt")"
	done
	check "every other guarded table refuses writes until then (INSERT, DELETE, UPDATE)" \
		" 55000 55000 55000 55000 55000 55000 55000 55000" "$got"

	# mpn.check_triggers() makes the guards: one of each, enabled ALWAYS
	probe "SELECT mpn.check_triggers()"
	check "SELECT mpn.check_triggers() as superuser" "none" "$probe_state"
	[ "$probe_state" = none ] || sed 's/^/  | /' <<<"$probe_msg"
	rows=$(guard_rows "$newbin" "$new_port")
	got="$(grep -c '|true$' <<<"$rows") of $(grep -c . <<<"$rows") right"
	bad=$(grep -v '|true$' <<<"$rows" | cut -d'|' -f1)
	[ -n "$bad" ] && got="$got"$'\n'"$bad"
	check "each BEFORE rule trigger of a leaf table: one recheck, one truncate guard (redeem_once, reassign_after), internal, enabled ALWAYS" \
		"$nrules of $nrules right" "$got"
	sql "$newbin" "$new_port" partnerdb -c "SELECT mpn.check_triggers()" >/dev/null 2>&1
	check "a second mpn.check_triggers() changes nothing" "$rows" "$(guard_rows "$newbin" "$new_port")"

	# The rules refuse as before
	check "UPDATE of a redemption date refused" 23001 \
		"$(rolled_back "UPDATE app.keys SET redeemed = redeemed + 1 WHERE key_id = 2")"
	check "DELETE of a redeemed key refused" 23001 \
		"$(rolled_back "DELETE FROM app.keys WHERE key_id = 2")"
	check "second redemption of a key refused" 23505 \
		"$(rolled_back "INSERT INTO app.keys (key_id, key, redeemed) SELECT 9999, key, '$TODAY' FROM app.keys WHERE key_id = 2")"
	check "change of hands inside the wait refused (timestamptz)" 23514 \
		"$(rolled_back "UPDATE app.subs SET subscriber = 'someone.else@customer.example' WHERE sub_id = 150")"
	check "change of hands inside the wait refused (partition, trigger cloned from the parent)" 23514 \
		"$(rolled_back "UPDATE app.seats SET holder = 'someone else' WHERE region = 'apac' AND seat_id = 40")"
	check "demonstration license on a customer's tenant refused" 23514 \
		"$(rolled_back "INSERT INTO app.activations VALUES (9999, true, md5('customer')::uuid, md5('own1')::uuid)")"
	check "exclusive offer clash refused" 23P01 \
		"$(rolled_back "INSERT INTO app.offers VALUES ('u4', 'visual_studio')")"
	check "TRUNCATE of a table with redeemed keys refused" 23001 \
		"$(rolled_back "TRUNCATE app.keys")"
	check "ledger: changed redemption and early reassignment refused" "23001 23514" \
		"$(rolled_back "UPDATE ledger.product_keys SET redeemed_on = redeemed_on + 1 WHERE ctid = (SELECT ctid FROM ledger.product_keys WHERE redeemed_on IS NOT NULL ORDER BY key LIMIT 1)") $(rolled_back "UPDATE ledger.vs_assignments SET subscriber = 'someone.else@customer.example' WHERE vs_subscription_id = (SELECT vs_subscription_id FROM ledger.vs_assignments WHERE subscriber IS NOT NULL AND assigned_on > '$TODAY'::date - 90 ORDER BY 1 LIMIT 1)")"
	# the rechecks at work: a BEFORE trigger that sorts after the rule and
	# undoes what it checked
	check "recheck catches a later trigger that backdates a redemption" 23001 \
		"$(rolled_back "CREATE FUNCTION app.zz_backdate() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.redeemed := '2020-01-01'; RETURN NEW; END \$\$" \
			"CREATE TRIGGER zzz_backdate BEFORE UPDATE ON app.keys FOR EACH ROW EXECUTE FUNCTION app.zz_backdate()" \
			"UPDATE app.keys SET note = 'touched' WHERE key_id = 2")"
	check "recheck catches a later trigger that backdates an assignment (partition)" 23514 \
		"$(rolled_back "CREATE FUNCTION app.zz_backdate() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.assigned_on := '2024-01-01'; RETURN NEW; END \$\$" \
			"CREATE TRIGGER zzz_backdate BEFORE UPDATE ON app.seats FOR EACH ROW EXECUTE FUNCTION app.zz_backdate()" \
			"UPDATE app.seats SET holder = holder WHERE region = 'us' AND seat_id = 40")"
	got=''
	for stmt in \
		"UPDATE app.keys SET note = 'after the upgrade' WHERE key_id = 1" \
		"UPDATE app.keys SET redeemed = '$TODAY' WHERE key_id = 1" \
		"UPDATE app.subs SET subscriber = 'someone.else@customer.example' WHERE sub_id = 10" \
		"UPDATE app.seats SET holder = 'someone else' WHERE region = 'eu' AND seat_id = 10" \
		"INSERT INTO app.activations VALUES (9999, true, md5('own1')::uuid, md5('own1')::uuid)" \
		"INSERT INTO app.offers VALUES ('u1', 'partner_center')" \
		"DELETE FROM app.keys WHERE key_id = 3"; do
		probe "$stmt"
		got="$got $probe_state"
	done
	check "allowed writes go through" " none none none none none none none" "$got"

	# amcheck on every btree index over the extension's types
	if [ "$amcheck_ok" = 1 ]; then
		got=$(sql "$newbin" "$new_port" partnerdb 2>&1 <<'EOF'
CREATE EXTENSION IF NOT EXISTS amcheck;
SELECT count(*) || ' indexes checked'
  FROM (SELECT bt_index_check(ic.oid, true), bt_index_parent_check(ic.oid, true, true)
          FROM pg_class ic JOIN pg_am am ON am.oid = ic.relam
         WHERE ic.relkind = 'i' AND am.amname = 'btree'
           AND EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = ic.oid
                          AND a.atttypid IN ('mpn.product_key'::regtype, 'mpn.license_term'::regtype))) x;
EOF
		)
		n=$(sed -n 's/^\([0-9]*\) indexes checked$/\1/p' <<<"$got")
		if [ -n "$n" ] && [ "$n" -gt 0 ]; then
			check "amcheck bt_index_check, bt_index_parent_check on the $n btree indexes over product_key and license_term" \
				"$n indexes checked" "$got"
		else
			check "amcheck bt_index_check, bt_index_parent_check on the btree indexes over product_key and license_term" \
				"some indexes checked" "$got"
		fi
	else
		echo "$label $mode amcheck ... skipped (contrib/amcheck is not installed into $newbin; scripts/build-postgres.sh builds it)"
	fi

	stop_server "$newbin" "$new"
	echo "  $label $mode: $((SECONDS - t1)) s"
done
echo "  $label: $((SECONDS - t0)) s in all"
finish
