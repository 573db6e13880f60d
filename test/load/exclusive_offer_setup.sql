-- Scratch schema for the exclusive_offer load test (run by test/load/run.sh).
-- psql variables: nusers (users), window, per_window (as for keys).
SET client_min_messages = warning;
DROP TABLE IF EXISTS offers, offer_attempts, offer_params;
DROP SEQUENCE IF EXISTS offer_tick;
DROP FUNCTION IF EXISTS offer_attempt(int, int);

CREATE TABLE offers (
    user_id    int NOT NULL,
    offer      text NOT NULL,
    granted_by bigint NOT NULL,     -- the attempt (tick) that granted it
    PRIMARY KEY (user_id, offer)    -- the index the trigger looks through
);
CREATE TRIGGER exclusive_offer AFTER INSERT OR UPDATE ON offers
    FOR EACH ROW EXECUTE FUNCTION mpn.exclusive_offer('user_id', 'offer');

CREATE TABLE offer_attempts (
    tick    bigint PRIMARY KEY,
    user_id int NOT NULL,
    offer   text NOT NULL,
    outcome text NOT NULL,          -- granted | refused | duplicate
    iso     text NOT NULL DEFAULT current_setting('transaction_isolation')
);
CREATE TABLE offer_params AS
    SELECT :nusers AS nusers, :window AS win, :per_window AS per_window;
CREATE SEQUENCE offer_tick;

-- give user (window slot r) offer number o: 0 is the exclusive offer
CREATE FUNCTION offer_attempt(r int, o int) RETURNS text
LANGUAGE plpgsql AS
$fn$
DECLARE
    t       bigint := nextval('offer_tick');
    p       offer_params;
    u       int;
    off     text := (ARRAY['azure_bulk_credit', 'visual_studio', 'office_e3'])[o + 1];
    outcome text;
BEGIN
    SELECT * INTO STRICT p FROM offer_params;
    u := (((t - 1) / p.per_window) * p.win + r) % p.nusers + 1;
    BEGIN
        INSERT INTO offers VALUES (u, off, t);
        outcome := 'granted';
    EXCEPTION
        -- the trigger's refusal; the same offer twice hits the primary key;
        -- 40P01 (both rows in the index before either looked) and 40001
        -- are left to pgbench, which retries the attempt
        WHEN exclusion_violation THEN
            outcome := 'refused';
        WHEN unique_violation THEN
            outcome := 'duplicate';
    END;
    INSERT INTO offer_attempts (tick, user_id, offer, outcome) VALUES (t, u, off, outcome);
    RETURN outcome;
END
$fn$;
