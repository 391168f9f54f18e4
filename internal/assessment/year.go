package assessment

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// The year of a scheme: every approved or locked period of the year per subject, and what the
// year's closed results decide — year-end award eligibility (unit-monthly), the best teams and
// stars with the stars' points for the next year (maintainer-monthly), the dismissal reviews
// with the HR decision (care-deductions). Read in a fixed number of queries.

// YearView is a scheme's year as closed so far.
type YearView struct {
	Scheme  *scheme.Scheme
	Year    int
	Periods []string // the closed periods, in order
	Closes  map[string]Close
	Rows    []YearRow
	// Awards per period, for schemes that name a star.
	Awards []YearAward
	// Reviews are the dismissal reviews raised in the year, with their HR decisions.
	Reviews []DismissalReview
	Units   map[int64]org.Unit
	People  map[int64]org.Person
	// CanDecideHR reports whether the actor may record HR decisions (administrators and
	// unit heads, over the person's unit: checked again when recording).
	CanDecideHR bool
}

// YearRow is one subject's year.
type YearRow struct {
	Subject
	Results map[string]Result // by period
	// Ineligible is set when a closed period carries year_end_ineligible (two fails a year).
	Ineligible bool
	Flags      []string // every flag of the year's periods, once each
}

// YearAward is a period's star and best team.
type YearAward struct {
	Period   string
	Star     *Result
	BestTeam *TeamScore
	Points   scheme.Decimal // the star's points, paid in PaidIn
	PaidIn   int
}

// DismissalReview is a dismissal review raised by a closed period, and the HR decision on it.
type DismissalReview struct {
	Period   string      `json:"period"`
	Result   Result      `json:"result"`
	Decision *HRDecision `json:"decision,omitempty"`
}

// HRDecision is HR's decision on a dismissal review.
type HRDecision struct {
	ID         int64     `json:"id"`
	SchemeCode string    `json:"scheme_code"`
	Period     string    `json:"period"`
	UnitID     int64     `json:"unit_id"`
	PersonID   int64     `json:"person_id"`
	Outcome    string    `json:"outcome"` // kept or dismissed
	Reason     string    `json:"reason"`
	DecidedBy  string    `json:"decided_by"`
	DecidedAt  time.Time `json:"decided_at"`
}

const dismissalFlag = "dismissal_review"

