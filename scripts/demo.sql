-- The main job, run by scripts/demo.sh: a partner benefits ledger, filled
-- with a deterministic sample, and the report a partner reads.
-- psql variables: ledger (schema name), partners, seed.
\set ON_ERROR_STOP on
\pset footer off
\pset null '-'
SET client_min_messages = notice;

CREATE EXTENSION IF NOT EXISTS mpn_benefits;
\echo
\echo '== Creating the ledger in schema' :ledger
SELECT mpn.create_ledger(:'ledger');
\echo '== Loading the sample (' :partners 'partners, seed' :seed ')'
SELECT mpn.fill_ledger(:'ledger', :partners, :seed);
SELECT set_config('search_path', :'ledger' || ', public, mpn', false) \gset

\echo
SELECT mpn.today() AS today, current_setting('mpn.time_zone') AS zone \gset
\echo '==================================================================='
\echo ' Partner benefits report, ledger' :ledger ', today' :today '(' :zone ')'
\echo '==================================================================='

\echo
\echo '== 1. Benefits to activate in the next 30 days (soonest first)'
SELECT count(*) AS benefits, count(*) FILTER (WHERE status = 'in_grace') AS in_grace
  FROM benefit_status WHERE days_left <= 30;
SELECT partner_id, benefit_id, kind, benefit_expiry, activation_deadline, status, days_left
  FROM benefit_status WHERE days_left <= 30
 ORDER BY days_left, benefit_id LIMIT 10;

\echo
\echo '== 2. Redeemed keys that lapse next month'
SELECT date_trunc('month', mpn.today() + interval '1 month')::date AS month_starts,
       count(*) AS keys, coalesce(sum(licenses), 0) AS licenses
  FROM key_status
 WHERE valid_until >= date_trunc('month', mpn.today() + interval '1 month')
   AND valid_until <  date_trunc('month', mpn.today() + interval '2 months');
SELECT partner_id, key, licenses, redeemed_on, valid_until
  FROM key_status
 WHERE valid_until >= date_trunc('month', mpn.today() + interval '1 month')
   AND valid_until <  date_trunc('month', mpn.today() + interval '2 months')
 ORDER BY valid_until, key LIMIT 10;

\echo
\echo '== 3. Visual Studio subscriptions that may pass to another subscriber now'
SELECT count(*) FILTER (WHERE reassignable_now) AS reassignable_now,
       count(*) FILTER (WHERE NOT reassignable_now) AS still_waiting
  FROM reassignment_status WHERE subscriber IS NOT NULL;
SELECT partner_id, vs_subscription_id, subscriber, assigned_on, reassignable_on
  FROM reassignment_status WHERE subscriber IS NOT NULL AND reassignable_now
 ORDER BY assigned_on, vs_subscription_id LIMIT 10;

\echo
\echo '== 4. A key of 100 licenses for the active subscription closest to its end: add, or extend?'
SELECT s.subscription_id, s.product, s.term, s.remaining_days,
       p.added, p.added_remaining_days, p.extended, p.extended_remaining_days
  FROM subscription_status s, mpn.preview_key(s.term, 100) p
 WHERE s.status = 'active'
 ORDER BY s.remaining_days, s.subscription_id LIMIT 1;

\echo
\echo '== 5. What the integrity triggers refused while loading'
SELECT table_name, sqlstate, count(*) AS refused, min(message) AS for_example
  FROM load_refusals GROUP BY table_name, sqlstate ORDER BY table_name, sqlstate;

\echo
\echo '== 6. Notices due today: the sweep of the deadlines into the ledger''s queue'
SELECT mpn.enqueue_notices('deadlines', 'notices') AS notices_queued;
SELECT kind, threshold, count(*) AS pending
  FROM notices WHERE status = 'pending' GROUP BY kind, threshold ORDER BY kind, threshold;
SELECT kind, object_id, last_day, threshold, details ->> 'partner_name' AS partner, details ->> 'subject' AS subject
  FROM notices WHERE status = 'pending' ORDER BY last_day, kind, object_id LIMIT 10;
\echo '== ... and a second sweep the same day (a retry, a failover): nothing more'
SELECT mpn.enqueue_notices('deadlines', 'notices') AS notices_queued_again;
