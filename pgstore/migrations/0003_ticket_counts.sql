-- routedesk pgstore, migration 3: ticket counts for the standard views
-- (issue 7).
--
-- Run, like 0001, with search_path set to the store's schema. The counts
-- are kept by triggers, in the transaction that inserts or updates the
-- tickets, so they hold for every writer of the table, the store's own and a
-- host's SQL alike. The functions run with the search_path they were created
-- with (SET search_path FROM CURRENT): the store's statements name their
-- schema, and a session's search_path does not. The store's Updates of an
-- inbox hold its row lock, so they change its counts one at a time; other
-- writers queue on the count rows' own locks. The store never deletes
-- tickets, so nothing counts deletions.

-- How many tickets of an inbox have a status and an assignee ('' for
-- nobody): Count of My inbox and Unassigned reads one row per status, and of
-- All one row per assignee who ever held a ticket of the status.
CREATE TABLE ticket_counts (
    inbox    text COLLATE "C" NOT NULL,
    status   text COLLATE "C" NOT NULL,
    assignee text COLLATE "C" NOT NULL,
    tickets  bigint NOT NULL,
    PRIMARY KEY (inbox, status, assignee)
);

-- New tickets, once per statement: a bulk insert adds to each count once.
CREATE FUNCTION count_new_tickets() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO ticket_counts AS c (inbox, status, assignee, tickets)
    SELECT inbox, status, assignee, count(*) FROM new_tickets GROUP BY inbox, status, assignee
    ON CONFLICT (inbox, status, assignee) DO UPDATE SET tickets = c.tickets + excluded.tickets;
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_count_new AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION count_new_tickets();

-- A ticket that changes status or assignee moves from one count to another;
-- the WHEN clause spares the other updates the call.
CREATE FUNCTION recount_ticket() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE ticket_counts SET tickets = tickets - 1
    WHERE inbox = OLD.inbox AND status = OLD.status AND assignee = OLD.assignee;
    INSERT INTO ticket_counts AS c (inbox, status, assignee, tickets) VALUES (NEW.inbox, NEW.status, NEW.assignee, 1)
    ON CONFLICT (inbox, status, assignee) DO UPDATE SET tickets = c.tickets + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_recount AFTER UPDATE OF inbox, status, assignee ON tickets FOR EACH ROW
    WHEN ((OLD.inbox, OLD.status, OLD.assignee) IS DISTINCT FROM (NEW.inbox, NEW.status, NEW.assignee))
    EXECUTE FUNCTION recount_ticket();

-- The tickets already kept. CREATE TRIGGER locked the tickets table against
-- writes until the migration commits, so this counts every ticket written
-- before the triggers, and every later one goes through them.
INSERT INTO ticket_counts (inbox, status, assignee, tickets)
SELECT inbox, status, assignee, count(*) FROM tickets GROUP BY inbox, status, assignee;
