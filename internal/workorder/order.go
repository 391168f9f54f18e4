// Package workorder runs the maintenance centre's work orders and their evaluation
// (docs/policies.md §4, seed 003): orders registered from the hotline and closed with cause and
// measures, repeat-report (二次报修) detection, the daily draw of evaluation tasks (the foreman's
// self-evaluation for every order, a callback by a dispatcher for 90 % and by a manager for
// 10 % of each maintainer's orders), the ratings with their versions, the daily and monthly
// statistics through the maintainer-monthly scheme, and the dissatisfaction follow-ups.
//
// The rules (the draw, the ranking) are pure functions; the SQL beside them is in the subset
// SQLite and PostgreSQL share. docs/workorders.md describes the area for its users.
package workorder

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Zone is where days begin and end: an order closed at 23:30 in Beijing belongs to that day.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// DayOf is the local date of t, as 2006-01-02.
func DayOf(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }

// ParseDay reads a 2006-01-02 date and returns its local midnight.
func ParseDay(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), Zone)
	if err != nil {
		return time.Time{}, errs.Field(field, "wo.bad_day", s)
	}
	return t, nil
}

// Source is how an order was first registered. Only hotline orders are evaluated.
type Source string

const (
	Hotline Source = "hotline" // 统一报修电话
	Other   Source = "other"   // walk-in, found on patrol, …
)

// Order is a work order (工单).
type Order struct {
	ID           int64      `json:"id"`
	Source       Source     `json:"source"`
	Reporter     string     `json:"reporter"`
	Phone        string     `json:"-"` // shown masked except to the assigned caller
	Location     string     `json:"location"`
	Device       string     `json:"device"`
	Fault        string     `json:"fault"`
	TeamID       int64      `json:"team_id"`
	TeamName     string     `json:"team_name"`
	MaintainerID int64      `json:"maintainer_id"`
	Maintainer   string     `json:"maintainer"`
	ReportedAt   time.Time  `json:"reported_at"`
	ContactedAt  *time.Time `json:"contacted_at,omitempty"`
	ArrivedAt    *time.Time `json:"arrived_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	CloseDay     string     `json:"close_day,omitempty"`
	Cause        string     `json:"cause"`
	Measures     string     `json:"measures"`
	RepeatOf     int64      `json:"repeat_of,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Closed reports whether the order is closed.
func (o Order) Closed() bool { return o.ClosedAt != nil }

// Evaluable reports whether the policy evaluates the order: registered from the hotline and closed.
func (o Order) Evaluable() bool { return o.Source == Hotline && o.Closed() }

// Input registers an order.
type Input struct {
	Source       Source
	Reporter     string
	Phone        string
	Location     string
	Device       string
	Fault        string
	TeamID       int64
	MaintainerID int64
	ReportedAt   time.Time
	ContactedAt  *time.Time
	ArrivedAt    *time.Time
}

// CloseInput closes an order. Contact and arrival times not known at registration may be
// given here.
type CloseInput struct {
	ClosedAt    time.Time
	Cause       string
	Measures    string
	ContactedAt *time.Time
	ArrivedAt   *time.Time
}

// registerRoles may register and close orders: the hotline is answered in the dispatch room.
var registerRoles = []access.Role{access.Admin, access.Clerk, access.Dispatcher, access.Foreman}

// MayRegister reports whether p registers orders somewhere (the page offers the form); each
// order is still checked over its team.
func MayRegister(p access.Principal) bool { return p.HasAny(registerRoles...) }

// MayImport reports whether p may import a fault workbook: whoever registers orders; each row
// is still checked over its team.
func MayImport(p access.Principal) bool { return MayRegister(p) }

// authorize checks that p holds one of roles over unit; otherwise it is forbidden.
func authorize(ctx context.Context, tx *store.Tx, p access.Principal, roles []access.Role, unitID int64) error {
	anc, err := org.Ancestry(ctx, tx, unitID)
	if err != nil {
		return err
	}
	if !p.HoldsOver(anc, roles...) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	return nil
}

const maxText = 500

func text(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", errs.Required(field)
	}
	if utf8.RuneCountInString(s) > maxText {
		return "", errs.Field(field, "err.too_long", maxText)
	}
	return s, nil
}

// validPhone accepts what people dial: digits with an optional leading + and dashes.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 15
}

