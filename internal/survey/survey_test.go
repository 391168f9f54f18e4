package survey_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

func intp(n int) *int { return &n }

type fixture struct {
	db       *store.DB
	company  org.Unit
	area     org.Unit // 永馨园: 400 households, 30 %
	other    org.Unit
	clerkA   access.Principal
	clerkB   access.Principal
	head     access.Principal // head of other
	campaign survey.Campaign
	tmpl     survey.Template
}

// at sets the database clock.
func at(db *store.DB, day string) {
	t, _ := time.ParseInLocation("2006-01-02 15:04", day+" 10:00", survey.Zone)
	db.Now = func() time.Time { return t.UTC() }
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db}
	at(db, "2026-10-08")
	var err error
	if f.company, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "P", Name: "物业公司", Kind: org.Company}); err != nil {
		t.Fatal(err)
	}
	if f.area, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.company.ID, Code: "P-YXY", Name: "永馨园", Kind: org.Area, Households: intp(400), ThresholdBP: intp(3000)}); err != nil {
		t.Fatal(err)
	}
	if f.other, err = org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.company.ID, Code: "P-MGQ", Name: "玫瑰区", Kind: org.Area, Households: intp(20), ThresholdBP: intp(3000)}); err != nil {
		t.Fatal(err)
	}
	user := func(name, username string, g access.Grant) access.Principal {
		p, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: f.company.ID, Name: name, Phone: "13800000000"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := org.SetGrants(ctx, db, access.System, p.ID, []access.Grant{g}); err != nil {
			t.Fatal(err)
		}
		u, err := auth.CreateUser(ctx, db, access.System, auth.UserInput{PersonID: p.ID, Username: username, Password: "a-long-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		return access.Principal{UserID: u.ID, PersonID: p.ID, Username: username, Name: name, Grants: []access.Grant{g}}
	}
	f.clerkA = user("林晓雯", "clerka", access.Grant{Role: access.Clerk})
	f.clerkB = user("赵敏", "clerkb", access.Grant{Role: access.Clerk, UnitID: f.company.ID})
	f.head = user("王丽娟", "headm", access.Grant{Role: access.UnitHead, UnitID: f.other.ID})
	if err := survey.SeedTemplates(ctx, db); err != nil {
		t.Fatal(err)
	}
	ts, err := survey.ListTemplates(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Code == "property-quarterly" {
			f.tmpl = x
		}
	}
	f.campaign, err = survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "2026 年第四季度满意度调查", Quarter: "2026-Q4", TemplateID: f.tmpl.ID,
		Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}, {UnitID: f.other.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow(context.Background(), q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func codes(t *testing.T, f *fixture, unit int64, n int) []string {
	t.Helper()
	invs, err := survey.ListInvitations(context.Background(), f.db, f.clerkA, f.campaign.ID, survey.InvitationFilter{UnitID: unit, Unanswered: true, Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range invs {
		out = append(out, i.Code)
	}
	return out
}

func overall(level string) survey.AnswerInput {
	return survey.AnswerInput{Values: map[string][]string{"overall": {level}}}
}

// TestWorkedExample is docs/policies.md §2's example, counted by hand: 永馨园 has 400 households;
// 100 valid questionnaires (25 % < 30 %: −1), 93 basically satisfied or better (93 % < 95 %:
// −3), two dissatisfied ones verified as the unit's fault (−2): the head's deduction is −6.
// A fake answer and one after the snapshot day do not count.
func TestWorkedExample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		at(db, "2026-12-30")
		var rows []survey.ImportRow
		for i := range 100 {
			level := 1 + i%2 // 很满意 and 基本满意
			switch {
			case i >= 98:
				level = 5 // 很不满意
			case i >= 93:
				level = 3 // 一般
			}
			rows = append(rows, survey.ImportRow{UnitID: f.area.ID, AnsweredOn: fmt.Sprintf("2026-%02d-%02d", 10+i%3, 1+i%27), Level: level})
		}
		rows = append(rows, survey.ImportRow{UnitID: f.area.ID, AnsweredOn: "2026-12-29", Level: 1}) // after the snapshot
		rows = append(rows, survey.ImportRow{UnitID: f.area.ID, AnsweredOn: "2026-11-11", Level: 1}) // to be marked fake
		if n, err := survey.Import(ctx, db, f.clerkA, f.campaign.ID, rows); err != nil || n != 102 {
			t.Fatalf("import: %d %v", n, err)
		}
		all, _, err := survey.ListAnswers(ctx, db, f.clerkA, survey.AnswerFilter{UnitID: f.area.ID, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		last := all[0]
		for _, a := range all {
			if a.ID > last.ID {
				last = a
			}
		}
		if err := survey.Mark(ctx, db, f.clerkA, last.ID, survey.Fake, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("fake without reason: %v", err)
		}
		if err := survey.Mark(ctx, db, f.clerkA, last.ID, survey.Fake, "同一笔迹连续填写 5 份"); err != nil {
			t.Fatal(err)
		}
		faults := 0
		for _, a := range all {
			switch {
			case a.Level == 5 && faults < 2:
				if err := survey.SetFault(ctx, db, f.clerkA, a.ID, true, "经查实：维修人员未按约定上门"); err != nil {
					t.Fatal(err)
				}
				faults++
			}
		}
		// A fault needs a dissatisfied answer and a reason; a mark is one of the three.
		if err := survey.SetFault(ctx, db, f.clerkA, all[len(all)-1].ID, true, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("fault without reason: %v", err)
		}
		for _, a := range all {
			if a.Level == 1 {
				if err := survey.SetFault(ctx, db, f.clerkA, a.ID, true, "经查实"); !errs.Is(err, errs.Conflict) {
					t.Errorf("fault on a 很满意 answer: %v", err)
				}
				if err := survey.Mark(ctx, db, f.clerkA, a.ID, "suspicious", "看着不对"); !errs.Is(err, errs.Invalid) {
					t.Errorf("a mark that is not one of the three: %v", err)
				}
				if err := survey.SetFault(ctx, db, f.head, a.ID, false, "撤销"); !errs.Is(err, errs.Forbidden) {
					t.Errorf("a fault mark by a unit head: %v", err)
				}
				break
			}
		}
		checkCounts(t, db)
		res, err := survey.CampaignResults(ctx, db, f.clerkA, f.campaign.ID, f.area.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		u := res.Units[0]
		rate, _ := u.ResponseRate()
		if u.Valid != 100 || u.Satisfied != 93 || u.VerifiedFault != 2 || rate != "25.00%" || u.SatisfactionRate() != "93.00%" || u.Deduction() != -6 {
			t.Fatalf("rates %+v, response %s, satisfaction %s, deduction %d", u, rate, u.SatisfactionRate(), u.Deduction())
		}

		// The survey-quarterly scheme over the same facts gives the same −6.
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		qv, err := survey.QuarterResults(ctx, db, f.clerkA, "2026-Q4")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]survey.QuarterResult{}
		for _, u := range qv.Units {
			got[u.UnitName] = u
		}
		if y := got["永馨园"].Result; len(qv.Units) != 2 || y.Total == nil || y.Total.String() != "-6" {
			t.Fatalf("survey-quarterly: %+v", qv.Units)
		}
		// 玫瑰区 has no valid questionnaire: incomplete, for a recorded decision.
		if got["玫瑰区"].Result.Status != "incomplete" {
			t.Errorf("玫瑰区 without answers: %+v", got["玫瑰区"].Result)
		}
	})
}

// TestPublicAnswerRefusals: every bad input gets its message and stores nothing; a retry
// with the same key is not stored twice; a second answer is refused kindly.
func TestPublicAnswerRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cs := codes(t, f, f.area.ID, 3)
		answers := func() int { return count(t, db, "SELECT COUNT(*) FROM survey_answers") }
		long := strings.Repeat("很", 1001)
		cases := []struct {
			name, code string
			in         survey.AnswerInput
			code2      errs.Code
			msg        string
		}{
			{"unknown code", "ZZZZ-ZZZZ", overall("1"), errs.Invalid, "不存在"},
			{"malformed code", "abc", overall("1"), errs.Invalid, "不存在"},
			{"rating outside scale", cs[0], overall("6"), errs.Invalid, "不在量表内"},
			{"rating not a number", cs[0], overall("很好"), errs.Invalid, "不在量表内"},
			{"missing required", cs[0], survey.AnswerInput{Values: map[string][]string{"cleaning": {"1"}}}, errs.Invalid, "请回答“您对本季度物业服务的总体评价”"},
			{"oversized opinion", cs[0], survey.AnswerInput{Values: map[string][]string{"overall": {"1"}}, Opinion: long}, errs.Invalid, "意见或建议太长"},
			{"bad choice", cs[0], survey.AnswerInput{Values: map[string][]string{"overall": {"1"}, "channel": {"9"}}}, errs.Invalid, "选项“9”无效"},
			{"unknown question", cs[0], survey.AnswerInput{Values: map[string][]string{"overall": {"1"}, "hack": {"1"}}}, errs.Invalid, "没有问题"},
		}
		for _, c := range cases {
			_, err := survey.SubmitOnline(ctx, db, c.code, c.in, "", "client-1")
			if !errs.Is(err, c.code2) || !strings.Contains(errs.As(err).Message(locale.ZH), c.msg) {
				t.Errorf("%s: %v (%s)", c.name, err, errs.As(err).Message(locale.ZH))
			}
		}
		if n := answers(); n != 0 {
			t.Fatalf("refused answers stored %d rows", n)
		}
		in := survey.AnswerInput{Values: map[string][]string{"overall": {"2"}, "concerns": {"3", "1", "3"}}, Opinion: "电梯经常停运", Location: "楼道/电梯", ProblemType: "设施维修", Respondent: "张三丰", Phone: "13912345678"}
		r1, err := survey.SubmitOnline(ctx, db, strings.ToLower(cs[0]), in, "idem-1", "client-1")
		if err != nil || r1.Duplicate {
			t.Fatalf("answer: %+v %v", r1, err)
		}
		r2, err := survey.SubmitOnline(ctx, db, cs[0], in, "idem-1", "client-1")
		if err != nil || !r2.Duplicate || r2.AnswerID != r1.AnswerID {
			t.Fatalf("retry: %+v %v", r2, err)
		}
		if _, err := survey.SubmitOnline(ctx, db, cs[0], in, "idem-2", "client-1"); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.As(err).Message(locale.ZH), "已经提交过") {
			t.Fatalf("second answer: %v", err)
		}
		if n := answers(); n != 1 {
			t.Fatalf("%d answers after retry and second answer, want 1", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM survey_followups WHERE status = 'open'"); n != 1 {
			t.Errorf("an opinion opened %d follow-ups, want 1", n)
		}
		a, _, err := survey.GetAnswer(ctx, db, f.clerkA, r1.AnswerID)
		if err != nil || strings.Join(a.Values["concerns"], ",") != "1,3" || a.Band != 16 || !a.Satisfied {
			t.Fatalf("stored answer %+v %v", a, err)
		}
		// The head of another unit cannot read it.
		if _, _, err := survey.GetAnswer(ctx, db, f.head, r1.AnswerID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("head of 玫瑰区 reads 永馨园's answer: %v", err)
		}

		// Closed campaign.
		if err := survey.CloseCampaign(ctx, db, f.head, f.campaign.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("unit head closes the campaign: %v", err)
		}
		if err := survey.CloseCampaign(ctx, db, f.clerkA, f.campaign.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := survey.SubmitOnline(ctx, db, cs[1], overall("1"), "", "client-1"); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.As(err).Message(locale.ZH), "已结束") {
			t.Errorf("answer to a closed campaign: %v", err)
		}
		if n := answers(); n != 1 {
			t.Fatalf("closed campaign stored an answer")
		}

		// Households of zero: refused when creating a campaign, and as a rate.
		_, err = survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID,
			Units: []survey.CampaignUnitInput{{UnitID: f.area.ID, Households: intp(0)}}})
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), "户数为 0") {
			t.Errorf("campaign with zero households: %v", err)
		}
		if _, err := (survey.UnitRates{Valid: 3}).ResponseRate(); err == nil || !strings.Contains(errs.As(err).Message(locale.EN), "is 0") {
			t.Errorf("rate over zero households: %v", err)
		}
		for _, bad := range []struct {
			in   survey.CampaignInput
			want string
		}{
			{survey.CampaignInput{Name: "", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "活动名称不能为空"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q5", TemplateID: f.tmpl.ID, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "2026-Q5"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, SnapshotOn: "2027-01-02", Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "统计截止日"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID}, "至少选择一个单位"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: 999, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "999 的问卷模板"},
			{survey.CampaignInput{Name: strings.Repeat("长", 101), Quarter: "2026-Q4", TemplateID: f.tmpl.ID, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "活动名称太长"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, StartsOn: "2026-12-01", EndsOn: "2026-11-01", Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "结束日期不能早于开始日期"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, FollowupDays: 91, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "回访期限"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, RetentionDays: 10, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "保存期"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}, {UnitID: f.area.ID}}}, "选了两次"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, Units: []survey.CampaignUnitInput{{UnitID: f.area.ID, ThresholdBP: intp(10001)}}}, "回收率门槛"},
			{survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, Units: []survey.CampaignUnitInput{{UnitID: 999999}}}, "999999"},
		} {
			_, err := survey.CreateCampaign(ctx, db, f.clerkA, bad.in)
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), bad.want) {
				t.Errorf("campaign %+v: %v, want a refusal mentioning %q", bad.in, err, bad.want)
			}
		}
		if _, err := survey.CreateCampaign(ctx, db, f.head, survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: f.tmpl.ID,
			Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a campaign by a unit head: %v", err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM survey_campaigns"); n != 1 {
			t.Errorf("refused campaigns stored: %d campaigns", n)
		}
	})
}

