// Package webhook delivers manyi's changes to other systems: an administrator registers a URL,
// a secret and the events wanted, and each matching change is POSTed there, signed, retried
// with back-off until accepted, and logged.
//
// The audit log is the outbox. Every change an area makes is recorded there in the change's
// own transaction, and the audit sealer numbers committed entries in order without gaps
// (seal_seq), so reading on from the last number a webhook has seen loses nothing, not even
// an entry whose transaction committed after a later one's, and needs no hook in any area. A delivery carries what happened and where (event, entity, id,
// unit, time), never the record's data: the receiver fetches that through the API with its
// own token and scope, so personal data does not leave by this door.
//
// A URL whose host is, or resolves to, a loopback, private, link-local or otherwise internal
// address is refused unless the webhook allows private addresses; the check is made again on
// every connection, so a name that later resolves inward is refused then too.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Webhook is a registered receiver. The secret is never shown after registration.
type Webhook struct {
	ID           int64     `json:"id"`
	URL          string    `json:"url"`
	Events       []string  `json:"events"`
	AllowPrivate bool      `json:"allow_private"`
	Format       string    `json:"format"` // manyi, wecom or dingtalk
	Active       bool      `json:"active"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	secret       string
}

// Input registers a webhook. Events are "entity.action" patterns: "complaint.create",
// "complaint.*", or "*" for every change.
type Input struct {
	URL          string
	Secret       string
	Events       []string
	AllowPrivate bool
	Format       string // manyi (the default), wecom or dingtalk
}

const (
	minSecret   = 16
	maxSecret   = 200
	maxURL      = 2000
	maxEvents   = 50
	MaxAttempts = 8 // after which a delivery is given up (failed)
)

// Backoff is the wait before retry n (n ≥ 1): a minute, doubling, at most six hours.
func Backoff(n int) time.Duration {
	d := time.Minute << min(max(n-1, 0), 10)
	return min(d, 6*time.Hour)
}

// Sign is the signature header value of a delivery: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" keyed by the secret>. The time inside the signed text lets receivers refuse an
// old delivery replayed to them.
func Sign(secret string, at time.Time, body []byte) string {
	t := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "."))
	m.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Named are the events most endpoints want, offered as choices where an administrator picks
// a webhook's events; any other "entity.action" pattern may still be typed (docs/api.md).
var Named = []string{
	"complaint.create", "complaint.remind", "complaint.escalate", "workorder_task.dissatisfied",
	"workorder_followup.overdue", "survey_followup.overdue", "improvement.overdue", "assessment_close.approve",
}

// Matches reports whether an event ("entity.action") is one of the patterns.
func Matches(patterns []string, event string) bool {
	entity, _, _ := strings.Cut(event, ".")
	for _, p := range patterns {
		if p == "*" || p == event || p == entity+".*" {
			return true
		}
	}
	return false
}

// internal reports whether an address is not on the public internet.
func internal(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsMulticast() ||
		a.IsUnspecified() || a.IsInterfaceLocalMulticast() || netip.MustParsePrefix("100.64.0.0/10").Contains(a) // carrier-grade NAT
}

// CheckURL checks a receiver's URL: http or https, a host, no credentials; a host that is an
// internal address literal is refused unless allowPrivate. Names are checked when connecting.
func CheckURL(raw string, allowPrivate bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case raw == "":
		return nil, errs.Required("url")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > maxURL:
		return nil, errs.Field("url", "webhook.bad_url")
	case u.User != nil:
		return nil, errs.Field("url", "webhook.url_credentials")
	}
	if a, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && internal(a) && !allowPrivate {
		return nil, errs.Field("url", "webhook.private_address", u.Hostname())
	}
	if !allowPrivate && (strings.EqualFold(u.Hostname(), "localhost") || strings.HasSuffix(strings.ToLower(u.Hostname()), ".localhost")) {
		return nil, errs.Field("url", "webhook.private_address", u.Hostname())
	}
	return u, nil
}

// dialControl refuses connections to internal addresses: the resolved address is checked,
// not the name, so DNS cannot point a public name inward.
func dialControl(network, address string, _ any) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if a, err := netip.ParseAddr(host); err == nil && internal(a) {
		return fmt.Errorf("refused to connect to the internal address %s", host)
	}
	return nil
}

// MayManage reports whether actor may manage webhooks: an organisation-wide administrator,
// as webhooks see every change of the organisation.
func MayManage(actor access.Principal) bool {
	_, all := actor.ScopeRoots(access.ManageOrg)
	return all
}

func authorize(actor access.Principal) error {
	if !MayManage(actor) {
		return errs.New(errs.Forbidden, "webhook.admin_only")
	}
	return nil
}

func (in *Input) validate() error {
	if _, err := CheckURL(in.URL, in.AllowPrivate); err != nil {
		return err
	}
	in.URL = strings.TrimSpace(in.URL)
	f, err := checkFormat(in.Format, in.Secret)
	if err != nil {
		return err
	}
	in.Format = f
	if n := utf8.RuneCountInString(in.Secret); in.Secret != "" && (n < minSecret || n > maxSecret) {
		return errs.Field("secret", "webhook.secret_length", minSecret, maxSecret)
	}
	if len(in.Events) == 0 {
		return errs.Required("events")
	}
	if len(in.Events) > maxEvents {
		return errs.Field("events", "err.too_long", maxEvents)
	}
	for i, e := range in.Events {
		e = strings.TrimSpace(e)
		entity, action, ok := strings.Cut(e, ".")
		if e != "*" && (!ok || entity == "" || action == "" || strings.ContainsAny(e, " ,")) {
			return errs.Field("events", "webhook.bad_event", e)
		}
		in.Events[i] = e
	}
	slices.Sort(in.Events)
	in.Events = slices.Compact(in.Events)
	return nil
}

// Register records a webhook. It receives the changes sealed from now on (within a second or
// so of being made).
func Register(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Webhook, error) {
	if err := authorize(actor); err != nil {
		return Webhook{}, err
	}
	if err := in.validate(); err != nil {
		return Webhook{}, err
	}
	var w Webhook
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var last int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seal_seq), 0) FROM audit_log").Scan(&last); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO webhooks (url, secret, events, allow_private, format, active, last_seal_seq, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.URL, in.Secret, strings.Join(in.Events, ","), in.AllowPrivate, in.Format, true, last, actor.Name, tx.Now)
		if err != nil {
			return err
		}
		w = Webhook{ID: id, URL: in.URL, Events: in.Events, AllowPrivate: in.AllowPrivate, Format: in.Format, Active: true, CreatedBy: actor.Name, CreatedAt: tx.Now.UTC()}
		// The secret is not in the audit log: it is a credential.
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "webhook", EntityID: id,
			After: map[string]any{"url": w.URL, "events": w.Events, "allow_private": w.AllowPrivate, "format": w.Format}})
	})
	return w, err
}

const columns = "id, url, secret, events, allow_private, format, active, created_by, created_at"

func scan(row interface{ Scan(...any) error }) (Webhook, error) {
	var w Webhook
	var events string
	err := row.Scan(&w.ID, &w.URL, &w.secret, &events, &w.AllowPrivate, &w.Format, &w.Active, &w.CreatedBy, &w.CreatedAt)
	w.Events, w.CreatedAt = splitEvents(events), w.CreatedAt.UTC()
	return w, err
}

// webhookOrder is the list's order, the newest first.
var webhookOrder = store.Order{ID: "id"}

// PageKey is a webhook's place in the list (List).
func PageKey(w Webhook) store.Key { return store.Key{ID: w.ID} }

// List returns a page of the webhooks, newest first: Fetch() rows in pg's order, for
// store.Cut with PageKey.
func List(ctx context.Context, db *store.DB, actor access.Principal, pg store.Page) ([]Webhook, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	var out []Webhook
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args := "", []any{}
		if c, a := pg.Where(webhookOrder); c != "" {
			where, args = " WHERE "+c, a
		}
		rows, err := tx.Query(ctx, "SELECT "+columns+" FROM webhooks"+where+pg.OrderBy(webhookOrder), append(args, pg.Fetch())...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			w, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}

func get(ctx context.Context, tx *store.Tx, id int64) (Webhook, error) {
	w, err := scan(tx.QueryRow(ctx, "SELECT "+columns+" FROM webhooks WHERE id = ?", id))
	if store.IsNoRows(err) {
		return w, errs.New(errs.NotFound, "webhook.not_found", id)
	}
	return w, err
}

// Get returns one webhook.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Webhook, error) {
	if err := authorize(actor); err != nil {
		return Webhook{}, err
	}
	var w Webhook
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		w, err = get(ctx, tx, id)
		return err
	})
	return w, err
}

// Patch changes a webhook; nil fields stay. A nil Secret keeps the secret (it is never shown,
// so an edit form cannot send it back); an empty one removes it where the format allows.
type Patch struct {
	URL          *string
	Secret       *string
	Events       *[]string
	AllowPrivate *bool
	Format       *string
	Active       *bool // true starts a stopped webhook again, from the changes made after
}

// Update changes a webhook, checked as a registration is. A webhook started again receives
// the changes sealed from then on, not those made while it was stopped.
func Update(ctx context.Context, db *store.DB, actor access.Principal, id int64, p Patch) (Webhook, error) {
	if err := authorize(actor); err != nil {
		return Webhook{}, err
	}
	var w Webhook
	err := db.InTx(ctx, func(tx *store.Tx) error {
		old, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		in := Input{URL: old.URL, Secret: old.secret, Events: old.Events, AllowPrivate: old.AllowPrivate, Format: old.Format}
		active := old.Active
		set(&in.URL, p.URL)
		set(&in.Secret, p.Secret)
		set(&in.Events, p.Events)
		set(&in.AllowPrivate, p.AllowPrivate)
		set(&in.Format, p.Format)
		set(&active, p.Active)
		if err := in.validate(); err != nil {
			return err
		}
		q := "UPDATE webhooks SET url = ?, secret = ?, events = ?, allow_private = ?, format = ?, active = ?"
		args := []any{in.URL, in.Secret, strings.Join(in.Events, ","), in.AllowPrivate, in.Format, active}
		if active && !old.Active {
			q += ", last_seal_seq = (SELECT COALESCE(MAX(seal_seq), 0) FROM audit_log)"
		}
		if _, err := tx.Exec(ctx, q+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		if !active && old.Active {
			if err := giveUpPending(ctx, tx, id); err != nil {
				return err
			}
		}
		w = Webhook{ID: id, URL: in.URL, Events: in.Events, AllowPrivate: in.AllowPrivate, Format: in.Format, Active: active, CreatedBy: old.CreatedBy, CreatedAt: old.CreatedAt}
		after := map[string]any{"url": w.URL, "events": w.Events, "allow_private": w.AllowPrivate, "format": w.Format, "active": w.Active}
		if p.Secret != nil {
			after["secret"] = "(changed)" // a credential: that it changed, never its value
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "webhook", EntityID: id,
			Before: map[string]any{"url": old.URL, "events": old.Events, "allow_private": old.AllowPrivate, "format": old.Format, "active": old.Active}, After: after})
	})
	return w, err
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func giveUpPending(ctx context.Context, tx *store.Tx, id int64) error {
	_, err := tx.Exec(ctx, "UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook deactivated' WHERE webhook_id = ? AND status = 'pending'", id)
	return err
}

// Deactivate stops a webhook: nothing more is queued for it, and its pending deliveries are
// given up. Its delivery log stays.
func Deactivate(ctx context.Context, db *store.DB, actor access.Principal, id int64) error {
	if err := authorize(actor); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		w, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE webhooks SET active = ? WHERE id = ?", false, id); err != nil {
			return err
		}
		if err := giveUpPending(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "deactivate", Entity: "webhook", EntityID: id, Before: map[string]any{"url": w.URL, "active": w.Active}})
	})
}

// Delivery is one event sent (or to be sent) to a webhook.
type Delivery struct {
	ID          int64      `json:"id"`
	WebhookID   int64      `json:"webhook_id"`
	AuditID     int64      `json:"audit_id"`
	Event       string     `json:"event"`
	Status      string     `json:"status"` // pending, delivered, failed
	Attempts    int        `json:"attempts"`
	NextAt      time.Time  `json:"next_at"`
	LastStatus  int        `json:"last_status"` // the receiver's last HTTP status, 0 if none
	LastError   string     `json:"last_error"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	Log         []Attempt  `json:"log"` // every attempt, first first
}

