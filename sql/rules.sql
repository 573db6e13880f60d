--
-- rules: the benefit date rules, license pools, "today"
--
\set VERBOSITY default
SET DateStyle = 'ISO, YMD';
SET search_path = public, mpn;

--
-- Rule 1: the benefit expiry date, one year after enrollment; the last
-- day to activate
--
SELECT mpn.benefit_expiry('2020-01-31') AS expiry;
SELECT mpn.can_activate(mpn.benefit_expiry('2020-01-31'), false, '2021-01-31') AS on_2021_01_31,
       mpn.can_activate(mpn.benefit_expiry('2020-01-31'), false, '2021-02-01') AS on_2021_02_01;
SELECT mpn.can_activate('2021-01-31', false, '2020-01-31') AS on_enrollment,
       mpn.can_activate('2021-01-31', false, '2021-01-30') AS day_before,
       mpn.can_activate('2021-01-31', false, '2021-01-31') AS on_expiry,
       mpn.can_activate('2021-01-31', false, '2021-02-01') AS day_after;

--
-- Rule 2: 30 more days for benefits that need a user assignment
--
SELECT mpn.activation_deadline('2021-01-31', true) AS user_assigned,
       mpn.activation_deadline('2021-01-31', false) AS other;
SELECT mpn.can_activate('2021-01-31', true, '2021-02-01') AS day_after_expiry,
       mpn.can_activate('2021-01-31', true, '2021-03-02') AS on_deadline,
       mpn.can_activate('2021-01-31', true, '2021-03-03') AS day_after_deadline;

--
-- Rule 3: a key is usable for one year from redemption, whatever the
-- benefit expiry date; [redeemed_on, key_valid_until) is half-open
--
SELECT mpn.key_valid_until('2020-12-01') AS valid_until,
       mpn.benefit_expiry('2020-01-31') AS benefit_expiry;
SELECT mpn.key_is_usable('2020-12-01', '2020-11-30') AS day_before,
       mpn.key_is_usable('2020-12-01', '2020-12-01') AS on_redemption,
       mpn.key_is_usable('2020-12-01', '2021-01-31') AS on_benefit_expiry,
       mpn.key_is_usable('2020-12-01', '2021-02-01') AS after_benefit_expiry,
       mpn.key_is_usable('2020-12-01', '2021-11-30') AS last_day,
       mpn.key_is_usable('2020-12-01', '2021-12-01') AS on_valid_until;

--
-- Rule 6: a membership can be renewed on or after its renewal start
--
SELECT mpn.can_renew('2021-01-01', '2020-12-31') AS day_before,
       mpn.can_renew('2021-01-01', '2021-01-01') AS on_start,
       mpn.can_renew('2021-01-01', '2025-06-30') AS years_later;

--
-- Rule 7: reassignable 90 days after the last assignment, the 90th day
-- included: assigned June 1, reassignable from August 30
--
SELECT mpn.reassignable_on('2021-06-01') AS reassignable_on;
SELECT mpn.can_reassign('2021-06-01', '2021-06-01') AS same_day,
       mpn.can_reassign('2021-06-01', '2021-08-29') AS aug_29,
       mpn.can_reassign('2021-06-01', '2021-08-30') AS aug_30,
       mpn.can_reassign('2021-06-01', '2022-01-01') AS later;

--
-- Leap days and month ends: PostgreSQL's calendar (the day past the end
-- of a month becomes its last day)
--
SELECT d AS enrolled_on, mpn.benefit_expiry(d) AS benefit_expiry,
       mpn.key_valid_until(d) AS key_valid_until,
       mpn.activation_deadline(d, true) AS plus_30_days,
       mpn.reassignable_on(d) AS plus_90_days
FROM unnest(ARRAY['2024-02-29', '2023-02-28', '2023-03-01', '2024-02-28',
                  '2024-03-01', '2028-02-29', '2000-02-29', '1900-02-28',
                  '2099-02-28', '2023-01-31', '2024-01-31', '2021-01-31',
                  '2020-12-31', '2021-12-31', '2023-12-31', '2024-12-31',
                  '2023-08-31', '2024-04-30']::date[]) AS d;

