-- Invariants after a reassign_after load run: prints one line
--   ok|<stats>   or   FAILED|<stats>|<what failed>
WITH assignments AS (
    -- every committed event that gave a subscription to a subscriber
    SELECT * FROM handovers WHERE event IN ('update', 'insert') AND new_sub IS NOT NULL
), stats AS (
    SELECT
      -- attempts made at another isolation level than the one asked for
      (SELECT count(*) FROM pass_attempts WHERE iso <> :'level') AS wrong_level,
      (SELECT count(*) FROM pass_attempts) AS attempts,
      (SELECT count(*) FROM pass_attempts WHERE outcome = 'passed') AS passed,
      (SELECT count(*) FROM pass_attempts WHERE outcome = 'refused') AS refused,
      (SELECT count(*) FROM pass_attempts WHERE outcome = 'missing') AS missing,
      (SELECT count(*) FROM pass_attempts WHERE outcome = 'duplicate') AS duplicate,
      (SELECT count(*) FROM pass_attempts WHERE outcome = 'passed' AND op = 'reinsert') AS reinserted,
      (SELECT count(*) FROM assignments) AS assigned,
      -- two changes of hands of one subscription less than 90 days apart
      (SELECT count(*) FROM assignments a JOIN assignments b
           ON a.sub_id = b.sub_id AND a.seq < b.seq
          AND abs(b.assigned_on - a.assigned_on) < 90) AS too_early,
      -- successful attempts whose subscriber did not get the subscription
      (SELECT count(*) FROM pass_attempts p WHERE p.outcome = 'passed' AND NOT EXISTS
          (SELECT 1 FROM assignments a WHERE a.sub_id = p.sub_id AND a.new_sub = p.who)) AS lost,
      -- subscriptions now held by someone no successful attempt (or the preload) gave them to
      (SELECT count(*) FROM subs s WHERE s.subscriber IS NOT NULL
          AND s.subscriber NOT LIKE 'first-%' AND NOT EXISTS
          (SELECT 1 FROM pass_attempts p WHERE p.outcome = 'passed' AND p.sub_id = s.id
              AND p.who = s.subscriber)) AS unclaimed,
      -- subscriptions gone for good (a delete without its insert)
      (SELECT :nsubs - count(*) FROM subs) AS vanished
)
SELECT concat_ws('|',
    CASE WHEN wrong_level = 0 AND too_early = 0 AND lost = 0 AND unclaimed = 0 AND vanished = 0
              AND passed = assigned AND attempts = :expected
              AND refused > 0 AND passed > 0
         THEN 'ok' ELSE 'FAILED' END,
    format('attempts=%s passed=%s (by reinsert %s) refused=%s missing=%s duplicate=%s',
           attempts, passed, reinserted, refused, missing, duplicate),
    nullif(concat_ws(', ',
        CASE WHEN wrong_level > 0 THEN wrong_level || ' attempts not at ' || :'level' END,
        CASE WHEN too_early > 0 THEN too_early || ' changes of hands within 90 days' END,
        CASE WHEN lost > 0 THEN lost || ' successful changes lost' END,
        CASE WHEN unclaimed > 0 THEN unclaimed || ' subscriptions held by nobody''s success' END,
        CASE WHEN vanished > 0 THEN vanished || ' subscriptions vanished' END,
        CASE WHEN passed <> assigned THEN format('%s successes but %s assignments logged', passed, assigned) END,
        CASE WHEN attempts <> :expected THEN format('%s attempts committed, %s expected', attempts, :expected) END,
        CASE WHEN refused = 0 THEN 'no collision reached the trigger' END), ''))
FROM stats;
