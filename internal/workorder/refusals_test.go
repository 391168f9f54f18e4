package workorder_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"manyi/internal/errs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// TestRefusals goes through the area's refusals that the flow tests do not reach: each is
// refused with its code, names the field where there is one, and changes nothing.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		good := func() workorder.Input {
			return workorder.Input{Reporter: "王老师", Phone: "13800001111", Location: "3号楼", Device: "交换机", Fault: "网络不通",
				TeamID: f.team.ID, MaintainerID: f.maint.PersonID, ReportedAt: f.at("2026-10-15 08:00")}
		}
		future := f.now.Add(time.Hour)
		for _, c := range []struct {
			name  string
			edit  func(*workorder.Input)
			field string
		}{
			{"no phone", func(in *workorder.Input) { in.Phone = " " }, "phone"},
			{"no team", func(in *workorder.Input) { in.TeamID = 0 }, "team"},
			{"no maintainer", func(in *workorder.Input) { in.MaintainerID = 0 }, "maintainer"},
			{"no report time", func(in *workorder.Input) { in.ReportedAt = time.Time{} }, "reported_at"},
			{"unknown channel", func(in *workorder.Input) { in.Source = "fax" }, "wo_source"},
			{"contact in the future", func(in *workorder.Input) { in.ContactedAt = &future }, "contacted_at"},
			{"fault too long", func(in *workorder.Input) { in.Fault = strings.Repeat("长", 501) }, "fault"},
		} {
			in := good()
			c.edit(&in)
			_, err := workorder.Register(ctx, db, f.disp1, in)
			if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != c.field {
				t.Errorf("%s: got %v, want invalid %s", c.name, err, c.field)
			}
		}
		o := f.order(t, f.maint, "13800002222", "2026-10-15 08:00", "")
		_, err := workorder.Close(ctx, db, f.foreman, o.ID, workorder.CloseInput{Cause: "x", Measures: "y"})
		wantCode(t, err, errs.Invalid, "closing without a closing time")
		_, err = workorder.Get(ctx, db, f.clerk, o.ID+1000)
		wantCode(t, err, errs.NotFound, "an order that does not exist")

		err = workorder.SaveSettings(ctx, db, f.disp1, workorder.Settings{RepeatDays: 5})
		wantCode(t, err, errs.Forbidden, "a dispatcher changing the settings")
		err = workorder.SaveSettings(ctx, db, f.clerk, workorder.Settings{RepeatDays: 0})
		wantCode(t, err, errs.Invalid, "a repeat window of 0 days")

		err = workorder.SetMeeting(ctx, db, f.disp1, "2026-11", "2026-11-06")
		wantCode(t, err, errs.Forbidden, "a dispatcher setting the meeting")
		err = workorder.SetMeeting(ctx, db, f.clerk, "2026-13", "2026-11-06")
		wantCode(t, err, errs.Invalid, "a month that does not exist")
		err = workorder.SetMeeting(ctx, db, f.clerk, "2026-11", "2026-12-02")
		wantCode(t, err, errs.Invalid, "a meeting outside its month")
		_, err = workorder.FollowUps(ctx, db, f.clerk, "November")
		wantCode(t, err, errs.Invalid, "follow-ups of a month that is not one")

		// Follow-ups: a visit in the future, a decision by a foreman or on an open form.
		closed := f.order(t, f.maint, "13800003333", "2026-10-15 08:00", "2026-10-15 10:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		_, assignee, _ := callbackOf(t, db, closed.ID)
		// A 不满意 callback without the reporter's problem is refused naming the field, and
		// opens no follow-up (the count below is still one, from the saved callback).
		_, err = workorder.Evaluate(ctx, db, f.caller(assignee), workorder.EvalInput{OrderID: closed.ID, Kind: workorder.Callback, Score: 6, Comment: "  "})
		if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != "comment" || e.Key != "wo.dissatisfied_problem" {
			t.Fatalf("a dissatisfied callback without a problem: got %v, want invalid comment", err)
		}
		if fus, err := workorder.FollowUps(ctx, db, f.clerk, "2026-10"); err != nil || len(fus) != 0 {
			t.Fatalf("a refused callback opened follow-ups: %v %v", fus, err)
		}
		if _, err := workorder.Evaluate(ctx, db, f.caller(assignee), workorder.EvalInput{OrderID: closed.ID, Kind: workorder.Callback, Score: 6, Comment: "维修后设备仍不工作"}); err != nil {
			t.Fatal(err)
		}
		fus, err := workorder.FollowUps(ctx, db, f.clerk, "2026-10")
		if err != nil || len(fus) != 1 {
			t.Fatalf("follow-ups: %v %v", fus, err)
		}
		err = workorder.FileFollowUp(ctx, db, f.foreman, fus[0].ID, workorder.FollowUpInput{VisitedOn: "2026-10-20", Findings: "x", Rectification: "y"})
		wantCode(t, err, errs.Invalid, "a visit after today")
		err = workorder.DecideFollowUp(ctx, db, f.foreman, fus[0].ID, true)
		wantCode(t, err, errs.Forbidden, "a foreman deciding at the meeting")
		err = workorder.DecideFollowUp(ctx, db, f.clerk, fus[0].ID, true)
		wantCode(t, err, errs.Conflict, "confirming a follow-up not filed")
		_, err = workorder.GetFollowUp(ctx, db, f.clerk, fus[0].ID+1000)
		wantCode(t, err, errs.NotFound, "a follow-up that does not exist")

		// Duty roster and extensions.
		err = workorder.SetRoster(ctx, db, f.clerk, []string{"2026-10-16", "2026-10-17", "2026-10-18", "2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23"}, nil)
		wantCode(t, err, errs.Invalid, "a roster of eight days")
		_, err = workorder.ExtendTask(ctx, db, f.clerk, 999999, "出差")
		wantCode(t, err, errs.NotFound, "extending a task that does not exist")
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_duty"); n != 0 {
			t.Fatalf("refused roster stored %d rows", n)
		}
	})
}

