package sampling

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
	"manyi/internal/workorder"
)

// Source is where a plan's population comes from.
type Source string

const (
	FromWorkOrders Source = "workorders" // the week's closed work orders
	FromImport     Source = "import"     // a list the clerk pastes or uploads
)

// Zone is the organisation's time zone.
var Zone = workorder.Zone

// Plan is a sampling plan for one service type.
type Plan struct {
	ID       int64    `json:"id"`
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Source   Source   `json:"source"`
	MinCount int      `json:"min_count"`
	MinBP    int      `json:"min_bp"` // basis points of the population
	Strata   []string `json:"strata,omitempty"`
	Active   bool     `json:"active"`
}

// PlanInput creates or replaces a plan by code.
type PlanInput struct {
	Code     string
	Name     string
	Source   Source
	MinCount int
	MinBP    int
	Strata   string // comma-separated, e.g. "A,B,C,D"
}

// clerkRoles draw samples and record checks: the quality supervision post.
var clerkRoles = []access.Role{access.Admin, access.Clerk}

// readRoles may read the samples and the GM workbook: the quality supervision post, the
// committee that approves results, and the administrator.
var readRoles = []access.Role{access.Admin, access.Clerk, access.Committee}

// MayRead reports whether p may read the weekly samples and their report. A week's population
// spans the whole organisation (every unit's closed work orders, lists imported with no unit),
// so only a grant over the whole organisation covers it: a clerk of one subsidiary would
// otherwise read other units' tickets.
func MayRead(p access.Principal) bool { return p.HoldsOver(nil, readRoles...) }

// MayDraw reports whether p may keep plans, draw samples and record checks; pages use it to
// decide whether to show the forms, and SavePlan, DrawWeek and CheckItem enforce it. Like
// reading, it needs a grant over the whole organisation: a draw shows the whole population.
func MayDraw(p access.Principal) bool { return p.HoldsOver(nil, clerkRoles...) }

// SavePlan creates a plan, or changes the plan with the same code; draws already made keep
// the quota they were drawn with.
func SavePlan(ctx context.Context, db *store.DB, actor access.Principal, in PlanInput) (Plan, error) {
	var p Plan
	if !MayDraw(actor) {
		return p, errs.New(errs.Forbidden, "sampling.clerk_only")
	}
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	var strata []string
	for _, s := range strings.Split(in.Strata, ",") {
		if s = strings.TrimSpace(s); s != "" && !contains(strata, s) {
			strata = append(strata, s)
		}
	}
	switch {
	case in.Code == "":
		return p, errs.Required("plan_code")
	case len(in.Code) > 30 || strings.ContainsAny(in.Code, " /?#"):
		return p, errs.Field("plan_code", "sampling.bad_code", in.Code)
	case in.Name == "":
		return p, errs.Required("plan_name")
	case utf8.RuneCountInString(in.Name) > 100:
		return p, errs.Field("plan_name", "err.too_long", 100)
	case in.Source != FromWorkOrders && in.Source != FromImport:
		return p, errs.Field("plan_source", "err.invalid_choice", string(in.Source))
	case in.MinCount < 0 || in.MinCount > 10000:
		return p, errs.Field("min_count", "err.out_of_range", "0", "10000")
	case in.MinBP < 0 || in.MinBP > 10000:
		return p, errs.Field("min_percent", "err.out_of_range", "0 %", "100 %")
	case in.MinCount == 0 && in.MinBP == 0:
		return p, errs.Field("min_count", "sampling.no_quota")
	case len(strata) > 20:
		return p, errs.Field("strata", "err.out_of_range", "0", "20")
	}
	p = Plan{Code: in.Code, Name: in.Name, Source: in.Source, MinCount: in.MinCount, MinBP: in.MinBP, Strata: strata, Active: true}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM sampling_plans WHERE code = ?", p.Code).Scan(&id)
		action := "update"
		switch {
		case store.IsNoRows(err):
			action = "create"
			p.ID, err = tx.InsertID(ctx, "INSERT INTO sampling_plans (code, name, source, min_count, min_bp, strata, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				p.Code, p.Name, p.Source, p.MinCount, p.MinBP, strings.Join(strata, ","), true, tx.Now, tx.Now)
		case err == nil:
			p.ID = id
			_, err = tx.Exec(ctx, "UPDATE sampling_plans SET name = ?, source = ?, min_count = ?, min_bp = ?, strata = ?, active = ?, updated_at = ? WHERE id = ?",
				p.Name, p.Source, p.MinCount, p.MinBP, strings.Join(strata, ","), true, tx.Now, id)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "sampling_plan", EntityID: p.ID, After: p})
	})
	return p, err
}

