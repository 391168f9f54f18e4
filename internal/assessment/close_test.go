package assessment_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

var (
	admin     = access.Principal{Username: "root", Grants: []access.Grant{{Role: access.Admin}}}
	clerk     = access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
	committee = access.Principal{Username: "committee", Grants: []access.Grant{{Role: access.Committee}}}
)

func intp(n int) *int { return &n }

// complaints is a fixture source for complaints_valid and complaints_major, keyed by unit and
// period, standing in for the complaints area in these tests.
type complaints map[int64]map[string][2]int

func (complaints) Name() string { return "complaints-fixture" }
func (complaints) Provides() []string {
	return []string{"complaints_valid", "complaints_major"}
}
func (c complaints) Facts(_ context.Context, _ *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	n := c[q.UnitID][q.Period]
	var recs []assessment.Record
	for i := 0; i < n[0]; i++ {
		recs = append(recs, assessment.Record{Kind: "complaint", ID: "C-1", At: q.From, Summary: "态度", URL: "/complaints/1"})
	}
	return []assessment.Fact{
		{Name: "complaints_valid", Value: n[0], Records: recs},
		{Name: "complaints_major", Value: n[1]},
	}, nil
}

// ledgerInspections is a fixture source for inspections and problems, standing in for the
// inspections area (which provides them since the ledger stopped): it counts the ledger's
// inspection rows these tests record.
type ledgerInspections struct{}

func (ledgerInspections) Name() string       { return "inspections-fixture" }
func (ledgerInspections) Provides() []string { return []string{"inspections", "problems"} }
func (ledgerInspections) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	rows, err := tx.Query(ctx, "SELECT id, problems FROM assessment_evidence WHERE unit_id = ? AND kind = 'inspection' AND occurred_on >= ? AND occurred_on < ? ORDER BY id",
		q.UnitID, q.From.In(assessment.Zone).Format("2006-01-02"), q.To.In(assessment.Zone).Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var n, problems int
	var recs []assessment.Record
	for rows.Next() {
		var id int64
		var p int
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		n, problems = n+1, problems+p
		recs = append(recs, assessment.Record{Kind: "inspection", ID: fmt.Sprint(id), At: q.From, URL: fmt.Sprintf("/assessment/evidence/%d", id)})
	}
	return []assessment.Fact{{Name: "inspections", Value: n, Records: recs}, {Name: "problems", Value: problems, Records: recs}}, rows.Err()
}

// ledgerSurveys is a fixture source for survey, standing in for the surveys area (which
// provides it since the ledger stopped): the band of each of the ledger's survey rows.
type ledgerSurveys struct{}

func (ledgerSurveys) Name() string       { return "surveys-fixture" }
func (ledgerSurveys) Provides() []string { return []string{"survey"} }
func (ledgerSurveys) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	rows, err := tx.Query(ctx, "SELECT id, band FROM assessment_evidence WHERE unit_id = ? AND kind = 'survey_evaluation' AND occurred_on >= ? AND occurred_on < ? ORDER BY id",
		q.UnitID, q.From.In(assessment.Zone).Format("2006-01-02"), q.To.In(assessment.Zone).Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bands, recs := []int{}, []assessment.Record{}
	for rows.Next() {
		var id int64
		var b int
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		bands = append(bands, b)
		recs = append(recs, assessment.Record{Kind: "survey_evaluation", ID: fmt.Sprint(id), At: q.From, URL: fmt.Sprintf("/assessment/evidence/%d", id)})
	}
	return []assessment.Fact{{Name: "survey", Value: bands, Records: recs}}, rows.Err()
}

