package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/webhook"
)

// Outbound webhooks (organisation-wide administrators): register a receiver for events, see
// its delivery log, stop it.

func webhookRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/webhooks", handler: a.listWebhooks, id: "listWebhooks", tag: "webhooks",
			summary: "Registered webhooks, newest first (the secrets are not shown)", query: pageParams, status: 200, result: "WebhookPage"},
		{method: "POST", path: "/api/v1/webhooks", handler: a.registerWebhook, id: "registerWebhook", tag: "webhooks",
			summary: "Register a receiver URL, its signing secret and the events it wants (entity.action, entity.* or *)", body: "WebhookInput", status: 201, result: "Webhook"},
		{method: "GET", path: "/api/v1/webhooks/{id}", handler: a.getWebhook, id: "getWebhook", tag: "webhooks",
			summary: "One webhook", status: 200, result: "Webhook"},
		{method: "PATCH", path: "/api/v1/webhooks/{id}", handler: a.updateWebhook, id: "updateWebhook", tag: "webhooks",
			summary: "Change a webhook: its URL, events, format or secret; active false stops it, true starts it again", body: "WebhookPatch", status: 200, result: "Webhook"},
		{method: "DELETE", path: "/api/v1/webhooks/{id}", handler: a.deactivateWebhook, id: "deactivateWebhook", tag: "webhooks",
			summary: "Stop a webhook; its pending deliveries are given up, its log stays", status: 204},
		{method: "GET", path: "/api/v1/webhooks/{id}/deliveries", handler: a.webhookDeliveries, id: "listWebhookDeliveries", tag: "webhooks",
			summary: "A webhook's delivery log, newest first: status, attempts, the receiver's last answer", query: pageParams, status: 200, result: "WebhookDeliveryPage"},
		{method: "POST", path: "/api/v1/webhooks/deliveries/{id}/redeliver", handler: a.redeliver, id: "redeliverWebhookDelivery", tag: "webhooks",
			summary: "Send a delivery again on the next dispatch run (within a minute)", status: 204},
	}
}

// WebhookInput registers a webhook. allow_private permits loopback and private addresses
// (a receiver inside the organisation's network). format is manyi (the default: the event
// JSON, signed), wecom or dingtalk (a group robot's markdown message; the secret is then
// DingTalk's optional signing secret, and WeCom takes none).
type WebhookInput struct {
	URL          string   `json:"url"`
	Secret       string   `json:"secret,omitempty"`
	Events       []string `json:"events"`
	AllowPrivate bool     `json:"allow_private"`
	Format       string   `json:"format,omitempty"`
}

// WebhookPatch changes a webhook; absent fields stay. An absent secret keeps the secret.
type WebhookPatch struct {
	URL          *string   `json:"url,omitempty"`
	Secret       *string   `json:"secret,omitempty"`
	Events       *[]string `json:"events,omitempty"`
	AllowPrivate *bool     `json:"allow_private,omitempty"`
	Format       *string   `json:"format,omitempty"`
	Active       *bool     `json:"active,omitempty"`
}

func init() {
	doc("Webhook", webhook.Webhook{})
	doc("WebhookDelivery", webhook.Delivery{})
	docInput("WebhookInput", WebhookInput{}, "url", "events")
	docInput("WebhookPatch", WebhookPatch{})
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	ws, err := webhook.List(r.Context(), a.db, p, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(ws, pg, webhook.PageKey))
	return nil
}

func (a *API) registerWebhook(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in WebhookInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	wh, err := webhook.Register(r.Context(), a.db, p, webhook.Input{URL: in.URL, Secret: in.Secret, Events: in.Events, AllowPrivate: in.AllowPrivate, Format: in.Format})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+strconv.FormatInt(wh.ID, 10))
	writeJSON(w, http.StatusCreated, wh)
	return nil
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, func(id int64) (webhook.Webhook, error) { return webhook.Get(r.Context(), a.db, p, id) })
}

func (a *API) deactivateWebhook(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := webhook.Deactivate(r.Context(), a.db, p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) webhookDeliveries(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pg, err := pageQuery(r)
	if err != nil {
		return err
	}
	ds, err := webhook.Deliveries(r.Context(), a.db, p, id, pg.Before, pg.fetch())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ds, pg, func(d webhook.Delivery) int64 { return d.ID }))
	return nil
}

func (a *API) updateWebhook(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in WebhookPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	wh, err := webhook.Update(r.Context(), a.db, p, id, webhook.Patch(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wh)
	return nil
}

func (a *API) redeliver(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := webhook.Redeliver(r.Context(), a.db, p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
