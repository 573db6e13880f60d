-- Invariants after a redeem_once load run: prints one line
--   ok|<stats>   or   FAILED|<stats>|<what failed>
WITH redeemed AS (
    SELECT * FROM keys WHERE redeemed_on IS NOT NULL
), wins AS (
    SELECT a.*, k.key FROM attempts a JOIN keys k ON k.id = a.key_no
     WHERE a.outcome = 'redeemed'
), stats AS (
    SELECT
      -- attempts made at another isolation level than the one asked for
      (SELECT count(*) FROM attempts WHERE iso <> :'level') AS wrong_level,
      (SELECT count(*) FROM attempts) AS attempts,
      (SELECT count(*) FROM wins) AS wins,
      (SELECT count(*) FROM redeemed) AS redeemed_rows,
      (SELECT count(*) FROM attempts WHERE outcome = 'already') AS already,
      (SELECT count(*) FROM attempts WHERE outcome = 'refused_trigger') AS refused_trigger,
      (SELECT count(*) FROM attempts WHERE outcome = 'refused_index') AS refused_index,
      (SELECT count(*) FROM attempts WHERE outcome = 'refused_change') AS refused_change,
      -- keys redeemed more than once
      (SELECT count(*) FROM (SELECT key FROM redeemed GROUP BY key HAVING count(*) > 1) d) AS twice,
      -- successful attempts whose redemption is not in the table as theirs
      (SELECT count(*) FROM wins w WHERE NOT EXISTS
          (SELECT 1 FROM redeemed r WHERE r.redeemed_by = w.tick AND r.key OPERATOR(mpn.=) w.key)) AS lost,
      -- redemptions in the table that no successful attempt made
      (SELECT count(*) FROM redeemed r WHERE NOT EXISTS
          (SELECT 1 FROM wins w WHERE w.tick = r.redeemed_by AND w.key OPERATOR(mpn.=) r.key)) AS unclaimed,
      (SELECT count(DISTINCT key) FROM keys WHERE id <= :nkeys) AS distinct_keys
)
SELECT concat_ws('|',
    CASE WHEN wrong_level = 0 AND twice = 0 AND lost = 0 AND unclaimed = 0 AND wins = redeemed_rows
              AND attempts = :expected AND distinct_keys = :nkeys
              AND refused_trigger > 0 AND wins > 0
         THEN 'ok' ELSE 'FAILED' END,
    format('attempts=%s redeemed=%s already=%s refused_trigger=%s refused_index=%s refused_change=%s',
           attempts, wins, already, refused_trigger, refused_index, refused_change),
    nullif(concat_ws(', ',
        CASE WHEN wrong_level > 0 THEN wrong_level || ' attempts not at ' || :'level' END,
        CASE WHEN twice > 0 THEN twice || ' keys redeemed twice' END,
        CASE WHEN lost > 0 THEN lost || ' successful redemptions lost' END,
        CASE WHEN unclaimed > 0 THEN unclaimed || ' redemptions no attempt made' END,
        CASE WHEN wins <> redeemed_rows THEN format('%s successes but %s redeemed rows', wins, redeemed_rows) END,
        CASE WHEN attempts <> :expected THEN format('%s attempts committed, %s expected', attempts, :expected) END,
        CASE WHEN distinct_keys <> :nkeys THEN 'preloaded keys not distinct' END,
        CASE WHEN refused_trigger = 0 THEN 'no collision reached the trigger' END), ''))
FROM stats;
