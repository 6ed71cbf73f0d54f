-- routedesk pgstore, migration 1: the tables of the PostgreSQL Store.
--
-- Names are not qualified: run this file with search_path set to the
-- store's schema (pgstore.Migrate does). Every row belongs to one inbox, the
-- first column of every key. Identifiers sort byte by byte (COLLATE "C"), as
-- Go compares strings. The zero time.Time is NULL in the optional time
-- columns and '-infinity' in the others, so that it sorts first. There are
-- no foreign keys: the store checks references itself (tickets are numbered
-- densely and never deleted), and a foreign key costs a lookup per insert.

-- One row per inbox, with its settings. Every Update locks it FOR UPDATE
-- first, so the Updates of one inbox run one at a time; the row is rarely
-- changed, so the transactions waiting for it get it in turn.
CREATE TABLE inboxes (
    id           text COLLATE "C" PRIMARY KEY,
    settings     json,  -- inbox.Settings without office hours; NULL until saved
    office_hours json   -- officehours.Schedule; NULL: always open
);

-- The counters of an inbox, written under the inbox's lock: they number
-- tickets and events densely, hold the outbox's delivered mark and round
-- robin's pool sequence number. No row: all 0.
CREATE TABLE counters (
    inbox        text COLLATE "C" PRIMARY KEY,
    last_ticket  bigint NOT NULL,  -- number of the newest ticket
    last_event   bigint NOT NULL,  -- seq of the newest event
    delivered    bigint NOT NULL,  -- seq of the last event delivered
    rotation_seq bigint NOT NULL   -- assign.Rotation.Seq
);

CREATE TABLE tickets (
    inbox             text COLLATE "C" NOT NULL,
    number            bigint NOT NULL,
    channel           text COLLATE "C" NOT NULL CHECK (channel IN ('webchat', 'email', 'sms')),
    customer          text COLLATE "C" NOT NULL,
    key               text COLLATE "C" NOT NULL,  -- '' when the channel has none
    subject           text NOT NULL,
    status            text COLLATE "C" NOT NULL CHECK (status IN ('open', 'snoozed', 'closed')),
    assignee          text COLLATE "C" NOT NULL,  -- '' when unassigned
    tags              text[] COLLATE "C" NOT NULL,
    unread            boolean NOT NULL,
    created_at        timestamptz NOT NULL,
    active_at         timestamptz NOT NULL,
    snoozed_until     timestamptz,
    first_response_at timestamptz,
    closed_at         timestamptz,
    PRIMARY KEY (inbox, number)
);
-- One SMS ticket per phone number.
CREATE UNIQUE INDEX tickets_sms_key ON tickets (inbox, key) WHERE channel = 'sms' AND key <> '';
-- TicketByKey: the newest ticket of a conversation or phone.
CREATE INDEX tickets_key ON tickets (inbox, channel, key, number) WHERE key <> '';
CREATE INDEX tickets_customer ON tickets (inbox, customer);
-- The views: My inbox and Unassigned (by assignee), and All, in both orders.
CREATE INDEX tickets_assignee_latest ON tickets (inbox, status, assignee, active_at DESC, number DESC);
CREATE INDEX tickets_assignee_oldest ON tickets (inbox, status, assignee, number);
CREATE INDEX tickets_latest ON tickets (inbox, status, active_at DESC, number DESC);
CREATE INDEX tickets_oldest ON tickets (inbox, status, number);
-- Snoozed tickets by wake-up time.
CREATE INDEX tickets_snoozed ON tickets (inbox, (coalesce(snoozed_until, '-infinity')), number)
    WHERE status = 'snoozed';

CREATE TABLE messages (
    inbox     text COLLATE "C" NOT NULL,
    ticket    bigint NOT NULL,
    index     bigint NOT NULL,                    -- position in the thread, from 0
    kind      text COLLATE "C" NOT NULL CHECK (kind IN ('webchat', 'email', 'sms')),
    direction smallint NOT NULL,  -- inbox.Direction: 1 inbound, 2 outbound
    author    text NOT NULL,
    id        text COLLATE "C" NOT NULL,           -- the channel's message ID; '' when none
    body      text NOT NULL,
    sent_at   timestamptz NOT NULL,
    automatic boolean NOT NULL,
    PRIMARY KEY (inbox, ticket, index)
);
-- A message ID is unique per inbox and channel.
CREATE UNIQUE INDEX messages_id ON messages (inbox, kind, id) WHERE id <> '';

-- The outbox, and each ticket's history: event is inbox.Event's JSON form.
CREATE TABLE events (
    inbox  text COLLATE "C" NOT NULL,
    seq    bigint NOT NULL,
    ticket bigint,  -- NULL when the event is about no ticket
    event  json NOT NULL,
    PRIMARY KEY (inbox, seq)
);
CREATE INDEX events_history ON events (inbox, ticket, seq) WHERE ticket IS NOT NULL;

CREATE TABLE members (
    inbox    text COLLATE "C" NOT NULL,
    id       text COLLATE "C" NOT NULL,
    name     text NOT NULL,
    role     text NOT NULL,
    presence text COLLATE "C" NOT NULL CHECK (presence IN ('offline', 'online')),
    capacity bigint NOT NULL,
    hours    json,  -- officehours.Schedule; NULL: none
    joined   bigint NOT NULL,
    PRIMARY KEY (inbox, id)
);

-- Round robin's rotation: one row per agent; the pool's sequence number is
-- inboxes.rotation_seq.
CREATE TABLE rotation (
    inbox        text COLLATE "C" NOT NULL,
    agent        text COLLATE "C" NOT NULL,
    joined       bigint NOT NULL,
    last_seq     bigint NOT NULL,  -- assign.Member.Last: 0 when never assigned
    presence     text COLLATE "C" NOT NULL CHECK (presence IN ('offline', 'online')),
    open_tickets bigint NOT NULL,
    capacity     bigint NOT NULL,
    hours        json,            -- officehours.Schedule; NULL: none
    PRIMARY KEY (inbox, agent)
);

CREATE TABLE saved_views (
    inbox  text COLLATE "C" NOT NULL,
    id     text COLLATE "C" NOT NULL,
    name   text NOT NULL,
    owner  text COLLATE "C" NOT NULL,
    shared boolean NOT NULL,
    query  json NOT NULL,  -- inbox.Query's JSON form
    PRIMARY KEY (inbox, id)
);

CREATE TABLE leases (
    inbox      text COLLATE "C" NOT NULL,
    name       text COLLATE "C" NOT NULL,
    holder     text COLLATE "C" NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (inbox, name)
);
