-- routedesk pgstore, migration 2: what the inbox's automations keep (issue 8).
--
-- Run, like 0001, with search_path set to the store's schema. Every new time
-- column is optional: NULL is the zero time, which is what the rows that
-- 0001 made hold. Adding a column with a constant default rewrites no row
-- (PostgreSQL 11 and later); the new index is built inside Migrate's
-- transaction, so writes to tickets wait while it is built.

-- The automations' state of a ticket (inbox.Ticket's fields of the same
-- names).
ALTER TABLE tickets
    ADD COLUMN last_customer_at timestamptz,
    ADD COLUMN last_reply_at    timestamptz,
    ADD COLUMN customer_away    boolean NOT NULL DEFAULT false,
    ADD COLUMN follow_up_at     timestamptz,  -- NULL: no follow-up email is due
    ADD COLUMN followed_up_at   timestamptz,
    ADD COLUMN notified_at      timestamptz;
-- FollowUpDue: the tickets with a follow-up due, by due time.
CREATE INDEX tickets_follow_up ON tickets (inbox, follow_up_at, number)
    WHERE follow_up_at IS NOT NULL;

-- The campaign or flow text an inbound SMS answers: channel.Sent's JSON
-- form; NULL when none.
ALTER TABLE messages ADD COLUMN attribution json;

-- What the inbox keeps about a customer (inbox.Customer), by customer key.
CREATE TABLE customers (
    inbox           text COLLATE "C" NOT NULL,
    key             text COLLATE "C" NOT NULL,
    email           text NOT NULL,  -- '' when unknown
    auto_replied_at timestamptz,
    sent            json NOT NULL,  -- []channel.Sent's JSON form, oldest first
    PRIMARY KEY (inbox, key)
);
