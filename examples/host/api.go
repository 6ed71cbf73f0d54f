package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/officehours"
)

// api is the host's HTTP API over one inbox.
type api struct {
	ib   *inbox.Inbox
	log  *slog.Logger
	subs *subscriptions
}

func newAPI(ib *inbox.Inbox, log *slog.Logger) *api {
	return &api{ib: ib, log: log, subs: newSubscriptions()}
}

// actorCall is a call of the web app, made by the actor its headers name.
type actorCall func(w http.ResponseWriter, r *http.Request, who inbox.Actor) error

// routes returns the API's handler.
func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	host := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, handle(a.log, h))
	}
	actor := func(pattern string, h actorCall) {
		host(pattern, func(w http.ResponseWriter, r *http.Request) error {
			who := inbox.Actor{ID: r.Header.Get("X-Actor"), Role: inbox.Role(r.Header.Get("X-Role"))}
			if who.ID == "" || who.Role == "" {
				return errUnauthenticated
			}
			return h(w, r, who)
		})
	}

	// Webhooks: the providers call these (see webhooks.go).
	host("POST /webhooks/webchat", a.webChat)
	host("POST /webhooks/webchat/presence", a.visitorPresence)
	host("POST /webhooks/email", a.email)
	host("POST /webhooks/sms", a.sms)

	actor("GET /members", a.members)
	actor("PUT /members/{id}", a.putMember)
	actor("DELETE /members/{id}", a.removeMember)
	actor("PUT /members/{id}/presence", a.setPresence)
	actor("GET /settings", a.settings)
	actor("PATCH /settings", a.updateSettings)

	actor("GET /tickets", a.tickets)
	actor("GET /tickets/{number}", a.onTicket(func(http.ResponseWriter, *http.Request, inbox.Actor, int64) error { return nil }))
	actor("GET /tickets/{number}/thread", a.thread)
	actor("POST /tickets/{number}/claim", a.ticketOp((*inbox.Inbox).Claim))
	actor("POST /tickets/{number}/assign", a.onTicket(a.assign))
	actor("POST /tickets/{number}/unassign", a.ticketOp(func(ib *inbox.Inbox, ctx context.Context, who inbox.Actor, n int64) error {
		return ib.Unassign(ctx, who, n)
	}))
	actor("POST /tickets/{number}/reply", a.reply)
	actor("POST /tickets/{number}/snooze", a.onTicket(a.snooze))
	actor("POST /tickets/{number}/close", a.ticketOp((*inbox.Inbox).Close))
	actor("POST /tickets/{number}/reopen", a.ticketOp((*inbox.Inbox).Reopen))
	actor("PUT /tickets/{number}/tags/{tag}", a.onTicket(a.tag))
	actor("DELETE /tickets/{number}/tags/{tag}", a.onTicket(a.tag))

	actor("GET /views", a.savedViews)
	actor("POST /views", a.saveView)
	actor("PUT /views/{id}", a.saveView)
	actor("DELETE /views/{id}", a.deleteView)
	actor("GET /views/{id}/tickets", a.savedViewTickets)

	actor("GET /report", a.report)

	return a.logged(jsonFallback(mux))
}

// jsonFallback answers the mux's own 404 (no such path) and 405 (no such
// method on the path) in JSON, like every other error.
func jsonFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		fallback := &headerRecorder{header: make(http.Header)}
		h.ServeHTTP(fallback, r)
		p := problem{Code: "not_found", Error: "no such path: " + r.URL.Path}
		switch fallback.code {
		case http.StatusNotFound:
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", fallback.header.Get("Allow"))
			p = problem{Code: "method_not_allowed", Error: fmt.Sprintf("%s %s: allowed: %s", r.Method, r.URL.Path, fallback.header.Get("Allow"))}
		default: // a redirect to the path's clean form
			maps.Copy(w.Header(), fallback.header)
			w.WriteHeader(fallback.code)
			return
		}
		writeJSON(w, fallback.code, p)
	})
}

// headerRecorder keeps the header and status of a response and drops its
// body.
type headerRecorder struct {
	header http.Header
	code   int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.code = code }

// logged logs every request once it is answered.
func (a *api) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.code), slog.Duration("took", time.Since(start)),
			slog.String("actor", r.Header.Get("X-Actor")))
	})
}

