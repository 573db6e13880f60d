-- The quick-start session of the README, run by scripts/demo.sh.
\set ON_ERROR_STOP on
\pset footer off
CREATE EXTENSION IF NOT EXISTS mpn_benefits;

\echo '== Product keys: case-insensitive input, with or without hyphens, canonical output'
SELECT ' bcdfghjkmpqrtvwxy2346789n '::mpn.product_key AS key;

\echo '== A keys table with derived dates as STORED generated columns'
CREATE TEMP TABLE demo_keys (
    key         mpn.product_key PRIMARY KEY,
    redeemed_on date,
    valid_until date GENERATED ALWAYS AS (mpn.key_valid_until(redeemed_on)) STORED
);
INSERT INTO demo_keys (key, redeemed_on) VALUES
    ('BCDFG-HJKMP-QRTVW-XY234-6789N', '2020-12-01'),
    ('22222-33333-44444-66666-77777', '2024-02-29'),
    ('YYYYY-XXXXX-WWWWW-VVVVV-TTTTT', NULL);
SELECT key, redeemed_on, valid_until, mpn.key_is_usable(redeemed_on, '2025-02-27') AS usable_2025_02_27
FROM demo_keys ORDER BY key;

\echo '== The benefit rules with the program''s own examples'
SELECT mpn.benefit_expiry('2020-01-31')              AS expiry,
       mpn.activation_deadline('2021-01-31', true)   AS user_assigned_deadline,
       mpn.can_activate('2021-01-31', false, '2021-02-01') AS activate_2021_02_01,
       mpn.reassignable_on('2021-06-01')             AS reassignable_from;

\echo '== Spending a key on a subscription: add licenses, or extend?'
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 100, '2024-01-01');

\echo '== A bad key is refused with the reason'
\set ON_ERROR_STOP off
SELECT 'BCDFG-HJKMP-QRTVW-XY234-6789O'::mpn.product_key;
