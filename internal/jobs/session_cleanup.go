package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"manyi/internal/auth"
	"manyi/internal/store"
)

// SessionCleanupArgs asks for expired sessions and old login attempts to be deleted.
type SessionCleanupArgs struct{}

// Kind is the job's name in river_job.kind.
func (SessionCleanupArgs) Kind() string { return "session_cleanup" }

type sessionCleanupWorker struct {
	river.WorkerDefaults[SessionCleanupArgs]
	db     *store.DB
	logger *slog.Logger
}

// SessionCleanupOutput is the job's recorded output (river_job.metadata → output).
type SessionCleanupOutput struct {
	Removed int64 `json:"removed"`
}

func (w *sessionCleanupWorker) Work(ctx context.Context, job *river.Job[SessionCleanupArgs]) error {
	n, err := auth.CleanUp(ctx, w.db)
	if err != nil {
		return err
	}
	w.logger.Info("session clean-up done", "job_id", job.ID, "removed", n)
	return river.RecordOutput(ctx, SessionCleanupOutput{Removed: n})
}
