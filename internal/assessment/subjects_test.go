package assessment_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// factsFixture is a fact source standing in for the areas in the close tests of every
// scheme: per subject and period the facts, with one record per fact so that a result can be
// drilled into; subjects it does not know get zero.
type factsFixture struct {
	names []string
	zero  map[string]any
	by    map[assessment.Subject]map[string]map[string]any
}

func (f factsFixture) Name() string       { return "fixture" }
func (f factsFixture) Provides() []string { return f.names }
func (f factsFixture) Facts(_ context.Context, _ *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	got := f.by[assessment.Subject{UnitID: q.UnitID, PersonID: q.PersonID}][q.Period]
	var out []assessment.Fact
	for _, n := range q.Names {
		v, ok := got[n]
		if !ok {
			v = f.zero[n]
		}
		rec := assessment.Record{Kind: "fixture_" + n, ID: fmt.Sprintf("%d-%d-%s", q.UnitID, q.PersonID, n), At: q.From,
			Summary: fmt.Sprintf("%s %v", n, v), URL: fmt.Sprintf("/fixture/%d/%d/%s", q.UnitID, q.PersonID, n)}
		out = append(out, assessment.Fact{Name: n, Value: v, Records: []assessment.Record{rec}})
	}
	return out, nil
}

type orgWorld struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
}

func (o orgWorld) unit(parent int64, code, name string, kind org.Kind) org.Unit {
	o.t.Helper()
	u, err := org.CreateUnit(o.ctx, o.db, access.System, org.UnitInput{ParentID: parent, Code: code, Name: name, Kind: kind})
	if err != nil {
		o.t.Fatal(err)
	}
	return u
}

func (o orgWorld) person(u org.Unit, name string, role access.Role) org.Person {
	o.t.Helper()
	p, err := org.CreatePerson(o.ctx, o.db, access.System, org.PersonInput{UnitID: u.ID, Name: name})
	if err != nil {
		o.t.Fatal(err)
	}
	if _, err := org.SetGrants(o.ctx, o.db, access.System, p.ID, []access.Grant{{Role: role, UnitID: u.ID}}); err != nil {
		o.t.Fatal(err)
	}
	return p
}

