package assessment

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// Engine closes periods over the registered fact sources. The ledger is always one of them;
// other areas add theirs (cmd/manyi passes them in).
type Engine struct {
	DB      *store.DB
	Sources []Source
}

// NewEngine returns an engine over the given sources.
func NewEngine(db *store.DB, sources ...Source) *Engine {
	return &Engine{DB: db, Sources: sources}
}

// CloseStatus is where a close is in its workflow.
type CloseStatus string

const (
	Draft    CloseStatus = "draft"    // computed, under review; decisions and recomputes allowed
	Approved CloseStatus = "approved" // 审定 by the committee; results frozen
	Locked   CloseStatus = "locked"   // final; reopening makes a new version
)

// Close is one version of the close of a scheme for a period.
type Close struct {
	ID            int64       `json:"id"`
	SchemeCode    string      `json:"scheme_code"`
	SchemeVersion int         `json:"scheme_version"`
	Period        string      `json:"period"`
	ParentUnitID  int64       `json:"parent_unit_id"`
	Version       int         `json:"version"`
	Status        CloseStatus `json:"status"`
	Superseded    bool        `json:"superseded"`
	// MissingFacts are facts the scheme needs that no registered source provides. While a
	// close has them and no decision covers them, nothing is computed.
	MissingFacts  []string   `json:"missing_facts,omitempty"`
	MissingReason string     `json:"missing_reason,omitempty"` // the decision: taken as zero, because …
	MissingBy     string     `json:"missing_by,omitempty"`
	ReopenReason  string     `json:"reopen_reason,omitempty"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ComputedAt    *time.Time `json:"computed_at,omitempty"`
	ApprovedBy    string     `json:"approved_by,omitempty"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	LockedBy      string     `json:"locked_by,omitempty"`
	LockedAt      *time.Time `json:"locked_at,omitempty"`
	// BudgetOver is how far approving the close took the quality work group's yearly budget
	// over ("" within it), recorded at approval.
	BudgetOver string `json:"budget_over,omitempty"`
}

// Uncovered reports whether the close has facts without a source that no decision covers.
func (c Close) Uncovered() bool { return len(c.MissingFacts) > 0 && c.MissingReason == "" }

// DecisionKind is what a clerk decided about an incomplete subject.
type DecisionKind string

const (
	Award   DecisionKind = "award"   // give a missing fact a value, e.g. the survey a band
	Exclude DecisionKind = "exclude" // no opinion this period
)

// Decision is a clerk's decision on one subject of a close.
type Decision struct {
	ID        int64        `json:"id"`
	CloseID   int64        `json:"close_id"`
	UnitID    int64        `json:"unit_id"`
	PersonID  int64        `json:"person_id,omitempty"`
	Kind      DecisionKind `json:"kind"`
	Fact      string       `json:"fact,omitempty"`
	Value     string       `json:"value,omitempty"`
	Reason    string       `json:"reason"`
	DecidedBy string       `json:"decided_by"`
	DecidedAt time.Time    `json:"decided_at"`
}

// Result is one subject's stored result.
type Result struct {
	ID      int64 `json:"id"`
	CloseID int64 `json:"close_id"`
	UnitID  int64 `json:"unit_id"`
	// PersonID is the person assessed (person schemes) or charged (the unit's head, unit-head
	// schemes); 0 for a unit.
	PersonID int64               `json:"person_id,omitempty"`
	Result   scheme.Result       `json:"result"`
	Facts    map[string]any      `json:"facts"`
	Records  map[string][]Record `json:"records"`
	// Decided is set when the result follows a decision (filled by the read functions).
	Decision *Decision `json:"decision,omitempty"`
	Rank     int       `json:"rank,omitempty"` // 1 for the best total among scored results
}

// Subject returns whom the result belongs to.
func (r Result) Subject() Subject { return Subject{UnitID: r.UnitID, PersonID: r.PersonID} }

// Undecided reports whether the result is incomplete and no decision covers it.
func (r Result) Undecided() bool { return r.Result.Status == scheme.Incomplete && r.Decision == nil }

const closeColumns = `id, scheme_code, scheme_version, period, parent_unit_id, version, status, superseded, missing_facts, missing_reason, missing_by,
	reopen_reason, created_by, created_at, computed_at, approved_by, approved_at, locked_by, locked_at, budget_over`

func scanClose(row store.Scanner) (Close, error) {
	var c Close
	var missing string
	var computed, approved, locked sql.NullTime
	err := row.Scan(&c.ID, &c.SchemeCode, &c.SchemeVersion, &c.Period, &c.ParentUnitID, &c.Version, &c.Status, &c.Superseded,
		&missing, &c.MissingReason, &c.MissingBy, &c.ReopenReason, &c.CreatedBy, &c.CreatedAt, &computed, &c.ApprovedBy, &approved, &c.LockedBy, &locked, &c.BudgetOver)
	if missing != "" {
		c.MissingFacts = strings.Split(missing, ",")
	}
	c.CreatedAt = c.CreatedAt.UTC()
	c.ComputedAt, c.ApprovedAt, c.LockedAt = timep(computed), timep(approved), timep(locked)
	return c, err
}

