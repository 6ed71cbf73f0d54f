-- routedesk pgstore, migration 5: the agent replies a web chat follow-up
-- carries, counted (inbox.Ticket.NewReplies).
--
-- Run, like 0001, with search_path set to the store's schema. The follow-up
-- email used to find the replies since the visitor's latest message and the
-- latest follow-up by comparing times; but an Update's time is read before
-- it waits for the inbox's lock, and replicas' clocks differ, so a reply may
-- carry a time after a message that follows it. The inbox now counts them
-- as its transactions commit. The new column has a constant default (no
-- row is rewritten); the tickets that have such replies get their count
-- from their threads, by the old rule: the agents' replies (outbound, not
-- automatic) after the latest inbound message and timed after the latest
-- follow-up.
ALTER TABLE tickets ADD COLUMN new_replies integer NOT NULL DEFAULT 0 CHECK (new_replies >= 0);

WITH last_inbound AS (
    SELECT inbox, ticket, max(index) AS index FROM messages WHERE direction = 1 GROUP BY inbox, ticket
), replies AS (
    SELECT m.inbox, m.ticket, count(*) AS n
    FROM messages AS m
    JOIN tickets AS t ON t.inbox = m.inbox AND t.number = m.ticket
    LEFT JOIN last_inbound AS l ON l.inbox = m.inbox AND l.ticket = m.ticket
    WHERE m.direction = 2 AND NOT m.automatic AND m.index > coalesce(l.index, -1)
        AND m.sent_at > coalesce(t.followed_up_at, '-infinity')
    GROUP BY m.inbox, m.ticket
)
UPDATE tickets AS t SET new_replies = least(r.n, 2147483647)
FROM replies AS r WHERE t.inbox = r.inbox AND t.number = r.ticket;
