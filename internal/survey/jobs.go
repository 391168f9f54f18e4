package survey

import (
	"context"
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
// period, in every copy the survey tables keep: the respondent's name and phone, the opinion
// and free-text answers, the client key, the staff's reasons about the answer (which quote
// the resident), the household label, the paper entries' payloads, the follow-up's notes
// and the earlier versions of a corrected answer. Invitations never answered and entries
// never resolved are purged by their own age. What rates, classifications and the entry
// accuracy need (levels, bands, location, type, authenticity, the entries' verdicts, the
// follow-ups' status and times) stays, so no result changes. Each campaign's purge is
// audited with its counts. It returns how many answers it purged.
func Purge(ctx context.Context, db *store.DB) (int, error) {
	var camps []purgeCampaign
	err := db.Read(ctx, func(tx *store.Tx) error {
		// Retention is per campaign; the cutoff is compared in Go because date arithmetic
		// is written differently in the two dialects. A campaign created after its cutoff
		// holds nothing old enough, and is not looked at: each look at a campaign scans its
		// invitations (2.3 million in a campaign of the N=100 organisation).
		var err error
		camps, err = store.All(ctx, tx, func(r store.Scanner) (purgeCampaign, error) {
			var c purgeCampaign
			var created time.Time
			err := r.Scan(&c.id, &c.days, &c.tid, &created)
			c.due = created.Before(tx.Now.AddDate(0, 0, -c.days))
			return c, err
		}, "SELECT id, retention_days, template_id, created_at FROM survey_campaigns ORDER BY id")
		return err
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range camps {
		if !c.due {
			continue
		}
		// A campaign's answers a batch at a time, so a year's backlog does not hold the
		// writer for long; the sweeps over the whole campaign run with its last batch only.
		for {
			var n int
			err := db.InTx(ctx, func(tx *store.Tx) (err error) {
				n, err = purgeCampaignOnce(ctx, tx, c, purgeBatch)
				return err
			})
			total += n
			if err != nil {
				return total, err
			}
			if n < purgeBatch {
				break
			}
		}
	}
	return total, nil
}

type purgeCampaign struct {
	id, tid int64
	days    int
	due     bool // created before its retention's cutoff: something may be old enough
}

// purgeCampaignOnce purges up to limit answers of one campaign and everything that copies
// them, then what has outlived the retention without an answer.
func purgeCampaignOnce(ctx context.Context, tx *store.Tx, c purgeCampaign, limit int) (int, error) {
	cutoff := tx.Now.AddDate(0, 0, -c.days)
	rows, err := tx.Query(ctx, "SELECT id, invitation_id, answers FROM survey_answers WHERE campaign_id = ? AND purged_at IS NULL AND answered_at < ? ORDER BY id LIMIT ?",
		c.id, cutoff, limit)
	if err != nil {
		return 0, err
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
			return 0, err
		}
		todo = append(todo, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(todo) > 0 {
		t, err := getTemplate(ctx, tx, c.tid)
		if err != nil {
			return 0, err
		}
		for _, a := range todo {
			values, err := t.Def.withoutText(a.values)
			if err != nil {
				return 0, err
			}
			if _, err := tx.Exec(ctx, `UPDATE survey_answers SET respondent = '', phone = '', opinion = '', client_key = '', authenticity_reason = '', fault_reason = '',
				answers = ?, purged_at = ?, updated_at = ? WHERE id = ?`, values, tx.Now, tx.Now, a.id); err != nil {
				return 0, err
			}
		}
	}
	// The copies are found through the purged answers of the campaign, not through this
	// batch alone, so that answers purged before a copy was known to the purge (before
	// migration 0009) are caught up. Each sweep touches only what is not blank yet, and reads
	// it through a partial index of what is not blank yet (migration 0036): a run finds the
	// little left since the last one instead of reading the campaign's 2.3 million invitations
	// at N=100, which held the writer for seconds every night. They wait for the campaign's
	// last batch: a full batch means more answers to come.
	counts := map[string]int64{}
	if len(todo) == limit {
		return len(todo), audit.Record(ctx, tx, access.System, audit.Change{Action: "purge", Entity: "survey_campaign", EntityID: c.id,
			After: map[string]any{"answers_purged": len(todo), "older_than": cutoff}})
	}
	if counts["versions_purged"], err = purgeVersions(ctx, tx, c); err != nil {
		return 0, err
	}
	for _, sw := range purgeSweeps {
		k, err := execCount(ctx, tx, sw.query, sw.args(c.id, cutoff)...)
		if err != nil {
			return 0, err
		}
		counts[sw.count] += k
	}
	after := map[string]any{"answers_purged": len(todo), "older_than": cutoff}
	purged := len(todo) > 0
	for k, v := range counts {
		if v > 0 {
			after[k], purged = v, true
		}
	}
	if !purged {
		return 0, nil
	}
	return len(todo), audit.Record(ctx, tx, access.System, audit.Change{Action: "purge", Entity: "survey_campaign", EntityID: c.id, After: after})
}

// purgeSweeps blank the copies of a campaign's personal data once its answers are purged.
// Households of invitations never answered, and paper entries never resolved into an
// answer, have no answer to be purged with: their own age decides. Each statement starts from
// a partial index of the rows not blank yet (migration 0036), whose condition it repeats
// word for word: SQLite uses a partial index only for a query that contains its condition.
var purgeSweeps = []struct {
	count, query string
	args         func(campaign int64, cutoff time.Time) []any
}{
	{"households_purged", `UPDATE survey_invitations SET household = '' WHERE household <> '' AND campaign_id = ?
		AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.invitation_id = survey_invitations.id AND a.purged_at IS NOT NULL)`, byCampaign},
	{"entries_purged", `UPDATE survey_entries SET payload = '{}' WHERE payload <> '{}'
		AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.invitation_id = survey_entries.invitation_id AND a.campaign_id = ? AND a.purged_at IS NOT NULL)`, byCampaign},
	{"followups_purged", `UPDATE survey_followups SET cause = '', action = '', outcome = '', escalation = '', check_note = ''
		WHERE (cause <> '' OR action <> '' OR outcome <> '' OR escalation <> '' OR check_note <> '')
		AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.id = survey_followups.answer_id AND a.campaign_id = ? AND a.purged_at IS NOT NULL)`, byCampaign},
	{"households_purged", "UPDATE survey_invitations SET household = '' WHERE household <> '' AND campaign_id = ? AND answered_at IS NULL AND created_at < ?",
		func(campaign int64, cutoff time.Time) []any { return []any{campaign, cutoff} }},
	{"entries_purged", `UPDATE survey_entries SET payload = '{}' WHERE payload <> '{}' AND created_at < ?
		AND EXISTS (SELECT 1 FROM survey_invitations i WHERE i.id = survey_entries.invitation_id AND i.campaign_id = ?)`,
		func(campaign int64, cutoff time.Time) []any { return []any{cutoff, campaign} }},
}

func byCampaign(campaign int64, _ time.Time) []any { return []any{campaign} }

// unpurgedVersions are the earlier versions of a campaign's purged answers not purged yet,
// from the partial index of the versions not purged (migration 0036).
const unpurgedVersions = `SELECT v.id, v.answers FROM survey_answer_versions v WHERE v.purged_at IS NULL
	AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.id = v.answer_id AND a.campaign_id = ? AND a.purged_at IS NOT NULL)`

// purgeVersions strips the free-text answers and the reason from the earlier versions of the
// campaign's purged answers; the migration's trigger allows exactly this update and no other.
func purgeVersions(ctx context.Context, tx *store.Tx, c purgeCampaign) (int64, error) {
	rows, err := tx.Query(ctx, unpurgedVersions, c.id)
	if err != nil {
		return 0, err
	}
	type version struct {
		id     int64
		values string
	}
	var vs []version
	for rows.Next() {
		var v version
		if err := rows.Scan(&v.id, &v.values); err != nil {
			rows.Close()
			return 0, err
		}
		vs = append(vs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(vs) == 0 {
		return 0, err
	}
	t, err := getTemplate(ctx, tx, c.tid)
	if err != nil {
		return 0, err
	}
	for _, v := range vs {
		values, err := t.Def.withoutText(v.values)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_answer_versions SET answers = ?, reason = '', purged_at = ? WHERE id = ?", values, tx.Now, v.id); err != nil {
			return 0, err
		}
	}
	return int64(len(vs)), nil
}

// execCount runs an update and returns how many rows it changed.
func execCount(ctx context.Context, tx *store.Tx, query string, args ...any) (int64, error) {
	res, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