// Attempt is one try to send a delivery: the receiver's HTTP status (0 when it did not
// answer) and, if it was not accepted, why.
type Attempt struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Status  int       `json:"status"`
	Error   string    `json:"error"`
}

// Deliveries returns a webhook's delivery log, newest first, below beforeID (0: from the newest).
func Deliveries(ctx context.Context, db *store.DB, actor access.Principal, webhookID, beforeID int64, limit int) ([]Delivery, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	var out []Delivery
	err := db.Read(ctx, func(tx *store.Tx) error {
		if _, err := get(ctx, tx, webhookID); err != nil {
			return err
		}
		q, args := "SELECT id, webhook_id, audit_id, event, status, attempts, next_at, last_status, last_error, created_at, delivered_at FROM webhook_deliveries WHERE webhook_id = ?", []any{webhookID}
		if beforeID > 0 {
			q, args = q+" AND id < ?", append(args, beforeID)
		}
		rows, err := tx.Query(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d Delivery
			if err := rows.Scan(&d.ID, &d.WebhookID, &d.AuditID, &d.Event, &d.Status, &d.Attempts, &d.NextAt, &d.LastStatus, &d.LastError, &d.CreatedAt, &d.DeliveredAt); err != nil {
				return err
			}
			d.NextAt, d.CreatedAt = d.NextAt.UTC(), d.CreatedAt.UTC()
			if d.DeliveredAt != nil {
				t := d.DeliveredAt.UTC()
				d.DeliveredAt = &t
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		return attachLog(ctx, tx, out)
	})
	return out, err
}

// attachLog loads the attempts of a page of deliveries in one query.
func attachLog(ctx context.Context, tx *store.Tx, ds []Delivery) error {
	ids, at := make([]int64, len(ds)), make(map[int64]int, len(ds))
	for i, d := range ds {
		ids[i], at[d.ID] = d.ID, i
	}
	cond, args := store.In("delivery_id", ids)
	rows, err := tx.Query(ctx, "SELECT delivery_id, attempt, at, status, error FROM webhook_attempts WHERE "+cond+" ORDER BY delivery_id, attempt", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a Attempt
		if err := rows.Scan(&id, &a.Attempt, &a.At, &a.Status, &a.Error); err != nil {
			return err
		}
		a.At = a.At.UTC()
		ds[at[id]].Log = append(ds[at[id]].Log, a)
	}
	return rows.Err()
}

// Redeliver sends a delivery again on the next dispatch run (within a minute): a receiver
// that lost or mishandled an event gets it once more, with the same id to recognise it by. A
// delivery already given up gets one more attempt; a delivery still pending is only moved
// forward. A stopped webhook sends nothing, so its deliveries cannot be redelivered.
func Redeliver(ctx context.Context, db *store.DB, actor access.Principal, deliveryID int64) error {
	if err := authorize(actor); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var webhookID int64
		var status string
		err := tx.QueryRow(ctx, "SELECT webhook_id, status FROM webhook_deliveries WHERE id = ?", deliveryID).Scan(&webhookID, &status)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "webhook.delivery_not_found", deliveryID)
		}
		if err != nil {
			return err
		}
		w, err := get(ctx, tx, webhookID)
		if err != nil {
			return err
		}
		if !w.Active {
			return errs.New(errs.Conflict, "webhook.inactive_redeliver")
		}
		if _, err := tx.Exec(ctx, "UPDATE webhook_deliveries SET status = 'pending', next_at = ?, delivered_at = NULL WHERE id = ?", tx.Now, deliveryID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "redeliver", Entity: "webhook_delivery", EntityID: deliveryID,
			Before: map[string]any{"webhook_id": webhookID, "status": status}})
	})
}
