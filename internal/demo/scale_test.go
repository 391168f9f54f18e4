package demo_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/complaint"
	"manyi/internal/demo"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

var scaleAggs = []assessment.Aggregator{complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{}, workorder.FactSource{}}

// TestLoadScale loads the demo with a fiftieth of its scale data and checks that the bulk rows
// are what the summary says, read back through the areas' functions, close, and leave the
// running totals, the pairs and the audit log right; and that both databases get the same
// data from the same seeds.
func TestLoadScale(t *testing.T) {
	const n = 0.02
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, demo.Zone)
	var mu sync.Mutex
	sums := map[store.Dialect]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sum, err := demo.LoadScale(ctx, db, now, n, scaleAggs, nil)
		if err != nil {
			t.Fatal(err)
		}
		// One centre of ten units (the least), the orders of N, every hotline order drawn
		// and, but the last two days', evaluated twice.
		// The complaints and findings of N, the findings on inspections of up to five.
		if sum.Units != 10 || sum.Orders != 1072 || sum.People != 36 || sum.Evaluations == 0 || sum.Tasks < sum.Evaluations ||
			sum.Complaints != 20 || sum.Findings != 40 || sum.Inspections < sum.Findings/5 ||
			sum.Campaigns != 5 || sum.Answers != 200 || sum.Invitations < sum.Answers {
			t.Errorf("summary %+v", sum)
		}
		if db.Dialect == store.Postgres {
			// The load leaves the planner statistics of what it wrote (a close over the totals
			// is planned by them).
			var analysed bool
			if err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT COUNT(*) > 0 FROM pg_stats WHERE tablename = 'fact_totals'").Scan(&analysed)
			}); err != nil || !analysed {
				t.Errorf("no planner statistics for fact_totals after the load (%v)", err)
			}
		}
		bulk := scaleCounts(t, db)
		for table, got := range map[string]int{"units": sum.Units, "people": sum.People, "work_orders": sum.Orders, "workorder_tasks": sum.Tasks, "workorder_evaluations": sum.Evaluations,
			"complaints": sum.Complaints, "inspections": sum.Inspections, "inspection_findings": sum.Findings,
			"survey_invitations": sum.Invitations, "survey_answers": sum.Answers} {
			if bulk[table] != got {
				t.Errorf("%s: %d rows of the bulk centres, summary says %d added", table, bulk[table], got)
			}
		}

		// The bulk centre reads back through org and its orders through the work-order list.
		units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var centre, team org.Unit
		for _, u := range units {
			switch u.Code {
			case "IMC-S001":
				centre = u
			case "IMC-S001-T1":
				team = u
			}
		}
		if centre.ID == 0 || team.ParentID != centre.ID || team.Kind != org.Team {
			t.Fatalf("bulk centre %+v, team %+v", centre, team)
		}
		orders, total, err := workorder.List(ctx, db, access.System, workorder.Filter{TeamID: team.ID, Limit: 5})
		if err != nil || total == 0 || len(orders) == 0 || !orders[0].Closed() {
			t.Fatalf("orders of %s: %d of %d, %v", team.Name, len(orders), total, err)
		}

		// The bulk complaints and findings read back through their areas: classified with
		// deadlines, some late; findings charging maintainers, signed off.
		complaints, total, err := complaint.List(ctx, db, access.System, complaint.Filter{UnitID: centre.ID, Limit: 100})
		if err != nil || total != sum.Complaints {
			t.Fatalf("complaints of the bulk centre: %d, %v", total, err)
		}
		late := 0
		for _, c := range complaints {
			if c.Class == complaint.Unclassified && c.ReceivedAt.Before(now.Add(-2*time.Hour)) {
				t.Errorf("complaint %s of %s unclassified", c.TrackingCode, c.ReceivedAt)
			}
			if c.RepliedAt != nil && c.RepliedAt.After(c.ReplyDueAt) {
				late++
			}
		}
		if late == 0 {
			t.Errorf("no bulk complaint replied late in %d", len(complaints))
		}
		findings, err := inspection.Findings(ctx, db, access.System, inspection.Filter{UnitID: centre.ID, Limit: 100})
		if err != nil || len(findings) != sum.Findings {
			t.Fatalf("findings of the bulk centre: %d, %v", len(findings), err)
		}
		// The findings list orders by the finding's copy of its inspection's time.
		var unlike int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE f.inspected_at <> i.inspected_at").Scan(&unlike)
		}); err != nil || unlike != 0 {
			t.Errorf("%d bulk findings carry another time than their inspection's, %v", unlike, err)
		}
		charged := 0
		for _, f := range findings {
			if f.PersonID != 0 && f.Signoff == inspection.Signed {
				charged++
			}
		}
		if charged == 0 {
			t.Errorf("no bulk finding charges a maintainer")
		}
		checkScaleSurveys(t, db, sum, team.ID)
		// The indexes dropped for the bulk rows are back.
		if missing := missingIndexes(t, db, "workorder_tasks_day", "work_orders_team", "complaints_unit_received", "inspection_findings_person",
			"survey_answers_campaign", "survey_invitations_campaign"); len(missing) > 0 {
			t.Errorf("indexes missing after the load: %v", missing)
		}

		// A draw of bulk orders recomputes to the tasks stored.
		draws, err := workorder.Draws(ctx, db, "2026-11-02")
		if err != nil {
			t.Fatal(err)
		}
		if len(draws) != 2 || !draws[1].Reproduced || draws[1].Orders == 0 {
			t.Errorf("draws of 2026-11-02: %+v", draws)
		}

		// The running totals and pairs agree with the records, the audit chain holds.
		if diffs, err := assessment.CheckTotals(ctx, db, scaleAggs); err != nil || len(diffs) > 0 {
			t.Errorf("totals: %v, %d differences %v", err, len(diffs), diffs)
		}
		for _, m := range []string{"2025-11", "2026-06", "2026-10", "2026-11"} {
			if diffs, err := workorder.CheckPairs(ctx, db, m); err != nil || len(diffs) > 0 {
				t.Errorf("pairs of %s: %v %v", m, err, diffs)
			}
		}
		if _, _, err := audit.SealAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		if v, err := audit.Verify(ctx, db); err != nil || v.BrokenAt != 0 {
			t.Errorf("audit verify: %+v %v", v, err)
		}

		// November's maintainer-monthly close over the bulk centre rates its maintainers.
		db.Now = func() time.Time { return time.Date(2026, 12, 3, 10, 0, 0, 0, demo.Zone) }
		e := assessment.NewEngine(db, complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{})
		clerk := access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
		c, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "maintainer-monthly", Period: "2026-11", ParentUnitID: centre.ID})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.GetClose(ctx, clerk, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		scored := 0
		for _, r := range v.Results {
			if r.UnitID != team.ID && v.Units[r.UnitID].ParentID != centre.ID {
				t.Errorf("result of unit %d outside the centre", r.UnitID)
			}
			if !r.Undecided() {
				scored++
			}
		}
		if scored == 0 {
			t.Errorf("no maintainer of the bulk centre scored in %d results", len(v.Results))
		}

		mu.Lock()
		sums[db.Dialect] = scaleChecksum(t, db)
		mu.Unlock()
	})
	if len(sums) == 2 && sums[store.SQLite] != sums[store.Postgres] {
		t.Errorf("the same seeds gave different data: %v", sums)
	}
}