func (in *Input) validate(now time.Time) error {
	var err error
	if in.Source == "" {
		in.Source = Hotline
	}
	if in.Source != Hotline && in.Source != Other {
		return errs.Field("wo_source", "err.invalid_choice", string(in.Source))
	}
	if in.Reporter, err = text("reporter", in.Reporter, true); err != nil {
		return err
	}
	if in.Phone = strings.TrimSpace(in.Phone); in.Phone == "" {
		return errs.Required("phone")
	} else if !validPhone(in.Phone) {
		return errs.Field("phone", "wo.bad_phone")
	}
	if in.Location, err = text("location", in.Location, true); err != nil {
		return err
	}
	if in.Device, err = text("device", in.Device, true); err != nil {
		return err
	}
	if in.Fault, err = text("fault", in.Fault, true); err != nil {
		return err
	}
	if in.TeamID == 0 {
		return errs.Required("team")
	}
	if in.MaintainerID == 0 {
		return errs.Required("maintainer")
	}
	if in.ReportedAt.IsZero() {
		return errs.Required("reported_at")
	}
	if in.ReportedAt.After(now.Add(time.Minute)) {
		return errs.Field("reported_at", "wo.future")
	}
	// A time before the system's era is a typing slip or a blank that a spreadsheet read as
	// day zero (0001-01-01, 1900-01-01); the later times are checked to follow it.
	if in.ReportedAt.Before(earliestOrder) {
		return errs.Field("reported_at", "wo.too_early", earliestOrder.Format(time.DateOnly))
	}
	return checkTimes(in.ReportedAt, in.ContactedAt, in.ArrivedAt, nil, now)
}

// earliestOrder is the earliest plausible time of a work order.
var earliestOrder = time.Date(2000, 1, 1, 0, 0, 0, 0, Zone)

// checkTimes refuses times out of order: contact, arrival and closing follow the report.
func checkTimes(reported time.Time, contacted, arrived, closed *time.Time, now time.Time) error {
	for _, t := range []struct {
		field string
		at    *time.Time
	}{{"contacted_at", contacted}, {"arrived_at", arrived}, {"closed_at", closed}} {
		if t.at == nil {
			continue
		}
		if t.at.Before(reported) {
			return errs.Field(t.field, "wo.before_report")
		}
		if t.at.After(now.Add(time.Minute)) {
			return errs.Field(t.field, "wo.future")
		}
	}
	return nil
}

// Register records an order reported on the hotline (or elsewhere). A hotline order for the
// same phone number and device as an order closed within the repeat window before it is a
// repeat report (二次报修) and is linked to that order.
func Register(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Order, error) {
	var o Order
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		o, err = register(ctx, tx, actor, in)
		return err
	})
	return o, err
}