func timep(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func getClose(ctx context.Context, tx *store.Tx, id int64) (Close, error) {
	c, err := scanClose(tx.QueryRow(ctx, "SELECT "+closeColumns+" FROM assessment_closes WHERE id = ?", id))
	if store.IsNoRows(err) {
		return c, errs.New(errs.NotFound, "assessment.close_not_found", id)
	}
	return c, errs.Wrapf(err, "get close %d", id)
}

// StartInput starts the close of a scheme for a period over the subjects under a parent unit.
type StartInput struct {
	SchemeCode   string
	Period       string
	ParentUnitID int64
}

// Start creates version 1 of a close and computes it. A scheme and period have one close
// (with its versions); a second start is a conflict naming the first.
func (e *Engine) Start(ctx context.Context, actor access.Principal, in StartInput) (Close, error) {
	var c Close
	in.SchemeCode, in.Period = strings.TrimSpace(in.SchemeCode), strings.TrimSpace(in.Period)
	if in.SchemeCode == "" {
		return c, errs.Required("assessment_scheme")
	}
	if in.Period == "" {
		return c, errs.Required("assessment_period")
	}
	if in.ParentUnitID == 0 {
		return c, errs.Required("assessment_parent")
	}
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return c, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		v, sch, err := activeScheme(ctx, tx, in.SchemeCode)
		if err != nil {
			return err
		}
		p, err := scheme.ParsePeriod(in.Period)
		if err != nil || p.Kind != sch.Period {
			return errs.Field("assessment_period", "assessment.bad_period", in.Period, sch.Period)
		}
		if _, end := bounds(p); end.After(tx.Now) {
			return errs.Field("assessment_period", "assessment.period_not_over", in.Period)
		}
		if _, ok := tree.Unit(in.ParentUnitID); !ok {
			return errs.Field("assessment_parent", "assessment.unit_unknown", in.ParentUnitID)
		}
		if !actor.HoldsOver(tree.Ancestry(in.ParentUnitID), access.Clerk) {
			return errs.New(errs.Forbidden, "assessment.clerk_only")
		}
		subs, err := tree.subjectsOf(ctx, tx, sch, in.ParentUnitID)
		if err != nil {
			return err
		}
		if len(subs) == 0 {
			u, _ := tree.Unit(in.ParentUnitID)
			return errs.Field("assessment_parent", "assessment.no_subjects", u.Name, v.Code)
		}
		var existing int64
		err = tx.QueryRow(ctx, "SELECT id FROM assessment_closes WHERE scheme_code = ? AND period = ? ORDER BY version DESC LIMIT 1", in.SchemeCode, in.Period).Scan(&existing)
		if err == nil {
			// A conflict, naming the period: the clerk continues in the existing close.
			return &errs.Error{Code: errs.Conflict, Field: "assessment_period", Key: "assessment.close_exists_field", Args: []any{in.Period, in.SchemeCode, existing}}
		}
		if !store.IsNoRows(err) {
			return err
		}
		c = Close{SchemeCode: v.Code, SchemeVersion: v.Version, Period: in.Period, ParentUnitID: in.ParentUnitID, Version: 1, Status: Draft, CreatedBy: actor.Login(), CreatedAt: tx.Now}
		if c.ID, err = insertClose(ctx, tx, c); err != nil {
			return err
		}
		if err := e.compute(ctx, tx, &c, sch, tree); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "assessment_close", EntityID: c.ID, UnitID: c.ParentUnitID, After: c})
	})
	return c, err
}