--
-- infinity and -infinity pass through, as date + integer passes them
--
SELECT d, mpn.benefit_expiry(d) AS benefit_expiry, mpn.key_valid_until(d) AS key_valid_until,
       mpn.activation_deadline(d, true) AS with_grace,
       mpn.activation_deadline(d, false) AS without_grace,
       mpn.reassignable_on(d) AS reassignable_on,
       d + 30 AS d_plus_30, (d + interval '1 year')::date AS d_plus_year
FROM unnest(ARRAY['infinity', '-infinity']::date[]) AS d;
SELECT mpn.can_activate('infinity', false, '2020-01-01') AS expiry_inf,
       mpn.can_activate('-infinity', true, '2020-01-01') AS expiry_minus_inf,
       mpn.can_activate('2020-01-01', true, 'infinity') AS on_inf,
       mpn.can_activate('2020-01-01', true, '-infinity') AS on_minus_inf,
       mpn.can_activate('infinity', true, 'infinity') AS both_inf;
SELECT mpn.can_renew('-infinity', '2020-01-01') AS start_minus_inf,
       mpn.can_renew('infinity', '2020-01-01') AS start_inf,
       mpn.can_renew('2020-01-01', 'infinity') AS on_inf,
       mpn.can_reassign('-infinity', '2020-01-01') AS assigned_minus_inf,
       mpn.can_reassign('infinity', '2020-01-01') AS assigned_inf,
       mpn.can_reassign('2020-01-01', 'infinity') AS on_inf2;
SELECT mpn.key_is_usable('2020-01-01', 'infinity') AS on_inf,
       mpn.key_is_usable('infinity', '2020-01-01') AS redeemed_inf,
       mpn.key_is_usable('-infinity', '2020-01-01') AS redeemed_minus_inf;

--
-- The ends of the date range: 4714-11-24 BC to 5874897-12-31.  A date
-- past the end is an error (22008), never a wrapped value.
--
SELECT d, mpn_test.eval(format('mpn.benefit_expiry(%L)', d)) AS benefit_expiry,
       mpn_test.eval(format('mpn.key_valid_until(%L)', d)) AS key_valid_until,
       mpn_test.eval(format('mpn.activation_deadline(%L, true)', d)) AS with_grace,
       mpn_test.eval(format('mpn.reassignable_on(%L)', d)) AS reassignable_on
FROM unnest(ARRAY['5874896-12-31', '5874896-02-29', '5874897-01-01',
                  '5874897-10-02', '5874897-10-03', '5874897-12-01',
                  '5874897-12-02', '5874897-12-31']::date[]) AS d;
SELECT mpn.benefit_expiry('5874897-12-31');
SELECT mpn.activation_deadline('5874897-12-31', true);
SELECT mpn.reassignable_on('5874897-12-31');
SELECT mpn.activation_deadline('5874897-12-31', false) AS no_grace_no_error;
-- the yes/no rules never fail at the ends
SELECT mpn.can_activate('5874897-12-31', true, '5874897-12-31') AS can_activate,
       mpn.can_activate('5874897-12-31', true, '4714-11-24 BC') AS can_activate_first,
       mpn.can_activate('4714-11-24 BC', true, '5874897-12-31') AS can_activate_late,
       mpn.can_reassign('5874897-12-31', '5874897-12-31') AS can_reassign,
       mpn.can_reassign('4714-11-24 BC', '5874897-12-31') AS can_reassign_first,
       mpn.key_is_usable('5874897-12-31', '5874897-12-31') AS key_is_usable,
       mpn.key_is_usable('5874897-01-01', '5874897-12-31') AS key_is_usable_year,
       mpn.can_renew('5874897-12-31', '5874897-12-31') AS can_renew;
SELECT mpn.benefit_expiry('4714-11-24 BC') AS first_plus_year,
       mpn.activation_deadline('4714-11-24 BC', true) AS first_plus_30,
       mpn.reassignable_on('4714-11-24 BC') AS first_plus_90;

-- BC dates: 1 BC is a leap year (year 0)
SELECT d, mpn.benefit_expiry(d) AS benefit_expiry, (d + interval '1 year')::date AS plus_year,
       mpn.reassignable_on(d) AS reassignable_on
FROM unnest(ARRAY['0001-02-29 BC', '0001-12-31 BC', '0005-02-29 BC',
                  '0002-03-01 BC', '0044-03-15 BC']::date[]) AS d;

