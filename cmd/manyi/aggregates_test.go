package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// TestAggregatesFollowRecords runs a seeded random workload of record writes across the areas
// (inserts, classifications and reassignments, sign-offs, evaluations and their revisions,
// answers marked fake and back, corrected answers) over the demo, and proves the running
// totals equal a full recomputation from the records before and after: the demo loader fills
// them through the same store functions, and no write path skips them.
func TestAggregatesFollowRecords(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		url := demoDB(t, d)
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		noDifferences(t, db, "after the demo load")

		w := newWorkload(t, db)
		rng := rand.New(rand.NewPCG(14, 2026))
		done, refused := map[string]int{}, map[string]string{}
		for range 300 {
			name, op := w.pick(rng)
			err := op(ctx, rng)
			var e *errs.Error
			switch {
			case err == nil:
				done[name]++
			case errors.As(err, &e):
				// A refusal (a closed period, a state the record is not in) must leave the
				// totals as they were: the check below covers it.
				refused[name] = e.Error()
			default:
				t.Fatalf("%s: %v", name, err)
			}
		}
		for _, name := range w.names {
			if done[name] == 0 {
				t.Errorf("no %s succeeded in the workload (done: %v, last refusal: %s): the test proves nothing about it", name, done, refused[name])
			}
		}
		noDifferences(t, db, fmt.Sprintf("after the workload %v", done))
		sameValues(t, db, w)
	})
}