// TestPublicRateLimit refuses the client beyond the hourly limit and no one else.
func TestPublicRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cs := codes(t, f, f.area.ID, survey.PublicLimit+2)
		for i := range survey.PublicLimit {
			if _, err := survey.SubmitOnline(ctx, db, cs[i], overall("1"), "", "busy"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := survey.SubmitOnline(ctx, db, cs[survey.PublicLimit], overall("1"), "", "busy"); !errs.Is(err, errs.TooMany) {
			t.Fatalf("over the limit: %v", err)
		}
		if _, err := survey.SubmitOnline(ctx, db, cs[survey.PublicLimit], overall("1"), "", "calm"); err != nil {
			t.Fatalf("another client: %v", err)
		}
		// Thirty identical answers from one client in a few seconds are flagged, with evidence.
		sigs, err := survey.Signals(ctx, db, f.clerkA, f.campaign.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, s := range sigs {
			kinds[s.Kind] += len(s.AnswerIDs)
		}
		if kinds[survey.SameClient] != survey.PublicLimit || kinds[survey.IdenticalBurst] < survey.PublicLimit {
			t.Errorf("signals %v", kinds)
		}
	})
}

// TestDoubleEntry: two clerks type a paper questionnaire; equal entries store it, a
// difference waits for resolution and counts against the clerk who typed wrong.
func TestDoubleEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cs := codes(t, f, f.area.ID, 2)
		paper := survey.AnswerInput{Values: map[string][]string{"overall": {"4"}, "repair": {"5"}}, Opinion: "报修三天没人来", Location: "户内", ProblemType: "设施维修"}
		r, err := survey.Enter(ctx, db, f.clerkA, cs[0], paper, "2026-10-05")
		if err != nil || r.Pass != 1 || r.AnswerID != 0 {
			t.Fatalf("first entry: %+v %v", r, err)
		}
		if _, err := survey.Enter(ctx, db, f.clerkA, cs[0], paper, "2026-10-05"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second entry by the same clerk: %v", err)
		}
		// survey.MayManage refuses a unit head before the code is looked up (page and API alike),
		// and so before the improper case's fields are read.
		if _, err := survey.Enter(ctx, db, f.head, "no such code", paper, "2026-10-05"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a unit head typing a questionnaire: %v", err)
		}
		if _, err := survey.RecordImproper(ctx, db, f.head, f.other.ID, "", ""); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a unit head recording an improper case: %v", err)
		}
		form, err := survey.OpenPaper(ctx, db, f.clerkB, cs[0])
		if err != nil || form.Pass != 2 || len(form.Entries) != 0 {
			t.Fatalf("the second clerk sees the first entry or cannot enter: %+v %v", form, err)
		}
		if _, err := survey.Enter(ctx, db, f.clerkB, cs[0], paper, "2026-11-31"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad day: %v", err)
		}
		if _, err := survey.Enter(ctx, db, f.clerkB, cs[0], paper, "2026-12-01"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("future day: %v", err)
		}
		r, err = survey.Enter(ctx, db, f.clerkB, cs[0], paper, "2026-10-05")
		if err != nil || r.Pass != 2 || r.AnswerID == 0 || r.Mismatch {
			t.Fatalf("matching second entry: %+v %v", r, err)
		}
		if _, err := survey.Enter(ctx, db, f.clerkA, cs[0], paper, "2026-10-05"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("entry of an answered questionnaire: %v", err)
		}

		// A mismatch.
		if _, err := survey.Enter(ctx, db, f.clerkA, cs[1], overall("1"), "2026-10-06"); err != nil {
			t.Fatal(err)
		}
		r, err = survey.Enter(ctx, db, f.clerkB, cs[1], overall("2"), "2026-10-06")
		if err != nil || !r.Mismatch || r.AnswerID != 0 {
			t.Fatalf("mismatching entry: %+v %v", r, err)
		}
		ms, err := survey.ListMismatches(ctx, db, f.clerkA)
		if err != nil || len(ms) != 1 || ms[0].Code != cs[1] {
			t.Fatalf("mismatches %+v %v", ms, err)
		}
		form, err = survey.OpenPaper(ctx, db, f.clerkA, cs[1])
		if err != nil || len(form.Entries) != 2 {
			t.Fatalf("resolution form: %+v %v", form, err)
		}
		if _, err := survey.Resolve(ctx, db, f.clerkA, cs[1], overall("2"), "2026-10-06"); err != nil {
			t.Fatal(err)
		}
		acc, err := survey.EntryAccuracy(ctx, db, f.clerkA)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, a := range acc {
			got[a.Clerk] = fmt.Sprintf("%d/%d %s", a.Correct, a.Entries, a.Rate)
		}
		if got["林晓雯"] != "1/2 50.00%" || got["赵敏"] != "2/2 100.00%" {
			t.Errorf("accuracy %v", got)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM survey_answers WHERE channel = 'paper'"); n != 2 {
			t.Errorf("%d paper answers, want 2", n)
		}
	})
}