// checkScaleSurveys reads the bulk survey answers back through the survey area: the rates of
// the bulk campaigns (from its running counts) count every answer, some fake, with response
// rates on both sides of the thresholds and the demo's satisfaction; a team's opinions are
// classified and open follow-ups.
func checkScaleSurveys(t *testing.T, db *store.DB, sum demo.ScaleSummary, team int64) {
	t.Helper()
	ctx := context.Background()
	campaigns, err := survey.ListCampaigns(ctx, db, access.System, survey.CampaignFilter{UnitID: team})
	if err != nil || len(campaigns) != sum.Campaigns {
		t.Fatalf("campaigns of the bulk team: %d, %v", len(campaigns), err)
	}
	var answered, fake, valid, satisfied, below, above int
	for _, c := range campaigns {
		rates, err := survey.Rates(ctx, db, access.System, c.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rates {
			answered, fake, valid, satisfied = answered+r.Answered, fake+r.Fake, valid+r.Valid, satisfied+r.Satisfied
			if r.Valid*10000 < r.ThresholdBP*r.Households {
				below++
			} else {
				above++
			}
		}
	}
	if answered != sum.Answers || fake == 0 || below == 0 || above == 0 || satisfied*100 < valid*70 || satisfied*100 > valid*95 {
		t.Errorf("bulk campaigns: %d answered of %d, %d fake, %d of %d satisfied, %d units below the threshold, %d above", answered, sum.Answers, fake, satisfied, valid, below, above)
	}
	opinions, n, err := survey.ListAnswers(ctx, db, access.System, survey.AnswerFilter{UnitID: team, Opinions: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	followups, err := survey.ListFollowups(ctx, db, access.System, survey.FollowupFilter{UnitID: team, Limit: 100})
	if err != nil || len(followups) != n {
		t.Errorf("follow-ups of the bulk team: %d for %d opinions, %v", len(followups), n, err)
	}
	for _, a := range opinions {
		if a.Location == "" || a.ProblemType == "" || a.Satisfied {
			t.Errorf("bulk opinion %+v", a)
		}
	}
}

func TestLoadScaleRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, n := range []float64{0, -1, demo.MaxScale + 1} {
			if _, err := demo.LoadScale(ctx, db, db.Now(), n, scaleAggs, nil); !errs.Is(err, errs.Invalid) {
				t.Errorf("scale %g: %v, want invalid", n, err)
			}
		}
		units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
		if err != nil || len(units) != 0 {
			t.Errorf("refused scales left %d units (%v)", len(units), err)
		}
		if _, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "X", Name: "已有单位", Kind: org.Company}); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.LoadScale(ctx, db, db.Now(), 0.01, scaleAggs, nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("scale over an organisation: %v, want conflict", err)
		}
	})
}