func insertClose(ctx context.Context, tx *store.Tx, c Close) (int64, error) {
	id, err := tx.InsertID(ctx, `INSERT INTO assessment_closes (scheme_code, scheme_version, period, parent_unit_id, version, status, superseded,
		missing_facts, missing_reason, missing_by, reopen_reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.SchemeCode, c.SchemeVersion, c.Period, c.ParentUnitID, c.Version, string(c.Status), false,
		strings.Join(c.MissingFacts, ","), c.MissingReason, c.MissingBy, c.ReopenReason, c.CreatedBy, c.CreatedAt)
	if store.IsUniqueViolation(err) {
		return 0, errs.New(errs.Conflict, "assessment.close_exists", c.SchemeCode, c.Period, 0)
	}
	return id, errs.Wrapf(err, "insert close")
}

// bounds returns the start (inclusive) and end (exclusive) of a period in the organisation's
// time zone, as UTC instants.
func bounds(p scheme.Period) (time.Time, time.Time) {
	var from, to time.Time
	switch p.Kind {
	case scheme.Month:
		from = time.Date(p.Year, time.Month(p.N), 1, 0, 0, 0, 0, Zone)
		to = from.AddDate(0, 1, 0)
	case scheme.Quarter:
		from = time.Date(p.Year, time.Month(3*p.N-2), 1, 0, 0, 0, 0, Zone)
		to = from.AddDate(0, 3, 0)
	case scheme.Week:
		// ISO week 1 holds 4 January; weeks start on Monday.
		jan4 := time.Date(p.Year, 1, 4, 0, 0, 0, 0, Zone)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		from = monday.AddDate(0, 0, 7*(p.N-1))
		to = from.AddDate(0, 0, 7)
	default:
		from = time.Date(p.Year, 1, 1, 0, 0, 0, 0, Zone)
		to = from.AddDate(1, 0, 0)
	}
	return from.UTC(), to.UTC()
}

// CloseParents lists the units the actor may start a close for, in tree order: the active
// companies and departments over which the actor holds the clerk role (the check Start makes)
// with a subject anywhere below them, so a company whose only section sits under a department
// (物流公司) is offered. A group of companies is not: each of its companies is closed for itself.
func CloseParents(tree *org.Tree, actor access.Principal) []org.Unit {
	groups := map[int64]bool{}
	for _, u := range tree.Ordered() {
		if u.Kind == org.Company && u.Active {
			groups[u.ParentID] = true
		}
	}
	var out []org.Unit
	for _, u := range tree.Ordered() {
		if u.Active && (u.Kind == org.Company || u.Kind == org.Department) && !groups[u.ID] &&
			actor.HoldsOver(tree.Ancestry(u.ID), access.Clerk) && hasAnySubject(tree, nil, u.ID) {
			out = append(out, u)
		}
	}
	return out
}

// missingFacts lists the scheme's facts that no source provides.
func (e *Engine) missingFacts(sch *scheme.Scheme) []string {
	provided := map[string]bool{}
	for _, s := range e.Sources {
		for _, n := range s.Provides() {
			provided[n] = true
		}
	}
	if sch.Weights != nil && sch.Weights.Fact != "" {
		// The weights come from the scheme version the committee set, not from an area.
		provided[sch.Weights.Fact] = true
	}
	var out []string
	for _, n := range sch.FactNames() {
		if !provided[n] {
			out = append(out, n)
		}
	}
	return out
}

// compute (re)computes a draft close's results in tx: it gathers each subject's facts for every
// period of the year up to the close's (earlier periods from their approved or locked closes
// where there are any, so multi-period rules see what was decided then), applies the
// decisions, evaluates and replaces the stored results. When facts have no source and no
// decision covers them, it stores no result and records which facts are missing.
func (e *Engine) compute(ctx context.Context, tx *store.Tx, c *Close, sch *scheme.Scheme, tree *orgSnapshot) error {
	missing := e.missingFacts(sch)
	if strings.Join(missing, ",") != strings.Join(c.MissingFacts, ",") {
		// The sources changed since the decision: an old decision does not cover new facts.
		c.MissingFacts, c.MissingReason, c.MissingBy = missing, "", ""
	}
	for _, n := range c.MissingFacts {
		if t := factType(sch, n); t != scheme.Count && t != scheme.Number && t != scheme.Numbers {
			// A list of records or rows cannot be decided to be zero: the evidence must come
			// from its area, so the close cannot start.
			return errs.Field("assessment_scheme", "assessment.evidence_missing", sch.Code, n)
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM assessment_results WHERE close_id = ?", c.ID); err != nil {
		return fmt.Errorf("clear results: %w", err)
	}
	if c.Uncovered() {
		c.ComputedAt = nil
		return updateCloseState(ctx, tx, c)
	}
	evaluated, err := e.evaluate(ctx, tx, c, sch, tree)
	if err != nil {
		return err
	}
	if err := insertResults(ctx, tx, c.ID, evaluated); err != nil {
		return err
	}
	now := tx.Now
	c.ComputedAt = &now
	return updateCloseState(ctx, tx, c)
}

// evaluate gathers each subject's facts of c's period (and of the year's earlier periods, for
// multi-period rules), applies c's decisions and evaluates the scheme, without storing
// anything: compute stores what it returns, a report reads it as the provisional result.
func (e *Engine) evaluate(ctx context.Context, tx *store.Tx, c *Close, sch *scheme.Scheme, tree *orgSnapshot) ([]Result, error) {
	var out []Result
	p, _ := scheme.ParsePeriod(c.Period)
	decisions, err := listDecisions(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	subs, err := tree.subjectsOf(ctx, tx, sch, c.ParentUnitID)
	if err != nil {
		return nil, err
	}
	// The facts of all subjects are gathered together, a fixed number of queries per source
	// and period whatever the number of subjects: the closed period with its records, then the
	// earlier periods of the year.
	facts, records, err := e.gather(ctx, tx, sch, c, subs, []scheme.Period{p}, tree, false)
	if err != nil {
		return nil, err
	}
	var earlier []scheme.Period
	for q := firstOfYear(p); q != p; q = q.Next() {
		earlier = append(earlier, q)
	}
	before, err := e.earlierFacts(ctx, tx, sch, c, subs, earlier, tree)
	if err != nil {
		return nil, err
	}
	type gathered struct {
		facts   map[string]any
		records map[string][]Record
	}
	current := map[Subject]gathered{}
	var input []scheme.SubjectFacts
	for i, sub := range subs {
		sf := scheme.SubjectFacts{ID: sub.key(), Periods: map[string]map[string]any{}}
		for j, q := range earlier {
			if before[i][j] != nil {
				sf.Periods[q.String()] = before[i][j]
			}
		}
		f := facts[i][0]
		if d, ok := decisions[sub]; ok && d.Kind == Award && empty(f[d.Fact]) {
			f[d.Fact] = awarded(sch, d)
		}
		current[sub] = gathered{f, records[i][0]}
		sf.Periods[p.String()] = f
		input = append(input, sf)
	}
	results, err := sch.Evaluate(input...)
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.Period != c.Period {
			continue
		}
		sub := parseSubjectKey(r.Subject)
		if d, ok := decisions[sub]; ok && d.Kind == Exclude && r.Status == scheme.Incomplete {
			reason := scheme.Text{ZH: "按决定不出具考评意见：" + d.Reason, EN: "No opinion by decision: " + d.Reason}
			r = scheme.Result{Subject: r.Subject, Period: r.Period, Scheme: r.Scheme, Version: r.Version, Status: scheme.NoOpinion, Reason: &reason, Flags: []string{}}
		}
		g := current[sub]
		out = append(out, Result{UnitID: sub.UnitID, PersonID: sub.PersonID, Result: r, Facts: g.facts, Records: g.records})
	}
	return out, nil
}

// firstOfYear is the first period of p's year (p itself for a yearly scheme).
func firstOfYear(p scheme.Period) scheme.Period {
	if p.Kind == scheme.Year {
		return p
	}
	return scheme.Period{Kind: p.Kind, Year: p.Year, N: 1}
}

func factType(sch *scheme.Scheme, name string) scheme.FactType {
	for _, f := range sch.Facts {
		if f.Name == name {
			return f.Type
		}
	}
	return ""
}

// empty reports whether a fact's value is nothing: 0 or an empty list. A decision only fills
// a fact that is empty, so evidence recorded later wins over an award.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []int:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case int:
		return x == 0
	case json.Number:
		return x == "0"
	}
	return false
}

// awarded is a decision's value as the fact's type: a list of one for a list fact.
func awarded(sch *scheme.Scheme, d Decision) any {
	if factType(sch, d.Fact) == scheme.Numbers {
		return []any{json.Number(d.Value)}
	}
	return json.Number(d.Value)
}

// gather asks every source for its facts of the subjects over the periods: out[i][j] for
// subs[i] and periods[j]. Facts without a source are zero by the close's decision. With
// totals, the sources give values from their running totals and no records.
func (e *Engine) gather(ctx context.Context, tx *store.Tx, sch *scheme.Scheme, c *Close, subs []Subject, periods []scheme.Period, tree *orgSnapshot, totals bool) ([][]map[string]any, [][]map[string][]Record, error) {
	b := Batch{Totals: totals}
	for _, sub := range subs {
		b.Subjects = append(b.Subjects, BatchSubject{UnitID: sub.UnitID, PersonID: sub.PersonID, Units: tree.Subtree(sub.UnitID)})
	}
	for _, p := range periods {
		from, to := bounds(p)
		b.Periods = append(b.Periods, Span{Period: p.String(), From: from, To: to})
	}
	facts, records := make([][]map[string]any, len(subs)), make([][]map[string][]Record, len(subs))
	for i := range subs {
		facts[i], records[i] = make([]map[string]any, len(periods)), make([]map[string][]Record, len(periods))
		for j := range periods {
			facts[i][j], records[i][j] = map[string]any{}, map[string][]Record{}
		}
	}
	if len(subs) == 0 || len(periods) == 0 {
		return facts, records, nil
	}
	needed := map[string]bool{}
	for _, n := range sch.FactNames() {
		needed[n] = true
	}
	for _, s := range e.Sources {
		var names []string
		for _, n := range s.Provides() {
			if needed[n] {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		b.Names = names
		var got [][][]Fact
		var err error
		if bs, ok := s.(BatchSource); ok {
			got, err = bs.BatchFacts(ctx, tx, b)
		} else {
			got, err = EachQuery(ctx, tx, s, b)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("source %s: %w", s.Name(), err)
		}
		for i := range got {
			for j := range got[i] {
				for _, f := range got[i][j] {
					if !needed[f.Name] {
						continue
					}
					facts[i][j][f.Name] = jsonValue(f.Value)
					records[i][j][f.Name] = f.Records
				}
			}
		}
	}
	for i := range subs {
		for j := range periods {
			for _, n := range c.MissingFacts {
				if factType(sch, n) == scheme.Numbers {
					facts[i][j][n] = []any{}
				} else {
					facts[i][j][n] = json.Number("0")
				}
			}
		}
	}
	return facts, records, nil
}

// jsonValue makes a source's value storable as JSON and readable back by the scheme package:
// decimals become JSON numbers.
func jsonValue(v any) any {
	switch x := v.(type) {
	case scheme.Decimal:
		return json.Number(x.String())
	case []scheme.Decimal:
		out := make([]any, len(x))
		for i, d := range x {
			out[i] = json.Number(d.String())
		}
		return out
	}
	return v
}

// earlierFacts returns the subjects' facts of earlier periods of the year, out[i][j] for
// subs[i] and periods[j]: those stored by the period's approved or locked close of the same
// scheme, or else the sources' facts now (a period never closed is assessed as it stands),
// read from their running totals: the records are not needed, only the values. A subject
// absent from a period's stored close is assessed as it stands too.
func (e *Engine) earlierFacts(ctx context.Context, tx *store.Tx, sch *scheme.Scheme, c *Close, subs []Subject, periods []scheme.Period, tree *orgSnapshot) ([][]map[string]any, error) {
	out := make([][]map[string]any, len(subs))
	for i := range out {
		out[i] = make([]map[string]any, len(periods))
	}
	if len(periods) == 0 {
		return out, nil
	}
	index := map[Subject]int{}
	for i, sub := range subs {
		index[sub] = i
	}
	col := map[string]int{}
	args := []any{c.SchemeCode, false}
	for j, p := range periods {
		col[p.String()] = j
		args = append(args, p.String())
	}
	rows, err := tx.Query(ctx, `SELECT c.period, r.unit_id, r.person_id, r.facts_json FROM assessment_results r JOIN assessment_closes c ON c.id = r.close_id
		WHERE c.scheme_code = ? AND c.superseded = ? AND c.status <> 'draft' AND c.period IN (`+strings.TrimSuffix(strings.Repeat("?,", len(periods)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("earlier facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var period, text string
		var sub Subject
		if err := rows.Scan(&period, &sub.UnitID, &sub.PersonID, &text); err != nil {
			return nil, err
		}
		i, ok := index[sub]
		if !ok {
			continue
		}
		if out[i][col[period]], err = decodeFacts(text); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The periods and subjects some of whose facts are not stored are gathered together.
	var todo []scheme.Period
	var who []Subject
	wanted := map[Subject]bool{}
	for j, p := range periods {
		missing := false
		for i, sub := range subs {
			if out[i][j] == nil {
				missing = true
				if !wanted[sub] {
					wanted[sub] = true
					who = append(who, sub)
				}
			}
		}
		if missing {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	facts, _, err := e.gather(ctx, tx, sch, c, who, todo, tree, true)
	if err != nil {
		return nil, err
	}
	for k, sub := range who {
		i := index[sub]
		for t, p := range todo {
			if j := col[p.String()]; out[i][j] == nil {
				out[i][j] = facts[k][t]
			}
		}
	}
	return out, nil
}

func decodeFacts(text string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode stored facts: %w", err)
	}
	return m, nil
}

// resultsPerInsert bounds the rows of one INSERT of results: 10 arguments a row stay under
// SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const resultsPerInsert = 1000

// insertResults stores a close's results, a thousand a statement: a close of 2,000 units
// writes them in two statements, not 2,000.
func insertResults(ctx context.Context, tx *store.Tx, closeID int64, rs []Result) error {
	for len(rs) > 0 {
		n := min(len(rs), resultsPerInsert)
		var args []any
		for _, r := range rs[:n] {
			a, err := resultRow(closeID, r)
			if err != nil {
				return err
			}
			args = append(args, a...)
		}
		_, err := tx.Exec(ctx, `INSERT INTO assessment_results (close_id, unit_id, person_id, status, total, grade, flags, result_json, facts_json, records_json) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?),", n), ","), args...)
		if err != nil {
			return errs.Wrapf(err, "insert results")
		}
		rs = rs[n:]
	}
	return nil
}

