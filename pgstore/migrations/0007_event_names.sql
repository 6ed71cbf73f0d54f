-- routedesk pgstore, migration 7: the kept events' JSON names what it used
-- to number.
--
-- Run, like 0001, with search_path set to the store's schema.
--
-- An event's JSON form (inbox.Event) names a message's direction
-- ("inbound", "outbound") where it had the number (1, 2), as it names every
-- other enumeration, and a round-robin decision's fields in snake_case
-- ("agent", "at_capacity"…) where it had the Go names ("Agent",
-- "AtCapacity"…). The events kept before are rewritten to that form: their
-- decision's keys renamed, and the direction of their message and of the
-- replies a follow-up carries named. Only the events that have a decision,
-- a message or messages are rewritten, but every event is read once, inside
-- Migrate's transaction: writes to the events table wait meanwhile.
CREATE FUNCTION pg_temp.named_decision(d jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_object_agg(CASE key
        WHEN 'Agent' THEN 'agent' WHEN 'Closed' THEN 'closed' WHEN 'Seq' THEN 'seq'
        WHEN 'Eligible' THEN 'eligible' WHEN 'Offline' THEN 'offline'
        WHEN 'AtCapacity' THEN 'at_capacity' WHEN 'OutsideHours' THEN 'outside_hours'
        ELSE key END, value), '{}')
    FROM jsonb_each(d)
$$;

-- A direction of 0 (none) is left out, as the JSON form leaves it out.
CREATE FUNCTION pg_temp.named_direction(m jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE m->'direction'
        WHEN '1' THEN jsonb_set(m, '{direction}', '"inbound"')
        WHEN '2' THEN jsonb_set(m, '{direction}', '"outbound"')
        WHEN '0' THEN m - 'direction'
        ELSE m END
$$;

CREATE FUNCTION pg_temp.named_event(e jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT e
        || CASE WHEN jsonb_typeof(e->'decision') = 'object'
            THEN jsonb_build_object('decision', pg_temp.named_decision(e->'decision')) ELSE '{}' END
        || CASE WHEN jsonb_typeof(e->'message') = 'object'
            THEN jsonb_build_object('message', pg_temp.named_direction(e->'message')) ELSE '{}' END
        || CASE WHEN jsonb_typeof(e->'messages') = 'array'
            THEN jsonb_build_object('messages', (SELECT coalesce(jsonb_agg(pg_temp.named_direction(m) ORDER BY i), '[]')
                FROM jsonb_array_elements(e->'messages') WITH ORDINALITY AS x (m, i))) ELSE '{}' END
$$;

UPDATE events SET event = pg_temp.named_event(event::jsonb)::json
WHERE event::jsonb ?| ARRAY['decision', 'message', 'messages'];

DROP FUNCTION pg_temp.named_event(jsonb);
DROP FUNCTION pg_temp.named_direction(jsonb);
DROP FUNCTION pg_temp.named_decision(jsonb);
