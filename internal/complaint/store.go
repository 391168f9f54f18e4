package complaint

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/calendar"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Public is the actor of what the complainant does on the public pages.
var Public = access.Principal{Username: "public", Name: "complainant"}

// LoadPolicy reads the SLA policy.
func LoadPolicy(ctx context.Context, tx *store.Tx) (Policy, error) {
	var p Policy
	var remind int
	err := tx.QueryRow(ctx, "SELECT reply_hours, solution_days, remind_before_minutes, restart_on_reassign FROM complaint_policy WHERE id = 1").
		Scan(&p.ReplyHours, &p.SolutionDays, &remind, &p.RestartOnReassign)
	if err != nil {
		return p, fmt.Errorf("load complaint policy: %w", err)
	}
	p.RemindBefore = time.Duration(remind) * time.Minute
	return p, nil
}

// SetPolicy changes the SLA policy; it applies to complaints registered afterwards and to
// clocks restarted afterwards.
func SetPolicy(ctx context.Context, db *store.DB, actor access.Principal, p Policy) error {
	if !actor.Can(access.ManageOrg, nil) {
		return errs.New(errs.Forbidden, "complaint.policy_admin_only")
	}
	switch {
	case p.ReplyHours < 1 || p.ReplyHours > 720:
		return errs.Field("reply_hours", "err.out_of_range", 1, 720)
	case p.SolutionDays < 1 || p.SolutionDays > 60:
		return errs.Field("solution_days", "err.out_of_range", 1, 60)
	case p.RemindBefore < 0 || p.RemindBefore > 72*time.Hour:
		return errs.Field("remind_before", "err.out_of_range", 0, 72)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		before, err := LoadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE complaint_policy SET reply_hours = ?, solution_days = ?, remind_before_minutes = ?, restart_on_reassign = ?, updated_at = ? WHERE id = 1",
			p.ReplyHours, p.SolutionDays, int(p.RemindBefore/time.Minute), p.RestartOnReassign, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "complaint_policy", EntityID: 1, Before: before, After: p})
	})
}

// Who may do what: the clerk registers, classifies and reassigns; the unit head of the unit
// concerned also replies, works on and resolves its complaints; the committee reads.
var (
	registerRoles = []access.Role{access.Admin, access.Clerk, access.UnitHead}
	clerkRoles    = []access.Role{access.Admin, access.Clerk}
	handleRoles   = []access.Role{access.Admin, access.Clerk, access.UnitHead}
)

// MayRegister reports whether p registers complaints for at least one unit; the desk's form
// is offered only then, and each complaint is still checked over its unit.
func MayRegister(p access.Principal) bool { return p.HasAny(registerRoles...) }

// MayAddDirect reports whether p records direct deductions (主业直接扣分) for at least one
// business department: the desk offers the form only then, and AddDirect checks each
// department (clerkRoles over it).
func MayAddDirect(p access.Principal) bool { return p.HasAny(clerkRoles...) }

func checkUnit(ctx context.Context, tx *store.Tx, unitID int64) ([]int64, error) {
	var active bool
	err := tx.QueryRow(ctx, "SELECT active FROM units WHERE id = ?", unitID).Scan(&active)
	if store.IsNoRows(err) || (err == nil && !active) {
		return nil, errs.Field("unit_id", "complaint.unit_unknown", unitID)
	}
	if err != nil {
		return nil, err
	}
	return org.Ancestry(ctx, tx, unitID)
}

// servesPublic refuses a unit the public form does not offer: residents complain about the
// units that serve them, not about internal ones (HR, the quality work group).
func servesPublic(ctx context.Context, tx *store.Tx, unitID int64) error {
	var serves bool
	if err := tx.QueryRow(ctx, "SELECT serves_public FROM units WHERE id = ?", unitID).Scan(&serves); err != nil {
		return err
	}
	if !serves {
		return errs.Field("unit_id", "complaint.unit_not_public")
	}
	return nil
}

// Register records a complaint at once, with its SLA deadlines, tracking code, response
// code and attachments, in one transaction.
func Register(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Complaint, error) {
	return register(ctx, db, actor, in, Sender{})
}

