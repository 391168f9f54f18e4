package assessment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// The quality work group's yearly budget (docs/policies.md §3): 30,000 yuan a year for
// rewards and expenses. The limit is the scheme's year_budget rule (a parameter an
// administrator can change); rewards are the year's approved reward lines of the ledger,
// expenses are recorded here. The policy tracks spending against the budget and does not
// forbid going over it, so a close that would exceed it is flagged on the review page and
// its approval records by how much (Close.BudgetOver), in the audit log too.

// BudgetScheme is the scheme whose year_budget rule is the work group's budget: the rewards it
// pays are what the budget is spent on (§3).
const BudgetScheme = "dept-quarterly-weighted"

// BudgetView is a year's budget as it stands, and what a close adds to it.
type BudgetView struct {
	Year      int            `json:"year"`
	Limit     scheme.Decimal `json:"limit"`
	Rewards   scheme.Decimal `json:"rewards"`  // approved rewards of the year, other closes
	Expenses  scheme.Decimal `json:"expenses"` // expenses recorded for the year
	Remaining scheme.Decimal `json:"remaining"`
	ThisClose scheme.Decimal `json:"this_close"` // the close's rewards
	After     scheme.Decimal `json:"after"`      // remaining once the close is counted
	Exceeds   bool           `json:"exceeds"`
}

// budgetRule returns the scheme's year_budget rule, nil when it has none.
func budgetRule(sch *scheme.Scheme) *scheme.Rule {
	for i := range sch.Rules {
		if sch.Rules[i].Kind == scheme.YearBudget && sch.Rules[i].Limit != nil {
			return &sch.Rules[i]
		}
	}
	return nil
}

// CheckBudget is the budget rule: the remaining budget once a close's rewards are counted,
// and whether that exceeds the limit. It is pure, for table tests.
func CheckBudget(limit, rewards, expenses, thisClose scheme.Decimal) (remaining, after scheme.Decimal, exceeds bool) {
	remaining = sub(sub(limit, rewards), expenses)
	after = sub(remaining, thisClose)
	return remaining, after, after.Sign() < 0
}

func sub(a, b scheme.Decimal) scheme.Decimal {
	d, _ := a.Sub(b)
	return d
}

func add(a, b scheme.Decimal) scheme.Decimal {
	d, _ := a.Add(b)
	return d
}

// budgetOf computes the budget of a close's year with the close's results (two queries).
func budgetOf(ctx context.Context, tx *store.Tx, sch *scheme.Scheme, rule *scheme.Rule, c Close, results []Result) (BudgetView, error) {
	p, _ := scheme.ParsePeriod(c.Period)
	b := BudgetView{Year: p.Year, Limit: *rule.Limit}
	y := strconv.Itoa(p.Year)
	rows, err := tx.Query(ctx, `SELECT amount FROM assessment_ledger WHERE scheme_code = ? AND kind = ? AND superseded = ? AND close_id <> ?
		AND pay_month >= ? AND pay_month <= ?`, sch.Code, LedgerReward, false, c.ID, y+"-01", y+"-12")
	if err != nil {
		return b, fmt.Errorf("budget rewards: %w", err)
	}
	if b.Rewards, err = sumAmounts(rows); err != nil {
		return b, err
	}
	rows, err = tx.Query(ctx, "SELECT amount FROM assessment_budget_expenses WHERE year = ?", p.Year)
	if err != nil {
		return b, fmt.Errorf("budget expenses: %w", err)
	}
	if b.Expenses, err = sumAmounts(rows); err != nil {
		return b, err
	}
	for _, r := range results {
		if a, ok := r.Result.Money[rule.Money]; ok && r.Result.Status == scheme.Scored {
			b.ThisClose = add(b.ThisClose, a)
		}
	}
	b.Remaining, b.After, b.Exceeds = CheckBudget(b.Limit, b.Rewards, b.Expenses, b.ThisClose)
	return b, nil
}

func sumAmounts(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) (scheme.Decimal, error) {
	defer rows.Close()
	var total scheme.Decimal
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return total, err
		}
		d, err := scheme.ParseDecimal(s)
		if err != nil {
			return total, err
		}
		total = add(total, d)
	}
	return total, rows.Err()
}