--
-- NULL in, NULL out
--
SELECT mpn.benefit_expiry(NULL) AS a, mpn.activation_deadline(NULL, true) AS b,
       mpn.activation_deadline('2021-01-31', NULL) AS c,
       mpn.can_activate(NULL, true, '2021-01-31') AS d,
       mpn.can_activate('2021-01-31', NULL, '2021-01-31') AS e,
       mpn.can_activate('2021-01-31', true, NULL) AS f,
       mpn.key_valid_until(NULL) AS g, mpn.key_is_usable(NULL, '2021-01-01') AS h,
       mpn.key_is_usable('2021-01-01', NULL) AS i,
       mpn.can_renew(NULL, '2021-01-01') AS j, mpn.can_renew('2021-01-01', NULL) AS k,
       mpn.reassignable_on(NULL) AS l, mpn.can_reassign(NULL, '2021-01-01') AS m,
       mpn.can_reassign('2021-01-01', NULL) AS n;
SELECT mpn.add_licenses(NULL, 1, '2024-01-01') AS a,
       mpn.add_licenses('1 license [2024-01-01,2025-01-01)', NULL, '2024-01-01') AS b,
       mpn.add_licenses('1 license [2024-01-01,2025-01-01)', 1, NULL) AS c,
       mpn.extend(NULL, '2024-01-01') AS d,
       mpn.extend('1 license [2024-01-01,2025-01-01)', NULL) AS e,
       mpn.remaining_days(NULL, '2024-01-01') AS f,
       mpn.remaining_days('1 license [2024-01-01,2025-01-01)', NULL) AS g,
       mpn.preview_key(NULL, 1, '2024-01-01') IS NULL AS h,
       mpn.preview_key('1 license [2024-01-01,2025-01-01)', NULL, '2024-01-01') IS NULL AS i,
       mpn.preview_key('1 license [2024-01-01,2025-01-01)', 1, NULL) IS NULL AS j;

--
-- Every day from 1999-01-01 to 2033-12-31 (35 years, 9 of them leap:
-- 35 * 365 + 9 = 12784 days) against PostgreSQL's own date arithmetic
--
SELECT count(*) AS days,
       count(*) FILTER (WHERE mpn.key_valid_until(d) <> (d + interval '1 year')::date) AS key_valid_until_wrong,
       count(*) FILTER (WHERE mpn.benefit_expiry(d) <> (d + interval '1 year')::date) AS benefit_expiry_wrong,
       count(*) FILTER (WHERE mpn.activation_deadline(d, true) <> d + 30
                           OR mpn.activation_deadline(d, false) <> d) AS activation_deadline_wrong,
       count(*) FILTER (WHERE mpn.reassignable_on(d) <> d + 90) AS reassignable_on_wrong
FROM (SELECT g::date AS d FROM generate_series('1999-01-01'::timestamp, '2033-12-31', '1 day') AS g) s;
-- the same across 5 BC to 4 AD (years -4 to 4: 9 years, -4, 0 and 4 leap:
-- 9 * 365 + 3 = 3288 days) and around the year 200000 (a leap year:
-- 4 * 365 + 1 = 1461 days)
SELECT count(*) AS days,
       count(*) FILTER (WHERE mpn.key_valid_until(d) <> (d + interval '1 year')::date
                           OR mpn.benefit_expiry(d) <> (d + interval '1 year')::date
                           OR mpn.reassignable_on(d) <> d + 90
                           OR mpn.activation_deadline(d, true) <> d + 30) AS wrong
FROM (SELECT g::date AS d FROM generate_series('0005-01-01 BC'::timestamp, '0004-12-31', '1 day') AS g) s;
SELECT count(*) AS days,
       count(*) FILTER (WHERE mpn.key_valid_until(d) <> (d + interval '1 year')::date
                           OR mpn.benefit_expiry(d) <> (d + interval '1 year')::date) AS wrong
FROM (SELECT g::date AS d FROM generate_series('200000-01-01'::timestamp, '200003-12-31', '1 day') AS g) s;

-- the yes/no rules against their definitions, on every pair of days of
-- 2020-12-01..2021-05-31 (182 days: 33124 pairs)
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE mpn.can_activate(a, false, b) <> (b <= a)
                           OR mpn.can_activate(a, true, b) <> (b <= a + 30)
                           OR mpn.key_is_usable(a, b) <> (b >= a AND b < (a + interval '1 year')::date)
                           OR mpn.can_renew(a, b) <> (b >= a)
                           OR mpn.can_reassign(a, b) <> (b >= a + 90)) AS wrong
