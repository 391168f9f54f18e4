package booking

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// handlers register a unit's bookings and record their steps: the desk (clerks), the unit's
// head, and the dispatchers who send the servicemen (按照预约时间和要求派送专业人员).
var handlers = []access.Role{access.Admin, access.Clerk, access.UnitHead, access.Dispatcher}

// MayRegister reports whether p registers bookings for at least one unit; the desk's form is
// offered only then, and each booking is still checked over its unit.
func MayRegister(p access.Principal) bool { return p.HasAny(handlers...) }

// Public is the actor of bookings made on the public form.
var Public = access.Principal{Username: "public", Name: "customer"}

// PublicLimit is how many bookings one client may make on the public form per hour, unless
// the server is configured otherwise.
const PublicLimit = 5

// Sender is who sent a booking through the public form.
type Sender struct {
	ClientKey string // a hash of the client's address, never the address itself
	Limit     int    // bookings an hour from one ClientKey; 0 means PublicLimit
	IdemKey   string // issued with the form: a resubmission answers with the first booking
}

// minIdemKey is the shortest idempotency key taken from a form: the form issues 32 hex digits.
const minIdemKey = 32

func idemHash(key string) string {
	sum := sha256.Sum256([]byte("manyi-booking-idem:" + key))
	return hex.EncodeToString(sum[:])
}

// Register records a booking taken by staff (by phone, or typed from the web).
func Register(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Booking, error) {
	if !MayRegister(actor) {
		return Booking{}, errs.New(errs.Forbidden, "err.forbidden")
	}
	return register(ctx, db, actor, in, Sender{})
}

// RegisterPublic records a booking from the public form: channel web, booked now, at most
// sender.Limit an hour from one client, and once per form: a retried submission with the same
// idempotency key answers with the first booking.
func RegisterPublic(ctx context.Context, db *store.DB, in Input, sender Sender) (Booking, error) {
	in.Channel, in.BookedAt = Web, time.Time{}
	if sender.Limit <= 0 {
		sender.Limit = PublicLimit
	}
	if sender.IdemKey = strings.TrimSpace(sender.IdemKey); len(sender.IdemKey) < minIdemKey || len(sender.IdemKey) > 128 {
		sender.IdemKey = ""
	}
	b, err := register(ctx, db, Public, in, sender)
	if sender.IdemKey != "" && store.IsUniqueViolation(err) {
		// The same form was stored by a concurrent request: answer with that one.
		err = db.Read(ctx, func(tx *store.Tx) error {
			var ok bool
			if b, ok, err = byIdem(ctx, tx, sender.IdemKey); err == nil && !ok {
				return fmt.Errorf("booking with idempotency key vanished")
			}
			return err
		})
	}
	return b, err
}

func byIdem(ctx context.Context, tx *store.Tx, key string) (Booking, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM bookings WHERE idempotency_hash = ?", idemHash(key)).Scan(&id)
	if store.IsNoRows(err) {
		return Booking{}, false, nil
	}
	if err != nil {
		return Booking{}, false, err
	}
	b, err := get(ctx, tx, id)
	return b, err == nil, err
}

// unitAncestry refuses a unit that does not exist or was deactivated, and for the public form
// one that does not serve the public (residents book the units that serve them).
func unitAncestry(ctx context.Context, tx *store.Tx, unitID int64, public bool) ([]int64, error) {
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return nil, err
	}
	u, ok := tree.Unit(unitID)
	if !ok || !u.Active || (public && !u.ServesPublic) {
		return nil, errs.Field("booking_unit", "booking.unit_unknown", unitID)
	}
	return tree.Ancestry(unitID), nil
}