// resultRow is a result's row of assessment_results, as insertResults writes it.
func resultRow(closeID int64, res Result) ([]any, error) {
	r, records := res.Result, res.Records
	rj, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	fj, err := json.Marshal(res.Facts)
	if err != nil {
		return nil, err
	}
	if records == nil {
		records = map[string][]Record{}
	}
	recj, err := json.Marshal(records)
	if err != nil {
		return nil, err
	}
	total, grade := "", ""
	if r.Total != nil {
		total = r.Total.String()
	}
	if r.Grade != nil {
		grade = r.Grade.Code
	}
	sub := res.Subject()
	return []any{closeID, sub.UnitID, sub.PersonID, string(r.Status), total, grade, strings.Join(r.Flags, ","), string(rj), string(fj), string(recj)}, nil
}

func updateCloseState(ctx context.Context, tx *store.Tx, c *Close) error {
	_, err := tx.Exec(ctx, `UPDATE assessment_closes SET status = ?, superseded = ?, missing_facts = ?, missing_reason = ?, missing_by = ?, computed_at = ?,
		approved_by = ?, approved_at = ?, locked_by = ?, locked_at = ?, budget_over = ? WHERE id = ?`,
		string(c.Status), c.Superseded, strings.Join(c.MissingFacts, ","), c.MissingReason, c.MissingBy, c.ComputedAt,
		c.ApprovedBy, c.ApprovedAt, c.LockedBy, c.LockedAt, c.BudgetOver, c.ID)
	return errs.Wrapf(err, "update close")
}