// PublicLimit is how many complaints one client may submit through the public form per hour,
// unless the server is configured otherwise.
const PublicLimit = 5

// Sender is who sent a complaint through the public form.
type Sender struct {
	ClientKey string // a hash of the client's address, never the address itself
	Limit     int    // complaints an hour from one ClientKey; 0 means PublicLimit
	IdemKey   string // issued with the form: a resubmission answers with the first complaint
}

// RegisterPublic records a complaint from the public form: channel web, received now, at
// most sender.Limit an hour from one client, and once per form: a retried submission with
// the same idempotency key returns the first complaint, its response code included.
func RegisterPublic(ctx context.Context, db *store.DB, in Input, sender Sender) (Complaint, error) {
	in.Channel, in.ReceivedAt, in.SourceRef = Web, time.Time{}, ""
	if sender.Limit <= 0 {
		sender.Limit = PublicLimit
	}
	// A short key would make the response code derived from it guessable; such a form was
	// not issued by us and gets no idempotency.
	if sender.IdemKey = strings.TrimSpace(sender.IdemKey); len(sender.IdemKey) < minIdemKey || len(sender.IdemKey) > 128 {
		sender.IdemKey = ""
	}
	c, err := register(ctx, db, Public, in, sender)
	if sender.IdemKey != "" && store.IsUniqueViolation(err) {
		// The same form was stored by a concurrent request: answer with that one.
		err = db.Read(ctx, func(tx *store.Tx) error {
			var ok bool
			c, ok, err = byIdem(ctx, tx, sender.IdemKey)
			if err == nil && !ok {
				return fmt.Errorf("complaint with idempotency key vanished")
			}
			return err
		})
	}
	return c, err
}

// byIdem finds the complaint stored with the idempotency key.
func byIdem(ctx context.Context, tx *store.Tx, idemKey string) (Complaint, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM complaints WHERE idempotency_hash = ?", idemHash(idemKey)).Scan(&id)
	if store.IsNoRows(err) {
		return Complaint{}, false, nil
	}
	if err != nil {
		return Complaint{}, false, err
	}
	c, err := get(ctx, tx, id)
	c.ResponseCode = responseCodeFor(idemKey)
	return c, err == nil, err
}