FROM (SELECT g::date AS a FROM generate_series('2020-12-01'::timestamp, '2021-05-31', '1 day') AS g) x,
     (SELECT g::date AS b FROM generate_series('2020-12-01'::timestamp, '2021-05-31', '1 day') AS g) y;

--
-- Rule 4: adding licenses pools license-days into one end date:
-- new end = on_date + floor((E*R + N*Y) / (E+N)), for E licenses with R
-- days left and N new ones of Y days (on_date to the same date next year)
--
-- The published example: 100 seats with 2 months left plus 100 new seats
-- leave about 7 months.  On 2021-06-01, ends 2021-08-01: R = 61, Y = 365,
-- (100*61 + 100*365) / 200 = 213 days: 2021-12-31.
SELECT mpn.add_licenses('100 licenses [2020-08-01,2021-08-01)', 100, '2021-06-01') AS added,
       mpn.remaining_days('100 licenses [2020-08-01,2021-08-01)', '2021-06-01') AS days_before,
       mpn.remaining_days(mpn.add_licenses('100 licenses [2020-08-01,2021-08-01)', 100, '2021-06-01'),
                          '2021-06-01') AS days_after;
-- the same in a leap year: on 2024-01-01, ends 2024-03-01: R = 60, Y = 366,
-- (100*60 + 100*366) / 200 = 213 days: 2024-08-01
SELECT mpn.add_licenses('100 licenses [2023-03-01,2024-03-01)', 100, '2024-01-01') AS added;
-- rounding down: 3 licenses with R = 10 (2021-01-01 to 2021-01-11) plus 1
-- of Y = 365: (3*10 + 1*365) / 4 = 395 / 4 = 98.75, so 98 days:
-- 2021-04-09 (4 * 98 = 392 license-days of the 395; 99 days would make 396)
SELECT mpn.add_licenses('3 licenses [2020-01-11,2021-01-11)', 1, '2021-01-01') AS added,
       date '2021-01-01' + 98 AS expected;
-- on the last day (R = 1) adding 1 to 1: (1 + 365) / 2 = 183: 2021-07-02
SELECT mpn.add_licenses('1 license [2020-01-01,2021-01-01)', 1, '2020-12-31') AS added,
       date '2020-12-31' + 183 AS expected;
-- on the first day: R = 366 (2020-01-01 to 2021-01-01), Y = 366:
-- (2*366 + 2*366) / 4 = 366: the end does not move
SELECT mpn.add_licenses('2 licenses [2020-01-01,2021-01-01)', 2, '2020-01-01') AS added;
-- on 2024-02-29 a year is Y = 365 (to 2025-02-28): R = 1 (ends
-- 2024-03-01), (1 + 365) / 2 = 183: 2024-08-30
SELECT mpn.add_licenses('1 license [2023-03-01,2024-03-01)', 1, '2024-02-29') AS added,
       date '2024-02-29' + 183 AS expected;
-- more than a year left: 1 license with R = 1000, 1 new of Y = 366 (2024
-- is a leap year): 1366 / 2 = 683 days from 2024-01-01: 2025-11-14
SELECT mpn.add_licenses(mpn.license_term(1, '2024-01-01', date '2024-01-01' + 1000), 1, '2024-01-01') AS added,
       date '2024-01-01' + 683 AS expected;
-- many new licenses: R = 1, N = 1000, Y = 365: 365001 / 1001 = 364.6...,
-- so 364 days
SELECT mpn.add_licenses('1 license [2020-01-01,2021-01-01)', 1000, '2020-12-31') AS added,
       date '2020-12-31' + 364 AS expected;
-- the largest pool: 2147483646 licenses with R = 10 plus 1 of Y = 365:
-- (21474836460 + 365) / 2147483647 = 10.0000001..., so 10: the end stays
SELECT mpn.add_licenses('2147483646 licenses [2024-01-01,2024-01-11)', 1, '2024-01-01') AS added;

