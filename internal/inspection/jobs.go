package inspection

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/store"
)

// OverdueArgs asks for the rectification sweep.
type OverdueArgs struct{}

// Kind is the job's name in river_job.kind.
func (OverdueArgs) Kind() string { return "inspection_overdue" }

// OverdueWorker writes a notice to the unit for every rectification past its deadline. It is
// safe to run twice and on two instances: a notice is unique per finding and kind.
type OverdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	DB     *store.DB
	Logger *slog.Logger
}

// Work runs one sweep.
func (w *OverdueWorker) Work(ctx context.Context, job *river.Job[OverdueArgs]) error {
	n, err := SweepOverdue(ctx, w.DB)
	if err != nil {
		return err
	}
	if n > 0 && w.Logger != nil {
		w.Logger.Info("overdue rectification notices written", "job_id", job.ID, "written", n)
	}
	return nil
}

// Workers adds the inspection workers to a job runner.
func Workers(db *store.DB, logger *slog.Logger) func(*river.Workers) {
	return func(w *river.Workers) { river.AddWorker(w, &OverdueWorker{DB: db, Logger: logger}) }
}

// PeriodicJobs schedules the sweep every interval, unique per interval.
func PeriodicJobs(every time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return OverdueArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: OverdueArgs{}.Kind(), RunOnStart: true})}
}

// SweepOverdue writes the missing overdue notices and returns how many it wrote.
func SweepOverdue(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO inspection_notifications (finding_id, kind, unit_id, created_at)
			SELECT f.id, 'rectification_overdue', f.unit_id, ? FROM inspection_findings f
			WHERE f.rectify_due IS NOT NULL AND f.rectified_at IS NULL AND f.rectify_due < ?
			AND NOT EXISTS (SELECT 1 FROM inspection_notifications n WHERE n.finding_id = f.id AND n.kind = 'rectification_overdue')`,
			tx.Now, tx.Now.In(Zone).Format("2006-01-02"))
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n = int(m)
		return nil
	})
	return n, err
}