// planOrder is the plans list's order: by code, which is unique (the id only completes the key).
var planOrder = store.Order{Col: "code", ID: "id", Asc: true}

// PlanKey is a plan's place in the list (PlanPage).
func PlanKey(p Plan) store.Key { return store.Key{Name: p.Code, ID: p.ID} }

// PlanPage returns a page of the active plans by code, to those who may read the samples:
// Fetch() rows in pg's order, for store.Cut with PlanKey.
func PlanPage(ctx context.Context, db *store.DB, actor access.Principal, pg store.Page) ([]Plan, error) {
	if !MayRead(actor) {
		return nil, errs.New(errs.Forbidden, "sampling.read_forbidden")
	}
	return plans(ctx, db, &pg)
}

// plans returns the active plans by code: a page of them, or all (pg nil) for a week's report,
// which is complete only when every plan's quota is met.
func plans(ctx context.Context, db *store.DB, pg *store.Page) ([]Plan, error) {
	ps, err := store.ReadList(ctx, db, scanPlan, planOrder, pg, "SELECT id, code, name, source, min_count, min_bp, strata, active FROM sampling_plans", []string{"active = ?"}, true)
	return ps, errs.Wrapf(err, "list plans")
}

func scanPlan(row store.Scanner) (Plan, error) {
	var p Plan
	var strata string
	err := row.Scan(&p.ID, &p.Code, &p.Name, &p.Source, &p.MinCount, &p.MinBP, &strata, &p.Active)
	if strata != "" {
		p.Strata = strings.Split(strata, ",")
	}
	return p, err
}

func getPlan(ctx context.Context, tx *store.Tx, id int64) (Plan, error) {
	p, err := scanPlan(tx.QueryRow(ctx, "SELECT id, code, name, source, min_count, min_bp, strata, active FROM sampling_plans WHERE id = ?", id))
	if store.IsNoRows(err) {
		return p, errs.Field("plan_id", "sampling.plan_unknown", id)
	}
	return p, err
}

// DrawInput asks for a plan's draw of a week.
type DrawInput struct {
	PlanID     int64
	Week       string // 2026-W47
	Population string // CSV "ref,label[,stratum]" for imported populations
	Size       int    // 0: the quota
	Seed       *int64 // nil: a fresh random seed
}

// Sample is one week's draw for a plan, with its items and progress.
type Sample struct {
	ID             int64     `json:"id"`
	Plan           Plan      `json:"plan"`
	Week           string    `json:"week"`
	Seed           int64     `json:"seed"`
	PopulationSize int       `json:"population_size"`
	Quota          int       `json:"quota"`
	Size           int       `json:"sample_size"`
	DrawnBy        string    `json:"drawn_by"`
	DrawnAt        time.Time `json:"drawn_at"`
	Items          []Item    `json:"items"`
	Population     []Member  `json:"-"`
}

// Item is one sampled member and its check.
type Item struct {
	ID        int64      `json:"id"`
	Position  int        `json:"position"`
	Member               // the sampled member
	Result    string     `json:"result,omitempty"` // ok, problem; "" not yet checked
	Note      string     `json:"note,omitempty"`
	CheckedBy string     `json:"checked_by,omitempty"`
	CheckedAt *time.Time `json:"checked_at,omitempty"`
}

// Checked counts the items checked.
func (s Sample) Checked() int {
	n := 0
	for _, it := range s.Items {
		if it.Result != "" {
			n++
		}
	}
	return n
}

// Problems counts the items found with a problem.
func (s Sample) Problems() int {
	n := 0
	for _, it := range s.Items {
		if it.Result == "problem" {
			n++
		}
	}
	return n
}

// Met reports whether the week's checks meet the quota.
func (s Sample) Met() bool { return s.Checked() >= s.Quota && s.Quota > 0 }

// Percent is checked ÷ quota in whole percent, capped at 100, for a progress bar.
func (s Sample) Percent() int {
	if s.Quota == 0 {
		return 0
	}
	return min(100, s.Checked()*100/s.Quota)
}

