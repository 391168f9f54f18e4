package target

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Target is a stored target.
type Target struct {
	ID          int64      `json:"id"`
	Code        string     `json:"code"`
	Measure     string     `json:"measure"`
	Kind        Kind       `json:"kind"`
	Comparison  Comparison `json:"comparison"`
	ThresholdBP int        `json:"threshold"` // basis points for a rate, a number for a count
	UnitID      int64      `json:"unit_id,omitempty"`
	UnitName    string     `json:"unit_name,omitempty"`
}

// Templates are the seeds' targets, stored at the first start: the general service standards
// (服务质量的管理制度) and the engineering company's quality targets (工程服务质量管理办法). They
// hold for the whole organisation; a unit without records for a measure shows "not measured".
var Templates = []Target{
	{Code: "svc-satisfaction", Measure: "survey_satisfaction", Comparison: AtLeast, ThresholdBP: 8500},
	{Code: "svc-response-24h", Measure: "complaint_reply_24h", Comparison: AtLeast, ThresholdBP: 10000},
	{Code: "svc-on-time", Measure: "complaint_on_time", Comparison: AtLeast, ThresholdBP: 9700},
	{Code: "svc-booking-response-24h", Measure: "booking_response_24h", Comparison: AtLeast, ThresholdBP: 10000},
	{Code: "svc-booking-on-time", Measure: "booking_on_time", Comparison: AtLeast, ThresholdBP: 9700},
	{Code: "eng-fulfilment", Measure: "contract_fulfilment", Comparison: AtLeast, ThresholdBP: 10000},
	{Code: "eng-first-pass", Measure: "first_pass", Comparison: Above, ThresholdBP: 9600},
	{Code: "eng-satisfaction", Measure: "project_satisfaction", Comparison: Above, ThresholdBP: 9300},
	{Code: "eng-plan-filing", Measure: "plan_breaches", Comparison: Exactly, ThresholdBP: 0},
}

// Engine evaluates targets over the measures the areas provide.
type Engine struct {
	DB       *store.DB
	measures map[string]Measure
}

// NewEngine returns an engine over the measures.
func NewEngine(db *store.DB, measures ...Measure) *Engine {
	e := &Engine{DB: db, measures: map[string]Measure{}}
	for _, m := range measures {
		e.measures[m.Name()] = m
	}
	return e
}

