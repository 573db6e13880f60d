-- Invariants after an exclusive_offer load run: prints one line
--   ok|<stats>   or   FAILED|<stats>|<what failed>
WITH stats AS (
    SELECT
      -- attempts made at another isolation level than the one asked for
      (SELECT count(*) FROM offer_attempts WHERE iso <> :'level') AS wrong_level,
      (SELECT count(*) FROM offer_attempts) AS attempts,
      (SELECT count(*) FROM offer_attempts WHERE outcome = 'granted') AS granted,
      (SELECT count(*) FROM offer_attempts WHERE outcome = 'refused') AS refused,
      (SELECT count(*) FROM offer_attempts WHERE outcome = 'duplicate') AS duplicate,
      (SELECT count(*) FROM offers) AS rows,
      (SELECT count(DISTINCT user_id) FROM offers WHERE offer = 'azure_bulk_credit') AS exclusive_users,
      -- users holding the exclusive offer together with another
      (SELECT count(DISTINCT a.user_id) FROM offers a JOIN offers b
           ON a.user_id = b.user_id AND a.offer = 'azure_bulk_credit'
          AND b.offer <> 'azure_bulk_credit') AS combined,
      -- granted attempts whose offer is not in the table as theirs
      (SELECT count(*) FROM offer_attempts a WHERE a.outcome = 'granted' AND NOT EXISTS
          (SELECT 1 FROM offers o WHERE o.user_id = a.user_id AND o.offer = a.offer
              AND o.granted_by = a.tick)) AS lost
)
SELECT concat_ws('|',
    CASE WHEN wrong_level = 0 AND combined = 0 AND lost = 0 AND granted = rows AND attempts = :expected
              AND refused > 0 AND exclusive_users > 0
         THEN 'ok' ELSE 'FAILED' END,
    format('attempts=%s granted=%s (exclusive to %s users) refused=%s duplicate=%s',
           attempts, granted, exclusive_users, refused, duplicate),
    nullif(concat_ws(', ',
        CASE WHEN wrong_level > 0 THEN wrong_level || ' attempts not at ' || :'level' END,
        CASE WHEN combined > 0 THEN combined || ' users hold the exclusive offer with another' END,
        CASE WHEN lost > 0 THEN lost || ' granted offers lost' END,
        CASE WHEN granted <> rows THEN format('%s granted but %s rows', granted, rows) END,
        CASE WHEN attempts <> :expected THEN format('%s attempts committed, %s expected', attempts, :expected) END,
        CASE WHEN refused = 0 THEN 'no collision reached the trigger' END), ''))
FROM stats;