// sameValues asks every source for the facts of the workload's units and of the people the
// records name, month by month over the last year, once from the records and once from the
// running totals, and requires the same values: lists as multisets, since the schemes read
// them so.
func sameValues(t *testing.T, db *store.DB, w *workload) {
	t.Helper()
	ctx := context.Background()
	sources := []assessment.Source{complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{}}
	facts := []string{"complaints_valid", "complaints_major", "direct_deductions", "inspections", "problems", "callback_deductions", "deductions", "survey", "orders"}
	var people, parents []int64
	if err := db.Read(ctx, func(tx *store.Tx) error {
		// People the totals name, and the units with units below them (whose facts add up
		// their subtree).
		rows, err := tx.Query(ctx, `SELECT DISTINCT subject_id FROM fact_totals WHERE subject_kind = 'person'
			UNION SELECT -id FROM units WHERE id IN (SELECT parent_id FROM units)`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if id < 0 {
				parents = append(parents, -id)
			} else {
				people = append(people, id)
			}
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	subjects := []assessment.FactQuery{}
	units := append(slices.Clone(w.units), parents...)
	for _, r := range w.routine {
		units = append(units, r[0])
	}
	slices.Sort(units)
	for _, u := range slices.Compact(units) {
		subjects = append(subjects, assessment.FactQuery{UnitID: u})
	}
	for _, p := range people {
		subjects = append(subjects, assessment.FactQuery{PersonID: p})
	}
	now := time.Now().In(assessment.Zone)
	compared, nonzero := 0, 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		for m := range 12 {
			from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, assessment.Zone).AddDate(0, -m, 0)
			for _, q := range subjects {
				q.From, q.To, q.Period, q.Names = from.UTC(), from.AddDate(0, 1, 0).UTC(), from.Format("2006-01"), facts
				for _, s := range sources {
					byRecords, err := s.Facts(ctx, tx, q)
					if err != nil {
						return err
					}
					q.Totals = true
					byTotals, err := s.Facts(ctx, tx, q)
					q.Totals = false
					if err != nil {
						return err
					}
					a, b := multiset(t, byRecords), multiset(t, byTotals)
					if !slices.Equal(a, b) {
						t.Fatalf("%s, unit %d person %d, %s: from the records %v, from the totals %v", s.Name(), q.UnitID, q.PersonID, q.Period, a, b)
					}
					compared++
					for _, l := range a {
						if !strings.HasSuffix(l, "=0") && !strings.HasSuffix(l, "=[]") && !strings.HasSuffix(l, `="0"`) {
							nonzero++
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if nonzero == 0 {
		t.Fatalf("%d source reads compared, none with a value: the comparison proves nothing", compared)
	}
	t.Logf("compared %d source reads, %d values not zero", compared, nonzero)
	sameBatch(t, db, sources, facts, subjects)
}

// sameBatch asks every source for the facts of all the subjects over the last four months in
// one batch, as a close does, from the records and from the totals, and requires for each
// subject and month what Facts gives it alone: the same values and the same records in the
// same order (a batch selects the records a single subject's query does, no more, no fewer).
// Four months cross month bounds as a year does, with a third of a year's single-subject
// queries (CI's time).
func sameBatch(t *testing.T, db *store.DB, sources []assessment.Source, facts []string, subjects []assessment.FactQuery) {
	t.Helper()
	ctx := context.Background()
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		b := assessment.Batch{Names: facts}
		for _, q := range subjects {
			// The subtree as the close gives it and as a source reads it when not given (a
			// person's unit 0 stands for the whole tree).
			b.Subjects = append(b.Subjects, assessment.BatchSubject{UnitID: q.UnitID, PersonID: q.PersonID, Units: tree.Subtree(q.UnitID)})
		}
		now := time.Now().In(assessment.Zone)
		for m := 3; m >= 0; m-- {
			from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, assessment.Zone).AddDate(0, -m, 0)
			b.Periods = append(b.Periods, assessment.Span{Period: from.Format("2006-01"), From: from.UTC(), To: from.AddDate(0, 1, 0).UTC()})
		}
		for _, s := range sources {
			bs, ok := s.(assessment.BatchSource)
			if !ok {
				continue
			}
			for _, totals := range []bool{false, true} {
				b.Totals = totals
				got, err := bs.BatchFacts(ctx, tx, b)
				if err != nil {
					return err
				}
				for i := range b.Subjects {
					for j := range b.Periods {
						want, err := s.Facts(ctx, tx, b.Query(i, j))
						if err != nil {
							return err
						}
						if g, w := factLines(t, got[i][j]), factLines(t, want); !slices.Equal(g, w) {
							t.Fatalf("%s, unit %d person %d, %s, totals %t: in the batch %v, alone %v", s.Name(), b.Subjects[i].UnitID, b.Subjects[i].PersonID, b.Periods[j].Period, totals, g, w)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// factLines renders facts as sorted lines of name, value and the ids of their records in order.
func factLines(t *testing.T, fs []assessment.Fact) []string {
	var out []string
	for _, f := range fs {
		v, err := json.Marshal(f.Value)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range f.Records {
			ids = append(ids, r.Kind+":"+r.ID)
		}
		out = append(out, f.Name+"="+string(v)+" "+strings.Join(ids, ","))
	}
	slices.Sort(out)
	return out
}

// multiset renders facts as sorted JSON lines, a list fact's elements sorted too.
func multiset(t *testing.T, fs []assessment.Fact) []string {
	var out []string
	for _, f := range fs {
		v, err := json.Marshal(f.Value)
		if err != nil {
			t.Fatal(err)
		}
		var items []json.RawMessage
		if json.Unmarshal(v, &items) == nil {
			elems := make([]string, len(items))
			for i, x := range items {
				elems[i] = string(x)
			}
			slices.Sort(elems)
			v = []byte("[" + strings.Join(elems, ",") + "]")
		}
		out = append(out, f.Name+"="+string(v))
	}
	slices.Sort(out)
	return out
}

func noDifferences(t *testing.T, db *store.DB, when string) {
	t.Helper()
	diffs, err := assessment.CheckTotals(context.Background(), db, aggregators())
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("%s, %d running totals differ from the records, e.g. %v", when, len(diffs), diffs[:min(5, len(diffs))])
	}
}

// workload holds what the random operations pick from: ids read from the demo once.
type workload struct {
	db        *store.DB
	actor     access.Principal
	units     []int64
	complaint []int64
	routine   [][2]int64 // unit, checklist of a routine inspection
	items     map[int64][]int64
	pending   []int64 // findings waiting for sign-off
	tasks     [][2]int64
	answers   []int64
	names     []string
	ops       map[string]func(context.Context, *rand.Rand) error
}

func newWorkload(t *testing.T, db *store.DB) *workload {
	ctx := context.Background()
	w := &workload{db: db, items: map[int64][]int64{}}
	ids := func(q string) []int64 {
		var out []int64
		err := db.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				out = append(out, id)
			}
			return rows.Err()
		})
		if err != nil || len(out) == 0 {
			t.Fatalf("%s: %v (%d rows)", q, err, len(out))
		}
		return out
	}
	pairs := func(q string) [][2]int64 {
		var out [][2]int64
		err := db.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var p [2]int64
				if err := rows.Scan(&p[0], &p[1]); err != nil {
					return err
				}
				out = append(out, p)
			}
			return rows.Err()
		})
		if err != nil || len(out) == 0 {
			t.Fatalf("%s: %v (%d rows)", q, err, len(out))
		}
		return out
	}
	// An evaluator who maintains none of the orders, so no evaluation is refused as his own.
	person := ids("SELECT MIN(id) FROM people WHERE id NOT IN (SELECT maintainer_id FROM work_orders WHERE maintainer_id IS NOT NULL)")[0]
	w.actor = access.Principal{UserID: 1, Username: "admin", PersonID: person,
		Grants: []access.Grant{{Role: access.Admin}, {Role: access.Clerk}, {Role: access.UnitHead}, {Role: access.Foreman}, {Role: access.Dispatcher}}}
	w.units = ids("SELECT DISTINCT unit_id FROM complaints ORDER BY unit_id")
	w.complaint = ids("SELECT id FROM complaints ORDER BY id")
	w.routine = pairs("SELECT DISTINCT unit_id, checklist_id FROM inspections WHERE kind = 'routine' AND checklist_id IS NOT NULL ORDER BY unit_id, checklist_id")
	for _, r := range w.routine {
		if w.items[r[1]] == nil {
			w.items[r[1]] = ids(fmt.Sprintf("SELECT id FROM inspection_items WHERE checklist_id = %d AND NOT charges_person ORDER BY id", r[1]))
		}
	}
	w.pending = ids("SELECT id FROM inspection_findings WHERE signoff = 'pending' ORDER BY id")
	w.tasks = pairs("SELECT order_id, CASE kind WHEN 'self' THEN 1 ELSE 2 END FROM workorder_tasks ORDER BY id")
	w.answers = ids("SELECT a.id FROM survey_answers a JOIN survey_campaigns c ON c.id = a.campaign_id AND c.audience = 'residents' ORDER BY a.id")

	kinds := map[int64]workorder.Kind{1: workorder.SelfEvaluation, 2: workorder.Callback}
	classes := []complaint.Class{complaint.Valid, complaint.Major, complaint.Invalid, complaint.Valid}
	w.ops = map[string]func(context.Context, *rand.Rand) error{
		"complaint registered": func(ctx context.Context, r *rand.Rand) error {
			c, err := complaint.Register(ctx, db, w.actor, complaint.Input{UnitID: pick(r, w.units), Channel: complaint.Phone, Category: complaint.Attitude,
				Complainant: "王女士", Contact: "13800000000", Description: "随机负载", ReceivedAt: time.Now().Add(-time.Duration(r.IntN(20*24)) * time.Hour)})
			if err == nil {
				w.complaint = append(w.complaint, c.ID)
			}
			return err
		},
		"complaint classified": func(ctx context.Context, r *rand.Rand) error {
			_, err := complaint.Act(ctx, db, w.actor, pick(r, w.complaint), complaint.Action{Verb: complaint.Classify, Class: pick(r, classes), Text: "随机负载"})
			return err
		},
		"complaint reassigned": func(ctx context.Context, r *rand.Rand) error {
			_, err := complaint.Act(ctx, db, w.actor, pick(r, w.complaint), complaint.Action{Verb: complaint.Reassign, UnitID: pick(r, w.units), Text: "随机负载"})
			return err
		},
		"direct deduction": func(ctx context.Context, r *rand.Rand) error {
			_, err := complaint.AddDirect(ctx, db, w.actor, complaint.DirectInput{UnitID: pick(r, w.units),
				Day: time.Now().AddDate(0, 0, -r.IntN(20)).In(assessment.Zone).Format(time.DateOnly), Points: fmt.Sprint(1 + r.IntN(5)), Reason: "随机负载"})
			return err
		},
		"inspection filed": func(ctx context.Context, r *rand.Rand) error {
			rc := pick(r, w.routine)
			ins, err := inspection.File(ctx, db, w.actor, inspection.Input{Kind: inspection.Routine, UnitID: rc[0], ChecklistID: rc[1],
				InspectedAt: time.Now().Add(-time.Duration(r.IntN(20*24)) * time.Hour)})
			if err != nil {
				return err
			}
			for range r.IntN(3) {
				if _, err := inspection.AddFinding(ctx, db, w.actor, ins.ID, inspection.FindingInput{ItemID: pick(r, w.items[rc[1]]), Description: "随机负载"}); err != nil {
					return err
				}
			}
			return nil
		},
		"finding signed off": func(ctx context.Context, r *rand.Rand) error {
			_, err := inspection.SignOff(ctx, db, w.actor, pick(r, w.pending), r.IntN(2) == 0, "随机负载")
			return err
		},
		"order evaluated": func(ctx context.Context, r *rand.Rand) error {
			k := pick(r, w.tasks)
			in := workorder.EvalInput{OrderID: k[0], Kind: kinds[k[1]], Score: pick(r, []int{10, 8, 6}), Unreachable: k[1] == 2 && r.IntN(5) == 0}
			task, err := workorder.Evaluate(ctx, db, w.actor, in)
			if errs.Is(err, errs.Conflict) {
				// Evaluated already: revise it instead, the other way a rating changes.
				var tasks []workorder.Task
				if tasks, _, err = workorder.OrderTasks(ctx, db, w.actor, k[0]); err != nil {
					return err
				}
				for _, x := range tasks {
					if x.Kind == in.Kind {
						task = x
					}
				}
				in.Reason = "随机负载"
				_, err = workorder.Revise(ctx, db, w.actor, task.ID, in)
			}
			return err
		},
		"answer marked": func(ctx context.Context, r *rand.Rand) error {
			return survey.Mark(ctx, db, w.actor, pick(r, w.answers), pick(r, []string{survey.Fake, survey.Checked, survey.Doubtful}), "随机负载")
		},
		"answer corrected": func(ctx context.Context, r *rand.Rand) error {
			id := pick(r, w.answers)
			a, _, err := survey.GetAnswer(ctx, db, w.actor, id)
			if err != nil {
				return err
			}
			// Another answer's values of the same campaign: a valid answer with, often, another band.
			var other survey.Answer
			for range 20 {
				if o, _, err := survey.GetAnswer(ctx, db, w.actor, pick(r, w.answers)); err == nil && o.CampaignID == a.CampaignID && o.Values != nil {
					other = o
					break
				}
			}
			if other.Values == nil {
				return errs.New(errs.Conflict, "test.no_other_answer")
			}
			return survey.Correct(ctx, db, w.actor, id, survey.AnswerInput{Values: other.Values}, "随机负载")
		},
	}
	for name := range w.ops {
		w.names = append(w.names, name)
	}
	slices.Sort(w.names)
	return w
}

func (w *workload) pick(r *rand.Rand) (string, func(context.Context, *rand.Rand) error) {
	name := pick(r, w.names)
	return name, w.ops[name]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// TestRebuildAggregatesCommand corrupts a running total behind the application's back:
// `manyi rebuild-aggregates --check` reports it (fact, subject, day, stored, recomputed),
// changes nothing and exits non-zero; the rebuild mends it, and the check then passes.
func TestRebuildAggregatesCommand(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		url := demoDB(t, d)
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var unit int64
		var day string
		var n int64
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT subject_id, day, n FROM fact_totals WHERE fact = 'complaints_valid' AND n > 0 ORDER BY day, subject_id LIMIT 1").Scan(&unit, &day, &n); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "UPDATE fact_totals SET n = n + 5 WHERE fact = 'complaints_valid' AND subject_id = ? AND day = ?", unit, day)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		line := regexp.MustCompile(fmt.Sprintf(`(?m)^complaints_valid\tunit %d\t%s\t\t%d\t%d$`, unit, day, n+5, n))

		var out bytes.Buffer
		err = run(ctx, []string{"rebuild-aggregates", "--db", url, "--check"}, &out, io.Discard)
		if !errors.Is(err, errTotalsDiffer) || !line.MatchString(out.String()) || !strings.Contains(out.String(), "1 differences; nothing changed") {
			t.Fatalf("check of a corrupted total: %v\n%s", err, out.String())
		}
		out.Reset()
		if err := run(ctx, []string{"rebuild-aggregates", "--db", url, "--check"}, &out, io.Discard); !errors.Is(err, errTotalsDiffer) || !line.MatchString(out.String()) {
			t.Fatalf("--check changed the total: %v\n%s", err, out.String())
		}
		out.Reset()
		if err := run(ctx, []string{"rebuild-aggregates", "--db", url}, &out, io.Discard); err != nil || !line.MatchString(out.String()) ||
			!strings.Contains(out.String(), "rebuilt: 1 totals mended") {
			t.Fatalf("rebuild: %v\n%s", err, out.String())
		}
		out.Reset()
		if err := run(ctx, []string{"rebuild-aggregates", "--db", url, "--check"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "running totals agree with the records") {
			t.Fatalf("check after the rebuild: %v\n%s", err, out.String())
		}
		noDifferences(t, db, "after the rebuild")
	})
}

// TestMigrationFillsTotals is a database from before the running totals: its records are
// there, fact_totals is not. `manyi migrate` creates the table and fills it from the records
// in the same run.
func TestMigrationFillsTotals(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		url := demoDB(t, d)
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range []string{"DROP TABLE fact_totals", "DELETE FROM schema_migrations WHERE name = '" + totalsMigration + "'"} {
			if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err != nil {
				t.Fatal(err)
			}
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"migrate", "--db", url}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "applied "+totalsMigration) {
			t.Fatalf("migrate: %v\n%s", err, out.String())
		}
		var n int
		if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM fact_totals").Scan(&n) }); err != nil || n == 0 {
			t.Fatalf("fact_totals after the migration: %d rows, %v", n, err)
		}
		noDifferences(t, db, "after the migration")
	})
}