-- errors: no licenses, too many, not active on on_date, not a real day
SELECT args, mpn_test.eval('mpn.add_licenses(' || args || ')') AS result
FROM (VALUES
	('''100 licenses [2023-03-01,2024-03-01)'', 0, ''2024-01-01'''),
	('''100 licenses [2023-03-01,2024-03-01)'', -5, ''2024-01-01'''),
	('''2147483647 licenses [2023-03-01,2024-03-01)'', 1, ''2024-01-01'''),
	('''2147483000 licenses [2023-03-01,2024-03-01)'', 648, ''2024-01-01'''),
	('''2147483000 licenses [2023-03-01,2024-03-01)'', 647, ''2024-01-01'''),
	('''100 licenses [2023-03-01,2024-03-01)'', 1, ''2024-03-01'''),
	('''100 licenses [2023-03-01,2024-03-01)'', 1, ''2025-01-01'''),
	('''100 licenses [2023-03-01,2024-03-01)'', 1, ''2023-02-28'''),
	('''100 licenses [2023-03-01,2024-03-01)'', 1, ''2023-03-01'''),
	('''100 licenses [2023-03-01,2024-03-01)'', 1, ''infinity'''),
	('''100 licenses [2023-03-01,2024-03-01)'', 1, ''-infinity'''),
	('''1 license [5874896-01-01,5874897-12-31)'', 1, ''5874896-12-31'''),
	('''1 license [5874896-01-01,5874897-12-31)'', 1, ''5874897-01-01''')
) AS t(args);
-- in full: lapsed (on the end date itself: the period is half-open), and
-- not yet started
SELECT mpn.add_licenses('100 licenses [2023-03-01,2024-03-01)', 1, '2024-03-01');
SELECT mpn.add_licenses('100 licenses [2023-03-01,2024-03-01)', 1, '2023-02-28');
SELECT mpn.add_licenses('100 licenses [2023-03-01,2024-03-01)', 0, '2024-01-01');
SELECT mpn.add_licenses('2147483647 licenses [2023-03-01,2024-03-01)', 1, '2024-01-01');

--
-- Rule 5: extending keeps the licenses and adds a year: from the end
-- while active, from on_date once lapsed (on the end date it has lapsed)
--
SELECT on_date, mpn_test.eval(format('mpn.extend(%L, %L)', t, on_date)) AS extended
FROM (VALUES ('100 licenses [2024-01-01,2025-01-01)'::mpn.license_term)) AS v(t),
     unnest(ARRAY['2023-06-01', '2024-01-01', '2024-06-01', '2024-12-31',
                  '2025-01-01', '2025-03-15', 'infinity', '-infinity']::date[]) AS on_date;
-- leap days, both ways
SELECT mpn.extend('1 license [2023-02-28,2024-02-29)', '2024-01-01') AS active,
       mpn.extend('1 license [2023-02-28,2024-02-29)', '2024-02-29') AS lapsed_on_end,
       mpn.extend('1 license [2023-02-28,2024-02-28)', '2024-02-29') AS lapsed_on_leap_day;
-- the end of the date range
SELECT mpn.extend('1 license [5874896-01-01,5874896-12-31)', '5874896-06-01') AS to_last_day;
SELECT mpn.extend('1 license [5874896-01-01,5874897-12-31)', '5874897-06-01');
SELECT mpn.extend('1 license [5874896-01-01,5874897-01-01)', '5874897-12-31');
SELECT mpn.extend('1 license [2024-01-01,2025-01-01)', 'infinity');

--
-- remaining_days: days left counting on_date itself; the whole term
-- before it starts, 1 on its last day, 0 from its end date on
--
SELECT on_date, mpn.remaining_days('100 licenses [2024-01-01,2025-01-01)', on_date) AS remaining,
       CASE WHEN on_date >= '2025-01-01' THEN 0
            ELSE date '2025-01-01' - greatest(on_date, '2024-01-01') END AS expected
FROM unnest(ARRAY['-infinity', '4714-11-24 BC', '2023-06-01', '2024-01-01',
                  '2024-06-01', '2024-12-31', '2025-01-01', '2025-06-01',
                  '5874897-12-31', 'infinity']::date[]) AS on_date;
SELECT mpn.remaining_days('2147483647 licenses [0001-01-01,5874897-12-31)', '0001-01-01') AS longest,
       date '5874897-12-31' - date '0001-01-01' AS expected;

