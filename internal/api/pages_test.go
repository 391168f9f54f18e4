package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/auth"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/sampling"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// walkPages reads a paged list as who from its first page to its last, limit items a page,
// and answers the ids in the order read. A page short of limit that is not the last, an id
// read twice, or more pages than ids fail the test.
func (f *fixture) walkPages(t *testing.T, who, path string, limit int) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	sep := "?"
	if u, _ := url.Parse(path); u.RawQuery != "" {
		sep = "&"
	}
	next := path + sep + "limit=" + strconv.Itoa(limit)
	for pages := 1; ; pages++ {
		rec, v := f.send(who, "GET", next, "", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", next, rec.Code, rec.Body)
		}
		got := ids(v)
		for _, id := range got {
			if seen[id] {
				t.Fatalf("%s: id %s again, after %v", next, id, out)
			}
			seen[id] = true
		}
		out = append(out, got...)
		c, more := v["next_cursor"].(string)
		if !more {
			return out
		}
		if len(got) != limit || pages > len(out) {
			t.Fatalf("%s: a page of %d followed by another (%d pages, %d ids)", next, len(got), pages, len(out))
		}
		next = path + sep + "limit=" + strconv.Itoa(limit) + "&cursor=" + c
	}
}

// pageRefusals are the refusals every paged list shares: a cursor that is not one of ours,
// and a limit outside 1–200, each naming its parameter.
func pageRefusals(who, path string) []scenario {
	sep := "?"
	if u, _ := url.Parse(path); u.RawQuery != "" {
		sep = "&"
	}
	return []scenario{
		{name: path + " after a bad cursor", who: who, method: "GET", url: path + sep + "cursor=xyz", status: 422, code: errs.Invalid, field: "cursor"},
		{name: path + " a page of 0", who: who, method: "GET", url: path + sep + "limit=0", status: 422, code: errs.Invalid, field: "limit"},
		{name: path + " a page of 201", who: who, method: "GET", url: path + sep + "limit=201", status: 422, code: errs.Invalid, field: "limit"},
		{name: path + " a limit not a number", who: who, method: "GET", url: path + sep + "limit=ten", status: 400, code: errs.Malformed, field: "limit"},
	}
}

// itemCount checks that a list answers n items.
func itemCount(n int) func(t *testing.T, f *fixture, v map[string]any) {
	return func(t *testing.T, f *fixture, v map[string]any) {
		t.Helper()
		if got := len(ids(v)); got != n {
			t.Errorf("%d items, want %d: %v", got, n, v)
		}
	}
}

