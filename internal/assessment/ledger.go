package assessment

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// The ledger (考核兑现台账) holds every money or pay consequence of an approved result, one
// line each, written in the approval's transaction: the payroll office pays from it and the
// budget is tracked on it. Lines never change; a reopened close marks its lines superseded and
// its next version, once approved, writes its own.

// Ledger line kinds.
const (
	LedgerReward         = "reward"           // a department's reward (§3), yuan
	LedgerPenalty        = "penalty"          // a department's penalty (§3), yuan
	LedgerFine           = "fine"             // improper means, 100 yuan a case (§2), charged to the unit head
	LedgerPayDeduction   = "pay_deduction"    // a person's point deductions in yuan (§5: 10 yuan a point; property staff)
	LedgerBaseSalaryOnly = "base_salary_only" // 30 points or more in a month: base salary only (§5)
	LedgerHeadDeduction  = "head_deduction"   // the unit head's quarterly deduction, performance points (§2)
	LedgerStarPoints     = "star_points"      // the maintenance star's +0.5 performance points, paid the next year (§4)
)

// Measures of a line's amount.
const (
	Yuan   = "yuan"
	Points = "points"
	Flag   = "flag" // no amount: a pay rule that applies (base salary only)
)

// LedgerLine is one money or pay consequence of an approved result.
type LedgerLine struct {
	ID           int64          `json:"id"`
	CloseID      int64          `json:"close_id"`
	ResultID     int64          `json:"result_id"`
	SchemeCode   string         `json:"scheme_code"`
	Period       string         `json:"period"`
	CloseVersion int            `json:"close_version"`
	PayMonth     string         `json:"pay_month"` // the payroll month: YYYY-MM
	UnitID       int64          `json:"unit_id"`
	PersonID     int64          `json:"person_id,omitempty"`
	Kind         string         `json:"kind"`
	Amount       scheme.Decimal `json:"amount"` // signed, from the payee's side: a penalty is negative
	Measure      string         `json:"measure"`
	Superseded   bool           `json:"superseded"`
	CreatedAt    time.Time      `json:"created_at"`
	// Filled by the read functions.
	UnitName   string      `json:"unit_name"`
	PersonName string      `json:"person_name,omitempty"`
	SchemeName scheme.Text `json:"scheme_name"` // of the version the close used: what a reader recognises
}

// starParam is the scheme parameter that makes a close name a star: the best person of the
// period earns that many performance points, paid the next year (maintainer-monthly's 维修之星).
const starParam = "star_points"

// StarPoints returns the star's points of a scheme, and whether it names a star.
func StarPoints(sch *scheme.Scheme) (scheme.Decimal, bool) {
	for _, p := range sch.Params {
		if p.Name == starParam {
			return p.Value, true
		}
	}
	return scheme.Decimal{}, false
}

// PayMonth is the payroll month of a period's consequences: the period's last month.
func PayMonth(p scheme.Period) string {
	switch p.Kind {
	case scheme.Quarter:
		return fmt.Sprintf("%04d-%02d", p.Year, 3*p.N)
	case scheme.Year:
		return fmt.Sprintf("%04d-12", p.Year)
	case scheme.Week:
		_, to := bounds(p)
		return to.In(Zone).AddDate(0, 0, -1).Format("2006-01")
	}
	return p.String()
}

// LedgerLines returns the ledger lines of a close's results (its approved results): every
// money item that is not 0 (a reward positive, anything else a charge), the base-salary-only
// flag, a unit head's deduction in points, and the star's points. It is a pure function of the
// scheme and the results, so a reopened close's lines follow from its new results alone.
func LedgerLines(sch *scheme.Scheme, period string, results []Result) []LedgerLine {
	p, _ := scheme.ParsePeriod(period)
	month := PayMonth(p)
	var out []LedgerLine
	add := func(r Result, kind, measure string, amount scheme.Decimal, payMonth string) {
		out = append(out, LedgerLine{CloseID: r.CloseID, ResultID: r.ID, SchemeCode: sch.Code, Period: period, PayMonth: payMonth,
			UnitID: r.UnitID, PersonID: r.PersonID, Kind: kind, Amount: amount, Measure: measure})
	}
	for _, r := range results {
		if r.Result.Status != scheme.Scored {
			continue
		}
		for _, m := range sch.Money {
			a, ok := r.Result.Money[m.Code]
			if !ok || a.Sign() == 0 {
				continue
			}
			switch {
			case m.Code == "reward":
				add(r, LedgerReward, Yuan, a, month)
			case m.Code == "fine":
				add(r, LedgerFine, Yuan, a.Neg(), month)
			case sch.Subject == scheme.Person:
				add(r, LedgerPayDeduction, Yuan, a.Neg(), month)
			default:
				add(r, LedgerPenalty, Yuan, a.Neg(), month)
			}
		}
		if slices.Contains(r.Result.Flags, LedgerBaseSalaryOnly) {
			add(r, LedgerBaseSalaryOnly, Flag, scheme.Decimal{}, month)
		}
		if sch.Subject == scheme.UnitHead && r.Result.Total != nil && r.Result.Total.Sign() != 0 {
			add(r, LedgerHeadDeduction, Points, *r.Result.Total, month)
		}
	}
	if pts, ok := StarPoints(sch); ok {
		if star := Star(results); star != nil {
			// Paid the next year (§4): the line belongs to the first payroll of that year.
			add(*star, LedgerStarPoints, Points, pts, fmt.Sprintf("%04d-01", p.Year+1))
		}
	}
	return out
}