// TestFollowupAndCorrection: an opinion's follow-up is answered by the unit and closed by
// the clerk; a correction keeps the original as a version.
func TestFollowupAndCorrection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cs := codes(t, f, f.other.ID, 1)
		r, err := survey.SubmitOnline(ctx, db, cs[0], survey.AnswerInput{Values: map[string][]string{"overall": {"3"}}, Opinion: "门岗夜间无人"}, "", "c")
		if err != nil {
			t.Fatal(err)
		}
		fs, err := survey.ListFollowups(ctx, db, f.head, survey.FollowupFilter{})
		if err != nil || len(fs) != 1 || fs[0].AnswerID != r.AnswerID || fs[0].Overdue {
			t.Fatalf("follow-ups %+v %v", fs, err)
		}
		id := fs[0].ID
		if err := survey.CloseFollowup(ctx, db, f.clerkA, id, "已核实"); !errs.Is(err, errs.Conflict) {
			t.Errorf("close before the unit answered: %v", err)
		}
		if err := survey.RecordFollowup(ctx, db, f.head, id, survey.FollowupInput{Cause: "夜班人员脱岗"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("follow-up without action: %v", err)
		}
		if err := survey.RecordFollowup(ctx, db, f.head, id, survey.FollowupInput{Cause: "夜班人员脱岗", Action: "调整排班并加装呼叫铃", Outcome: "业主表示认可"}); err != nil {
			t.Fatal(err)
		}
		if err := survey.CloseFollowup(ctx, db, f.head, id, "已核实"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("unit head closes: %v", err)
		}
		if err := survey.CloseFollowup(ctx, db, f.clerkA, id, "已电话核实业主满意"); err != nil {
			t.Fatal(err)
		}
		if err := survey.RecordFollowup(ctx, db, f.head, id, survey.FollowupInput{Escalate: true, Escalation: "x"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("change after close: %v", err)
		}
		// Overdue once the due day has passed.
		cs2 := codes(t, f, f.other.ID, 1)
		if _, err := survey.SubmitOnline(ctx, db, cs2[0], survey.AnswerInput{Values: map[string][]string{"overall": {"1"}}, Opinion: "希望增加停车位"}, "", "c"); err != nil {
			t.Fatal(err)
		}
		at(db, "2026-10-20")
		if late, _ := survey.ListFollowups(ctx, db, f.clerkA, survey.FollowupFilter{Overdue: true}); len(late) != 1 {
			t.Errorf("%d overdue follow-ups, want 1", len(late))
		}

		if err := survey.Classify(ctx, db, f.clerkA, r.AnswerID, "火星", "安全秩序"); !errs.Is(err, errs.Invalid) {
			t.Errorf("classify with an unknown location: %v", err)
		}
		if err := survey.Classify(ctx, db, f.head, r.AnswerID, "门岗", "安全秩序"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("unit head classifies: %v", err)
		}
		if err := survey.Classify(ctx, db, f.clerkA, r.AnswerID, "门岗", "安全秩序"); err != nil {
			t.Fatal(err)
		}
		if err := survey.Correct(ctx, db, f.clerkA, r.AnswerID, overall("2"), ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("correction without reason: %v", err)
		}
		if err := survey.Correct(ctx, db, f.clerkA, r.AnswerID, overall("2"), "业主来电更正总体评价"); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, db)
		a, _, _ := survey.GetAnswer(ctx, db, f.clerkA, r.AnswerID)
		vs, _ := survey.Versions(ctx, db, r.AnswerID)
		if a.Version != 2 || a.Level != 2 || len(vs) != 1 || !strings.Contains(vs[0].Answers, `"3"`) {
			t.Errorf("correction: %+v versions %+v", a, vs)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE survey_answer_versions SET reason = 'x'")
			return err
		}); err == nil {
			t.Error("an earlier version could be changed")
		}
	})
}

