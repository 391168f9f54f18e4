package survey

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
)

// PurgeArgs asks for the retention purge of survey answers.
type PurgeArgs struct{}

// Kind is the job's name in river_job.kind.
func (PurgeArgs) Kind() string { return "survey_purge" }

// PurgeWorker runs Purge. Running it twice, or on two instances, purges nothing twice: a
// purged answer carries purged_at and is skipped.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	DB     *store.DB
	Logger *slog.Logger
}

// PurgeOutput is the job's recorded output.
type PurgeOutput struct {
	Purged int `json:"purged"`
}

// Work runs one purge.
func (w *PurgeWorker) Work(ctx context.Context, job *river.Job[PurgeArgs]) error {
	n, err := Purge(ctx, w.DB)
	if err != nil {
		return err
	}
	if n > 0 && w.Logger != nil {
		w.Logger.Info("survey answers purged", "job_id", job.ID, "purged", n)
	}
	return river.RecordOutput(ctx, PurgeOutput{Purged: n})
}

// Workers adds the survey workers to a job runner (jobs.Options.Register).
func Workers(db *store.DB, logger *slog.Logger) func(*river.Workers) {
	return func(w *river.Workers) { river.AddWorker(w, &PurgeWorker{DB: db, Logger: logger}) }
}

// PeriodicJobs runs the purge on the given schedule (daily in production), unique by
// period so a change of leader does not run it twice; RunOnStart catches up after downtime.
func PeriodicJobs(schedule river.PeriodicSchedule) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(schedule,
		func() (river.JobArgs, *river.InsertOpts) {
			return PurgeArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
		},
		&river.PeriodicJobOpts{ID: PurgeArgs{}.Kind(), RunOnStart: true})}
}

// purgeBatch bounds one transaction of the purge, so a year's backlog does not hold the
// writer for long.
const purgeBatch = 500

// Purge removes the personal data of every answer older than its campaign's retention
// period: the respondent's name and phone, the opinion and free-text answers, the client
// key and the household label. What rates and classifications need (the levels, bands,
// location and type) stays, so the results do not change. Each batch is audited with the
// count per campaign. It returns how many answers it purged.
func Purge(ctx context.Context, db *store.DB) (int, error) {
	total := 0
	for {
		n, err := purgeBatchOnce(ctx, db)
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

func purgeBatchOnce(ctx context.Context, db *store.DB) (int, error) {
	n := 0
	err := db.InTx(ctx, func(tx *store.Tx) error {
		// Retention is per campaign; the cutoff is compared in Go because date arithmetic
		// is written differently in the two dialects.
		crows, err := tx.Query(ctx, "SELECT id, retention_days, template_id FROM survey_campaigns")
		if err != nil {
			return err
		}
		type camp struct {
			id, tid int64
			days    int
		}
		var camps []camp
		for crows.Next() {
			var c camp
			if err := crows.Scan(&c.id, &c.days, &c.tid); err != nil {
				crows.Close()
				return err
			}
			camps = append(camps, c)
		}
		crows.Close()
		for _, c := range camps {
			if n >= purgeBatch {
				break
			}
			cutoff := tx.Now.AddDate(0, 0, -c.days)
			rows, err := tx.Query(ctx, "SELECT id, invitation_id, answers FROM survey_answers WHERE campaign_id = ? AND purged_at IS NULL AND answered_at < ? ORDER BY id LIMIT ?",
				c.id, cutoff, purgeBatch-n)
			if err != nil {
				return err
			}
			type ans struct {
				id, inv int64
				values  string
			}
			var todo []ans
			for rows.Next() {
				var a ans
				if err := rows.Scan(&a.id, &a.inv, &a.values); err != nil {
					rows.Close()
					return err
				}
				todo = append(todo, a)
			}
			rows.Close()
			if len(todo) == 0 {
				continue
			}
			t, err := getTemplate(ctx, tx, c.tid)
			if err != nil {
				return err
			}
			for _, a := range todo {
				var v map[string][]string
				if err := json.Unmarshal([]byte(a.values), &v); err != nil {
					return err
				}
				for _, q := range t.Def.Questions {
					if q.Kind == Text {
						delete(v, q.Key)
					}
				}
				b, _ := json.Marshal(v)
				if _, err := tx.Exec(ctx, `UPDATE survey_answers SET respondent = '', phone = '', opinion = '', client_key = '', answers = ?, purged_at = ?, updated_at = ? WHERE id = ?`,
					string(b), tx.Now, tx.Now, a.id); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE survey_invitations SET household = '' WHERE id = ?", a.inv); err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, access.System, audit.Change{Action: "purge", Entity: "survey_campaign", EntityID: c.id,
				After: map[string]any{"answers_purged": len(todo), "older_than": cutoff}}); err != nil {
				return err
			}
			n += len(todo)
		}
		return nil
	})
	return n, err
}
