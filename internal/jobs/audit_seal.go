package jobs

import (
	"context"
	"log/slog"
	"time"

	"manyi/internal/audit"
	"manyi/internal/store"
)

// sealer links newly committed audit entries into the hash chain shortly after they commit
// (audit.Seal). Every working instance runs one; on PostgreSQL they queue on the seal's
// advisory lock, so at any moment one of them extends the chain and the others find the work
// done. It is a loop beside River rather than a periodic job because it runs every second:
// a job a second would write a river_job row a second for nothing.
type sealer struct {
	db     *store.DB
	logger *slog.Logger
	every  time.Duration
	stop   chan struct{}
	done   chan struct{}
}

func startSealer(db *store.DB, logger *slog.Logger, every time.Duration) *sealer {
	s := &sealer{db: db, logger: logger, every: every, stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *sealer) run() {
	defer close(s.done)
	// The first pass seals what a crashed or stopped instance left committed but unsealed.
	s.pass(context.Background())
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.pass(context.Background())
		}
	}
}

// pass seals the backlog. It asks first with a read, so that an idle SQLite instance does not
// take the writer lock every second.
func (s *sealer) pass(ctx context.Context) {
	waiting, err := audit.Waiting(ctx, s.db)
	if err != nil || !waiting {
		if err != nil {
			s.logger.Warn("audit seal: look for unsealed entries", "err", err)
		}
		return
	}
	n, head, err := audit.SealAll(ctx, s.db)
	if err != nil {
		// Nothing is lost: the entries stay committed and the next pass seals them.
		s.logger.Warn("audit seal failed; retrying next pass", "err", err)
		return
	}
	// The head is logged so that the chain's end is kept outside the database too: a later
	// head lower than one logged here means entries were removed from the end (docs/audit.md).
	s.logger.Debug("audit entries sealed", "sealed", n, "head_seq", head.Seq, "head_hash", head.Hash)
	auditSealedHead.WithLabelValues().Set(float64(head.Seq))
}

// close stops the loop and runs a last pass, so a graceful stop leaves nothing unsealed.
func (s *sealer) close(ctx context.Context) {
	close(s.stop)
	<-s.done
	s.pass(ctx)
}