func register(ctx context.Context, tx *store.Tx, actor access.Principal, in Input) (Order, error) {
	if err := in.validate(tx.Now); err != nil {
		return Order{}, err
	}
	if err := checkTeam(ctx, tx, in.TeamID, in.MaintainerID); err != nil {
		return Order{}, err
	}
	if err := authorize(ctx, tx, actor, registerRoles, in.TeamID); err != nil {
		return Order{}, err
	}
	var repeatOf any
	if in.Source == Hotline {
		days, err := repeatDays(ctx, tx)
		if err != nil {
			return Order{}, err
		}
		var first int64
		err = tx.QueryRow(ctx, `SELECT id FROM work_orders WHERE phone = ? AND device = ? AND source = 'hotline'
			AND closed_at IS NOT NULL AND closed_at <= ? AND closed_at >= ? ORDER BY closed_at DESC, id DESC LIMIT 1`,
			in.Phone, in.Device, in.ReportedAt, in.ReportedAt.Add(-time.Duration(days)*24*time.Hour)).Scan(&first)
		switch {
		case err == nil:
			repeatOf = first
		case !store.IsNoRows(err):
			return Order{}, err
		}
	}
	id, err := tx.InsertID(ctx, `INSERT INTO work_orders (source, reporter, phone, location, device, fault, team_id, maintainer_id,
		reported_at, contacted_at, arrived_at, repeat_of, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Source, in.Reporter, in.Phone, in.Location, in.Device, in.Fault, in.TeamID, in.MaintainerID,
		in.ReportedAt.UTC(), utcp(in.ContactedAt), utcp(in.ArrivedAt), repeatOf, tx.Now, tx.Now)
	if err != nil {
		return Order{}, err
	}
	o, err := getOrder(ctx, tx, id)
	if err != nil {
		return Order{}, err
	}
	return o, audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "work_order", EntityID: id, UnitID: in.TeamID, After: o})
}

func utcp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// checkIsTeam refuses a unit that is not an active team.
func checkIsTeam(ctx context.Context, tx *store.Tx, teamID int64) error {
	var kind string
	var active bool
	err := tx.QueryRow(ctx, "SELECT kind, active FROM units WHERE id = ?", teamID).Scan(&kind, &active)
	if store.IsNoRows(err) || (err == nil && (kind != string(org.Team) || !active)) {
		return errs.Field("team", "wo.not_a_team")
	}
	return err
}

// Close closes an open order with its cause and measures. Closing a closed order is refused:
// its closing time decides which day's evaluation it belongs to.
func Close(ctx context.Context, db *store.DB, actor access.Principal, id int64, in CloseInput) (Order, error) {
	var o Order
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		o, err = closeOrder(ctx, tx, actor, id, in)
		return err
	})
	return o, err
}

func closeOrder(ctx context.Context, tx *store.Tx, actor access.Principal, id int64, in CloseInput) (Order, error) {
	before, err := getOrder(ctx, tx, id)
	if err != nil {
		return Order{}, err
	}
	if err := authorize(ctx, tx, actor, registerRoles, before.TeamID); err != nil {
		return Order{}, err
	}
	if before.Closed() {
		return Order{}, errs.New(errs.Conflict, "wo.already_closed", id)
	}
	if in.Cause, err = text("cause", in.Cause, true); err != nil {
		return Order{}, err
	}
	if in.Measures, err = text("measures", in.Measures, true); err != nil {
		return Order{}, err
	}
	if in.ClosedAt.IsZero() {
		return Order{}, errs.Required("closed_at")
	}
	contacted, arrived := before.ContactedAt, before.ArrivedAt
	if in.ContactedAt != nil {
		contacted = in.ContactedAt
	}
	if in.ArrivedAt != nil {
		arrived = in.ArrivedAt
	}
	if err := checkTimes(before.ReportedAt, contacted, arrived, &in.ClosedAt, tx.Now); err != nil {
		return Order{}, err
	}
	// The closed_at IS NULL guard makes a concurrent second close change nothing.
	res, err := tx.Exec(ctx, `UPDATE work_orders SET closed_at = ?, close_day = ?, cause = ?, measures = ?, contacted_at = ?, arrived_at = ?, updated_at = ?
		WHERE id = ? AND closed_at IS NULL`, in.ClosedAt.UTC(), DayOf(in.ClosedAt), in.Cause, in.Measures, utcp(contacted), utcp(arrived), tx.Now, id)
	if err != nil {
		return Order{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Order{}, errs.New(errs.Conflict, "wo.already_closed", id)
	}
	o, err := getOrder(ctx, tx, id)
	if err != nil {
		return Order{}, err
	}
	return o, audit.Record(ctx, tx, actor, audit.Change{Action: "close", Entity: "work_order", EntityID: id, UnitID: o.TeamID, Before: before, After: o})
}

const orderColumns = `o.id, o.source, o.reporter, o.phone, o.location, o.device, o.fault, o.team_id, t.name, o.maintainer_id, p.name,
	o.reported_at, o.contacted_at, o.arrived_at, o.closed_at, o.close_day, o.cause, o.measures, o.repeat_of, o.created_at`

const orderFrom = ` FROM work_orders o JOIN units t ON t.id = o.team_id JOIN people p ON p.id = o.maintainer_id`

func scanOrder(row interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var contacted, arrived, closed sql.NullTime
	var day sql.NullString
	var repeat sql.NullInt64
	err := row.Scan(&o.ID, &o.Source, &o.Reporter, &o.Phone, &o.Location, &o.Device, &o.Fault, &o.TeamID, &o.TeamName, &o.MaintainerID, &o.Maintainer,
		&o.ReportedAt, &contacted, &arrived, &closed, &day, &o.Cause, &o.Measures, &repeat, &o.CreatedAt)
	o.ContactedAt, o.ArrivedAt, o.ClosedAt = timep(contacted), timep(arrived), timep(closed)
	o.CloseDay, o.RepeatOf = day.String, repeat.Int64
	return o, err
}

func timep(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func getOrder(ctx context.Context, tx *store.Tx, id int64) (Order, error) {
	o, err := scanOrder(tx.QueryRow(ctx, "SELECT "+orderColumns+orderFrom+" WHERE o.id = ?", id))
	if store.IsNoRows(err) {
		return Order{}, errs.New(errs.NotFound, "wo.order_not_found", id)
	}
	return o, err
}

// Get returns an order the actor may see.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Order, error) {
	var o Order
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = getOrder(ctx, tx, id); err != nil {
			return err
		}
		if err := org.Authorize(ctx, tx, actor, access.Read, o.TeamID); err != nil {
			return errs.New(errs.NotFound, "wo.order_not_found", id)
		}
		return nil
	})
	return o, err
}

// Filter selects orders for a list.
type Filter struct {
	TeamID       int64
	MaintainerID int64
	Day          string // reported on this local day ("" for any)
	Open         bool   // only orders not closed yet
	Limit        int
	// Page reads a page by keyset on report time then id (the web list), overriding Limit:
	// Fetch() orders in its order, for store.Cut.
	Page *store.Page
}

// scopeClause limits rows to the teams under the actor's read scope.
func scopeClause(ctx context.Context, tx *store.Tx, actor access.Principal, col string) (string, []any, error) {
	roots, everything := actor.ScopeRoots(access.Read)
	return subtreeClause(ctx, tx, roots, everything, col)
}

// subtreeClause limits col to the units under roots (everything: no limit).
func subtreeClause(ctx context.Context, tx *store.Tx, roots []int64, everything bool, col string) (string, []any, error) {
	if everything {
		return "1 = 1", nil, nil
	}
	if len(roots) == 0 {
		return "1 = 0", nil, nil
	}
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	// Roots may nest (grants over a centre and one of its teams): each unit is listed once.
	var ids []any
	seen := map[int64]bool{}
	for _, r := range roots {
		for _, id := range tree.Subtree(r) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return col + " IN (?" + strings.Repeat(", ?", len(ids)-1) + ")", ids, nil
}

// List returns the orders the actor may see, newest first, and how many match.
// With f.Page it returns Fetch() orders in f.Page's order, for store.Cut.
func List(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Order, int, error) {
	var out []Order
	total := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "o.team_id")
		if err != nil {
			return err
		}
		where := []string{scope}
		if f.TeamID != 0 {
			where, args = append(where, "o.team_id = ?"), append(args, f.TeamID)
		}
		if f.MaintainerID != 0 {
			where, args = append(where, "o.maintainer_id = ?"), append(args, f.MaintainerID)
		}
		if f.Day != "" {
			d, err := ParseDay("day", f.Day)
			if err != nil {
				return err
			}
			where, args = append(where, "o.reported_at >= ? AND o.reported_at < ?"), append(args, d.UTC(), d.AddDate(0, 0, 1).UTC())
		}
		if f.Open {
			where = append(where, "o.closed_at IS NULL")
		}
		cond := " WHERE " + strings.Join(where, " AND ")
		// Every order has its team and maintainer (NOT NULL references), so the count needs
		// none of the list's joins: over the N=10 year they made it 3 s instead of 0.2 s.
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM work_orders o"+cond, args...).Scan(&total); err != nil {
			return err
		}
		limit := f.Limit
		if limit <= 0 || limit > 500 {
			limit = 50
		}
		order := " ORDER BY o.reported_at DESC, o.id DESC LIMIT ?"
		if f.Page != nil {
			order, limit = f.Page.OrderBy(listOrder), f.Page.Fetch()
			if c, a := f.Page.Where(listOrder); c != "" {
				cond, args = cond+" AND "+c, append(args, a...)
			}
		}
		rows, err := tx.Query(ctx, "SELECT "+orderColumns+orderFrom+cond+order, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, total, err
}

// Settings are the area's adjustable rules.
type Settings struct {
	RepeatDays int `json:"repeat_days"`
}

func repeatDays(ctx context.Context, tx *store.Tx) (int, error) {
	var d int
	err := tx.QueryRow(ctx, "SELECT repeat_days FROM workorder_settings WHERE id = 1").Scan(&d)
	return d, err
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, db *store.DB) (Settings, error) {
	var s Settings
	err := db.Read(ctx, func(tx *store.Tx) (err error) { s.RepeatDays, err = repeatDays(ctx, tx); return err })
	return s, err
}

// SaveSettings changes the settings; clerks and administrators may.
func SaveSettings(ctx context.Context, db *store.DB, actor access.Principal, s Settings) error {
	if !actor.HasAny(clerkRoles...) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	if s.RepeatDays < 1 || s.RepeatDays > 365 {
		return errs.Field("repeat_days", "err.out_of_range", "1", "365")
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		before, err := repeatDays(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE workorder_settings SET repeat_days = ?, updated_at = ? WHERE id = 1", s.RepeatDays, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "workorder_settings", EntityID: 1, Before: Settings{before}, After: s})
	})
}

// listOrder is the list's order: the newest report first.
var listOrder = store.Order{Col: "o.reported_at", ID: "o.id"}
