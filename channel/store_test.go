package channel_test

import (
	"errors"
	"fmt"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/status"
)

// memStore is an in-memory Lookup shaped as inbox's memstore will be: one map
// per channel from message key and from thread key to ticket number, and the
// tickets in a slice (ticket n is tickets[n-1]). It also applies decisions as
// the inbox would, so that tests can play whole conversations.
type memStore struct {
	tickets  []channel.TicketRef
	messages [4]map[string]int64 // indexed by Kind
	threads  [4]map[string]int64
	held     map[int64]int // how many messages each ticket holds
}

var _ channel.Lookup = (*memStore)(nil)

func newMemStore() *memStore {
	m := &memStore{held: map[int64]int{}}
	for k := range m.messages {
		m.messages[k] = map[string]int64{}
		m.threads[k] = map[string]int64{}
	}
	return m
}

func (m *memStore) ref(n int64, ok bool) (channel.TicketRef, bool, error) {
	if !ok {
		return channel.TicketRef{}, false, nil
	}
	return m.tickets[n-1], true, nil
}

func (m *memStore) Message(kind channel.Kind, id string) (channel.TicketRef, bool, error) {
	n, ok := m.messages[kind][id]
	return m.ref(n, ok)
}

func (m *memStore) Thread(kind channel.Kind, key string) (channel.TicketRef, bool, error) {
	n, ok := m.threads[kind][key]
	return m.ref(n, ok)
}

func (m *memStore) Ticket(number int64) (channel.TicketRef, bool, error) {
	return m.ref(number, number >= 1 && number <= int64(len(m.tickets)))
}

// open adds a ticket of kind for customer with status s and returns its
// number.
func (m *memStore) open(kind channel.Kind, customer string, s status.Status) int64 {
	n := int64(len(m.tickets) + 1)
	m.tickets = append(m.tickets, channel.TicketRef{Number: n, Kind: kind, Status: s, Customer: customer})
	return n
}

// hold files a message key of kind on ticket n (an outgoing reply, or a
// message the ticket already has).
func (m *memStore) hold(kind channel.Kind, key string, n int64) {
	m.messages[kind][key] = n
	m.held[n]++
}

func (m *memStore) setStatus(n int64, s status.Status) { m.tickets[n-1].Status = s }

// apply does what the inbox does with decision d about in, and returns the
// number of the ticket that holds the message (0 when none does).
func (m *memStore) apply(in channel.Inbound, d channel.Decision) (int64, error) {
	var n int64
	switch d.Action {
	case channel.New:
		n = m.open(in.Kind, in.CustomerKey(), status.Open)
		if key := in.ThreadKey(); key != "" {
			m.threads[in.Kind][key] = n
		}
	case channel.Append, channel.Reopen, channel.Wake:
		n = d.Ticket.Number
		if e, ok := d.Event(); ok {
			s, err := status.Next(m.tickets[n-1].Status, e)
			if err != nil {
				return 0, err
			}
			m.setStatus(n, s)
		}
	case channel.Keyword, channel.Duplicate, channel.Drop:
		return 0, nil
	default:
		return 0, fmt.Errorf("unknown action %v", d.Action)
	}
	if key := in.MessageKey(); key != "" {
		m.hold(in.Kind, key, n)
	} else {
		m.held[n]++
	}
	return n, nil
}

// failing is a Lookup whose store is down.
type failing struct{}

var errDown = errors.New("store is down")

func (failing) Message(channel.Kind, string) (channel.TicketRef, bool, error) {
	return channel.TicketRef{}, false, errDown
}

func (failing) Thread(channel.Kind, string) (channel.TicketRef, bool, error) {
	return channel.TicketRef{}, false, errDown
}

func (failing) Ticket(int64) (channel.TicketRef, bool, error) {
	return channel.TicketRef{}, false, errDown
}
