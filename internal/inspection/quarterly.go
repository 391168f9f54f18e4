package inspection

import (
	"context"
	"fmt"
	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
	"regexp"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
)

// The quarterly department assessment (docs/policies.md §3, seed 002 附件1) keeps its evidence here
// rather than in an area of its own: a department's monthly self-check report (月度自查自报),
// the work group's spot check (公司抽查) and its callback-record audit (回访记录抽查) are
// inspections of a unit against a checklist of service standards, with notes, findings and
// photos as evidence, sign-off where a person is charged, and the closed-period lock — all of
// which this area already does. What §3 adds are the rules below: which month a score is
// for, that a spot score needs that month's self-check, and the callback deduction's range.

// Callback-record audit deductions lie in [CallbackMin, CallbackMax] (附件1 第八条: 扣0.5-1分),
// whatever range an administrator gives the checklist item.
const (
	CallbackMin Points = 50
	CallbackMax Points = 100
)

// SelfCheckDueDay is the day of the following month by which a department's self-check
// report is expected. The seed gives none; the 5th leaves the work group time before the
// quality analysis meeting on the 10th of the quarter's first month (附件1 第十五条).
const SelfCheckDueDay = 5

var monthRE = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
var quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)

// QuarterMonths returns the three months ("2026-07", …) of a quarter ("2026-Q3").
func QuarterMonths(quarter string) ([]string, error) {
	m := quarterRE.FindStringSubmatch(quarter)
	if m == nil {
		return nil, errs.Field("quarter", "quality.bad_quarter", quarter)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	out := make([]string, 3)
	for i := range out {
		out[i] = fmt.Sprintf("%04d-%02d", y, 3*n-2+i)
	}
	return out, nil
}

// QuarterOf is the quarter ("2026-Q3") of a month ("2026-08").
func QuarterOf(month string) string {
	y, _ := strconv.Atoi(month[:4])
	m, _ := strconv.Atoi(month[5:7])
	return fmt.Sprintf("%04d-Q%d", y, (m+2)/3)
}

// CheckScoredMonth is the rule on the month a self-check or spot-check score is for: a
// well-formed month that has ended by now (a month is reported on once it is over), not after
// the day the check was made, and inside quarter when the report is filed for one ("" for
// none). now and at are read in the organisation's time zone.
func CheckScoredMonth(kind Kind, month, quarter string, at, now time.Time) error {
	if !monthRE.MatchString(month) {
		return errs.Field("check_month", "quality.bad_month", month)
	}
	current := now.In(Zone).Format("2006-01")
	if kind == SelfCheck && month >= current {
		return errs.Field("check_month", "quality.month_not_ended", month)
	}
	if month > at.In(Zone).Format("2006-01") {
		return errs.Field("check_month", "quality.month_after_check", month, at.In(Zone).Format("2006-01-02"))
	}
	if quarter != "" {
		months, err := QuarterMonths(quarter)
		if err != nil {
			return err
		}
		if month < months[0] || month > months[2] {
			return errs.Field("check_month", "quality.month_outside_quarter", month, quarter)
		}
	}
	return nil
}

// CheckCallbackDeduction refuses a callback-record audit deduction outside 0.5–1.
func CheckCallbackDeduction(d Points) error {
	if d < CallbackMin || d > CallbackMax {
		return errs.Field("deduction", "quality.callback_range", d.String(), CallbackMin.String(), CallbackMax.String())
	}
	return nil
}

// ReportState is where a department's self-check report of a month stands.
type ReportState string

const (
	ReportOnTime  ReportState = "on_time" // filed by the due day
	ReportLate    ReportState = "late"    // filed after the due day
	ReportMissing ReportState = "missing" // not filed, and the due day is past
	ReportDue     ReportState = "due"     // the month is over, not filed, not yet late
	ReportOpen    ReportState = "open"    // the month has not ended
)

// DueDay is the last day (YYYY-MM-DD) a month's self-check report is on time.
func DueDay(month string) string {
	t, _ := time.ParseInLocation("2006-01", month, Zone)
	return t.AddDate(0, 1, SelfCheckDueDay-1).Format(time.DateOnly)
}

// StateOf classifies a month's report: filed is the local day it was filed ("" for none),
// today the local day now.
func StateOf(month, filed, today string) ReportState {
	switch {
	case filed != "" && filed <= DueDay(month):
		return ReportOnTime
	case filed != "":
		return ReportLate
	case today[:7] <= month:
		return ReportOpen
	case today > DueDay(month):
		return ReportMissing
	default:
		return ReportDue
	}
}

// requireSelfCheck refuses a spot score of a month the department has not reported on: the
// spot check is a check of that report (附件1 第八条: 根据部门自查报表…抽查).
func requireSelfCheck(ctx context.Context, tx *store.Tx, unitID int64, month string) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM inspections WHERE unit_id = ? AND kind = ? AND month = ? AND score_cp IS NOT NULL", unitID, SelfCheck, month).Scan(&n); err != nil {
		return fmt.Errorf("find self-check: %w", err)
	}
	if n == 0 {
		return errs.Field("check_month", "quality.spot_without_self", month)
	}
	return nil
}

