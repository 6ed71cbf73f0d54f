package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

// TestCalls drives the calls the story leaves out, and the answers of the
// API's edges (unknown paths, wrong methods, bodies too large), on the
// in-memory store.
func TestCalls(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.want(t, "PUT", "/members/ali", "dana/owner", `{"name": "Ali", "role": "support"}`, http.StatusNoContent, nil)
	h.want(t, "POST", "/webhooks/webchat", "", `{"conversation": "c-1", "visitor": "v-7", "message_id": "w-1", "body": "Hello"}`,
		http.StatusOK, received{Action: channel.New, Ticket: 1})
	h.want(t, "POST", "/webhooks/webchat", "", `{"conversation": "c-1", "visitor": "v-7", "message_id": "w-1", "body": "Hello"}`,
		http.StatusOK, received{Action: channel.Duplicate, Ticket: 1})
	h.want(t, "POST", "/webhooks/webchat/presence", "", `{"conversation": "c-1", "online": false}`, http.StatusNoContent, nil)
	h.want(t, "POST", "/webhooks/webchat/presence", "", `{"conversation": "c-1"}`, http.StatusBadRequest,
		problem{Code: "bad_request", Field: "online", Error: "bad request: online: required: true or false"})

	ov := inbox.Overview{Number: 1, Status: status.Open, CreatedAt: t0, Channel: channel.WebChat, Customer: "webchat:v-7", CustomerTickets: 1}
	tagged := ov
	tagged.Tags = []string{"vip"}
	h.want(t, "PUT", "/tickets/1/tags/VIP", "ali/support", "", http.StatusOK, tagged)
	h.want(t, "DELETE", "/tickets/1/tags/vip", "ali/support", "", http.StatusOK, ov)
	mine := ov
	mine.Assignee, mine.AssigneeName = "ali", "Ali"
	h.want(t, "POST", "/tickets/1/claim", "ali/support", "", http.StatusOK, mine)
	h.want(t, "POST", "/tickets/1/unassign", "ali/support", "", http.StatusOK, ov)
	h.want(t, "GET", "/tickets/1/thread", "ali/support", "", http.StatusOK, inbox.ThreadPage{Messages: []inbox.Message{
		{Ticket: 1, Direction: inbox.Inbound, Author: "webchat:v-7", ID: "w-1", Body: "Hello", At: t0},
	}})
	closed := ov
	closed.Status = status.Closed
	h.want(t, "POST", "/tickets/1/close", "ali/support", "", http.StatusOK, closed)
	h.want(t, "POST", "/tickets/1/reopen", "ali/support", "", http.StatusOK, ov)
	h.want(t, "POST", "/tickets/1/reopen", "ali/support", "", http.StatusConflict,
		problem{Code: "invalid_transition", Error: "status: cannot reopen a ticket that is open (open → open is not allowed)"})

	// A view saved, renamed and deleted.
	id := h.want(t, "POST", "/views", "ali/support", `{"name": "Chats", "query": {"channels": ["webchat"]}}`, http.StatusCreated,
		inbox.SavedView{Name: "Chats", Owner: "ali", Query: inbox.Query{Channels: []channel.Kind{channel.WebChat}}}, ignore("id"))["id"].(string)
	h.want(t, "PUT", "/views/"+id, "ali/support", `{"name": "Web chats", "query": {"channels": ["webchat"]}}`, http.StatusOK,
		inbox.SavedView{ID: id, Name: "Web chats", Owner: "ali", Query: inbox.Query{Channels: []channel.Kind{channel.WebChat}}})
	h.want(t, "DELETE", "/views/"+id, "ali/support", "", http.StatusNoContent, nil)
	h.want(t, "GET", "/views", "ali/support", "", http.StatusOK, []inbox.SavedView{})
	h.want(t, "POST", "/views", "ali/support", `{"name": "", "query": {}}`, http.StatusBadRequest,
		problem{Code: "invalid", Field: "view name", Error: "inbox: invalid view name: empty"})

	// The edges.
	h.want(t, "GET", "/tickets?view=mine&view=all", "ali/support", "", http.StatusBadRequest,
		problem{Code: "bad_request", Field: "view", Error: "bad request: view: given more than once"})
	h.want(t, "GET", "/tickets?limit=ten", "ali/support", "", http.StatusBadRequest,
		problem{Code: "bad_request", Field: "limit", Error: `bad request: limit: strconv.Atoi: parsing "ten": invalid syntax`})
	h.want(t, "POST", "/tickets/1/reply", "ali/support", `{"body": "a"} {"body": "b"}`, http.StatusBadRequest,
		problem{Code: "bad_request", Error: "bad request: the body holds more than one JSON value"})
	h.want(t, "POST", "/tickets/1/reply", "ali/support", `{"body": "`+strings.Repeat("a", maxBody)+`"}`, http.StatusRequestEntityTooLarge,
		problem{Code: "too_large", Error: "http: request body too large"})
	h.want(t, "PATCH", "/settings", "dana/owner", `{"round_robin": "yes"}`, http.StatusBadRequest,
		problem{Code: "bad_request", Field: "round_robin", Error: "bad request: round_robin: want a JSON bool, not string"})
	h.want(t, "PATCH", "/settings", "ali/support", `{"round_robin": true}`, http.StatusForbidden,
		problem{Code: "forbidden", Error: `inbox: forbidden: "ali" (role "support") may not change settings`})
	h.want(t, "GET", "/nowhere", "", "", http.StatusNotFound, problem{Code: "not_found", Error: "no such path: /nowhere"})
	h.want(t, "DELETE", "/tickets/1/claim", "", "", http.StatusMethodNotAllowed,
		problem{Code: "method_not_allowed", Error: "DELETE /tickets/1/claim: allowed: POST"})
}
