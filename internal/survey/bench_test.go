package survey_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

// benchAnswers is how many answers the rates benchmark reads: 1,000,000 unless
// MANYI_BENCH_ANSWERS says otherwise (a smaller number for a quick look).
func benchAnswers() int {
	if n, err := strconv.Atoi(os.Getenv("MANYI_BENCH_ANSWERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// fillAnswers bulk-loads n answers into the fixture's campaign, spread over its two units and
// the quarter, with a tenth carrying a classified opinion. It writes the rows directly, many
// to a statement: the benchmark measures reading them, not entering them.
func fillAnswers(b *testing.B, f *fixture, n int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	locs, types := f.tmpl.Def.Locations, f.tmpl.Def.Types
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, survey.Zone)
	const chunk = 500
	for done := 0; done < n; {
		err := f.db.InTx(ctx, func(tx *store.Tx) error {
			for k := 0; k < 20 && done < n; k++ {
				m := min(chunk, n-done)
				var inv, ans strings.Builder
				inv.WriteString("INSERT INTO survey_invitations (id, campaign_id, unit_id, seq, code, channel, answered_at, created_at) VALUES ")
				ans.WriteString(`INSERT INTO survey_answers (invitation_id, campaign_id, unit_id, channel, answered_at, overall_level, points, band, satisfied, dissatisfied,
					location, problem_type, opinion, has_opinion, answers, pattern, created_at, updated_at) VALUES `)
				var ia, aa []any
				for j := range m {
					id := int64(10_000_000 + done + j)
					unit := f.area.ID
					if j%3 == 0 {
						unit = f.other.ID
					}
					at := start.Add(time.Duration(rng.IntN(88*24*3600)) * time.Second).UTC()
					level := []int{1, 1, 1, 2, 2, 2, 3, 4, 5}[rng.IntN(9)]
					points := 24 - 4*level
					loc, typ, op := "", "", ""
					if rng.IntN(10) == 0 {
						loc, typ, op = locs[rng.IntN(len(locs))], types[rng.IntN(len(types))], "意见"
					}
					if j > 0 {
						inv.WriteString(", ")
						ans.WriteString(", ")
					}
					inv.WriteString("(?, ?, ?, ?, ?, 'household', ?, ?)")
					ia = append(ia, id, f.campaign.ID, unit, 100000+done+j, fmt.Sprintf("B%07d", done+j), at, at)
					ans.WriteString("(?, ?, ?, 'online', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
					aa = append(aa, id, f.campaign.ID, unit, at, level, points, points, level <= 2, level >= 4, loc, typ, op, op != "",
						fmt.Sprintf(`{"overall":["%d"],"cleaning":["%d"]}`, level, 1+rng.IntN(5)), "p", at, at)
				}
				if _, err := tx.Exec(ctx, inv.String(), ia...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, ans.String(), aa...); err != nil {
					return err
				}
				done += m
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRates reads a campaign of a million answers: its rates per unit and its opinions
// classified by location and type (both sums over the running counts), and one unit's
// survey-quarterly facts with a record per answer, as period close reads them. Loading the
// answers (bulk inserts, then RebuildCounts) is not timed.
func BenchmarkRates(b *testing.B) {
	each := func(name string, open func(testing.TB) *store.DB) {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			f := newFixture(b, db)
			n := benchAnswers()
			t0 := time.Now()
			fillAnswers(b, f, n)
			if err := survey.RebuildCounts(context.Background(), db); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d answers loaded in %s", name, n, time.Since(t0).Round(time.Second))
			ctx := context.Background()
			b.Run("rates", func(b *testing.B) {
				for b.Loop() {
					rs, err := survey.Rates(ctx, db, access.System, f.campaign.ID, true)
					if err != nil || len(rs) != 2 || rs[0].Answered+rs[1].Answered == 0 {
						b.Fatalf("%v %+v", err, rs)
					}
				}
			})
			b.Run("classification", func(b *testing.B) {
				for b.Loop() {
					locs, _, err := survey.Classification(ctx, db, access.System, f.campaign.ID, true)
					if err != nil || len(locs) == 0 {
						b.Fatalf("%v %v", err, locs)
					}
				}
			})
			b.Run("quarter-facts", func(b *testing.B) {
				first, last, _ := survey.QuarterBounds("2026-Q4")
				for b.Loop() {
					err := db.Read(ctx, func(tx *store.Tx) error {
						_, err := survey.FactSource{}.Facts(ctx, tx, assessment.FactQuery{UnitID: f.area.ID, Period: "2026-Q4", From: first.UTC(), To: last.AddDate(0, 0, 1).UTC(),
							Names: []string{"households", "threshold", "valid", "satisfied_or_better", "verified_fault_dissatisfied", "improper_means"}})
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
	each("sqlite", storetest.OpenSQLite)
	if storetest.PostgresURL() != "" {
		each("postgres", storetest.OpenPostgres)
	}
}

// BenchmarkResultsPage computes everything the campaign page shows for a campaign of 10,000
// answers, the size of a large real quarter: rates, classification, and the distribution of
// every question, which reads each answer's choices.
func BenchmarkResultsPage(b *testing.B) {
	db := storetest.OpenSQLite(b)
	f := newFixture(b, db)
	fillAnswers(b, f, 10_000)
	if err := survey.RebuildCounts(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := survey.CampaignResults(context.Background(), db, access.System, f.campaign.ID, 0, true); err != nil {
			b.Fatal(err)
		}
	}
}