func listDecisions(ctx context.Context, tx *store.Tx, closeID int64) (map[Subject]Decision, error) {
	rows, err := tx.Query(ctx, "SELECT id, close_id, unit_id, person_id, kind, fact, value, reason, decided_by, decided_at FROM assessment_decisions WHERE close_id = ?", closeID)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	defer rows.Close()
	out := map[Subject]Decision{}
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.CloseID, &d.UnitID, &d.PersonID, &d.Kind, &d.Fact, &d.Value, &d.Reason, &d.DecidedBy, &d.DecidedAt); err != nil {
			return nil, err
		}
		d.DecidedAt = d.DecidedAt.UTC()
		out[Subject{d.UnitID, d.PersonID}] = d
	}
	return out, rows.Err()
}

// draftForClerk loads a close for a clerk's change: it must be a draft, not superseded, and the
// actor a clerk over its parent unit.
func (e *Engine) draftForClerk(ctx context.Context, tx *store.Tx, actor access.Principal, id int64) (Close, error) {
	c, err := getClose(ctx, tx, id)
	if err != nil {
		return c, err
	}
	chain, err := org.Ancestry(ctx, tx, c.ParentUnitID)
	if err != nil {
		return c, err
	}
	if !actor.HoldsOver(chain, access.Clerk) {
		return c, errs.New(errs.Forbidden, "assessment.clerk_only")
	}
	if c.Status != Draft || c.Superseded {
		return c, errs.New(errs.Conflict, "assessment.not_draft", c.Period, c.Version)
	}
	return c, nil
}