type world struct {
	db               *store.DB
	prop, mg, yx, wx org.Unit // company, 玫瑰区, 永馨园, 维修科
	fwgl             org.Unit // 服务管理科: a section with no evidence → no opinion
	headYX           access.Principal
	engine           *assessment.Engine
	ctx              context.Context
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC) }
	if err := assessment.SeedSchemes(ctx, db); err != nil {
		t.Fatal(err)
	}
	mk := func(parent int64, code, name string, kind org.Kind) org.Unit {
		in := org.UnitInput{ParentID: parent, Code: code, Name: name, Kind: kind}
		if kind == org.Area {
			in.Households, in.ThresholdBP = intp(400), intp(3000)
		}
		u, err := org.CreateUnit(ctx, db, admin, in)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w := &world{db: db, ctx: ctx}
	w.prop = mk(0, "PROP", "物业公司", org.Company)
	w.fwgl = mk(w.prop.ID, "FWGL", "服务管理科", org.Section)
	w.mg = mk(w.prop.ID, "MGQ", "玫瑰区", org.Area)
	w.yx = mk(w.prop.ID, "YXY", "永馨园", org.Area)
	w.wx = mk(w.prop.ID, "WXK", "维修科", org.Section)
	mk(w.yx.ID, "YXY-T", "永馨园班组", org.Team) // a team is not a subject
	w.headYX = access.Principal{Username: "head.yongxin", Grants: []access.Grant{{Role: access.UnitHead, UnitID: w.yx.ID}}}
	w.engine = assessment.NewEngine(db, complaints{
		w.mg.ID: {"2026-10": {1, 0}},
	}, ledgerInspections{}, ledgerSurveys{})
	return w
}

func (w *world) evidence(t *testing.T, unit org.Unit, day string, problems *int, band *int) assessment.Evidence {
	t.Helper()
	in := assessment.EvidenceInput{UnitID: unit.ID, OccurredOn: day, Problems: problems, Band: band}
	in.Kind = assessment.Inspection
	if band != nil {
		in.Kind = assessment.SurveyEvaluation
	}
	e, err := assessment.RecordEvidence(w.ctx, w.db, clerk, in)
	if err != nil {
		t.Fatalf("evidence %s %s: %v", unit.Name, day, err)
	}
	return e
}

// resultOf returns a unit's result in a close view.
func resultOf(t *testing.T, v assessment.CloseView, u org.Unit) assessment.Result {
	t.Helper()
	for _, r := range v.Results {
		if r.UnitID == u.ID {
			return r
		}
	}
	t.Fatalf("no result for %s in close %d", u.Name, v.Close.ID)
	return assessment.Result{}
}

func wantCode(t *testing.T, what string, err error, code errs.Code, text string) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
	if msg := errs.As(err).Message(locale.ZH); text != "" && !strings.Contains(msg, text) {
		t.Fatalf("%s: message %q lacks %q", what, msg, text)
	}
}

func TestEvidenceRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		tests := []struct {
			name  string
			actor access.Principal
			in    assessment.EvidenceInput
			code  errs.Code
			text  string
		}{
			{"unknown unit", clerk, assessment.EvidenceInput{UnitID: 99999, OccurredOn: "2026-10-08", Kind: assessment.Inspection, Problems: intp(1)}, errs.Invalid, "单位不存在"},
			{"no unit", clerk, assessment.EvidenceInput{OccurredOn: "2026-10-08", Kind: assessment.Inspection, Problems: intp(1)}, errs.Invalid, "单位不能为空"},
			{"band not in list", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-10-08", Kind: assessment.SurveyEvaluation, Band: intp(10)}, errs.Invalid, "评价档次“10”无效"},
			{"negative problems", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-10-08", Kind: assessment.Inspection, Problems: intp(-1)}, errs.Invalid, "发现问题数不能小于 0"},
			{"inspection without problems", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-10-08", Kind: assessment.Inspection}, errs.Invalid, "发现问题数不能为空"},
			{"band on inspection", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-10-08", Kind: assessment.Inspection, Problems: intp(0), Band: intp(20)}, errs.Invalid, "评价档次只用于"},
			{"bad date", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-13-01", Kind: assessment.Inspection, Problems: intp(0)}, errs.Invalid, "不是有效日期"},
			{"future date", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-12-01", Kind: assessment.Inspection, Problems: intp(0)}, errs.Invalid, "在今天之后"},
			{"bad kind", clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-10-08", Kind: "visit"}, errs.Invalid, "记录类型"},
			{"unit head", w.headYX, assessment.EvidenceInput{UnitID: w.yx.ID, OccurredOn: "2026-10-08", Kind: assessment.Inspection, Problems: intp(0)}, errs.Forbidden, "质量管理员"},
		}
		for _, tc := range tests {
			_, err := assessment.RecordEvidence(w.ctx, db, tc.actor, tc.in)
			wantCode(t, tc.name, err, tc.code, tc.text)
		}
		rows, err := assessment.ListEvidence(w.ctx, db, admin, assessment.EvidenceFilter{})
		if err != nil || len(rows) != 0 {
			t.Fatalf("refused evidence was stored: %d rows, %v", len(rows), err)
		}
	})
}

// TestCloseWorkflow runs unit-monthly through March and October: compute, the incomplete
// rule, decisions, approval by the committee only, lock, evidence refused in a locked period,
// reopen with a new version and its difference, year-end ineligibility and unit-head scope.
func TestCloseWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ctx, e := w.ctx, w.engine

		// March: 玫瑰区 12 problems and one 一般 → 38 + 12 + 30 = 80, fail.
		w.evidence(t, w.mg, "2026-03-10", intp(12), nil)
		w.evidence(t, w.mg, "2026-03-11", nil, intp(12))
		march, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-03", ParentUnitID: w.prop.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Approve(ctx, clerk, march.ID)
		wantCode(t, "approve by clerk", err, errs.Forbidden, "委员")
		if _, err := e.Approve(ctx, committee, march.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Lock(ctx, committee, march.ID); err != nil {
			t.Fatal(err)
		}

		// October, the worked example of docs/policies.md §1 for 玫瑰区; 永馨园 inspected without a
		// survey (incomplete); 维修科 and 服务管理科 without anything (no opinion).
		w.evidence(t, w.mg, "2026-10-08", intp(3), nil)
		for _, b := range []int{20, 20, 20, 20, 20, 20, 16, 16, 16, 12} {
			w.evidence(t, w.mg, "2026-10-15", nil, intp(b))
		}
		w.evidence(t, w.yx, "2026-10-09", intp(0), nil)
		oct, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-10", ParentUnitID: w.prop.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-10", ParentUnitID: w.prop.ID})
		wantCode(t, "second start", err, errs.Conflict, "考评期间“2026-10”已有方案 unit-monthly 的结账")
		v, err := e.GetClose(ctx, committee, oct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Results) != 4 {
			t.Fatalf("%d subjects, want 4 (areas and sections, no team, no company)", len(v.Results))
		}
		mg := resultOf(t, v, w.mg)
		if mg.Result.Total.String() != "89" || mg.Result.Grade.Code != "fail" {
			t.Fatalf("玫瑰区 October = %v %v, want 89 fail", mg.Result.Total, mg.Result.Grade)
		}
		if !strings.Contains(strings.Join(mg.Result.Flags, ","), "year_end_ineligible") {
			t.Fatalf("玫瑰区 failed March and October but flags = %v", mg.Result.Flags)
		}
		if got := resultOf(t, v, w.yx).Result.Status; got != scheme.Incomplete {
			t.Fatalf("永馨园 status %s, want incomplete", got)
		}
		if got := resultOf(t, v, w.wx).Result.Status; got != scheme.NoOpinion {
			t.Fatalf("维修科 status %s, want no_opinion", got)
		}
		if v.Undecided != 1 {
			t.Fatalf("undecided = %d, want 1", v.Undecided)
		}
		_, err = e.Approve(ctx, committee, oct.ID)
		wantCode(t, "approve with an undecided subject", err, errs.Conflict, "永馨园")

		// Decisions: a reason is required; the value must be a band.
		_, err = e.Decide(ctx, clerk, oct.ID, assessment.DecisionInput{UnitID: w.yx.ID, Kind: assessment.Award, Fact: "survey", Value: "16", Reason: "  "})
		wantCode(t, "decision without reason", err, errs.Invalid, "理由不能为空")
		_, err = e.Decide(ctx, clerk, oct.ID, assessment.DecisionInput{UnitID: w.yx.ID, Kind: assessment.Award, Fact: "survey", Value: "15", Reason: "电话回访"})
		wantCode(t, "award off the bands", err, errs.Invalid, "15")
		_, err = e.Decide(ctx, w.headYX, oct.ID, assessment.DecisionInput{UnitID: w.yx.ID, Kind: assessment.Exclude, Reason: "自己决定"})
		wantCode(t, "decision by a unit head", err, errs.Forbidden, "")
		_, err = e.Decide(ctx, clerk, oct.ID, assessment.DecisionInput{UnitID: w.mg.ID, Kind: assessment.Exclude, Reason: "不想考"})
		wantCode(t, "decision on a complete subject", err, errs.Conflict, "")
		if _, err := e.Decide(ctx, clerk, oct.ID, assessment.DecisionInput{UnitID: w.yx.ID, Kind: assessment.Award, Fact: "survey", Value: "16", Reason: "10 月 28 日电话回访业主，评价基本满意"}); err != nil {
			t.Fatal(err)
		}
		v, _ = e.GetClose(ctx, committee, oct.ID)
		yx := resultOf(t, v, w.yx)
		if yx.Result.Status != scheme.Scored || yx.Result.Total.String() != "96" || yx.Decision == nil {
			t.Fatalf("永馨园 after the decision: %s %v decision %v", yx.Result.Status, yx.Result.Total, yx.Decision)
		}
		if v.Undecided != 0 {
			t.Fatalf("undecided = %d after the decision", v.Undecided)
		}

		// Approval by the committee only.
		for _, p := range []access.Principal{clerk, w.headYX, admin} {
			_, err := e.Approve(ctx, p, oct.ID)
			wantCode(t, "approve by "+p.Username, err, errs.Forbidden, "")
		}
		if _, err := e.Approve(ctx, committee, oct.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.Lock(ctx, w.headYX, oct.ID)
		wantCode(t, "lock by a unit head", err, errs.Forbidden, "")
		if _, err := e.Lock(ctx, clerk, oct.ID); err != nil {
			t.Fatal(err)
		}

		// Locked: evidence into October is refused, changes elsewhere do not touch it, and the
		// database itself refuses to change a locked result.
		_, err = assessment.RecordEvidence(ctx, db, clerk, assessment.EvidenceInput{UnitID: w.mg.ID, OccurredOn: "2026-10-20", Kind: assessment.Inspection, Problems: intp(5)})
		wantCode(t, "evidence into a locked period", err, errs.Conflict, "已审定或锁定")
		w.evidence(t, w.mg, "2026-11-02", intp(7), nil)
		_, err = e.Recompute(ctx, clerk, oct.ID)
		wantCode(t, "recompute a locked close", err, errs.Conflict, "")
		locked, _ := e.GetClose(ctx, committee, oct.ID)
		if got := resultOf(t, locked, w.mg).Result.Total.String(); got != "89" {
			t.Fatalf("locked 玫瑰区 changed to %s", got)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE assessment_results SET total = '100' WHERE close_id = ?", oct.ID)
			return err
		})
		if err == nil {
			t.Fatal("the database let a locked result change")
		}

		// Reopen: a reason is required; the new version is a draft, the old stays locked.
		_, err = e.Reopen(ctx, committee, oct.ID, "")
		wantCode(t, "reopen without reason", err, errs.Invalid, "理由不能为空")
		_, err = e.Reopen(ctx, w.headYX, oct.ID, "想改")
		wantCode(t, "reopen by a unit head", err, errs.Forbidden, "")
		v2, err := e.Reopen(ctx, clerk, oct.ID, "永馨园补录 10 月调查问卷")
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Status != assessment.Draft {
			t.Fatalf("reopened close = version %d %s", v2.Version, v2.Status)
		}
		_, err = e.Reopen(ctx, clerk, oct.ID, "again")
		wantCode(t, "reopen a superseded version", err, errs.Conflict, "")
		w.evidence(t, w.yx, "2026-10-25", nil, intp(20))
		if _, err := e.Recompute(ctx, clerk, v2.ID); err != nil {
			t.Fatal(err)
		}
		nv, err := e.GetClose(ctx, committee, v2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(nv.Versions) != 2 || nv.Versions[0].Status != assessment.Locked || !nv.Versions[0].Superseded {
			t.Fatalf("versions = %+v", nv.Versions)
		}
		var changed []int64
		for _, d := range nv.Diff {
			if d.Changed {
				changed = append(changed, d.UnitID)
			}
		}
		if len(changed) != 1 || changed[0] != w.yx.ID {
			t.Fatalf("diff changed %v, want only 永馨园", changed)
		}
		if got := resultOf(t, nv, w.yx).Result.Total.String(); got != "100" {
			t.Fatalf("永馨园 v2 = %s, want 100 (the real survey wins over the award)", got)
		}
		old, _ := e.GetClose(ctx, committee, oct.ID)
		if got := resultOf(t, old, w.yx).Result.Total.String(); got != "96" {
			t.Fatalf("永馨园 v1 changed to %s", got)
		}

		// Scope: the head of 永馨园 sees 永馨园 only.
		hv, err := e.GetClose(ctx, w.headYX, v2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hv.Results) != 1 || hv.Results[0].UnitID != w.yx.ID || hv.Hidden != 3 {
			t.Fatalf("head sees %d results (hidden %d)", len(hv.Results), hv.Hidden)
		}
		for _, d := range hv.Diff {
			if d.UnitID != w.yx.ID {
				t.Fatalf("head's diff shows unit %d", d.UnitID)
			}
		}
		_, err = e.GetResult(ctx, w.headYX, v2.ID, assessment.Subject{UnitID: w.mg.ID})
		wantCode(t, "head reads 玫瑰区", err, errs.Forbidden, "")

		// Scope of the list: the head of 永馨园 lists the company's close (he holds a subject
		// below it); a head of another company and a staff member of no unit below do not
		// see it, nor may they open it with its reopen reason.
		other, err := org.CreateUnit(ctx, w.db, admin, org.UnitInput{Code: "LOG", Name: "物流公司", Kind: org.Company})
		if err != nil {
			t.Fatal(err)
		}
		if cs, err := e.ListCloses(ctx, w.headYX); err != nil || len(cs) == 0 || cs[0].ID != v2.ID {
			t.Fatalf("the head's close list: %+v %v", cs, err)
		}
		for _, outsider := range []access.Principal{
			{Username: "head.log", Grants: []access.Grant{{Role: access.UnitHead, UnitID: other.ID}}},
			{Username: "clerk.log", Grants: []access.Grant{{Role: access.Clerk, UnitID: other.ID}}},
		} {
			if cs, err := e.ListCloses(ctx, outsider); err != nil || len(cs) != 0 {
				t.Errorf("%s lists closes outside his scope: %+v %v", outsider.Username, cs, err)
			}
			_, err := e.GetClose(ctx, outsider, v2.ID)
			wantCode(t, outsider.Username+" opens the close", err, errs.NotFound, "")
		}
		if _, err := e.GetResult(ctx, w.headYX, v2.ID, assessment.Subject{UnitID: w.yx.ID}); err != nil {
			t.Fatal(err)
		}

		// Drill-down: 玫瑰区's survey component reaches its ten ledger rows, the complaints
		// component the source's records.
		rv, err := e.GetResult(ctx, committee, oct.ID, assessment.Subject{UnitID: w.mg.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rv.Components {
			n := 0
			for _, f := range c.Facts {
				n += len(f.Records)
			}
			want := map[string]int{"standards": 1, "survey_score": 10, "complaints": 1}[c.Code]
			if n != want {
				t.Errorf("component %s has %d records, want %d", c.Code, n, want)
			}
		}
		if len(rv.Evidence) != 11 {
			t.Errorf("%d ledger rows resolved, want 11", len(rv.Evidence))
		}

		// Every close, decision, approval, lock and reopen is in the audit log.
		db.Read(ctx, func(tx *store.Tx) error {
			for _, f := range []audit.Filter{
				{Entity: "assessment_close", Action: "create"},
				{Entity: "assessment_close", Action: "approve"},
				{Entity: "assessment_close", Action: "lock"},
				{Entity: "assessment_close", Action: "reopen"},
				{Entity: "assessment_close", Action: "compute"},
				{Entity: "assessment_decision", Action: "decide"},
				{Entity: "assessment_evidence", Action: "create"},
			} {
				if _, n, err := audit.List(ctx, tx, f); err != nil || n == 0 {
					t.Errorf("no audit entry %s %s (%v)", f.Entity, f.Action, err)
				}
			}
			return nil
		})
	})
}

// TestMissingSource: without a complaints source the close says which facts have no source
// and computes nothing until a clerk decides, with a reason, to take them as zero.
func TestMissingSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		e := assessment.NewEngine(db, ledgerInspections{}, ledgerSurveys{})
		w.evidence(t, w.mg, "2026-09-03", intp(2), nil)
		w.evidence(t, w.mg, "2026-09-04", nil, intp(20))
		c, err := e.Start(w.ctx, clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-09", ParentUnitID: w.prop.ID})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(c.MissingFacts, ",") != "complaints_valid,complaints_major" || c.ComputedAt != nil {
			t.Fatalf("missing = %v, computed %v", c.MissingFacts, c.ComputedAt)
		}
		v, _ := e.GetClose(w.ctx, committee, c.ID)
		if len(v.Results) != 0 {
			t.Fatalf("%d results computed without a complaints source", len(v.Results))
		}
		_, err = e.Approve(w.ctx, committee, c.ID)
		wantCode(t, "approve with missing sources", err, errs.Conflict, "complaints_valid")
		_, err = e.DecideMissing(w.ctx, clerk, c.ID, "")
		wantCode(t, "missing decision without reason", err, errs.Invalid, "理由")
		if _, err := e.DecideMissing(w.ctx, clerk, c.ID, "投诉台账为纸质，9 月无投诉"); err != nil {
			t.Fatal(err)
		}
		v, _ = e.GetClose(w.ctx, committee, c.ID)
		if got := resultOf(t, v, w.mg).Result.Total.String(); got != "98" {
			t.Fatalf("玫瑰区 September = %s, want 48 + 20 + 30 = 98", got)
		}
		if _, err := e.Approve(w.ctx, committee, c.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStartRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		for _, tc := range []struct {
			name  string
			actor access.Principal
			in    assessment.StartInput
			code  errs.Code
			text  string
		}{
			{"no scheme", clerk, assessment.StartInput{Period: "2026-10", ParentUnitID: w.prop.ID}, errs.Invalid, "考评方案不能为空"},
			{"unknown scheme", clerk, assessment.StartInput{SchemeCode: "nope", Period: "2026-10", ParentUnitID: w.prop.ID}, errs.Invalid, "没有启用的版本"},
			{"quarter for a monthly scheme", clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-Q3", ParentUnitID: w.prop.ID}, errs.Invalid, "2026-Q3"},
			{"period not over", clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-11", ParentUnitID: w.prop.ID}, errs.Invalid, "尚未结束"},
			{"unknown parent", clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-10", ParentUnitID: 9999}, errs.Invalid, "不存在"},
			{"committee starts", committee, assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-10", ParentUnitID: w.prop.ID}, errs.Forbidden, ""},
		} {
			_, err := w.engine.Start(w.ctx, tc.actor, tc.in)
			wantCode(t, tc.name, err, tc.code, tc.text)
		}
	})
}