// scaleCounts counts the rows of the bulk centres (codes IMC-S…) per table.
func scaleCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	const bulk = "(SELECT id FROM units WHERE code LIKE 'IMC-S%')"
	out := map[string]int{}
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for table, query := range map[string]string{
			"units":                 "SELECT COUNT(*) FROM units WHERE id IN " + bulk,
			"people":                "SELECT COUNT(*) FROM people WHERE unit_id IN " + bulk,
			"work_orders":           "SELECT COUNT(*) FROM work_orders WHERE team_id IN " + bulk,
			"workorder_tasks":       "SELECT COUNT(*) FROM workorder_tasks WHERE team_id IN " + bulk,
			"workorder_evaluations": "SELECT COUNT(*) FROM workorder_evaluations e JOIN workorder_tasks k ON k.id = e.task_id WHERE k.team_id IN " + bulk,
			"complaints":            "SELECT COUNT(*) FROM complaints WHERE unit_id IN " + bulk,
			"inspections":           "SELECT COUNT(*) FROM inspections WHERE unit_id IN " + bulk,
			"inspection_findings":   "SELECT COUNT(*) FROM inspection_findings WHERE unit_id IN " + bulk,
			"survey_invitations":    "SELECT COUNT(*) FROM survey_invitations WHERE unit_id IN " + bulk,
			"survey_answers":        "SELECT COUNT(*) FROM survey_answers WHERE unit_id IN " + bulk,
		} {
			var n int
			if err := tx.QueryRow(context.Background(), query).Scan(&n); err != nil {
				return err
			}
			out[table] = n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// missingIndexes returns those of names the database does not have.
func missingIndexes(t *testing.T, db *store.DB, names ...string) []string {
	t.Helper()
	query := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?"
	if db.Dialect == store.Postgres {
		query = "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?"
	}
	var missing []string
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for _, name := range names {
			var n int
			if err := tx.QueryRow(context.Background(), query, name).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				missing = append(missing, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return missing
}

// scaleChecksum hashes what the generator draws of the bulk orders and their evaluations,
// complaints, findings and survey answers, as text: both databases print them alike.
func scaleChecksum(t *testing.T, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for _, query := range []string{
			`SELECT o.reporter, o.phone, o.location, o.fault, o.close_day, u.code, COALESCE(k.kind, ''), COALESCE(k.score, 0)
			FROM work_orders o JOIN units u ON u.id = o.team_id LEFT JOIN workorder_tasks k ON k.order_id = o.id
			WHERE u.code LIKE 'IMC-S%' ORDER BY o.id, k.kind`,
			`SELECT c.tracking_code, u.code, c.channel, c.category, c.complainant, c.contact, c.status, c.classification, COALESCE(c.reply, '')
			FROM complaints c JOIN units u ON u.id = c.unit_id WHERE u.code LIKE 'IMC-S%' ORDER BY c.id`,
			`SELECT i.day, u.code, f.description, COALESCE(p.name, ''), f.signoff, f.signed_by, f.deduction_cp
			FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id JOIN units u ON u.id = f.unit_id LEFT JOIN people p ON p.id = f.person_id
			WHERE u.code LIKE 'IMC-S%' ORDER BY f.id`,
			`SELECT c.quarter, u.code, cu.households, i.seq, i.code, a.channel, a.band, a.location, a.opinion, a.authenticity, COALESCE(f.status, '')
			FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id JOIN survey_campaigns c ON c.id = a.campaign_id
			JOIN survey_campaign_units cu ON cu.campaign_id = a.campaign_id AND cu.unit_id = a.unit_id JOIN units u ON u.id = a.unit_id
			LEFT JOIN survey_followups f ON f.answer_id = a.id WHERE u.code LIKE 'IMC-S%' ORDER BY a.id`,
		} {
			if err := hashRows(context.Background(), tx, h, query); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// hashRows writes every row of query to h, its columns scanned as text.
func hashRows(ctx context.Context, tx *store.Tx, h io.Writer, query string) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(string)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
		for _, v := range vals {
			fmt.Fprint(h, *v.(*string), "\t")
		}
		fmt.Fprintln(h)
	}
	return rows.Err()
}
