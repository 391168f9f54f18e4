package workorder

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/access"
	"manyi/internal/store"
)

// DrawArgs asks for the evaluation tasks of the orders closed on Day.
type DrawArgs struct {
	Day string `json:"day"` // 2006-01-02, local
}

// Kind is the job's name in river_job.kind.
func (DrawArgs) Kind() string { return "workorder_draw" }

// DrawWorker runs Generate. It is safe to run twice and on two instances at once: a second
// run finds the day's orders drawn (unique task per order and kind, unique draw per day and
// batch) and changes nothing.
type DrawWorker struct {
	river.WorkerDefaults[DrawArgs]
	DB     *store.DB
	Logger *slog.Logger
}

// Work runs the draw.
func (w *DrawWorker) Work(ctx context.Context, job *river.Job[DrawArgs]) error {
	res, err := Generate(ctx, w.DB, access.System, job.Args.Day)
	if err != nil {
		return err
	}
	if res.Orders > 0 && w.Logger != nil {
		w.Logger.Info("work-order evaluation tasks drawn", "job_id", job.ID, "day", res.Day, "orders", res.Orders, "managers", res.Managers)
	}
	return river.RecordOutput(ctx, res)
}

// Workers adds the work-order workers to a job runner (jobs.Options.Register).
func Workers(db *store.DB, logger *slog.Logger) func(*river.Workers) {
	return func(w *river.Workers) { river.AddWorker(w, &DrawWorker{DB: db, Logger: logger}) }
}

// PeriodicJobs draws the tasks of yesterday's orders every day at the given schedule (00:30
// in the organisation's time zone in production), unique by day so that a change of leader
// does not enqueue it twice; RunOnStart catches up after a night the server was down.
func PeriodicJobs(schedule river.PeriodicSchedule) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(schedule,
		func() (river.JobArgs, *river.InsertOpts) {
			yesterday := time.Now().In(Zone).AddDate(0, 0, -1).Format(time.DateOnly)
			return DrawArgs{Day: yesterday}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
		},
		&river.PeriodicJobOpts{ID: DrawArgs{}.Kind(), RunOnStart: true})}
}