--
-- preview_key: both outcomes side by side; a side that cannot be had is
-- NULL (adding: the subscription is not active on on_date, or the count or
-- end would pass its range; extending: the end would pass the last date)
--
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 100, '2024-01-01');
SELECT (p).added = mpn.add_licenses(t, 100, d) AS same_as_add,
       (p).extended = mpn.extend(t, d) AS same_as_extend,
       (p).added_remaining_days = mpn.remaining_days(mpn.add_licenses(t, 100, d), d) AS same_added_days,
       (p).extended_remaining_days = mpn.remaining_days(mpn.extend(t, d), d) AS same_extended_days
FROM (SELECT t, d, mpn.preview_key(t, 100, d) AS p
      FROM (VALUES ('100 licenses [2023-03-01,2024-03-01)'::mpn.license_term, date '2024-01-01')) AS v(t, d)) s;
-- which is better depends on the time left: with little left, adding
-- gives the new seats a shorter year than extending
SELECT * FROM mpn.preview_key('10 licenses [2023-03-01,2024-03-01)', 1, '2024-02-29');
-- lapsed (on the end date) and not yet started: only extending is possible
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 100, '2024-03-01');
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 100, '2025-07-04');
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 100, '2023-01-01');
-- near the last date: extending would end past it, adding still fits
SELECT * FROM mpn.preview_key('100 licenses [5874896-01-01,5874897-06-01)', 1, '5874897-01-01');
-- ... and past it both ways
SELECT * FROM mpn.preview_key('1 license [5874896-01-01,5874897-12-31)', 1, '5874897-06-01');
-- a license count that would pass its range: only extending
SELECT * FROM mpn.preview_key('2147483647 licenses [2023-03-01,2024-03-01)', 1, '2024-01-01');
-- bad arguments stay errors
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 0, '2024-01-01');
SELECT * FROM mpn.preview_key('100 licenses [2023-03-01,2024-03-01)', 1, 'infinity');

--
-- mpn.day_of(moment): the day of a timestamptz in mpn.time_zone, whatever
-- the session's TimeZone; with key_valid_until, the day a key redeemed now
-- stops being usable
--
BEGIN;
SET LOCAL TimeZone = 'Pacific/Kiritimati';
SELECT mpn.day_of('2024-02-29 23:30:00+00') AS utc_day,
       ('2024-02-29 23:30:00+00'::timestamptz)::date AS session_day;
SET LOCAL mpn.time_zone = 'Pacific/Kiritimati';
SELECT mpn.day_of('2024-02-29 23:30:00+00') AS kiritimati_day;
SET LOCAL mpn.time_zone = 'Etc/GMT+12';
SELECT mpn.day_of('2024-02-29 23:30:00+00') AS gmt_minus_12_day,
       mpn.key_valid_until(mpn.day_of('2024-02-29 23:30:00+00')) AS valid_until;
COMMIT;
SELECT mpn.day_of(now()) = mpn.day_of(now()) AND mpn.day_of(now()) = (now() AT TIME ZONE 'UTC')::date AS today_in_utc,
       mpn.day_of('infinity') AS plus_infinity, mpn.day_of('-infinity') AS minus_infinity,
       mpn.day_of(NULL) IS NULL AS strict;

--
-- mpn.today(): the date in mpn.time_zone (UTC by default), never in the
-- session's TimeZone.  Within a transaction now() and today() stand
-- still, so both sides below read the same instant.
--
SHOW mpn.time_zone;
BEGIN;
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS utc_today;
SET LOCAL TimeZone = 'Pacific/Kiritimati';
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS utc_today_still;
SET LOCAL TimeZone = 'Etc/GMT+12';
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS utc_today_still;
-- mpn.time_zone does move it: 26 hours apart, these zones are always on
-- different dates
SET LOCAL mpn.time_zone = 'Pacific/Kiritimati';
SELECT mpn.today() = (now() AT TIME ZONE 'Pacific/Kiritimati')::date AS kiritimati_today;
SELECT mpn.today() AS kiritimati \gset
SET LOCAL mpn.time_zone = 'Etc/GMT+12';
SELECT mpn.today() = (now() AT TIME ZONE 'Etc/GMT+12')::date AS gmt_minus_12_today,
       :'kiritimati'::date - mpn.today() IN (1, 2) AS one_or_two_days_apart;
-- and so the default on_date: the day that is today in Etc/GMT+12 is
-- still open for activation there, and over in Kiritimati
SELECT mpn.can_activate((now() AT TIME ZONE 'Etc/GMT+12')::date, false) AS open_in_gmt_minus_12;
SET LOCAL mpn.time_zone = 'Pacific/Kiritimati';
SELECT mpn.can_activate((now() AT TIME ZONE 'Etc/GMT+12')::date, false) AS open_in_kiritimati;
COMMIT;
SHOW mpn.time_zone;