func register(ctx context.Context, db *store.DB, actor access.Principal, in Input, sender Sender) (Complaint, error) {
	if err := validate(&in); err != nil {
		return Complaint{}, err
	}
	atts := make([]Attachment, len(in.Attachments))
	for i := range in.Attachments {
		a, err := checkUpload(&in.Attachments[i])
		if err != nil {
			return Complaint{}, err
		}
		atts[i] = a
	}
	var c Complaint
	err := db.InTx(ctx, func(tx *store.Tx) error {
		ancestry, err := checkUnit(ctx, tx, in.UnitID)
		if err != nil {
			return err
		}
		if actor.Username == Public.Username {
			if err := servesPublic(ctx, tx, in.UnitID); err != nil {
				return err
			}
		}
		if actor.Username != Public.Username && !actor.HoldsOver(ancestry, registerRoles...) {
			return errs.New(errs.Forbidden, "err.out_of_scope")
		}
		now := tx.Now.Truncate(time.Second)
		var idem any
		if sender.IdemKey != "" {
			var ok bool
			if c, ok, err = byIdem(ctx, tx, sender.IdemKey); err != nil || ok {
				return err
			}
			idem = idemHash(sender.IdemKey)
		}
		if sender.ClientKey != "" {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM complaints WHERE client_key = ? AND created_at > ?", sender.ClientKey, now.Add(-time.Hour)).Scan(&n); err != nil {
				return err
			}
			if n >= sender.Limit {
				return errs.New(errs.TooMany, "complaint.rate_limited")
			}
		}
		received := in.ReceivedAt.UTC().Truncate(time.Second)
		if in.ReceivedAt.IsZero() {
			received = now
		}
		if received.After(now.Add(time.Minute)) {
			return errs.Field("received_at", "complaint.received_future")
		}
		pol, err := LoadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		cal, err := calendar.Load(ctx, tx)
		if err != nil {
			return err
		}
		solDue, err := pol.SolutionDue(cal, received)
		if err != nil {
			e := errs.As(err)
			e.Field = "received_at"
			e.Key = "complaint.calendar_missing"
			return e
		}
		c = Complaint{
			TrackingCode: NewTrackingCode(), UnitID: in.UnitID, Channel: in.Channel, Category: in.Category,
			Complainant: in.Complainant, Contact: in.Contact, Description: in.Description, SourceRef: in.SourceRef,
			Status: Registered, Class: Unclassified, ReceivedAt: received, ReplyDueAt: pol.ReplyDue(received),
			SolutionDueAt: &solDue, SLARound: 1, CreatedAt: now, UpdatedAt: now, ResponseCode: newResponseCode(),
		}
		if sender.IdemKey != "" {
			c.ResponseCode = responseCodeFor(sender.IdemKey)
		}
		var createdBy any
		if actor.UserID != 0 {
			createdBy = actor.UserID
		}
		c.ID, err = tx.InsertID(ctx, `INSERT INTO complaints (tracking_code, unit_id, channel, category, complainant, contact, contact_key,
			description, source_ref, status, classification, received_at, reply_due_at, solution_due_at, sla_round, client_key, created_by, created_at, updated_at,
			response_hash, idempotency_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
			c.TrackingCode, c.UnitID, c.Channel, c.Category, c.Complainant, c.Contact, ContactKey(c.Contact),
			c.Description, c.SourceRef, c.Status, c.Class, c.ReceivedAt, c.ReplyDueAt, solDue, sender.ClientKey, createdBy, now, now,
			responseHash(c.ResponseCode), idem)
		if err != nil {
			return fmt.Errorf("insert complaint: %w", err)
		}
		if err := assessment.ShiftTotals(ctx, tx, nil, contribution(c)); err != nil {
			return err
		}
		for i, a := range atts {
			if _, err := tx.Exec(ctx, "INSERT INTO complaint_attachments (complaint_id, name, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				c.ID, a.Name, a.ContentType, a.Size, a.SHA256, in.Attachments[i].Data, now); err != nil {
				return err
			}
		}
		if err := event(ctx, tx, actor, c.ID, "register", string(c.Channel)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "complaint", EntityID: c.ID, UnitID: c.UnitID, After: auditView(c, atts)})
	})
	return c, err
}

// auditView leaves the complainant's contact out of the audit log, which keeps entries
// forever; the complaint row holds it until retention ends.
func auditView(c Complaint, atts []Attachment) map[string]any {
	m := map[string]any{"tracking_code": c.TrackingCode, "unit_id": c.UnitID, "channel": c.Channel, "category": c.Category,
		"status": c.Status, "classification": c.Class, "received_at": c.ReceivedAt, "reply_due_at": c.ReplyDueAt}
	if len(atts) > 0 {
		m["attachments"] = atts
	}
	return m
}

func event(ctx context.Context, tx *store.Tx, actor access.Principal, id int64, action, note string) error {
	name := actor.Name
	if name == "" {
		name = actor.Username
	}
	_, err := tx.Exec(ctx, "INSERT INTO complaint_events (complaint_id, at, actor, action, note) VALUES (?, ?, ?, ?, ?)", id, tx.Now, name, action, note)
	return err
}

const columns = `c.id, c.tracking_code, c.unit_id, u.name, c.channel, c.category, c.complainant, c.contact, c.description, c.source_ref,
	c.status, c.classification, c.classification_reason, c.classified_at, c.received_at, c.reply_due_at, c.replied_at, c.reply,
	c.solution_due_at, c.paused_at, c.paused_remaining, c.resolved_at, c.solution, c.root_cause, c.closed_at, c.sla_round, c.created_at, c.updated_at`

const from = " FROM complaints c JOIN units u ON u.id = c.unit_id"

func scan(row store.Scanner) (Complaint, error) {
	var c Complaint
	var classified, replied, solDue, paused, resolved, closed sql.NullTime
	var remaining sql.NullInt64
	err := row.Scan(&c.ID, &c.TrackingCode, &c.UnitID, &c.UnitName, &c.Channel, &c.Category, &c.Complainant, &c.Contact, &c.Description, &c.SourceRef,
		&c.Status, &c.Class, &c.ClassReason, &classified, &c.ReceivedAt, &c.ReplyDueAt, &replied, &c.Reply,
		&solDue, &paused, &remaining, &resolved, &c.Solution, &c.RootCause, &closed, &c.SLARound, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, err
	}
	c.ReceivedAt, c.ReplyDueAt, c.CreatedAt, c.UpdatedAt = c.ReceivedAt.UTC(), c.ReplyDueAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.ClassifiedAt, c.RepliedAt, c.SolutionDueAt = tp(classified), tp(replied), tp(solDue)
	c.PausedAt, c.ResolvedAt, c.ClosedAt = tp(paused), tp(resolved), tp(closed)
	if remaining.Valid {
		c.PausedRemaining = &remaining.Int64
	}
	return c, nil
}

func tp(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func get(ctx context.Context, tx *store.Tx, id int64) (Complaint, error) {
	c, err := scan(tx.QueryRow(ctx, "SELECT "+columns+from+" WHERE c.id = ?", id))
	if store.IsNoRows(err) {
		return c, errs.New(errs.NotFound, "complaint.not_found", id)
	}
	return c, err
}

// Event is one entry of a complaint's timeline.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

// PauseSpan is a stretch of time the solution clock stood still.
type PauseSpan struct {
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Reason    string     `json:"reason"`
}

// Notification is a reminder or escalation the SLA job wrote.
type Notification struct {
	ID          int64     `json:"id"`
	ComplaintID int64     `json:"complaint_id"`
	Tracking    string    `json:"tracking_code"`
	Kind        string    `json:"kind"` // reply_reminder, reply_breach, solution_reminder, solution_breach
	Round       int       `json:"sla_round"`
	UnitID      int64     `json:"unit_id"`
	UnitName    string    `json:"unit_name"`
	DueAt       time.Time `json:"due_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// Detail is a complaint with everything its page shows.
type Detail struct {
	Complaint
	Events        []Event        `json:"events"`
	Pauses        []PauseSpan    `json:"pauses"`
	Attachments   []Attachment   `json:"attachments"`
	Notifications []Notification `json:"notifications"`
	CanHandle     bool           `json:"can_handle"`   // the actor may reply, resolve, pause, …
	CanClassify   bool           `json:"can_classify"` // the actor may classify and reassign
}

// Get returns a complaint the actor may read, with its timeline.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Detail, error) {
	var d Detail
	err := db.Read(ctx, func(tx *store.Tx) error {
		c, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		ancestry, err := org.Ancestry(ctx, tx, c.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, ancestry) {
			return errs.New(errs.NotFound, "complaint.not_found", id) // do not confirm it exists
		}
		d.Complaint = c
		d.CanHandle = actor.HoldsOver(ancestry, handleRoles...)
		d.CanClassify = actor.HoldsOver(ancestry, clerkRoles...)
		rows, err := tx.Query(ctx, "SELECT at, actor, action, note FROM complaint_events WHERE complaint_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e Event
			if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Note); err != nil {
				rows.Close()
				return err
			}
			e.At = e.At.UTC()
			d.Events = append(d.Events, e)
		}
		rows.Close()
		rows, err = tx.Query(ctx, "SELECT started_at, ended_at, reason FROM complaint_pauses WHERE complaint_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p PauseSpan
			var end sql.NullTime
			if err := rows.Scan(&p.StartedAt, &end, &p.Reason); err != nil {
				rows.Close()
				return err
			}
			p.StartedAt, p.EndedAt = p.StartedAt.UTC(), tp(end)
			d.Pauses = append(d.Pauses, p)
		}
		rows.Close()
		rows, err = tx.Query(ctx, "SELECT id, name, content_type, size, sha256 FROM complaint_attachments WHERE complaint_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a Attachment
			if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256); err != nil {
				rows.Close()
				return err
			}
			d.Attachments = append(d.Attachments, a)
		}
		rows.Close()
		d.Notifications, err = notifications(ctx, tx, "n.complaint_id = ?", []any{id}, " ORDER BY n.id DESC LIMIT ?", 50)
		return err
	})
	return d, err
}