// Year returns a scheme's closed periods of a year with the results the actor may read.
func (e *Engine) Year(ctx context.Context, actor access.Principal, code string, year int) (YearView, error) {
	v := YearView{Year: year, Closes: map[string]Close{}, Units: map[int64]org.Unit{}, People: map[int64]org.Person{}}
	if year < 1900 || year > 9999 {
		return v, errs.Field("ledger_year", "assessment.bad_year", strconv.Itoa(year))
	}
	o, err := loadOrg(ctx, e.DB)
	if err != nil {
		return v, err
	}
	var all []Result
	decisions := map[string]HRDecision{}
	err = e.DB.Read(ctx, func(tx *store.Tx) error {
		_, sch, err := activeScheme(ctx, tx, code)
		if err != nil {
			return err
		}
		v.Scheme = sch
		y := strconv.Itoa(year)
		rows, err := tx.Query(ctx, "SELECT "+closeColumns+` FROM assessment_closes WHERE scheme_code = ? AND superseded = ? AND status <> 'draft'
			AND period >= ? AND period < ? ORDER BY period`, code, false, y, strconv.Itoa(year+1))
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			c, err := scanClose(rows)
			if err != nil {
				rows.Close()
				return err
			}
			v.Periods = append(v.Periods, c.Period)
			v.Closes[c.Period] = c
			ids = append(ids, c.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) > 0 {
			if all, err = resultsOf(ctx, tx, ids); err != nil {
				return err
			}
			if err := o.readPeople(ctx, tx, personIDs(all)); err != nil {
				return err
			}
		}
		hr, err := tx.Query(ctx, "SELECT id, scheme_code, period, unit_id, person_id, outcome, reason, decided_by, decided_at FROM assessment_hr_decisions WHERE scheme_code = ? AND period >= ? AND period < ?",
			code, y, strconv.Itoa(year+1))
		if err != nil {
			return err
		}
		defer hr.Close()
		for hr.Next() {
			var d HRDecision
			if err := hr.Scan(&d.ID, &d.SchemeCode, &d.Period, &d.UnitID, &d.PersonID, &d.Outcome, &d.Reason, &d.DecidedBy, &d.DecidedAt); err != nil {
				return err
			}
			d.DecidedAt = d.DecidedAt.UTC()
			decisions[fmt.Sprintf("%s/%d", d.Period, d.PersonID)] = d
		}
		return hr.Err()
	})
	if err != nil {
		return v, err
	}
	periodOf := map[int64]string{}
	for p, c := range v.Closes {
		periodOf[c.ID] = p
	}
	byPeriod := map[string][]Result{}
	rowOf := map[Subject]*YearRow{}
	var order []Subject
	for _, r := range all {
		p := periodOf[r.CloseID]
		byPeriod[p] = append(byPeriod[p], r)
		if !actor.Can(access.Read, o.Ancestry(r.UnitID)) {
			continue
		}
		row := rowOf[r.Subject()]
		if row == nil {
			row = &YearRow{Subject: r.Subject(), Results: map[string]Result{}}
			rowOf[r.Subject()] = row
			order = append(order, r.Subject())
		}
		row.Results[p] = r
		for _, f := range r.Result.Flags {
			if !slices.Contains(row.Flags, f) {
				row.Flags = append(row.Flags, f)
			}
			if f == "year_end_ineligible" {
				row.Ineligible = true
			}
			if f == dismissalFlag {
				rv := DismissalReview{Period: p, Result: r}
				if d, ok := decisions[fmt.Sprintf("%s/%d", p, r.PersonID)]; ok {
					rv.Decision = &d
				}
				v.Reviews = append(v.Reviews, rv)
			}
		}
		v.Units[r.UnitID], _ = o.Unit(r.UnitID)
		v.People[r.PersonID] = o.person(r.PersonID)
	}
	for _, s := range order {
		v.Rows = append(v.Rows, *rowOf[s])
	}
	if pts, ok := StarPoints(v.Scheme); ok {
		for _, p := range v.Periods {
			a := YearAward{Period: p, Points: pts, PaidIn: year + 1}
			if s := Star(byPeriod[p]); s != nil {
				cp := *s
				a.Star = &cp
				v.People[s.PersonID] = o.person(s.PersonID)
				v.Units[s.UnitID], _ = o.Unit(s.UnitID)
			}
			if teams := BestTeams(byPeriod[p]); len(teams) > 0 {
				a.BestTeam = &teams[0]
				v.Units[teams[0].UnitID], _ = o.Unit(teams[0].UnitID)
			}
			v.Awards = append(v.Awards, a)
		}
	}
	v.CanDecideHR = MayDecideHR(actor)
	return v, nil
}

// resultsOf loads the results of several closes in one query.
func resultsOf(ctx context.Context, tx *store.Tx, closeIDs []any) ([]Result, error) {
	rows, err := tx.Query(ctx, "SELECT id, close_id, unit_id, person_id, result_json, facts_json, records_json FROM assessment_results WHERE close_id IN (?"+
		strings.Repeat(", ?", len(closeIDs)-1)+") ORDER BY close_id, unit_id, person_id", closeIDs...)
	if err != nil {
		return nil, fmt.Errorf("year results: %w", err)
	}
	defer rows.Close()
	return scanResults(rows)
}

// HRInput records HR's decision on a dismissal review.
type HRInput struct {
	SchemeCode string `json:"scheme_code"`
	Period     string `json:"period"`
	PersonID   int64  `json:"person_id"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason"`
}