// Recompute computes a draft close again from the sources as they are now.
func (e *Engine) Recompute(ctx context.Context, actor access.Principal, id int64) (Close, error) {
	var c Close
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return c, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		if c, err = e.draftForClerk(ctx, tx, actor, id); err != nil {
			return err
		}
		sch, err := schemeVersion(ctx, tx, c.SchemeCode, c.SchemeVersion)
		if err != nil {
			return err
		}
		if err := e.compute(ctx, tx, &c, sch, tree); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "compute", Entity: "assessment_close", EntityID: c.ID, UnitID: c.ParentUnitID, After: c})
	})
	return c, err
}

const maxReason = 500

func reasonOK(field, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", errs.Required(field)
	}
	if utf8.RuneCountInString(reason) > maxReason {
		return "", errs.Field(field, "err.too_long", maxReason)
	}
	return reason, nil
}

// DecideMissing records the clerk's decision that the facts without a source are zero for this
// close, with the reason (e.g. the complaints area is not in use yet and the paper register has
// none). Every result of the close then says so. The close is computed at once.
func (e *Engine) DecideMissing(ctx context.Context, actor access.Principal, id int64, reason string) (Close, error) {
	var c Close
	reason, err := reasonOK("assessment_reason", reason)
	if err != nil {
		return c, err
	}
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return c, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		if c, err = e.draftForClerk(ctx, tx, actor, id); err != nil {
			return err
		}
		if len(c.MissingFacts) == 0 {
			return errs.New(errs.Conflict, "assessment.nothing_missing")
		}
		before := c
		c.MissingReason, c.MissingBy = reason, actor.Login()
		sch, err := schemeVersion(ctx, tx, c.SchemeCode, c.SchemeVersion)
		if err != nil {
			return err
		}
		if err := e.compute(ctx, tx, &c, sch, tree); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "decide", Entity: "assessment_close", EntityID: c.ID, UnitID: c.ParentUnitID,
			Before: map[string]any{"missing_facts": before.MissingFacts, "missing_reason": before.MissingReason},
			After:  map[string]any{"missing_facts": c.MissingFacts, "missing_reason": c.MissingReason}})
	})
	return c, err
}

// DecisionInput is a clerk's decision on an incomplete subject.
type DecisionInput struct {
	UnitID   int64
	PersonID int64 // the person, for person subjects (and the head, for unit-head subjects)
	Kind     DecisionKind
	Fact     string // Award: the fact given a value
	Value    string // Award: the value, e.g. "16" for 基本满意
	Reason   string
}

