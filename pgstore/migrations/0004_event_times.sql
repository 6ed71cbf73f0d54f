-- routedesk pgstore, migration 4: events by time and type, for reports
-- (issue 9).
--
-- Run, like 0001, with search_path set to the store's schema. Reports read
-- the events of a time range (ReadTx.Events), so the events table gains
-- their type and time as columns, generated from the event's JSON form:
-- every writer fills them, and adding them fills the rows there are
-- (the table is rewritten, inside Migrate's transaction).
--
-- The time is inbox.Event's "at": RFC 3339 with an explicit offset, which
-- PostgreSQL reads the same whatever the session's DateStyle and TimeZone.
-- That is why event_at may say IMMUTABLE, which a generated column needs
-- (the text-to-timestamptz cast alone is only STABLE).
CREATE FUNCTION event_at(event json) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (event->>'at')::timestamptz;

ALTER TABLE events
    ADD COLUMN type text COLLATE "C" GENERATED ALWAYS AS (event->>'type') STORED,
    ADD COLUMN at   timestamptz GENERATED ALWAYS AS (event_at(event)) STORED;

-- Events: a range of one or more types (the store names every type when
-- asked for all of them), ordered by seq afterwards.
CREATE INDEX events_type_at ON events (inbox, type, at);
