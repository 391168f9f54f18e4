package inspection_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestParsePoints(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want inspection.Points
		ok   bool
	}{
		{"1", 100, true}, {"0.5", 50, true}, {"12.25", 1225, true}, {"0", 0, true},
		{"", 0, false}, {"-1", 0, false}, {"1.234", 0, false}, {"1.", 0, false}, {".5", 0, false}, {"abc", 0, false},
	} {
		got, err := inspection.ParsePoints("deduction", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePoints(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if s := inspection.Points(150).String(); s != "1.5" {
		t.Errorf("150 = %q", s)
	}
	if s := inspection.Points(1000).String(); s != "10" {
		t.Errorf("1000 = %q", s)
	}
}

func TestParseItems(t *testing.T) {
	items, err := inspection.ParseItems("A1 | 保洁 | 1\nCB | 回访记录不全 | 0.5 | 0.5-1\n# comment\nC1 | 翻身 | 5 | 2-10 | person\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[1].Min != 50 || items[1].Max != 100 || !items[2].ChargesPerson {
		t.Fatalf("items: %+v", items)
	}
	for _, bad := range []string{"", "A1 | x", "A1 | x | 1\nA1 | y | 1", "A | x | 2 | 0.5-1", "A | x | 1 | what"} {
		if _, err := inspection.ParseItems(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseItems(%q) = %v, want invalid", bad, err)
		}
	}
}

type fixture struct {
	db                 *store.DB
	ward, area         org.Unit
	worker, other      org.Person
	clerk, head, staff access.Principal
	rounds, prop       inspection.Checklist
	now                time.Time
}

var shanghai = inspection.Zone

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: at("2026-11-20 12:00")}
	db.Now = func() time.Time { return f.now }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "CARE", Name: "养老中心", Kind: org.Company})
	must(err)
	f.ward, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "BQ1", Name: "一病区", Kind: org.Section})
	must(err)
	f.area, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "MGQ", Name: "玫瑰区", Kind: org.Section})
	must(err)
	f.worker, err = org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: f.ward.ID, Name: "张护理", Title: "护理员"})
	must(err)
	f.other, err = org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: f.ward.ID, Name: "李护理", Title: "护理员"})
	must(err)
	f.clerk = access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	f.head = access.Principal{Username: "head", Name: "徐淑珍", Grants: []access.Grant{{Role: access.UnitHead, UnitID: root.ID}}}
	f.staff = access.Principal{Username: "w", PersonID: f.worker.ID, Grants: []access.Grant{{Role: access.Staff, UnitID: f.ward.ID}}}
	f.rounds, err = inspection.SaveChecklist(ctx, db, f.clerk, inspection.ChecklistInput{Code: "ROUND", Name: "查房", Items: "C01 | 未翻身 | 5 | 2-10 | person\nC02 | 记录不全 | 3 | 1-5 | person\nC06 | 隐患 | 2"})
	must(err)
	f.prop, err = inspection.SaveChecklist(ctx, db, f.clerk, inspection.ChecklistInput{Code: "PROP", Name: "物业", Items: "P01 | 保洁 | 1\nP02 | 报修 | 1\nCB | 回访 | 0.5 | 0.5-1"})
	must(err)
	return f
}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func pts(p inspection.Points) *inspection.Points { return &p }

