package survey_test

import (
	"context"
	"strconv"
	"testing"

	"manyi/internal/overdue"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
	"manyi/internal/webhook/webhooktest"
)

// TestFollowupOverdueAnnounced (#17): an opinion's follow-up still open after its due time is
// announced once, signed, to an endpoint subscribed to survey_followup.overdue, by sweeps on
// several instances at once; a later sweep announces nothing, and an answered follow-up is
// never announced.
func TestFollowupOverdueAnnounced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rx := webhooktest.New(t, db, "survey_followup.overdue")
		cs := codes(t, f, f.other.ID, 2)
		for _, c := range cs {
			if _, err := survey.SubmitOnline(ctx, db, c, survey.AnswerInput{Values: map[string][]string{"overall": {"3"}}, Opinion: "门岗夜间无人"}, "", "c"); err != nil {
				t.Fatal(err)
			}
		}
		fs, err := survey.ListFollowups(ctx, db, f.clerkA, survey.FollowupFilter{})
		if err != nil || len(fs) != 2 {
			t.Fatalf("follow-ups %+v %v", fs, err)
		}
		if err := survey.RecordFollowup(ctx, db, f.head, fs[1].ID, survey.FollowupInput{Cause: "夜班人员脱岗", Action: "调整排班", Outcome: "业主认可"}); err != nil {
			t.Fatal(err)
		}
		sweep := func(day string, want int) {
			t.Helper()
			at(db, day)
			if n := storetest.AtOnce(t, 4, func(ctx context.Context) (int, error) { return overdue.Sweep(ctx, db) }); n != want {
				t.Fatalf("on %s: announced %d, want %d", day, n, want)
			}
		}
		sweep("2026-10-09", 0)
		sweep("2026-10-20", 1)
		sweep("2026-10-21", 0)
		rx.Flush(t)
		late, err := survey.ListFollowups(ctx, db, f.clerkA, survey.FollowupFilter{Overdue: true})
		if err != nil || len(late) != 1 {
			t.Fatalf("overdue list %+v %v", late, err)
		}
		if got := rx.Got("survey_followup.overdue"); len(got) != 1 || got[0].EntityID != strconv.FormatInt(late[0].ID, 10) || got[0].UnitID != f.other.ID {
			t.Fatalf("received %+v, want follow-up %d once", got, late[0].ID)
		}
	})
}