// Expense is one of the work group's expenses against the budget.
type Expense struct {
	ID         int64          `json:"id"`
	Year       int            `json:"year"`
	SpentOn    string         `json:"spent_on"`
	Amount     scheme.Decimal `json:"amount"`
	Note       string         `json:"note"`
	RecordedBy string         `json:"recorded_by"`
	RecordedAt time.Time      `json:"recorded_at"`
}

// ExpenseInput records an expense.
type ExpenseInput struct {
	SpentOn string `json:"spent_on"` // YYYY-MM-DD
	Amount  string `json:"amount"`   // yuan, > 0
	Note    string `json:"note"`
}

// MayRecordExpense reports whether p records the work group's expenses: a clerk. The ledger
// page offers the form by it.
func MayRecordExpense(p access.Principal) bool { return p.Has(access.Clerk) }

// RecordExpense records an expense of the work group (MayRecordExpense).
func RecordExpense(ctx context.Context, db *store.DB, actor access.Principal, in ExpenseInput) (Expense, error) {
	var x Expense
	if !MayRecordExpense(actor) {
		return x, errs.New(errs.Forbidden, "assessment.clerk_only")
	}
	in.SpentOn, in.Amount, in.Note = strings.TrimSpace(in.SpentOn), strings.TrimSpace(in.Amount), strings.TrimSpace(in.Note)
	if in.SpentOn == "" {
		return x, errs.Required("budget_spent_on")
	}
	day, err := time.ParseInLocation(time.DateOnly, in.SpentOn, Zone)
	if err != nil {
		return x, errs.Field("budget_spent_on", "assessment.bad_date", in.SpentOn)
	}
	if in.Amount == "" {
		return x, errs.Required("budget_amount")
	}
	amount, err := scheme.ParseDecimal(in.Amount)
	if err != nil || amount.Sign() <= 0 {
		return x, errs.Field("budget_amount", "assessment.bad_amount", in.Amount)
	}
	if in.Note == "" {
		return x, errs.Required("budget_note")
	}
	if utf8.RuneCountInString(in.Note) > maxNote {
		return x, errs.Field("budget_note", "err.too_long", maxNote)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		x = Expense{Year: day.Year(), SpentOn: in.SpentOn, Amount: amount, Note: in.Note, RecordedBy: actor.Login(), RecordedAt: tx.Now}
		var err error
		if x.ID, err = tx.InsertID(ctx, "INSERT INTO assessment_budget_expenses (year, spent_on, amount, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
			x.Year, x.SpentOn, x.Amount.String(), x.Note, x.RecordedBy, x.RecordedAt); err != nil {
			return fmt.Errorf("insert expense: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "assessment_expense", EntityID: x.ID, After: x})
	})
	return x, err
}

// YearBudget returns a scheme's budget for a year as it stands (no close counted), with the
// year's expenses.
func YearBudget(ctx context.Context, db *store.DB, code string, year int) (*BudgetView, []Expense, error) {
	var b *BudgetView
	var xs []Expense
	err := db.Read(ctx, func(tx *store.Tx) error {
		_, sch, err := activeScheme(ctx, tx, code)
		if err != nil {
			return err
		}
		rule := budgetRule(sch)
		if rule == nil {
			return nil
		}
		v, err := budgetOf(ctx, tx, sch, rule, Close{Period: strconv.Itoa(year)}, nil)
		if err != nil {
			return err
		}
		b = &v
		rows, err := tx.Query(ctx, "SELECT id, year, spent_on, amount, note, recorded_by, recorded_at FROM assessment_budget_expenses WHERE year = ? ORDER BY spent_on, id", year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x Expense
			var amount string
			if err := rows.Scan(&x.ID, &x.Year, &x.SpentOn, &amount, &x.Note, &x.RecordedBy, &x.RecordedAt); err != nil {
				return err
			}
			x.Amount, _ = scheme.ParseDecimal(amount)
			x.RecordedAt = x.RecordedAt.UTC()
			xs = append(xs, x)
		}
		return rows.Err()
	})
	return b, xs, err
}
