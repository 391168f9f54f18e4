package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/audit"
	"manyi/internal/store"
)

// batch bounds the audit entries read for one webhook, and the deliveries sent, per run:
// a run stays short, and the next picks up where it stopped.
const batch = 200

// event is the body of a delivery.
type event struct {
	ID       int64     `json:"id"` // the audit entry's id: receivers use it to drop a repeat
	Event    string    `json:"event"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	UnitID   int64     `json:"unit_id,omitempty"`
	At       time.Time `json:"at"`
}

// Queue turns the sealed audit entries each active webhook has not seen into deliveries of
// the events it asked for, and reports how many it queued. Records of who viewed personal data
// are access logs, not changes, and are never sent.
func Queue(ctx context.Context, db *store.DB) (int, error) {
	var hooks []Webhook
	var last []int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+columns+", last_seal_seq FROM webhooks WHERE active = ? ORDER BY id", true)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w Webhook
			var events string
			var l int64
			if err := rows.Scan(&w.ID, &w.URL, &w.secret, &events, &w.AllowPrivate, &w.Format, &w.Active, &w.CreatedBy, &w.CreatedAt, &l); err != nil {
				return err
			}
			w.Events = splitEvents(events)
			hooks, last = append(hooks, w), append(last, l)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for i, w := range hooks {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			// Views of personal data are skipped but still read, so the cursor moves past them.
			rows, err := tx.Query(ctx, "SELECT seal_seq, id, at, action, entity, entity_id, COALESCE(unit_id, 0) FROM audit_log WHERE seal_seq > ? ORDER BY seal_seq LIMIT ?",
				last[i], batch)
			if err != nil {
				return err
			}
			var es []event
			var seq int64
			for rows.Next() {
				var e event
				var action string
				if err := rows.Scan(&seq, &e.ID, &e.At, &action, &e.Entity, &e.EntityID, &e.UnitID); err != nil {
					rows.Close()
					return err
				}
				if action == audit.ViewedPersonal {
					continue
				}
				e.Event, e.At = e.Entity+"."+action, e.At.UTC()
				es = append(es, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil || seq == 0 {
				return err
			}
			for _, e := range es {
				if !Matches(w.Events, e.Event) {
					continue
				}
				body, err := json.Marshal(e)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, audit_id, event, body, status, next_at, created_at)
					VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (webhook_id, audit_id) DO NOTHING`, w.ID, e.ID, e.Event, string(body), tx.Now, tx.Now); err != nil {
					return err
				}
				n++
			}
			_, err = tx.Exec(ctx, "UPDATE webhooks SET last_seal_seq = ? WHERE id = ? AND last_seal_seq = ?", seq, w.ID, last[i])
			return err
		})
		if err != nil {
			return n, fmt.Errorf("queue webhook %d: %w", w.ID, err)
		}
	}
	return n, nil
}

// Clients are the HTTP clients deliveries are sent with: Public refuses internal addresses
// at connection time; Private (for webhooks that allow them) does not.
type Clients struct {
	Public, Private *http.Client
}

