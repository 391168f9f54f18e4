package complaint

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
)

// SLAArgs asks for the SLA sweep: reminders before a deadline and escalations after it.
type SLAArgs struct{}

// Kind is the job's name in river_job.kind.
func (SLAArgs) Kind() string { return "complaint_sla" }

// SLAWorker writes the reminder and escalation notifications that are due. It is safe to run
// twice and on two instances at once: a notification is unique per complaint, kind and SLA
// round, so a second run finds nothing left to write.
type SLAWorker struct {
	river.WorkerDefaults[SLAArgs]
	DB     *store.DB
	Logger *slog.Logger
}

// SLAOutput is the job's recorded output.
type SLAOutput struct {
	Written int `json:"written"`
}

// Work runs one sweep.
func (w *SLAWorker) Work(ctx context.Context, job *river.Job[SLAArgs]) error {
	n, err := Sweep(ctx, w.DB)
	if err != nil {
		return err
	}
	if n > 0 && w.Logger != nil {
		w.Logger.Info("complaint SLA notifications written", "job_id", job.ID, "written", n)
	}
	return river.RecordOutput(ctx, SLAOutput{Written: n})
}

// Workers adds the complaint workers to a job runner (jobs.Options.Register).
func Workers(db *store.DB, logger *slog.Logger) func(*river.Workers) {
	return func(w *river.Workers) { river.AddWorker(w, &SLAWorker{DB: db, Logger: logger}) }
}

// PeriodicJobs schedules the SLA sweep every interval (a minute in production), unique per
// interval so that a change of leader does not run it twice (jobs.Options.PeriodicJobs).
func PeriodicJobs(every time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return SLAArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: SLAArgs{}.Kind(), RunOnStart: true})}
}

// sweepKinds are the notifications, each with the deadline column it watches and whether it
// fires before (reminder) or at the deadline (breach, escalated to the unit head and clerk).
var sweepKinds = []struct {
	kind, due, open string
	reminder        bool
}{
	{"reply_reminder", "reply_due_at", "replied_at IS NULL", true},
	{"reply_breach", "reply_due_at", "replied_at IS NULL", false},
	{"solution_reminder", "solution_due_at", "resolved_at IS NULL AND solution_due_at IS NOT NULL", true},
	{"solution_breach", "solution_due_at", "resolved_at IS NULL AND solution_due_at IS NOT NULL", false},
}

// Sweep writes every notification that is due and not yet written, and notes each on the
// complaint's timeline. It returns how many it wrote.
func Sweep(ctx context.Context, db *store.DB) (int, error) {
	written := 0
	err := db.InTx(ctx, func(tx *store.Tx) error {
		pol, err := LoadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		for _, k := range sweepKinds {
			limit := tx.Now
			if k.reminder {
				limit = tx.Now.Add(pol.RemindBefore)
			}
			rows, err := tx.Query(ctx, `SELECT c.id, c.sla_round, c.unit_id, c.`+k.due+` FROM complaints c
				WHERE c.status NOT IN ('confirmed', 'closed') AND c.`+k.open+` AND c.`+k.due+` <= ?
				AND NOT EXISTS (SELECT 1 FROM complaint_notifications n WHERE n.complaint_id = c.id AND n.kind = ? AND n.sla_round = c.sla_round)`,
				limit, k.kind)
			if err != nil {
				return err
			}
			type due struct {
				id, unit int64
				round    int
				at       time.Time
			}
			var todo []due
			for rows.Next() {
				var d due
				if err := rows.Scan(&d.id, &d.round, &d.unit, &d.at); err != nil {
					rows.Close()
					return err
				}
				todo = append(todo, d)
			}
			rows.Close()
			for _, d := range todo {
				res, err := tx.Exec(ctx, `INSERT INTO complaint_notifications (complaint_id, kind, sla_round, unit_id, due_at, created_at)
					VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, d.id, k.kind, d.round, d.unit, d.at, tx.Now)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
				written++
				action := "remind"
				if !k.reminder {
					action = "escalate"
				}
				if err := event(ctx, tx, access.System, d.id, action, k.kind); err != nil {
					return err
				}
				// In the audit log too, so that webhooks announce a clock about to run out or
				// run out (complaint.remind, complaint.escalate) as they announce every change.
				if err := audit.Record(ctx, tx, access.System, audit.Change{Action: action, Entity: "complaint", EntityID: d.id, UnitID: d.unit,
					After: map[string]any{"notification": k.kind, "due_at": d.at}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return written, err
}