-- a zone that does not exist
SET mpn.time_zone = 'Mars/Olympus';
SHOW mpn.time_zone;
SELECT mpn_test.try('SET mpn.time_zone = ''Mars/Olympus''') AS bad_zone;
-- the mpn prefix is reserved
SET mpn.timezone = 'UTC';

--
-- mpn.as_of_date: a day taken for "today" instead of the calendar, for
-- reports as of a day; the default on_date follows it, mpn.time_zone
-- no longer matters
--
SHOW mpn.as_of_date;
SET mpn.as_of_date = '2021-01-31';
SELECT mpn.today(), mpn.can_activate('2021-01-31', false) AS on_expiry,
       mpn.can_reassign('2020-11-02') AS day_90,
       mpn.remaining_days('1 license [2021-01-01,2022-01-01)') AS remaining;
SET mpn.time_zone = 'Pacific/Kiritimati';
SELECT mpn.today();
RESET mpn.time_zone;
SET mpn.as_of_date = ' 2021-02-01 ';
SHOW mpn.as_of_date;
SELECT mpn.today(), mpn.can_activate('2021-01-31', false) AS day_after_expiry;
SET mpn.as_of_date = '5874897-12-31';
SELECT mpn.today(), mpn.can_renew('5874897-12-31') AS can_renew,
       mpn_test.eval('mpn.extend(''1 license [2020-01-01,2021-01-01)'')') AS extend;
SET mpn.as_of_date = '0001-01-01';
SELECT mpn.today();
-- what it does not take: the setting keeps its value
SELECT v, mpn_test.try(format('SET mpn.as_of_date = %L', v)) AS result
FROM unnest(ARRAY['2021-02-30', '0000-12-31', '5874898-01-01', '2021-1-31',
                  '01/31/2021', 'today', 'infinity', '2021-01-31 BC',
                  '2021-01-31 12:00']) AS v;
SHOW mpn.as_of_date;
SET mpn.as_of_date = 'today';
-- empty: the calendar again
SET mpn.as_of_date = '';
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS calendar_today;
SET mpn.as_of_date = '2021-01-31';
RESET mpn.as_of_date;
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS calendar_today;

-- only a superuser sets them
CREATE ROLE regress_mpn_user;
GRANT USAGE ON SCHEMA mpn TO regress_mpn_user;
GRANT USAGE ON SCHEMA mpn_test TO regress_mpn_user;
SET ROLE regress_mpn_user;
SET mpn.time_zone = 'Pacific/Kiritimati';
SELECT mpn_test.try('SET mpn.time_zone = ''UTC''') AS set_utc,
       mpn_test.try('SELECT set_config(''mpn.time_zone'', ''Pacific/Kiritimati'', false)') AS set_config;
SHOW mpn.time_zone;
SET mpn.as_of_date = '2021-01-31';
SELECT mpn_test.try('SET LOCAL mpn.as_of_date = ''2021-01-31''') AS set_local_as_of;
SHOW mpn.as_of_date;
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS utc_today;
-- but may set TimeZone, which changes nothing
SET TimeZone = 'Pacific/Kiritimati';
SELECT mpn.today() = (now() AT TIME ZONE 'UTC')::date AS utc_today;
RESET TimeZone;
RESET ROLE;
REVOKE USAGE ON SCHEMA mpn FROM regress_mpn_user;
REVOKE USAGE ON SCHEMA mpn_test FROM regress_mpn_user;
DROP ROLE regress_mpn_user;

--
-- The default on_date is mpn.today(); far-away dates keep the results
-- stable
--
SELECT mpn.can_activate('9999-12-31', false) AS future_expiry,
       mpn.can_activate('1900-01-01', true) AS past_expiry,
       mpn.can_activate(mpn.today(), false) AS expiring_today,
       mpn.can_activate(mpn.today() - 1, false) AS expired_yesterday,
       mpn.can_activate(mpn.today() - 30, true) AS grace_ends_today;
SELECT mpn.key_is_usable('1900-01-01') AS old_key,
       mpn.key_is_usable(mpn.today()) AS redeemed_today,
       mpn.key_is_usable('9999-12-31') AS redeemed_in_future;
