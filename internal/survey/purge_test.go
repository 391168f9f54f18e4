package survey_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

// The resident's data seeded below: every piece carries one of these, so a scan of every
// text column of every table proves none survives.
var personal = []string{"秘密", "13987654321", "198.51.100.7"}

// TestPurgeLeavesNoPersonalData seeds personal data in every survey table that can hold it
// (an online answer with name, phone, opinion and a free-text answer, corrected so that an
// earlier version holds them too, marked and its fault verified with reasons quoting the
// resident, followed up with notes naming the resident; a paper answer whose two entries
// carry the same; a pair of mismatched entries never resolved; household labels on answered
// and unanswered invitations), runs the retention purge, and proves that no column of any
// survey table nor the audit log holds any of it, while rates, counts, the entry accuracy and
// the purge's own audit remain.
func TestPurgeLeavesNoPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ts, err := survey.ListTemplates(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl int64
		for _, x := range ts {
			if x.Code == "general-five-level" { // it has a free-text question, "best"
				tmpl = x.ID
			}
		}
		c, err := survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "带文字题的调查", Quarter: "2026-Q4", TemplateID: tmpl,
			Units: []survey.CampaignUnitInput{{UnitID: f.other.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		invs, err := survey.ListInvitations(ctx, db, f.clerkA, c.ID, survey.InvitationFilter{UnitID: f.other.ID, Unanswered: true, Limit: 4})
		if err != nil || len(invs) != 4 {
			t.Fatalf("invitations %v %v", invs, err)
		}
		exec := func(q string, args ...any) error {
			return db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err })
		}
		for _, inv := range invs {
			// No page sets the label yet; the column exists for it.
			if err := exec("UPDATE survey_invitations SET household = ? WHERE code = ?", "3-2-501 秘密家", inv.Code); err != nil {
				t.Fatal(err)
			}
		}
		resident := survey.AnswerInput{Values: map[string][]string{"overall": {"4"}, "best": {"保安王秘密很负责"}}, Opinion: "秘密意见：门岗夜间无人",
			Respondent: "王秘密", Phone: "13987654321"}
		online, err := survey.SubmitOnline(ctx, db, invs[0].Code, resident, "idem-1", "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		if err := survey.Mark(ctx, db, f.clerkA, online.AnswerID, "checked", "电话 13987654321 核实为本人"); err != nil {
			t.Fatal(err)
		}
		if err := survey.SetFault(ctx, db, f.clerkA, online.AnswerID, true, "王秘密所述属实"); err != nil {
			t.Fatal(err)
		}
		corrected := survey.AnswerInput{Values: map[string][]string{"overall": {"5"}, "best": {"更正后：秘密"}}}
		if err := survey.Correct(ctx, db, f.clerkA, online.AnswerID, corrected, "王秘密来电更正总体评价"); err != nil {
			t.Fatal(err)
		}
		fs, err := survey.ListFollowups(ctx, db, f.head, survey.FollowupFilter{})
		if err != nil || len(fs) != 1 {
			t.Fatalf("follow-ups %+v %v", fs, err)
		}
		if err := survey.RecordFollowup(ctx, db, f.head, fs[0].ID, survey.FollowupInput{Cause: "王秘密反映夜班脱岗", Action: "已致电 13987654321 说明排班", Outcome: "秘密业主认可"}); err != nil {
			t.Fatal(err)
		}
		if err := survey.CloseFollowup(ctx, db, f.clerkA, fs[0].ID, "回访王秘密，满意"); err != nil {
			t.Fatal(err)
		}
		paper := survey.AnswerInput{Values: map[string][]string{"overall": {"4"}, "best": {"秘密：维修及时"}}, Opinion: "秘密纸质意见", Respondent: "李秘密", Phone: "13987654321"}
		if _, err := survey.Enter(ctx, db, f.clerkA, invs[1].Code, paper, "2026-10-05"); err != nil {
			t.Fatal(err)
		}
		if r, err := survey.Enter(ctx, db, f.clerkB, invs[1].Code, paper, "2026-10-05"); err != nil || r.AnswerID == 0 {
			t.Fatalf("second entry: %+v %v", r, err)
		}
		mismatch := paper
		mismatch.Values = map[string][]string{"overall": {"1"}}
		if _, err := survey.Enter(ctx, db, f.clerkA, invs[2].Code, paper, "2026-10-05"); err != nil {
			t.Fatal(err)
		}
		if r, err := survey.Enter(ctx, db, f.clerkB, invs[2].Code, mismatch, "2026-10-05"); err != nil || !r.Mismatch {
			t.Fatalf("mismatching entry: %+v %v", r, err)
		}
		// The trigger lets nobody but the purge touch a version: not before the answer is purged.
		if err := exec("UPDATE survey_answer_versions SET answers = '{}', reason = '', purged_at = ?", db.Now()); err == nil {
			t.Fatal("a version of an answer not yet purged could be blanked")
		}
		if leaks := personalData(t, db); len(leaks) == 0 {
			t.Fatal("the seeded personal data is not where the scan looks")
		}

		before, _ := survey.CampaignResults(ctx, db, f.clerkA, c.ID, 0, false)
		accuracy, _ := survey.EntryAccuracy(ctx, db, f.clerkA)
		at(db, "2027-10-12")
		if n, err := survey.Purge(ctx, db); err != nil || n != 2 {
			t.Fatalf("purge: %d answers, %v", n, err)
		}
		for _, leak := range personalData(t, db) {
			t.Errorf("survives the purge: %s", leak)
		}
		after, _ := survey.CampaignResults(ctx, db, f.clerkA, c.ID, 0, false)
		if fmt.Sprint(before.Units) != fmt.Sprint(after.Units) {
			t.Errorf("rates changed by the purge: %v → %v", before.Units, after.Units)
		}
		checkCounts(t, db)
		if got, _ := survey.EntryAccuracy(ctx, db, f.clerkA); fmt.Sprint(got) != fmt.Sprint(accuracy) {
			t.Errorf("entry accuracy changed by the purge: %v → %v", accuracy, got)
		}
		vs, err := survey.Versions(ctx, db, online.AnswerID)
		if err != nil || len(vs) != 1 || vs[0].Version != 1 || !strings.Contains(vs[0].Answers, `"overall":["4"]`) || vs[0].ChangedBy != "clerka" {
			t.Errorf("the earlier version lost what is not personal: %+v %v", vs, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'survey_campaign' AND action = 'purge' AND entity_id = ?", fmt.Sprint(c.ID)); n != 1 {
			t.Errorf("%d purge audit entries for the campaign, want 1", n)
		}
		// Still append-only for everyone, the purge included, once purged.
		for _, q := range []string{"UPDATE survey_answer_versions SET reason = 'x'", "UPDATE survey_answer_versions SET answers = '{}'", "DELETE FROM survey_answer_versions"} {
			if err := exec(q); err == nil {
				t.Errorf("%s: allowed after the purge", q)
			}
		}
		if n, err := survey.Purge(ctx, db); err != nil || n != 0 {
			t.Errorf("second purge: %d %v", n, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'survey_campaign' AND action = 'purge' AND entity_id = ?", fmt.Sprint(c.ID)); n != 1 {
			t.Errorf("a second purge with nothing to do was audited")
		}
	})
}

