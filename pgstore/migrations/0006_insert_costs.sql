-- routedesk pgstore, migration 6: cheaper inserts of events and tickets
-- (issue 7).
--
-- Run, like 0001, with search_path set to the store's schema.
--
-- The events' type and time become plain columns, filled by the writer.
-- Migration 0004 generated them from the event's JSON form, which made
-- every insert parse each event twice more and call event_at; the store
-- knows both values, and now writes them beside the JSON. Dropping the
-- expressions keeps the values there are (no row is rewritten); NOT NULL
-- reads the table once, inside Migrate's transaction, and makes a writer
-- that leaves them out fail rather than hide its events from reports.
ALTER TABLE events
    ALTER COLUMN type DROP EXPRESSION,
    ALTER COLUMN at DROP EXPRESSION;
ALTER TABLE events
    ALTER COLUMN type SET NOT NULL,
    ALTER COLUMN at SET NOT NULL;

DROP FUNCTION event_at(json);

-- The store counts the tickets it inserts in the inserting statement
-- itself (a data-modifying WITH that adds the row's count to
-- ticket_counts), which costs less than the statement trigger of 0003 (a
-- transition table, a PL/pgSQL call and an aggregate per statement). Its
-- transactions say so by setting routedesk.counting to 'store' (SET LOCAL:
-- for that transaction only), and the trigger then stands aside for them.
-- The trigger becomes a row trigger: a statement trigger with a transition
-- table has every inserted row captured even when its WHEN clause then
-- skips it, while a row trigger's WHEN is checked as the row is inserted
-- and queues nothing. Every other writer's inserts are counted as before,
-- one row at a time (a host's bulk import pays one upsert per ticket).
-- Updates are still counted by 0003's row trigger, for every writer.
DROP TRIGGER tickets_count_new ON tickets;
DROP FUNCTION count_new_tickets();
CREATE FUNCTION count_new_ticket() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO ticket_counts AS c (inbox, status, assignee, tickets) VALUES (NEW.inbox, NEW.status, NEW.assignee, 1)
    ON CONFLICT (inbox, status, assignee) DO UPDATE SET tickets = c.tickets + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_count_new AFTER INSERT ON tickets FOR EACH ROW
    WHEN (current_setting('routedesk.counting', true) IS DISTINCT FROM 'store')
    EXECUTE FUNCTION count_new_ticket();