// hrDeciders decide dismissal reviews over the units they hold the role over.
var hrDeciders = []access.Role{access.Admin, access.UnitHead}

// MayDecideHR reports whether p decides dismissal reviews of some unit at all: a role that
// never may is refused before its input is read, and the year page offers the form to the rest.
func MayDecideHR(p access.Principal) bool { return p.HasAny(hrDeciders...) }

// RecordHRDecision records (or replaces) the HR decision on a dismissal review of an approved
// or locked period. An administrator or a unit head over the person's unit decides.
func RecordHRDecision(ctx context.Context, db *store.DB, actor access.Principal, in HRInput) (HRDecision, error) {
	var d HRDecision
	if !MayDecideHR(actor) {
		return d, errs.New(errs.Forbidden, "assessment.hr_only")
	}
	if in.Outcome != "kept" && in.Outcome != "dismissed" {
		return d, errs.Field("hr_decision", "assessment.hr_bad_outcome", in.Outcome)
	}
	reason, err := reasonOK("assessment_reason", in.Reason)
	if err != nil {
		return d, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var unitID int64
		var flags string
		err := tx.QueryRow(ctx, `SELECT r.unit_id, r.flags FROM assessment_results r JOIN assessment_closes c ON c.id = r.close_id
			WHERE c.scheme_code = ? AND c.period = ? AND c.superseded = ? AND c.status <> 'draft' AND r.person_id = ?`, in.SchemeCode, in.Period, false, in.PersonID).Scan(&unitID, &flags)
		if store.IsNoRows(err) {
			return errs.Field("assessment_person", "assessment.person_not_subject")
		}
		if err != nil {
			return err
		}
		if !slices.Contains(strings.Split(flags, ","), dismissalFlag) {
			return errs.Field("assessment_person", "assessment.hr_not_dismissal")
		}
		chain, err := org.Ancestry(ctx, tx, unitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, hrDeciders...) {
			return errs.New(errs.Forbidden, "assessment.hr_only")
		}
		d = HRDecision{SchemeCode: in.SchemeCode, Period: in.Period, UnitID: unitID, PersonID: in.PersonID, Outcome: in.Outcome, Reason: reason, DecidedBy: actor.Login(), DecidedAt: tx.Now}
		if _, err := tx.Exec(ctx, "DELETE FROM assessment_hr_decisions WHERE scheme_code = ? AND period = ? AND person_id = ?", d.SchemeCode, d.Period, d.PersonID); err != nil {
			return err
		}
		if d.ID, err = tx.InsertID(ctx, `INSERT INTO assessment_hr_decisions (scheme_code, period, unit_id, person_id, outcome, reason, decided_by, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.SchemeCode, d.Period, d.UnitID, d.PersonID, d.Outcome, d.Reason, d.DecidedBy, d.DecidedAt); err != nil {
			return fmt.Errorf("insert hr decision: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "decide", Entity: "assessment_hr_decision", EntityID: d.ID, UnitID: d.UnitID, After: d})
	})
	return d, err
}

// WriteYear writes the year as XLSX: one row a subject, a column a period (the total, or the
// status when not scored), then the year's flags.
func WriteYear(w io.Writer, v YearView) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := fmt.Sprintf("%s %d", v.Scheme.Code, v.Year)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := []any{"单位 Unit", "人员 Person"}
	for _, p := range v.Periods {
		header = append(header, p)
	}
	header = append(header, "标记 Flags")
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, r := range v.Rows {
		row := []any{v.Units[r.UnitID].Name, v.People[r.PersonID].Name}
		for _, p := range v.Periods {
			res, ok := r.Results[p]
			switch {
			case !ok:
				row = append(row, nil)
			case res.Result.Total != nil:
				row = append(row, number(*res.Result.Total))
			default:
				row = append(row, string(res.Result.Status))
			}
		}
		row = append(row, strings.Join(r.Flags, ", "))
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