// idsOf answers the ids a query selects, in its order.
func (f *fixture) idsOf(query string, args ...any) []string {
	f.t.Helper()
	var out []string
	err := f.db.Read(context.Background(), func(tx *store.Tx) (err error) {
		out, err = store.All(context.Background(), tx, func(s store.Scanner) (string, error) {
			var id int64
			err := s.Scan(&id)
			return fmt.Sprint(id), err
		}, query, args...)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// TestListAPIPages: people, accounts, closes, ledger lines, direct deductions, the
// questionnaire templates, scheme versions, sampling plans and a month's work-order follow-ups
// are read by cursor, a page at a time, each row once and in the list's order, including rows
// of equal sort value (namesakes, a code's versions, a payroll month's lines, follow-ups of one
// status) and within the caller's scope; a bad cursor or limit is refused naming it, and one
// who may not read the plans is refused.
func TestListAPIPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		f.seedCallbacks()
		ctx := context.Background()
		admin := *f.who["admin"]
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"ZZ", "AA", "MM", "HU"} {
			if _, err := sampling.SavePlan(ctx, db, admin, sampling.PlanInput{Code: code, Name: "抽查 " + code, Source: sampling.FromImport, MinCount: 1}); err != nil {
				t.Fatal(err)
			}
		}
		// More versions of every template and scheme: several rows share each code.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, add := range []int{10, 20} {
				if _, err := tx.Exec(ctx, "INSERT INTO survey_templates (code, version, name, definition, created_by, created_at) SELECT code, version + ?, name, definition, created_by, created_at FROM survey_templates WHERE version < 10", add); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "INSERT INTO assessment_schemes (code, version, name_zh, name_en, yaml, active, created_by, created_at) SELECT code, version + ?, name_zh, name_en, yaml, ?, created_by, created_at FROM assessment_schemes WHERE version < 10", add, false); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		month := f.dissatisfied(t, 5)
		// Direct deductions, several of a day, of two units; one outside the period asked for.
		for i, day := range []string{"2026-02-10", "2026-01-20", "2026-02-10", "2026-01-05", "2026-02-10", "2025-12-31"} {
			unit := mustID(f, "yx")
			if i%2 == 1 {
				unit = mustID(f, "mg")
			}
			if _, err := complaint.AddDirect(ctx, db, admin, complaint.DirectInput{UnitID: unit, Day: day, Points: "1", Reason: "主业考核差错"}); err != nil {
				t.Fatal(err)
			}
		}
		// Closes of three months.
		clerk := access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
		eng := assessment.NewEngine(db)
		for _, st := range []assessment.StartInput{
			{SchemeCode: "unit-monthly", Period: "2026-01", ParentUnitID: mustID(f, "prop")},
			{SchemeCode: "unit-monthly", Period: "2025-12", ParentUnitID: mustID(f, "prop")},
			{SchemeCode: "unit-monthly", Period: "2026-02", ParentUnitID: mustID(f, "prop")},
		} {
			if _, err := eng.Start(ctx, clerk, st); err != nil {
				t.Fatalf("close %+v: %v", st, err)
			}
		}
		// A copy of each under another scheme's code: two closes of every period.
		cols := "scheme_version, period, parent_unit_id, version, status, superseded, missing_facts, missing_reason, missing_by, reopen_reason, created_by, created_at, computed_at"
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO assessment_closes (scheme_code, "+cols+") SELECT 'copy', "+cols+" FROM assessment_closes")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// Ledger lines of the three months, a reward and a penalty of every area each, written
		// month by month out of order: many lines share a payroll month. One is superseded.
		// (The closes lack evidence and have no results: the lines' results are written here.)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO assessment_results (close_id, unit_id, person_id, status, result_json, facts_json, records_json)"+
				" SELECT c.id, u.id, 0, 'scored', '{}', '{}', '{}' FROM assessment_closes c JOIN units u ON u.parent_id = c.parent_unit_id WHERE c.scheme_code = 'unit-monthly'"); err != nil {
				return err
			}
			for _, kind := range []string{"'reward', '100'", "'penalty', '-50'"} {
				if _, err := tx.Exec(ctx, "INSERT INTO assessment_ledger (close_id, result_id, scheme_code, period, close_version, pay_month, unit_id, person_id, kind, amount, measure, superseded, created_at)"+
					" SELECT c.id, r.id, c.scheme_code, c.period, c.version, c.period, r.unit_id, 0, "+kind+", 'yuan', c.superseded, c.created_at"+
					" FROM assessment_results r JOIN assessment_closes c ON c.id = r.close_id WHERE c.scheme_code = 'unit-monthly' ORDER BY r.id"); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, "UPDATE assessment_ledger SET superseded = ? WHERE id = (SELECT MIN(id) FROM assessment_ledger)", true)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// Namesakes, each with an account: user names in another order than the ids.
		for i, unit := range []int64{mustID(f, "yx"), mustID(f, "mg"), mustID(f, "yx"), mustID(f, "yx")} {
			p, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: unit, Name: "王芳", Title: "管家"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := auth.CreateUser(auth.WithCost(ctx, passwordCost), db, admin, auth.UserInput{PersonID: p.ID, Username: fmt.Sprintf("wangfang%d", 9-i), Password: "long-enough-pass"}); err != nil {
				t.Fatal(err)
			}
		}

		for _, l := range []struct {
			who, path, want string
			args            []any
		}{
			{"admin", "/api/v1/people", "SELECT id FROM people WHERE active = ? ORDER BY name, id", []any{true}},
			{"yxadmin", "/api/v1/people", "SELECT id FROM people WHERE active = ? AND unit_id = ? ORDER BY name, id", []any{true, mustID(f, "yx")}},
			{"admin", "/api/v1/users", "SELECT id FROM users ORDER BY username", nil},
			{"yxadmin", "/api/v1/users", "SELECT u.id FROM users u JOIN people p ON p.id = u.person_id WHERE p.unit_id = ? ORDER BY username", []any{mustID(f, "yx")}},
			{"committee", "/api/v1/quality/direct-deductions?from=2026-01-01&to=2026-03-31", "SELECT id FROM complaint_direct_deductions WHERE day >= ? ORDER BY day, id", []any{"2026-01-01"}},
			{"yxadmin", "/api/v1/quality/direct-deductions?from=2026-01-01&to=2026-03-31", "SELECT id FROM complaint_direct_deductions WHERE day >= ? AND unit_id = ? ORDER BY day, id", []any{"2026-01-01", mustID(f, "yx")}},
			{"committee", "/api/v1/assessment/closes", "SELECT id FROM assessment_closes WHERE superseded = ? ORDER BY period DESC, id DESC", []any{false}},
			{"committee", "/api/v1/assessment/ledger", "SELECT id FROM assessment_ledger WHERE superseded = ? ORDER BY pay_month, id", []any{false}},
			{"head", "/api/v1/assessment/ledger?year=2026", "SELECT id FROM assessment_ledger WHERE superseded = ? AND unit_id = ? AND pay_month >= ? ORDER BY pay_month, id", []any{false, mustID(f, "yx"), "2026-01"}},
			{"committee", "/api/v1/assessment/ledger?superseded=true", "SELECT id FROM assessment_ledger ORDER BY pay_month, id", nil},
			{"committee", "/api/v1/surveys/templates", "SELECT id FROM survey_templates ORDER BY code, version DESC", nil},
			{"committee", "/api/v1/assessment/schemes", "SELECT id FROM assessment_schemes ORDER BY code, version DESC", nil},
			{"committee", "/api/v1/sampling/plans", "SELECT id FROM sampling_plans WHERE active = ? ORDER BY code", []any{true}},
			{"admin", "/api/v1/workorders/followups?month=" + month, "SELECT id FROM workorder_followups WHERE month = ? ORDER BY status, id", []any{month}},
			{"foreman", "/api/v1/workorders/followups?month=" + month, "SELECT id FROM workorder_followups WHERE month = ? ORDER BY status, id", []any{month}},
		} {
			want := f.idsOf(l.want, l.args...)
			if len(want) < 3 {
				t.Fatalf("%s: %d rows, too few to page", l.path, len(want))
			}
			for _, limit := range []int{1, 2, 200} {
				if got := f.walkPages(t, l.who, l.path, limit); !slices.Equal(got, want) {
					t.Errorf("%s by %d as %s: %v, want %v", l.path, limit, l.who, got, want)
				}
			}
			f.refused(t, pageRefusals(l.who, l.path))
		}
		f.refused(t, []scenario{
			{name: "plans to a unit head", who: "head", method: "GET", url: "/api/v1/sampling/plans", status: 403, code: errs.Forbidden},
			{name: "accounts to a unit head", who: "head", method: "GET", url: "/api/v1/users", status: 403, code: errs.Forbidden},
		})
		// The scope is the query's: another centre's dispatcher gets an empty last page.
		f.run(t, []scenario{
			{name: "another centre's follow-ups", who: "other", method: "GET", url: "/api/v1/workorders/followups?month=" + month, status: 200, want: []string{`"items":[]`, `"next_cursor":null`}},
		})
	})
}