const maxPopulation = 10000

// ParsePopulation reads an imported population: CSV rows "ref,label[,stratum]", an optional
// header row "ref,…". Every bad row is reported at once (up to 20); nothing is kept of a bad file.
func ParsePopulation(text string, strata []string) ([]Member, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var out []Member
	var bad []string
	seen := map[string]bool{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errs.Field("population", "sampling.population_csv", err.Error())
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "ref") {
			continue
		}
		m := Member{}
		if len(rec) >= 1 {
			m.Ref = strings.TrimSpace(rec[0])
		}
		if len(rec) >= 2 {
			m.Label = strings.TrimSpace(rec[1])
		}
		if len(rec) >= 3 {
			m.Stratum = strings.TrimSpace(rec[2])
		}
		switch {
		case len(rec) > 3 || m.Ref == "" || m.Label == "" || utf8.RuneCountInString(m.Label) > 200 || len(m.Ref) > 50:
			bad = append(bad, fmt.Sprint(line))
		case seen[m.Ref]:
			bad = append(bad, fmt.Sprintf("%d (%s)", line, m.Ref))
		case len(strata) > 0 && !contains(strata, m.Stratum):
			bad = append(bad, fmt.Sprintf("%d (%s)", line, m.Stratum))
		default:
			seen[m.Ref] = true
			out = append(out, m)
		}
		if len(out) > maxPopulation {
			return nil, errs.Field("population", "err.out_of_range", "1", "10000")
		}
	}
	if len(bad) > 20 {
		bad = append(bad[:20], "…")
	}
	if len(bad) > 0 {
		return nil, errs.Field("population", "sampling.population_rows", strings.Join(bad, ", "))
	}
	if len(out) == 0 {
		return nil, errs.Field("population", "sampling.population_empty")
	}
	return out, nil
}

// WorkOrderPopulation is the week's closed work orders, each a member with its team as stratum.
func WorkOrderPopulation(ctx context.Context, db *store.DB, week string) ([]Member, error) {
	from, to, err := WeekDays(week)
	if err != nil {
		return nil, err
	}
	orders, err := workorder.ClosedBetween(ctx, db, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(orders))
	for i, o := range orders {
		out[i] = Member{Ref: fmt.Sprintf("WO-%d", o.ID), Label: fmt.Sprintf("%s %s %s", o.CloseDay, o.Location, o.Fault), Stratum: o.Team}
	}
	return out, nil
}

