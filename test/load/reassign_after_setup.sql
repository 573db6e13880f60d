-- Scratch schema for the reassign_after load test (run by test/load/run.sh).
-- psql variables: nsubs (subscriptions), window, per_window (as for keys).
SET client_min_messages = warning;
DROP TABLE IF EXISTS subs, handovers, pass_attempts, pass_params;
DROP SEQUENCE IF EXISTS pass_tick;
DROP FUNCTION IF EXISTS pass_attempt(int, int, int);
DROP FUNCTION IF EXISTS log_handover();

CREATE TABLE subs (
    id          int PRIMARY KEY,
    subscriber  text,
    assigned_on date
);
CREATE TRIGGER reassign_after BEFORE INSERT OR UPDATE OR DELETE ON subs
    FOR EACH ROW EXECUTE FUNCTION mpn.reassign_after('subscriber', 'assigned_on');

-- odd subscriptions were assigned long ago (free to pass on), even ones
-- never (the first assignment is free).  That is history: an INSERT may
-- give no day but today, so it is loaded with the trigger off.
ALTER TABLE subs DISABLE TRIGGER reassign_after;
INSERT INTO subs
SELECT i, CASE WHEN i % 2 = 1 THEN 'first-' || i END, CASE WHEN i % 2 = 1 THEN date '2000-01-01' END
FROM generate_series(1, :nsubs) AS i;
ALTER TABLE subs ENABLE TRIGGER reassign_after;

-- every committed change of hands, written by an AFTER trigger
CREATE TABLE handovers (
    seq         bigserial PRIMARY KEY,
    sub_id      int NOT NULL,
    event       text NOT NULL,
    old_sub     text,
    new_sub     text,
    assigned_on date
);
CREATE FUNCTION log_handover() RETURNS trigger LANGUAGE plpgsql AS
$fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO handovers (sub_id, event, old_sub) VALUES (OLD.id, 'delete', OLD.subscriber);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO handovers (sub_id, event, new_sub, assigned_on)
        VALUES (NEW.id, 'insert', NEW.subscriber, NEW.assigned_on);
    ELSIF NEW.subscriber IS DISTINCT FROM OLD.subscriber THEN
        INSERT INTO handovers (sub_id, event, old_sub, new_sub, assigned_on)
        VALUES (NEW.id, 'update', OLD.subscriber, NEW.subscriber, NEW.assigned_on);
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER log_handover AFTER INSERT OR UPDATE OR DELETE ON subs
    FOR EACH ROW EXECUTE FUNCTION log_handover();

CREATE TABLE pass_attempts (
    tick    bigint PRIMARY KEY,
    sub_id  int NOT NULL,
    op      text NOT NULL,      -- 'update', or 'reinsert' (delete and insert again)
    outcome text NOT NULL,      -- passed | refused | missing | duplicate
    who     text NOT NULL,
    iso     text NOT NULL DEFAULT current_setting('transaction_isolation')
);
CREATE TABLE pass_params AS
    SELECT :nsubs AS nsubs, :window AS win, :per_window AS per_window;
CREATE SEQUENCE pass_tick;

-- pass subscription (window slot r) to a new subscriber named after the attempt
CREATE FUNCTION pass_attempt(op int, r int, client int) RETURNS text
LANGUAGE plpgsql AS
$fn$
DECLARE
    t       bigint := nextval('pass_tick');
    p       pass_params;
    s       int;
    who     text;
    n       int;
    outcome text;
BEGIN
    SELECT * INTO STRICT p FROM pass_params;
    s := (((t - 1) / p.per_window) * p.win + r) % p.nsubs + 1;
    who := format('c%s-t%s', client, t);
    BEGIN
        IF op = 0 THEN
            UPDATE subs SET subscriber = who WHERE id = s;
            GET DIAGNOSTICS n = ROW_COUNT;
        ELSE
            -- the detour: delete the row and insert it again for someone else
            DELETE FROM subs WHERE id = s;
            GET DIAGNOSTICS n = ROW_COUNT;
            IF n = 1 THEN
                INSERT INTO subs (id, subscriber) VALUES (s, who);
            END IF;
        END IF;
        -- n = 0: a concurrent delete-and-insert replaced the row under us
        outcome := CASE WHEN n = 1 THEN 'passed' ELSE 'missing' END;
    EXCEPTION
        WHEN check_violation THEN
            outcome := 'refused';
        WHEN unique_violation THEN
            outcome := 'duplicate';
    END;
    INSERT INTO pass_attempts (tick, sub_id, op, outcome, who) VALUES (t, s, CASE op WHEN 0 THEN 'update' ELSE 'reinsert' END, outcome, who);
    RETURN outcome;
END
$fn$;
