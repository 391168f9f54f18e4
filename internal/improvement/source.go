package improvement

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/store"
)

// Zone is the organisation's time zone: a source's day is its local day.
var Zone = time.FixedZone("CST", 8*3600)

func localDay(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }

// resolve reads the record of kind and id that an item is raised from: its unit, its day and
// what it says the problem is. The records belong to other areas; only these read-only look-ups
// cross into their tables, so an item cannot claim a unit or a day its source does not have.
// Target breaches and meeting remedies are raised by their own areas (RaiseTx): a breach is
// computed, not stored, and a remedy is written in the meeting's transaction.
func resolve(ctx context.Context, tx *store.Tx, kind Kind, ref string) (Source, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64)
	if err != nil || id <= 0 {
		return Source{}, errs.Field("source_id", "imp.bad_source_id", ref)
	}
	src := Source{Kind: kind, Ref: strconv.FormatInt(id, 10)}
	var at time.Time
	var parent int64
	switch kind {
	case SurveyOpinion:
		var opinion string
		var has, dis bool
		err = tx.QueryRow(ctx, `SELECT unit_id, answered_at, opinion, has_opinion, dissatisfied FROM survey_answers WHERE id = ? AND purged_at IS NULL`, id).
			Scan(&src.UnitID, &at, &opinion, &has, &dis)
		if err == nil && !has && !dis {
			return Source{}, errs.Field("source_id", "imp.no_opinion", id)
		}
		src.Problem = opinion
	case SurveyFollowUp:
		var opinion string
		err = tx.QueryRow(ctx, `SELECT f.unit_id, f.created_at, a.opinion, f.cause FROM survey_followups f JOIN survey_answers a ON a.id = f.answer_id WHERE f.id = ?`, id).
			Scan(&src.UnitID, &at, &opinion, &src.Cause)
		src.Problem = opinion
	case Complaint:
		err = tx.QueryRow(ctx, `SELECT unit_id, received_at, description, root_cause FROM complaints WHERE id = ?`, id).
			Scan(&src.UnitID, &at, &src.Problem, &src.Cause)
	case InspectionFinding:
		var d string
		err = tx.QueryRow(ctx, `SELECT f.unit_id, i.day, f.description, f.inspection_id FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE f.id = ?`, id).
			Scan(&src.UnitID, &d, &src.Problem, &parent)
		src.On = d
	default:
		return Source{}, errs.Field("source_kind", "imp.bad_kind", string(kind))
	}
	if store.IsNoRows(err) {
		return Source{}, errs.New(errs.NotFound, "imp.source_not_found", id)
	}
	if err != nil {
		return Source{}, err
	}
	if src.On == "" {
		src.On = localDay(at)
	}
	if src.Problem == "" {
		src.Problem = "—"
	}
	src.URL = sourceURL(kind, src.Ref, parent)
	return src, nil
}

// nullTime reads a nullable timestamp.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}