// DrawWeek draws a plan's sample for a week and stores it with its seed and population. A
// sample size larger than the population is refused; without a size the quota is drawn, or
// the whole population when it is smaller than the quota (the quota then shows as unmet).
// A plan is drawn once a week: a second draw is refused, so nobody redraws until they like
// the sample.
func DrawWeek(ctx context.Context, db *store.DB, actor access.Principal, in DrawInput) (Sample, error) {
	var s Sample
	if !MayDraw(actor) {
		return s, errs.New(errs.Forbidden, "sampling.clerk_only")
	}
	if _, _, err := WeekDays(in.Week); err != nil {
		return s, err
	}
	if in.Size < 0 {
		return s, errs.Field("sample_size", "err.negative")
	}
	var plan Plan
	if err := db.Read(ctx, func(tx *store.Tx) (err error) { plan, err = getPlan(ctx, tx, in.PlanID); return err }); err != nil {
		return s, err
	}
	var pop []Member
	var err error
	if plan.Source == FromWorkOrders {
		pop, err = WorkOrderPopulation(ctx, db, in.Week)
		if err == nil && len(pop) == 0 {
			err = errs.Field("population", "sampling.population_empty")
		}
	} else {
		pop, err = ParsePopulation(in.Population, plan.Strata)
	}
	if err != nil {
		return s, err
	}
	quota := Quota(plan.MinCount, plan.MinBP, plan.Strata, pop)
	size := in.Size
	if size == 0 {
		size = min(quota, len(pop))
	}
	if size > len(pop) {
		return s, errs.Field("sample_size", "sampling.sample_too_large", size, len(pop))
	}
	var seed int64
	if in.Seed != nil {
		seed = *in.Seed
	} else {
		var b [8]byte
		rand.Read(b[:])
		seed = int64(binary.BigEndian.Uint64(b[:]) >> 1)
	}
	picked := Draw(pop, size, seed, plan.Strata)
	popJSON, err := json.Marshal(pop)
	if err != nil {
		return s, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sampling_draws WHERE plan_id = ? AND week = ?", plan.ID, in.Week).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "sampling.already_drawn", plan.Name, in.Week)
		}
		s = Sample{Plan: plan, Week: in.Week, Seed: seed, PopulationSize: len(pop), Quota: quota, Size: size, DrawnBy: actor.DisplayName(), DrawnAt: tx.Now, Population: pop}
		s.ID, err = tx.InsertID(ctx, `INSERT INTO sampling_draws (plan_id, week, seed, population_json, population_size, quota, sample_size, drawn_by, drawn_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, plan.ID, in.Week, seed, string(popJSON), len(pop), quota, size, s.DrawnBy, tx.Now)
		if err != nil {
			return err
		}
		for i, m := range picked {
			it := Item{Position: i + 1, Member: m}
			if it.ID, err = tx.InsertID(ctx, "INSERT INTO sampling_items (draw_id, position, ref, label, stratum) VALUES (?, ?, ?, ?, ?)", s.ID, i+1, m.Ref, m.Label, m.Stratum); err != nil {
				return err
			}
			s.Items = append(s.Items, it)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "sampling_draw", EntityID: s.ID,
			After: map[string]any{"plan": plan.Code, "week": in.Week, "seed": seed, "population_size": len(pop), "quota": quota, "sample": picked}})
	})
	return s, err
}

// CheckItem records the check of a sampled item: ok, or a problem with a note.
func CheckItem(ctx context.Context, db *store.DB, actor access.Principal, itemID int64, result, note string) error {
	if !MayDraw(actor) {
		return errs.New(errs.Forbidden, "sampling.clerk_only")
	}
	note = strings.TrimSpace(note)
	switch {
	case result != "ok" && result != "problem":
		return errs.Field("sample_result", "err.invalid_choice", result)
	case result == "problem" && note == "":
		return errs.Field("sample_note", "sampling.problem_needs_note")
	case utf8.RuneCountInString(note) > 1000:
		return errs.Field("sample_note", "err.too_long", 1000)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var before string
		err := tx.QueryRow(ctx, "SELECT result FROM sampling_items WHERE id = ?", itemID).Scan(&before)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "sampling.item_not_found", itemID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE sampling_items SET result = ?, note = ?, checked_by = ?, checked_at = ? WHERE id = ?", result, note, actor.DisplayName(), tx.Now, itemID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "check", Entity: "sampling_item", EntityID: itemID,
			Before: map[string]any{"result": before}, After: map[string]any{"result": result, "note": note}})
	})
}

// GetSample returns a draw with its items and stored population, to those who MayRead.
func GetSample(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Sample, error) {
	var s Sample
	if !MayRead(actor) {
		return s, errs.New(errs.Forbidden, "sampling.read_forbidden")
	}
	err := db.Read(ctx, func(tx *store.Tx) (err error) { s, err = getSample(ctx, tx, id); return err })
	return s, err
}

const (
	drawColumns = "id, plan_id, week, seed, population_json, population_size, quota, sample_size, drawn_by, drawn_at"
	itemColumns = "id, position, ref, label, stratum, result, note, checked_by, checked_at"
)

func scanDraw(row interface{ Scan(...any) error }) (Sample, int64, error) {
	var s Sample
	var planID int64
	var pop string
	if err := row.Scan(&s.ID, &planID, &s.Week, &s.Seed, &pop, &s.PopulationSize, &s.Quota, &s.Size, &s.DrawnBy, &s.DrawnAt); err != nil {
		return s, 0, err
	}
	s.DrawnAt = s.DrawnAt.UTC()
	if err := json.Unmarshal([]byte(pop), &s.Population); err != nil {
		return s, 0, fmt.Errorf("draw %d population: %w", s.ID, err)
	}
	return s, planID, nil
}

// scanItem reads an item; leading are destinations of columns selected before itemColumns.
func scanItem(row interface{ Scan(...any) error }, leading ...any) (Item, error) {
	var it Item
	var at sql.NullTime
	dest := append(leading, &it.ID, &it.Position, &it.Ref, &it.Label, &it.Stratum, &it.Result, &it.Note, &it.CheckedBy, &at)
	if err := row.Scan(dest...); err != nil {
		return it, err
	}
	if at.Valid {
		t := at.Time.UTC()
		it.CheckedAt = &t
	}
	return it, nil
}

func getSample(ctx context.Context, tx *store.Tx, id int64) (Sample, error) {
	s, planID, err := scanDraw(tx.QueryRow(ctx, "SELECT "+drawColumns+" FROM sampling_draws WHERE id = ?", id))
	if store.IsNoRows(err) {
		return s, errs.New(errs.NotFound, "sampling.draw_not_found", id)
	}
	if err != nil {
		return s, err
	}
	if s.Plan, err = getPlan(ctx, tx, planID); err != nil {
		return s, err
	}
	rows, err := tx.Query(ctx, "SELECT "+itemColumns+" FROM sampling_items WHERE draw_id = ? ORDER BY position", id)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return s, err
		}
		s.Items = append(s.Items, it)
	}
	return s, rows.Err()
}

// Verify redraws a stored sample from its seed and population and reports whether it gives
// the same members in the same order: the audit of a draw.
func Verify(s Sample) bool {
	again := Draw(s.Population, s.Size, s.Seed, s.Plan.Strata)
	if len(again) != len(s.Items) {
		return false
	}
	for i := range again {
		if again[i].Ref != s.Items[i].Ref {
			return false
		}
	}
	return true
}

// Week is every active plan with its draw of a week (nil when not drawn yet): the weekly
// service-quality report for the GM meeting.
type Week struct {
	Week    string
	From    string
	To      string
	Plans   []Plan
	Samples map[int64]*Sample // by plan id
}

// Met reports whether every plan's quota is met.
func (w Week) Met() bool {
	for _, p := range w.Plans {
		if s := w.Samples[p.ID]; s == nil || !s.Met() {
			return false
		}
	}
	return len(w.Plans) > 0
}

// Report returns a week's plans and samples, to those who MayRead.
func Report(ctx context.Context, db *store.DB, actor access.Principal, week string) (Week, error) {
	w := Week{Week: week, Samples: map[int64]*Sample{}}
	if !MayRead(actor) {
		return w, errs.New(errs.Forbidden, "sampling.read_forbidden")
	}
	var err error
	if w.From, w.To, err = WeekDays(week); err != nil {
		return w, err
	}
	if w.Plans, err = plans(ctx, db, nil); err != nil {
		return w, err
	}
	plans := map[int64]Plan{}
	for _, p := range w.Plans {
		plans[p.ID] = p
	}
	// The week's draws and all their items in two queries, whatever the number of plans.
	err = db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+drawColumns+" FROM sampling_draws WHERE week = ?", week)
		if err != nil {
			return err
		}
		byDraw := map[int64]*Sample{}
		var ids []int64
		for rows.Next() {
			s, planID, err := scanDraw(rows)
			if err != nil {
				rows.Close()
				return err
			}
			p, ok := plans[planID]
			if !ok {
				continue // a plan since deactivated: not in this week's report
			}
			s.Plan = p
			byDraw[s.ID], w.Samples[planID] = &s, &s
			ids = append(ids, s.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		in, args := store.In("draw_id", ids)
		items, err := tx.Query(ctx, "SELECT draw_id, "+itemColumns+" FROM sampling_items WHERE "+in+" ORDER BY draw_id, position", args...)
		if err != nil {
			return err
		}
		defer items.Close()
		for items.Next() {
			var drawID int64
			it, err := scanItem(items, &drawID)
			if err != nil {
				return err
			}
			byDraw[drawID].Items = append(byDraw[drawID].Items, it)
		}
		return items.Err()
	})
	return w, err
}

// LatestWeek is the newest week with a draw, "" when there is none: the report a clerk most
// likely wants to see.
func LatestWeek(ctx context.Context, db *store.DB) (string, error) {
	var w sql.NullString
	err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT MAX(week) FROM sampling_draws").Scan(&w)
	})
	return w.String, err
}

// DrawOf returns the id of the draw a sampled item belongs to.
func DrawOf(ctx context.Context, db *store.DB, itemID int64) (int64, error) {
	var id int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, "SELECT draw_id FROM sampling_items WHERE id = ?", itemID).Scan(&id)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "sampling.item_not_found", itemID)
		}
		return err
	})
	return id, err
}