// statusWriter remembers the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answer answers with v as JSON, or returns err when it is not nil.
func answer(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// noContent answers 204 No Content, or returns err when it is not nil.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- Members, presence and settings ----

func (a *api) members(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	ms, err := a.ib.Members(r.Context(), who)
	return answer(w, ms, err)
}

// memberRequest is a member as the host's user directory gives it.
type memberRequest struct {
	Name     string                `json:"name"`
	Role     inbox.Role            `json:"role"`
	Capacity int                   `json:"capacity"`
	Hours    *officehours.Schedule `json:"hours"`
}

// mayManageTeam stands in for the host's own rule of who edits its user
// directory: whoever may change the inbox's settings.
func mayManageTeam(who inbox.Actor) error {
	if !inbox.Allowed(who.Role, inbox.OpSettings) {
		return &inbox.ForbiddenError{Actor: who, Op: inbox.OpSettings}
	}
	return nil
}

func (a *api) putMember(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	if err := mayManageTeam(who); err != nil {
		return err
	}
	var m memberRequest
	if err := decode(w, r, &m); err != nil {
		return err
	}
	return noContent(w, a.ib.PutMember(r.Context(), inbox.Member{ID: r.PathValue("id"), Name: m.Name, Role: m.Role, Capacity: m.Capacity, Hours: m.Hours}))
}

func (a *api) removeMember(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	if err := mayManageTeam(who); err != nil {
		return err
	}
	return noContent(w, a.ib.RemoveMember(r.Context(), r.PathValue("id")))
}

func (a *api) setPresence(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	var body struct {
		Presence string `json:"presence"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	var p assign.Presence
	if err := p.UnmarshalText([]byte(body.Presence)); err != nil {
		return badField("presence", err)
	}
	return noContent(w, a.ib.SetPresence(r.Context(), who, r.PathValue("id"), p))
}

func (a *api) settings(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	s, err := a.ib.Settings(r.Context(), who)
	return answer(w, s, err)
}

// settingsPatch is inbox.SettingsPatch with JSON names: the fields left out
// are left alone.
type settingsPatch struct {
	RoundRobin         *bool                   `json:"round_robin"`
	OfficeHours        *officehours.Schedule   `json:"office_hours"`
	ClearOfficeHours   bool                    `json:"clear_office_hours"`
	AssignWaiting      *bool                   `json:"assign_waiting"`
	UnreadBadge        *bool                   `json:"unread_badge"`
	OrganizationPrefix *string                 `json:"organization_prefix"`
	SupportEmail       *string                 `json:"support_email"`
	SMSAutoReply       *inbox.SMSAutoReply     `json:"sms_auto_reply"`
	WebChatAutoReply   *inbox.WebChatAutoReply `json:"web_chat_auto_reply"`
	FollowUp           *inbox.FollowUp         `json:"follow_up"`
	SMSNotify          *inbox.SMSNotify        `json:"sms_notify"`
	AttributionWindow  *time.Duration          `json:"attribution_window"`
}

func (a *api) updateSettings(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	var p settingsPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	s, err := a.ib.UpdateSettings(r.Context(), who, inbox.SettingsPatch(p))
	return answer(w, s, err)
}

// ---- Tickets ----

// ticketNumber reads the ticket number of the path.
func ticketNumber(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n < 1 {
		return 0, &requestError{Field: "number", Reason: "a ticket number is a positive integer"}
	}
	return n, nil
}

// onTicket is a call about the ticket the path names (do may change it),
// answered with the ticket's overview, as the panel beside it shows it now.
func (a *api) onTicket(do func(w http.ResponseWriter, r *http.Request, who inbox.Actor, n int64) error) actorCall {
	return func(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
		n, err := ticketNumber(r)
		if err != nil {
			return err
		}
		if err := do(w, r, who, n); err != nil {
			return err
		}
		o, err := a.ib.Overview(r.Context(), who, n)
		return answer(w, o, err)
	}
}

// ticketOp is an onTicket call that takes nothing but the ticket.
func (a *api) ticketOp(do func(ib *inbox.Inbox, ctx context.Context, who inbox.Actor, n int64) error) actorCall {
	return a.onTicket(func(_ http.ResponseWriter, r *http.Request, who inbox.Actor, n int64) error {
		return do(a.ib, r.Context(), who, n)
	})
}

func (a *api) thread(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	page, err := a.ib.Thread(r.Context(), who, n, r.URL.Query().Get("cursor"))
	return answer(w, page, err)
}

func (a *api) assign(w http.ResponseWriter, r *http.Request, who inbox.Actor, n int64) error {
	var body struct {
		Assignee string `json:"assignee"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body.Assignee == "" {
		return &requestError{Field: "assignee", Reason: "required (to unassign, POST /tickets/{number}/unassign)"}
	}
	return a.ib.Assign(r.Context(), who, body.Assignee, n)
}

func (a *api) snooze(w http.ResponseWriter, r *http.Request, who inbox.Actor, n int64) error {
	var body struct {
		Until string `json:"until"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	until, err := time.Parse(time.RFC3339, body.Until)
	if err != nil {
		return &requestError{Field: "until", Reason: fmt.Sprintf("want when the ticket comes back in RFC 3339 form, not %q", body.Until)}
	}
	return a.ib.Snooze(r.Context(), who, n, until)
}

func (a *api) tag(_ http.ResponseWriter, r *http.Request, who inbox.Actor, n int64) error {
	if r.Method == http.MethodDelete {
		return a.ib.RemoveTags(r.Context(), who, n, r.PathValue("tag"))
	}
	return a.ib.AddTags(r.Context(), who, n, r.PathValue("tag"))
}

func (a *api) reply(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	var body struct {
		Body string `json:"body"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	// The consent of the ticket's customer, from the host's records.
	o, err := a.ib.Overview(r.Context(), who, n)
	if err != nil {
		return err
	}
	m, err := a.ib.Reply(r.Context(), who, n, body.Body, a.subs.consent(o.Customer))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// ---- Views ----

// tickets serves the standard views: GET /tickets?view=mine&status=open…
func (a *api) tickets(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	q, err := parseParams(r.URL.Query(), ticketParams)
	if err != nil {
		return err
	}
	page, err := a.ib.Tickets(r.Context(), who, q)
	return answer(w, page, err)
}

func (a *api) savedViews(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	vs, err := a.ib.SavedViews(r.Context(), who)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []inbox.SavedView{}
	}
	writeJSON(w, http.StatusOK, vs)
	return nil
}

// saveView saves a new view (POST /views) or replaces one (PUT /views/{id}).
func (a *api) saveView(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	var body struct {
		Name   string      `json:"name"`
		Shared bool        `json:"shared"`
		Query  inbox.Query `json:"query"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	id := r.PathValue("id")
	v, err := a.ib.SaveView(r.Context(), who, inbox.SavedView{ID: id, Name: body.Name, Shared: body.Shared, Query: body.Query})
	if err != nil {
		return err
	}
	code := http.StatusOK
	if id == "" {
		code = http.StatusCreated
	}
	writeJSON(w, code, v)
	return nil
}

func (a *api) deleteView(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	return noContent(w, a.ib.DeleteView(r.Context(), who, r.PathValue("id")))
}

// savedViewTickets serves a page of a saved view: GET /views/{id}/tickets,
// with ?cursor= for the next.
func (a *api) savedViewTickets(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	vs, err := a.ib.SavedViews(r.Context(), who)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(vs, func(v inbox.SavedView) bool { return v.ID == r.PathValue("id") })
	if i < 0 {
		return fmt.Errorf("saved view %q: %w", r.PathValue("id"), inbox.ErrNotFound)
	}
	q := vs[i].Query
	q.Cursor = r.URL.Query().Get("cursor")
	page, err := a.ib.Tickets(r.Context(), who, q)
	return answer(w, page, err)
}

// ---- The report ----

// report serves GET /report?from=…&to=…&bucket=day, as JSON, or as CSV with
// format=csv or a request that accepts text/csv.
func (a *api) report(w http.ResponseWriter, r *http.Request, who inbox.Actor) error {
	v := r.URL.Query()
	format := v.Get("format")
	v.Del("format")
	switch {
	case format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv"):
		format = "csv"
	case format != "" && format != "json" && format != "csv":
		return &requestError{Field: "format", Reason: fmt.Sprintf("%q: want json or csv", format)}
	}
	q, err := parseParams(v, reportParams)
	if err != nil {
		return err
	}
	rep, err := a.ib.Report(r.Context(), who, q)
	if err != nil || format != "csv" {
		return answer(w, rep, err)
	}
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	_, _ = b.WriteTo(w) // the client may be gone; nothing to do then
	return nil
}