// insertLedger writes a close's lines at its approval.
func insertLedger(ctx context.Context, tx *store.Tx, c Close, lines []LedgerLine) error {
	for _, l := range lines {
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_ledger (close_id, result_id, scheme_code, period, close_version, pay_month, unit_id, person_id, kind, amount, measure, superseded, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, l.ResultID, c.SchemeCode, c.Period, c.Version, l.PayMonth, l.UnitID, l.PersonID, l.Kind, l.Amount.String(), l.Measure, false, tx.Now); err != nil {
			return fmt.Errorf("insert ledger line: %w", err)
		}
	}
	return nil
}

// LedgerFilter selects ledger lines: a payroll month ("2026-10") or a year ("2026"), a
// scheme, and whether superseded lines are shown too.
type LedgerFilter struct {
	Month             string
	Year              string
	SchemeCode        string
	CloseID           int64
	IncludeSuperseded bool
}

const ledgerColumns = "l.id, l.close_id, l.result_id, l.scheme_code, l.period, l.close_version, l.pay_month, l.unit_id, l.person_id, l.kind, l.amount, l.measure, l.superseded, l.created_at"

// ListLedger returns the ledger lines the actor may read (those of units in their scope), by
// payroll month, scheme, period, unit and person, in one query: the page's month and the
// payroll office's table, which are read whole.
func ListLedger(ctx context.Context, db *store.DB, actor access.Principal, f LedgerFilter) ([]LedgerLine, error) {
	return readLedger(ctx, db, actor, f, nil)
}

// ledgerOrder is the ledger's order by page (the API): by payroll month, then by line as
// written, which keeps a close's lines together in its results' order. The payroll order of
// ListLedger (scheme, period, unit, person within the month) has more columns than a keyset
// carries.
var ledgerOrder = store.Order{Col: "l.pay_month", ID: "l.id", Asc: true}

// LedgerKey is a line's place in LedgerPage's order.
func LedgerKey(l LedgerLine) store.Key { return store.Key{Name: l.PayMonth, ID: l.ID} }

// LedgerPage returns a page of ListLedger's lines by payroll month then line: Fetch() rows in
// pg's order, for store.Cut with LedgerKey. The scope is a condition of the query, so that a
// page is full.
func LedgerPage(ctx context.Context, db *store.DB, actor access.Principal, f LedgerFilter, pg store.Page) ([]LedgerLine, error) {
	return readLedger(ctx, db, actor, f, &pg)
}

func readLedger(ctx context.Context, db *store.DB, actor access.Principal, f LedgerFilter, pg *store.Page) ([]LedgerLine, error) {
	o, err := loadOrg(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []LedgerLine
	err = db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = listLedger(ctx, tx, o, actor, f, pg)
		return err
	})
	return out, errs.Wrapf(err, "list ledger")
}

