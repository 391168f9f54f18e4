package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"manyi/internal/audit"
	"manyi/internal/store"
)

// AuditVerifyArgs asks for the audit log's sealed hash chain to be checked from the first
// entry, and the entries waiting to be sealed counted.
type AuditVerifyArgs struct{}

// Kind is the job's name in river_job.kind.
func (AuditVerifyArgs) Kind() string { return "audit_verify" }

// InsertOpts makes the check unique per hour: instances starting together, or a change of
// leader, run it once. A broken chain is a finding, not a failure, so retries are only for
// database errors and few.
func (AuditVerifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// AuditVerifyOutput is the job's recorded output (river_job.metadata → output).
type AuditVerifyOutput struct {
	Intact   bool   `json:"intact"`
	Checked  int    `json:"checked"`
	BrokenAt int64  `json:"broken_at,omitempty"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash,omitempty"`
	Unsealed int    `json:"unsealed"`
}

// The gauges have no labels but are vectors so that they are absent until this process has
// run a check: an instance that never ran one must not report a chain as broken (0).
var (
	auditIntact = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "manyi_audit_chain_intact",
		Help: "1 if the last audit-log integrity check run by this instance found the hash chain intact, 0 if broken.",
	}, nil)
	auditChecked = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "manyi_audit_chain_checked_entries",
		Help: "Audit-log entries checked by the last integrity check run by this instance.",
	}, nil)
	auditUnsealed = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "manyi_audit_unsealed_entries",
		Help: "Audit-log entries committed but not yet sealed into the hash chain, at the last integrity check run by this instance.",
	}, nil)
	auditSealedHead = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "manyi_audit_chain_sealed_entries",
		Help: "Length of the sealed audit chain as last seen by this instance; it never goes down unless entries were removed.",
	}, nil)
	auditLastCheck = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "manyi_audit_chain_last_check_timestamp_seconds",
		Help: "Unix time of the last audit-log integrity check run by this instance.",
	}, nil)
	metricsOnce sync.Once
)

// registerMetrics registers the gauges on the default registry once per process, however
// many runners are started.
func registerMetrics() {
	metricsOnce.Do(func() {
		prometheus.MustRegister(auditIntact, auditChecked, auditUnsealed, auditSealedHead, auditLastCheck)
	})
}

type auditVerifyWorker struct {
	river.WorkerDefaults[AuditVerifyArgs]
	db     *store.DB
	logger *slog.Logger
}

// Timeout allows for a long log: the check reads every entry since the first.
func (w *auditVerifyWorker) Timeout(*river.Job[AuditVerifyArgs]) time.Duration {
	return 30 * time.Minute
}

func (w *auditVerifyWorker) Work(ctx context.Context, job *river.Job[AuditVerifyArgs]) error {
	res, err := audit.Verify(ctx, w.db)
	if err != nil {
		return err
	}
	out := AuditVerifyOutput{Intact: res.BrokenAt == 0, Checked: res.Checked, BrokenAt: res.BrokenAt,
		HeadSeq: res.Head.Seq, HeadHash: res.Head.Hash, Unsealed: res.Unsealed}
	intact := 0.0
	if out.Intact {
		intact = 1
		w.logger.Info("audit log intact", "job_id", job.ID, "checked", res.Checked,
			"head_seq", res.Head.Seq, "head_hash", res.Head.Hash, "unsealed", res.Unsealed)
	} else {
		w.logger.Error("audit log hash chain broken: an entry was changed or removed outside the application",
			"job_id", job.ID, "checked", res.Checked, "broken_at", res.BrokenAt)
	}
	auditIntact.WithLabelValues().Set(intact)
	auditChecked.WithLabelValues().Set(float64(res.Checked))
	auditUnsealed.WithLabelValues().Set(float64(res.Unsealed))
	auditSealedHead.WithLabelValues().Set(float64(res.Head.Seq))
	auditLastCheck.WithLabelValues().Set(float64(time.Now().Unix()))
	return river.RecordOutput(ctx, out)
}

// AuditCheck is the last completed integrity check on record, as the administrator's home
// page shows it: checking the chain again there would read the whole log on every visit.
type AuditCheck struct {
	AuditVerifyOutput
	At time.Time
}

// LastAuditCheck reads the newest completed audit_verify job's output; ok is false when none
// is on record (River keeps completed jobs for a week).
func LastAuditCheck(ctx context.Context, db *store.DB) (c AuditCheck, ok bool, err error) {
	err = db.Read(ctx, func(tx *store.Tx) error {
		var meta []byte
		metadata := "metadata"
		if db.Dialect == store.SQLite {
			metadata = "json(metadata)" // River keeps it in SQLite's binary JSONB
		}
		err := tx.QueryRow(ctx, "SELECT finalized_at, "+metadata+" FROM river_job WHERE kind = ? AND state = 'completed' ORDER BY finalized_at DESC, id DESC LIMIT 1",
			AuditVerifyArgs{}.Kind()).Scan(&c.At, &meta)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the last audit check: %w", err)
		}
		var m struct {
			Output *AuditVerifyOutput `json:"output"`
		}
		if err := json.Unmarshal(meta, &m); err != nil {
			return fmt.Errorf("decode the last audit check: %w", err)
		}
		if m.Output != nil {
			c.AuditVerifyOutput, ok = *m.Output, true
		}
		return nil
	})
	c.At = c.At.UTC()
	return c, ok, err
}
