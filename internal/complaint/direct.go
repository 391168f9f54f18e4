package complaint

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// DirectDeduction is a direct deduction (主业直接扣分) the complaint desk records against a
// department: seed 002 附件1 第八条 records it with the complaints and 第十二条 takes it off the
// complaint score (dept-quarterly-weighted's direct_deductions fact). It may come from a
// complaint or stand alone (a problem of the main business found another way).
type DirectDeduction struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	UnitName    string    `json:"unit_name"`
	Day         string    `json:"day"`
	Points      string    `json:"points"`
	Reason      string    `json:"reason"`
	ComplaintID int64     `json:"complaint_id,omitempty"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// DirectInput records a direct deduction; Day is the local day (YYYY-MM-DD) it counts on.
type DirectInput struct {
	UnitID      int64
	Day         string
	Points      string
	Reason      string
	ComplaintID int64
}

// ParseDirectPoints reads a direct deduction's points: more than 0, at most 100 (the whole
// complaint score), two decimals at most. It returns hundredths of a point.
func ParseDirectPoints(s string) (int64, error) {
	d, err := scheme.ParseDecimal(strings.TrimSpace(s))
	if strings.TrimSpace(s) == "" {
		return 0, errs.Required("direct_points")
	}
	if err != nil {
		return 0, errs.Field("direct_points", "complaint.direct_bad_points", s)
	}
	cp, err := d.Mul(scheme.NewDecimal(100, 0))
	if err != nil || !cp.IsInteger() {
		return 0, errs.Field("direct_points", "complaint.direct_bad_points", s)
	}
	var n int64
	if _, err := fmt.Sscan(cp.String(), &n); err != nil || n <= 0 || n > 10000 {
		return 0, errs.Field("direct_points", "err.out_of_range", "0.01", "100")
	}
	return n, nil
}

func cpString(cp int64) string {
	return scheme.NewDecimal(cp, -2).String()
}

// AddDirect records a direct deduction. The clerk of the complaint desk records it (the
// committee reads it); a day in the future, a closed quarter or a complaint of another unit is
// refused.
func AddDirect(ctx context.Context, db *store.DB, actor access.Principal, in DirectInput) (DirectDeduction, error) {
	var d DirectDeduction
	if !MayAddDirect(actor) {
		return d, errs.New(errs.Forbidden, "complaint.clerk_only")
	}
	cp, err := ParseDirectPoints(in.Points)
	if err != nil {
		return d, err
	}
	if d.Reason = strings.TrimSpace(in.Reason); d.Reason == "" {
		return d, errs.Required("direct_reason")
	}
	if utf8.RuneCountInString(d.Reason) > 1000 {
		return d, errs.Field("direct_reason", "err.too_long", 1000)
	}
	if in.UnitID == 0 {
		return d, errs.Required("unit_id")
	}
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.Day), assessment.Zone)
	if err != nil {
		return d, errs.Field("direct_day", "complaint.direct_bad_day", in.Day)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		chain, err := checkUnit(ctx, tx, in.UnitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, clerkRoles...) {
			return errs.New(errs.Forbidden, "complaint.clerk_only")
		}
		if day.Format(time.DateOnly) > tx.Now.In(assessment.Zone).Format(time.DateOnly) {
			return errs.Field("direct_day", "complaint.direct_future", day.Format(time.DateOnly))
		}
		if in.ComplaintID != 0 {
			var unit int64
			err := tx.QueryRow(ctx, "SELECT unit_id FROM complaints WHERE id = ?", in.ComplaintID).Scan(&unit)
			if store.IsNoRows(err) {
				return errs.Field("complaint_id", "complaint.direct_other_unit", in.ComplaintID)
			}
			if err != nil {
				return err
			}
			if unit != in.UnitID {
				return errs.Field("complaint_id", "complaint.direct_other_unit", in.ComplaintID)
			}
		}
		if err := assessment.RefuseClosed(ctx, tx, in.UnitID, day); err != nil {
			return err
		}
		d = DirectDeduction{UnitID: in.UnitID, Day: day.Format(time.DateOnly), Points: cpString(cp), Reason: d.Reason, ComplaintID: in.ComplaintID,
			CreatedBy: actor.Username, CreatedAt: tx.Now}
		if d.CreatedBy == "" {
			d.CreatedBy = "system"
		}
		var complaint any
		if in.ComplaintID != 0 {
			complaint = in.ComplaintID
		}
		d.ID, err = tx.InsertID(ctx, "INSERT INTO complaint_direct_deductions (unit_id, day, points_cp, reason, complaint_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			d.UnitID, d.Day, cp, d.Reason, complaint, d.CreatedBy, d.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert direct deduction: %w", err)
		}
		if err := assessment.ShiftTotals(ctx, tx, nil, deductionContribution(d.UnitID, d.Day, cp)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "complaint_direct_deduction", EntityID: d.ID, UnitID: d.UnitID, After: d})
	})
	return d, err
}

// directColumns and directFrom read a direct deduction with its unit's name (scanDirect).
const (
	directColumns = "d.id, d.unit_id, u.name, d.day, d.points_cp, d.reason, COALESCE(d.complaint_id, 0), d.created_by, d.created_at"
	directFrom    = " FROM complaint_direct_deductions d JOIN units u ON u.id = d.unit_id"
)

func scanDirect(row store.Scanner) (DirectDeduction, error) {
	var d DirectDeduction
	var cp int64
	err := row.Scan(&d.ID, &d.UnitID, &d.UnitName, &d.Day, &cp, &d.Reason, &d.ComplaintID, &d.CreatedBy, &d.CreatedAt)
	d.Points, d.CreatedAt = cpString(cp), d.CreatedAt.UTC()
	return d, err
}

// directOrder is the direct deductions list's order: by day, then the oldest first.
var directOrder = store.Order{Col: "d.day", ID: "d.id", Asc: true}

// DirectKey is a direct deduction's place in the list (DirectPage).
func DirectKey(d DirectDeduction) store.Key { return store.Key{Name: d.Day, ID: d.ID} }

// ListDirect lists the direct deductions of days from..to (inclusive, YYYY-MM-DD) of the
// units the actor may read, by day: a quarter's, for the desk's page.
func ListDirect(ctx context.Context, db *store.DB, actor access.Principal, from, to string) ([]DirectDeduction, error) {
	return listDirect(ctx, db, actor, from, to, nil)
}

// DirectPage returns a page of ListDirect's deductions: Fetch() rows in pg's order, for
// store.Cut with DirectKey. The scope is a condition of the query, so that a page is full.
func DirectPage(ctx context.Context, db *store.DB, actor access.Principal, from, to string, pg store.Page) ([]DirectDeduction, error) {
	return listDirect(ctx, db, actor, from, to, &pg)
}

func listDirect(ctx context.Context, db *store.DB, actor access.Principal, from, to string, pg *store.Page) ([]DirectDeduction, error) {
	var out []DirectDeduction
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		scope, args, err := org.ScopeCond(ctx, tx, actor, access.Read, "d.unit_id")
		if err != nil {
			return err
		}
		tail, args := store.Tail(directOrder, pg, []string{scope, "d.day >= ?", "d.day <= ?"}, append(args, from, to))
		out, err = store.All(ctx, tx, scanDirect, "SELECT "+directColumns+directFrom+tail, args...)
		return err
	})
	return out, errs.Wrapf(err, "direct deductions")
}

// GetDirect returns one direct deduction the actor may read.
func GetDirect(ctx context.Context, db *store.DB, actor access.Principal, id int64) (DirectDeduction, error) {
	var d DirectDeduction
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		d, err = scanDirect(tx.QueryRow(ctx, "SELECT "+directColumns+directFrom+" WHERE d.id = ?", id))
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "complaint.direct_not_found", id)
		}
		if err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, d.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, chain) {
			return errs.New(errs.NotFound, "complaint.direct_not_found", id)
		}
		return nil
	})
	return d, errs.Wrapf(err, "direct deduction")
}

// directFact is the direct_deductions fact: the sum of the unit's direct deductions of the
// period (the unit itself: a department answers for its own main business), each a record.
func directFact(ctx context.Context, tx *store.Tx, q assessment.FactQuery) (assessment.Fact, error) {
	f := assessment.Fact{Name: "direct_deductions", Records: []assessment.Record{}}
	from, to := q.From.In(assessment.Zone).Format(time.DateOnly), q.To.In(assessment.Zone).Format(time.DateOnly)
	if q.Totals {
		t, err := assessment.SumTotals(ctx, tx, "direct_deductions", "unit", []int64{q.UnitID}, from, to)
		f.Value = json.Number(cpString(t[""]))
		return f, err
	}
	rows, err := tx.Query(ctx, "SELECT id, day, points_cp, reason, COALESCE(complaint_id, 0) FROM complaint_direct_deductions WHERE unit_id = ? AND day >= ? AND day < ? ORDER BY day, id",
		q.UnitID, from, to)
	if err != nil {
		return f, fmt.Errorf("direct deductions: %w", err)
	}
	defer rows.Close()
	var sum int64
	for rows.Next() {
		var id, cp, complaint int64
		var day, reason string
		if err := rows.Scan(&id, &day, &cp, &reason, &complaint); err != nil {
			return f, err
		}
		sum += cp
		at, _ := time.ParseInLocation(time.DateOnly, day, assessment.Zone)
		url := fmt.Sprintf("/complaints/direct?quarter=%s-Q%d", day[:4], (int(at.Month())+2)/3)
		if complaint != 0 {
			url = fmt.Sprintf("/complaints/%d", complaint)
		}
		f.Records = append(f.Records, assessment.Record{Kind: "complaint_direct_deduction", ID: fmt.Sprint(id), At: at.UTC(),
			Summary: fmt.Sprintf("%s 主业直接扣分 %s：%s", day, cpString(cp), reason), URL: url})
	}
	f.Value = json.Number(cpString(sum))
	return f, rows.Err()
}