// listLedger reads the lines f selects in actor's scope: page pg in ledgerOrder, or with pg
// nil every line in payroll order.
func listLedger(ctx context.Context, tx *store.Tx, o *orgSnapshot, actor access.Principal, f LedgerFilter, pg *store.Page) ([]LedgerLine, error) {
	scope, args := org.TreeScopeCond(tx, o.Tree, actor, access.Read, "l.unit_id")
	where := []string{scope}
	if f.Month != "" {
		if _, err := time.Parse("2006-01", f.Month); err != nil {
			return nil, errs.Field("ledger_month", "assessment.bad_month", f.Month)
		}
		where, args = append(where, "l.pay_month = ?"), append(args, f.Month)
	}
	if f.Year != "" {
		if _, err := time.Parse("2006", f.Year); err != nil {
			return nil, errs.Field("ledger_year", "assessment.bad_year", f.Year)
		}
		where, args = append(where, "l.pay_month >= ? AND l.pay_month <= ?"), append(args, f.Year+"-01", f.Year+"-12")
	}
	if f.SchemeCode != "" {
		where, args = append(where, "l.scheme_code = ?"), append(args, f.SchemeCode)
	}
	if f.CloseID != 0 {
		where, args = append(where, "l.close_id = ?"), append(args, f.CloseID)
	}
	if !f.IncludeSuperseded {
		where, args = append(where, "l.superseded = ?"), append(args, false)
	}
	tail := " WHERE " + strings.Join(where, " AND ") + " ORDER BY l.pay_month, l.scheme_code, l.period, l.close_version, l.unit_id, l.person_id, l.id"
	if pg != nil {
		tail, args = store.Tail(ledgerOrder, pg, where, args)
	}
	// The scheme's name joins in through the close, whose version named it.
	out, err := store.All(ctx, tx, scanLedgerLine, "SELECT "+ledgerColumns+", s.name_zh, s.name_en FROM assessment_ledger l"+
		" JOIN assessment_closes c ON c.id = l.close_id"+
		" JOIN assessment_schemes s ON s.code = c.scheme_code AND s.version = c.scheme_version"+tail, args...)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(out))
	for i, l := range out {
		ids[i] = l.PersonID
	}
	if err := o.readPeople(ctx, tx, ids); err != nil {
		return nil, err
	}
	for i := range out {
		u, _ := o.Unit(out[i].UnitID)
		out[i].UnitName, out[i].PersonName = u.Name, o.person(out[i].PersonID).Name
	}
	return out, nil
}

func scanLedgerLine(row store.Scanner) (LedgerLine, error) {
	var l LedgerLine
	var amount string
	if err := row.Scan(&l.ID, &l.CloseID, &l.ResultID, &l.SchemeCode, &l.Period, &l.CloseVersion, &l.PayMonth, &l.UnitID, &l.PersonID,
		&l.Kind, &amount, &l.Measure, &l.Superseded, &l.CreatedAt, &l.SchemeName.ZH, &l.SchemeName.EN); err != nil {
		return l, err
	}
	var err error
	if l.Amount, err = scheme.ParseDecimal(amount); err != nil {
		return l, fmt.Errorf("ledger line %d: %w", l.ID, err)
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, nil
}

// Payroll is a month's payroll export: the lines of approved closes whose consequences fall
// in the month.
type Payroll struct {
	Month string
	Lines []LedgerLine
}

// GetPayroll returns the month's lines for the payroll office. It is refused while a close
// whose consequences fall in the month is not approved (the office would pay what the
// committee has not decided), and when no approved close of a scheme that pays falls in it.
func GetPayroll(ctx context.Context, db *store.DB, actor access.Principal, month string) (Payroll, error) {
	pr := Payroll{Month: strings.TrimSpace(month)}
	if pr.Month == "" {
		return pr, errs.Required("ledger_month")
	}
	if _, err := time.Parse("2006-01", pr.Month); err != nil {
		return pr, errs.Field("ledger_month", "assessment.bad_month", pr.Month)
	}
	o, err := loadOrg(ctx, db)
	if err != nil {
		return pr, err
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		closes, err := latestCloses(ctx, tx)
		if err != nil {
			return err
		}
		pays, err := payingSchemes(ctx, tx)
		if err != nil {
			return err
		}
		var draft []string
		approved := 0
		for _, c := range closes {
			p, err := scheme.ParsePeriod(c.Period)
			if err != nil || PayMonth(p) != pr.Month || !pays[c.SchemeCode+"/"+strconv.Itoa(c.SchemeVersion)] {
				continue
			}
			if c.Status == Draft {
				draft = append(draft, c.SchemeCode+" "+c.Period)
			} else {
				approved++
			}
		}
		if len(draft) > 0 {
			return errs.Field("ledger_month", "assessment.ledger_unapproved", pr.Month, strings.Join(draft, "、"))
		}
		if approved == 0 {
			return errs.Field("ledger_month", "assessment.ledger_nothing_approved", pr.Month)
		}
		pr.Lines, err = listLedger(ctx, tx, o, actor, LedgerFilter{Month: pr.Month}, nil)
		return err
	})
	return pr, err
}