// personalData lists the cells of the survey tables and of the audit log that hold any of
// the seeded personal data, as table.column.
func personalData(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var leaks []string
	err := db.Read(ctx, func(tx *store.Tx) error {
		for _, table := range []string{"survey_answers", "survey_answer_versions", "survey_entries", "survey_followups", "survey_invitations", "survey_counts", "audit_log"} {
			rows, err := tx.Query(ctx, "SELECT * FROM "+table)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				cells := make([]sql.NullString, len(cols))
				ptrs := make([]any, len(cols))
				for i := range cells {
					ptrs[i] = &cells[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				for i, cell := range cells {
					for _, p := range personal {
						if strings.Contains(cell.String, p) {
							leaks = append(leaks, table+"."+cols[i]+": "+cell.String)
						}
					}
				}
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
	return leaks
}

// TestPurgeCatchesUp: answers purged before the purge knew of their other copies (before
// migration 0009) have their versions and follow-up notes purged on the next run.
func TestPurgeCatchesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cs := codes(t, f, f.other.ID, 1)
		r, err := survey.SubmitOnline(ctx, db, cs[0], survey.AnswerInput{Values: map[string][]string{"overall": {"3"}}, Opinion: "秘密意见"}, "", "c")
		if err != nil {
			t.Fatal(err)
		}
		if err := survey.Correct(ctx, db, f.clerkA, r.AnswerID, overall("2"), "秘密更正"); err != nil {
			t.Fatal(err)
		}
		fs, _ := survey.ListFollowups(ctx, db, f.head, survey.FollowupFilter{})
		if err := survey.RecordFollowup(ctx, db, f.head, fs[0].ID, survey.FollowupInput{Cause: "秘密原因", Action: "秘密措施", Outcome: "已处理"}); err != nil {
			t.Fatal(err)
		}
		// What the purge used to do, and no more.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET opinion = '', purged_at = ? WHERE id = ?", tx.Now, r.AnswerID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// The old purge ran because the retention had passed; the campaign is due again.
		at(db, "2028-01-01")
		if n, err := survey.Purge(ctx, db); err != nil || n != 0 {
			t.Fatalf("purge: %d %v", n, err)
		}
		for _, leak := range personalData(t, db) {
			t.Errorf("survives the purge: %s", leak)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'survey_campaign' AND action = 'purge'"); n != 1 {
			t.Errorf("%d purge audit entries, want 1", n)
		}
	})
}

// TestPurgeLooksOnlyAtDueCampaigns: a campaign younger than its retention holds nothing old
// enough, so the nightly purge reads the campaigns and nothing else (each campaign it looks
// at costs a scan of its invitations: 2.3 million in a campaign at N=100).
func TestPurgeLooksOnlyAtDueCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := survey.SubmitOnline(ctx, db, codes(t, f, f.other.ID, 1)[0], survey.AnswerInput{Values: map[string][]string{"overall": {"3"}}, Opinion: "秘密意见"}, "", "c"); err != nil {
			t.Fatal(err)
		}
		before := db.Statements()
		if n, err := survey.Purge(ctx, db); err != nil || n != 0 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if got := db.Statements() - before; got != 1 {
			t.Errorf("the purge sent %d statements with no campaign due, want 1 (the campaigns)", got)
		}
		if len(personalData(t, db)) == 0 {
			t.Error("the purge blanked an answer its retention still keeps")
		}
	})
}