func TestFileSignRectify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		c1 := f.rounds.Items[0]
		ins, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: f.ward.ID, ChecklistID: f.rounds.ID, InspectedAt: at("2026-11-18 09:00"),
			Findings: []inspection.FindingInput{
				{ItemID: c1.ID, Description: "3 床未翻身", PersonID: f.worker.ID, Deduction: pts(1000), RectifyDue: "2026-11-19",
					Photos: []inspection.Upload{{Name: "IMG_0001.jpg", ContentType: "image/jpeg", Data: pngBytes()}}},
				{ItemID: f.rounds.Items[2].ID, Description: "插座松动"},
			}})
		if err != nil {
			t.Fatal(err)
		}
		if ins.Findings != 2 || ins.Deducted != 1200 || ins.Month != "2026-11" {
			t.Fatalf("inspection: %+v", ins)
		}
		d, err := inspection.Get(ctx, db, f.clerk, ins.ID)
		if err != nil {
			t.Fatal(err)
		}
		charged := d.Findings[0]
		if charged.Signoff != inspection.Pending || len(charged.Photos) != 1 || charged.Photos[0].ContentType != "image/png" {
			t.Fatalf("finding: %+v", charged)
		}
		if d.Findings[1].Signoff != inspection.NoSignoff {
			t.Fatalf("unit finding needs no sign-off: %+v", d.Findings[1])
		}
		// The clerk is not the department head; staff cannot either.
		for _, who := range []access.Principal{f.clerk, f.staff} {
			if _, err := inspection.SignOff(ctx, db, who, charged.ID, true, ""); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("sign-off by %s: %v", who.Username, err)
			}
		}
		// Not counted before the sign-off.
		rows, err := inspection.PersonMonths(ctx, db, f.head, "2026-11")
		if err != nil || len(rows) != 1 || rows[0].Points.String() != "0" || rows[0].Pending != 1 {
			t.Fatalf("before sign-off: %+v %v", rows, err)
		}
		if _, err := inspection.SignOff(ctx, db, f.head, charged.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.SignOff(ctx, db, f.head, charged.ID, true, ""); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second sign-off: %v", err)
		}
		ns, err := inspection.MyNotifications(ctx, db, f.staff, store.Page{Limit: 10})
		if err != nil || len(ns) != 1 || ns[0].Kind != "deduction" || ns[0].Finding.Charged() != 1000 {
			t.Fatalf("notice to the person: %+v %v", ns, err)
		}
		// Rectification: overdue the day after its deadline, swept once.
		f.now = at("2026-11-21 08:00")
		over, err := inspection.Findings(ctx, db, f.clerk, inspection.Filter{Overdue: true})
		if err != nil || len(over) != 1 {
			t.Fatalf("overdue: %+v %v", over, err)
		}
		for want := 1; want >= 0; want-- {
			if n, err := inspection.SweepOverdue(ctx, db); err != nil || n != want {
				t.Fatalf("sweep: %d %v, want %d", n, err, want)
			}
		}
		if _, err := inspection.Rectify(ctx, db, f.head, charged.ID, ""); !errs.Is(err, errs.Invalid) {
			t.Fatalf("rectify without note: %v", err)
		}
		if _, err := inspection.Rectify(ctx, db, f.head, charged.ID, "已整改，加强巡视"); err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.Rectify(ctx, db, f.head, d.Findings[1].ID, "x"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("rectify a finding without a rectification: %v", err)
		}
		var n int
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE entity IN ('inspection', 'inspection_finding', 'inspection_checklist')").Scan(&n)
		})
		if n != 5 { // 2 checklists, the inspection, the sign-off, the rectification
			t.Errorf("audit entries: %d", n)
		}
	})
}