// Decide records (or replaces) the decision on an incomplete subject of a draft close and
// recomputes the close.
func (e *Engine) Decide(ctx context.Context, actor access.Principal, closeID int64, in DecisionInput) (Decision, error) {
	var d Decision
	reason, err := reasonOK("assessment_reason", in.Reason)
	if err != nil {
		return d, err
	}
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return d, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := e.draftForClerk(ctx, tx, actor, closeID)
		if err != nil {
			return err
		}
		sch, err := schemeVersion(ctx, tx, c.SchemeCode, c.SchemeVersion)
		if err != nil {
			return err
		}
		var status string
		err = tx.QueryRow(ctx, "SELECT status FROM assessment_results WHERE close_id = ? AND unit_id = ? AND person_id = ?", c.ID, in.UnitID, in.PersonID).Scan(&status)
		if store.IsNoRows(err) {
			return errs.Field("assessment_unit", "assessment.not_a_subject", in.UnitID)
		}
		if err != nil {
			return err
		}
		old, err := listDecisions(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		prev, had := old[Subject{in.UnitID, in.PersonID}]
		if status != string(scheme.Incomplete) && !had {
			return errs.New(errs.Conflict, "assessment.not_incomplete")
		}
		d = Decision{CloseID: c.ID, UnitID: in.UnitID, PersonID: in.PersonID, Kind: in.Kind, Reason: reason, DecidedBy: actor.Login(), DecidedAt: tx.Now}
		switch in.Kind {
		case Award:
			d.Fact, d.Value = strings.TrimSpace(in.Fact), strings.TrimSpace(in.Value)
			if err := checkAward(sch, d.Fact, d.Value); err != nil {
				return err
			}
		case Exclude:
		default:
			return errs.Field("assessment_decision", "err.invalid_choice", string(in.Kind))
		}
		if had {
			if _, err := tx.Exec(ctx, "DELETE FROM assessment_decisions WHERE id = ?", prev.ID); err != nil {
				return err
			}
		}
		if d.ID, err = tx.InsertID(ctx, `INSERT INTO assessment_decisions (close_id, unit_id, person_id, kind, fact, value, reason, decided_by, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.CloseID, d.UnitID, d.PersonID, string(d.Kind), d.Fact, d.Value, d.Reason, d.DecidedBy, d.DecidedAt); err != nil {
			return errs.Wrapf(err, "insert decision")
		}
		var before any
		if had {
			before = prev
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "decide", Entity: "assessment_decision", EntityID: d.ID, UnitID: d.UnitID, Before: before, After: d}); err != nil {
			return err
		}
		return e.compute(ctx, tx, &c, sch, tree)
	})
	return d, err
}

// checkAward checks an awarded value against the fact's spec: the fact must exist, be a number
// (or a list of numbers) and the value one the fact allows.
func checkAward(sch *scheme.Scheme, fact, value string) error {
	var spec *scheme.FactSpec
	for i := range sch.Facts {
		if sch.Facts[i].Name == fact {
			spec = &sch.Facts[i]
		}
	}
	if spec == nil || (spec.Type != scheme.Count && spec.Type != scheme.Number && spec.Type != scheme.Numbers) {
		return errs.Field("assessment_fact", "err.invalid_choice", fact)
	}
	if value == "" {
		return errs.Required("assessment_value")
	}
	d, err := scheme.ParseDecimal(value)
	if err != nil {
		return errs.Field("assessment_value", "err.not_number")
	}
	if len(spec.OneOf) > 0 {
		ok := false
		var choices []string
		for _, o := range spec.OneOf {
			ok = ok || o.Cmp(d) == 0
			choices = append(choices, o.String())
		}
		if !ok {
			return errs.Field("assessment_value", "assessment.value_not_allowed", value, strings.Join(choices, ", "))
		}
	}
	if d.Sign() < 0 || (spec.Type == scheme.Count && !d.IsInteger()) {
		return errs.Field("assessment_value", "assessment.value_not_allowed", value, "≥ 0")
	}
	return nil
}

// Approve is the committee's approval (审定) of a draft close. It is refused while facts lack a
// source without a decision, while any subject is incomplete without a decision, and when the
// stored results no longer match the evidence (the clerk must recompute first, so the
// committee approves what it has seen).
func (e *Engine) Approve(ctx context.Context, actor access.Principal, id int64) (Close, error) {
	var c Close
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return c, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		if c, err = getClose(ctx, tx, id); err != nil {
			return err
		}
		if !actor.HoldsOver(tree.Ancestry(c.ParentUnitID), access.Committee) {
			return errs.New(errs.Forbidden, "assessment.committee_only")
		}
		if c.Status != Draft || c.Superseded {
			return errs.New(errs.Conflict, "assessment.not_draft", c.Period, c.Version)
		}
		if c.Uncovered() {
			return errs.New(errs.Conflict, "assessment.missing_sources", strings.Join(c.MissingFacts, ", "))
		}
		stored, err := loadResults(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := tree.readPeople(ctx, tx, personIDs(stored)); err != nil {
			return err
		}
		var undecided []string
		for _, r := range stored {
			if r.Undecided() {
				undecided = append(undecided, tree.subjectName(r.Subject()))
			}
		}
		if len(undecided) > 0 {
			return &errs.Error{Code: errs.Conflict, Field: "assessment_decision", Key: "assessment.undecided_field", Args: []any{strings.Join(undecided, "、")}}
		}
		// Compute afresh and compare: results must equal what the committee reviewed.
		sch, err := schemeVersion(ctx, tx, c.SchemeCode, c.SchemeVersion)
		if err != nil {
			return err
		}
		fresh := c
		if err := e.compute(ctx, tx, &fresh, sch, tree); err != nil {
			return err
		}
		again, err := loadResults(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if !sameResults(stored, again) {
			return errs.New(errs.Conflict, "assessment.stale")
		}
		now := tx.Now
		c.Status, c.ApprovedBy, c.ApprovedAt, c.ComputedAt = Approved, actor.Login(), &now, fresh.ComputedAt
		after := map[string]any{"status": c.Status, "results": len(stored)}
		if rule := budgetRule(sch); rule != nil {
			b, err := budgetOf(ctx, tx, sch, rule, c, again)
			if err != nil {
				return err
			}
			if b.Exceeds {
				// The policy tracks the budget and does not forbid exceeding it: the approval
				// stands and says by how much, on the close and in the audit log.
				c.BudgetOver = b.After.Neg().String()
				after["budget_over"] = c.BudgetOver
			}
		}
		if err := updateCloseState(ctx, tx, &c); err != nil {
			return err
		}
		lines := LedgerLines(sch, c.Period, again)
		if err := insertLedger(ctx, tx, c, lines); err != nil {
			return err
		}
		after["ledger_lines"] = len(lines)
		return audit.Record(ctx, tx, actor, audit.Change{Action: "approve", Entity: "assessment_close", EntityID: c.ID, UnitID: c.ParentUnitID,
			Before: map[string]any{"status": Draft}, After: after})
	})
	return c, err
}

func sameResults(a, b []Result) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(r Result) string {
		j, _ := json.Marshal([]any{r.UnitID, r.PersonID, r.Result, r.Facts})
		return string(j)
	}
	for i := range a {
		if key(a[i]) != key(b[i]) {
			return false
		}
	}
	return true
}

// Lock makes an approved close final. A clerk or a committee member over its parent may lock.
func (e *Engine) Lock(ctx context.Context, actor access.Principal, id int64) (Close, error) {
	var c Close
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = getClose(ctx, tx, id); err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, c.ParentUnitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, access.Clerk, access.Committee) {
			return errs.New(errs.Forbidden, "assessment.clerk_or_committee")
		}
		if c.Status != Approved || c.Superseded {
			return errs.New(errs.Conflict, "assessment.not_approved", c.Period, c.Version)
		}
		now := tx.Now
		c.Status, c.LockedBy, c.LockedAt = Locked, actor.Login(), &now
		if err := updateCloseState(ctx, tx, &c); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "lock", Entity: "assessment_close", EntityID: c.ID, UnitID: c.ParentUnitID,
			Before: map[string]any{"status": Approved}, After: map[string]any{"status": Locked}})
	})
	return c, err
}

// Reopen keeps an approved or locked close as it is (marked superseded) and starts its next
// version as a draft with the same subjects and decisions, computed with the scheme's active
// version. A reason is required.
func (e *Engine) Reopen(ctx context.Context, actor access.Principal, id int64, reason string) (Close, error) {
	var c Close
	reason, err := reasonOK("assessment_reason", reason)
	if err != nil {
		return c, err
	}
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return c, err
	}
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := getClose(ctx, tx, id)
		if err != nil {
			return err
		}
		chain := tree.Ancestry(old.ParentUnitID)
		if !actor.HoldsOver(chain, access.Clerk, access.Committee) {
			return errs.New(errs.Forbidden, "assessment.clerk_or_committee")
		}
		if old.Superseded || old.Status == Draft {
			return errs.New(errs.Conflict, "assessment.not_reopenable", old.Period, old.Version)
		}
		v, sch, err := activeScheme(ctx, tx, old.SchemeCode)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE assessment_closes SET superseded = ? WHERE id = ?", true, old.ID); err != nil {
			return err
		}
		// The old version's ledger lines stay, marked superseded; the new version writes its
		// own when it is approved.
		if _, err := tx.Exec(ctx, "UPDATE assessment_ledger SET superseded = ? WHERE close_id = ?", true, old.ID); err != nil {
			return fmt.Errorf("supersede ledger: %w", err)
		}
		c = Close{SchemeCode: old.SchemeCode, SchemeVersion: v.Version, Period: old.Period, ParentUnitID: old.ParentUnitID, Version: old.Version + 1,
			Status: Draft, MissingFacts: old.MissingFacts, MissingReason: old.MissingReason, MissingBy: old.MissingBy,
			ReopenReason: reason, CreatedBy: actor.Login(), CreatedAt: tx.Now}
		if c.ID, err = insertClose(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_decisions (close_id, unit_id, person_id, kind, fact, value, reason, decided_by, decided_at)
			SELECT ?, unit_id, person_id, kind, fact, value, reason, decided_by, decided_at FROM assessment_decisions WHERE close_id = ?`, c.ID, old.ID); err != nil {
			return fmt.Errorf("carry decisions: %w", err)
		}
		if err := e.compute(ctx, tx, &c, sch, tree); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "reopen", Entity: "assessment_close", EntityID: c.ID, UnitID: c.ParentUnitID,
			Before: map[string]any{"close_id": old.ID, "version": old.Version, "status": old.Status},
			After:  map[string]any{"close_id": c.ID, "version": c.Version, "status": c.Status, "reason": reason}})
	})
	return c, err
}

