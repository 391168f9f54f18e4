package web

import (
	"net/http"
	"slices"
	"strings"

	"manyi/internal/store"
	"manyi/internal/webhook"
)

// The administrator's webhook pages: register, edit, stop and start webhooks, read a
// webhook's delivery log with every attempt, and redeliver. The webhook area holds the rules
// (organisation-wide administrators only, the URL guard, the formats' secrets), as for the API.

func (s *Server) webhookRoutes() {
	m := s.mux
	m.HandleFunc("GET /webhooks", s.page(s.webhookList))
	m.HandleFunc("POST /webhooks", s.page(s.webhookCreate))
	m.HandleFunc("GET /webhooks/{id}", s.page(s.webhookShow))
	m.HandleFunc("POST /webhooks/{id}", s.page(s.webhookUpdate))
	m.HandleFunc("POST /webhooks/deliveries/{id}/redeliver", s.page(s.webhookRedeliver))
}

// webhookForm is the form of a webhook, as typed.
type webhookForm struct {
	URL, Secret, Events, Format string // Events: the patterns other than the named choices
	Choices                     []eventChoice
	AllowPrivate, Active        bool
}

type webhookData struct {
	Webhooks   []webhook.Webhook
	Webhook    webhook.Webhook
	Deliveries []webhook.Delivery
	Form       webhookForm
	Formats    []string
	Error      string
	ErrField   string
	Pager      pager
}

// webhookLogPage is how many deliveries the page shows, newest first.
const webhookLogPage = 50

// eventChoice is one of the named events (webhook.Named), ticked or not.
type eventChoice struct {
	Event   string
	Checked bool
}

// pickEvents splits a webhook's events into the named choices, ticked, and the other
// patterns as typed, so that unticking a named event removes it.
func pickEvents(events []string) ([]eventChoice, string) {
	choices := make([]eventChoice, len(webhook.Named))
	var other []string
	for i, e := range webhook.Named {
		choices[i] = eventChoice{Event: e, Checked: slices.Contains(events, e)}
	}
	for _, e := range events {
		if !slices.Contains(webhook.Named, e) {
			other = append(other, e)
		}
	}
	return choices, strings.Join(other, ", ")
}

func readWebhookForm(r *http.Request) webhookForm {
	f := webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Secret: r.PostFormValue("secret"),
		Format: r.PostFormValue("format"), AllowPrivate: r.PostFormValue("allow_private") == "1", Active: r.PostFormValue("active") == "1"}
	f.Choices, _ = pickEvents(r.PostForm["event"])
	f.Events = r.PostFormValue("events")
	return f
}

func (f webhookForm) events() []string {
	var out []string
	for _, c := range f.Choices {
		if c.Checked {
			out = append(out, c.Event)
		}
	}
	for _, e := range strings.Split(f.Events, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) webhookList(w http.ResponseWriter, r *http.Request) error {
	choices, _ := pickEvents(nil)
	return s.renderWebhooks(w, r, http.StatusOK, webhookForm{Choices: choices}, "", "")
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, f webhookForm, msg, field string) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := webhook.List(r.Context(), s.db, principal(r), pg)
	if err != nil {
		return err
	}
	list, next, prev := store.Cut(list, pg, webhook.PageKey)
	s.render(w, r, "webhooks", status, webhookData{Webhooks: list, Pager: pageLinks(r, next, prev), Form: f, Formats: webhook.Formats, Error: msg, ErrField: field})
	return nil
}

func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	f := readWebhookForm(r)
	wh, err := webhook.Register(r.Context(), s.db, principal(r), webhook.Input{URL: f.URL, Secret: f.Secret, Events: f.events(), AllowPrivate: f.AllowPrivate, Format: f.Format})
	if err != nil {
		f.Secret = ""
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderWebhooks(w, r, status, f, msg, field) })
	}
	s.redirect(w, r, "/webhooks/"+itoa(wh.ID), "webhook.registered")
	return nil
}

func (s *Server) webhookShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhook(w, r, http.StatusOK, nil, "", "")
}

// renderWebhook shows a webhook's form (as stored, or as typed when f is not nil) and log.
func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, status int, f *webhookForm, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wh, err := webhook.Get(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	ds, err := webhook.Deliveries(r.Context(), s.db, principal(r), id, 0, webhookLogPage)
	if err != nil {
		return err
	}
	choices, other := pickEvents(wh.Events)
	d := webhookData{Webhook: wh, Deliveries: ds, Formats: webhook.Formats, Error: msg, ErrField: field,
		Form: webhookForm{URL: wh.URL, Events: other, Choices: choices, Format: wh.Format, AllowPrivate: wh.AllowPrivate, Active: wh.Active}}
	if f != nil {
		d.Form = *f
	}
	s.render(w, r, "webhook", status, d)
	return nil
}

func (s *Server) webhookUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := readWebhookForm(r)
	events := f.events()
	p := webhook.Patch{URL: &f.URL, Events: &events, Format: &f.Format, AllowPrivate: &f.AllowPrivate, Active: &f.Active}
	// The secret is never shown, so an empty field keeps it; a robot format without one is
	// chosen by clearing it explicitly.
	if f.Secret != "" || r.PostFormValue("clear_secret") == "1" {
		p.Secret = &f.Secret
	}
	if _, err := webhook.Update(r.Context(), s.db, principal(r), id, p); err != nil {
		f.Secret = ""
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderWebhook(w, r, status, &f, msg, field) })
	}
	s.redirect(w, r, "/webhooks/"+itoa(id), "webhook.saved")
	return nil
}

func (s *Server) webhookRedeliver(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	back, err := formID(r, "webhook")
	if err != nil {
		return err
	}
	if err := webhook.Redeliver(r.Context(), s.db, principal(r), id); err != nil {
		return err
	}
	s.redirect(w, r, "/webhooks/"+itoa(back), "webhook.redelivered")
	return nil
}
