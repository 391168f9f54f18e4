// Package overdue announces what is late: a periodic sweep on the job queue writes one audit
// entry, and so one webhook event, for each improvement item and follow-up the first time it
// is past its due day (improvement.overdue, workorder_followup.overdue,
// survey_followup.overdue). Each area owns its rule, its table and its marker
// (AnnounceOverdue); this package only runs them on a schedule.
package overdue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/improvement"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// areas are the areas' sweeps, each run in a transaction of its own so that one area's rows
// are not locked while another's are written.
var areas = []struct {
	name     string
	announce func(context.Context, *store.Tx) (int, error)
}{
	{"improvement", improvement.AnnounceOverdue},
	{"workorder_followup", workorder.AnnounceOverdue},
	{"survey_followup", survey.AnnounceOverdue},
}

// Sweep announces every item and follow-up newly overdue and returns how many it announced.
// It is safe to run twice and on two instances at once (see each area's AnnounceOverdue).
func Sweep(ctx context.Context, db *store.DB) (int, error) {
	total := 0
	for _, a := range areas {
		var n int
		err := db.InTx(ctx, func(tx *store.Tx) (err error) {
			n, err = a.announce(ctx, tx)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("%s overdue sweep: %w", a.name, err)
		}
		total += n
	}
	return total, nil
}

// Args asks for the overdue sweep.
type Args struct{}

// Kind is the job's name in river_job.kind.
func (Args) Kind() string { return "overdue_sweep" }

// Worker runs the overdue sweep.
type Worker struct {
	river.WorkerDefaults[Args]
	DB     *store.DB
	Logger *slog.Logger
}

// Output is the job's recorded output.
type Output struct {
	Announced int `json:"announced"`
}

// Work runs one sweep.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	n, err := Sweep(ctx, w.DB)
	if err != nil {
		return err
	}
	if n > 0 && w.Logger != nil {
		w.Logger.Info("overdue items announced", "job_id", job.ID, "announced", n)
	}
	return river.RecordOutput(ctx, Output{Announced: n})
}

// Workers adds the overdue worker to a job runner (jobs.Options.Register).
func Workers(db *store.DB, logger *slog.Logger) func(*river.Workers) {
	return func(w *river.Workers) { river.AddWorker(w, &Worker{DB: db, Logger: logger}) }
}

// PeriodicJobs schedules the sweep every interval, unique per interval so that a change of
// leader does not run it twice (jobs.Options.PeriodicJobs). Due days end at midnight in
// China's time zone; an interval of minutes announces a missed day soon after it ends.
func PeriodicJobs(every time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return Args{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: Args{}.Kind(), RunOnStart: true})}
}
