-- src/sql/rules.sql: "today" and the benefit rules
-- (one of the sources the Makefile joins into mpn_benefits--X.Y.sql)

--
-- "Today" for the rules: the calendar date in mpn.time_zone (UTC unless a
-- superuser sets it), never in the session's TimeZone.
--
CREATE FUNCTION @extschema@.today() RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_today_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.today() IS
'the calendar date at the start of the current transaction in mpn.time_zone (UTC by default)';

CREATE FUNCTION @extschema@.day_of(moment pg_catalog.timestamptz) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_day_of'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.day_of(pg_catalog.timestamptz) IS
'the calendar date of a moment in mpn.time_zone (UTC by default), the day the rules and triggers count; never the session''s TimeZone';

--
-- The benefit rules.  Each on_date defaults to mpn.today(); a default is
-- evaluated by the caller, so the functions themselves stay IMMUTABLE and
-- usable in generated columns when on_date is given.
--
CREATE FUNCTION @extschema@.benefit_expiry(enrolled_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_benefit_expiry' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.benefit_expiry(pg_catalog.date) IS
'rule 1: the benefit expiry date (last day to activate), one year after enrollment';

CREATE FUNCTION @extschema@.activation_deadline(benefit_expiry pg_catalog.date, requires_user_assignment pg_catalog.bool)
RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_activation_deadline' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activation_deadline(pg_catalog.date, pg_catalog.bool) IS
'rule 2: the last day to activate: the benefit expiry date, plus 30 days of grace for benefits that need a user assignment';

CREATE FUNCTION @extschema@.can_activate(benefit_expiry pg_catalog.date, requires_user_assignment pg_catalog.bool,
										 on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_can_activate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_activate(pg_catalog.date, pg_catalog.bool, pg_catalog.date) IS
'rule 2: whether a benefit may still be activated on on_date (its activation deadline is inclusive)';

CREATE FUNCTION @extschema@.key_valid_until(redeemed_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_key_valid_until' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.key_valid_until(pg_catalog.date) IS
'rule 3: the first day a redeemed key is no longer usable, one year after redemption (exclusive end)';

CREATE FUNCTION @extschema@.key_is_usable(redeemed_on pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_key_is_usable' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.key_is_usable(pg_catalog.date, pg_catalog.date) IS
'rule 3: whether a key redeemed on redeemed_on is usable on on_date, in [redeemed_on, key_valid_until)';

CREATE FUNCTION @extschema@.can_renew(renewal_start pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_can_renew' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_renew(pg_catalog.date, pg_catalog.date) IS
'rule 6: whether a membership may be renewed on on_date (on or after its renewal start date)';

CREATE FUNCTION @extschema@.reassignable_on(assigned_on pg_catalog.date) RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'mpn_reassignable_on' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reassignable_on(pg_catalog.date) IS
'rule 7: the first day a Visual Studio subscription may pass to another subscriber, 90 days after its last assignment';

CREATE FUNCTION @extschema@.can_reassign(assigned_on pg_catalog.date, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'mpn_can_reassign' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_reassign(pg_catalog.date, pg_catalog.date) IS
'rule 7: whether a subscription assigned on assigned_on may pass to another subscriber on on_date';

CREATE FUNCTION @extschema@.add_licenses(term @extschema@.license_term, added pg_catalog.int4,
										 on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME', 'mpn_add_licenses' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.add_licenses(@extschema@.license_term, pg_catalog.int4, pg_catalog.date) IS
'rule 4: the term after adding licenses on on_date, license-days pooled into one earlier end date';

CREATE FUNCTION @extschema@.extend(term @extschema@.license_term, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS @extschema@.license_term
AS 'MODULE_PATHNAME', 'mpn_extend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.extend(@extschema@.license_term, pg_catalog.date) IS
'rule 5: the term extended by one year, from its end while active, from on_date once lapsed';

CREATE FUNCTION @extschema@.remaining_days(term @extschema@.license_term, on_date pg_catalog.date DEFAULT @extschema@.today())
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'mpn_remaining_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.remaining_days(@extschema@.license_term, pg_catalog.date) IS
'the days of the term left on on_date, counting on_date itself; 0 once lapsed';

CREATE FUNCTION @extschema@.preview_key(term @extschema@.license_term, licenses_on_key pg_catalog.int4,
										on_date pg_catalog.date DEFAULT @extschema@.today(),
										OUT added @extschema@.license_term, OUT added_remaining_days pg_catalog.int4,
										OUT extended @extschema@.license_term, OUT extended_remaining_days pg_catalog.int4)
AS 'MODULE_PATHNAME', 'mpn_preview_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.preview_key(@extschema@.license_term, pg_catalog.int4, pg_catalog.date) IS
'both outcomes of spending a key on a subscription: the term if its licenses are added, and the term if it extends; a side that cannot be had is NULL (adding: the subscription is not active on on_date, or the count or end would pass its range; extending: the end would pass 5874897-12-31)';