// loadResults returns a close's results in subject id order, with their decisions.
func loadResults(ctx context.Context, tx *store.Tx, closeID int64) ([]Result, error) {
	decisions, err := listDecisions(ctx, tx, closeID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, "SELECT id, close_id, unit_id, person_id, result_json, facts_json, records_json FROM assessment_results WHERE close_id = ? ORDER BY unit_id, person_id", closeID)
	if err != nil {
		return nil, fmt.Errorf("load results: %w", err)
	}
	defer rows.Close()
	out, err := scanResults(rows)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if d, ok := decisions[out[i].Subject()]; ok {
			out[i].Decision = &d
		}
	}
	rank(out)
	return out, nil
}

// rank numbers scored results by total, best first; equal totals share a rank.
func rank(rs []Result) {
	var scored []*Result
	for i := range rs {
		if rs[i].Result.Status == scheme.Scored && rs[i].Result.Total != nil {
			scored = append(scored, &rs[i])
		}
	}
	sort.SliceStable(scored, func(i, j int) bool { return scored[i].Result.Total.Cmp(*scored[j].Result.Total) > 0 })
	for i, r := range scored {
		r.Rank = i + 1
		if i > 0 && scored[i-1].Result.Total.Cmp(*r.Result.Total) == 0 {
			r.Rank = scored[i-1].Rank
		}
	}
}

// scanResults reads result rows (id, close_id, unit_id, person_id and the three JSON columns).
func scanResults(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]Result, error) {
	var out []Result
	for rows.Next() {
		var r Result
		var rj, fj, recj string
		if err := rows.Scan(&r.ID, &r.CloseID, &r.UnitID, &r.PersonID, &rj, &fj, &recj); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(rj), &r.Result); err != nil {
			return nil, fmt.Errorf("decode result %d: %w", r.ID, err)
		}
		var err error
		if r.Facts, err = decodeFacts(fj); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(recj), &r.Records); err != nil {
			return nil, fmt.Errorf("decode records %d: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