// TestPurge removes personal data after the retention period and keeps the rates.
func TestPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cs := codes(t, f, f.area.ID, 1)
		r, err := survey.SubmitOnline(ctx, db, cs[0], survey.AnswerInput{Values: map[string][]string{"overall": {"1"}}, Opinion: "很好", Respondent: "张三", Phone: "13912345678"}, "", "c")
		if err != nil {
			t.Fatal(err)
		}
		before, _ := survey.CampaignResults(ctx, db, f.clerkA, f.campaign.ID, 0, false)
		if n, err := survey.Purge(ctx, db); err != nil || n != 0 {
			t.Fatalf("purge within retention: %d %v", n, err)
		}
		at(db, "2027-10-09")
		if n, err := survey.Purge(ctx, db); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if n, _ := survey.Purge(ctx, db); n != 0 {
			t.Errorf("second purge purged %d", n)
		}
		a, _, _ := survey.GetAnswer(ctx, db, f.clerkA, r.AnswerID)
		if !a.Purged || a.Respondent != "" || a.Phone != "" || a.Opinion != "" {
			t.Errorf("purged answer keeps personal data: %+v", a)
		}
		after, _ := survey.CampaignResults(ctx, db, f.clerkA, f.campaign.ID, 0, false)
		checkCounts(t, db)
		if fmt.Sprint(before.Units) != fmt.Sprint(after.Units) {
			t.Errorf("rates changed by the purge: %v → %v", before.Units, after.Units)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'survey_campaign' AND action = 'purge'"); n != 1 {
			t.Errorf("%d purge audit entries", n)
		}
	})
}