// NewClients returns the clients of production: ten seconds a delivery, no redirects (a
// redirect could lead inward, and a receiver should give its final address).
func NewClients() Clients {
	mk := func(control func(network, address string, c any) error) *http.Client {
		d := &net.Dialer{Timeout: 5 * time.Second}
		if control != nil {
			d.ControlContext = func(_ context.Context, network, address string, c syscall.RawConn) error {
				return control(network, address, c)
			}
		}
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return Clients{Public: mk(dialControl), Private: mk(nil)}
}

// due is a delivery to send with its webhook's address and secret.
type due struct {
	id, webhook  int64
	attempts     int
	event        string
	body         []byte
	url, secret  string
	allowPrivate bool
	format       string
}

// Deliver sends the deliveries that are due and reports how many were accepted. A receiver
// accepts with any 2xx; anything else, or no answer, is retried after Backoff, until
// MaxAttempts.
func Deliver(ctx context.Context, db *store.DB, clients Clients, logger *slog.Logger) (int, error) {
	var list []due
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT d.id, d.webhook_id, d.attempts, d.event, d.body, w.url, w.secret, w.allow_private, w.format
			FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = 'pending' AND d.next_at <= ? AND w.active = ? ORDER BY d.id LIMIT ?`, tx.Now, true, batch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d due
			var body string
			if err := rows.Scan(&d.id, &d.webhook, &d.attempts, &d.event, &body, &d.url, &d.secret, &d.allowPrivate, &d.format); err != nil {
				return err
			}
			d.body = []byte(body)
			list = append(list, d)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	ok := 0
	for _, d := range list {
		status, sendErr := send(ctx, db, clients, d)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			msg := ""
			switch {
			case sendErr != nil:
				msg = truncate(sendErr.Error(), 500)
			case status < 200 || status >= 300:
				msg = "HTTP " + strconv.Itoa(status)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error) VALUES (?, ?, ?, ?, ?)",
				d.id, d.attempts+1, tx.Now, status, msg); err != nil {
				return err
			}
			if msg == "" {
				ok++
				_, err := tx.Exec(ctx, "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, last_status = ?, last_error = '', delivered_at = ? WHERE id = ?",
					d.attempts+1, status, tx.Now, d.id)
				return err
			}
			next, state := tx.Now.Add(Backoff(d.attempts+1)), "pending"
			if d.attempts+1 >= MaxAttempts {
				state = "failed"
			}
			_, err := tx.Exec(ctx, "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ? WHERE id = ?",
				state, d.attempts+1, next, status, msg, d.id)
			return err
		})
		if err != nil {
			return ok, err
		}
		if sendErr != nil && logger != nil {
			logger.Warn("webhook delivery failed", "delivery_id", d.id, "webhook_id", d.webhook, "attempt", d.attempts+1, "err", sendErr)
		}
	}
	return ok, nil
}

// send posts one delivery in its webhook's format and returns the receiver's status. A group
// robot answers 200 also when it refuses (a wrong signature, the rate limit): its errcode is
// the verdict, so such an answer becomes the error.
func send(ctx context.Context, db *store.DB, clients Clients, d due) (int, error) {
	if _, err := CheckURL(d.url, d.allowPrivate); err != nil {
		return 0, err
	}
	body, err := render(d.format, d.body)
	if err != nil {
		return 0, err
	}
	target := d.url
	if d.format == FormatDingTalk && d.secret != "" {
		if target, err = dingTalkURL(d.url, d.secret, db.Now()); err != nil {
			return 0, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "manyi-webhook/1")
	req.Header.Set("X-Manyi-Event", d.event)
	req.Header.Set("X-Manyi-Delivery", strconv.FormatInt(d.id, 10))
	if d.format == FormatManyi {
		req.Header.Set("X-Manyi-Signature", Sign(d.secret, db.Now(), body))
	}
	c := clients.Public
	if d.allowPrivate {
		c = clients.Private
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if d.format != FormatManyi && resp.StatusCode/100 == 2 {
		return resp.StatusCode, robotRefusal(answer)
	}
	return resp.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func splitEvents(s string) []string {
	var out []string
	for _, e := range bytes.Split([]byte(s), []byte(",")) {
		if len(e) > 0 {
			out = append(out, string(e))
		}
	}
	return out
}

// DispatchArgs asks for a run: queue new events, send what is due.
type DispatchArgs struct{}

// Kind is the job's name in river_job.kind.
func (DispatchArgs) Kind() string { return "webhook_dispatch" }

// DispatchOutput is the job's recorded output.
type DispatchOutput struct {
	Queued    int `json:"queued"`
	Delivered int `json:"delivered"`
}

// DispatchWorker runs Queue and Deliver. Runs are unique per period, so two instances do not
// send the same delivery at once.
type DispatchWorker struct {
	river.WorkerDefaults[DispatchArgs]
	DB      *store.DB
	Logger  *slog.Logger
	Clients Clients
}

// Work runs one dispatch.
func (w *DispatchWorker) Work(ctx context.Context, job *river.Job[DispatchArgs]) error {
	q, err := Queue(ctx, w.DB)
	if err != nil {
		return err
	}
	n, err := Deliver(ctx, w.DB, w.Clients, w.Logger)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, DispatchOutput{Queued: q, Delivered: n})
}

// Workers adds the dispatch worker to a job runner (jobs.Options.Register).
func Workers(db *store.DB, logger *slog.Logger) func(*river.Workers) {
	return func(w *river.Workers) {
		river.AddWorker(w, &DispatchWorker{DB: db, Logger: logger, Clients: NewClients()})
	}
}

// PeriodicJobs runs a dispatch every interval, unique per interval.
func PeriodicJobs(every time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return DispatchArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: DispatchArgs{}.Kind()})}
}