// AttachmentData returns an attachment's bytes if the actor may read its complaint.
func AttachmentData(ctx context.Context, db *store.DB, actor access.Principal, complaintID, id int64) (Attachment, []byte, error) {
	var a Attachment
	var data []byte
	err := db.Read(ctx, func(tx *store.Tx) error {
		var unitID int64
		err := tx.QueryRow(ctx, `SELECT a.id, a.name, a.content_type, a.size, a.sha256, a.data, c.unit_id FROM complaint_attachments a
			JOIN complaints c ON c.id = a.complaint_id WHERE a.id = ? AND a.complaint_id = ?`, id, complaintID).
			Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &data, &unitID)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "complaint.not_found", complaintID)
		}
		if err != nil {
			return err
		}
		ancestry, err := org.Ancestry(ctx, tx, unitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, ancestry) {
			return errs.New(errs.NotFound, "complaint.not_found", complaintID)
		}
		return nil
	})
	return a, data, err
}

// Filter selects complaints for List and Stats.
type Filter struct {
	UnitID   int64 // with its sub-units
	Status   Status
	Channel  Channel
	Category Category
	Class    Class
	Open     bool      // not confirmed or closed
	From, To time.Time // received in [From, To)
	// SameContactAs selects the complaints with the same contact as this complaint: a repeat
	// complainant's, without the contact in the URL.
	SameContactAs int64
	Limit         int
	// Page reads a page by keyset on reception time then id (the web list), overriding Limit.
	Page *store.Page
	// Keyset pages by id instead (the API): newest id first, ids below BeforeID (0: from
	// the newest), no offset and no count.
	Keyset   bool
	BeforeID int64
}