func register(ctx context.Context, db *store.DB, actor access.Principal, in Input, sender Sender) (Booking, error) {
	var b Booking
	err := db.InTx(ctx, func(tx *store.Tx) error {
		now := tx.Now.Truncate(time.Second)
		booked := in.BookedAt.UTC().Truncate(time.Second)
		if in.BookedAt.IsZero() {
			booked = now
		}
		in.WindowStart, in.WindowEnd = in.WindowStart.UTC().Truncate(time.Second), in.WindowEnd.UTC().Truncate(time.Second)
		if err := validate(&in, booked, now); err != nil {
			return err
		}
		public := actor.Username == Public.Username
		ancestry, err := unitAncestry(ctx, tx, in.UnitID, public)
		if err != nil {
			return err
		}
		if !public && !actor.HoldsOver(ancestry, handlers...) {
			return errs.New(errs.Forbidden, "err.out_of_scope")
		}
		var idem any
		if sender.IdemKey != "" {
			var ok bool
			if b, ok, err = byIdem(ctx, tx, sender.IdemKey); err != nil || ok {
				return err
			}
			idem = idemHash(sender.IdemKey)
		}
		if sender.ClientKey != "" {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM bookings WHERE client_key = ? AND created_at > ?", sender.ClientKey, now.Add(-time.Hour)).Scan(&n); err != nil {
				return err
			}
			if n >= sender.Limit {
				return errs.New(errs.TooMany, "booking.rate_limited")
			}
		}
		id, err := tx.InsertID(ctx, `INSERT INTO bookings (code, unit_id, channel, customer, phone, address, service, booked_at, window_start, window_end,
			client_key, idempotency_hash, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			newCode(), in.UnitID, in.Channel, in.Customer, in.Phone, in.Address, in.Service, booked, in.WindowStart, in.WindowEnd,
			sender.ClientKey, idem, actor.DisplayName(), now, now)
		if err != nil {
			return fmt.Errorf("insert booking: %w", err)
		}
		if b, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "booking", EntityID: b.ID, UnitID: b.UnitID, After: auditView(b)})
	})
	return b, err
}

// auditView leaves the customer's name, phone and address out of the audit log, which keeps
// entries forever.
func auditView(b Booking) map[string]any {
	m := map[string]any{"code": b.Code, "unit_id": b.UnitID, "channel": b.Channel, "booked_at": b.BookedAt,
		"window_start": b.WindowStart, "window_end": b.WindowEnd, "status": b.Status()}
	for k, v := range map[string]*time.Time{"responded_at": b.RespondedAt, "arrived_at": b.ArrivedAt, "completed_at": b.CompletedAt,
		"confirmed_at": b.ConfirmedAt, "followed_up_at": b.FollowedUpAt} {
		if v != nil {
			m[k] = *v
		}
	}
	if b.Responder != "" {
		m["responder"] = b.Responder
	}
	if b.Satisfaction != 0 {
		m["satisfaction"] = b.Satisfaction
	}
	return m
}

// Record records a step of a booking's handling: the response (who is sent, when), the
// arrival, the completion, the customer's confirmation, the follow-up call with the customer's
// satisfaction. Only those who handle the booking's unit may.
func Record(ctx context.Context, db *store.DB, actor access.Principal, id int64, s StepInput) (Booking, error) {
	var b Booking
	err := db.InTx(ctx, func(tx *store.Tx) error {
		before, ancestry, err := load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(ancestry, handlers...) {
			return errs.New(errs.Forbidden, "err.out_of_scope")
		}
		now := tx.Now.Truncate(time.Second)
		if s.At.IsZero() {
			s.At = now
		}
		s.At = s.At.UTC().Truncate(time.Second)
		if s.Step != Respond && s.Who == "" {
			s.Who = actor.DisplayName()
		}
		if err := checkStep(before, &s, now); err != nil {
			return err
		}
		var q string
		args := []any{s.At}
		switch s.Step {
		case Respond:
			q, args = "responded_at = ?, responder = ?", append(args, s.Who)
		case Arrive:
			q = "arrived_at = ?"
		case Complete:
			q = "completed_at = ?"
		case Confirm:
			q = "confirmed_at = ?"
		case FollowUp:
			q, args = "followed_up_at = ?, followed_up_by = ?, satisfaction = ?, followup_note = ?", append(args, s.Who, s.Satisfaction, s.Note)
		}
		if _, err := tx.Exec(ctx, "UPDATE bookings SET "+q+", updated_at = ? WHERE id = ?", append(args, tx.Now, id)...); err != nil {
			return err
		}
		if b, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: string(s.Step), Entity: "booking", EntityID: id, UnitID: b.UnitID,
			Before: auditView(before), After: auditView(b)})
	})
	return b, err
}

const columns = `b.id, b.code, b.unit_id, u.name, b.channel, b.customer, b.phone, b.address, b.service, b.booked_at, b.window_start, b.window_end,
	b.responded_at, b.responder, b.arrived_at, b.completed_at, b.confirmed_at, b.followed_up_at, b.followed_up_by, b.satisfaction, b.followup_note,
	b.created_by, b.created_at`

const from = " FROM bookings b JOIN units u ON u.id = b.unit_id"

func scan(row interface{ Scan(...any) error }) (Booking, error) {
	var b Booking
	var responded, arrived, completed, confirmed, followed sql.NullTime
	var satisfaction sql.NullInt64
	err := row.Scan(&b.ID, &b.Code, &b.UnitID, &b.UnitName, &b.Channel, &b.Customer, &b.Phone, &b.Address, &b.Service, &b.BookedAt, &b.WindowStart, &b.WindowEnd,
		&responded, &b.Responder, &arrived, &completed, &confirmed, &followed, &b.FollowedUpBy, &satisfaction, &b.FollowupNote, &b.CreatedBy, &b.CreatedAt)
	b.BookedAt, b.WindowStart, b.WindowEnd, b.CreatedAt = b.BookedAt.UTC(), b.WindowStart.UTC(), b.WindowEnd.UTC(), b.CreatedAt.UTC()
	b.RespondedAt, b.ArrivedAt, b.CompletedAt, b.ConfirmedAt, b.FollowedUpAt = tp(responded), tp(arrived), tp(completed), tp(confirmed), tp(followed)
	b.Satisfaction = int(satisfaction.Int64)
	return b, err
}

func tp(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func get(ctx context.Context, tx *store.Tx, id int64) (Booking, error) {
	b, err := scan(tx.QueryRow(ctx, "SELECT "+columns+from+" WHERE b.id = ?", id))
	if store.IsNoRows(err) {
		return b, errs.New(errs.NotFound, "booking.not_found", id)
	}
	return b, err
}

// load returns a booking the actor may read, with its unit's ancestry; one outside the actor's
// scope is "not found", so its existence is not confirmed.
func load(ctx context.Context, tx *store.Tx, actor access.Principal, id int64) (Booking, []int64, error) {
	b, err := get(ctx, tx, id)
	if err != nil {
		return b, nil, err
	}
	ancestry, err := org.Ancestry(ctx, tx, b.UnitID)
	if err != nil {
		return b, nil, err
	}
	if !actor.Can(access.Read, ancestry) {
		return b, nil, errs.New(errs.NotFound, "booking.not_found", id)
	}
	return b, ancestry, nil
}

// Detail is a booking with what its reader may do.
type Detail struct {
	Booking
	Status    string `json:"status"`
	CanHandle bool   `json:"can_handle"` // the reader may record the next steps
}

// Show returns a booking the actor may read. Its handlers see the customer's phone, which they
// call for the follow-up, and the showing is access-logged; other readers see it masked.
func Show(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Detail, error) {
	var d Detail
	err := db.Read(ctx, func(tx *store.Tx) error {
		b, ancestry, err := load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		d = Detail{Booking: b, Status: b.Status(), CanHandle: actor.HoldsOver(ancestry, handlers...)}
		return nil
	})
	if err != nil {
		return d, err
	}
	if !d.CanHandle {
		d.Phone = org.MaskPhone(d.Phone)
		return d, nil
	}
	return d, audit.RecordView(ctx, db, actor, "booking", d.ID, d.UnitID, "phone")
}

// Filter selects bookings for List.
type Filter struct {
	UnitID   int64     // with its sub-units
	From, To time.Time // booked in [From, To)
	Open     bool      // not yet followed up
	Limit    int
	BeforeID int64 // keyset: ids below it, newest first (0: from the newest)
	// Page reads a page by keyset either way (the web list's pager), overriding Limit and
	// BeforeID: Fetch() rows in its order, for store.Cut with PageKey.
	Page *store.Page
}

// bookingOrder is the list's order, the newest first; an id is given in order of booking.
var bookingOrder = store.Order{ID: "b.id"}

// PageKey is a booking's place in the list (Filter.Page).
func PageKey(b Booking) store.Key { return store.Key{ID: b.ID} }

// List returns a page of the bookings the actor may read, newest first, with the customer's
// phone masked (a list is not where a number is needed): one query, keyset paged by id.
func List(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Booking, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []Booking
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		ids := readable(tree, actor, f.UnitID)
		if len(ids) == 0 {
			return nil
		}
		in, args := store.In("b.unit_id", ids)
		conds := []string{in}
		add := func(c string, a any) { conds, args = append(conds, c), append(args, a) }
		if !f.From.IsZero() {
			add("b.booked_at >= ?", f.From)
		}
		if !f.To.IsZero() {
			add("b.booked_at < ?", f.To)
		}
		if f.Open {
			conds = append(conds, "b.followed_up_at IS NULL")
		}
		order, limit := " ORDER BY b.id DESC LIMIT ?", f.Limit
		if f.Page != nil {
			if c, a := f.Page.Where(bookingOrder); c != "" {
				conds, args = append(conds, c), append(args, a...)
			}
			order, limit = f.Page.OrderBy(bookingOrder), f.Page.Fetch()
		} else if f.BeforeID > 0 {
			add("b.id < ?", f.BeforeID)
		}
		rows, err := tx.Query(ctx, "SELECT "+columns+from+" WHERE "+strings.Join(conds, " AND ")+order, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scan(rows)
			if err != nil {
				return err
			}
			b.Phone = org.MaskPhone(b.Phone)
			out = append(out, b)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return out, nil
}

// readable lists the units whose bookings actor may read, within unitID's subtree when set.
func readable(tree *org.Tree, actor access.Principal, unitID int64) []int64 {
	var within map[int64]bool
	if unitID != 0 {
		within = map[int64]bool{}
		for _, id := range tree.Subtree(unitID) {
			within[id] = true
		}
	}
	var ids []int64
	for _, u := range tree.Ordered() {
		if (within == nil || within[u.ID]) && actor.Can(access.Read, tree.Ancestry(u.ID)) {
			ids = append(ids, u.ID)
		}
	}
	return ids
}