// TestImportRefusals: the mapping and row refusals of an import, and a staged file that is
// already imported.
func TestImportRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		csv := "报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,班组,维修人,报修方式\n" +
			"2026-10-12 08:30,甲,13800001111,3号楼,交换机,不通,不存在的班组,维修人甲,热线\n" +
			"2026-10-12 08:40,乙,13800002222,3号楼,交换机,不通,,无此人,热线\n" +
			"2026-10-12 08:50,丙,13800003333,3号楼,交换机,不通,IMC-WL,维修人甲,传真\n" +
			"2026/13/40 08:50,丁,13800004444,3号楼,交换机,不通,IMC-WL,维修人甲,\n"
		sheet, err := workorder.ReadSheet("r.csv", []byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		res, err := workorder.Import(ctx, db, f.clerk, workorder.ImportInput{Sheet: sheet})
		wantCode(t, err, errs.Invalid, "a file of bad rows")
		var got []string
		for _, p := range res.Check.Problems {
			got = append(got, p.Err.Key)
		}
		want := []string{"wo.import_no_team", "wo.import_no_maintainer", "err.invalid_choice", "wo.import_bad_time"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("problems %v, want %v", got, want)
		}
		for _, m := range []workorder.Mapping{
			{workorder.FieldReportedAt},
			{"reported_at", "reporter", "phone", "location", "device", "fault", "team", "maintainer", "colour"},
		} {
			_, err := workorder.CheckSheet(ctx, db, f.clerk, sheet, m)
			if e := errs.As(err); e == nil || e.Field != "import_mapping" {
				t.Errorf("mapping %v: got %v, want an import_mapping error", m, err)
			}
		}
		_, err = workorder.Stage(ctx, db, f.maint, "r.csv", []byte(csv))
		wantCode(t, err, errs.Forbidden, "a maintainer uploading")

		ok := "报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,维修人\n2026-10-12 08:30,甲,13800001111,3号楼,交换机,不通,维修人甲\n"
		id, err := workorder.Stage(ctx, db, f.clerk, "ok.csv", []byte(ok))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := workorder.Commit(ctx, db, f.clerk, id, false); err != nil {
			t.Fatal(err)
		}
		err = workorder.SaveMapping(ctx, db, f.clerk, id, workorder.GuessMapping(strings.Split("报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,维修人", ",")))
		wantCode(t, err, errs.Conflict, "changing the mapping of a finished import")
		if n := count(t, db, "SELECT COUNT(*) FROM work_orders"); n != 1 {
			t.Fatalf("%d orders, want the one good file's", n)
		}
	})
}
