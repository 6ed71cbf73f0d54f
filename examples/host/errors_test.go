package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/channel"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/status"
)

func TestHTTPError(t *testing.T) {
	t.Parallel()
	_, transition := status.Next(status.Closed, status.Close)
	_, syntax := channel.NormalizePhone("call me")
	type answer struct {
		Status int
		Body   problem
	}
	for _, c := range []struct {
		err  error
		want answer
	}{
		{&requestError{Field: "until", Reason: "not a time"}, answer{400, problem{Code: "bad_request", Field: "until", Error: "bad request: until: not a time"}}},
		{&requestError{Reason: "malformed JSON"}, answer{400, problem{Code: "bad_request", Error: "bad request: malformed JSON"}}},
		{fmt.Errorf("saving: %w", &inbox.InvalidError{Field: "view name", Reason: "empty"}), answer{400, problem{Code: "invalid", Field: "view name", Error: "saving: inbox: invalid view name: empty"}}},
		{&channel.FieldError{Field: "SMS.To", Reason: "empty"}, answer{400, problem{Code: "invalid", Field: "SMS.To", Error: "channel: invalid SMS.To: empty"}}},
		{syntax, answer{400, problem{Code: "invalid", Error: syntax.Error()}}},
		{errUnauthenticated, answer{401, problem{Code: "unauthenticated", Error: errUnauthenticated.Error()}}},
		{&inbox.ForbiddenError{Actor: inbox.Actor{ID: "nia", Role: "analyst"}, Op: inbox.OpReply}, answer{403, problem{Code: "forbidden", Error: `inbox: forbidden: "nia" (role "analyst") may not reply`}}},
		{fmt.Errorf("memstore: ticket 9: %w", inbox.ErrNotFound), answer{404, problem{Code: "not_found", Error: "memstore: ticket 9: inbox: not found"}}},
		{&inbox.AssignedError{Ticket: 2, Assignee: "bo"}, answer{409, problem{Code: "already_assigned", Assignee: "bo", Error: `inbox: ticket 2 is already assigned to "bo"`}}},
		{transition, answer{409, problem{Code: "invalid_transition", Error: transition.Error()}}},
		{fmt.Errorf("pgstore: %w", inbox.ErrConflict), answer{409, problem{Code: "conflict", Error: "pgstore: inbox: conflict"}}},
		{&http.MaxBytesError{Limit: maxBody}, answer{413, problem{Code: "too_large", Error: "http: request body too large"}}},
		{fmt.Errorf("reply: %w", channel.ErrNoConsent), answer{422, problem{Code: "no_consent", Error: "reply: channel: the customer has not consented to receive SMS"}}},
		{fmt.Errorf("query: %w", context.Canceled), answer{503, problem{Code: "unavailable", Error: "the request ended before it was done"}}},
		{errors.New("pgstore: connection refused"), answer{500, problem{Code: "internal", Error: "internal error"}}},
	} {
		code, body := httpError(c.err)
		if diff := cmp.Diff(c.want, answer{code, body}); diff != "" {
			t.Errorf("httpError(%v) (-want +got):\n%s", c.err, diff)
		}
	}
}