// scope returns the SQL condition restricting complaints to the units actor may read.
func scope(ctx context.Context, db *store.DB, actor access.Principal, f Filter) (string, []any, error) {
	_, all := actor.ScopeRoots(access.Read)
	var units []org.Unit
	var err error
	if !all || f.UnitID != 0 {
		units, err = org.ListUnits(ctx, db, actor, org.UnitFilter{IncludeInactive: true})
		if err != nil {
			return "", nil, err
		}
	}
	var ids []int64
	if f.UnitID != 0 {
		allUnits, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
		if err != nil {
			return "", nil, err
		}
		readable := map[int64]bool{}
		for _, u := range units {
			readable[u.ID] = true
		}
		for _, id := range org.NewTree(allUnits).Subtree(f.UnitID) {
			if readable[id] {
				ids = append(ids, id)
			}
		}
	} else if !all {
		for _, u := range units {
			ids = append(ids, u.ID)
		}
	} else {
		return "", nil, nil
	}
	if len(ids) == 0 {
		return "1 = 0", nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "c.unit_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args, nil
}

func where(ctx context.Context, db *store.DB, actor access.Principal, f Filter) (string, []any, error) {
	cond, args, err := scope(ctx, db, actor, f)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	if cond != "" {
		conds = append(conds, cond)
	}
	add := func(c string, a any) { conds = append(conds, c); args = append(args, a) }
	if f.Status != "" {
		add("c.status = ?", f.Status)
	}
	if f.Channel != "" {
		add("c.channel = ?", f.Channel)
	}
	if f.Category != "" {
		add("c.category = ?", f.Category)
	}
	if f.Class != "" {
		add("c.classification = ?", f.Class)
	}
	if f.Open {
		// The open statuses named, not the finished ones excluded: NOT IN cannot use the
		// status index, and the open complaints are a few among a year's (100,000 at N=100).
		var open []string
		for _, st := range Statuses {
			if !st.Finished() {
				open = append(open, "'"+string(st)+"'")
			}
		}
		conds = append(conds, "c.status IN ("+strings.Join(open, ", ")+")")
	}
	if !f.From.IsZero() {
		add("c.received_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("c.received_at < ?", f.To)
	}
	if f.Keyset && f.BeforeID > 0 {
		add("c.id < ?", f.BeforeID)
	}
	if f.SameContactAs != 0 {
		add("c.contact_key <> '' AND c.contact_key = (SELECT s.contact_key FROM complaints s WHERE s.id = ?)", f.SameContactAs)
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// List returns the complaints the actor may read that match f, newest first, and how many
// match in all (not counted when paging by id). With f.Page it returns Fetch() rows in
// f.Page's order, for store.Cut.
func List(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Complaint, int, error) {
	w, args, err := where(ctx, db, actor, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var out []Complaint
	var total int
	err = db.Read(ctx, func(tx *store.Tx) error {
		order, limit, w, args := " ORDER BY c.received_at DESC, c.id DESC LIMIT ?", f.Limit, w, args
		if f.Keyset {
			order = " ORDER BY c.id DESC LIMIT ?"
		} else if err := tx.QueryRow(ctx, "SELECT COUNT(*)"+from+w, args...).Scan(&total); err != nil {
			return err
		}
		if f.Page != nil {
			order, limit = f.Page.OrderBy(complaintOrder), f.Page.Fetch()
			if cond, a := f.Page.Where(complaintOrder); cond != "" {
				w, args = andWhere(w, cond), append(slices.Clip(args), a...)
			}
		}
		out, err = store.All(ctx, tx, scan, "SELECT "+columns+from+w+order, append(slices.Clip(args), limit)...)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list complaints: %w", err)
	}
	return out, total, nil
}

// andWhere adds cond to a WHERE clause that may be empty.
func andWhere(where, cond string) string {
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}

// Notifications returns a page of the reminders and escalations about complaints the actor
// may read, by id: Fetch() rows in pg's order, for store.Cut.
func Notifications(ctx context.Context, db *store.DB, actor access.Principal, pg store.Page) ([]Notification, error) {
	cond, args, err := scope(ctx, db, actor, Filter{})
	if err != nil {
		return nil, err
	}
	if cond == "" {
		cond = "1 = 1"
	}
	if c, a := pg.Where(store.Order{ID: "n.id"}); c != "" {
		cond, args = cond+" AND "+c, append(args, a...)
	}
	var out []Notification
	err = db.Read(ctx, func(tx *store.Tx) error {
		out, err = notifications(ctx, tx, cond, args, pg.OrderBy(store.Order{ID: "n.id"}), pg.Fetch())
		return err
	})
	return out, err
}

// notifications reads the notifications matching cond in order (an ORDER BY … LIMIT ? clause).
func notifications(ctx context.Context, tx *store.Tx, cond string, args []any, order string, limit int) ([]Notification, error) {
	rows, err := tx.Query(ctx, `SELECT n.id, n.complaint_id, c.tracking_code, n.kind, n.sla_round, n.unit_id, u.name, n.due_at, n.created_at
		FROM complaint_notifications n JOIN complaints c ON c.id = n.complaint_id JOIN units u ON u.id = n.unit_id
		WHERE `+cond+order, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.ComplaintID, &n.Tracking, &n.Kind, &n.Round, &n.UnitID, &n.UnitName, &n.DueAt, &n.CreatedAt); err != nil {
			return nil, err
		}
		n.DueAt, n.CreatedAt = n.DueAt.UTC(), n.CreatedAt.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// complaintOrder is the list's order: newest reception first.
var complaintOrder = store.Order{Col: "c.received_at", ID: "c.id"}

// OpenDashboard counts the open complaints the actor may read and the state of their SLA
// clocks at now (Summarize): the home page's figures. A clock follows the working calendar,
// so it is computed here rather than in SQL; the query reads the open complaints only.
func OpenDashboard(ctx context.Context, db *store.DB, actor access.Principal, p Policy, cal *calendar.Calendar, now time.Time) (Dashboard, error) {
	w, args, err := where(ctx, db, actor, Filter{Open: true})
	if err != nil {
		return Dashboard{}, err
	}
	var open []Complaint
	err = db.Read(ctx, func(tx *store.Tx) (err error) {
		open, err = store.All(ctx, tx, scan, "SELECT "+columns+from+w, args...)
		return err
	})
	if err != nil {
		return Dashboard{}, fmt.Errorf("open complaints: %w", err)
	}
	return Summarize(open, p, cal, now), nil
}
