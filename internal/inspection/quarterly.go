package inspection

import (
	"context"
	"fmt"
	"manyi/internal/store"
	"regexp"
	"strconv"
	"time"

	"manyi/internal/errs"
)

// The quarterly department assessment (POLICIES §3, seed 002 附件1) keeps its evidence here
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