// Seed stores the templates whose code is not stored yet. Safe at every start and on several
// instances at once.
func Seed(ctx context.Context, db *store.DB) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, t := range Templates {
			if _, err := tx.Exec(ctx, `INSERT INTO service_targets (code, measure, comparison, threshold_bp, active, created_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, t.Code, t.Measure, string(t.Comparison), t.ThresholdBP, true, tx.Now); err != nil {
				return fmt.Errorf("seed target %s: %w", t.Code, err)
			}
		}
		return nil
	})
}

// Input sets a target: its threshold in percent for a rate (e.g. 96.5) or a number for a count.
type Input struct {
	Code       string
	Comparison Comparison
	Threshold  string
	UnitID     int64
}

// MayEdit reports whether p may change targets: an administrator or a clerk. Save enforces
// it and pages offer the form only then.
func MayEdit(p access.Principal) bool { return p.HasAny(access.Admin, access.Clerk) }

// Save changes a target's comparison, threshold and unit. Only those who MayEdit may;
// a percentage outside 0–100 and a threshold that no rate can meet are refused.
func (e *Engine) Save(ctx context.Context, actor access.Principal, in Input) (Target, error) {
	if !MayEdit(actor) {
		return Target{}, errs.New(errs.Forbidden, "err.forbidden")
	}
	var out Target
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		before, err := getByCode(ctx, tx, in.Code)
		if err != nil {
			return err
		}
		m, ok := e.measures[before.Measure]
		if !ok {
			return errs.Field("target_code", "target.measure_unknown", before.Measure)
		}
		if !in.Comparison.Valid() {
			return errs.Field("target_comparison", "err.invalid_choice", string(in.Comparison))
		}
		threshold, err := parseThreshold(m.Kind(), in.Threshold)
		if err != nil {
			return err
		}
		if err := Meetable(m.Kind(), in.Comparison, threshold); err != nil {
			return errs.Field("target_threshold", "target.unmeetable", in.Threshold)
		}
		var unit any
		if in.UnitID != 0 {
			unit = in.UnitID
			tree, err := org.LoadTree(ctx, tx)
			if err != nil {
				return err
			}
			if _, ok := tree.Unit(in.UnitID); !ok {
				return errs.Field("target_unit", "org.ref_missing", in.UnitID)
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE service_targets SET comparison = ?, threshold_bp = ?, unit_id = ? WHERE id = ?",
			string(in.Comparison), threshold, unit, before.ID); err != nil {
			return err
		}
		if out, err = getByCode(ctx, tx, in.Code); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "service_target", EntityID: out.ID, Before: before, After: out})
	})
	return out, err
}

// parseThreshold reads a percentage with up to two decimals, "%" optional (a rate, in basis
// points), or a whole number (a count).
func parseThreshold(k Kind, s string) (int, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if k == Count {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, errs.Field("target_threshold", "target.count_invalid", s)
		}
		return n, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.Atoi(whole)
	if err != nil || len(frac) > 2 || strings.ContainsAny(frac, "+-") {
		return 0, errs.Field("target_threshold", "target.percent_invalid", s)
	}
	f := 0
	if frac != "" {
		if f, err = strconv.Atoi((frac + "0")[:2]); err != nil {
			return 0, errs.Field("target_threshold", "target.percent_invalid", s)
		}
	}
	if strings.HasPrefix(whole, "-") || w*100+f > 10000 {
		return 0, errs.Field("target_threshold", "target.percent_range", s)
	}
	return w*100 + f, nil
}

const columns = "t.id, t.code, t.measure, t.comparison, t.threshold_bp, t.unit_id, COALESCE(u.name, '')"

func scan(row interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var unit sql.NullInt64
	err := row.Scan(&t.ID, &t.Code, &t.Measure, &t.Comparison, &t.ThresholdBP, &unit, &t.UnitName)
	t.UnitID = unit.Int64
	return t, err
}

func getByCode(ctx context.Context, tx *store.Tx, code string) (Target, error) {
	t, err := scan(tx.QueryRow(ctx, "SELECT "+columns+" FROM service_targets t LEFT JOIN units u ON u.id = t.unit_id WHERE t.code = ?", code))
	if store.IsNoRows(err) {
		return t, errs.Field("target_code", "target.unknown", code)
	}
	return t, err
}

// Row is a target's attainment for one unit and month.
type Row struct {
	UnitID   int64
	UnitName string
	Figure   Figure
	Value    int  // basis points for a rate, a number for a count
	Measured bool // false: nothing to measure (a rate with no denominator)
	Attained bool
}

// Breach reports whether the row was measured and missed its target.
func (r Row) Breach() bool { return r.Measured && !r.Attained }

// Attainment is one target over one month: a row per unit holding records (the records' own
// units, in the actor's scope), and the total over the target's unit.
type Attainment struct {
	Target Target
	Total  Row
	Rows   []Row
}

// Month evaluates every active target over month (YYYY-MM) for the units the actor may read:
// one query per measure, whatever the number of units.
func (e *Engine) Month(ctx context.Context, actor access.Principal, month string, zone *time.Location) ([]Attainment, error) {
	from, to, err := MonthBounds(month, zone)
	if err != nil {
		return nil, errs.Field("month", "err.invalid_month", month)
	}
	var out []Attainment
	err = e.DB.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+columns+" FROM service_targets t LEFT JOIN units u ON u.id = t.unit_id WHERE t.active = ? ORDER BY t.code", true)
		if err != nil {
			return err
		}
		var targets []Target
		for rows.Next() {
			t, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			targets = append(targets, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		figures := map[string]map[int64]*Figure{}
		for _, t := range targets {
			m, ok := e.measures[t.Measure]
			if !ok {
				continue // a measure of an area this installation does not run
			}
			t.Kind = m.Kind()
			if figures[t.Measure] == nil {
				if figures[t.Measure], err = m.Figures(ctx, tx, from, to); err != nil {
					return fmt.Errorf("measure %s: %w", t.Measure, err)
				}
			}
			out = append(out, attain(t, figures[t.Measure], tree, actor))
		}
		return nil
	})
	return out, err
}

// attain adds up a target's figures over its unit and keeps the rows the actor may read.
func attain(t Target, byUnit map[int64]*Figure, tree *org.Tree, actor access.Principal) Attainment {
	a := Attainment{Target: t, Total: Row{UnitID: t.UnitID, UnitName: t.UnitName}}
	within := func(id int64) bool {
		if t.UnitID == 0 {
			return true
		}
		for _, anc := range tree.Ancestry(id) {
			if anc == t.UnitID {
				return true
			}
		}
		return false
	}
	for id, f := range byUnit {
		if !within(id) || !actor.Can(access.Read, tree.Ancestry(id)) {
			continue
		}
		u, _ := tree.Unit(id)
		a.Rows = append(a.Rows, row(t, Row{UnitID: id, UnitName: u.Name, Figure: *f}))
		a.Total.Figure.Add(f)
	}
	sort.Slice(a.Rows, func(i, j int) bool { return a.Rows[i].UnitName < a.Rows[j].UnitName })
	a.Total = row(t, a.Total)
	return a
}

func row(t Target, r Row) Row {
	r.Value, r.Measured = r.Figure.Value(t.Kind)
	r.Attained = r.Measured && Attained(r.Value, t.Comparison, t.ThresholdBP)
	return r
}

// Format shows a value of the target's measure: "96.50 %" for a rate, "2" for a count.
func (t Target) Format(v int) string {
	if t.Kind == Rate {
		return fmt.Sprintf("%d.%02d %%", v/100, v%100)
	}
	return strconv.Itoa(v)
}

// Rule is the target as the seed writes it, e.g. "> 96.00 %".
func (t Target) Rule() string {
	op := map[Comparison]string{AtLeast: "≥", Above: ">", AtMost: "≤", Exactly: "="}[t.Comparison]
	return op + " " + t.Format(t.ThresholdBP)
}

// BreachSource is the improvement source of a target's breach by a unit in a month: the
// breach is computed again here, so an item cannot be raised for a target that was met. The
// month must have ended, as an attainment of a month still filling up is no breach yet.
func (e *Engine) BreachSource(ctx context.Context, actor access.Principal, code string, unitID int64, month string, zone *time.Location) (improvement.Source, error) {
	_, to, err := MonthBounds(month, zone)
	if err != nil {
		return improvement.Source{}, errs.Field("month", "err.invalid_month", month)
	}
	rows, err := e.Month(ctx, actor, month, zone)
	if err != nil {
		return improvement.Source{}, err
	}
	for _, a := range rows {
		if a.Target.Code != code {
			continue
		}
		for _, r := range append(a.Rows, a.Total) {
			if r.UnitID != unitID || r.UnitID == 0 || !r.Breach() || e.DB.Now().Before(to) {
				continue
			}
			return improvement.Source{Kind: improvement.TargetBreach, Ref: improvement.BreachRef(code, unitID, month),
				URL: "/targets?month=" + month + "&target=" + code + "&unit=" + strconv.FormatInt(unitID, 10), UnitID: unitID,
				On: to.In(zone).AddDate(0, 0, -1).Format(time.DateOnly), Problem: a.Target.Code + " " + a.Target.Rule() + ": " + a.Target.Format(r.Value)}, nil
		}
	}
	return improvement.Source{}, errs.Field("source_id", "imp.not_a_breach")
}

// RaiseFromBreach raises the improvement item of a breach named by its reference
// (improvement.BreachRef: "code/unit/month"), after computing the breach again: the one path
// the targets page and the API take.
func (e *Engine) RaiseFromBreach(ctx context.Context, actor access.Principal, ref string, in improvement.Input, zone *time.Location) (improvement.Item, error) {
	code, rest, _ := strings.Cut(ref, "/")
	unitStr, month, _ := strings.Cut(rest, "/")
	unit, err := strconv.ParseInt(unitStr, 10, 64)
	if err != nil || code == "" || month == "" {
		return improvement.Item{}, errs.Field("source_id", "imp.not_a_breach")
	}
	src, err := e.BreachSource(ctx, actor, code, unit, month, zone)
	if err != nil {
		return improvement.Item{}, err
	}
	return improvement.RaiseFrom(ctx, e.DB, actor, src, in)
}