func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		c1 := f.rounds.Items[0]
		base := func() inspection.Input {
			return inspection.Input{Kind: inspection.WardRound, UnitID: f.ward.ID, ChecklistID: f.rounds.ID, InspectedAt: at("2026-11-18 09:00")}
		}
		with := func(fi inspection.FindingInput) inspection.Input {
			in := base()
			if fi.Description == "" {
				fi.Description = "问题"
			}
			in.Findings = []inspection.FindingInput{fi}
			return in
		}
		big := append(pngBytes(), make([]byte, inspection.MaxPhotoBytes)...)
		pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
		for _, tt := range []struct {
			name  string
			actor access.Principal
			in    inspection.Input
			code  errs.Code
			want  string
		}{
			{"deduction above its range", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(1100)}), errs.Invalid, "超出检查项目 C01 的范围 2–10"},
			{"deduction below its range", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(100)}), errs.Invalid, "范围"},
			{"person missing", f.clerk, with(inspection.FindingInput{ItemID: c1.ID}), errs.Invalid, "请选择责任人"},
			{"double without reason", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Double: true}), errs.Invalid, "双倍扣分理由不能为空"},
			{"not an image", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Photos: []inspection.Upload{{Name: "photo.jpg", ContentType: "image/jpeg", Data: pdf}}}), errs.Invalid, "不是图片"},
			{"photo too large", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Photos: []inspection.Upload{{Name: "big.png", Data: big}}}), errs.Invalid, "太大"},
			{"item of another checklist", f.clerk, with(inspection.FindingInput{ItemID: f.prop.Items[0].ID}), errs.Invalid, "不属于本次检查的检查表"},
			{"rectify before the day", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, RectifyDue: "2026-11-01"}), errs.Invalid, "不能早于检查日期"},
			{"future", f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: f.ward.ID, ChecklistID: f.rounds.ID, InspectedAt: at("2026-11-25 09:00")}, errs.Invalid, "不能晚于现在"},
			{"staff may not file", f.staff, base(), errs.Forbidden, "无权"},
			{"score on a round", f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: f.ward.ID, ChecklistID: f.rounds.ID, Score: pts(9000)}, errs.Invalid, "只用于部门自查"},
			{"self-check without score", f.clerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: f.ward.ID}, errs.Invalid, "得分不能为空"},
			{"score above 100", f.clerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: f.ward.ID, Score: pts(10001)}, errs.Invalid, "得分必须在 0 到 100 之间"},
			{"unknown kind", f.clerk, inspection.Input{Kind: "x", UnitID: f.ward.ID}, errs.Invalid, "检查类型"},
			{"no unit", f.clerk, inspection.Input{Kind: inspection.WardRound, ChecklistID: f.rounds.ID}, errs.Invalid, "不能为空"},
			{"unknown unit", f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: 999999, ChecklistID: f.rounds.ID, InspectedAt: at("2026-11-18 09:00")}, errs.Invalid, "999999"},
			{"items checked negative", f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: f.ward.ID, ChecklistID: f.rounds.ID, ItemsChecked: -1}, errs.Invalid, "不能小于 0"},
			{"double on a unit finding", f.clerk, with(inspection.FindingInput{ItemID: f.rounds.Items[2].ID, Double: true, DoubleReason: "包庇"}), errs.Invalid, "责任人"},
			{"unknown person", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: 999999}), errs.Invalid, "999999"},
			{"four photos", f.clerk, with(inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Photos: []inspection.Upload{
				{Name: "1.png", Data: pngBytes()}, {Name: "2.png", Data: pngBytes()}, {Name: "3.png", Data: pngBytes()}, {Name: "4.png", Data: pngBytes()}}}), errs.Invalid, "3"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := inspection.File(ctx, db, tt.actor, tt.in)
				if !errs.Is(err, tt.code) || !strings.Contains(errs.As(err).Message(locale.ZH), tt.want) {
					t.Fatalf("got %v (%s), want %s containing %q", err, errs.As(err).Message(locale.ZH), tt.code, tt.want)
				}
			})
		}
		list, err := inspection.List(ctx, db, f.clerk, inspection.Filter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("a refused inspection left something: %+v %v", list, err)
		}

		// On a filed inspection: a finding added by staff, a finding on a self-check without
		// a checklist, a second rectification, a rectification by staff.
		ins, err := inspection.File(ctx, db, f.clerk, with(inspection.FindingInput{ItemID: f.rounds.Items[2].ID, RectifyDue: "2026-11-19"}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.AddFinding(ctx, db, f.staff, ins.ID, inspection.FindingInput{ItemID: c1.ID, Description: "x", PersonID: f.worker.ID}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a finding added by staff: %v", err)
		}
		self, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: f.ward.ID, Score: pts(9500), InspectedAt: at("2026-11-18 09:00"), Month: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.AddFinding(ctx, db, f.clerk, self.ID, inspection.FindingInput{ItemID: c1.ID, Description: "x"}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a finding on an inspection without a checklist: %v", err)
		}
		d, err := inspection.Get(ctx, db, f.clerk, ins.ID)
		if err != nil {
			t.Fatal(err)
		}
		finding := d.Findings[0].ID
		if _, err := inspection.Rectify(ctx, db, f.staff, finding, "已整改"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a rectification by staff: %v", err)
		}
		if _, err := inspection.Rectify(ctx, db, f.clerk, finding, "已整改"); err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.Rectify(ctx, db, f.clerk, finding, "再次整改"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a second rectification: %v", err)
		}
		if n := len(d.Findings); n != 1 {
			t.Fatalf("refused findings were stored: %d", n)
		}
	})
}

func TestFactsAndCareMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		file := func(kind inspection.Kind, unit org.Unit, cl inspection.Checklist, when string, fs ...inspection.FindingInput) {
			t.Helper()
			for i := range fs {
				fs[i].Description = "问题"
			}
			in := inspection.Input{Kind: kind, UnitID: unit.ID, ChecklistID: cl.ID, InspectedAt: at(when), Findings: fs}
			ins, err := inspection.File(ctx, db, f.clerk, in)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := inspection.Get(ctx, db, f.clerk, ins.ID)
			for _, x := range d.Findings {
				if x.Signoff == inspection.Pending {
					if _, err := inspection.SignOff(ctx, db, f.head, x.ID, true, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		p1, p2, cb := f.prop.Items[0], f.prop.Items[1], f.prop.Items[2]
		c1, c2 := f.rounds.Items[0], f.rounds.Items[1]
		// unit-monthly: two inspections, three problems; a self-check and a callback audit do not count.
		file(inspection.Routine, f.area, f.prop, "2026-10-05 10:00", inspection.FindingInput{ItemID: p1.ID}, inspection.FindingInput{ItemID: p2.ID})
		file(inspection.SpotCheck, f.area, f.prop, "2026-10-12 10:00", inspection.FindingInput{ItemID: p1.ID})
		file(inspection.CallbackAudit, f.area, f.prop, "2026-10-20 10:00", inspection.FindingInput{ItemID: cb.ID, Deduction: pts(100)}, inspection.FindingInput{ItemID: cb.ID})
		if _, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: f.area.ID, InspectedAt: at("2026-10-31 16:00"), Score: pts(9400)}); err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.SpotCheck, UnitID: f.area.ID, InspectedAt: at("2026-10-25 16:00"), Score: pts(9200)}); err != nil {
			t.Fatal(err)
		}
		file(inspection.Routine, f.area, f.prop, "2026-11-05 10:00", inspection.FindingInput{ItemID: p1.ID}) // another month
		facts := func(unitID, personID int64, from, to time.Time, names ...string) map[string]assessment.Fact {
			out := map[string]assessment.Fact{}
			err := db.Read(ctx, func(tx *store.Tx) error {
				got, err := inspection.FactSource{}.Facts(ctx, tx, assessment.FactQuery{UnitID: unitID, PersonID: personID, From: from.UTC(), To: to.UTC(), Names: names})
				for _, g := range got {
					out[g.Name] = g
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		oct := facts(f.area.ID, 0, at("2026-10-01 00:00"), at("2026-11-01 00:00"), "inspections", "problems", "callback_deductions", "self_checks", "spot_checks")
		if oct["inspections"].Value != 3 || oct["problems"].Value != 3 || len(oct["problems"].Records) != 3 {
			t.Fatalf("unit-monthly facts: %+v", oct)
		}
		if got := oct["callback_deductions"].Value.([]any); len(got) != 2 || got[0].(interface{ String() string }).String() != "1" || got[1].(interface{ String() string }).String() != "0.5" {
			t.Fatalf("callback deductions: %v", got)
		}
		if sc := oct["self_checks"].Value.(map[string]any); len(sc) != 1 || sc["2026-10"].(interface{ String() string }).String() != "94" {
			t.Fatalf("self checks: %v", sc)
		}
		// The parent sees its sub-units' inspections.
		parent, _ := inspection.UnitMonths(ctx, db, f.clerk, "2026-10")
		if len(parent) != 1 || parent[0].Problems != 5 || parent[0].Inspections != 5 {
			t.Fatalf("unit months: %+v", parent)
		}

		// care-deductions: 30 points in September and in October → base salary only both months,
		// dismissal review in October; the other worker 3 points.
		file(inspection.DirectorRound, f.ward, f.rounds, "2026-09-08 09:00",
			inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(1000)},
			inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(1000)},
			inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(1000)})
		file(inspection.WardRound, f.ward, f.rounds, "2026-10-08 09:00",
			inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(1000)},
			inspection.FindingInput{ItemID: c2.ID, PersonID: f.worker.ID, Deduction: pts(500), Double: true, DoubleReason: "组长打击报复投诉人"},
			inspection.FindingInput{ItemID: c2.ID, PersonID: f.other.ID})
		sep, err := inspection.PersonMonths(ctx, db, f.head, "2026-09")
		if err != nil || len(sep) != 1 || !sep[0].BaseSalaryOnly || sep[0].DismissalReview || sep[0].Yuan.String() != "300" {
			t.Fatalf("September: %+v %v", sep, err)
		}
		octP, err := inspection.PersonMonths(ctx, db, f.head, "2026-10")
		if err != nil || len(octP) != 2 {
			t.Fatalf("October: %+v %v", octP, err)
		}
		w := octP[0]
		if w.PersonID != f.worker.ID || w.Points.String() != "20" || w.BaseSalaryOnly || w.DismissalReview {
			t.Fatalf("October worker (10 + 5×2 = 20): %+v", w)
		}
		// One more 10-point finding: 30 in October, the second such month.
		file(inspection.WardRound, f.ward, f.rounds, "2026-10-20 09:00", inspection.FindingInput{ItemID: c1.ID, PersonID: f.worker.ID, Deduction: pts(1000)})
		octP, _ = inspection.PersonMonths(ctx, db, f.head, "2026-10")
		w = octP[0]
		if w.Points.String() != "30" || w.Yuan.String() != "300" || !w.BaseSalaryOnly || !w.DismissalReview {
			t.Fatalf("October worker at 30: %+v", w)
		}
		if octP[1].Points.String() != "3" || octP[1].BaseSalaryOnly {
			t.Fatalf("other worker: %+v", octP[1])
		}
		// A care worker reads his unit but sees his own month alone (peopleReaders).
		if mine, err := inspection.PersonMonths(ctx, db, f.staff, "2026-10"); err != nil || len(mine) != 1 || mine[0].PersonID != f.worker.ID {
			t.Fatalf("the worker's own October: %+v %v", mine, err)
		}
		ded := facts(0, f.worker.ID, at("2026-10-01 00:00"), at("2026-11-01 00:00"), "deductions")
		if recs := ded["deductions"].Value.([]any); len(recs) != 3 {
			t.Fatalf("deductions fact: %v", recs)
		}
	})
}

func TestChecklistVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		if _, err := inspection.SaveChecklist(ctx, db, f.staff, inspection.ChecklistInput{Code: "PROP", Name: "物业", Items: "P01 | 保洁 | 1"}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("checklist by staff: %v", err)
		}
		ins, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.Routine, UnitID: f.area.ID, ChecklistID: f.prop.ID, InspectedAt: at("2026-11-02 10:00")})
		if err != nil {
			t.Fatal(err)
		}
		v2, err := inspection.SaveChecklist(ctx, db, f.clerk, inspection.ChecklistInput{Code: "PROP", Name: "物业（修订）", Items: "P01 | 保洁 | 2 | 1-3\nP09 | 新标准 | 1"})
		if err != nil || v2.Version != 2 {
			t.Fatalf("second version: %+v %v", v2, err)
		}
		active, _ := inspection.ListChecklists(ctx, db, false)
		for _, c := range active {
			if c.Code == "PROP" && c.ID != v2.ID {
				t.Fatalf("version 1 still active: %+v", c)
			}
		}
		// The old inspection still shows the version it used; a new one of the unit is offered v2.
		d, _ := inspection.Get(ctx, db, f.clerk, ins.ID)
		if d.Checklist == nil || d.Checklist.Version != 1 || len(d.Checklist.Items) != 3 {
			t.Fatalf("old inspection's checklist: %+v", d.Checklist)
		}
		if id, err := inspection.SuggestChecklist(ctx, db, f.area.ID, inspection.Routine); err != nil || id != v2.ID {
			t.Fatalf("suggested %d %v, want v2 %d", id, err, v2.ID)
		}
	})
}