SELECT mpn.can_renew('1900-01-01') AS renewal_open, mpn.can_renew('9999-12-31') AS renewal_not_yet;
SELECT mpn.can_reassign('1900-01-01') AS long_ago, mpn.can_reassign('9999-12-31') AS not_yet,
       mpn.can_reassign(mpn.today() - 90) AS day_90, mpn.can_reassign(mpn.today() - 89) AS day_89;
SELECT mpn.remaining_days('1 license [1990-01-01,1991-01-01)') AS lapsed,
       mpn.remaining_days('1 license [9998-01-01,9999-01-01)') AS future,
       mpn.remaining_days('1 license [1990-01-01,9999-01-01)') = date '9999-01-01' - mpn.today() AS running;
SELECT mpn.extend('7 licenses [1990-01-01,1991-01-01)')
       = mpn.license_term(7, mpn.today(), (mpn.today() + interval '1 year')::date) AS extend_lapsed,
       mpn.add_licenses('7 licenses [1990-01-01,9999-01-01)', 3)
       = mpn.add_licenses('7 licenses [1990-01-01,9999-01-01)', 3, mpn.today()) AS add_running,
       mpn.preview_key('7 licenses [1990-01-01,9999-01-01)', 3)
       = mpn.preview_key('7 licenses [1990-01-01,9999-01-01)', 3, mpn.today()) AS preview_running;

--
-- Generated columns and index expressions need IMMUTABLE: a rule with
-- its on_date given is; one that falls back on mpn.today() is not
--
CREATE TABLE rules_keys (
	redeemed_on date,
	benefit_expiry date GENERATED ALWAYS AS (mpn.benefit_expiry(redeemed_on)) STORED,
	valid_until date GENERATED ALWAYS AS (mpn.key_valid_until(redeemed_on)) STORED,
	open_mid_2021 boolean GENERATED ALWAYS AS (mpn.can_activate(mpn.benefit_expiry(redeemed_on), true, '2021-06-01')) STORED
);
INSERT INTO rules_keys (redeemed_on) VALUES ('2020-12-01'), ('2020-02-29'), ('2020-05-01'), ('infinity'), (NULL);
SELECT * FROM rules_keys;
UPDATE rules_keys SET redeemed_on = '2024-02-29' WHERE redeemed_on = '2020-02-29';
SELECT * FROM rules_keys WHERE redeemed_on = '2024-02-29';
INSERT INTO rules_keys (redeemed_on) VALUES ('5874897-06-01');
CREATE INDEX rules_keys_valid ON rules_keys (mpn.key_valid_until(redeemed_on));
-- A rule whose day defaults to mpn.today() is not immutable: PostgreSQL
-- refuses it in a generated column.  (Servers before 15.6 and 16.2 let it
-- through: they checked the expression before filling in default
-- arguments, PostgreSQL bug #18097.)
CREATE TABLE rules_bad (
	expiry date,
	open_now boolean GENERATED ALWAYS AS (mpn.can_activate(expiry, false)) STORED
);
SELECT mpn_test.core_error($q$CREATE INDEX rules_keys_usable ON rules_keys (mpn.key_is_usable(redeemed_on))$q$)
       AS index_on_stable_rule;

-- On a Citus node (here: the setting citus.propagate_set_commands exists,
-- as a placeholder, as Citus defines it), a session's SET of mpn.as_of_date
-- or mpn.time_zone would not reach the workers, where distributed tables'
-- queries compute "today": it is refused, except as SET LOCAL with
-- citus.propagate_set_commands = 'local', which Citus carries to the
-- workers (a plain SET or set_config() it does not carry, even in a
-- transaction).  Last in this suite: the placeholder stays.
SET citus.propagate_set_commands = 'none';
SET mpn.as_of_date = '2025-06-15';
SET mpn.time_zone = 'Europe/Paris';
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL mpn.as_of_date = '2025-06-15';
SELECT mpn.today();
COMMIT;
SET citus.propagate_set_commands = 'local';
SET mpn.as_of_date = '2025-06-15';
BEGIN;
SET mpn.as_of_date = '2025-06-15';
ROLLBACK;
BEGIN;
SELECT set_config('mpn.as_of_date', '2025-06-15', true);
ROLLBACK;
SELECT current_setting('mpn.as_of_date') AS as_of_date;