// dissatisfied registers n more hotline orders of the seedCallbacks team closed on the day
// its order closed, rates every callback of that day 不满意, and files the follow-up of the
// last, so that the month's follow-ups are of two statuses, several of one. It answers the
// month.
func (f *fixture) dissatisfied(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	team, maint := mustID(f, "team"), f.who["maint"].PersonID
	for i := range n {
		reported := time.Date(2026, 2, 27, 9, i, 0, 0, workorder.Zone)
		o, err := workorder.Register(ctx, f.db, *f.who["dispatcher"], workorder.Input{Reporter: "住户", Phone: fmt.Sprintf("1391234%04d", i), Location: "5号楼",
			Device: "交换机", Fault: "网络不通", TeamID: team, MaintainerID: maint, ReportedAt: reported})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := workorder.Close(ctx, f.db, *f.who["foreman"], o.ID, workorder.CloseInput{ClosedAt: reported.Add(26 * time.Hour), Cause: "网线松动", Measures: "重新压接"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := workorder.Generate(ctx, f.db, access.System, "2026-02-28"); err != nil {
		t.Fatal(err)
	}
	orders := f.idsOf("SELECT order_id FROM workorder_tasks WHERE kind = 'callback' ORDER BY order_id")
	for _, o := range orders {
		id, _ := strconv.ParseInt(o, 10, 64)
		if _, err := workorder.Evaluate(ctx, f.db, *f.who["dispatcher"], workorder.EvalInput{OrderID: id, Kind: workorder.Callback, Score: 6, Comment: "又断网"}); err != nil {
			t.Fatal(err)
		}
	}
	fus := f.idsOf("SELECT id FROM workorder_followups ORDER BY id")
	if len(fus) != len(orders) || len(fus) < n {
		t.Fatalf("%d follow-ups of %d callbacks", len(fus), len(orders))
	}
	// The newest filed: its status puts it first, before older open ones.
	last, _ := strconv.ParseInt(fus[len(fus)-1], 10, 64)
	if err := workorder.FileFollowUp(ctx, f.db, *f.who["foreman"], last, workorder.FollowUpInput{VisitedOn: "2026-03-01", Findings: "网线老化", Rectification: "更换网线"}); err != nil {
		t.Fatal(err)
	}
	return "2026-02"
}