// TestTemplateVersions: a bad definition is refused naming the problem; a good one becomes
// the next version, and the running campaign keeps its own.
func TestTemplateVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for _, bad := range []struct{ def, want string }{
			{`{"questions": [`, "不是有效的 JSON"},
			{`{"questions": [], "locations": ["a"], "types": ["b"]}`, "至少要有一个问题"},
			{`{"questions": [{"key": "q", "kind": "rating", "text": "x", "required": true, "levels": [{"label": "好", "points": 1, "band": 20}, {"label": "差", "points": 0, "band": 7}]}], "locations": ["a"], "types": ["b"]}`, "档次“差”无效"},
			{`{"questions": [{"key": "q", "kind": "single", "text": "x", "options": ["a", "b"]}], "locations": ["a"], "types": ["b"]}`, "正好有一个总体评价题"},
		} {
			_, err := survey.NewVersion(ctx, db, f.clerkA, "property-quarterly", "x", bad.def)
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), bad.want) {
				t.Errorf("%s: %v", bad.def, err)
			}
		}
		if _, err := survey.NewVersion(ctx, db, f.head, "property-quarterly", "x", "{}"); !errs.Is(err, errs.Forbidden) {
			t.Errorf("unit head saves a template: %v", err)
		}
		def := f.tmpl.Def
		def.Questions[0].Text = "您对本季度服务的总体评价"
		b, _ := json.Marshal(def)
		v2, err := survey.NewVersion(ctx, db, f.clerkA, "property-quarterly", "客户服务满意度调查问卷", string(b))
		if err != nil || v2.Version != 2 {
			t.Fatalf("new version: %+v %v", v2, err)
		}
		q, err := survey.OpenQuestionnaire(ctx, db, codes(t, f, f.area.ID, 1)[0])
		if err != nil || q.Template.Version != 1 || q.Template.Def.Questions[0].Text != "您对本季度物业服务的总体评价" {
			t.Errorf("the running campaign changed its template: %+v %v", q.Template, err)
		}
	})
}

