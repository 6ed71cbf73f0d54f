-- routedesk pgstore, migration 6: the events' type and time as plain
-- columns, filled by the writer (issue 7).
--
-- Run, like 0001, with search_path set to the store's schema. Migration
-- 0004 generated them from the event's JSON form, which made every insert
-- parse each event twice more and call event_at; the store knows both
-- values, and now writes them beside the JSON. Dropping the expressions
-- keeps the values there are (no row is rewritten); NOT NULL reads the
-- table once, inside Migrate's transaction, and makes a writer that leaves
-- them out fail rather than hide its events from reports.
ALTER TABLE events
    ALTER COLUMN type DROP EXPRESSION,
    ALTER COLUMN at DROP EXPRESSION;
ALTER TABLE events
    ALTER COLUMN type SET NOT NULL,
    ALTER COLUMN at SET NOT NULL;

DROP FUNCTION event_at(json);