// MonthReport is one department's month in the quarter board: its self-check report (the
// latest score, the day the first report of the month was filed, and whether that was on
// time), and the work group's spot score with the penalty it costs (the template's default,
// max(0, self − spot), to be confirmed).
type MonthReport struct {
	Month   string      `json:"month"`
	State   ReportState `json:"state"`
	Due     string      `json:"due"`
	Filed   string      `json:"filed,omitempty"`
	Self    *Points     `json:"self,omitempty"`
	SelfID  int64       `json:"self_id,omitempty"`
	Spot    *Points     `json:"spot,omitempty"`
	SpotID  int64       `json:"spot_id,omitempty"`
	Penalty Points      `json:"penalty"`
}

// DeptReports is one department's quarter.
type DeptReports struct {
	UnitID   int64         `json:"unit_id"`
	UnitName string        `json:"unit_name"`
	Months   []MonthReport `json:"months"`
	Late     int           `json:"late"`
	Missing  int           `json:"missing"`
}

// QuarterReports is the work group's board of a quarter: for each department directly under
// parentID that the actor may read and that reports (a self-check in the twelve months up to
// the quarter's end), each month's report and spot check, so that late and missing reports
// are seen before the quarter's close.
func QuarterReports(ctx context.Context, db *store.DB, actor access.Principal, parentID int64, quarter string) ([]DeptReports, error) {
	months, err := QuarterMonths(quarter)
	if err != nil {
		return nil, err
	}
	if parentID == 0 {
		return nil, errs.Required("parent_unit_id")
	}
	var out []DeptReports
	err = db.Read(ctx, func(tx *store.Tx) error {
		today := tx.Now.In(Zone).Format(time.DateOnly)
		cond, args, err := scope(ctx, tx, actor, "u.id", parentID)
		if err != nil {
			return err
		}
		// The departments that report: those with a self-check in the year up to the quarter's
		// end. The seed names the assessed departments, the organisation tree does not (a
		// department hosting the work group is not assessed), so reporting is what marks one.
		yearAgo, _ := time.ParseInLocation("2006-01", months[0], Zone)
		rows, err := tx.Query(ctx, "SELECT u.id, u.name FROM units u WHERE "+cond+` AND u.parent_id = ? AND u.kind = ? AND u.active = ?
			AND EXISTS (SELECT 1 FROM inspections i WHERE i.unit_id = u.id AND i.kind = ? AND i.month >= ? AND i.month <= ?) ORDER BY u.code`,
			append(args, parentID, org.Department, true, SelfCheck, yearAgo.AddDate(0, -9, 0).Format("2006-01"), months[2])...)
		if err != nil {
			return err
		}
		index := map[int64]int{}
		for rows.Next() {
			var d DeptReports
			if err := rows.Scan(&d.UnitID, &d.UnitName); err != nil {
				rows.Close()
				return err
			}
			index[d.UnitID] = len(out)
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]any, 0, len(out))
		for _, d := range out {
			ids = append(ids, d.UnitID)
		}
		type key struct {
			unit  int64
			month string
		}
		reps := map[key]*MonthReport{}
		for _, d := range out {
			for _, m := range months {
				reps[key{d.UnitID, m}] = &MonthReport{Month: m, Due: DueDay(m)}
			}
		}
		// One query for the quarter: the checks in filing order, so the first self-check of a
		// month dates the report and the latest score of each kind counts (as in the facts).
		crows, err := tx.Query(ctx, "SELECT i.unit_id, i.kind, i.month, i.id, i.score_cp, i.created_at FROM inspections i WHERE i.unit_id IN ("+
			strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+") AND i.kind IN (?, ?) AND i.score_cp IS NOT NULL AND i.month >= ? AND i.month <= ? ORDER BY i.created_at, i.id",
			append(ids, SelfCheck, SpotCheck, months[0], months[2])...)
		if err != nil {
			return err
		}
		defer crows.Close()
		for crows.Next() {
			var unit, id int64
			var kind Kind
			var month string
			var score int64
			var created time.Time
			if err := crows.Scan(&unit, &kind, &month, &id, &score, &created); err != nil {
				return err
			}
			r := reps[key{unit, month}]
			p := Points(score)
			if kind == SelfCheck {
				if r.Filed == "" {
					r.Filed = created.In(Zone).Format(time.DateOnly)
				}
				r.Self, r.SelfID = &p, id
			} else {
				r.Spot, r.SpotID = &p, id
			}
		}
		if err := crows.Err(); err != nil {
			return err
		}
		for i := range out {
			for _, m := range months {
				r := reps[key{out[i].UnitID, m}]
				r.State = StateOf(m, r.Filed, today)
				if r.Self != nil && r.Spot != nil && *r.Self > *r.Spot {
					r.Penalty = *r.Self - *r.Spot
				}
				switch r.State {
				case ReportLate:
					out[i].Late++
				case ReportMissing:
					out[i].Missing++
				}
				out[i].Months = append(out[i].Months, *r)
			}
		}
		return nil
	})
	return out, errs.Wrapf(err, "quarter reports")
}