// checkCounts compares the running counts with a recomputation from the answers.
func checkCounts(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	// Both tables, the day's counts and the campaign's, each row printed with its columns.
	read := func() string {
		var b strings.Builder
		err := db.Read(ctx, func(tx *store.Tx) error {
			for _, q := range []string{`SELECT campaign_id, unit_id, day, location, problem_type, answered, fake, satisfied, dissatisfied, faults, opinions, classed, points, bands
				FROM survey_counts WHERE answered <> 0 ORDER BY campaign_id, unit_id, day, location, problem_type`,
				`SELECT campaign_id, unit_id, location, problem_type, answered, fake, satisfied, dissatisfied, faults, opinions, classed, points, bands
				FROM survey_unit_counts WHERE answered <> 0 ORDER BY campaign_id, unit_id, location, problem_type`} {
				rows, err := tx.Query(ctx, q)
				if err != nil {
					return err
				}
				for rows.Next() {
					cols, _ := rows.Columns()
					v, ptrs := make([]any, len(cols)), make([]any, len(cols))
					for i := range v {
						ptrs[i] = &v[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						rows.Close()
						return err
					}
					fmt.Fprintln(&b, v...)
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	running := read()
	if err := survey.RebuildCounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	if rebuilt := read(); rebuilt != running {
		t.Errorf("running counts differ from a rebuild:\n%s\nrebuilt:\n%s", running, rebuilt)
	}
}

func TestAddInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		added, err := survey.AddInvitations(ctx, db, f.clerkA, f.campaign.ID, 0, 5)
		if err != nil || len(added) != 5 {
			t.Fatalf("AddInvitations = %v, %v", added, err)
		}
		// Spread over the two units, in the campaign's order (玫瑰区 P-MGQ first), after their
		// households' invitations.
		if n := count(t, db, "SELECT COUNT(*) FROM survey_invitations WHERE unit_id = ? AND seq > 20", f.other.ID); n != 3 {
			t.Errorf("玫瑰区 got %d new invitations after seq 20, want 3", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM survey_invitations WHERE unit_id = ? AND seq BETWEEN 401 AND 402", f.area.ID); n != 2 {
			t.Errorf("永馨园 got %d new invitations numbered 401-402, want 2", n)
		}
		for _, code := range added {
			if _, err := survey.SubmitOnline(ctx, db, code, overall("1"), "", "client-add"); err != nil {
				t.Fatalf("answer to added invitation %s: %v", code, err)
			}
		}
		if more, err := survey.AddInvitations(ctx, db, f.clerkA, f.campaign.ID, f.other.ID, 2); err != nil || len(more) != 2 {
			t.Fatalf("AddInvitations to one unit = %v, %v", more, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM survey_invitations WHERE unit_id = ? AND seq BETWEEN 24 AND 25", f.other.ID); n != 2 {
			t.Errorf("玫瑰区 got %d invitations numbered 24-25, want 2", n)
		}

		refusals := []struct {
			name  string
			actor access.Principal
			unit  int64
			n     int
			code  errs.Code
			field string
		}{
			{"none", f.clerkA, 0, 0, errs.Invalid, "survey_invitation_count"},
			{"too many", f.clerkA, 0, survey.MaxAddInvitations + 1, errs.Invalid, "survey_invitation_count"},
			{"unit not in the campaign", f.clerkA, f.company.ID, 1, errs.Invalid, "survey_units"},
			{"not a clerk", f.head, f.other.ID, 1, errs.Forbidden, ""},
		}
		for _, r := range refusals {
			_, err := survey.AddInvitations(ctx, db, r.actor, f.campaign.ID, r.unit, r.n)
			if e := errs.As(err); err == nil || e.Code != r.code || e.Field != r.field {
				t.Errorf("%s: err = %v, want %s on %q", r.name, err, r.code, r.field)
			}
		}
		at(db, "2027-01-05") // the campaign has ended
		if _, err := survey.AddInvitations(ctx, db, f.clerkA, f.campaign.ID, 0, 1); !errs.Is(err, errs.Conflict) {
			t.Errorf("after the campaign: err = %v, want a conflict", err)
		}
	})
}

// TestQuarterTwoCampaigns: two campaigns of one quarter cover 玫瑰区 (20 households each). The
// quarter reads them as one survey: every campaign hands each household a questionnaire, so the
// quarter's response rate is its valid questionnaires over the questionnaires handed out (20 +
// 20), and its satisfaction rate is over all its valid questionnaires. Before, the valid
// answers of both (30) were set against one campaign's households (20) and the scheme refused
// the whole quarter.
func TestQuarterTwoCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		second, err := survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "2026 年第四季度走访补充调查", Quarter: "2026-Q4", TemplateID: f.tmpl.ID,
			Units: []survey.CampaignUnitInput{{UnitID: f.other.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		at(db, "2026-12-30")
		for i, c := range []int64{f.campaign.ID, second.ID} {
			var rows []survey.ImportRow
			for j := range 15 {
				level := 1
				if i == 1 && j == 0 {
					level = 5 // one 很不满意 in the second campaign: 29 of 30 satisfied
				}
				rows = append(rows, survey.ImportRow{UnitID: f.other.ID, AnsweredOn: fmt.Sprintf("2026-11-%02d", 1+j), Level: level})
			}
			if n, err := survey.Import(ctx, db, f.clerkA, c, rows); err != nil || n != 15 {
				t.Fatalf("import into campaign %d: %d %v", c, n, err)
			}
		}
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		qv, err := survey.QuarterResults(ctx, db, f.clerkA, "2026-Q4")
		if err != nil {
			t.Fatalf("quarter with two campaigns over one unit: %v", err)
		}
		var mg *survey.QuarterResult
		for i := range qv.Units {
			if qv.Units[i].UnitID == f.other.ID {
				mg = &qv.Units[i]
			}
		}
		if mg == nil {
			t.Fatalf("玫瑰区 missing: %+v", qv.Units)
		}
		// 30 of 40 handed out = 75 % ≥ 30 %: 0; 29 of 30 = 96.7 % ≥ 95 %: 0.
		if fmt.Sprint(mg.Facts["households"], " ", mg.Facts["valid"], " ", mg.Facts["satisfied_or_better"]) != "40 30 29" || mg.Result.Total == nil || mg.Result.Total.String() != "0" {
			t.Fatalf("玫瑰区 over two campaigns: facts %v, result %+v", mg.Facts, mg.Result)
		}
	})
}

// TestSignalsAboveHistory: a unit's satisfaction 15 points above its earlier quarters is a
// signal, the earlier quarters counting their valid answers only. Here the third quarter's
// 25 valid answers are all "一般" (0 % satisfied) beside 25 very satisfied ones marked fake;
// the fourth quarter is at 50 %. Counted with the fakes the past would be 50 % too, and
// there would be no signal.
func TestSignalsAboveHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		at(db, "2026-07-02")
		past, err := survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "2026 年第三季度", Quarter: "2026-Q3", TemplateID: f.tmpl.ID,
			Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		at(db, "2026-12-20")
		rowsOf := func(day string, levels ...int) []survey.ImportRow {
			var rows []survey.ImportRow
			for _, l := range levels {
				for range 25 {
					rows = append(rows, survey.ImportRow{UnitID: f.area.ID, AnsweredOn: day, Level: l})
				}
			}
			return rows
		}
		if _, err := survey.Import(ctx, db, f.clerkA, past.ID, rowsOf(past.StartsOn, 3, 1)); err != nil {
			t.Fatal(err)
		}
		answers, _, err := survey.ListAnswers(ctx, db, f.clerkA, survey.AnswerFilter{CampaignID: past.ID, Limit: 100})
		if err != nil || len(answers) != 50 {
			t.Fatalf("the past quarter's answers: %d %v", len(answers), err)
		}
		for _, a := range answers {
			if a.Level == 1 {
				if err := survey.Mark(ctx, db, f.clerkA, a.ID, survey.Fake, "同一笔迹"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := survey.Import(ctx, db, f.clerkA, f.campaign.ID, rowsOf(f.campaign.StartsOn, 1, 3)); err != nil {
			t.Fatal(err)
		}
		sigs, err := survey.Signals(ctx, db, f.clerkA, f.campaign.ID)
		if err != nil {
			t.Fatal(err)
		}
		var found []survey.Signal
		for _, s := range sigs {
			if s.Kind == survey.AboveHistory {
				found = append(found, s)
			}
		}
		if len(found) != 1 || found[0].UnitID != f.area.ID || !strings.Contains(found[0].Evidence, "（25 份）") {
			t.Errorf("above-history signals %+v, want one for 永馨园 against 25 valid past answers", found)
		}
	})
}
