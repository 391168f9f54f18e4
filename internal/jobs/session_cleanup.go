package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"manyi/internal/auth"
	"manyi/internal/idempotency"
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
	Removed         int64 `json:"removed"`
	IdempotencyKeys int64 `json:"idempotency_keys"`
}

func (w *sessionCleanupWorker) Work(ctx context.Context, job *river.Job[SessionCleanupArgs]) error {
	n, err := auth.CleanUp(ctx, w.db)
	if err != nil {
		return err
	}
	// Expired API idempotency keys go with the expired sessions: both are per-credential
	// state with a lifetime, and a retry after it is a new request anyway.
	keys, err := idempotency.Purge(ctx, w.db)
	if err != nil {
		return err
	}
	w.logger.Info("session clean-up done", "job_id", job.ID, "removed", n, "idempotency_keys", keys)
	return river.RecordOutput(ctx, SessionCleanupOutput{Removed: n, IdempotencyKeys: keys})
}
