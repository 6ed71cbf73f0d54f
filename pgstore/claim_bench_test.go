package pgstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/storetest"
)

// BenchmarkClaim has ten agents race for the 1,000 tickets waiting in
// Unassigned (storetest.ClaimRace), as BenchmarkClaim in inbox does in
// memory: each claim is a transaction that locks the inbox's row, so the
// race measures how claims queue and how often they lose.
func BenchmarkClaim(b *testing.B) {
	b.Run("tickets=1k/agents=10", func(b *testing.B) {
		ctx := context.Background()
		ib, err := inbox.New(newStore(b), "claims")
		if err != nil {
			b.Fatal(err)
		}
		agents := make([]inbox.Actor, 10)
		for i := range agents {
			agents[i] = inbox.Actor{ID: fmt.Sprintf("a%d", i), Role: inbox.Support}
			if err := ib.PutMember(ctx, inbox.Member{ID: agents[i].ID, Role: inbox.Support}); err != nil {
				b.Fatal(err)
			}
		}
		for i := range 1000 { // round robin is off: every ticket waits
			c := fmt.Sprintf("c%d", i)
			if _, err := ib.Receive(ctx, channel.Inbound{Kind: channel.WebChat, Body: "hi",
				WebChat: channel.WebChatFields{Conversation: c, Visitor: "v" + c}}); err != nil {
				b.Fatal(err)
			}
		}
		storetest.ClaimRace(b, ib, agents)
	})
}