// Pays reports whether a scheme's results can have a pay consequence (a money item, a star,
// a unit head's deduction, the base-salary-only flag): only such closes hold up a payroll, a
// draft unit-monthly close does not.
func Pays(sch *scheme.Scheme) bool {
	if _, star := StarPoints(sch); star || len(sch.Money) > 0 || sch.Subject == scheme.UnitHead {
		return true
	}
	for _, f := range sch.Flags {
		if f.Code == LedgerBaseSalaryOnly {
			return true
		}
	}
	return false
}

// payingSchemes returns which stored scheme versions pay ("code/version"), in one query.
func payingSchemes(ctx context.Context, tx *store.Tx) (map[string]bool, error) {
	rows, err := tx.Query(ctx, "SELECT "+schemeColumns+" FROM assessment_schemes")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		v, err := scanScheme(rows)
		if err != nil {
			return nil, err
		}
		sch, err := v.Parse()
		if err != nil {
			return nil, err
		}
		out[v.Code+"/"+strconv.Itoa(v.Version)] = Pays(sch)
	}
	return out, rows.Err()
}

// latestCloses returns the latest version of every close.
func latestCloses(ctx context.Context, tx *store.Tx) ([]Close, error) {
	rows, err := tx.Query(ctx, "SELECT "+closeColumns+" FROM assessment_closes WHERE superseded = ? ORDER BY period, scheme_code", false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Close
	for rows.Next() {
		c, err := scanClose(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PayrollHeader is the payroll sheet's header row, in Chinese as the payroll office reads it,
// with the English below each title.
var PayrollHeader = []string{"发放月份 Pay month", "单位 Unit", "人员 Person", "事项 Item", "金额(元) Yuan", "绩效分 Points", "仅发基本工资 Base salary only", "方案 Scheme", "考评期间 Period", "结账版本 Close version", "台账编号 Line"}

// LedgerKindNames names the kinds in the payroll sheet and on pages.
var LedgerKindNames = map[string]scheme.Text{
	LedgerReward:         {ZH: "考核奖励", EN: "Reward"},
	LedgerPenalty:        {ZH: "考核处罚", EN: "Penalty"},
	LedgerFine:           {ZH: "不正当手段罚款", EN: "Improper-means fine"},
	LedgerPayDeduction:   {ZH: "扣分扣款", EN: "Point deduction"},
	LedgerBaseSalaryOnly: {ZH: "当月只发基本工资", EN: "Base salary only"},
	LedgerHeadDeduction:  {ZH: "负责人季度扣分", EN: "Unit head's quarterly deduction"},
	LedgerStarPoints:     {ZH: "维修之星绩效加分（次年兑现）", EN: "Maintenance star points (paid next year)"},
}

// WritePayroll writes the payroll as XLSX: one row a line, amounts as numbers (yuan and points
// in their own columns, so a sum over a column means one thing), a total row.
func WritePayroll(w io.Writer, pr Payroll) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "工资扣发 " + pr.Month
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(PayrollHeader))
	for i, h := range PayrollHeader {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	lines := slices.Clone(pr.Lines)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].UnitName < lines[j].UnitName })
	for i, l := range lines {
		var yuan, points any
		base := ""
		switch l.Measure {
		case Yuan:
			yuan = number(l.Amount)
		case Points:
			points = number(l.Amount)
		case Flag:
			base = "是"
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		row := []any{l.PayMonth, l.UnitName, l.PersonName, LedgerKindNames[l.Kind].ZH, yuan, points, base, l.SchemeName.ZH, l.Period, l.CloseVersion, l.ID}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	last := len(lines) + 1
	cell, err := excelize.CoordinatesToCellName(1, last+1)
	if err != nil {
		return err
	}
	total := []any{"合计 Total", nil, nil, nil, excelize.Cell{Formula: fmt.Sprintf("SUM(E2:E%d)", max(last, 2))}, excelize.Cell{Formula: fmt.Sprintf("SUM(F2:F%d)", max(last, 2))}}
	if err := sw.SetRow(cell, total); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// number is a decimal as a spreadsheet number: amounts have at most a few decimals, which a
// float64 holds exactly enough for display and sums.
func number(d scheme.Decimal) float64 {
	x, _ := strconv.ParseFloat(d.String(), 64)
	return x
}