// closeAll starts, approves and locks a close and returns its view as the committee sees it.
func closeAll(t *testing.T, e *assessment.Engine, code, period string, parent int64) assessment.CloseView {
	t.Helper()
	ctx := context.Background()
	c, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: code, Period: period, ParentUnitID: parent})
	if err != nil {
		t.Fatalf("start %s %s: %v", code, period, err)
	}
	if _, err := e.Approve(ctx, committee, c.ID); err != nil {
		t.Fatalf("approve %s %s: %v", code, period, err)
	}
	if _, err := e.Lock(ctx, clerk, c.ID); err != nil {
		t.Fatalf("lock %s %s: %v", code, period, err)
	}
	v, err := e.GetClose(ctx, committee, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// drill opens a locked subject's result and checks that a component leads to a record.
func drill(t *testing.T, e *assessment.Engine, v assessment.CloseView, sub assessment.Subject, fact string) assessment.ResultView {
	t.Helper()
	rv, err := e.GetResult(context.Background(), committee, v.Close.ID, sub)
	if err != nil {
		t.Fatalf("result %v: %v", sub, err)
	}
	for _, c := range rv.Components {
		for _, f := range c.Facts {
			if f.Name == fact && len(f.Records) > 0 && strings.HasPrefix(f.Records[0].URL, "/fixture/") {
				return rv
			}
		}
	}
	t.Fatalf("no record of %s behind %v: %+v", fact, sub, rv.Components)
	return rv
}

func lineKinds(ls []assessment.LedgerLine) string {
	var out []string
	for _, l := range ls {
		who := l.UnitName
		if l.PersonName != "" {
			who = l.PersonName
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s", who, l.Kind, l.Amount, l.Measure, l.PayMonth))
	}
	return strings.Join(out, "; ")
}

func rowsOf(pairs ...[2]int) []any {
	out := []any{}
	for _, p := range pairs {
		out = append(out, []any{p[0], p[1]})
	}
	return out
}

// TestCloseEveryScheme closes a period of each scheme whose subject is not a unit-monthly
// unit — maintainers, care staff, unit heads, departments — approves it, locks it, drills from
// a locked result to a record and reads the ledger lines it made, each naming its source.
func TestCloseEveryScheme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC) }
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		o := orgWorld{t, ctx, db}

		// The maintenance centre: two teams.
		imc := o.unit(0, "IMC", "信息维修中心", org.Department)
		net := o.unit(imc.ID, "IMC-WL", "网络班", org.Team)
		term := o.unit(imc.ID, "IMC-ZD", "终端班", org.Team)
		o.person(net, "马工长", access.Foreman) // a foreman is not a maintainer
		he := o.person(net, "何海涛", access.Staff)
		li := o.person(net, "李强", access.Staff)
		zh := o.person(term, "赵刚", access.Staff)
		// The care home.
		care := o.unit(0, "CARE", "养老中心", org.Company)
		ward := o.unit(care.ID, "CARE-BQ1", "一病区", org.Section)
		yang := o.person(ward, "杨春梅", access.Staff)
		xu := o.person(ward, "许红", access.Staff)
		// The property company's areas and their heads.
		prop := o.unit(0, "PROP", "物业公司", org.Company)
		yx := o.unit(prop.ID, "PROP-YXY", "永馨园", org.Area)
		chen := o.person(yx, "陈立新", access.UnitHead)
		// The logistics company's departments.
		logc := o.unit(0, "LOG", "物流公司", org.Company)
		cy := o.unit(logc.ID, "LOG-CY", "储运中心", org.Department)
		wh := o.unit(logc.ID, "LOG-WH", "武汉业务部", org.Department)

		// dept-quarterly-weighted needs weights before it can be active: the committee's 40/30/30.
		sch, err := scheme.Builtin("dept-quarterly-weighted")
		if err != nil {
			t.Fatal(err)
		}
		sch.Weights.Values = map[string]scheme.Decimal{"self": scheme.MustDecimal("40"), "survey": scheme.MustDecimal("30"), "complaints": scheme.MustDecimal("30")}
		y, err := sch.YAML()
		if err != nil {
			t.Fatal(err)
		}
		v, err := assessment.ImportScheme(ctx, db, admin, y)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := assessment.ActivateScheme(ctx, db, admin, v.ID); err != nil {
			t.Fatal(err)
		}

		fx := factsFixture{
			names: []string{"orders", "deductions", "households", "threshold", "valid", "satisfied_or_better", "verified_fault_dissatisfied", "improper_means",
				"self_checks", "spot_checks", "questionnaire", "questionnaire_missing", "complaints_valid", "direct_deductions", "callback_deductions"},
			zero: map[string]any{"orders": []any{}, "deductions": []any{}, "households": 1, "threshold": 0, "valid": 0, "satisfied_or_better": 0,
				"verified_fault_dissatisfied": 0, "improper_means": 0, "self_checks": map[string]any{}, "spot_checks": map[string]any{}, "questionnaire": 0,
				"questionnaire_missing": true, "complaints_valid": 0, "direct_deductions": 0, "callback_deductions": []any{}},
			by: map[assessment.Subject]map[string]map[string]any{
				{UnitID: net.ID, PersonID: he.ID}:  {"2026-10": {"orders": rowsOf([2]int{10, 10}, [2]int{10, 10}, [2]int{10, 10})}},
				{UnitID: net.ID, PersonID: li.ID}:  {"2026-10": {"orders": rowsOf([2]int{8, 10})}},
				{UnitID: term.ID, PersonID: zh.ID}: {"2026-10": {"orders": rowsOf([2]int{10, 10}, [2]int{10, 10}, [2]int{10, 6}, [2]int{10, 10})}},
				{UnitID: ward.ID, PersonID: yang.ID}: {
					"2026-09": {"deductions": []any{map[string]any{"points": 30}}},
					"2026-10": {"deductions": []any{map[string]any{"points": 20}, map[string]any{"points": 6, "double": true}}},
				},
				{UnitID: ward.ID, PersonID: xu.ID}: {"2026-10": {"deductions": []any{map[string]any{"points": 3}}}},
				{UnitID: yx.ID, PersonID: chen.ID}: {"2026-Q3": {"households": 400, "threshold": scheme.MustDecimal("0.3"), "valid": 100, "satisfied_or_better": 93,
					"verified_fault_dissatisfied": 2, "improper_means": 1}},
				{UnitID: cy.ID}: {"2026-Q3": {"self_checks": map[string]any{"2026-07": 98, "2026-08": 99, "2026-09": 100}, "questionnaire": 96, "questionnaire_missing": false}},
				{UnitID: wh.ID}: {"2026-Q3": {"self_checks": map[string]any{"2026-07": 94, "2026-08": 95, "2026-09": 93}, "spot_checks": map[string]any{"2026-08": 93},
					"questionnaire": 96, "questionnaire_missing": false, "complaints_valid": 2, "callback_deductions": []any{1}}},
			},
		}
		e := assessment.NewEngine(db, fx)

		// maintainer-monthly: three maintainers, the foreman not among them; 何海涛 (20 + 0.45)
		// is the star.
		mm := closeAll(t, e, "maintainer-monthly", "2026-10", imc.ID)
		if len(mm.Results) != 3 {
			t.Fatalf("maintainer subjects: %+v", mm.Results)
		}
		drill(t, e, mm, assessment.Subject{UnitID: term.ID, PersonID: zh.ID}, "orders")
		if star := assessment.Star(mm.Results); star == nil || star.PersonID != he.ID {
			t.Fatalf("star: %+v", star)
		}
		// 网络班: (60 + 18) ÷ 4 = 19.5; 终端班: 76 ÷ 4 = 19, each on the 12–20 scale, no volume
		// bonus.
		teams := assessment.BestTeams(mm.Results)
		if len(teams) != 2 || teams[0].UnitID != net.ID || teams[0].Mean.String() != "19.5" || teams[1].Mean.String() != "19" {
			t.Fatalf("teams: %+v", teams)
		}

		// care-deductions: 杨春梅 26 + 6×2 = 32 in October after 30 in September.
		cd := closeAll(t, e, "care-deductions", "2026-10", care.ID)
		rv := drill(t, e, cd, assessment.Subject{UnitID: ward.ID, PersonID: yang.ID}, "deductions")
		if rv.Result.Result.Total.String() != "32" || strings.Join(rv.Result.Result.Flags, ",") != "base_salary_only,dismissal_review" || rv.Person == nil || rv.Person.Name != "杨春梅" {
			t.Fatalf("杨春梅: %v %v", rv.Result.Result.Total, rv.Result.Result.Flags)
		}

		// survey-quarterly: the head of 永馨园 is charged −1 −3 −2 −5 = −11 and fined 100.
		sq := closeAll(t, e, "survey-quarterly", "2026-Q3", prop.ID)
		rv = drill(t, e, sq, assessment.Subject{UnitID: yx.ID, PersonID: chen.ID}, "valid")
		if rv.Result.Result.Total.String() != "-11" {
			t.Fatalf("永馨园 head: %v", rv.Result.Result.Total)
		}

		// dept-quarterly-weighted: 储运中心 99 × 0.4 + 30 + 30 = 99.6 excellent, 9,200 reward;
		// 武汉业务部 89.8, fail, 5,000 penalty.
		// The work group spent 25,000 this year: the 9,200 reward takes the budget 4,200 over,
		// which the review shows before approval and the approval records.
		if _, err := assessment.RecordExpense(ctx, db, clerk, assessment.ExpenseInput{SpentOn: "2026-06-30", Amount: "25000", Note: "质量月活动"}); err != nil {
			t.Fatal(err)
		}
		dc, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "dept-quarterly-weighted", Period: "2026-Q3", ParentUnitID: logc.ID})
		if err != nil {
			t.Fatal(err)
		}
		review, err := e.GetClose(ctx, committee, dc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b := review.Budget; b == nil || !b.Exceeds || b.After.String() != "-4200" || b.ThisClose.String() != "9200" || b.Remaining.String() != "5000" {
			t.Fatalf("budget on review: %+v", review.Budget)
		}
		if dc, err = e.Approve(ctx, committee, dc.ID); err != nil || dc.BudgetOver != "4200" {
			t.Fatalf("approve over budget: %v %+v", err, dc)
		}
		if _, err := e.Lock(ctx, clerk, dc.ID); err != nil {
			t.Fatal(err)
		}
		dq, err := e.GetClose(ctx, committee, dc.ID)
		if err != nil {
			t.Fatal(err)
		}
		rv = drill(t, e, dq, assessment.Subject{UnitID: wh.ID}, "self_checks")
		if rv.Result.Result.Total.String() != "89.8" {
			t.Fatalf("武汉业务部: %v", rv.Result.Result.Total)
		}

		lines, err := assessment.ListLedger(ctx, db, committee, assessment.LedgerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := "储运中心 reward 9200 yuan 2026-09; 武汉业务部 penalty -5000 yuan 2026-09; 陈立新 fine -100 yuan 2026-09; 陈立新 head_deduction -11 points 2026-09; " +
			"杨春梅 pay_deduction -320 yuan 2026-10; 杨春梅 base_salary_only 0 flag 2026-10; 许红 pay_deduction -30 yuan 2026-10; 何海涛 star_points 0.5 points 2027-01"
		if got := lineKinds(lines); got != want {
			t.Fatalf("ledger:\n got %s\nwant %s", got, want)
		}
		for _, l := range lines {
			if l.CloseID == 0 || l.ResultID == 0 || l.Period == "" || l.CloseVersion != 1 {
				t.Fatalf("line without its source: %+v", l)
			}
		}

		// A reopened close keeps its old lines, superseded, and writes new ones on approval.
		c2, err := e.Reopen(ctx, clerk, cd.Close.ID, "复核扣分")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Approve(ctx, committee, c2.ID); err != nil {
			t.Fatal(err)
		}
		all, err := assessment.ListLedger(ctx, db, committee, assessment.LedgerFilter{SchemeCode: "care-deductions", IncludeSuperseded: true})
		if err != nil {
			t.Fatal(err)
		}
		var old, cur int
		for _, l := range all {
			if l.Superseded && l.CloseVersion == 1 {
				old++
			} else if !l.Superseded && l.CloseVersion == 2 {
				cur++
			}
		}
		if old != 3 || cur != 3 {
			t.Fatalf("after reopen: %d superseded, %d current: %s", old, cur, lineKinds(all))
		}

		// The year pages: the care home's dismissal review with HR's decision; the centre's
		// star with the points paid the next year.
		cy2, err := e.Year(ctx, committee, "care-deductions", 2026)
		if err != nil || len(cy2.Reviews) != 1 || cy2.Reviews[0].Result.PersonID != yang.ID || cy2.Reviews[0].Decision != nil {
			t.Fatalf("care year: %v %+v", err, cy2.Reviews)
		}
		if _, err := assessment.RecordHRDecision(ctx, db, clerk, assessment.HRInput{SchemeCode: "care-deductions", Period: "2026-10", PersonID: yang.ID, Outcome: "kept", Reason: "已整改"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("HR decision by a clerk: %v", err)
		}
		// A role that decides no review is refused before its input is read.
		if _, err := assessment.RecordHRDecision(ctx, db, committee, assessment.HRInput{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an empty HR decision by the committee: %v", err)
		}
		if _, err := assessment.RecordHRDecision(ctx, db, admin, assessment.HRInput{SchemeCode: "care-deductions", Period: "2026-10", PersonID: xu.ID, Outcome: "kept", Reason: "x"}); errs.As(err) == nil || errs.As(err).Field != "assessment_person" {
			t.Fatalf("HR decision without a review: %v", err)
		}
		if _, err := assessment.RecordHRDecision(ctx, db, admin, assessment.HRInput{SchemeCode: "care-deductions", Period: "2026-10", PersonID: yang.ID, Outcome: "kept", Reason: "本人已整改，留用察看"}); err != nil {
			t.Fatal(err)
		}
		cy2, err = e.Year(ctx, committee, "care-deductions", 2026)
		if err != nil || cy2.Reviews[0].Decision == nil || cy2.Reviews[0].Decision.Outcome != "kept" || cy2.Reviews[0].Decision.DecidedBy != "root" {
			t.Fatalf("care year after HR: %v %+v", err, cy2.Reviews)
		}
		my, err := e.Year(ctx, committee, "maintainer-monthly", 2026)
		if err != nil || len(my.Awards) != 1 || my.Awards[0].Star == nil || my.Awards[0].Star.PersonID != he.ID || my.Awards[0].PaidIn != 2027 || my.Awards[0].BestTeam.UnitID != net.ID {
			t.Fatalf("maintainer year: %v %+v", err, my.Awards)
		}
		var buf bytes.Buffer
		if err := assessment.WriteYear(&buf, my); err != nil || buf.Len() == 0 {
			t.Fatal(err)
		}

		// The payroll of September has the quarter's lines; a unit head sees only their unit's.
		pr, err := assessment.GetPayroll(ctx, db, committee, "2026-09")
		if err != nil || len(pr.Lines) != 4 {
			t.Fatalf("payroll: %v %s", err, lineKinds(pr.Lines))
		}
		head := access.Principal{Username: "head", Grants: []access.Grant{{Role: access.UnitHead, UnitID: yx.ID}}}
		pr, err = assessment.GetPayroll(ctx, db, head, "2026-09")
		if err != nil || lineKinds(pr.Lines) != "陈立新 fine -100 yuan 2026-09; 陈立新 head_deduction -11 points 2026-09" {
			t.Fatalf("head's payroll: %v %s", err, lineKinds(pr.Lines))
		}
	})
}

// TestCloseRefusalsEveryScheme: bad input is refused with a message naming the field, in
// both languages, and changes nothing.
func TestCloseRefusalsEveryScheme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC) }
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		o := orgWorld{t, ctx, db}
		prop := o.unit(0, "PROP", "物业公司", org.Company)
		yx := o.unit(prop.ID, "PROP-YXY", "永馨园", org.Area)
		chen := o.person(yx, "陈立新", access.UnitHead)
		imc := o.unit(0, "IMC", "信息维修中心", org.Department)
		net := o.unit(imc.ID, "IMC-WL", "网络班", org.Team)
		o.person(net, "何海涛", access.Staff)
		fx := factsFixture{
			names: []string{"households", "threshold", "valid", "satisfied_or_better", "verified_fault_dissatisfied", "improper_means"},
			zero:  map[string]any{"households": 400, "threshold": 0, "valid": 0, "satisfied_or_better": 0, "verified_fault_dissatisfied": 0, "improper_means": 0},
		}
		e := assessment.NewEngine(db, fx)
		count := func() int {
			var n int
			if err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT COUNT(*) FROM assessment_closes").Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		check := func(what string, err error, code errs.Code, field, zh, en string) {
			t.Helper()
			e := errs.As(err)
			if e == nil || e.Code != code || e.Field != field {
				t.Fatalf("%s: err = %#v, want %s on %s", what, err, code, field)
			}
			if m := e.Message(locale.ZH); !strings.Contains(m, zh) {
				t.Fatalf("%s: %q lacks %q", what, m, zh)
			}
			if m := e.Message(locale.EN); !strings.Contains(m, en) {
				t.Fatalf("%s: %q lacks %q", what, m, en)
			}
		}

		// Evidence missing: no area provides maintainer-monthly's orders.
		_, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "maintainer-monthly", Period: "2026-10", ParentUnitID: imc.ID})
		check("evidence missing", err, errs.Invalid, "assessment_scheme", "所需的证据“orders”没有来源", "needs the evidence “orders”")
		if count() != 0 {
			t.Fatal("a refused start stored a close")
		}
		// No subject: the property company has no staff for maintainer-monthly... but a
		// department with no area has no unit head subject.
		_, err = e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "survey-quarterly", Period: "2026-Q3", ParentUnitID: imc.ID})
		check("no subjects", err, errs.Invalid, "assessment_parent", "没有方案 survey-quarterly 的考核对象", "has no subjects of scheme survey-quarterly")

		// Approving with a subject undecided: 永馨园 has no valid questionnaire.
		c, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "survey-quarterly", Period: "2026-Q3", ParentUnitID: prop.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Approve(ctx, committee, c.ID)
		check("undecided", err, errs.Conflict, "assessment_decision", "陈立新（永馨园）", "incomplete without a decision")
		if v, _ := e.GetClose(ctx, committee, c.ID); v.Close.Status != assessment.Draft {
			t.Fatalf("refused approval changed the close: %s", v.Close.Status)
		}

		// A second close of the same scheme and period.
		_, err = e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "survey-quarterly", Period: "2026-Q3", ParentUnitID: prop.ID})
		check("second close", err, errs.Conflict, "assessment_period", "“2026-Q3”已有方案 survey-quarterly 的结账", "already has a close of scheme survey-quarterly")
		if count() != 1 {
			t.Fatal("a refused second start stored a close")
		}

		// The payroll of an unapproved period.
		_, err = assessment.GetPayroll(ctx, db, committee, "2026-09")
		check("payroll unapproved", err, errs.Invalid, "ledger_month", "尚有未审定的结账（survey-quarterly 2026-Q3）", "has closes not yet approved")
		_, err = assessment.GetPayroll(ctx, db, committee, "2026-08")
		check("payroll nothing approved", err, errs.Invalid, "ledger_month", "没有已审定的结账", "no approved close")

		// Deciding the head's result clears the way.
		if _, err := e.Decide(ctx, clerk, c.ID, assessment.DecisionInput{UnitID: yx.ID, PersonID: chen.ID, Kind: assessment.Exclude, Reason: "本季度未发放问卷"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Approve(ctx, committee, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := assessment.GetPayroll(ctx, db, committee, "2026-09"); err != nil {
			t.Fatal(err)
		}
	})
}
